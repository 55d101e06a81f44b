package dev.outreach2day.campaign;

import dev.outreach2day.contact.CampaignDirectory;
import dev.outreach2day.mailbox.MailboxUsage;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The campaign capability's facade, and its answers to the ports of others: which campaigns
 * exist (contacts), which mailboxes are in use by running campaigns (mailbox deletion).
 */
@Component
public class Campaigns implements CampaignDirectory, MailboxUsage {

    private final CampaignRepository repo;

    private final org.springframework.context.ApplicationEventPublisher events;
    private final org.springframework.transaction.support.TransactionTemplate tx;
    private final java.time.Clock clock;

    Campaigns(CampaignRepository repo, org.springframework.context.ApplicationEventPublisher events,
            org.springframework.transaction.support.TransactionTemplate tx, java.time.Clock clock) {
        this.events = events;
        this.tx = tx;
        this.clock = clock;
        this.repo = repo;
    }

    /** What the sending engine needs of a campaign: status, settings, steps with variants, mailboxes. */
    public record SendingCampaign(long workspaceId, String id, String name, String status, CampaignSettings.Schedule schedule,
            CampaignSettings.StopRules stopRules, boolean textOnly, List<SendingStep> steps, List<SendingMailbox> mailboxes,
            boolean trackOpens, boolean trackClicks, String trackingDomain) {

        public java.util.Optional<SendingStep> step(int order) {
            return steps.stream().filter(s -> s.order() == order).findFirst();
        }
    }

    public record SendingStep(String id, int order, String subject, String bodyHtml, String bodyText, long delaySeconds,
            List<SendingVariant> variants) {}

    public record SendingVariant(String id, String subject, String bodyHtml, String bodyText, java.math.BigDecimal weight) {}

    public record SendingMailbox(String mailboxId, Integer dailyLimit, java.math.BigDecimal weight, boolean paused) {}

    public java.util.Optional<SendingCampaign> forSending(long workspaceId, String campaignId) {
        return repo.find(workspaceId, campaignId).map(c -> new SendingCampaign(c.workspaceId(), c.id(), c.name(), c.status(),
                c.schedule(), c.stopRules(), c.textOnly(),
                repo.steps(workspaceId, campaignId).stream().map(s -> new SendingStep(s.id(), s.order(), s.subject(), s.bodyHtml(),
                        s.bodyText(), s.delaySeconds(), s.variants().stream().map(v -> new SendingVariant(v.id(), v.subject(),
                                v.bodyHtml(), v.bodyText(), v.weight())).toList())).toList(),
                repo.attached(workspaceId, campaignId).stream().map(a -> new SendingMailbox(a.mailboxId(), a.dailyLimit(),
                        a.weight(), a.paused())).toList(), c.trackOpens(), c.trackClicks(), c.trackingDomain()));
    }

    /** Active campaigns whose contacts are all done and that have nothing left to send. */
    public List<String[]> finishedActiveCampaigns() {
        return repo.finishedActive();
    }

    /** An active campaign with nothing left to do completes (announced in the same transaction). */
    public void markCompleted(long workspaceId, String campaignId) {
        tx.executeWithoutResult(st -> {
            var c = repo.lock(workspaceId, campaignId).orElse(null);
            if (c == null || !c.status().equals("active")) return;
            repo.setStatus(workspaceId, campaignId, "completed", null);
            events.publishEvent(new CampaignStatusChanged(workspaceId, campaignId, c.name(), "active", "completed", clock.instant()));
        });
    }

    @Override
    public boolean exists(long workspaceId, String campaignId) {
        return campaignId != null && repo.find(workspaceId, campaignId).isPresent();
    }

    @Override
    public List<String> inUse(long workspaceId, List<String> mailboxIds) {
        return mailboxIds.isEmpty() ? List.of() : repo.mailboxesInUse(workspaceId, mailboxIds);
    }
}
