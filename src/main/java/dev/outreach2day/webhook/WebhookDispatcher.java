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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers webhook events: at least once, signed (Standard Webhooks; the {@code webhook-id} is the
 * event id, the same on every retry), retried immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h and 10 h, then failed (requeueable).
 *
 * <p>Each subscription has a <em>lane</em>: one virtual thread that takes the subscription's due
 * deliveries in the events' creation order, up to {@value #LANE_BATCH} at a time, and attempts them
 * one after the other. Lanes run side by side and never wait for each other, so a slow or failing
 * endpoint only slows its own lane. One process at a time works a lane (a lease on the
 * subscription row, renewed with every batch), and that lease is what makes the lane's deliveries
 * this process's: they are read, not marked, so an attempt costs one row update. First attempts
 * keep the event order even with several server processes. Outcomes are written per batch (or
 * every half second on a slow endpoint) in one statement with asynchronous commit, each only if the
 * delivery is still as it was read: a crash (of the process or the database) can at worst forget
 * that an attempt happened, and the delivery is then simply made again — at least once either way.
 *
 * <p>The URL is checked against private targets again before each batch (DNS may have changed; a
 * batch's attempts go over the HTTP client's kept-open connection, made right after the check);
 * redirects are not followed; a 410 disables the subscription, and so do five days of failures.
 */
