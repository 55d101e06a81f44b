package dev.outreach2day.campaign;

import dev.outreach2day.campaign.SubsequenceStore.StepRow;
import dev.outreach2day.campaign.SubsequenceStore.SubsequenceRow;
import dev.outreach2day.contact.Contacts;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.ApiException.FieldProblem;
import dev.outreach2day.platform.Ids;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Subsequences: their definitions and routing (one subsequence per reply intent and campaign),
 * and enrolment — moving a contact from the main sequence into a subsequence in one transaction
 * (membership, the main sequence stopped, the first subsequence email planned from the contact's
 * thread mailbox).
 */
@Service
class SubsequenceService {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SubsequenceService.class);

    /** Intents a reply can be routed by; unsubscribe and bounced end a sequence, they never start one. */
    static final List<String> ROUTABLE = List.of("interested", "not_interested", "neutral", "out_of_office");
    static final int MAX_PER_CAMPAIGN = 20;
    static final int MAX_STEPS = 20;
    static final int SYNC_LIMIT = 10_000;

    record Definition(String name, List<String> replyIntents, Integer noReplyAfterStep, Long waitSeconds, String status,
            List<StepRow> steps) {}

    record Enrolment(boolean enrolled, String reason) {}

    record SyncResult(int matched, int enrolled, Map<String, String> skipped) {}

    private final SubsequenceStore store;
    private final CampaignService campaigns;
    private final Contacts contacts;
    private final TransactionTemplate tx;
    private final Clock clock;

    SubsequenceService(SubsequenceStore store, CampaignService campaigns, Contacts contacts, TransactionTemplate tx, Clock clock) {
        this.store = store;
        this.campaigns = campaigns;
        this.contacts = contacts;
        this.tx = tx;
        this.clock = clock;
    }

    // ---- definitions ----

    SubsequenceRow create(long workspaceId, String campaignId, Definition d) {
        return tx.execute(t -> {
            var campaign = campaigns.get(workspaceId, campaignId); // 404 for another workspace's or a deleted campaign
            if (campaign.status().equals("archived")) {
                throw new ApiException.Conflict("CAMPAIGN_ARCHIVED", "The campaign is archived; unarchive it to add subsequences");
            }
            if (store.countOfCampaign(workspaceId, campaignId) >= MAX_PER_CAMPAIGN) {
                throw new ApiException.Conflict("SUBSEQUENCE_LIMIT", "A campaign has at most " + MAX_PER_CAMPAIGN + " subsequences");
            }
            Instant now = clock.instant();
            String id = Ids.next("sub", now.toEpochMilli());
            var row = new SubsequenceRow(workspaceId, id, campaignId, d.name(), d.replyIntents(), d.noReplyAfterStep(),
                    d.waitSeconds() == null ? 3 * 86_400L : d.waitSeconds(), d.status() == null ? "active" : d.status(), false, now, now);
            requireStepExists(workspaceId, campaignId, row.noReplyAfterStep());
            store.insert(row, now);
            store.saveSteps(workspaceId, id, withIds(List.of(), d.steps(), now));
            claimRoutes(workspaceId, campaignId, id, List.of(), row.replyIntents());
            return row;
        });
    }

    SubsequenceRow get(long workspaceId, String campaignId, String id) {
        campaigns.get(workspaceId, campaignId);
        return store.find(workspaceId, id).filter(s -> s.campaignId().equals(campaignId) && !s.deleted())
                .orElseThrow(() -> new ApiException.NotFound("Subsequence " + id));
    }

    List<SubsequenceRow> list(long workspaceId, String campaignId) {
        campaigns.get(workspaceId, campaignId);
        return store.ofCampaign(workspaceId, campaignId);
    }

    List<StepRow> steps(long workspaceId, String id) {
        return store.steps(workspaceId, id);
    }

    SubsequenceStore.Counts counts(long workspaceId, String id) {
        return store.counts(workspaceId, id);
    }

    List<SubsequenceStore.StepStats> stepStats(long workspaceId, String id) {
        return store.stepStats(workspaceId, id);
    }

    /** Fields left null keep their value; steps, when given, replace the steps (a position keeps its step id). */
    SubsequenceRow update(long workspaceId, String campaignId, String id, Definition d) {
        return tx.execute(t -> {
            get(workspaceId, campaignId, id);
            var current = store.lock(workspaceId, id).orElseThrow(() -> new ApiException.NotFound("Subsequence " + id));
            Instant now = clock.instant();
            List<String> intents = d.replyIntents() != null ? d.replyIntents() : current.replyIntents();
            Integer afterStep = d.noReplyAfterStep() != null ? (d.noReplyAfterStep() == 0 ? null : d.noReplyAfterStep())
                    : current.noReplyAfterStep();
            if (intents.isEmpty() && afterStep == null) {
                throw new ApiException.Invalid(List.of(FieldProblem.at("body",
                        "a subsequence needs a trigger: replyIntents or noReplyAfterStep", "value_error", "trigger")));
            }
            requireStepExists(workspaceId, campaignId, afterStep);
            var row = new SubsequenceRow(workspaceId, id, campaignId, d.name() != null ? d.name() : current.name(), intents, afterStep,
                    d.waitSeconds() != null ? d.waitSeconds() : current.noReplyWaitSeconds(),
                    d.status() != null ? d.status() : current.status(), false, current.createdAt(), now);
            store.update(row, now);
            if (d.steps() != null) store.saveSteps(workspaceId, id, withIds(store.steps(workspaceId, id), d.steps(), now));
            claimRoutes(workspaceId, campaignId, id, current.replyIntents(), intents);
            return row;
        });
    }

    /** Deleted: no new contacts, its routes go, and the contacts in it stop (their planned emails are skipped). */
    int delete(long workspaceId, String campaignId, String id) {
        return tx.execute(t -> {
            get(workspaceId, campaignId, id);
            Instant now = clock.instant();
            store.removeRoutesOf(workspaceId, id);
            store.delete(workspaceId, id, now);
            return store.stopMembers(workspaceId, id, "subsequence_deleted", now);
        });
    }

    Map<String, String> routes(long workspaceId, String campaignId) {
        campaigns.get(workspaceId, campaignId);
        return store.routes(workspaceId, campaignId);
    }

    /**
     * Sets routes: intent → subsequence (its trigger gains the intent, the previous owner's loses
     * it) or intent → null (no subsequence). A subsequence left without any trigger is refused.
     */
    Map<String, String> setRoutes(long workspaceId, String campaignId, Map<String, String> routes) {
        return tx.execute(t -> {
            campaigns.get(workspaceId, campaignId);
            var problems = new ArrayList<FieldProblem>();
            var owners = new LinkedHashMap<String, SubsequenceRow>();
            for (var s : store.ofCampaign(workspaceId, campaignId)) owners.put(s.id(), s);
            var intents = new LinkedHashMap<String, List<String>>();
            owners.forEach((sid, s) -> intents.put(sid, new ArrayList<>(s.replyIntents())));
            routes.forEach((intent, target) -> {
                if (!ROUTABLE.contains(intent)) {
                    problems.add(FieldProblem.at("body", "intent must be one of " + String.join(", ", ROUTABLE), "enum", "routes", intent));
                    return;
                }
                if (target != null && !owners.containsKey(target)) {
                    problems.add(FieldProblem.at("body", "no subsequence " + target + " in this campaign", "value_error", "routes", intent));
                    return;
                }
                intents.values().forEach(l -> l.remove(intent));
                if (target != null) intents.get(target).add(intent);
            });
            intents.forEach((sid, l) -> {
                if (l.isEmpty() && owners.get(sid).noReplyAfterStep() == null) {
                    problems.add(FieldProblem.at("body", "this would leave " + sid + " without a trigger; route another intent to it, "
                            + "give it noReplyAfterStep, or delete it", "value_error", "routes"));
                }
            });
            if (!problems.isEmpty()) throw new ApiException.Invalid(problems);
            Instant now = clock.instant();
            intents.forEach((sid, l) -> {
                var s = owners.get(sid);
                if (!Set.copyOf(l).equals(Set.copyOf(s.replyIntents()))) {
                    store.update(new SubsequenceRow(workspaceId, sid, campaignId, s.name(), l, s.noReplyAfterStep(),
                            s.noReplyWaitSeconds(), s.status(), false, s.createdAt(), now), now);
                }
            });
            routes.forEach((intent, target) -> {
                if (target == null) store.removeRoute(workspaceId, campaignId, intent);
                else store.setRoute(workspaceId, campaignId, intent, target, false);
            });
            return store.routes(workspaceId, campaignId);
        });
    }

    /** An intent is routed to one subsequence: taking one routed elsewhere is a conflict (move it with the routing call). */
    private void claimRoutes(long workspaceId, String campaignId, String id, List<String> before, List<String> after) {
        var routes = store.routes(workspaceId, campaignId);
        for (String intent : after) {
            String owner = routes.get(intent);
            if (owner != null && !owner.equals(id)) {
                throw new ApiException.Conflict("ROUTE_CONFLICT", "Replies classified " + intent + " already go to subsequence " + owner
                        + "; move them with PATCH /campaigns/" + campaignId + "/subsequences/routing");
            }
            store.setRoute(workspaceId, campaignId, intent, id, true);
        }
        for (String intent : before) {
            if (!after.contains(intent) && id.equals(routes.get(intent))) store.removeRoute(workspaceId, campaignId, intent);
        }
    }

    private void requireStepExists(long workspaceId, String campaignId, Integer step) {
        if (step == null) return;
        int steps = campaigns.steps(workspaceId, campaignId).size();
        if (step > steps) {
            throw new ApiException.Invalid(List.of(FieldProblem.at("body", "the campaign has " + steps + " step(s); noReplyAfterStep "
                    + step + " does not exist", "value_error", "trigger", "noReplyAfterStep")));
        }
    }

    /** New step contents by position: an existing position keeps its id (and its variants keep theirs where present). */
    private static List<StepRow> withIds(List<StepRow> existing, List<StepRow> wanted, Instant now) {
        var out = new ArrayList<StepRow>();
        for (int i = 0; i < wanted.size(); i++) {
            StepRow w = wanted.get(i);
            StepRow old = i < existing.size() ? existing.get(i) : null;
            var variants = new ArrayList<SubsequenceStore.VariantJson>();
            for (int j = 0; j < w.variants().size(); j++) {
                var v = w.variants().get(j);
                String vid = old != null && j < old.variants().size() ? old.variants().get(j).id() : Ids.next("var", now.toEpochMilli());
                variants.add(new SubsequenceStore.VariantJson(vid, v.subject(), v.bodyHtml(), v.bodyText(), v.weight()));
            }
            out.add(new StepRow(old != null ? old.id() : Ids.next("stp", now.toEpochMilli()), i + 1, w.subject(), w.bodyHtml(),
                    w.bodyText(), w.delaySeconds(), variants));
        }
        return out;
    }

    // ---- enrolment ----

    /**
     * Moves the contact into the subsequence, or says why not. One transaction: the campaign's change
     * counter and the contact row are locked (one decision per contact at a time, in the lock order
     * every contact writer keeps), the contact leaves any other subsequence, its
     * main sequence stops (status replied, or stopped for an out-of-office or a no-reply trigger;
     * an ended sequence keeps its ending), and step 1 is planned from its thread's mailbox.
     */
    Enrolment enroll(long workspaceId, String campaignId, String contactId, String subsequenceId, String reason) {
        var result = tx.execute(t -> {
            store.lockCounter(workspaceId, campaignId); // lock order: counter, subsequence, contact (see SubsequenceStore)
            var sub = store.lock(workspaceId, subsequenceId).filter(s -> s.campaignId().equals(campaignId)).orElse(null);
            if (sub == null) return new Enrolment(false, "subsequence_not_found");
            if (!sub.status().equals("active")) return new Enrolment(false, "subsequence_paused");
            var steps = store.steps(workspaceId, subsequenceId);
            if (steps.isEmpty()) return new Enrolment(false, "subsequence_has_no_steps");
            var contact = store.lockContact(workspaceId, campaignId, contactId).orElse(null);
            if (contact == null) return new Enrolment(false, "contact_not_found");
            if (contact.status().equals("bounced") || contact.status().equals("unsubscribed")) {
                return new Enrolment(false, "contact_" + contact.status());
            }
            if (store.memberStatus(workspaceId, subsequenceId, contactId).isPresent()) return new Enrolment(false, "already_enrolled");
            var mailbox = store.threadMailbox(workspaceId, campaignId, contactId);
            if (mailbox.isEmpty()) return new Enrolment(false, "never_emailed");
            Instant now = clock.instant();
            store.endActive(workspaceId, contactId, "moved", "moved to " + subsequenceId, now);
            store.insertMember(workspaceId, subsequenceId, contactId, campaignId, mailbox.get(), reason, now);
            if (contact.status().equals("in_progress") || contact.status().equals("not_started")) {
                boolean answered = ROUTABLE.contains(reason) && !reason.equals("out_of_office");
                contacts.updateProgress(workspaceId, campaignId, contactId, answered ? "replied" : "stopped", contact.currentStep(),
                        null, null);
            }
            StepRow first = steps.getFirst();
            store.planSend(workspaceId, Ids.next("snd", now.toEpochMilli()), campaignId, contactId, first, mailbox.get(), subsequenceId,
                    now.plusSeconds(first.delaySeconds()), now);
            return new Enrolment(true, reason);
        });
        if (!result.enrolled()) log.debug("Contact {} not moved into {}: {}", contactId, subsequenceId, result.reason());
        return result;
    }

    /** Moves the matching contacts now (all of them, or those listed): each in its own transaction. */
    SyncResult sync(long workspaceId, String campaignId, String id, List<String> contactIds) {
        var sub = get(workspaceId, campaignId, id);
        // contact → why it moves: its reply intent, else the no-reply trigger (read with the match, not again per contact)
        var candidates = new LinkedHashMap<String, String>();
        if (!sub.replyIntents().isEmpty()) {
            candidates.putAll(store.intentMatches(workspaceId, campaignId, id, sub.replyIntents(), contactIds, SYNC_LIMIT));
        }
        if (sub.noReplyAfterStep() != null) {
            for (String c : store.noReplyDue(workspaceId, campaignId, id, sub.noReplyAfterStep(), clock.instant(), contactIds, SYNC_LIMIT)) {
                candidates.putIfAbsent(c, "no_reply_after_step_" + sub.noReplyAfterStep());
            }
        }
        var skipped = new LinkedHashMap<String, String>();
        if (contactIds != null) for (String c : contactIds) if (!candidates.containsKey(c)) skipped.put(c, "not_matching");
        int enrolled = 0;
        for (var c : candidates.entrySet()) {
            var e = enroll(workspaceId, campaignId, c.getKey(), id, c.getValue());
            if (e.enrolled()) enrolled++;
            else skipped.put(c.getKey(), e.reason());
        }
        return new SyncResult(candidates.size(), enrolled, skipped);
    }

    /** One round of the "no reply after step N" triggers: contacts whose wait is over move in. Returns how many did. */
    int enrollNoReplies(int limitPerSubsequence) {
        int moved = 0;
        Instant now = clock.instant();
        for (var sub : store.noReplySubsequences()) {
            var due = store.noReplyDue(sub.workspaceId(), sub.campaignId(), sub.id(), sub.noReplyAfterStep(),
                    now.minusSeconds(sub.noReplyWaitSeconds()), null, limitPerSubsequence);
            for (String contactId : due) {
                if (enroll(sub.workspaceId(), sub.campaignId(), contactId, sub.id(), "no_reply_after_step_" + sub.noReplyAfterStep())
                        .enrolled()) {
                    moved++;
                }
            }
        }
        return moved;
    }
}
