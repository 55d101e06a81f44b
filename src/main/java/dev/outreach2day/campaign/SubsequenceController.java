package dev.outreach2day.campaign;

import dev.outreach2day.campaign.StepController.CampaignStepVariantIn;
import dev.outreach2day.campaign.SubsequenceStore.StepRow;
import dev.outreach2day.campaign.SubsequenceStore.SubsequenceRow;
import dev.outreach2day.campaign.SubsequenceStore.VariantJson;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.ApiException.FieldProblem;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Campaigns")
@RestController
class SubsequenceController {

    /** What moves a contact in: a reply classified with one of these intents, or no reply waitDays after step N. */
    record CampaignSubsequenceTriggerIn(@Size(max = 4) List<String> replyIntents, @Min(0) @Max(100) Integer noReplyAfterStep,
            @Min(0) @Max(365) Integer waitDays, @Min(0) @Max(8760) Integer waitHours) {}

    record CampaignSubsequenceStepIn(@Size(max = 500) String subject, @Size(max = 100_000) String bodyHtml,
            @Size(max = 100_000) String bodyText, @Min(0) @Max(365) Integer delayDays, @Min(0) @Max(8760) Integer delayHours,
            @Size(max = CampaignService.MAX_VARIANTS) List<CampaignStepVariantIn> variants) {}

    record PublicCampaignSubsequenceCreateIn(String name, CampaignSubsequenceTriggerIn trigger,
            @Size(max = SubsequenceService.MAX_STEPS) List<CampaignSubsequenceStepIn> steps, String status) {}

    /** Fields left out keep their value; steps, when given, replace the steps. noReplyAfterStep 0 removes that trigger. */
    record PublicCampaignSubsequenceUpdateIn(String name, CampaignSubsequenceTriggerIn trigger,
            @Size(max = SubsequenceService.MAX_STEPS) List<CampaignSubsequenceStepIn> steps, String status) {}

    record CampaignSubsequenceTriggerOut(List<String> replyIntents, Integer noReplyAfterStep, long waitSeconds) {}

    record CampaignSubsequenceVariantOut(String id, String subject, String bodyHtml, String bodyText, BigDecimal weight) {}

    record CampaignSubsequenceStepOut(String id, int order, String subject, String bodyHtml, String bodyText, long delaySeconds,
            List<CampaignSubsequenceVariantOut> variants) {}

    record CampaignSubsequenceStepStatsOut(int order, long sent, long failed, long bounced, long skipped, long unknown) {}

    record CampaignSubsequenceStatsOut(long enrolled, long active, long completed, long stopped, long moved,
            List<CampaignSubsequenceStepStatsOut> steps) {}

    record CampaignSubsequenceOut(String id, String campaignId, String name, String status, CampaignSubsequenceTriggerOut trigger,
            List<CampaignSubsequenceStepOut> steps, CampaignSubsequenceStatsOut stats, Instant createdAt, Instant updatedAt) {}

    record CampaignSubsequenceEnvelopeOut(CampaignSubsequenceOut subsequence) {}

    record CampaignSubsequenceListOut(List<CampaignSubsequenceOut> subsequences) {}

    record CampaignSubsequenceDeleteOut(String id, boolean deleted, int stoppedContacts) {}

    record PublicCampaignSubsequenceSyncIn(@Size(max = 1000) List<String> contactIds) {}

    record CampaignSubsequenceSyncSkippedOut(String contactId, String reason) {}

    record CampaignSubsequenceSyncOut(String subsequenceId, int matched, int enrolled, List<CampaignSubsequenceSyncSkippedOut> skipped) {}

    record CampaignSubsequenceRoutingOut(String campaignId, Map<String, String> routes, List<String> intents) {}

    record PublicCampaignSubsequenceRoutingPatchIn(Map<String, String> routes) {}

    record CampaignSubsequenceRoutingPatchOut(String campaignId, Map<String, String> routes, List<String> changed) {}

    private final SubsequenceService service;

    SubsequenceController(SubsequenceService service) {
        this.service = service;
    }

    @Operation(summary = "Public List Campaign Subsequences")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/subsequences")
    CampaignSubsequenceListOut list(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId) {
        long ws = caller.workspace(workspaceId);
        return new CampaignSubsequenceListOut(service.list(ws, campaignId).stream().map(s -> out(ws, s)).toList());
    }

