package dev.outreach2day.contact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

class ContactChangesTest extends IntegrationTest {

    @Autowired
    Contacts contacts;

    @Autowired
    TransactionTemplate tx;

    /** A reader of the changes feed that checks, on every page, that change numbers only ever go up. */
    static final class FeedReader {
        final Api api;
        final String path;
        String cursor;
        long lastSeq;
        int polls;
        int received;
        final Map<String, Long> latest = new HashMap<>();
        final List<String> order = new ArrayList<>();

        FeedReader(Api api, String campaign) {
            this.api = api;
            this.path = "/campaigns/" + campaign + "/contacts/changes";
        }

        /** One page; returns hasMore. */
        boolean poll(int limit) {
            var r = api.get(path + "?limit=" + limit + (cursor == null ? "" : "&since=" + cursor));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode page = r.json();
            polls++;
            for (JsonNode c : page.get("contacts")) {
                long seq = c.get("changeSeq").asLong();
                assertThat(seq).as("change numbers strictly increase across pages (no repeats)").isGreaterThan(lastSeq);
                lastSeq = seq;
                latest.put(c.get("id").asString(), seq);
                order.add(c.get("email").asString() + "@" + seq);
                received++;
            }
            assertThat(page.get("next_cursor").isNull()).as("the feed always hands out a cursor").isFalse();
            cursor = page.get("next_cursor").asString();
            return page.get("hasMore").asBoolean();
        }

        void drain(int limit) {
            while (poll(limit)) {
                // keep reading
            }
        }
    }

    static String add(List<Map<String, Object>> list) {
        return Api.JSON.writeValueAsString(Map.of("contacts", list));
    }

    /** Every contact of the campaign with its current change number, read through the facade. */
    Map<String, Long> finalSeqs(long ws, String campaign) {
        var out = new HashMap<String, Long>();
        contacts.page(ws, campaign, null, 10_000).forEach(c -> out.put(c.id(), c.changeSeq()));
        return out;
    }

    @Test
    void pagesFollowChangesInOrderAndSkipUnchangedWrites() {
        var t = newTenant();
        var api = api(t);
        String campaign = TestCampaigns.create(t.workspaceId());
        String contactsPath = "/campaigns/" + campaign + "/contacts";
        var five = IntStream.range(0, 5).mapToObj(i -> Map.<String, Object>of("email", "f" + i + "@feed.example")).toList();
        assertThat(api.post(contactsPath, add(five)).json().get("added").asInt()).isEqualTo(5);

        var reader = new FeedReader(api, campaign);
        assertThat(reader.poll(2)).isTrue();
        assertThat(reader.poll(2)).isTrue();
        assertThat(reader.poll(2)).isFalse();
        assertThat(reader.received).isEqualTo(5);
        assertThat(reader.order).extracting(s -> s.substring(0, s.indexOf("@feed")))
                .containsExactly("f0", "f1", "f2", "f3", "f4");
        assertThat(reader.poll(2)).isFalse();
        assertThat(reader.received).as("nothing new").isEqualTo(5);

        // an update shows the contact again with a higher number; an identical write does not
        api.post(contactsPath, add(List.of(Map.of("email", "f1@feed.example", "firstName", "Changed"))));
        api.post(contactsPath, add(List.of(Map.of("email", "f3@feed.example"))));
        long before = reader.lastSeq;
        reader.poll(50);
        assertThat(reader.received).isEqualTo(6);
        assertThat(reader.order.getLast()).startsWith("f1@feed.example@");
        assertThat(reader.lastSeq).isGreaterThan(before);

        // progress from the sending side is a change too; the same progress again is not
        String f2 = contacts.page(t.workspaceId(), campaign, null, 10).get(2).id();
        contacts.updateProgress(t.workspaceId(), f2, "in_progress", 1, Instant.parse("2030-01-02T10:00:00Z"), null);
        contacts.updateProgress(t.workspaceId(), f2, "in_progress", 1, Instant.parse("2030-01-02T10:00:00Z"), null);
        reader.poll(50);
        assertThat(reader.received).isEqualTo(7);
        assertThat(reader.latest).isEqualTo(finalSeqs(t.workspaceId(), campaign));

        // a first page without 'since' starts from the beginning again
        var fresh = new FeedReader(api, campaign);
        fresh.drain(3);
        assertThat(fresh.latest).isEqualTo(reader.latest);
        assertThat(fresh.received).isEqualTo(5);

        var forged = api.get("/campaigns/" + campaign + "/contacts/changes?since=" + reader.cursor.replace('.', '-'));
        assertThat(forged.status()).isEqualTo(422);
        assertThat(forged.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"query\",\"since\"]");
        String other = TestCampaigns.create(t.workspaceId());
        assertThat(api.get("/campaigns/" + other + "/contacts/changes?since=" + reader.cursor).status())
                .as("a cursor of another campaign's feed").isEqualTo(422);
    }

