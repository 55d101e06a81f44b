package dev.outreach2day.suppression;

import dev.outreach2day.contact.Contacts;
import dev.outreach2day.delivery.ContactUnsubscribed;
import dev.outreach2day.delivery.SendCompleted;
import dev.outreach2day.outcome.OutcomeOverridden;
import dev.outreach2day.unibox.ReplyClassifier;
import dev.outreach2day.unibox.ReplyReceived;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Entries nobody has to add by hand: an unsubscribe (the link, one-click, or a reply asking for
 * it) and a hard bounce (an SMTP 5xx naming the recipient, or a bounce report) suppress the
 * address for the whole workspace, in the transaction that recorded it where there is one.
 */
@Component
class AutoSuppression {

    private final Suppressions suppressions;
    private final Contacts contacts;

    AutoSuppression(Suppressions suppressions, Contacts contacts) {
        this.suppressions = suppressions;
        this.contacts = contacts;
    }

    @EventListener
    void on(ContactUnsubscribed e) {
        Suppressions.parse(e.email()).ifPresent(v -> suppressions.add(e.workspaceId(), v, null, "unsubscribed", "unsubscribe"));
    }

    @EventListener
    void on(SendCompleted e) {
        if (!e.status().equals("bounced")) return;
        contacts.find(e.workspaceId(), e.contactId()).flatMap(c -> Suppressions.parse(c.email()))
                .ifPresent(v -> suppressions.add(e.workspaceId(), v, null, "hard bounce (SMTP)", "bounce"));
    }

    @EventListener
    void on(ReplyReceived e) {
        if (e.replyIntent().equals(ReplyClassifier.BOUNCED) && e.hardBounce()) {
            contacts.find(e.workspaceId(), e.contactId()).flatMap(c -> Suppressions.parse(c.email()))
                    .ifPresent(v -> suppressions.add(e.workspaceId(), v, null, "hard bounce (report)", "bounce"));
        } else if (e.replyIntent().equals(ReplyClassifier.UNSUBSCRIBE)) {
            Suppressions.parse(e.fromEmail()).ifPresent(v -> suppressions.add(e.workspaceId(), v, null, "asked to unsubscribe in a reply",
                    "unsubscribe"));
        }
    }

    @EventListener
    void on(OutcomeOverridden o) {
        if (o.replyIntent().equals(ReplyClassifier.UNSUBSCRIBE)) {
            Suppressions.parse(o.email()).ifPresent(v -> suppressions.add(o.workspaceId(), v, null, "marked unsubscribed by hand", "unsubscribe"));
        } else if (o.replyIntent().equals(ReplyClassifier.BOUNCED)) {
            Suppressions.parse(o.email()).ifPresent(v -> suppressions.add(o.workspaceId(), v, null, "marked bounced by hand", "bounce"));
        }
    }
}