    @Operation(summary = "Public Create Campaign Subsequence",
            description = "trigger.replyIntents (interested, not_interested, neutral, out_of_office) routes replies classified so "
                    + "to this subsequence (an intent already routed elsewhere is a 409: move it with the routing call); "
                    + "trigger.noReplyAfterStep N takes contacts that have not replied waitDays (default 3) after main step N. "
                    + "The contact's main sequence stops; the steps are sent from its thread's mailbox, threaded under it.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/{campaign_id}/subsequences")
    @ResponseStatus(HttpStatus.CREATED)
    CampaignSubsequenceEnvelopeOut create(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @Valid @RequestBody PublicCampaignSubsequenceCreateIn in) {
        long ws = caller.workspace(workspaceId);
        var problems = new ArrayList<FieldProblem>();
        String name = name(in.name(), true, problems);
        var trigger = trigger(in.trigger(), true, problems);
        var steps = steps(in.steps(), true, problems);
        String status = status(in.status(), problems);
        if (!problems.isEmpty()) throw new ApiException.Invalid(problems);
        var row = service.create(ws, campaignId, new SubsequenceService.Definition(name, trigger.intents, trigger.afterStep,
                trigger.waitSeconds, status, steps));
        return new CampaignSubsequenceEnvelopeOut(out(ws, row));
    }

    @Operation(summary = "Public Get Campaign Subsequence Routing",
            description = "Which subsequence replies of each intent go to (intents without a route stay in the main flow).")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/subsequences/routing")
    CampaignSubsequenceRoutingOut routing(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId) {
        return new CampaignSubsequenceRoutingOut(campaignId, service.routes(caller.workspace(workspaceId), campaignId),
                SubsequenceService.ROUTABLE);
    }

    @Operation(summary = "Public Patch Campaign Subsequence Routing",
            description = "routes: {intent: subsequenceId} moves the intent to that subsequence (its trigger gains it, the previous "
                    + "one's loses it); {intent: null} removes the route. A subsequence may not be left without a trigger.")
    @RequiredScope(Scope.WRITE)
    @PatchMapping("/campaigns/{campaign_id}/subsequences/routing")
    CampaignSubsequenceRoutingPatchOut patchRouting(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @RequestBody PublicCampaignSubsequenceRoutingPatchIn in) {
        if (in == null || in.routes() == null || in.routes().isEmpty()) {
            throw new ApiException.Invalid(List.of(FieldProblem.at("body", "Field required: routes {intent: subsequenceId or null}",
                    "missing", "routes")));
        }
        long ws = caller.workspace(workspaceId);
        var before = service.routes(ws, campaignId);
        var after = service.setRoutes(ws, campaignId, in.routes());
        var changed = new ArrayList<String>();
        for (String intent : SubsequenceService.ROUTABLE) {
            if (!java.util.Objects.equals(before.get(intent), after.get(intent))) changed.add(intent);
        }
        return new CampaignSubsequenceRoutingPatchOut(campaignId, after, changed);
    }

    @Operation(summary = "Public Get Campaign Subsequence")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/subsequences/{subsequence_id}")
    CampaignSubsequenceEnvelopeOut get(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @PathVariable("subsequence_id") String id) {
        long ws = caller.workspace(workspaceId);
        return new CampaignSubsequenceEnvelopeOut(out(ws, service.get(ws, campaignId, id)));
    }

    @Operation(summary = "Public Update Campaign Subsequence",
            description = "status paused holds its emails and takes no new contacts; steps replace the steps (a position keeps "
                    + "its id, so contacts waiting for it get the new text).")
    @RequiredScope(Scope.WRITE)
    @PatchMapping("/campaigns/{campaign_id}/subsequences/{subsequence_id}")
    CampaignSubsequenceEnvelopeOut update(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @PathVariable("subsequence_id") String id,
            @Valid @RequestBody PublicCampaignSubsequenceUpdateIn in) {
        long ws = caller.workspace(workspaceId);
        var problems = new ArrayList<FieldProblem>();
        String name = in.name() == null ? null : name(in.name(), false, problems);
        var trigger = in.trigger() == null ? new Trigger(null, null, null) : trigger(in.trigger(), false, problems);
        var steps = in.steps() == null ? null : steps(in.steps(), true, problems);
        String status = status(in.status(), problems);
        if (!problems.isEmpty()) throw new ApiException.Invalid(problems);
        var row = service.update(ws, campaignId, id, new SubsequenceService.Definition(name, trigger.intents, trigger.afterStep,
                trigger.waitSeconds, status, steps));
        return new CampaignSubsequenceEnvelopeOut(out(ws, row));
    }

