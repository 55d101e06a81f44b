package dev.outreach2day.delivery;

import dev.outreach2day.campaign.Campaigns;
import dev.outreach2day.campaign.Subsequences;
import dev.outreach2day.outcome.OutcomeOverridden;
import dev.outreach2day.unibox.ReplyClassifier;
import dev.outreach2day.unibox.ReplyReceived;
import java.time.Clock;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Replies drive subsequences: a reply whose intent the campaign routes moves the contact into
 * that subsequence (its main sequence stops, see {@code SubsequenceService.enroll}); a contact
 * already in a subsequence that answers again leaves it by the campaign's stop rules, or moves
 * to the subsequence its new intent routes to. A manual outcome counts like a classified reply.
 * Independent of {@link ReplyHandling}'s order: whichever runs first, an enrolled contact's main
 * sequence has ended and the other leaves an ended sequence alone.
 */
@Component
class SubsequenceRouting {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SubsequenceRouting.class);

    private final Subsequences subsequences;
    private final Campaigns campaigns;
    private final Clock clock;

    SubsequenceRouting(Subsequences subsequences, Campaigns campaigns, Clock clock) {
        this.subsequences = subsequences;
        this.campaigns = campaigns;
        this.clock = clock;
    }

    @EventListener
    void on(ReplyReceived r) {
        route(r.workspaceId(), r.campaignId(), r.contactId(), r.replyIntent(), r.hardBounce());
    }

    @EventListener
    void on(OutcomeOverridden o) {
        route(o.workspaceId(), o.campaignId(), o.contactId(), o.replyIntent(), true);
    }

    private void route(long workspaceId, String campaignId, String contactId, String intent, boolean hardBounce) {
        if (campaignId == null || contactId == null || intent == null) return;
        var target = subsequences.route(workspaceId, campaignId, intent);
        var current = subsequences.activeSubsequence(workspaceId, contactId);
        if (target.isPresent() && !target.equals(current)) {
            var e = subsequences.enroll(workspaceId, campaignId, contactId, target.get(), intent);
            if (!e.enrolled()) log.info("Contact {} was not moved into subsequence {} ({} reply): {}", contactId, target.get(), intent, e.reason());
            return;
        }
        if (current.isEmpty() || target.isPresent()) return; // nothing to stop, or the answer is the one this subsequence handles
        var rules = campaigns.forSending(workspaceId, campaignId).map(Campaigns.SendingCampaign::stopRules).orElse(null);
        if (rules == null) return;
        boolean stop = switch (intent) {
            case ReplyClassifier.BOUNCED -> hardBounce;
            case ReplyClassifier.UNSUBSCRIBE -> true;
            case ReplyClassifier.OUT_OF_OFFICE -> rules.stopOnAutoReply();
            default -> rules.stopOnReply();
        };
        if (stop) subsequences.endMembership(workspaceId, contactId, "stopped", "reply: " + intent, clock.instant());
    }
}