    /**
     * 8 writers (HTTP upserts of overlapping contacts, plus progress updates through the facade)
     * while a reader keeps paging from its last cursor: the reader never sees a number twice or
     * out of order, and after a final drain it has every contact at its final version.
     */
    @Test
    void theFeedHasNoGapsWhileContactsAreWrittenConcurrently() throws Exception {
        var t = newTenant();
        var api = api(t);
        long ws = t.workspaceId();
        String campaign = TestCampaigns.create(ws);
        String contactsPath = "/campaigns/" + campaign + "/contacts";
        List<String> pool = IntStream.range(0, 40).mapToObj(i -> "c" + i + "@race.example").toList();
        var failures = new ConcurrentLinkedQueue<String>();
        var writersDone = new AtomicBoolean();
        var reader = new FeedReader(api, campaign);
        int pollsWhileWriting;

        try (ExecutorService pool8 = Executors.newVirtualThreadPerTaskExecutor()) {
            var readerDone = CompletableFuture.runAsync(() -> {
                while (!writersDone.get()) reader.poll(7);
            }, pool8);
            var writers = new ArrayList<CompletableFuture<Void>>();
            for (int w = 0; w < 8; w++) {
                int writer = w;
                writers.add(CompletableFuture.runAsync(() -> {
                    var rnd = ThreadLocalRandom.current();
                    for (int i = 0; i < 25; i++) {
                        if (i % 5 == 4) {
                            var page = contacts.page(ws, campaign, null, 100);
                            if (!page.isEmpty()) {
                                var c = page.get(rnd.nextInt(page.size()));
                                contacts.updateProgress(ws, c.id(), "in_progress", rnd.nextInt(1, 5),
                                        Instant.now().plusSeconds(rnd.nextInt(1000)), Instant.now());
                            }
                            continue;
                        }
                        var batch = new ArrayList<Map<String, Object>>();
                        for (int k = 0; k < 4; k++) {
                            batch.add(Map.of("email", pool.get(rnd.nextInt(pool.size())),
                                    "firstName", "w" + writer + "-" + i + "-" + k,
                                    "customFields", Map.of("round", Integer.toString(i))));
                        }
                        var r = api.post(contactsPath, add(batch));
                        if (r.status() != 200) failures.add(r.toString());
                    }
                }, pool8));
            }
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            writersDone.set(true);
            readerDone.get(30, TimeUnit.SECONDS);
            pollsWhileWriting = reader.polls;
        }
        assertThat(failures).isEmpty();
        reader.drain(7);

        Map<String, Long> expected = finalSeqs(ws, campaign);
        assertThat(expected).isNotEmpty();
        assertThat(reader.latest.keySet()).as("every contact was seen").isEqualTo(expected.keySet());
        assertThat(reader.latest).as("the last version seen of each contact is its final one").isEqualTo(expected);
        assertThat(pollsWhileWriting).as("the reader really read while writers wrote").isGreaterThan(1);
        assertThat(reader.received).isGreaterThanOrEqualTo(expected.size());
    }

    /**
     * The mechanism itself: a writer that holds its change number uncommitted makes later
     * writers of the same campaign wait, so a reader can never see a later number first.
     */
    @Test
    void anUncommittedChangeHoldsBackLaterWritersOfTheCampaign() throws Exception {
        var t = newTenant();
        var api = api(t);
        long ws = t.workspaceId();
        String campaign = TestCampaigns.create(ws);
        String contactsPath = "/campaigns/" + campaign + "/contacts";
        api.post(contactsPath, add(List.of(Map.of("email", "slow@hold.example"))));
        String otherCampaign = TestCampaigns.create(ws);
        var reader = new FeedReader(api, campaign);
        reader.drain(50);
        String slow = contacts.page(ws, campaign, null, 1).getFirst().id();

        var held = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            var slowWriter = threads.submit(() -> tx.executeWithoutResult(s -> {
                contacts.updateProgress(ws, slow, "in_progress", 1, Instant.parse("2030-01-01T00:00:00Z"), null);
                held.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
            var fastWriter = threads.submit(() -> api.post(contactsPath, add(List.of(Map.of("email", "fast@hold.example")))));
            Thread.sleep(400);
            assertThat(fastWriter.isDone()).as("the later writer waits for the earlier one's commit").isFalse();
            assertThat(reader.poll(50)).isFalse();
            assertThat(reader.received).as("nothing is visible while the earlier change is uncommitted").isEqualTo(1);
            // other campaigns are not held back
            var elsewhere = api.post("/campaigns/" + otherCampaign + "/contacts", add(List.of(Map.of("email", "x@hold.example"))));
            assertThat(elsewhere.status()).isEqualTo(200);

            release.countDown();
            slowWriter.get(10, TimeUnit.SECONDS);
            assertThat(fastWriter.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        reader.drain(50);
        assertThat(reader.order).hasSize(3);
        assertThat(reader.order.get(1)).startsWith("slow@hold.example@");
        assertThat(reader.order.get(2)).startsWith("fast@hold.example@");
        assertThat(reader.latest).isEqualTo(finalSeqs(ws, campaign));
    }
}