    @Operation(summary = "Public Delete Campaign Subsequence",
            description = "Its routes go and the contacts in it stop; their planned emails are skipped.")
    @RequiredScope(Scope.WRITE)
    @DeleteMapping("/campaigns/{campaign_id}/subsequences/{subsequence_id}")
    CampaignSubsequenceDeleteOut delete(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @PathVariable("subsequence_id") String id) {
        return new CampaignSubsequenceDeleteOut(id, true, service.delete(caller.workspace(workspaceId), campaignId, id));
    }

    @Operation(summary = "Public Sync Campaign Subsequence",
            description = "Moves the contacts that match the trigger now (replies already classified with its intents; for "
                    + "noReplyAfterStep, contacts sent that step without a reply, not waiting for waitDays): all of them (up to "
                    + "10,000 per call), or only contactIds. Each listed contact that did not move is in skipped with the reason.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/{campaign_id}/subsequences/{subsequence_id}/sync")
    CampaignSubsequenceSyncOut sync(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @PathVariable("subsequence_id") String id,
            @Valid @RequestBody(required = false) PublicCampaignSubsequenceSyncIn in) {
        var ids = in == null || in.contactIds() == null ? null : List.copyOf(new java.util.LinkedHashSet<>(in.contactIds()));
        var r = service.sync(caller.workspace(workspaceId), campaignId, id, ids);
        return new CampaignSubsequenceSyncOut(id, r.matched(), r.enrolled(), r.skipped().entrySet().stream()
                .map(e -> new CampaignSubsequenceSyncSkippedOut(e.getKey(), e.getValue())).toList());
    }

    // ---- output ----

    private CampaignSubsequenceOut out(long ws, SubsequenceRow s) {
        var counts = service.counts(ws, s.id());
        var steps = service.steps(ws, s.id());
        var stats = new LinkedHashMap<Integer, CampaignSubsequenceStepStatsOut>();
        for (var st : steps) stats.put(st.order(), new CampaignSubsequenceStepStatsOut(st.order(), 0, 0, 0, 0, 0));
        for (var st : service.stepStats(ws, s.id())) {
            stats.put(st.order(), new CampaignSubsequenceStepStatsOut(st.order(), st.sent(), st.failed(), st.bounced(), st.skipped(),
                    st.unknown()));
        }
        return new CampaignSubsequenceOut(s.id(), s.campaignId(), s.name(), s.status(),
                new CampaignSubsequenceTriggerOut(s.replyIntents(), s.noReplyAfterStep(), s.noReplyWaitSeconds()),
                steps.stream().map(st -> new CampaignSubsequenceStepOut(st.id(), st.order(), st.subject(), st.bodyHtml(), st.bodyText(),
                        st.delaySeconds(), st.variants().stream().map(v -> new CampaignSubsequenceVariantOut(v.id(), v.subject(),
                                v.bodyHtml(), v.bodyText(), v.weight().stripTrailingZeros())).toList())).toList(),
                new CampaignSubsequenceStatsOut(counts.enrolled(), counts.active(), counts.completed(), counts.stopped(), counts.moved(),
                        List.copyOf(stats.values())),
                s.createdAt(), s.updatedAt());
    }

    // ---- input ----

    private record Trigger(List<String> intents, Integer afterStep, Long waitSeconds) {}

    private static String name(String name, boolean required, List<FieldProblem> problems) {
        if (name == null || name.isBlank()) {
            problems.add(FieldProblem.at("body", required ? "Field required" : "must not be blank", required ? "missing" : "value_error",
                    "name"));
            return null;
        }
        if (name.strip().length() > 200) problems.add(FieldProblem.at("body", "at most 200 characters", "string_too_long", "name"));
        return name.strip();
    }

    private static String status(String status, List<FieldProblem> problems) {
        if (status == null || status.equals("active") || status.equals("paused")) return status;
        problems.add(FieldProblem.at("body", "status must be active or paused", "enum", "status"));
        return null;
    }

