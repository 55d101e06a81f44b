package dev.outreach2day.platform.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Deletes idempotency records past their 24 h; harmless when several processes do it. */
@Component
class IdempotencyHousekeeping {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyHousekeeping.class);
    private final IdempotencyStore store;

    IdempotencyHousekeeping(IdempotencyStore store) {
        this.store = store;
    }

    @Scheduled(initialDelayString = "PT5M", fixedDelayString = "PT1H")
    void purge() {
        int n = store.purgeExpired();
        if (n > 0) {
            log.info("Purged {} expired idempotency records", n);
        }
    }
}
