package dev.outreach2day.sequencer;

import dev.outreach2day.mailbox.Mailboxes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Runs exports: claims due items of any workspace ({@code FOR UPDATE SKIP LOCKED}, a lease per
 * item, so several server processes share one database and a restart continues where the last one
 * stopped), creates each account at its provider and records the outcome on the item.
 *
 * <p>Transient failures (429, 408, 5xx, timeouts, no connection) are retried: after the provider's
 * {@code Retry-After} when it sends one, else with exponential backoff (30 s, 1 min, 2 min … at most
 * 30 min), up to {@code maxAttempts}. A 401/403 or another 4xx fails the item with the provider's
 * message at once. When an attempt may have reached the provider (a 5xx, a timeout, a lease that
 * ran out) the next one first asks whether the account exists, so none is created twice.
 */
@Component
class ExportRunner {

    private static final Logger log = LoggerFactory.getLogger(ExportRunner.class);

    static final int BATCH = 20;
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(30);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(30);
    /** Rounds per scheduler tick at most (items due again at once, e.g. Retry-After: 0, wait for the next tick). */
    private static final int ROUNDS_PER_TICK = 10;

    private final SequencerStore store;
    private final Providers providers;
    private final Mailboxes mailboxes;
    private final SequencerProperties props;
    private final Clock clock;

    ExportRunner(SequencerStore store, Providers providers, Mailboxes mailboxes, SequencerProperties props, Clock clock) {
        this.store = store;
        this.providers = providers;
        this.mailboxes = mailboxes;
        this.props = props;
        this.clock = clock;
    }

    @Scheduled(initialDelayString = "PT5S", fixedDelayString = "${o2d.sequencers.interval:PT5S}")
    void tick() {
        if (!props.exportsEnabled()) return;
        try {
            for (int i = 0; i < ROUNDS_PER_TICK && runOnce() > 0; i++) {
                // more may be due
            }
        } catch (RuntimeException e) {
            log.warn("Sequencer export round failed: {}", e.getMessage(), e);
        }
    }

    /** One round (the scheduler's, and tests'): claims due items and works them; returns how many were claimed. */
    int runOnce() {
        Instant now = clock.instant();
        List<SequencerStore.Item> items = store.claim(props.nodeId(), now, now.plus(props.lease()), BATCH);
        for (var i : items) {
            store.refreshExport(i.workspaceId(), i.exportId(), now); // queued → running
        }
        for (var i : items) {
            Instant at = clock.instant();
            if (!store.renew(i, props.nodeId(), at, at.plus(props.lease()))) continue; // another process took it over
            work(i);
            store.refreshExport(i.workspaceId(), i.exportId(), clock.instant());
        }
        return items.size();
    }

    private void work(SequencerStore.Item i) {
        var export = store.export(i.workspaceId(), i.exportId()).orElse(null);
        var connection = store.connection(i.workspaceId(), i.connectionId()).orElse(null);
        String key = connection == null ? null : store.apiKey(i.workspaceId(), i.connectionId()).orElse(null);
        if (export == null || connection == null || key == null) {
            fail(i, "CONNECTION_DELETED", "the sequencer connection was deleted before this mailbox was exported");
            return;
        }
        var provider = providers.get(connection.provider()).orElse(null);
        if (provider == null) {
            fail(i, "PROVIDER_UNKNOWN", "this server no longer supports " + connection.provider());
            return;
        }
        var view = i.mailboxId() == null ? null : mailboxes.byIds(i.workspaceId(), List.of(i.mailboxId())).stream().findFirst().orElse(null);
        if (view == null) {
            fail(i, "MAILBOX_DELETED", "the mailbox was deleted before it was exported");
            return;
        }
        var account = providers.account(i.workspaceId(), view, export.dailyLimit(), export.enableWarmup(), export.warmupPerDay(),
                export.warmupRampup()).orElse(null);
        if (account == null) {
            fail(i, "NO_CREDENTIALS", "the mailbox has no SMTP and IMAP credentials to hand over");
            return;
        }
        String externalId = i.externalId();
        try {
            if (externalId == null) {
                if (i.uncertain()) externalId = provider.existing(key, account.email()).orElse(null);
                if (externalId == null) externalId = provider.create(key, account);
                store.saveExternalId(i, props.nodeId(), externalId, clock.instant());
            }
            provider.enableWarmup(key, account, externalId);
            store.finish(i, props.nodeId(), "completed", null, null, clock.instant(), false, clock.instant());
        } catch (ProviderException e) {
            Instant now = clock.instant();
            if (e.retryable() && i.attempts() < props.maxAttempts()) {
                Duration wait = e.retryAfter() != null ? e.retryAfter() : backoff(i.attempts());
                log.info("Sequencer export {} of {} to {}: attempt {} failed ({}), again in {} s", i.exportId(), i.mailbox(), provider.id(),
                        i.attempts(), e.getMessage(), wait.toSeconds());
                // uncertain only when the create itself may have happened (not when the warmup call after it failed)
                store.finish(i, props.nodeId(), "queued", null, e.getMessage(), now.plus(wait), e.ambiguous() && externalId == null, now);
            } else {
                String reason = switch (e.kind()) {
                    case AUTH -> "PROVIDER_AUTH";
                    case REJECTED -> "PROVIDER_REJECTED";
                    case TRANSIENT -> "PROVIDER_UNAVAILABLE";
                };
                log.info("Sequencer export {} of {} to {} failed: {} {}", i.exportId(), i.mailbox(), provider.id(), reason, e.getMessage());
                store.finish(i, props.nodeId(), "failed", reason, e.getMessage(), now, false, now);
            }
        } catch (RuntimeException e) {
            // a bug or a broken row: the item does not vanish; it is retried like a transient failure, then failed
            Instant now = clock.instant();
            log.warn("Sequencer export {} of {}: {}", i.exportId(), i.mailbox(), e.toString());
            boolean again = i.attempts() < props.maxAttempts();
            store.finish(i, props.nodeId(), again ? "queued" : "failed", again ? null : "INTERNAL_ERROR", e.getClass().getSimpleName(),
                    again ? now.plus(backoff(i.attempts())) : now, externalId == null, now);
        }
    }

    private void fail(SequencerStore.Item i, String reason, String error) {
        Instant now = clock.instant();
        store.finish(i, props.nodeId(), "failed", reason, error, now, false, now);
    }

    /** 30 s after the first attempt, doubling, at most 30 min. */
    static Duration backoff(int attempts) {
        Duration d = FIRST_BACKOFF.multipliedBy(1L << Math.min(Math.max(attempts - 1, 0), 10));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }
}