    private static Trigger trigger(CampaignSubsequenceTriggerIn t, boolean create, List<FieldProblem> problems) {
        if (t == null) {
            problems.add(FieldProblem.at("body", "Field required: trigger {replyIntents[] or noReplyAfterStep}", "missing", "trigger"));
            return new Trigger(List.of(), null, null);
        }
        List<String> intents = null;
        if (t.replyIntents() != null) {
            var seen = new HashSet<String>();
            intents = new ArrayList<>();
            for (int i = 0; i < t.replyIntents().size(); i++) {
                String intent = t.replyIntents().get(i);
                if (intent == null || !SubsequenceService.ROUTABLE.contains(intent)) {
                    problems.add(FieldProblem.at("body", "must be one of " + String.join(", ", SubsequenceService.ROUTABLE)
                            + " (unsubscribe and bounced end a sequence, they never start one)", "enum", "trigger", "replyIntents", i));
                } else if (seen.add(intent)) {
                    intents.add(intent);
                }
            }
        }
        Integer after = t.noReplyAfterStep();
        boolean hasIntents = intents != null && !intents.isEmpty();
        if (create && !hasIntents && (after == null || after == 0)) {
            problems.add(FieldProblem.at("body", "a trigger needs replyIntents or noReplyAfterStep", "value_error", "trigger"));
        }
        if (create && after != null && after == 0) after = null;
        Long wait = t.waitDays() == null && t.waitHours() == null ? null
                : (t.waitDays() == null ? 0L : t.waitDays()) * 86_400L + (t.waitHours() == null ? 0L : t.waitHours()) * 3_600L;
        return new Trigger(create && intents == null ? List.of() : intents, after, wait);
    }

    private static List<StepRow> steps(List<CampaignSubsequenceStepIn> in, boolean required, List<FieldProblem> problems) {
        if (in == null || in.isEmpty()) {
            if (required) problems.add(FieldProblem.at("body", "at least one step is required", "missing", "steps"));
            return List.of();
        }
        var out = new ArrayList<StepRow>();
        for (int i = 0; i < in.size(); i++) {
            var s = in.get(i);
            if (s == null) {
                problems.add(FieldProblem.at("body", "must be an object", "dict_type", "steps", i));
                continue;
            }
            if (s.bodyHtml() == null || s.bodyHtml().isBlank()) {
                problems.add(FieldProblem.at("body", "Field required: the email body (HTML)", "missing", "steps", i, "bodyHtml"));
            }
            StepController.template(s.subject(), problems, "steps", i, "subject");
            StepController.template(s.bodyHtml(), problems, "steps", i, "bodyHtml");
            StepController.template(s.bodyText(), problems, "steps", i, "bodyText");
            var variants = new ArrayList<VariantJson>();
            if (s.variants() != null) {
                for (int j = 0; j < s.variants().size(); j++) {
                    var v = s.variants().get(j);
                    if (v == null || v.bodyHtml() == null || v.bodyHtml().isBlank()) {
                        problems.add(FieldProblem.at("body", "Field required", "missing", "steps", i, "variants", j, "bodyHtml"));
                        continue;
                    }
                    if (v.weight() != null && v.weight().signum() <= 0) {
                        problems.add(FieldProblem.at("body", "weight must be greater than 0", "greater_than", "steps", i, "variants", j,
                                "weight"));
                    }
                    StepController.template(v.subject(), problems, "steps", i, "variants", j, "subject");
                    StepController.template(v.bodyHtml(), problems, "steps", i, "variants", j, "bodyHtml");
                    StepController.template(v.bodyText(), problems, "steps", i, "variants", j, "bodyText");
                    variants.add(new VariantJson(null, v.subject(), v.bodyHtml(), v.bodyText(), v.weight() == null ? BigDecimal.ONE : v.weight()));
                }
            }
            long delay = (s.delayDays() == null ? 0L : s.delayDays()) * 86_400L + (s.delayHours() == null ? 0L : s.delayHours()) * 3_600L;
            out.add(new StepRow(null, i + 1, s.subject() == null ? "" : s.subject(), s.bodyHtml(), s.bodyText(), delay, variants));
        }
        return out;
    }
}
