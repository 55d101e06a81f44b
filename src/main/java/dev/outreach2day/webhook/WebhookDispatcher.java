package dev.outreach2day.webhook;

import dev.outreach2day.platform.SecretVault;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Delivers webhook events: at least once, signed (Standard Webhooks; the {@code webhook-id} is the
 * event id, the same on every retry), retried immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h and 10 h, then failed (requeueable). Each subscription's deliveries go one after the other
 * in event order, different subscriptions in parallel, so a slow or failing endpoint never delays
 * the others. The URL is checked against private targets again before every attempt (DNS may
 * have changed); redirects are not followed; a 410 disables the subscription, and so do five
 * days of failures.
 */
@Component
class WebhookDispatcher {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** Waits after attempt 1, 2, …: the first attempt is immediate. */
    static final List<Duration> RETRY = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2),
            Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));
    static final int MAX_ATTEMPTS = RETRY.size() + 1;
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final Duration DISABLE_AFTER = Duration.ofDays(5);
    static final int MAX_RESPONSE = 1024;

    private record Due(long workspaceId, String id, String subscriptionId, String eventId, int attempts, String payload, String url,
            String secret, String oldSecret, Instant oldSecretUntil, Instant failingSince, long seq) {}

    private static final String RELEASE_STUCK = """
            UPDATE webhook_deliveries SET status = 'pending', locked_by = NULL, locked_until = NULL
             WHERE status = 'delivering' AND locked_until < :now
            """;

    private static final String CLAIM = """
            WITH due AS (
                SELECT d.workspace_id, d.id FROM webhook_deliveries d
                  JOIN webhook_subscriptions s ON s.workspace_id = d.workspace_id AND s.id = d.subscription_id
                  JOIN webhook_events ev ON ev.workspace_id = d.workspace_id AND ev.id = d.event_id
                 WHERE d.status = 'pending' AND d.next_attempt_at <= :now AND s.status = 'active'
                 ORDER BY d.next_attempt_at, ev.seq
                 LIMIT :limit
                   FOR UPDATE OF d SKIP LOCKED)
            UPDATE webhook_deliveries d SET status = 'delivering', locked_by = :node, locked_until = :until
              FROM due, webhook_events e, webhook_subscriptions s
             WHERE d.workspace_id = due.workspace_id AND d.id = due.id AND e.workspace_id = d.workspace_id AND e.id = d.event_id
               AND s.workspace_id = d.workspace_id AND s.id = d.subscription_id
            RETURNING d.workspace_id, d.id, d.subscription_id, d.event_id, d.attempts, e.payload::text, s.url, s.secret, s.old_secret,
                      s.old_secret_until, s.failing_since, e.seq
            """;

    private static final String FINISH = """
            UPDATE webhook_deliveries SET status = :status, attempts = attempts + 1, next_attempt_at = :next, last_status = :code,
                   last_error = :error, last_response = :response, locked_by = NULL, locked_until = NULL,
                   first_attempt_at = COALESCE(first_attempt_at, :attemptAt), delivered_at = :deliveredAt
             WHERE workspace_id = :ws AND id = :id AND locked_by = :node
            """;

    private final JdbcClient jdbc;
    private final SecretVault vault;
    private final WebhookProperties props;
    private final WebhookStore store;
    private final Clock clock;
    private final String node = ManagementFactory.getRuntimeMXBean().getName();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
            .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()).build();
    private final UrlGuard guard;

    WebhookDispatcher(JdbcClient jdbc, SecretVault vault, WebhookProperties props, WebhookStore store, Clock clock) {
        this.jdbc = jdbc;
        this.vault = vault;
        this.props = props;
        this.store = store;
        this.clock = clock;
        this.guard = new UrlGuard(props.allowPrivateTargets(), java.net.InetAddress::getAllByName);
    }

    @Scheduled(initialDelayString = "PT5S", fixedDelayString = "PT1S")
    void tick() {
        if (!props.enabled()) return;
        try {
            while (dispatch() > 0) {
                // more may be due right now
            }
        } catch (RuntimeException e) {
            log.warn("Webhook round failed: {}", e.getMessage(), e);
        }
    }

    /** Delivers what is due now (one claimed batch); returns how many deliveries were attempted. */
    int dispatch() {
        Instant now = clock.instant();
        jdbc.sql(RELEASE_STUCK).param("now", Timestamp.from(now)).update(); // a process died mid-attempt: at least once
        var claimed = jdbc.sql(CLAIM).param("now", Timestamp.from(now)).param("until", Timestamp.from(now.plus(Duration.ofMinutes(2))))
                .param("node", node).param("limit", 200)
                .query((rs, n) -> new Due(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(6),
                        rs.getString(7), rs.getString(8), rs.getString(9), WebhookStore.instant(rs, "old_secret_until"),
                        WebhookStore.instant(rs, "failing_since"), rs.getLong("seq")))
                .list();
        if (claimed.isEmpty()) return 0;
        var bySubscription = new LinkedHashMap<String, List<Due>>();
        for (Due d : claimed) bySubscription.computeIfAbsent(d.workspaceId() + ":" + d.subscriptionId(), k -> new ArrayList<>()).add(d);
        var threads = new ArrayList<Thread>();
        for (var group : bySubscription.values()) {
            group.sort(java.util.Comparator.comparingLong(Due::seq)); // creation order of the events
            threads.add(Thread.ofVirtual().name("webhook-" + group.getFirst().subscriptionId()).start(() -> {
                for (Due d : group) attempt(d);
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return claimed.size();
    }

    private void attempt(Due d) {
        Instant at = clock.instant();
        Integer code = null;
        String error = null;
        String response = null;
        try {
            var target = guard.check(d.url());
            var secrets = new ArrayList<String>();
            secrets.add(vault.decrypt(d.secret(), WebhookController.secretContext(d.subscriptionId())));
            if (d.oldSecret() != null && d.oldSecretUntil() != null && d.oldSecretUntil().isAfter(at)) {
                secrets.add(vault.decrypt(d.oldSecret(), WebhookController.secretContext(d.subscriptionId())));
            }
            long ts = at.getEpochSecond();
            var request = HttpRequest.newBuilder(target.uri()).timeout(TIMEOUT).header("Content-Type", "application/json")
                    .header("User-Agent", "Outreach2day-Webhooks/1");
            for (Map.Entry<String, String> h : WebhookSignature.headers(secrets, d.eventId(), ts, d.payload()).entrySet()) {
                request.header(h.getKey(), h.getValue());
            }
            var r = http.send(request.POST(HttpRequest.BodyPublishers.ofString(d.payload(), StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            code = r.statusCode();
            response = drain(r.body());
        } catch (UrlGuard.Refused e) {
            error = "refused: " + e.getMessage();
        } catch (IOException e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        } catch (RuntimeException e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        boolean ok = code != null && code >= 200 && code < 300;
        int attempts = d.attempts() + 1;
        String status = ok ? "succeeded" : code != null && code == 410 ? "failed" : attempts >= MAX_ATTEMPTS ? "failed" : "pending";
        Instant next = ok || status.equals("failed") ? at : at.plus(RETRY.get(Math.min(attempts - 1, RETRY.size() - 1)));
        jdbc.sql(FINISH).param("ws", d.workspaceId()).param("id", d.id()).param("node", node).param("status", status).param("next", Timestamp.from(next))
                .param("code", code).param("error", abbreviate(error)).param("response", response)
                .param("attemptAt", Timestamp.from(at)).param("deliveredAt", ok ? Timestamp.from(at) : null).update();
        if (ok) {
            if (d.failingSince() != null) {
                jdbc.sql("UPDATE webhook_subscriptions SET failing_since = NULL WHERE workspace_id = :ws AND id = :id")
                        .param("ws", d.workspaceId()).param("id", d.subscriptionId()).update();
            }
        } else if (code != null && code == 410) {
            store.setStatus(d.workspaceId(), d.subscriptionId(), "disabled", "the endpoint answered 410 Gone", at);
            log.info("Webhook subscription {} disabled: its endpoint answered 410", d.subscriptionId());
        } else {
            jdbc.sql("UPDATE webhook_subscriptions SET failing_since = COALESCE(failing_since, :at) WHERE workspace_id = :ws AND id = :id")
                    .param("at", Timestamp.from(at)).param("ws", d.workspaceId()).param("id", d.subscriptionId()).update();
            if (d.failingSince() != null && d.failingSince().plus(DISABLE_AFTER).isBefore(at)) {
                store.setStatus(d.workspaceId(), d.subscriptionId(), "disabled", "every delivery failed for 5 days", at);
                log.warn("Webhook subscription {} disabled after 5 days of failures", d.subscriptionId());
            }
        }
    }

    /** Reads at most {@value #MAX_RESPONSE} bytes of the answer, then drops the rest (the connection is not kept waiting). */
    private static String drain(InputStream body) throws IOException {
        try (body) {
            byte[] buf = body.readNBytes(MAX_RESPONSE);
            return new String(buf, StandardCharsets.UTF_8);
        }
    }

    private static String abbreviate(String s) {
        return s == null ? null : s.length() > 500 ? s.substring(0, 500) : s;
    }

}
