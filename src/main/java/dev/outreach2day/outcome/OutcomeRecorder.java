package dev.outreach2day.outcome;

import dev.outreach2day.contact.Contacts;
import dev.outreach2day.unibox.ReplyReceived;
import java.time.Clock;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Every reply to a campaign email updates its contact's outcome, in the transaction that stored
 * the reply, and the contact's {@code replyIntent} follows the outcome (a manual one stays).
 */
@Component
class OutcomeRecorder {

    private final OutcomeStore store;
    private final Contacts contacts;
    private final Clock clock;

    OutcomeRecorder(OutcomeStore store, Contacts contacts, Clock clock) {
        this.store = store;
        this.contacts = contacts;
        this.clock = clock;
    }

    @EventListener
    void on(ReplyReceived r) {
        if (r.campaignId() == null || r.contactId() == null) return;
        String email = contacts.find(r.workspaceId(), r.contactId()).map(c -> c.email()).orElse(r.fromEmail());
        String intent = store.recordReply(r.workspaceId(), r.campaignId(), r.contactId(), email, r.replyIntent(), r.confidence(),
                r.threadId(), r.receivedAt(), clock.instant());
        contacts.recordReplyIntent(r.workspaceId(), r.campaignId(), r.contactId(), intent);
    }
}
