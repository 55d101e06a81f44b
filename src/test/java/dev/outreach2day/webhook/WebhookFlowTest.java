package dev.outreach2day.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.TestClock;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A receiver on loopback that is down, then answers 500, then 200: every event arrives, first
 * attempts in event order, with the same webhook-id on every retry, signed so that an
 * independent HMAC check (written here, not our signing code) verifies it; a delivery left
 * mid-attempt by a dead process is delivered again; rotation signs with both secrets for a while;
 * 410 disables the subscription.
 */
class WebhookFlowTest extends IntegrationTest {

    @Autowired WebhookOutbox outbox;
    @Autowired TestClock clock;
    @Autowired org.springframework.jdbc.core.simple.JdbcClient jdbc;

    record Received(String id, String timestamp, String signature, String body, int answered) {}

    /** An HTTP receiver whose answer can be switched; it records every request. */
    static final class Receiver implements AutoCloseable {
        final int port;
        final List<Received> received = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger answer = new AtomicInteger(200);
        HttpServer server;

        Receiver() throws Exception {
            try (var s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
        }

        void start() throws Exception {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/hook", ex -> {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                int code = answer.get();
                received.add(new Received(ex.getRequestHeaders().getFirst("webhook-id"), ex.getRequestHeaders().getFirst("webhook-timestamp"),
                        ex.getRequestHeaders().getFirst("webhook-signature"), body, code));
                byte[] out = ("answer " + code).getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(code, out.length);
                ex.getResponseBody().write(out);
                ex.close();
            });
            server.start();
        }

