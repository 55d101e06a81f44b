package dev.outreach2day.domain;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Re-verifies domains in live DNS every {@code O2D_DNS_CHECK_INTERVAL}, oldest check first, a
 * batch per minute, and tightens DMARC when it is due. Several processes may run it: each
 * check is idempotent and only writes the latest result.
 */
@Component
class DomainChecks {

    private static final Logger log = LoggerFactory.getLogger(DomainChecks.class);
    private static final int BATCH = 50;

    private final DomainRepository domains;
    private final DomainService service;
    private final DomainProperties props;
    private final Clock clock;

    DomainChecks(DomainRepository domains, DomainService service, DomainProperties props, Clock clock) {
        this.domains = domains;
        this.service = service;
        this.props = props;
        this.clock = clock;
    }

    @Scheduled(initialDelayString = "PT1M", fixedDelayString = "PT1M")
    void recheckDue() {
        for (var d : domains.dueForCheck(clock.instant().minus(props.dns().checkInterval()), BATCH)) {
            try {
                service.verify(d);
                service.tightenDmarcIfDue(d);
            } catch (RuntimeException e) {
                log.warn("Re-checking {} failed: {}", d.name(), e.getMessage());
            }
        }
    }
}
