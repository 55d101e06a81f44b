package dev.outreach2day.mailbox;

import dev.outreach2day.domain.DomainMailboxCounter;
import dev.outreach2day.workspace.WorkspaceUsage;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The mailbox capability's background work and the counts it reports to other capabilities:
 * local accounts restored on start, logins re-checked on a schedule, mailbox counts per
 * workspace and per domain.
 */
@Component
class MailboxLifecycle implements WorkspaceUsage, DomainMailboxCounter {

    private static final Logger log = LoggerFactory.getLogger(MailboxLifecycle.class);
    private static final int BATCH = 20;

    private final MailboxService service;
    private final MailboxRepository repository;
    private final MailboxProperties props;
    private final Clock clock;

    MailboxLifecycle(MailboxService service, MailboxRepository repository, MailboxProperties props, Clock clock) {
        this.service = service;
        this.repository = repository;
        this.props = props;
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    void restore() {
        service.restoreLocalAccounts();
    }

    @Scheduled(initialDelayString = "PT2M", fixedDelayString = "PT1M")
    void checkDue() {
        for (var m : repository.dueForCheck(clock.instant().minus(props.checkInterval()), BATCH)) {
            try {
                service.check(m);
            } catch (RuntimeException e) {
                log.warn("Health check of mailbox {} failed: {}", m.address(), e.getMessage());
            }
        }
    }

    @Override
    public String name() {
        return "mailboxes";
    }

    @Override
    public long count(long workspaceId) {
        return repository.countLive(workspaceId);
    }

    @Override
    public long mailboxes(long workspaceId, String domain) {
        return repository.countOnDomain(workspaceId, domain);
    }
}