        @Override
        public void close() {
            if (server != null) server.stop(0);
        }
    }

    /** Standard Webhooks verification written independently of WebhookSignature: HMAC-SHA256 over id.timestamp.body. */
    static boolean verifies(String secret, Received r) throws Exception {
        var mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        String expected = "v1," + Base64.getEncoder().encodeToString(
                mac.doFinal((r.id() + "." + r.timestamp() + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
        for (String part : r.signature().split(" ")) if (part.equals(expected)) return true;
        return false;
    }

    @Test
    void everyEventArrivesSignedThroughOutagesAndErrors() throws Exception {
        var tenant = newTenant();
        Api api = api(tenant);
        try (var receiver = new Receiver()) {
            String url = "http://127.0.0.1:" + receiver.port + "/hook";
            var created = api.post("/campaigns/webhooks/subscriptions", "{\"url\":\"" + url + "\",\"eventTypes\":[\"email_sent\",\"lead_interested\"],"
                    + "\"description\":\"CRM\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String sub = created.json().get("subscription").get("id").asString();
            String secret = created.json().get("secret").asString();
            assertThat(secret).startsWith("whsec_");
            assertThat(api.get("/campaigns/webhooks/subscriptions/" + sub).body()).doesNotContain(secret.substring(6));
            assertThat(jdbc.sql("SELECT secret FROM webhook_subscriptions WHERE id = :id").param("id", sub).query(String.class).single())
                    .as("stored sealed, never in clear").doesNotContain(secret.substring(6));

            // five events while the receiver is down (nothing listens on its port)
            var events = new ArrayList<String>();
            for (int i = 0; i < 5; i++) {
                events.add(outbox.publish(tenant.workspaceId(), "email_sent", null, Map.of("n", i), null));
            }
            outbox.publish(tenant.workspaceId(), "lead_not_interested", null, Map.of("n", 99), null); // not subscribed
            assertThat(api.post("/campaigns/webhooks/dispatch", null).json().get("attempted").asInt()).isEqualTo(5);
            var pending = api.get("/campaigns/webhooks/subscriptions/" + sub + "/deliveries?status=pending").json().get("deliveries");
            assertThat(pending).hasSize(5);
            assertThat(pending.get(0).get("attempts").asInt()).isEqualTo(1);
            assertThat(pending.get(0).get("lastError").asString()).isNotBlank();

            // the receiver comes up but fails: retried after 5 s
            receiver.answer.set(500);
            receiver.start();
            assertThat(api.post("/campaigns/webhooks/dispatch", null).json().get("attempted").asInt()).as("not due yet").isZero();
            clock.advance(Duration.ofSeconds(6));
            assertThat(api.post("/campaigns/webhooks/dispatch", null).json().get("attempted").asInt()).isEqualTo(5);
            var ids500 = receiver.received.stream().map(Received::id).toList();
            assertThat(ids500).as("first arrivals in event order").containsExactlyElementsOf(events);

            // a lane a dead process held (its lease ended) is taken over: its deliveries are made (at least once)
            jdbc.sql("UPDATE webhook_subscriptions SET lane_node = 'dead', lane_until = :past WHERE id = :sub")
                    .param("past", java.sql.Timestamp.from(clock.instant().minusSeconds(60))).param("sub", sub).update();

            // healthy again: everything arrives
            receiver.answer.set(200);
            clock.advance(Duration.ofMinutes(6));
            api.post("/campaigns/webhooks/dispatch", null);
            var delivered = api.get("/campaigns/webhooks/subscriptions/" + sub + "/deliveries?status=succeeded").json().get("deliveries");
            assertThat(delivered).hasSize(5);
            // paged two at a time: the same five as one page, in the same order (event ids, newest first), none twice
            var paged = new ArrayList<String>();
            String cursor = null;
            do {
                var page = api.get("/campaigns/webhooks/subscriptions/" + sub + "/deliveries?status=succeeded&limit=2"
                        + (cursor == null ? "" : "&cursor=" + cursor)).json();
                page.get("deliveries").forEach(d -> paged.add(d.get("eventId").asString()));
                cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
            } while (cursor != null);
            var onePage = new ArrayList<String>();
            delivered.forEach(d -> onePage.add(d.get("eventId").asString()));
            assertThat(paged).containsExactlyElementsOf(onePage).containsExactlyInAnyOrderElementsOf(events);
            assertThat(paged).isSortedAccordingTo(java.util.Comparator.reverseOrder());
            var ok = receiver.received.stream().filter(r -> r.answered() == 200).toList();
            assertThat(new LinkedHashSet<>(ok.stream().map(Received::id).toList())).containsExactlyInAnyOrderElementsOf(events);
            for (Received r : receiver.received) {
                assertThat(verifies(secret, r)).as("signature of " + r.id()).isTrue();
                JsonNode body = Api.JSON.readTree(r.body());
                assertThat(body.get("type").asString()).isEqualTo("email_sent");
            }
            // the same webhook-id on retries: each event's id was seen with 500 and then with 200
            assertThat(receiver.received.stream().filter(r -> r.id().equals(events.get(0))).count()).isEqualTo(2);
            var summary = api.get("/campaigns/webhooks/summary").json();
            assertThat(summary.get("deliveries").get("succeeded").asLong()).isEqualTo(5);

            // rotation: for a while deliveries carry both signatures
            var rotated = api.post("/campaigns/webhooks/subscriptions/" + sub + "/rotate-secret", null).json();
            String newSecret = rotated.get("secret").asString();
            assertThat(newSecret).startsWith("whsec_").isNotEqualTo(secret);
            String test = api.post("/campaigns/webhooks/subscriptions/" + sub + "/test", null).json().get("eventId").asString();
            api.post("/campaigns/webhooks/dispatch", null);
            Received last = receiver.received.getLast();
            assertThat(last.id()).isEqualTo(test);
            assertThat(verifies(newSecret, last)).isTrue();
            assertThat(verifies(secret, last)).as("the old secret keeps verifying for 24 h").isTrue();
            assertThat(api.get("/campaigns/webhooks/events/" + test).json().get("event").get("type").asString()).isEqualTo("test");

            // pause: nothing is delivered; resume: the backlog goes out
            api.post("/campaigns/webhooks/subscriptions/" + sub + "/pause", null);
            String whilePaused = outbox.publish(tenant.workspaceId(), "email_sent", null, Map.of("n", 100), null);
            assertThat(api.post("/campaigns/webhooks/dispatch", null).json().get("attempted").asInt()).isZero();
            api.post("/campaigns/webhooks/subscriptions/" + sub + "/resume", null);
            api.post("/campaigns/webhooks/dispatch", null);
            assertThat(receiver.received.getLast().id()).isEqualTo(whilePaused);

            // 410 Gone disables the subscription
            receiver.answer.set(410);
            outbox.publish(tenant.workspaceId(), "email_sent", null, Map.of("n", 101), null);
            api.post("/campaigns/webhooks/dispatch", null);
            var after = api.get("/campaigns/webhooks/subscriptions/" + sub).json().get("subscription");
            assertThat(after.get("status").asString()).isEqualTo("disabled");
            // and a failed delivery can be requeued
            receiver.answer.set(200);
            api.post("/campaigns/webhooks/subscriptions/" + sub + "/resume", null);
            assertThat(api.post("/campaigns/webhooks/deliveries/requeue", "{\"subscriptionId\":\"" + sub + "\"}").json().get("requeued").asInt())
                    .isEqualTo(1);
            api.post("/campaigns/webhooks/dispatch", null);
            assertThat(receiver.received.getLast().answered()).isEqualTo(200);
        }

        // bad input
        assertThat(api.post("/campaigns/webhooks/subscriptions", "{\"url\":\"ftp://x.example/h\",\"eventTypes\":[\"email_sent\"]}").status())
                .isEqualTo(422);
        assertThat(api.post("/campaigns/webhooks/subscriptions", "{\"url\":\"http://127.0.0.1:9/h\",\"eventTypes\":[\"nope\"]}").status())
                .isEqualTo(422);
        assertThat(api.post("/campaigns/webhooks/subscriptions", "{\"url\":\"http://127.0.0.1:9/h\",\"eventTypes\":[]}").status())
                .isEqualTo(422);
        assertThat(api.get("/campaigns/webhooks/subscriptions/whk_nope").status()).isEqualTo(404);
        assertThat(api.get("/campaigns/webhooks/event-types").json().get("eventTypes").size()).isGreaterThanOrEqualTo(9);
    }
}
