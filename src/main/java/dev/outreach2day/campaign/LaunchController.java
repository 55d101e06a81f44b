package dev.outreach2day.campaign;

import dev.outreach2day.campaign.CampaignRepository.JobRow;
import dev.outreach2day.domain.Domains;
import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Campaigns")
@RestController
class LaunchController {

    /** [doc] */
    record CampaignPreflightCheckOut(String code, String status, String message, Map<String, Object> details) {}

    /** [doc] */
    record CampaignPreflightSummaryOut(Map<String, Object> counts) {}

    /** [doc] */
    record CampaignPreflightOut(boolean ready, Map<String, Object> summary, List<CampaignPreflightCheckOut> checks) {

        static CampaignPreflightOut of(Preflight.Result r) {
            return new CampaignPreflightOut(r.ready(), r.summary(),
                    r.checks().stream().map(c -> new CampaignPreflightCheckOut(c.code(), c.status(), c.message(), c.details())).toList());
        }
    }

    record MailboxAuthOut(String mailbox, String domain, boolean managed, String spf, String dkim, String dmarc, String mx,
            Instant checkedAt, Map<String, Object> details) {}

    record CampaignMailboxAuthOut(boolean ready, List<MailboxAuthOut> mailboxes) {}

    record CampaignLaunchIn(Boolean confirm, @Min(1) @Max(1_000_000) Integer limit) {}

    /** [doc] */
    record CampaignDecisionOut(String code, String reason) {}

    /** [doc] */
    record CampaignAdmissionOut(boolean admitted, List<CampaignDecisionOut> decisions) {}

    /** [doc] On refusal (409) it also carries detail and code, like every error. */
    record CampaignLaunchOut(String jobId, CampaignAdmissionOut admission, String status, String detail, String code) {}

    record LaunchSkippedOut(int suppressed, int duplicate, int invalid) {}

    /** [doc] */
    record CampaignLaunchJobOut(String id, String campaignId, String status, Integer limit, int enrolled, LaunchSkippedOut skipped,
            String error, Instant createdAt, Instant finishedAt) {

        static CampaignLaunchJobOut of(JobRow j) {
            return new CampaignLaunchJobOut(j.id(), j.campaignId(), j.status(), j.requestedLimit(), j.enrolled(),
                    new LaunchSkippedOut(j.skippedSuppressed(), j.skippedDuplicate(), j.skippedInvalid()), j.error(), j.createdAt(),
                    j.finishedAt());
        }
    }

    private final CampaignService campaigns;
    private final Preflight preflight;
    private final Launcher launcher;
    private final Mailboxes mailboxes;
    private final Domains domains;

    LaunchController(CampaignService campaigns, Preflight preflight, Launcher launcher, Mailboxes mailboxes, Domains domains) {
        this.campaigns = campaigns;
        this.preflight = preflight;
        this.launcher = launcher;
        this.mailboxes = mailboxes;
        this.domains = domains;
    }

    @Operation(summary = "Run campaign preflight checks",
            description = "Everything that must hold before launch, each pass/warn/fail with details; ready = no fail.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/preflight")
    CampaignPreflightOut preflight(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId) {
        long ws = caller.workspace(workspaceId);
        return CampaignPreflightOut.of(preflight.run(campaigns.get(ws, campaignId)));
    }

    @Operation(summary = "Run campaign mailbox auth preflight checks",
            description = "SPF, DKIM, DMARC and MX of each attached mailbox's domain, from live DNS.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/preflight/mailbox-auth")
    CampaignMailboxAuthOut mailboxAuth(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId) {
        long ws = caller.workspace(workspaceId);
        var attached = campaigns.attached(ws, campaignId);
        var views = mailboxes.byIds(ws, attached.stream().map(CampaignRepository.AttachedRow::mailboxId).toList());
        var out = views.stream().map(m -> {
            var a = domains.authStatus(ws, m.domain());
            return new MailboxAuthOut(m.address(), m.domain(), a.managed(), a.spf(), a.dkim(), a.dmarc(), a.mx(), a.checkedAt(),
                    a.details());
        }).toList();
        boolean ready = !out.isEmpty() && out.stream().allMatch(m -> m.spf().equals("ok") && m.dmarc().equals("ok")
                && m.mx().equals("ok") && !m.dkim().equals("missing") && !m.dkim().equals("mismatch"));
        return new CampaignMailboxAuthOut(ready, out);
    }

    @Operation(summary = "Public Launch Campaign",
            description = "Needs confirm: true (else 400 CONFIRMATION_REQUIRED). Refused with 409 and the failing checks unless "
                    + "preflight passes. Enrols waiting contacts (optionally at most limit) and plans their first email.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/{campaign_id}/launch")
    ResponseEntity<CampaignLaunchOut> launch(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @Valid @RequestBody(required = false) CampaignLaunchIn in) {
        long ws = caller.workspace(workspaceId);
        if (in == null || !Boolean.TRUE.equals(in.confirm())) {
            throw new ApiException.BadRequest("CONFIRMATION_REQUIRED",
                    "Launching sends real email: repeat the request with \"confirm\": true");
        }
        try {
            var launched = launcher.launch(ws, campaignId, in.limit());
            var decisions = launched.preflight().checks().stream().filter(c -> !c.status().equals("pass"))
                    .map(c -> new CampaignDecisionOut(c.code(), c.message())).toList();
            return ResponseEntity.ok(new CampaignLaunchOut(launched.job().id(), new CampaignAdmissionOut(true, decisions),
                    launched.campaignStatus(), null, null));
        } catch (Launcher.Refused refused) {
            var failing = refused.preflight.checks().stream().filter(c -> c.status().equals("fail"))
                    .map(c -> new CampaignDecisionOut(c.code(), c.message())).toList();
            return ResponseEntity.status(HttpStatus.CONFLICT).body(new CampaignLaunchOut(null, new CampaignAdmissionOut(false, failing),
                    campaigns.get(ws, campaignId).status(),
                    "Preflight failed: " + String.join("; ", failing.stream().map(CampaignDecisionOut::reason).toList()),
                    "PREFLIGHT_FAILED"));
        }
    }

    @Operation(summary = "Public Get Campaign Launch Job")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/launch-jobs/{job_id}")
    CampaignLaunchJobOut job(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @PathVariable("job_id") String jobId) {
        return CampaignLaunchJobOut.of(launcher.job(caller.workspace(workspaceId), campaignId, jobId));
    }
}
