package dev.outreach2day.delivery;

import dev.outreach2day.campaign.Campaigns;
import dev.outreach2day.contact.Contacts;
import dev.outreach2day.outcome.OutcomeOverridden;
import dev.outreach2day.unibox.ReplyClassifier;
import dev.outreach2day.unibox.ReplyReceived;
import java.time.ZoneOffset;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What a reply to a campaign email does to the campaign, in the transaction that stored it: the
 * campaign's stop rules end the contact's sequence (a reply → replied, an auto-reply → stopped
 * when the campaign says so, a bounce → bounced, an unsubscribe request → unsubscribed; its
 * planned sends are then skipped by the send checks), and the reply is counted in the stats —
 * once per thread as {@code replied} (and {@code interested}), each bounce as {@code bounced}.
 */
@Component
class ReplyHandling {

    private final Campaigns campaigns;
    private final Contacts contacts;
    private final SendQueue queue;

    ReplyHandling(Campaigns campaigns, Contacts contacts, SendQueue queue) {
        this.campaigns = campaigns;
        this.contacts = contacts;
        this.queue = queue;
    }

    @EventListener
    void on(ReplyReceived r) {
        var day = r.receivedAt().atZone(ZoneOffset.UTC).toLocalDate();
        String intent = r.replyIntent();
        boolean bounce = intent.equals(ReplyClassifier.BOUNCED);
        boolean autoReply = intent.equals(ReplyClassifier.OUT_OF_OFFICE);
        if (bounce) {
            queue.count(r.workspaceId(), r.campaignId(), day, r.stepOrder(), r.variantId(), r.mailboxId(), "bounced");
        } else if (r.firstReply() && !autoReply) {
            queue.count(r.workspaceId(), r.campaignId(), day, r.stepOrder(), r.variantId(), r.mailboxId(), "replied");
            if (intent.equals(ReplyClassifier.INTERESTED)) {
                queue.count(r.workspaceId(), r.campaignId(), day, r.stepOrder(), r.variantId(), r.mailboxId(), "interested");
            }
        }
        applyStopRules(r.workspaceId(), r.campaignId(), r.contactId(), intent, r.hardBounce());
    }

    /** A manual outcome is an answer from the contact as well: the same stop rules (it is not counted again in the stats). */
    @EventListener
    void on(OutcomeOverridden o) {
        applyStopRules(o.workspaceId(), o.campaignId(), o.contactId(), o.replyIntent(), true);
    }

    private void applyStopRules(long workspaceId, String campaignId, String contactId, String intent, boolean hardBounce) {
        var campaign = campaigns.forSending(workspaceId, campaignId).orElse(null);
        var contact = contacts.find(workspaceId, contactId).orElse(null);
        if (campaign == null || contact == null) return;
        boolean bounce = intent.equals(ReplyClassifier.BOUNCED);
        boolean autoReply = intent.equals(ReplyClassifier.OUT_OF_OFFICE);
        var rules = campaign.stopRules();
        String status = bounce ? (rules.stopOnBounce() && hardBounce ? "bounced" : null)
                : autoReply ? (rules.stopOnAutoReply() ? "stopped" : null)
                : intent.equals(ReplyClassifier.UNSUBSCRIBE) ? (rules.stopOnUnsubscribe() || rules.stopOnReply() ? "unsubscribed" : null)
                : rules.stopOnReply() ? "replied" : null;
        // a sequence that already ended keeps its ending (completed, unsubscribed via the link, …) unless a reply explains it better
        boolean open = contact.status().equals("in_progress") || contact.status().equals("not_started")
                || (contact.status().equals("completed") && status != null && !status.equals("stopped"));
        if (status != null && open) {
            contacts.updateProgress(workspaceId, campaignId, contactId, status, contact.currentStep(), null, null);
        }
    }
}
