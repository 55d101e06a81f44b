package dev.outreach2day.campaign;

import dev.outreach2day.campaign.CampaignRepository.CampaignRow;
import dev.outreach2day.campaign.CampaignRepository.StepRow;
import dev.outreach2day.campaign.CampaignRepository.VariantRow;
import dev.outreach2day.contact.Contacts;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Ids;
import java.time.Clock;
import java.util.ArrayList;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Duplicates a campaign into a new draft of the same workspace, in one transaction: settings
 * (priority, schedule, stop rules, text-only, tracking), steps in order with their variants and
 * weights, subsequences with their routing, and — when asked — the attached mailboxes with their
 * policy and the contacts (fresh, progress reset). Sends, stats, launch jobs, subsequence members
 * and reply outcomes belong to the original and are never copied.
 */
@Service
class CampaignDuplicator {

    /** What a duplicate received, as counts (settings as flags). */
    record Copied(CampaignRow campaign, int steps, int variants, int subsequences, int mailboxes, long contacts) {}

    private final CampaignRepository repo;
    private final SubsequenceStore subsequences;
    private final Contacts contacts;
    private final TransactionTemplate tx;
    private final Clock clock;

    CampaignDuplicator(CampaignRepository repo, SubsequenceStore subsequences, Contacts contacts, TransactionTemplate tx,
            Clock clock) {
        this.repo = repo;
        this.subsequences = subsequences;
        this.contacts = contacts;
        this.tx = tx;
        this.clock = clock;
    }

    Copied duplicate(long workspaceId, String sourceId, String name, boolean copyContacts, boolean copyMailboxes) {
        return tx.execute(s -> {
            // the lock keeps the source's steps and mailboxes still while they are read
            CampaignRow src = repo.lock(workspaceId, sourceId).orElseThrow(() -> new ApiException.NotFound("Campaign " + sourceId));
            String id = Ids.next("cmp", clock.millis());
            String newName = name != null ? name.strip() : copyName(src.name());
            repo.insert(workspaceId, id, newName, src.priority(), src.schedule(), src.stopRules());
            repo.update(workspaceId, id, newName, src.priority(), src.textOnly(), src.trackOpens(), src.trackClicks(),
                    src.trackingDomain());
            int steps = 0, variants = 0;
            for (StepRow st : repo.steps(workspaceId, sourceId)) {
                String stepId = Ids.next("stp", clock.millis());
                repo.insertStep(workspaceId, id, stepId, st.order(), st.subject(), st.bodyHtml(), st.bodyText(), st.delaySeconds());
                var copies = new ArrayList<VariantRow>();
                for (VariantRow v : st.variants()) {
                    copies.add(new VariantRow(Ids.next("var", clock.millis()), stepId, v.position(), v.subject(), v.bodyHtml(),
                            v.bodyText(), v.weight()));
                }
                repo.replaceVariants(workspaceId, stepId, copies);
                steps++;
                variants += copies.size();
            }
            int subs = copySubsequences(workspaceId, sourceId, id);
            int mailboxes = copyMailboxes ? repo.copyMailboxes(workspaceId, sourceId, id) : 0;
            long copiedContacts = copyContacts ? contacts.copyToNewCampaign(workspaceId, sourceId, id) : 0;
            return new Copied(repo.find(workspaceId, id).orElseThrow(), steps, variants, subs, mailboxes, copiedContacts);
        });
    }

    /**
     * The source's live subsequences (trigger, status, steps with variants; new ids) and its
     * intent routing, pointed at the copies. Members and their progress stay with the source.
     */
    private int copySubsequences(long workspaceId, String sourceId, String targetId) {
        var now = clock.instant();
        var newIds = new java.util.HashMap<String, String>();
        var source = subsequences.ofCampaign(workspaceId, sourceId);
        // lists are in id order, and ids made in one millisecond are not ordered: hand out sorted ones in the source's order
        var ids = java.util.stream.Stream.generate(() -> Ids.next("sub", now.toEpochMilli())).limit(source.size()).sorted().toList();
        for (SubsequenceStore.SubsequenceRow sub : source) {
            String subId = ids.get(newIds.size());
            newIds.put(sub.id(), subId);
            subsequences.insert(new SubsequenceStore.SubsequenceRow(workspaceId, subId, targetId, sub.name(), sub.replyIntents(),
                    sub.noReplyAfterStep(), sub.noReplyWaitSeconds(), sub.status(), false, now, now), now);
            var steps = new ArrayList<SubsequenceStore.StepRow>();
            for (SubsequenceStore.StepRow st : subsequences.steps(workspaceId, sub.id())) {
                steps.add(new SubsequenceStore.StepRow(Ids.next("stp", now.toEpochMilli()), st.order(), st.subject(), st.bodyHtml(),
                        st.bodyText(), st.delaySeconds(), st.variants().stream().map(v -> new SubsequenceStore.VariantJson(
                                Ids.next("var", now.toEpochMilli()), v.subject(), v.bodyHtml(), v.bodyText(), v.weight())).toList()));
            }
            subsequences.saveSteps(workspaceId, subId, steps);
        }
        subsequences.routes(workspaceId, sourceId).forEach((intent, subId) -> {
            if (newIds.containsKey(subId)) subsequences.setRoute(workspaceId, targetId, intent, newIds.get(subId), false);
        });
        return newIds.size();
    }

    /** "<name> (copy)", kept within the 200 characters a campaign name may have. */
    static String copyName(String name) {
        String suffix = " (copy)";
        return (name.length() + suffix.length() > 200 ? name.substring(0, 200 - suffix.length()) : name) + suffix;
    }
}
