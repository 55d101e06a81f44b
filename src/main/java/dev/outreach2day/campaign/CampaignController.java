package dev.outreach2day.campaign;

import dev.outreach2day.campaign.CampaignRepository.CampaignRow;
import dev.outreach2day.campaign.CampaignSettings.Schedule;
import dev.outreach2day.campaign.CampaignSettings.StopRules;
import dev.outreach2day.campaign.CampaignSettings.Window;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.Cursors;
import dev.outreach2day.platform.Paging;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Campaigns")
@RestController
class CampaignController {

    enum CampaignPriority { HIGH, MEDIUM, LOW }

    /** [doc] */
    record CampaignCreateIn(@NotBlank @Size(max = 200) String name, CampaignPriority priority) {}

    /** Tracking is off by default; trackingDomain (a domain of the workspace) hosts the tracking links instead of the server's URL. */
    record CampaignUpdateIn(@Size(min = 1, max = 200) String name, CampaignPriority priority, Boolean textOnly, Boolean trackOpens,
            Boolean trackClicks, String trackingDomain) {}

    record CampaignScheduleWindowIn(List<String> days, String start, String end) {}

    /** [doc] */
    record CampaignScheduleIn(@NotNull String timezone, @NotNull List<CampaignScheduleWindowIn> windows, String startDate,
            String endDate, Boolean useContactTimezone, Integer minGapSeconds, Integer maxGapSeconds, Integer dailyLimit,
            Integer maxNewContactsPerDay) {}

    /** [doc] */
    record CampaignStopRulesIn(Boolean stopOnReply, Boolean stopOnAutoReply, Boolean stopOnBounce, Boolean stopOnUnsubscribe,
            Boolean stopCompanyOnReply, Double pauseOnBounceRate) {}

    /** [doc] The campaign. {@code status} starts as {@code draft}. */
    record CampaignOut(String id, long workspaceId, String name, String priority, String status, Instant createdAt,
            Instant updatedAt, Instant launchedAt, Instant completedAt, boolean textOnly, boolean trackOpens, boolean trackClicks,
            String trackingDomain, Schedule schedule, StopRules stopRules) {

        static CampaignOut of(CampaignRow c) {
            return new CampaignOut(c.id(), c.workspaceId(), c.name(), c.priority(), c.status(), c.createdAt(), c.updatedAt(),
                    c.launchedAt(), c.completedAt(), c.textOnly(), c.trackOpens(), c.trackClicks(), c.trackingDomain(),
                    c.schedule(), c.stopRules());
        }
    }

    record CampaignsPageOut(List<CampaignOut> campaigns, String next_cursor) {}

    record CampaignDeleteOut(String id, boolean deleted) {}

    record CampaignStatusEnumsOut(List<String> statuses, Map<String, List<String>> transitions, List<String> actions) {}

    enum LifecycleAction { pause, resume, stop, archive, unarchive }

    /** [doc] */
    record PublicCampaignLifecycleIn(@NotNull LifecycleAction action) {}

    record CampaignLifecycleOut(String id, String action, String previousStatus, String status) {}

    record CampaignCapabilitiesOut(Map<String, Object> limits, Map<String, Object> features, Map<String, List<String>> providers) {}

    private final CampaignService service;
    private final Cursors cursors;

    CampaignController(CampaignService service, Cursors cursors) {
        this.service = service;
        this.cursors = cursors;
    }

    @Operation(summary = "Public List Campaigns", description = "Newest first, cursor-paginated; optional status filter.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns")
    CampaignsPageOut list(Caller caller, @RequestParam(required = false) Long workspaceId,
            @RequestParam(required = false) String status, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        long ws = caller.workspace(workspaceId);
        int n = Paging.limit(limit);
        if (status != null && !Lifecycle.STATUSES.contains(status)) {
            throw ApiException.Invalid.query("status", "status must be one of " + Lifecycle.STATUSES, "enum");
        }
        var after = cursors.decode("campaigns", ws, cursor);
        var rows = service.page(ws, status, after == null ? null : after.getFirst(), n + 1);
        String next = rows.size() > n ? cursors.encode("campaigns", ws, rows.get(n - 1).id()) : null;
        return new CampaignsPageOut(rows.stream().limit(n).map(CampaignOut::of).toList(), next);
    }

    @Operation(summary = "Public Create Campaign")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns")
    @ResponseStatus(HttpStatus.CREATED)
    CampaignOut create(Caller caller, @RequestParam(required = false) Long workspaceId, @Valid @RequestBody CampaignCreateIn request) {
        long ws = caller.workspace(workspaceId);
        return CampaignOut.of(service.create(ws, request.name(), request.priority() == null ? null : request.priority().name()));
    }

    @Operation(summary = "List campaign lifecycle statuses and transitions")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/lifecycle")
    CampaignStatusEnumsOut lifecycleTable(Caller caller, @RequestParam(required = false) Long workspaceId) {
        caller.workspace(workspaceId);
        return new CampaignStatusEnumsOut(Lifecycle.STATUSES, Lifecycle.transitions(), Lifecycle.ACTIONS);
    }