@Component
class WebhookDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** Waits after attempt 1, 2, …: the first attempt is immediate. */
    static final List<Duration> RETRY = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2),
            Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));
    static final int MAX_ATTEMPTS = RETRY.size() + 1;
    static final Duration DISABLE_AFTER = Duration.ofDays(5);
    static final int MAX_RESPONSE = 1024;
    static final int LANE_BATCH = 250;
    static final int MAX_LANES = 64;
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration FLUSH_EVERY = Duration.ofMillis(500);

    private record Target(String url, WebhookSignature.Signer signer, Instant failingSince) {}

    private record Claimed(String id, String eventId, int attempts, String payload, long seq) {}

    /** An attempt's outcome; {@code attempts} as the delivery had them when read (the write checks them). */
    private record Result(String id, int attempts, String status, Instant next, Integer code, String error, String response, Instant at) {
        boolean ok() {
            return status.equals("succeeded");
        }
    }

    /** Subscriptions with something due whose lane nobody works (optionally of one workspace). */
    private static final String DUE_LANES = """
            SELECT s.workspace_id, s.id FROM webhook_subscriptions s
             WHERE s.status = 'active' AND (s.lane_node IS NULL OR s.lane_until < :now OR s.lane_node = :node)
               AND (CAST(:ws AS bigint) IS NULL OR s.workspace_id = :ws)
               AND EXISTS (SELECT 1 FROM webhook_deliveries d
                            WHERE d.workspace_id = s.workspace_id AND d.subscription_id = s.id AND d.status = 'pending'
                              AND d.next_attempt_at <= :now)
            """;

    private static final String TAKE_LANE = """
            UPDATE webhook_subscriptions SET lane_node = :node, lane_until = :until
             WHERE workspace_id = :ws AND id = :sub AND status = 'active'
               AND (lane_node IS NULL OR lane_node = :node OR lane_until < :now)
            RETURNING url, secret, old_secret, old_secret_until, failing_since
            """;

    /** The lane's next due deliveries in event order; not marked: holding the lane makes them this process's. */
    private static final String CLAIM = """
            SELECT d.id, d.event_id, d.attempts, e.payload::text, d.event_seq
              FROM webhook_deliveries d JOIN webhook_events e ON e.workspace_id = d.workspace_id AND e.id = d.event_id
             WHERE d.workspace_id = :ws AND d.subscription_id = :sub AND d.status = 'pending' AND d.next_attempt_at <= :now
             ORDER BY d.event_seq
             LIMIT :limit
            """;

    /** Each outcome, written only if the delivery is still as the lane read it (a requeue or another holder after a stall wins). */
    private static final String FINISH = """
            UPDATE webhook_deliveries d SET status = r.status, attempts = d.attempts + 1, next_attempt_at = r.next, last_status = r.code,
                   last_error = r.error, last_response = r.response,
                   first_attempt_at = COALESCE(d.first_attempt_at, r.at),
                   delivered_at = CASE WHEN r.status = 'succeeded' THEN r.at END
              FROM unnest(CAST(:ids AS text[]), CAST(:attempts AS integer[]), CAST(:statuses AS text[]),
                          CAST(CAST(:nexts AS text[]) AS timestamptz[]), CAST(:codes AS integer[]), CAST(:errors AS text[]),
                          CAST(:responses AS text[]), CAST(CAST(:ats AS text[]) AS timestamptz[]))
                   AS r(id, attempts, status, next, code, error, response, at)
             WHERE d.workspace_id = :ws AND d.id = r.id AND d.status = 'pending' AND d.attempts = r.attempts
            """;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final SecretVault vault;
    private final WebhookProperties props;
    private final WebhookStore store;
    private final Clock clock;
    private final String node;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    private final UrlGuard guard;
    private final Map<String, Thread> lanes = new ConcurrentHashMap<>();
    private final Semaphore laneSlots = new Semaphore(MAX_LANES);
    private final Semaphore wakeups = new Semaphore(0);
    private volatile boolean running;
    private volatile Thread loop;

    WebhookDispatcher(JdbcClient jdbc, TransactionTemplate tx, SecretVault vault, WebhookProperties props, WebhookStore store, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.vault = vault;
        this.props = props;
        this.store = store;
        this.clock = clock;
        this.guard = new UrlGuard(props.allowPrivateTargets(), java.net.InetAddress::getAllByName);
        this.node = props.nodeId() == null || props.nodeId().isBlank() ? ManagementFactory.getRuntimeMXBean().getName() : props.nodeId();
    }

    @Override
    public void start() {
        running = true;
        if (!props.enabled()) return;
        loop = Thread.ofPlatform().daemon().name("webhook-dispatcher").start(this::loop);
    }

    @Override
    public void stop() {
        running = false;
        Thread l = loop;
        if (l != null) l.interrupt();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (Thread t : List.copyOf(lanes.values())) { // lanes end after their current attempt (the rest stays due)
            try {
                t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** New deliveries were committed: look for work now instead of at the next poll. */
    void wake() {
        if (wakeups.availablePermits() == 0) wakeups.release();
    }

    private void loop() {
        while (running) {
            try {
                if (wakeups.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS)) wakeups.drainPermits();
                Instant now = clock.instant();
                startLanes(null, now);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (running) log.warn("Webhook round failed: {}", e.getMessage(), e);
            }
        }
    }

    /**
     * Delivers what is due now for one workspace and waits for it (the dispatch endpoint, tests);
     * returns how many attempts were made. Lanes already running are left to themselves.
     */
    int dispatch(long workspaceId) {
        Instant now = clock.instant();
        var counts = new ConcurrentHashMap<String, Integer>();
        var started = startLanes(workspaceId, now, counts);
        for (Thread t : started) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private List<Thread> startLanes(Long workspaceId, Instant now) {
        return startLanes(workspaceId, now, null);
    }

    private List<Thread> startLanes(Long workspaceId, Instant now, Map<String, Integer> counts) {
        var due = jdbc.sql(DUE_LANES).param("now", Timestamp.from(now)).param("node", node).param("ws", workspaceId)
                .query((rs, n) -> new Object[] {rs.getLong(1), rs.getString(2)}).list();
        var started = new ArrayList<Thread>();
        for (Object[] d : due) {
            long ws = (Long) d[0];
            String sub = (String) d[1];
            String key = ws + ":" + sub;
            if (lanes.containsKey(key) || !laneSlots.tryAcquire()) continue;
            var ready = new java.util.concurrent.CountDownLatch(1);
            Thread t = Thread.ofVirtual().name("webhook-" + sub).unstarted(() -> {
                try {
                    ready.await();
                    int n = lane(ws, sub);
                    if (counts != null) counts.put(key, n);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    log.warn("Webhook lane {} failed: {}", sub, e.getMessage(), e);
                } finally {
                    lanes.remove(key);
                    laneSlots.release();
                }
            });
            if (lanes.putIfAbsent(key, t) != null) {
                laneSlots.release();
                continue;
            }
            t.start();
            ready.countDown();
            started.add(t);
        }
        return started;
    }

    /** Works one subscription's due deliveries until none is left; returns the number of attempts. */
    private int lane(long ws, String sub) {
        int attempted = 0;
        var opened = new java.util.HashMap<String, String>(); // sealed secret → secret, for this lane's life
        try {
            while (running) {
                Instant now = clock.instant();
                Instant leaseEnd = now.plus(props.lease()); // an attempt is not started unless it can end well inside it
                Target target = takeLane(ws, sub, now, leaseEnd, opened);
                if (target == null) break; // paused, disabled, deleted, or another process works it
                var batch = tx.execute(status -> {
                    customPlans();
                    return jdbc.sql(CLAIM).param("ws", ws).param("sub", sub).param("now", Timestamp.from(now)).param("limit", LANE_BATCH)
                            .query((rs, n) -> new Claimed(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getLong(5))).list();
                });
                if (batch.isEmpty()) break;
                batch = batch.stream().sorted(Comparator.comparingLong(Claimed::seq)).toList(); // creation order of the events
                var checked = check(target.url()); // resolved and checked for this batch's connection (the client keeps it open)
                var results = new ArrayList<Result>();
                Instant flushed = clock.instant();
                int i = 0;
                boolean gone = false;
                Instant failingSince = target.failingSince();
                for (; i < batch.size() && running; i++) {
                    if (clock.instant().plus(props.attemptTimeout().multipliedBy(2)).isAfter(leaseEnd)) break; // the rest: next claim
                    Result r = attempt(batch.get(i), target, checked);
                    attempted++;
                    results.add(r);
                    if (r.code() != null && r.code() == 410) {
                        gone = true;
                        i++;
                        break;
                    }
                    if (Duration.between(flushed, clock.instant()).compareTo(FLUSH_EVERY) > 0) { // a slow endpoint: show progress
                        failingSince = finish(ws, sub, results, failingSince, false);
                        results.clear();
                        flushed = clock.instant();
                    }
                }
                finish(ws, sub, results, failingSince, gone);
                if (gone || !running) break;
            }
        } finally {
            jdbc.sql("UPDATE webhook_subscriptions SET lane_node = NULL, lane_until = NULL WHERE workspace_id = :ws AND id = :sub AND lane_node = :node")
                    .param("ws", ws).param("sub", sub).param("node", node).update();
        }
        return attempted;
    }

    /**
     * Plans the next statements for their actual values: a cached generic plan cannot see how
     * few rows an array parameter holds and may read the whole deliveries table instead of 100
     * rows by key (measured: it made PostgreSQL the bottleneck of delivery).
     */
    private void customPlans() {
        jdbc.sql("SET LOCAL plan_cache_mode = force_custom_plan").update();
    }

    private Target takeLane(long ws, String sub, Instant now, Instant until, Map<String, String> opened) {
        return jdbc.sql(TAKE_LANE).param("ws", ws).param("sub", sub).param("node", node).param("now", Timestamp.from(now))
                .param("until", Timestamp.from(until)).query((rs, n) -> {
                    String context = WebhookController.secretContext(sub);
                    var secrets = new ArrayList<String>();
                    secrets.add(opened.computeIfAbsent(rs.getString("secret"), sealed -> vault.decrypt(sealed, context)));
                    Instant oldUntil = WebhookStore.instant(rs, "old_secret_until");
                    if (rs.getString("old_secret") != null && oldUntil != null && oldUntil.isAfter(now)) {
                        secrets.add(opened.computeIfAbsent(rs.getString("old_secret"), sealed -> vault.decrypt(sealed, context))); // 24 h after a rotation
                    }
                    return new Target(rs.getString("url"), new WebhookSignature.Signer(secrets), WebhookStore.instant(rs, "failing_since"));
                }).optional().orElse(null);
    }

    /**
     * Writes a batch's outcomes and gives back what was not attempted, in one transaction with
     * asynchronous commit (losing it in a crash only means those deliveries are made again), and
     * keeps the subscription's failure streak; returns the streak's start (null: not failing).
     */
    private Instant finish(long ws, String sub, List<Result> results, Instant failingSince, boolean gone) {
        Instant streak = failingSince;
        for (Result r : results) streak = r.ok() ? null : streak == null ? r.at() : streak;
        Instant last = results.isEmpty() ? null : results.getLast().at();
        final Instant since = streak;
        tx.executeWithoutResult(status -> {
            jdbc.sql("SET LOCAL synchronous_commit = off").update();
            customPlans();
            if (!results.isEmpty()) {
                int n = results.size();
                var ids = new String[n];
                var attempts = new Integer[n];
                var statuses = new String[n];
                var nexts = new String[n];
                var codes = new Integer[n];
                var errors = new String[n];
                var responses = new String[n];
                var ats = new String[n];
                for (int i = 0; i < n; i++) {
                    Result r = results.get(i);
                    ids[i] = r.id();
                    attempts[i] = r.attempts();
                    statuses[i] = r.status();
                    nexts[i] = r.next().toString();
                    codes[i] = r.code();
                    errors[i] = r.error();
                    responses[i] = r.response();
                    ats[i] = r.at().toString();
                }
                jdbc.sql(FINISH).param("ws", ws).param("ids", ids).param("attempts", attempts).param("statuses", statuses).param("nexts", nexts)
                        .param("codes", codes).param("errors", errors).param("responses", responses).param("ats", ats).update();
            }
            if (!java.util.Objects.equals(since, failingSince)) {
                jdbc.sql("UPDATE webhook_subscriptions SET failing_since = :since WHERE workspace_id = :ws AND id = :id")
                        .param("since", since == null ? null : Timestamp.from(since)).param("ws", ws).param("id", sub).update();
            }
        });
        if (gone) {
            store.setStatus(ws, sub, "disabled", "the endpoint answered 410 Gone", last);
            log.info("Webhook subscription {} disabled: its endpoint answered 410", sub);
        } else if (since != null && last != null && since.plus(DISABLE_AFTER).isBefore(last)) {
            store.setStatus(ws, sub, "disabled", "every delivery failed for 5 days", last);
            log.warn("Webhook subscription {} disabled after 5 days of failures", sub);
        }
        return since;
    }

    /** The URL checked against private targets now: its URI, or why it is refused. */
    private record Checked(java.net.URI uri, String refused) {}

    private Checked check(String url) {
        try {
            return new Checked(guard.check(url).uri(), null);
        } catch (UrlGuard.Refused e) {
            return new Checked(null, e.getMessage());
        }
    }

    private Result attempt(Claimed d, Target target, Checked checked) {
        Instant at = clock.instant();
        Integer code = null;
        String error = null;
        String response = null;
        try {
            if (checked.refused() != null) throw new UrlGuard.Refused(checked.refused());
            var uri = checked.uri();
            long ts = at.getEpochSecond();
            var request = HttpRequest.newBuilder(uri).timeout(props.attemptTimeout()).header("Content-Type", "application/json")
                    .header("User-Agent", "Outreach2day-Webhooks/1");
            for (Map.Entry<String, String> h : target.signer().headers(d.eventId(), ts, d.payload()).entrySet()) {
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
        Instant next = !status.equals("pending") ? at : at.plus(RETRY.get(Math.min(attempts - 1, RETRY.size() - 1)));
        return new Result(d.id(), d.attempts(), status, next, code, abbreviate(error), response, at);
    }

    /** Reads at most {@value #MAX_RESPONSE} bytes of the answer, then drops the rest (the connection is not kept waiting). */
    private static String drain(InputStream body) throws IOException {
        try (body) {
            byte[] buf = body.readNBytes(MAX_RESPONSE);
            return new String(buf, StandardCharsets.UTF_8).replace('\u0000', '\uFFFD'); // text columns refuse NUL
        }
    }

    private static String abbreviate(String s) {
        return s == null ? null : s.length() > 500 ? s.substring(0, 500) : s;
    }
}
