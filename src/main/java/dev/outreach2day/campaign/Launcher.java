package dev.outreach2day.campaign;

import dev.outreach2day.campaign.CampaignRepository.CampaignRow;
import dev.outreach2day.campaign.CampaignRepository.JobRow;
import dev.outreach2day.campaign.CampaignRepository.StepRow;
import dev.outreach2day.contact.Contacts;
import dev.outreach2day.contact.ContactView;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.EmailAddresses;
import dev.outreach2day.platform.Ids;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Launch: refused unless preflight passes; otherwise a launch job enrols the waiting contacts
 * (skipping suppressed, duplicate and invalid ones, counted per reason), plans each one's first
 * send, and makes the campaign active together with the first enrolled batch, so sending starts while
 * the rest enrol. Enrolment is one transaction per batch of contacts, so a crash mid-launch leaves
 * every contact either enrolled with its first send planned, or waiting (launching again enrols them).
 */
@Service
class Launcher {

    static final int BATCH = 500;

    record Launched(JobRow job, Preflight.Result preflight, String campaignStatus) {}

    private final CampaignRepository repo;
    private final Preflight preflight;
    private final Contacts contacts;
    private final List<SuppressionCheck> suppression;
    private final TransactionTemplate tx;
    private final Clock clock;

    private final org.springframework.context.ApplicationEventPublisher events;

    Launcher(CampaignRepository repo, Preflight preflight, Contacts contacts, List<SuppressionCheck> suppression,
            TransactionTemplate tx, Clock clock, org.springframework.context.ApplicationEventPublisher events) {
        this.events = events;
        this.repo = repo;
        this.preflight = preflight;
        this.contacts = contacts;
        this.suppression = suppression;
        this.tx = tx;
        this.clock = clock;
    }

    /** The result of a refused launch: the preflight that failed. */
    static final class Refused extends RuntimeException {
        final Preflight.Result preflight;

        Refused(Preflight.Result preflight) {
            super("preflight failed");
            this.preflight = preflight;
        }
    }

    Launched launch(long workspaceId, String campaignId, Integer limit) {
        CampaignRow c = repo.find(workspaceId, campaignId).orElseThrow(() -> new ApiException.NotFound("Campaign " + campaignId));
        if (!c.status().equals("draft") && !c.status().equals("active")) {
            throw new ApiException.Conflict("INVALID_TRANSITION", "Cannot launch a campaign that is " + c.status()
                    + (c.status().equals("paused") ? "; resume it instead" : "; launch applies to draft (and active, to enrol new contacts)"));
        }
        Preflight.Result check = preflight.run(c);
        if (!check.ready()) {
            throw new Refused(check);
        }
        String jobId = Ids.next("job", clock.millis());
        repo.insertJob(workspaceId, jobId, campaignId, limit);
        StepRow first = repo.steps(workspaceId, campaignId).getFirst();
        Instant start = firstSendAt(c);
        int enrolled = 0;
        int suppressed = 0;
        int duplicate = 0;
        int invalid = 0;
        String after = null;
        int remaining = limit == null ? Integer.MAX_VALUE : limit;
        while (remaining > 0) {
            List<ContactView> page = contacts.page(workspaceId, campaignId, after, BATCH);
            if (page.isEmpty()) break;
            after = page.getLast().id();
            var waiting = page.stream().filter(ct -> ct.status().equals("not_started")).toList();
            Set<String> blocked = new HashSet<>();
            for (SuppressionCheck s : suppression) {
                blocked.addAll(s.suppressed(workspaceId, campaignId, waiting.stream().map(ContactView::email).toList()));
            }
            Set<String> busyElsewhere = new HashSet<>(contacts.inProgressElsewhere(workspaceId, campaignId,
                    waiting.stream().map(ContactView::email).toList()));
            var enrol = new ArrayList<ContactView>();
            for (ContactView ct : waiting) {
                if (enrol.size() >= remaining) break;
                if (EmailAddresses.normalize(ct.email()).isEmpty()) {
                    invalid++;
                } else if (blocked.contains(ct.email())) {
                    suppressed++;
                } else if (busyElsewhere.contains(ct.email())) {
                    duplicate++;
                } else {
                    enrol.add(ct);
                }
            }
            if (!enrol.isEmpty()) {
                var contactIds = enrol.stream().map(ContactView::id).toList();
                var sendIds = new ArrayList<String>(enrol.size());
                for (int i = 0; i < enrol.size(); i++) sendIds.add(Ids.next("snd", clock.millis()));
                boolean activate = enrolled == 0 && c.status().equals("draft");
                int n = tx.execute(s -> {
                    // the first enrolled batch makes the campaign active in its own transaction: its sends go out
                    // at once while the rest enrol (a crash mid-launch leaves the others waiting, not sent, and
                    // the campaign cannot complete while any contact waits)
                    if (activate) activate(workspaceId, campaignId);
                    int planned = repo.insertFirstSends(workspaceId, sendIds, campaignId, contactIds, first.id(), 1, start);
                    contacts.markEnrolled(workspaceId, campaignId, contactIds, start);
                    return planned;
                });
                enrolled += n;
                remaining -= enrol.size();
            }
        }
        final int e = enrolled, su = suppressed, du = duplicate, in = invalid;
        tx.executeWithoutResult(s -> {
            activate(workspaceId, campaignId); // nobody enrolled (all skipped, or none waiting): active all the same
            repo.finishJob(workspaceId, jobId, "completed", e, su, du, in, null);
        });
        return new Launched(repo.findJob(workspaceId, campaignId, jobId).orElseThrow(), check,
                repo.find(workspaceId, campaignId).orElseThrow().status());
    }

    /** A draft campaign becomes active (inside the caller's transaction, the campaign's row locked first); otherwise unchanged. */
    private void activate(long workspaceId, String campaignId) {
        CampaignRow locked = repo.lock(workspaceId, campaignId).orElseThrow();
        if (locked.status().equals("draft")) {
            repo.setStatus(workspaceId, campaignId, "active", null);
            events.publishEvent(new CampaignStatusChanged(workspaceId, campaignId, locked.name(), "draft", "active", clock.instant()));
        }
    }

    /** Now, or the schedule's start date (midnight in the campaign's zone) when that is later. */
    private Instant firstSendAt(CampaignRow c) {
        Instant now = clock.instant();
        if (c.schedule().startDate() == null) return now;
        Instant start = LocalDate.parse(c.schedule().startDate()).atStartOfDay(ZoneId.of(c.schedule().timezone())).toInstant();
        return start.isAfter(now) ? start : now;
    }

    JobRow job(long workspaceId, String campaignId, String jobId) {
        repo.find(workspaceId, campaignId).orElseThrow(() -> new ApiException.NotFound("Campaign " + campaignId));
        return repo.findJob(workspaceId, campaignId, jobId).orElseThrow(() -> new ApiException.NotFound("Launch job " + jobId));
    }
}