    @Operation(summary = "Get campaign API capability contract for workspace")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/capabilities")
    CampaignCapabilitiesOut capabilities(Caller caller, @RequestParam(required = false) Long workspaceId) {
        caller.workspace(workspaceId);
        return new CampaignCapabilitiesOut(
                Map.of("maxStepsPerCampaign", CampaignService.MAX_STEPS, "maxVariantsPerStep", CampaignService.MAX_VARIANTS,
                        "maxContactsPerRequest", 1000, "maxMailboxDailyLimit", 1000, "pageSizeMax", Paging.MAX_LIMIT),
                Map.ofEntries(Map.entry("spintax", true), Map.entry("fallbackVariables", true), Map.entry("customFields", true),
                        Map.entry("contactTimezones", true), Map.entry("preflight", true), Map.entry("lifecycleActions", Lifecycle.ACTIONS),
                        Map.entry("priorities", List.of("HIGH", "MEDIUM", "LOW")), Map.entry("subsequences", true),
                        Map.entry("subsequenceIntents", SubsequenceService.ROUTABLE),
                        Map.entry("maxSubsequencesPerCampaign", SubsequenceService.MAX_PER_CAMPAIGN),
                        Map.entry("duplicate", true), Map.entry("share", true), Map.entry("exportFormats", List.of("csv"))),
                Map.of("mailboxes", List.of("local", "smtp"), "sequencers", List.of("instantly", "smartlead")));
    }

    @Operation(summary = "Public Get Campaign")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}")
    CampaignOut get(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("campaign_id") String id) {
        return CampaignOut.of(service.get(caller.workspace(workspaceId), id));
    }

    @Operation(summary = "Public Update Campaign")
    @RequiredScope(Scope.WRITE)
    @PatchMapping("/campaigns/{campaign_id}")
    CampaignOut update(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("campaign_id") String id,
            @Valid @RequestBody CampaignUpdateIn request) {
        return CampaignOut.of(service.update(caller.workspace(workspaceId), id, request.name(),
                request.priority() == null ? null : request.priority().name(), request.textOnly(), request.trackOpens(),
                request.trackClicks(), request.trackingDomain()));
    }

    @Operation(summary = "Public Delete Campaign", description = "Active or paused campaigns must be stopped first (409).")
    @RequiredScope(Scope.WRITE)
    @DeleteMapping("/campaigns/{campaign_id}")
    CampaignDeleteOut delete(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("campaign_id") String id) {
        service.delete(caller.workspace(workspaceId), id);
        return new CampaignDeleteOut(id, true);
    }

    @Operation(summary = "Public Update Campaign Schedule",
            description = "Sending windows per weekday in an IANA zone (or each contact's own zone), start/end dates, random gap "
                    + "between sends of a mailbox, daily limits.")
    @RequiredScope(Scope.WRITE)
    @PutMapping("/campaigns/{campaign_id}/schedule")
    CampaignOut schedule(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("campaign_id") String id,
            @Valid @RequestBody CampaignScheduleIn in) {
        var defaults = Schedule.defaults();
        var windows = in.windows().stream().map(w -> w == null ? null : new Window(w.days(), w.start(), w.end())).toList();
        var schedule = new Schedule(in.timezone(), windows, in.startDate(), in.endDate(),
                in.useContactTimezone() != null && in.useContactTimezone(),
                in.minGapSeconds() != null ? in.minGapSeconds() : defaults.minGapSeconds(),
                in.maxGapSeconds() != null ? in.maxGapSeconds() : Math.max(defaults.maxGapSeconds(),
                        in.minGapSeconds() != null ? in.minGapSeconds() : 0),
                in.dailyLimit(), in.maxNewContactsPerDay());
        return CampaignOut.of(service.setSchedule(caller.workspace(workspaceId), id, schedule));
    }

    @Operation(summary = "Public Update Campaign Stop Rules",
            description = "Omitted rules take the defaults: stop on reply, bounce and unsubscribe; not on auto-replies.")
    @RequiredScope(Scope.WRITE)
    @PutMapping("/campaigns/{campaign_id}/stop-rules")
    CampaignOut stopRules(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("campaign_id") String id,
            @Valid @RequestBody CampaignStopRulesIn in) {
        var d = StopRules.defaults();
        var rules = new StopRules(or(in.stopOnReply(), d.stopOnReply()), or(in.stopOnAutoReply(), d.stopOnAutoReply()),
                or(in.stopOnBounce(), d.stopOnBounce()), or(in.stopOnUnsubscribe(), d.stopOnUnsubscribe()),
                or(in.stopCompanyOnReply(), d.stopCompanyOnReply()), in.pauseOnBounceRate());
        return CampaignOut.of(service.setStopRules(caller.workspace(workspaceId), id, rules));
    }

    @Operation(summary = "Execute campaign lifecycle action",
            description = "pause, resume, stop, archive, unarchive, as GET /campaigns/lifecycle lists; others are 409.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/{campaign_id}/lifecycle")
    CampaignLifecycleOut lifecycle(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String id, @Valid @RequestBody PublicCampaignLifecycleIn in) {
        long ws = caller.workspace(workspaceId);
        String before = service.get(ws, id).status();
        CampaignRow after = service.lifecycle(ws, id, in.action().name());
        return new CampaignLifecycleOut(id, in.action().name(), before, after.status());
    }

    private static boolean or(Boolean value, boolean fallback) {
        return value == null ? fallback : value;
    }
}
