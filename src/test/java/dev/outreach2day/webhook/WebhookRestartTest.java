package dev.outreach2day.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import dev.outreach2day.Api;
import dev.outreach2day.ChildServer;
import dev.outreach2day.TestPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Webhooks across real server processes on one database; the in-process part (receiver down, then
 * 500s, then 200; the same webhook-id on retries) is {@link WebhookFlowTest}. A receiver on
 * loopback answers slowly; two subscriptions point at two paths of it. Process a is killed with
 * SIGKILL while it works through a backlog, b starts on the same database and delivers the rest
 * and new events, then b is stopped with SIGTERM while it works through another backlog and c
 * takes over. Every event reaches its own subscription's path, signed with that subscription's
 * secret; each path gets its first arrivals in the order the events were queued; the only events
 * that arrive twice are ones the killed process had sent without recording it yet (none across
 * the graceful stop); every delivery ends {@code succeeded} after one recorded attempt.
 */
class WebhookRestartTest {

    /** Per subscription, queued through a (while the subscriptions are paused, so that a is sure to die mid-backlog). */
    static final int BEFORE_KILL = 200;
    /** Per subscription, queued through b as soon as it is up, while it delivers a's backlog. */
    static final int AFTER_RESTART = 30;
    /** Per subscription, queued through b (paused again) before it is stopped gracefully. */
    static final int BEFORE_STOP = 150;
    /** How long the receiver takes per request: at most 40 a second per subscription. */
    static final int RECEIVER_MILLIS = 25;
    /** First arrivals per path (of the backlog) before a process is killed or stopped. */
    static final int STOP_AFTER = 25;
    /** The lane lease (and claimed deliveries' lease): each attempt may take a third of it. */
    static final Duration LEASE = Duration.ofSeconds(6);
    static final Duration WAIT = Duration.ofSeconds(60);
    static final List<String> PATHS = List.of("/hooks/one", "/hooks/two");
    static final Path LOGS = Path.of("target/webhook-restart").toAbsolutePath();

    /** One request the receiver got; the list is in the order they came in. */
    record Arrival(String path, WebhookFlowTest.Received request) {}

    final List<Arrival> arrivals = Collections.synchronizedList(new ArrayList<>());
    final List<ChildServer> children = new ArrayList<>();
    String database;
    HttpServer receiver;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aKilledOrStoppedServerLosesNoEventAndKeepsEachSubscriptionsOrder() throws Exception {
        scenario(false);
    }

    /**
     * The same, but b comes up while a's leases still run (as a server restarted by its supervisor
     * does with the default 2-minute lease, and as a second process already running always does):
     * b's one reap at start finds nothing expired; when the lease ends, b takes the lane and
     * delivers the deliveries queued after a's claimed batch while that batch stays
     * {@code delivering} until b's next reap (every 10 s), so those first arrivals come out of order.
     */
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aServerRestartedWithinTheKilledOnesLeaseKeepsEachSubscriptionsOrder() throws Exception {
        scenario(true);
    }

