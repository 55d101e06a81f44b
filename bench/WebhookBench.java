// The client side of `bench webhooks`: 20 webhook receivers, the setup and the load through the
// API, ours (what the server delivers) and the peer (a bare JDK HttpClient loop posting the same
// bodies), then the latency run. JDK only; run by bench/webhooks.sh as a single-file program:
//
//   java bench/WebhookBench.java --base http://127.0.0.1:<port> --key-file <data dir>/bootstrap-api-key \
//     --events 100000 --rate 200 --latency-seconds 15 --latency-wait 60 --timeout 600 --warmup 2000 \
//     --queue-threads 8 --slow-seconds 5
//
// Receivers (com.sun.net.httpserver, one per loopback port the OS picks, handlers on virtual
// threads): 18 healthy ones answer 200 at once, 1 failing one always answers 500, 1 slow one sleeps
// --slow-seconds and then answers 200. POST /hook is what a subscription points at: the receiver
// keeps the first arrival of each webhook-id (System.nanoTime, wall-clock second, headers, body)
// and counts repeats. POST /peer is what the peer posts to: read the body, answer 200. Nothing is
// checked while a request is handled (both sides get the same cheap receiver); the Standard
// Webhooks signatures are verified afterwards, for every first arrival, with javax.crypto.
//
// In order (every wait bounded):
//   setup    one subscription per receiver (POST /campaigns/webhooks/subscriptions, event type
//            email_sent, which nothing in the run emits: test events reach their subscription
//            whatever its types); each answer's secret is kept for the checks.
//   warm-up  (untimed) --warmup test events to the healthy subscriptions, waited for, so the
//            server's delivery path is as warm as the peer's after its own warm-up.
//   ours     every subscription paused; --events test events queued (POST …/{id}/test, event i to
//            subscription i mod 20, --queue-threads at once; the queueing rate is reported too);
//            then all 20 resumed: ours = healthy deliveries / seconds from just before the first
//            resume call to the arrival of the last healthy one (at most --timeout seconds; when
//            that runs out ours is rated on what arrived and the run is marked incomplete). Each
//            healthy receiver must get exactly the events queued for it.
//   peer     the bodies the healthy receivers got in "ours", each receiver's in arrival order, posted
//            to the same receivers' /peer by one virtual thread per receiver, one after the other
//            (the server delivers a subscription's events one at a time too) over one HttpClient
//            (HTTP/1.1), after an untimed warm-up of the warm-up bodies: peer = posts / seconds.
//   latency  all 20 subscriptions active (the failing one backing off, the slow one still slow):
//            --rate events/s for --latency-seconds, round-robin over the 20, each call started on
//            its own schedule (open loop); for the healthy receivers the delay from just before the
//            call that queued an event (its answer's eventId is the webhook-id) to its arrival:
//            p50/p99/max. Events still missing --latency-wait seconds after the last call count
//            with the time waited (a lower bound) and are reported.
// Then GET /campaigns/webhooks/summary goes to stderr.
//
// Progress on stderr; result lines on stdout, key=value:
//   setup: receivers=20 healthy=18 failing=1 slow=1 seconds=<s>
//   warmup: events=<n> seconds=<s> complete=<0|1>
//   queue: events=<n> seconds=<s> rate=<events/s> threads=<n>
//   ours: deliveries=<n> expected=<n> seconds=<s> rate=<deliveries/s> complete=<0|1> missing=<n> first=<s> inversions=<n> failing_requests=<n> failing_events=<n> slow_requests=<n>
//   peer: deliveries=<n> seconds=<s> rate=<deliveries/s> failed=<n> repeated=<n> warmup=<n>
//   latency: events=<n> healthy=<n> arrived=<n> missing=<n> p50=<ms> p99=<ms> max=<ms> queue_p99=<ms> inversions=<n> failing_requests=<n> slow_requests=<n>
//   checks: signed=<n> bad_signatures=<n> stale_timestamps=<n> duplicates=<n> unknown=<n> no_id=<n>
// Exit code 0 when the run got to the end (whatever the figures: the script judges them), 2 when
// it could not (an API call failed, bad arguments, ...).

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class WebhookBench {

    static final int RECEIVERS = 20;
    static final int FAILING = 18; // receiver 18 always answers 500
    static final int SLOW = 19;    // receiver 19 answers 200 after --slow-seconds
    static final int HEALTHY = 18; // receivers 0..17
    /** A Standard Webhooks receiver rejects a timestamp further than this from its own clock. */
    static final long TOLERANCE_SECONDS = 300;
    static final Duration API_TIMEOUT = Duration.ofSeconds(60);
    static final Duration PEER_TIMEOUT = Duration.ofSeconds(10); // the server's own delivery timeout
    static final long WARMUP_TIMEOUT_S = 300;
    static final long PEER_BOUND_S = 600;

    /** The first arrival of one webhook-id at a receiver. */
    record Arrival(long nanos, long epochSecond, String timestamp, String signature, byte[] body) {}

    /** One receiver: an HTTP server on its own port, with what arrived at it. */
    static final class Receiver {
        final int index;
        final String kind; // healthy, failing, slow
        final long sleepMillis;
        final HttpServer server;
        final ConcurrentHashMap<String, Arrival> arrivals = new ConcurrentHashMap<>();
        final AtomicLong requests = new AtomicLong();   // every POST /hook, retries and repeats included
        final AtomicLong distinct = new AtomicLong();   // POST /hook with a webhook-id not seen before
        final AtomicLong repeats = new AtomicLong();    // POST /hook with a webhook-id seen before
        final AtomicLong noId = new AtomicLong();       // POST /hook without a webhook-id
        final AtomicLong peerPosts = new AtomicLong();  // POST /peer
        String subscriptionId;
        byte[] key; // the decoded secret

        Receiver(int index, String kind, long sleepMillis) throws IOException {
            this.index = index;
            this.kind = kind;
            this.sleepMillis = sleepMillis;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/hook", this::hook);
            server.createContext("/peer", this::peer);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        String url(String path) {
            return "http://127.0.0.1:" + port() + path;
        }

        void hook(HttpExchange ex) throws IOException {
            try (ex) {
                byte[] body = ex.getRequestBody().readAllBytes();
                long t = System.nanoTime();
                requests.incrementAndGet();
                var h = ex.getRequestHeaders();
                String id = h.getFirst("webhook-id");
                if (id == null) {
                    noId.incrementAndGet();
                } else if (arrivals.putIfAbsent(id, new Arrival(t, System.currentTimeMillis() / 1000, h.getFirst("webhook-timestamp"),
                        h.getFirst("webhook-signature"), body)) == null) {
                    distinct.incrementAndGet();
                } else {
                    repeats.incrementAndGet();
                }
                if (kind.equals("failing")) {
                    ex.sendResponseHeaders(500, -1);
                    return;
                }
                if (sleepMillis > 0) {
                    try {
                        Thread.sleep(sleepMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                ex.sendResponseHeaders(200, -1);
            }
        }

        void peer(HttpExchange ex) throws IOException {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                peerPosts.incrementAndGet();
                ex.sendResponseHeaders(200, -1);
            }
        }
    }

    /** Events queued through the API: event i went to receiver target[i] as id[i], its call ran from start[i] to end[i] (nanoTime). */
    record Queued(int[] target, String[] id, long[] start, long[] end, double seconds) {
        int size() {
            return target.length;
        }

        /** The event indexes of one receiver, in queueing order. */
        List<Integer> of(int receiver) {
            var out = new ArrayList<Integer>();
            for (int i = 0; i < target.length; i++) if (target[i] == receiver) out.add(i);
            return out;
        }
    }

    static String base;
    static String apiKey;
    static final HttpClient API = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
            .build();
    static final List<Receiver> receivers = new ArrayList<>();

    public static void main(String[] args) {
        try {
            run(parse(args));
        } catch (Throwable e) {
            System.err.println("ERROR: " + e);
            e.printStackTrace(System.err);
            System.out.flush();
            Runtime.getRuntime().halt(2);
        }
        System.out.flush();
        // the receivers' server threads are not daemons; a delivery may still be sleeping in the slow one
        Runtime.getRuntime().halt(0);
    }

    static void run(Map<String, String> a) throws Exception {
        base = required(a, "base");
        apiKey = Files.readString(Path.of(required(a, "key-file"))).strip();
        int events = Integer.parseInt(a.getOrDefault("events", "100000"));
        int rate = Integer.parseInt(a.getOrDefault("rate", "200"));
        int latencySeconds = Integer.parseInt(a.getOrDefault("latency-seconds", "15"));
        long latencyWait = Long.parseLong(a.getOrDefault("latency-wait", "60"));
        long timeout = Long.parseLong(a.getOrDefault("timeout", "600"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "2000"));
        int queueThreads = Integer.parseInt(a.getOrDefault("queue-threads", "8"));
        double slowSeconds = Double.parseDouble(a.getOrDefault("slow-seconds", "5"));
        if (events < RECEIVERS || rate < 1 || latencySeconds < 1 || timeout < 1 || warmup < 0 || queueThreads < 1 || slowSeconds < 0) {
            throw new IllegalArgumentException("bad arguments: " + a);
        }
        // Receivers: TCP_NODELAY on (no Nagle stalls on the answers), and idle keep-alive
        // connections kept 5 minutes (the JDK's default is 30 s) so the pauses between the phases do
        // not close connections that the server's client may be about to reuse.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        System.setProperty("sun.net.httpserver.idleInterval", "300");

        // ---- setup: receivers and one subscription each ----
        long t0 = System.nanoTime();
        for (int i = 0; i < RECEIVERS; i++) {
            String kind = i == FAILING ? "failing" : i == SLOW ? "slow" : "healthy";
            receivers.add(new Receiver(i, kind, i == SLOW ? Math.round(slowSeconds * 1000) : 0));
        }
        for (Receiver r : receivers) {
            String body = "{\"url\":\"" + r.url("/hook") + "\",\"eventTypes\":[\"email_sent\"],\"description\":\"bench webhooks receiver "
                    + r.index + " (" + r.kind + ")\"}";
            String out = api("POST", "/campaigns/webhooks/subscriptions", body);
            r.subscriptionId = str(out, "id");
            String secret = str(out, "secret");
            if (r.subscriptionId == null || secret == null) throw new IllegalStateException("no id or secret in " + abbreviate(out));
            r.key = Base64.getDecoder().decode(secret.startsWith("whsec_") ? secret.substring(6) : secret);
        }
        log("setup: 20 receivers on 127.0.0.1 ports %d..%d (18 healthy, #%d failing with 500, #%d slow: %.1fs), one subscription each, %.2fs",
                receivers.getFirst().port(), receivers.getLast().port(), FAILING, SLOW, slowSeconds, secs(t0));
        result("setup: receivers=%d healthy=%d failing=1 slow=1 seconds=%.3f", RECEIVERS, HEALTHY, secs(t0));

        // ---- warm-up (untimed): test events to the healthy subscriptions, delivered ----
        Queued warm = null;
        if (warmup > 0) {
            int[] target = new int[warmup];
            for (int i = 0; i < warmup; i++) target[i] = i % HEALTHY;
            long w0 = System.nanoTime();
            warm = queue(target, queueThreads, "warm-up");
            boolean done = waitFor(warm, HEALTHY, System.nanoTime(), WARMUP_TIMEOUT_S, "warm-up") > 0;
            if (!done) log("WARNING: the warm-up events did not all arrive within %ds; going on", WARMUP_TIMEOUT_S);
            log("warm-up: %d events to the healthy subscriptions queued and delivered in %.2fs (untimed)", warmup, secs(w0));
            result("warmup: events=%d seconds=%.3f complete=%d", warmup, secs(w0), done ? 1 : 0);
        } else {
            result("warmup: events=0 seconds=0 complete=1");
        }

        // ---- ours: pause all, queue, resume all, time the healthy deliveries ----
        for (Receiver r : receivers) api("POST", "/campaigns/webhooks/subscriptions/" + r.subscriptionId + "/pause", null);
        long failingBefore = receivers.get(FAILING).requests.get();
        long failingDistinctBefore = receivers.get(FAILING).distinct.get();
        long slowBefore = receivers.get(SLOW).requests.get();
        int[] target = new int[events];
        for (int i = 0; i < events; i++) target[i] = i % RECEIVERS;
        log("ours: all 20 subscriptions paused; queueing %d test events (%d per subscription) with %d threads", events, events / RECEIVERS,
                queueThreads);
        Queued main = queue(target, queueThreads, "queue");
        log("ours: queued %d events in %.2fs (%.1f events/s)", events, main.seconds(), events / main.seconds());
        result("queue: events=%d seconds=%.3f rate=%.1f threads=%d", events, main.seconds(), events / main.seconds(), queueThreads);
        long resumeAt = System.nanoTime();
        for (Receiver r : receivers) api("POST", "/campaigns/webhooks/subscriptions/" + r.subscriptionId + "/resume", null);
        log("ours: all 20 resumed in %.3fs; waiting (at most %ds) for the healthy receivers' %d events", secs(resumeAt), timeout,
                healthyCount(main));
        long end = waitFor(main, HEALTHY, resumeAt, timeout, "ours");
        boolean complete = end > 0;
        if (!complete) end = System.nanoTime();
        long delivered = 0;
        long expected = healthyCount(main);
        long first = Long.MAX_VALUE;
        int inversions = 0;
        for (int r = 0; r < HEALTHY; r++) {
            var rec = receivers.get(r);
            for (int i : main.of(r)) {
                var arr = rec.arrivals.get(main.id()[i]);
                if (arr == null) continue;
                delivered++;
                first = Math.min(first, arr.nanos());
            }
        }
        for (int r = 0; r < RECEIVERS; r++) if (r != FAILING) inversions += inversions(receivers.get(r), main, main.of(r));
        double oursSeconds = (end - resumeAt) / 1e9;
        double oursRate = delivered / oursSeconds;
        long failingRequests = receivers.get(FAILING).requests.get() - failingBefore;
        long failingEvents = receivers.get(FAILING).distinct.get() - failingDistinctBefore;
        long slowRequests = receivers.get(SLOW).requests.get() - slowBefore;
        log("ours: %d of %d healthy deliveries in %.3fs: %.1f deliveries/s%s (failing receiver: %d attempts for %d of its %d events; slow: %d)",
                delivered, expected, oursSeconds, oursRate, complete ? "" : " -- INCOMPLETE, timed out", failingRequests, failingEvents,
                events / RECEIVERS, slowRequests);
        result("ours: deliveries=%d expected=%d seconds=%.3f rate=%.1f complete=%d missing=%d first=%s inversions=%d failing_requests=%d "
                        + "failing_events=%d slow_requests=%d", delivered, expected, oursSeconds, oursRate, complete ? 1 : 0, expected - delivered,
                first == Long.MAX_VALUE ? "n/a" : String.format("%.3f", (first - resumeAt) / 1e9), inversions, failingRequests, failingEvents,
                slowRequests);

        // ---- peer: the same bodies, a bare HttpClient loop per healthy receiver ----
        var peerBodies = new ArrayList<List<byte[]>>();
        int repeated = 0;
        for (int r = 0; r < HEALTHY; r++) {
            var list = bodiesInArrivalOrder(receivers.get(r), main, main.of(r));
            int want = main.of(r).size();
            if (list.isEmpty()) {
                // ours delivered none of them: a body of the same shape as the server's test events
                list.add(("{\"type\":\"test\",\"timestamp\":\"" + java.time.Instant.now() + "\",\"data\":{\"subscriptionId\":\""
                        + receivers.get(r).subscriptionId + "\",\"message\":\"This is a test event from Outreach2day.\"}}")
                        .getBytes(StandardCharsets.UTF_8));
                repeated++;
            }
            // what ours did not deliver (timed out): the delivered bodies again, so the peer posts as many
            for (int k = 0; list.size() < want; k++) {
                list.add(list.get(k));
                repeated++;
            }
            peerBodies.add(list);
        }
        var peer = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(PEER_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        int peerWarm = 0;
        if (warm != null) {
            var warmBodies = new ArrayList<List<byte[]>>();
            for (int r = 0; r < HEALTHY; r++) {
                var list = bodiesInArrivalOrder(receivers.get(r), warm, warm.of(r));
                warmBodies.add(list);
                peerWarm += list.size();
            }
            long w0 = System.nanoTime();
            long[] res = postAll(peer, warmBodies);
            log("peer: warm-up of %d posts in %.2fs (untimed, %d failed)", peerWarm, secs(w0), res[1]);
        }
        long p0 = System.nanoTime();
        long[] res = postAll(peer, peerBodies);
        double peerSeconds = secs(p0);
        double peerRate = res[0] / peerSeconds;
        log("peer: %d posts to 18 receivers, one thread each, in %.3fs: %.1f deliveries/s (%d failed%s)", res[0], peerSeconds, peerRate,
                res[1], repeated > 0 ? ", " + repeated + " bodies reused (or, where a receiver got none, made up) because ours did not deliver them" : "");
        result("peer: deliveries=%d seconds=%.3f rate=%.1f failed=%d repeated=%d warmup=%d", res[0], peerSeconds, peerRate, res[1], repeated,
                peerWarm);

        // ---- latency: a fixed rate round-robin over all 20, all active ----
        int n = rate * latencySeconds;
        long failingBefore2 = receivers.get(FAILING).requests.get();
        long slowBefore2 = receivers.get(SLOW).requests.get();
        log("latency: %d events at %d/s for %ds, round-robin over the 20 subscriptions (all active; the failing one backing off)", n, rate,
                latencySeconds);
        int[] t2 = new int[n];
        for (int i = 0; i < n; i++) t2[i] = i % RECEIVERS;
        Queued lat = queueAtRate(t2, rate);
        long lastCall = Arrays.stream(lat.end()).max().orElse(System.nanoTime());
        long done2 = waitFor(lat, HEALTHY, lastCall, latencyWait, "latency");
        long waitEnd = done2 > 0 ? done2 : System.nanoTime();
        var delays = new ArrayList<Double>();
        int arrived = 0;
        int missing = 0;
        for (int r = 0; r < HEALTHY; r++) {
            for (int i : lat.of(r)) {
                var arr = receivers.get(r).arrivals.get(lat.id()[i]);
                if (arr != null) {
                    arrived++;
                    delays.add((arr.nanos() - lat.start()[i]) / 1e6);
                } else {
                    missing++;
                    delays.add((waitEnd - lat.start()[i]) / 1e6); // a lower bound
                }
            }
        }
        int inv2 = 0;
        for (int r = 0; r < RECEIVERS; r++) if (r != FAILING) inv2 += inversions(receivers.get(r), lat, lat.of(r));
        delays.sort(null);
        var calls = new ArrayList<Double>();
        for (int i = 0; i < n; i++) calls.add((lat.end()[i] - lat.start()[i]) / 1e6);
        calls.sort(null);
        long failingRequests2 = receivers.get(FAILING).requests.get() - failingBefore2;
        long slowRequests2 = receivers.get(SLOW).requests.get() - slowBefore2;
        log("latency: %d of %d healthy events arrived (%d missing after %ds): p50 %.1f ms, p99 %.1f ms, max %.1f ms; queue calls p99 %.1f ms; "
                        + "failing receiver %d attempts, slow %d, meanwhile", arrived, arrived + missing, missing, latencyWait, pct(delays, 50),
                pct(delays, 99), delays.getLast(), pct(calls, 99), failingRequests2, slowRequests2);
        result("latency: events=%d healthy=%d arrived=%d missing=%d p50=%.1f p99=%.1f max=%.1f queue_p99=%.1f inversions=%d failing_requests=%d "
                        + "slow_requests=%d", n, arrived + missing, arrived, missing, pct(delays, 50), pct(delays, 99), delays.getLast(),
                pct(calls, 99), inv2, failingRequests2, slowRequests2);

        // ---- the server's view ----
        try {
            log("server summary: GET /campaigns/webhooks/summary -> %s", api("GET", "/campaigns/webhooks/summary", null));
        } catch (RuntimeException e) {
            log("WARNING: GET /campaigns/webhooks/summary failed: %s", e.getMessage());
        }

        // ---- checks over every first arrival: signature, timestamp, known ids, repeats ----
        var known = new HashSet<String>();
        for (Queued q : new Queued[] {warm, main, lat}) if (q != null) known.addAll(Arrays.asList(q.id()));
        long signed = 0, bad = 0, stale = 0, unknown = 0, duplicates = 0, noId = 0;
        var badExamples = new ArrayList<String>();
        for (Receiver r : receivers) {
            noId += r.noId.get();
            if (!r.kind.equals("failing")) duplicates += r.repeats.get(); // the failing one's repeats are retries
            for (var e : r.arrivals.entrySet()) {
                signed++;
                var arr = e.getValue();
                if (!known.contains(e.getKey())) unknown++;
                if (!verify(r.key, e.getKey(), arr.timestamp(), arr.signature(), arr.body())) {
                    bad++;
                    if (badExamples.size() < 3) badExamples.add("receiver " + r.index + " id " + e.getKey() + " ts " + arr.timestamp() + " sig "
                            + arr.signature());
                } else {
                    try {
                        if (Math.abs(Long.parseLong(arr.timestamp()) - arr.epochSecond()) > TOLERANCE_SECONDS) stale++;
                    } catch (NumberFormatException ex) {
                        stale++;
                    }
                }
            }
        }
        for (String b : badExamples) log("bad signature: %s", b);
        log("checks: %d deliveries verified, %d bad signatures, %d stale timestamps (> %ds off), %d repeats at non-failing receivers, "
                + "%d unknown ids, %d without webhook-id", signed, bad, stale, TOLERANCE_SECONDS, duplicates, unknown, noId);
        result("checks: signed=%d bad_signatures=%d stale_timestamps=%d duplicates=%d unknown=%d no_id=%d", signed, bad, stale, duplicates, unknown,
                noId);
        for (Receiver r : receivers) r.server.stop(0);
    }

    // ---- queueing through the API ----

    /** Queues target.length test events, `threads` calls at once, each thread taking the next event in order. */
    static Queued queue(int[] target, int threads, String what) throws InterruptedException {
        int n = target.length;
        var q = new Queued(target, new String[n], new long[n], new long[n], 0);
        var next = new AtomicInteger();
        var errors = new ConcurrentLinkedQueue<Throwable>();
        long t0 = System.nanoTime();
        var workers = new ArrayList<Thread>();
        var progress = new AtomicLong(t0);
        for (int w = 0; w < threads; w++) {
            workers.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i; (i = next.getAndIncrement()) < n && errors.isEmpty(); ) {
                        queueOne(q, i);
                        long now = System.nanoTime(), last = progress.get();
                        if (now - last > 10_000_000_000L && progress.compareAndSet(last, now)) {
                            log("%s: %d of %d queued after %.1fs", what, i, n, (now - t0) / 1e9);
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread t : workers) t.join();
        if (!errors.isEmpty()) throw new IllegalStateException(what + ": queueing failed: " + errors.peek().getMessage(), errors.peek());
        return new Queued(target, q.id(), q.start(), q.end(), secs(t0));
    }

    /** Queues `rate` events a second, each call started at its own time on its own virtual thread (an open loop). */
    static Queued queueAtRate(int[] target, int rate) throws InterruptedException {
        int n = target.length;
        var q = new Queued(target, new String[n], new long[n], new long[n], 0);
        var errors = new ConcurrentLinkedQueue<Throwable>();
        var calls = new ArrayList<Thread>(n);
        long t0 = System.nanoTime() + 50_000_000L;
        for (int i = 0; i < n && errors.isEmpty(); i++) {
            long due = t0 + (long) i * 1_000_000_000L / rate;
            for (long wait; (wait = due - System.nanoTime()) > 0; ) LockSupport.parkNanos(wait);
            final int k = i;
            calls.add(Thread.ofVirtual().start(() -> {
                try {
                    queueOne(q, k);
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread t : calls) t.join();
        if (!errors.isEmpty()) throw new IllegalStateException("latency: queueing failed: " + errors.peek().getMessage(), errors.peek());
        return new Queued(target, q.id(), q.start(), q.end(), secs(t0));
    }

    static void queueOne(Queued q, int i) throws IOException, InterruptedException {
        String sub = receivers.get(q.target()[i]).subscriptionId;
        q.start()[i] = System.nanoTime();
        String out = api("POST", "/campaigns/webhooks/subscriptions/" + sub + "/test", null);
        q.end()[i] = System.nanoTime();
        String id = str(out, "eventId");
        if (id == null) throw new IllegalStateException("no eventId in " + abbreviate(out));
        q.id()[i] = id;
    }

    static long healthyCount(Queued q) {
        return Arrays.stream(q.target()).filter(t -> t < HEALTHY).count();
    }

    /**
     * Waits until every event of q that went to receivers 0..upTo-1 has arrived, at most limitS
     * seconds after `from`. Returns the nanoTime of the last of those arrivals, or -1 when time ran
     * out. Polls every 20 ms; each receiver's events are checked in queueing order from where the
     * previous poll stopped (arrivals never go away), so a poll costs little.
     */
    static long waitFor(Queued q, int upTo, long from, long limitS, String what) throws InterruptedException {
        var byReceiver = new ArrayList<List<Integer>>();
        for (int r = 0; r < upTo; r++) byReceiver.add(q.of(r));
        int[] cursor = new int[upTo]; // receiver r: its first cursor[r] events have all arrived
        long want = 0;
        for (var list : byReceiver) want += list.size();
        long deadline = from + limitS * 1_000_000_000L;
        long lastLog = System.nanoTime();
        long last = 0;
        while (true) {
            long got = 0;
            for (int r = 0; r < upTo; r++) {
                var rec = receivers.get(r);
                var list = byReceiver.get(r);
                for (Arrival arr; cursor[r] < list.size() && (arr = rec.arrivals.get(q.id()[list.get(cursor[r])])) != null; cursor[r]++) {
                    last = Math.max(last, arr.nanos());
                }
                got += cursor[r];
            }
            if (got == want) return last;
            long now = System.nanoTime();
            if (now >= deadline) return -1;
            if (now - lastLog > 10_000_000_000L) {
                lastLog = now;
                log("%s: at least %d of %d arrived at the healthy receivers after %.1fs; failing receiver %d attempts, slow one %d so far",
                        what, got, want, (now - from) / 1e9, receivers.get(FAILING).requests.get(), receivers.get(SLOW).requests.get());
            }
            Thread.sleep(20);
        }
    }

    /**
     * Deliveries out of event order at one receiver: events that arrived after an event whose
     * queueing call started only after theirs had returned (so was surely created later).
     */
    static int inversions(Receiver r, Queued q, List<Integer> events) {
        var arrived = new ArrayList<Integer>();
        for (int i : events) if (r.arrivals.containsKey(q.id()[i])) arrived.add(i);
        arrived.sort(Comparator.comparingLong(i -> r.arrivals.get(q.id()[i]).nanos()));
        long maxStart = Long.MIN_VALUE;
        int n = 0;
        for (int i : arrived) {
            if (q.end()[i] < maxStart) n++;
            maxStart = Math.max(maxStart, q.start()[i]);
        }
        return n;
    }

    static List<byte[]> bodiesInArrivalOrder(Receiver r, Queued q, List<Integer> events) {
        var arrivals = new ArrayList<Arrival>();
        for (int i : events) {
            var arr = r.arrivals.get(q.id()[i]);
            if (arr != null) arrivals.add(arr);
        }
        arrivals.sort(Comparator.comparingLong(Arrival::nanos));
        var out = new ArrayList<byte[]>();
        for (var arr : arrivals) out.add(arr.body());
        return out;
    }

    // ---- the peer ----

    /** Posts each receiver's bodies to its /peer, one virtual thread per receiver, one post after the other. Returns {ok, failed}. */
    static long[] postAll(HttpClient client, List<List<byte[]>> bodies) throws InterruptedException {
        var ok = new AtomicLong();
        var failed = new AtomicLong();
        var errors = new ConcurrentLinkedQueue<String>();
        long deadline = System.nanoTime() + PEER_BOUND_S * 1_000_000_000L;
        var threads = new ArrayList<Thread>();
        for (int r = 0; r < bodies.size(); r++) {
            URI uri = URI.create(receivers.get(r).url("/peer"));
            var list = bodies.get(r);
            threads.add(Thread.ofVirtual().start(() -> {
                for (byte[] body : list) {
                    if (System.nanoTime() > deadline) {
                        errors.add("the peer did not finish within " + PEER_BOUND_S + "s");
                        return;
                    }
                    try {
                        var req = HttpRequest.newBuilder(uri).timeout(PEER_TIMEOUT).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                        var resp = client.send(req, HttpResponse.BodyHandlers.discarding());
                        if (resp.statusCode() == 200) ok.incrementAndGet();
                        else failed.incrementAndGet();
                    } catch (IOException e) {
                        failed.incrementAndGet();
                        if (errors.size() < 3) errors.add(e.toString());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        for (String e : errors) log("peer: %s", e);
        if (errors.stream().anyMatch(e -> e.startsWith("the peer did not finish"))) throw new IllegalStateException(errors.peek());
        return new long[] {ok.get(), failed.get()};
    }

    // ---- Standard Webhooks signature ----

    /** True when one v1 entry of the signature header is base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)). */
    static boolean verify(byte[] key, String id, String timestamp, String header, byte[] body) {
        if (key == null || id == null || timestamp == null || header == null) return false;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            byte[] expected = Base64.getEncoder().encode(mac.doFinal(body));
            for (String entry : header.trim().split("\\s+")) {
                if (entry.startsWith("v1,") && MessageDigest.isEqual(expected, entry.substring(3).getBytes(StandardCharsets.US_ASCII))) {
                    return true;
                }
            }
            return false;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- small helpers ----

    /** An API call with the bootstrap key; any status but 2xx throws. Returns the body. */
    static String api(String method, String path, String json) throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(API_TIMEOUT).header("Authorization", "Bearer " + apiKey);
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        var r = API.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + abbreviate(r.body()));
        return r.body();
    }

    /** The first "key":"value" of a JSON text. */
    static String str(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    /** The p-th percentile (nearest rank) of sorted values. */
    static double pct(List<Double> sorted, double p) {
        if (sorted.isEmpty()) return Double.NaN;
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static double secs(long fromNanos) {
        return (System.nanoTime() - fromNanos) / 1e9;
    }

    static String abbreviate(String s) {
        return s == null ? "" : s.length() > 500 ? s.substring(0, 500) + "…" : s;
    }

    static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss");

    static void log(String fmt, Object... args) {
        System.err.println("[" + LocalTime.now().format(HMS) + "] " + String.format(fmt, args));
    }

    static void result(String fmt, Object... args) {
        System.out.println(String.format(fmt, args));
        System.out.flush();
    }

    static Map<String, String> parse(String[] args) {
        var m = new HashMap<String, String>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --name value, got " + args[i]);
            m.put(args[i].substring(2), args[i + 1]);
        }
        return m;
    }

    static String required(Map<String, String> a, String k) {
        String v = a.get(k);
        if (v == null) throw new IllegalArgumentException("--" + k + " is required");
        return v;
    }
}
