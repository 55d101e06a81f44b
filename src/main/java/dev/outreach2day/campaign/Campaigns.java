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

    Campaigns(CampaignRepository repo) {
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

    public void markCompleted(long workspaceId, String campaignId) {
        repo.setStatus(workspaceId, campaignId, "completed", null);
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
