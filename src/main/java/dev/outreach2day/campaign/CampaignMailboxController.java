package dev.outreach2day.campaign;

import dev.outreach2day.campaign.CampaignRepository.AttachedRow;
import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.List;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Campaigns")
@RestController
class CampaignMailboxController {

    /** [doc] Mailboxes by id (mbx_…) or address; dailyLimit caps this campaign's sends per mailbox per day. */
    record CampaignMailboxAttachIn(@NotNull @Size(min = 1, max = 500) List<String> mailboxes, @Min(1) @Max(1000) Integer dailyLimit,
            @DecimalMin(value = "0", inclusive = false) BigDecimal weight) {}

    /** [doc] */
    record CampaignMailboxPolicyUpdateIn(@Min(1) @Max(1000) Integer dailyLimit, Boolean clearDailyLimit,
            @DecimalMin(value = "0", inclusive = false) BigDecimal weight, Boolean paused) {}

    /** [doc] {@code dailyLimit}: the campaign's limit, else the mailbox's own. */
    record CampaignMailboxOut(String mailbox, String mailboxId, Integer dailyLimit, long sentToday, BigDecimal weight, String status) {}

    record CampaignMailboxDetachOut(String mailboxId, boolean detached) {}

    private final CampaignService service;
    private final Mailboxes mailboxes;

    CampaignMailboxController(CampaignService service, Mailboxes mailboxes) {
        this.service = service;
        this.mailboxes = mailboxes;
    }

    @Operation(summary = "Public List Campaign Mailboxes")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/mailboxes")
    List<CampaignMailboxOut> list(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId) {
        long ws = caller.workspace(workspaceId);
        return service.attached(ws, campaignId).stream().map(a -> out(ws, campaignId, a)).toList();
    }

    @Operation(summary = "Public Add Campaign Mailbox",
            description = "Attaches active mailboxes of the workspace (again: updates their policy). Another workspace's or an "
                    + "inactive mailbox is a 422.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/{campaign_id}/mailboxes")
    List<CampaignMailboxOut> attach(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @Valid @RequestBody CampaignMailboxAttachIn in) {
        long ws = caller.workspace(workspaceId);
        return service.attach(ws, campaignId, in.mailboxes(), in.dailyLimit(), in.weight()).stream()
                .map(a -> out(ws, campaignId, a)).toList();
    }

    @Operation(summary = "Public Update Campaign Mailbox")
    @RequiredScope(Scope.WRITE)
    @PatchMapping("/campaigns/{campaign_id}/mailboxes/{mailbox_id}")
    CampaignMailboxOut update(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @PathVariable("mailbox_id") String mailboxId,
            @Valid @RequestBody CampaignMailboxPolicyUpdateIn in) {
        long ws = caller.workspace(workspaceId);
        boolean setLimit = in.dailyLimit() != null || Boolean.TRUE.equals(in.clearDailyLimit());
        return out(ws, campaignId, service.updatePolicy(ws, campaignId, mailboxId, setLimit, in.dailyLimit(), in.weight(), in.paused()));
    }

    @Operation(summary = "Public Remove Campaign Mailbox")
    @RequiredScope(Scope.WRITE)
    @DeleteMapping("/campaigns/{campaign_id}/mailboxes/{mailbox_id}")
    CampaignMailboxDetachOut detach(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @PathVariable("mailbox_id") String mailboxId) {
        long ws = caller.workspace(workspaceId);
        service.detach(ws, campaignId, mailboxId);
        return new CampaignMailboxDetachOut(mailboxId, true);
    }

    private CampaignMailboxOut out(long ws, String campaignId, AttachedRow a) {
        var m = mailboxes.byIds(ws, List.of(a.mailboxId())).stream().findFirst();
        String status = m.map(Mailboxes.MailboxView::status).orElse("deleted");
        if (a.paused() && status.equals("active")) status = "paused";
        Integer limit = a.dailyLimit() != null ? a.dailyLimit() : m.map(Mailboxes.MailboxView::dailyLimit).orElse(null);
        return new CampaignMailboxOut(m.map(Mailboxes.MailboxView::address).orElse(null), a.mailboxId(), limit,
                service.sentToday(ws, campaignId, a.mailboxId()), a.weight().stripTrailingZeros(), status);
    }
}