    /** @param restartWithinLease a runs with a 20 s lease and b starts right after the kill (instead of once a's leases ended) */
    private void scenario(boolean restartWithinLease) throws Exception {
        long started = System.nanoTime();
        database = "whrestart_" + Long.toString(System.currentTimeMillis(), 36);
        String jdbc = TestPostgres.jdbcUrl(database);
        String masterKey = ChildServer.newMasterKey(); // the same for every process: each decrypts the secrets the first one sealed

        ChildServer a = start("a", jdbc, masterKey, true, restartWithinLease ? Duration.ofSeconds(20) : LEASE).awaitHealthy();
        String apiKey = a.awaitBootstrapKey();
        Api apiA = new Api(a.base(), apiKey);
        long aUp = System.nanoTime();

        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/hooks/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            var h = ex.getRequestHeaders();
            arrivals.add(new Arrival(ex.getRequestURI().getPath(), new WebhookFlowTest.Received(h.getFirst("webhook-id"),
                    h.getFirst("webhook-timestamp"), h.getFirst("webhook-signature"), body, 200)));
            try {
                Thread.sleep(RECEIVER_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] out = "ok".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        receiver.start();
        String hooks = "http://127.0.0.1:" + receiver.getAddress().getPort();

        Map<String, String> subByPath = new LinkedHashMap<>();
        Map<String, String> secretBySub = new LinkedHashMap<>();
        Map<String, List<String>> queued = new LinkedHashMap<>(); // per subscription, in the order queued
        for (String path : PATHS) {
            var created = apiA.post("/campaigns/webhooks/subscriptions", "{\"url\":\"" + hooks + path + "\",\"eventTypes\":[\"email_sent\"]}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String sub = created.json().get("subscription").get("id").asString();
            subByPath.put(path, sub);
            secretBySub.put(sub, created.json().get("secret").asString());
            queued.put(sub, new ArrayList<>());
        }
        List<String> subs = List.copyOf(subByPath.values());

        try (Connection db = DriverManager.getConnection(jdbc)) {
            // ---- 1. a works through a backlog and is killed mid-stream ----
            pause(apiA, subs);
            queue(apiA, subs, queued, BEFORE_KILL);
            long queuedOnA = System.nanoTime();
            resume(apiA, subs);
            await("each path has " + STOP_AFTER + " arrivals from a", () -> PATHS.stream().allMatch(p -> firstArrivals(p).size() >= STOP_AFTER),
                    a);
            assertThat(a.kill()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
            long killedAt = System.nanoTime();
            a.awaitNoSessions(db, Duration.ofSeconds(5)); // from here on a's last outcomes are in the database or lost
            Thread.sleep(200); // the receiver records requests that were already on the wire
            var arrivedAtKill = firstArrivalCounts();
            for (String path : PATHS) {
                assertThat(firstArrivals(path)).as("a was killed mid-stream at %s", path).hasSizeLessThan(BEFORE_KILL);
            }
            String aNode = a.id(); // the dispatcher names its leases after O2D_NODE_ID
            // a's lane reads its deliveries without marking them: what arrived but is still unattempted in the database
            Set<String> claimedUnrecorded = new HashSet<>(strings(db,
                    "SELECT event_id FROM webhook_deliveries WHERE status = 'pending' AND attempts = 0"));
            long recordedAtKill = count(db, "SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'");
            Set<String> arrivedUnrecorded = arrivals.stream().map(r -> r.request().id()).filter(claimedUnrecorded::contains)
                    .collect(Collectors.toSet());
            if (!restartWithinLease) {
                // b's reap at start then finds a's leases ended (see the disabled test for b coming up earlier)
                Timestamp leaseEnd = timestamp(db, "SELECT max(lane_until) FROM webhook_subscriptions WHERE lane_node LIKE ?", aNode);
                if (leaseEnd != null) Thread.sleep(Math.max(0, leaseEnd.getTime() - System.currentTimeMillis() + 100));
            }

            // ---- 2. b starts on the same database, delivers a's backlog and new events ----
            ChildServer b = start("b", jdbc, masterKey, false, LEASE).awaitHealthy();
            long bUp = System.nanoTime();
            Api apiB = new Api(b.base(), apiKey);
            queue(apiB, subs, queued, AFTER_RESTART);
            awaitDelivered(db, subByPath, queued, b);
            long bDone = System.nanoTime();
            assertOrder(subByPath, queued);
            var duplicatesAfterKill = duplicates();
            assertThat(duplicatesAfterKill.keySet()).as("only events a had sent without recording it arrive twice").isSubsetOf(arrivedUnrecorded);
            assertThat(duplicatesAfterKill.values()).as("and those twice at most").allSatisfy(n -> assertThat(n).isEqualTo(2));
            assertThat(perSub(duplicatesAfterKill.keySet(), queued).values()).as("at most one claimed batch per subscription")
                    .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(WebhookDispatcher.LANE_BATCH));

            // ---- 3. another backlog; b is stopped gracefully mid-stream, c takes over ----
            int arrivalsBefore = arrivals.size();
            var firstBefore = firstArrivalCounts();
            pause(apiB, subs);
            queue(apiB, subs, queued, BEFORE_STOP);
            resume(apiB, subs);
            await("each path has " + STOP_AFTER + " new arrivals from b",
                    () -> PATHS.stream().allMatch(p -> firstArrivals(p).size() >= firstBefore.get(p) + STOP_AFTER), b);
            long stoppingAt = System.nanoTime();
            int exit = b.stop(Duration.ofSeconds(40));
            long stoppedAt = System.nanoTime();
            b.awaitNoSessions(db, Duration.ofSeconds(5));
            var arrivedAtStop = firstArrivalCounts();
            for (String path : PATHS) {
                assertThat(firstArrivals(path)).as("b was stopped mid-stream at %s", path).hasSizeLessThan(firstBefore.get(path) + BEFORE_STOP);
            }
            assertThat(strings(db, "SELECT id FROM webhook_deliveries WHERE status = 'delivering'"))
                    .as("nothing is ever marked mid-attempt").isEmpty();
            assertThat(strings(db, "SELECT id FROM webhook_subscriptions WHERE lane_node IS NOT NULL"))
                    .as("a graceful stop gives back its lanes").isEmpty();
            ChildServer c = start("c", jdbc, masterKey, false, LEASE).awaitHealthy();
            long cUp = System.nanoTime();
            awaitDelivered(db, subByPath, queued, c);
            long cDone = System.nanoTime();
            assertOrder(subByPath, queued);
            assertThat(arrivals.size() - arrivalsBefore).as("nothing arrives twice across a graceful stop").isEqualTo(BEFORE_STOP * subs.size());

            // ---- 4. every request went to its own subscription's path, signed with its secret ----
            for (Arrival r : List.copyOf(arrivals)) {
                String sub = subByPath.get(r.path());
                assertThat(sub).as("a path of a subscription: %s", r.path()).isNotNull();
                assertThat(queued.get(sub)).as("queued for the subscription of %s", r.path()).contains(r.request().id());
                assertThat(WebhookFlowTest.verifies(secretBySub.get(sub), r.request())).as("signature of %s at %s", r.request().id(), r.path())
                        .isTrue();
                var body = Api.JSON.readTree(r.request().body());
                assertThat(body.get("type").asString()).isEqualTo("test");
                assertThat(body.get("data").get("subscriptionId").asString()).as("%s at %s", r.request().id(), r.path()).isEqualTo(sub);
            }

            // ---- 5. the database: one succeeded delivery per event and subscription, one recorded attempt each ----
            var byStatus = counts(db, "SELECT subscription_id || ' ' || status, count(*) FROM webhook_deliveries GROUP BY 1");
            var expected = new TreeMap<String, Long>();
            for (String sub : subs) expected.put(sub + " succeeded", (long) queued.get(sub).size());
            assertThat(byStatus).isEqualTo(expected);
            assertThat(counts(db, "SELECT attempts::text, count(*) FROM webhook_deliveries GROUP BY 1").keySet())
                    .as("a recorded success is never attempted again").containsExactly("1");
            for (ChildServer node : List.of(a, b, c)) {
                assertThat(Files.readString(node.log(), StandardCharsets.UTF_8)).as(node.log().toString())
                        .doesNotContain("Webhook lane").doesNotContain("Webhook round failed");
            }

            System.out.printf("""
                    WebhookRestartTest: a up in %d ms; %d events queued in %d ms; a killed after %d ms at first arrivals %s \
                    (%d recorded, %d claimed but unrecorded of which %d had arrived); b up %d ms after the kill, \
                    all %d delivered %d ms later, duplicates %d %s; b stopped (exit %d) at first arrivals %s in %d ms; \
                    c up %d ms later, all %d delivered %d ms after that, duplicates 0; %d requests in all; total %d ms%n""",
                    ms(started, aUp), BEFORE_KILL * subs.size(), ms(aUp, queuedOnA), ms(queuedOnA, killedAt), arrivedAtKill, recordedAtKill,
                    claimedUnrecorded.size(), arrivedUnrecorded.size(), ms(killedAt, bUp), (BEFORE_KILL + AFTER_RESTART) * subs.size(),
                    ms(bUp, bDone), duplicatesAfterKill.size(), perSub(duplicatesAfterKill.keySet(), queued), exit, arrivedAtStop,
                    ms(stoppingAt, stoppedAt), ms(stoppedAt, cUp), queued.values().stream().mapToInt(List::size).sum(), ms(cUp, cDone),
                    arrivals.size(), ms(started, System.nanoTime()));
        }
    }

    @AfterEach
    void stopEverything() throws Exception {
        ChildServer.closeAll(children);
        if (receiver != null) receiver.stop(0);
        if (database != null) {
            try (var c = TestPostgres.get().getPostgresDatabase().getConnection(); var s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    private ChildServer start(String id, String jdbc, String masterKey, boolean bootstrap, Duration lease) throws IOException {
        var node = ChildServer.builder(id, jdbc, masterKey).logs(LOGS).bootstrap(bootstrap)
                .env("O2D_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true") // the receiver is on loopback
                .env("O2D_DELIVERY_ENABLED", "false")
                .env("O2D_SYNC_ENABLED", "false")
                .env("O2D_UNIBOX_OUTBOUND_ENABLED", "false")
                .arg("--o2d.webhooks.lease=" + lease) // not an O2D_ variable; the default (2 min) would hold a's work for the whole test
                .start();
        children.add(node);
        return node;
    }

    private static void pause(Api api, List<String> subs) {
        for (String sub : subs) assertThat(api.post("/campaigns/webhooks/subscriptions/" + sub + "/pause", null).status()).isEqualTo(200);
    }

    private static void resume(Api api, List<String> subs) {
        for (String sub : subs) assertThat(api.post("/campaigns/webhooks/subscriptions/" + sub + "/resume", null).status()).isEqualTo(200);
    }

    /** {@code n} test events per subscription, alternating between them, each call answered before the next. */
    private static void queue(Api api, List<String> subs, Map<String, List<String>> queued, int n) {
        for (int i = 0; i < n; i++) {
            for (String sub : subs) {
                var r = api.post("/campaigns/webhooks/subscriptions/" + sub + "/test", null);
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                queued.get(sub).add(r.json().get("eventId").asString());
            }
        }
    }

    /** Waits until every event queued so far arrived at its subscription's path and every delivery is recorded as succeeded. */
    private void awaitDelivered(Connection db, Map<String, String> subByPath, Map<String, List<String>> queued, ChildServer node)
            throws Exception {
        long total = queued.values().stream().mapToInt(List::size).sum();
        await("every event delivered and recorded", () -> {
            for (String path : PATHS) {
                if (!firstArrivals(path).containsAll(queued.get(subByPath.get(path)))) return false;
            }
            return count(db, "SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'") == total;
        }, node);
    }

    /** Each path's first arrivals are exactly its subscription's events in the order queued (shown as ranges of queue positions). */
    private void assertOrder(Map<String, String> subByPath, Map<String, List<String>> queued) {
        for (String path : PATHS) {
            var events = queued.get(subByPath.get(path));
            assertThat(runs(firstArrivals(path), events)).as("first arrivals at %s as ranges of positions in the queue", path)
                    .isEqualTo("0-" + (events.size() - 1));
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private void await(String what, Check check, ChildServer node) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!check.ok()) {
            if (!node.process().isAlive() || System.nanoTime() > deadline) {
                fail("not reached within %s: %s (process %s alive: %s); first arrivals %s; its log:%n%s", WAIT, what, node.id(),
                        node.process().isAlive(), firstArrivalCounts(), node.tail());
            }
            Thread.sleep(20);
        }
    }

    /** The webhook-ids that arrived at a path, each once, in the order of their first arrival. */
    private LinkedHashSet<String> firstArrivals(String path) {
        var out = new LinkedHashSet<String>();
        synchronized (arrivals) {
            for (Arrival r : arrivals) if (r.path().equals(path)) out.add(r.request().id());
        }
        return out;
    }

    private Map<String, Integer> firstArrivalCounts() {
        var out = new TreeMap<String, Integer>();
        for (String path : PATHS) out.put(path, firstArrivals(path).size());
        return out;
    }

    /** Event ids that arrived more than once, with how often. */
    private Map<String, Integer> duplicates() {
        var n = new TreeMap<String, Integer>();
        synchronized (arrivals) {
            for (Arrival r : arrivals) n.merge(r.request().id(), 1, Integer::sum);
        }
        n.values().removeIf(v -> v < 2);
        return n;
    }

    /** The arrived events as ranges of their positions in the queue, e.g. {@code 0-77, 93-229, 78-92} (? = not queued). */
    static String runs(Set<String> arrived, List<String> queued) {
        var position = new HashMap<String, Integer>();
        for (int i = 0; i < queued.size(); i++) position.put(queued.get(i), i);
        var out = new ArrayList<String>();
        int start = -1;
        int last = -1;
        for (String id : arrived) {
            Integer i = position.get(id);
            if (i == null) {
                out.add("?" + id);
            } else if (start >= 0 && i == last + 1) {
                last = i;
            } else {
                if (start >= 0) out.add(start == last ? "" + start : start + "-" + last);
                start = last = i;
            }
        }
        if (start >= 0) out.add(start == last ? "" + start : start + "-" + last);
        return String.join(", ", out);
    }

    private static Map<String, Long> perSub(Set<String> events, Map<String, List<String>> queued) {
        var out = new TreeMap<String, Long>();
        queued.forEach((sub, ids) -> out.put(sub, ids.stream().filter(events::contains).count()));
        return out;
    }

    private static long count(Connection db, String sql) throws SQLException {
        try (var q = db.prepareStatement(sql)) {
            var rs = q.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Timestamp timestamp(Connection db, String sql, String... params) throws SQLException {
        try (var q = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) q.setString(i + 1, params[i]);
            var rs = q.executeQuery();
            rs.next();
            return rs.getTimestamp(1);
        }
    }

    private static Map<String, Long> counts(Connection db, String sql) throws SQLException {
        var out = new TreeMap<String, Long>();
        try (var q = db.prepareStatement(sql)) {
            var rs = q.executeQuery();
            while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
        }
        return out;
    }

    private static List<String> strings(Connection db, String sql, String... params) throws SQLException {
        var out = new ArrayList<String>();
        try (var q = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) q.setString(i + 1, params[i]);
            var rs = q.executeQuery();
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
