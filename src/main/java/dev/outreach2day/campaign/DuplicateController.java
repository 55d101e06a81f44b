package dev.outreach2day.campaign;

import dev.outreach2day.campaign.CampaignController.CampaignOut;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Campaigns")
@RestController
class DuplicateController {

    /**
     * Defaults as in Instantly and Smartlead: the sequence, settings and sending accounts come
     * along, the leads do not (a copy is usually a new audience for a proven sequence).
     */
    record PublicCampaignDuplicateIn(
            @Schema(description = "Name of the copy; default \"<name> (copy)\"") @Size(min = 1, max = 200)
            @Pattern(regexp = ".*\\S.*", message = "must not be blank") String name,
            @Schema(description = "Copy the contacts (fresh, progress reset, custom fields kept, reply intent not copied); "
                    + "default false") Boolean copyContacts,
            @Schema(description = "Attach the same mailboxes with their daily limit, weight and paused flag; default true")
            Boolean copyMailboxes) {}

    /** What the copy received. Settings (priority, schedule, stop rules, text-only, tracking) are always copied. */
    record CampaignDuplicateCopiedOut(int steps, int variants, int subsequences, int mailboxes, long contacts, boolean schedule,
            boolean stopRules, boolean settings) {}

    record CampaignDuplicateOut(String sourceCampaignId, CampaignOut campaign, CampaignDuplicateCopiedOut copied) {}

    private final CampaignDuplicator duplicator;

    DuplicateController(CampaignDuplicator duplicator) {
        this.duplicator = duplicator;
    }

    @Operation(summary = "Public Duplicate Campaign",
            description = "Creates a draft copy in the same workspace in one transaction: settings, schedule, stop rules, steps "
                    + "with variants and weights, subsequences with their routing; mailboxes with their per-campaign policy unless copyMailboxes is false; "
                    + "contacts (as new, not started) only when copyContacts is true. Sends, stats, subsequence members and reply "
                    + "outcomes are not copied. Retry-safe with Idempotency-Key.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/{campaign_id}/duplicate")
    @ResponseStatus(HttpStatus.CREATED)
    CampaignDuplicateOut duplicate(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String id, @Valid @RequestBody(required = false) PublicCampaignDuplicateIn in) {
        long ws = caller.workspace(workspaceId);
        var body = in != null ? in : new PublicCampaignDuplicateIn(null, null, null);
        var copied = duplicator.duplicate(ws, id, body.name(), Boolean.TRUE.equals(body.copyContacts()),
                !Boolean.FALSE.equals(body.copyMailboxes()));
        return new CampaignDuplicateOut(id, CampaignOut.of(copied.campaign()),
                new CampaignDuplicateCopiedOut(copied.steps(), copied.variants(), copied.subsequences(), copied.mailboxes(),
                        copied.contacts(), true, true, true));
    }
}
