package dev.outreach2day.outcome;

import dev.outreach2day.contact.Contacts;
import dev.outreach2day.unibox.ThreadIntentSet;
import java.time.Instant;
import java.util.Objects;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Manual outcomes: set through the outcome endpoint or by setting a campaign thread's intent in the
 * Unibox. Runs in the caller's transaction; the same outcome again changes and announces nothing.
 */
@Component
class OutcomeOverrides {

    private final OutcomeStore store;
    private final Contacts contacts;
    private final ApplicationEventPublisher events;

    OutcomeOverrides(OutcomeStore store, Contacts contacts, ApplicationEventPublisher events) {
        this.store = store;
        this.contacts = contacts;
        this.events = events;
    }

    OutcomeStore.Outcome set(long ws, String campaignId, String contactId, String email, String intent, String note, Instant now) {
        var before = store.findForUpdate(ws, campaignId, contactId).orElse(null);
        if (before != null && before.source().equals("manual") && before.replyIntent().equals(intent) && Objects.equals(before.note(), note)) {
            return before;
        }
        var after = store.override(ws, campaignId, contactId, email, intent, note, now);
        contacts.recordReplyIntent(ws, campaignId, contactId, intent);
        events.publishEvent(new OutcomeOverridden(ws, campaignId, contactId, email, before == null ? null : before.replyIntent(), intent,
                note, now));
        return after;
    }

    @EventListener
    void on(ThreadIntentSet e) {
        contacts.find(e.workspaceId(), e.contactId()).filter(c -> c.campaignId().equals(e.campaignId())).ifPresent(c -> {
            String note = store.findForUpdate(e.workspaceId(), e.campaignId(), e.contactId()).map(OutcomeStore.Outcome::note).orElse(null);
            set(e.workspaceId(), e.campaignId(), e.contactId(), c.email(), e.replyIntent(), note, e.at());
        });
    }
}
