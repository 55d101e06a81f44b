package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.TestClock;
import dev.outreach2day.mailserver.MailServer;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.james.jdkim.DKIMVerifier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A launched campaign sends its sequence into the built-in server: step 1 from one mailbox,
 * step 2 a day later from the same mailbox as a reply in the thread, every message DKIM-signed
 * and verifiable against the domain's published records, with a working one-click unsubscribe.
 */
class SendingTest extends IntegrationTest {

    @Autowired SendEngine engine;
    @Autowired TestClock clock;
    @Autowired MailServer mailServer;

    record Setup(Api api, String campaignId, String domain, List<String> prospects) {}

    Setup launch(int contacts, String schedule) {
        clock.awayFromTheDayEnd();
        var tenant = newTenant();
        Api api = api(tenant);
        String domain = dev.outreach2day.SendingDomains.buy(api, anonymous(), tenant.workspaceId(), "snd");
        assertThat(api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"john@" + domain + "\",\"firstName\":\"John\",\"lastName\":\"Doe\"},"
                + "{\"address\":\"jane@" + domain + "\",\"firstName\":\"Jane\",\"lastName\":\"Roe\"}]}").status()).isEqualTo(201);
        String id = api.post("/campaigns", "{\"name\":\"Seq\"}").json().get("id").asString();
        assertThat(api.post("/campaigns/" + id + "/steps", "{\"subject\":\"Partnership {opportunity|idea}, {{firstName}}\","
                + "\"bodyHtml\":\"<p>Hi {{firstName}},</p><p>worth a chat?</p><p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a></p>\"}").status()).isEqualTo(201);
        assertThat(api.post("/campaigns/" + id + "/steps", "{\"subject\":\"\",\"bodyHtml\":\"<p>Following up, {{firstName}}</p>{{unsubscribeUrl}}\",\"delayDays\":1}").status()).isEqualTo(201);
        api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"john@" + domain + "\",\"jane@" + domain + "\"]}");
        assertThat(api.put("/campaigns/" + id + "/schedule", schedule).status()).isEqualTo(200);
        var prospects = new ArrayList<String>();
        var body = new StringBuilder("{\"contacts\":[");
        for (int i = 0; i < contacts; i++) {
            String email = "p" + i + "." + Long.toString(System.nanoTime(), 36) + "@prospect.example";
            prospects.add(email);
            body.append(i == 0 ? "" : ",").append("{\"email\":\"").append(email).append("\",\"firstName\":\"P").append(i).append("\"}");
        }
        assertThat(api.post("/campaigns/" + id + "/contacts", body.append("]}").toString()).status()).isEqualTo(200);
        var launched = api.post("/campaigns/" + id + "/launch", "{\"confirm\":true}");
        assertThat(launched.status()).as(launched.body()).isEqualTo(200);
        return new Setup(api, id, domain, prospects);
    }

    static final String ALWAYS = """
            {"timezone":"UTC","windows":[{"days":["mon","tue","wed","thu","fri","sat","sun"],"start":"00:00","end":"23:59"}],
             "minGapSeconds":0,"maxGapSeconds":0}""";

    /** Runs the engine until nothing due is left (or a bound). */
    void drain() {
        for (int i = 0; i < 50 && engine.runOnce() > 0; i++) {
            // keep going while rounds claim work
        }
    }

    List<MimeMessage> inbox(String address) throws Exception {
        return dev.outreach2day.Inboxes.read(mailServer, address);
    }

    @Test
    void theSequenceArrivesThreadedFromOneMailboxSignedAndUnsubscribable() throws Exception {
        var s = launch(3, ALWAYS);
        drain();
        // each email sent is a webhook event (written per group of sends)
        var sentEvents = s.api().get("/campaigns/webhooks/events?type=email_sent").json().get("events");
        assertThat(sentEvents).hasSize(3);
        assertThat(sentEvents.get(0).get("payload").get("data").get("campaignId").asString()).isEqualTo(s.campaignId());
        // the whole document, as the single-event path writes it: type, timestamp (ISO instant), data without null fields
        for (var ev : sentEvents) {
            var payload = ev.get("payload");
            assertThat(payload.propertyNames()).containsExactlyInAnyOrder("type", "timestamp", "data");
            assertThat(payload.get("type").asString()).isEqualTo("email_sent");
            assertThat(java.time.Instant.parse(payload.get("timestamp").asString())).isNotNull();
            var data = payload.get("data");
            assertThat(data.propertyNames()).containsExactlyInAnyOrder("campaignId", "contactId", "sendId", "mailboxId", "step", "messageId");
            assertThat(data.get("step").isInt()).isTrue();
            assertThat(data.get("step").asInt()).isEqualTo(1);
            assertThat(data.get("sendId").asString()).startsWith("snd_");
            assertThat(data.get("messageId").asString()).startsWith("<snd_").endsWith(">");
        }
        var launchedEvents = s.api().get("/campaigns/webhooks/events?type=campaign_launched").json().get("events");
        assertThat(launchedEvents).hasSize(1);
        assertThat(launchedEvents.get(0).get("campaignId").asString()).isEqualTo(s.campaignId());
        Map<String, MimeMessage> first = new HashMap<>();
        for (String p : s.prospects()) {
            var got = inbox(p);
            assertThat(got).as(p).hasSize(1);
            first.put(p, got.getFirst());
            assertThat(got.getFirst().getSubject()).matches("Partnership (opportunity|idea), P\\d");
        }

        // a day later step 2 goes out: same mailbox, a reply in the thread
        clock.advance(Duration.ofDays(1).plusMinutes(1));
        drain();
        Map<String, String> records = new HashMap<>();
        s.api().get("/domains/" + s.domain() + "/dns-records").json().forEach(r -> records.put(r.get("name").asString(), r.get("value").asString()));
        for (String p : s.prospects()) {
            var got = inbox(p);
            assertThat(got).as(p).hasSize(2);
            var one = first.get(p);
            var two = got.stream().filter(m -> !sameId(m, one)).findFirst().orElseThrow();
            assertThat(two.getSubject()).isEqualTo("Re: " + one.getSubject());
            assertThat(two.getHeader("In-Reply-To")[0]).isEqualTo(one.getMessageID());
            assertThat(two.getHeader("References")[0]).contains(one.getMessageID());
            assertThat(two.getFrom()[0].toString()).isEqualTo(one.getFrom()[0].toString());
            assertThat(one.getMessageID()).endsWith("@" + s.domain() + ">");
            for (MimeMessage m : got) {
                assertThat(m.getHeader("List-Unsubscribe")[0]).contains("/u/").contains("mailto:");
                assertThat(m.getHeader("List-Unsubscribe-Post")[0]).isEqualTo("List-Unsubscribe=One-Click");
                // DKIM verifies against exactly the published records
                var raw = new ByteArrayOutputStream();
                m.writeTo(raw);
                var results = new DKIMVerifier((method, selector, token) -> List.of(records.get(selector + "._domainkey." + token)))
                        .verify(new ByteArrayInputStream(raw.toByteArray()));
                assertThat(results).isNotEmpty();
            }
        }

        // stats and sends add up
        var stats = s.api().get("/campaigns/" + s.campaignId() + "/stats").json();
        assertThat(stats.get("sends").get("sent").asLong()).isEqualTo(6);
        assertThat(stats.get("campaign").get("contacts").get("completed").asLong()).isEqualTo(3);
        // every status is there, the ones nobody is in with 0, after the total
        var counts = stats.get("campaign").get("contacts");
        assertThat(counts.propertyNames()).containsExactlyElementsOf(
                java.util.stream.Stream.concat(java.util.stream.Stream.of("total"), dev.outreach2day.contact.Contacts.STATUSES.stream()).toList());
        assertThat(counts.get("total").asLong()).isEqualTo(3);
        assertThat(counts.get("not_started").asLong()).isZero();
        assertThat(stats.get("steps").size()).isEqualTo(2);
        var sends = s.api().get("/campaigns/" + s.campaignId() + "/sends?status=sent").json().get("sends");
        assertThat(sends.size()).isEqualTo(6);
        assertThat(sends.get(0).get("message_id").asString()).startsWith("<snd_");
        // each contact that got its last step is announced once, after step 1 was not its last
        var completedEvents = s.api().get("/campaigns/webhooks/events?type=contact_completed").json().get("events");
        assertThat(completedEvents).hasSize(3);
        assertThat(completedEvents.findValues("lastStep").stream().map(n -> n.asInt()).distinct().toList()).containsExactly(2);
        assertThat(completedEvents.get(0).get("payload").get("data").propertyNames())
                .containsExactlyInAnyOrder("campaignId", "contactId", "lastStep", "lastSendId");
        drain();
        // nothing left to send: the campaign completes on housekeeping
        engine.housekeeping();
    }

    static boolean sameId(MimeMessage a, MimeMessage b) {
        try {
            return a.getMessageID().equals(b.getMessageID());
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void oneClickPostUnsubscribesAndAGetNeverDoes() throws Exception {
        var s = launch(2, ALWAYS);
        drain();
        String p = s.prospects().getFirst();
        var msg = inbox(p).getFirst();
        String header = msg.getHeader("List-Unsubscribe")[0];
        String url = header.replaceAll("(?s).*<(https?://[^>]+)>.*", "$1");
        String path = url.replaceFirst("^https?://[^/]+", "");

        var page = anonymous().get(path);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Unsubscribe").contains(p);
        for (int i = 0; i < 3; i++) anonymous().get(path); // link scanners
        var contact = s.api().get("/campaigns/" + s.campaignId() + "/contacts?limit=10").json().get("contacts");
        assertThat(contact.findValues("status").stream().map(n -> n.asString()).toList()).doesNotContain("unsubscribed");

        var oneClick = anonymous().send("POST", path, "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded");
        assertThat(oneClick.status()).isEqualTo(200);
        var statuses = new HashMap<String, String>();
        s.api().get("/campaigns/" + s.campaignId() + "/contacts?limit=10").json().get("contacts")
                .forEach(c -> statuses.put(c.get("email").asString(), c.get("status").asString()));
        assertThat(statuses.get(p)).isEqualTo("unsubscribed");

        // step 2 goes to the other contact only
        clock.advance(Duration.ofDays(1).plusMinutes(1));
        drain();
        assertThat(inbox(p)).hasSize(1);
        assertThat(inbox(s.prospects().get(1))).hasSize(2);
        assertThat(anonymous().get("/u/forged.token").status()).isEqualTo(404);
        assertThat(s.api().get("/campaigns/" + s.campaignId() + "/stats").json().get("sends").get("unsubscribed").asLong()).isEqualTo(1);
    }
}
