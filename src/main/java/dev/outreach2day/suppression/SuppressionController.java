package dev.outreach2day.suppression;

import dev.outreach2day.campaign.Campaigns;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.Cursors;
import dev.outreach2day.platform.Paging;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The suppression list (ENDPOINTS.md "Suppression"). */
@Tag(name = "Campaigns")
@RestController
class SuppressionController {

    static final int MAX_ENTRIES = 10_000;

    record CampaignSuppressionEntryIn(@NotNull String value, @Size(max = 500) String reason, String campaignId) {}

    /** [doc] */
    record CampaignSuppressionUpsertIn(@NotNull @Size(min = 1, max = MAX_ENTRIES) List<@NotNull @Valid CampaignSuppressionEntryIn> entries) {}

    /** [doc] */
    record CampaignSuppressionUpsertOut(int created, int updated) {}

    record CampaignSuppressionOut(String id, String value, String kind, String campaignId, String reason, String source, Instant createdAt,
            Instant updatedAt) {}

    /** [doc] */
    record CampaignSuppressionsPageOut(List<CampaignSuppressionOut> suppressions, String next_cursor) {}

    /** [doc] */
    record CampaignSuppressionDeleteOut(String id, boolean deleted) {}

    /** [doc] */
    record CampaignSuppressionStatusOut(String email, boolean suppressed, List<CampaignSuppressionOut> matches) {}

    /** [doc] */
    record CampaignSuppressionStatusEnvelopeOut(CampaignSuppressionStatusOut status) {}

    private final Suppressions suppressions;
    private final SuppressionStore store;
    private final Campaigns campaigns;
    private final Cursors cursors;
    private final TransactionTemplate tx;

    SuppressionController(Suppressions suppressions, SuppressionStore store, Campaigns campaigns, Cursors cursors, TransactionTemplate tx) {
        this.suppressions = suppressions;
        this.store = store;
        this.campaigns = campaigns;
        this.cursors = cursors;
        this.tx = tx;
    }

    @Operation(summary = "Public Upsert Campaign Suppressions",
            description = "Adds addresses (x@y.com) and whole domains (@y.com) to the suppression list, workspace-wide or for one campaign, "
                    + "with an optional reason; existing entries get the new reason. All or nothing: one bad entry refuses the call.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/suppressions")
    CampaignSuppressionUpsertOut upsert(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody CampaignSuppressionUpsertIn in) {
        long ws = caller.workspace(workspaceId);
        var parsed = new ArrayList<Suppressions.Value>();
        var knownCampaigns = new HashSet<String>();
        for (int i = 0; i < in.entries().size(); i++) {
            var e = in.entries().get(i);
            int index = i;
            parsed.add(Suppressions.parse(e.value()).orElseThrow(() -> ApiException.Invalid.body(
                    "value must be an email address or a domain written as @example.com", "value_error", "entries", index, "value")));
            if (e.campaignId() != null && !knownCampaigns.contains(e.campaignId())) {
                if (!campaigns.exists(ws, e.campaignId())) {
                    throw ApiException.Invalid.body("campaignId is not a campaign of this workspace", "value_error", "entries", index,
                            "campaignId");
                }
                knownCampaigns.add(e.campaignId());
            }
        }
        int[] counts = new int[2];
        tx.executeWithoutResult(s -> {
            for (int i = 0; i < parsed.size(); i++) {
                var e = in.entries().get(i);
                if (suppressions.add(ws, parsed.get(i), e.campaignId(), e.reason(), "api")) counts[0]++;
                else counts[1]++;
            }
        });
        return new CampaignSuppressionUpsertOut(counts[0], counts[1]);
    }

    @Operation(summary = "Public List Campaign Suppressions", description = "Newest first; q searches the values; cursor pagination.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/suppressions")
    CampaignSuppressionsPageOut list(Caller caller, @RequestParam(required = false) Long workspaceId,
            @RequestParam(required = false) String q, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        long ws = caller.workspace(workspaceId);
        int n = Paging.limit(limit);
        var after = cursors.decode("suppressions", ws, cursor);
        String query = q == null || q.isBlank() ? null : q.strip().toLowerCase(java.util.Locale.ROOT);
        var rows = store.page(ws, after == null ? null : after.getFirst(), query, n + 1);
        String next = rows.size() > n ? cursors.encode("suppressions", ws, rows.get(n - 1).id()) : null;
        return new CampaignSuppressionsPageOut(rows.stream().limit(n).map(SuppressionController::out).toList(), next);
    }

    @Operation(summary = "Public Delete Campaign Suppression", description = "Removes one entry: the address (or domain) may be mailed again.")
    @RequiredScope(Scope.WRITE)
    @DeleteMapping("/campaigns/suppressions/{entry_id}")
    CampaignSuppressionDeleteOut delete(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("entry_id") String entryId) {
        long ws = caller.workspace(workspaceId);
        var gone = store.delete(ws, entryId).orElseThrow(() -> new ApiException.NotFound("Suppression entry " + entryId));
        return new CampaignSuppressionDeleteOut(gone.id(), true);
    }

    @Operation(summary = "Public Get Campaign Suppression Status",
            description = "Whether an address is suppressed (for campaignId, or workspace-wide), with every entry that matches it.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/suppressions/status")
    CampaignSuppressionStatusEnvelopeOut status(Caller caller, @RequestParam(required = false) Long workspaceId,
            @RequestParam(required = false) String email, @RequestParam(required = false) String campaignId) {
        long ws = caller.workspace(workspaceId);
        if (email == null || dev.outreach2day.platform.EmailAddresses.normalize(email).isEmpty()) {
            throw ApiException.Invalid.query("email", "email must be an email address", "value_error");
        }
        var matches = suppressions.matches(ws, campaignId, email).stream().map(SuppressionController::out).toList();
        return new CampaignSuppressionStatusEnvelopeOut(new CampaignSuppressionStatusOut(
                dev.outreach2day.platform.EmailAddresses.normalize(email).orElseThrow(), !matches.isEmpty(), matches));
    }

    private static CampaignSuppressionOut out(SuppressionStore.Entry e) {
        return new CampaignSuppressionOut(e.id(), e.kind().equals("domain") ? "@" + e.value() : e.value(), e.kind(), e.campaignId(),
                e.reason(), e.source(), e.createdAt(), e.updatedAt());
    }
}
