package dev.outreach2day.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.SendingDomains;
import dev.outreach2day.TestClock;
import dev.outreach2day.delivery.MailboxCapacity;
import dev.outreach2day.mailserver.MailServer;
import dev.outreach2day.mailsync.Syncing;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Fifteen simulated days of the warmup network on the built-in mail server: the ramp follows its
 * plan within its randomness, no mailbox goes above its daily limit with campaign and warmup mail
 * together, a message found in a recipient's Junk folder is rescued and counted as landed in spam,
 * replies thread, the Unibox hides warmup threads in relevant mode and flags them in full mode,
 * and a mailbox becomes ready on the ramp's last day; operations are idempotent per day and
 * reject what cannot apply.
 */
class WarmupTest extends IntegrationTest {

    @Autowired ApplicationContext context;
    @Autowired WarmupEngine engine;
    @Autowired MailboxCapacity capacity;
    @Autowired MailServer mailServer;
    @Autowired TestClock clock;
    @Autowired JdbcClient jdbc;

    static final String PASSWORD = "warm-up-test-Passw0rd";
    static final int RAMP_DAYS = 10;
    static final int ANN_LIMIT = 8;
    static final int ANN_CAMPAIGN_PER_DAY = 4;
    static final WarmupSettings SETTINGS = new WarmupSettings(1, 6, RAMP_DAYS, 0.3, 0.1, 0.8, 7);

    @Test
    void fifteenDaysOfWarmup() throws Exception {
        var tenant = newTenant();
        Api api = api(tenant);
        long ws = tenant.workspaceId();
        String a = SendingDomains.buy(api, anonymous(), ws, "wua");
        String b = SendingDomains.buy(api, anonymous(), ws, "wub");
        String ann = "ann@" + a, bob = "bob@" + a, cat = "cat@" + b;
        String pw = ",\"password\":\"" + PASSWORD + "\"";
        var created = api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"" + ann + "\",\"firstName\":\"Ann\",\"dailyLimit\":" + ANN_LIMIT
                + pw + "},{\"address\":\"" + bob + "\",\"firstName\":\"Bob\"" + pw + "},{\"address\":\"" + cat + "\",\"firstName\":\"Cat\""
                + pw + "}]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Map<String, String> ids = new HashMap<>();
        for (JsonNode m : api.get("/mailboxes").json()) ids.put(m.get("address").asString(), m.get("id").asString());

        // enable all three with one call; the same call again the same day is the same operation
        String enable = "{\"action\":\"enable\",\"mailboxes\":[\"" + ann + "\",\"" + bob + "\",\"" + cat.toUpperCase() + "\"],"
                + "\"settings\":{\"startPerDay\":1,\"targetPerDay\":6,\"rampDays\":" + RAMP_DAYS + ",\"replyRate\":0.3,\"readyInboxRate\":0.8}}";
        var op = api.post("/warmup/operations", enable);
        assertThat(op.status()).as(op.body()).isEqualTo(201);
        assertThat(op.json().get("status").asString()).isEqualTo("completed");
        assertThat(op.json().get("items")).hasSize(3);
        var again = api.post("/warmup/operations", enable);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("id").asString()).isEqualTo(op.json().get("id").asString());
        assertThat(api.get("/warmup/operations/" + op.json().get("id").asString()).json().get("items").get(0).get("status").asString())
                .isEqualTo("applied");
        var twice = api.post("/warmup/operations", "{\"action\":\"enable\",\"mailboxes\":[\"" + ann + "\",\"nobody@" + a + "\"]}").json();
        assertThat(twice.get("status").asString()).isEqualTo("rejected");
        assertThat(twice.get("items").findValues("code").stream().map(JsonNode::asString).toList())
                .containsExactly("ALREADY_ENABLED", "MAILBOX_NOT_FOUND");
        assertThat(api.get("/mailboxes").json().findValues("warmupStatus").stream().map(JsonNode::asString).distinct().toList())
                .containsExactly("warming");

        // launch checks readiness: a campaign with a warming mailbox gets a warning in sandbox mode (allowed by configuration)
        String campaign = api.post("/campaigns", "{\"name\":\"After warmup\"}").json().get("id").asString();
        api.post("/campaigns/" + campaign + "/mailboxes", "{\"mailboxes\":[\"" + bob + "\"]}");
        assertThat(warmedCheck(api, campaign).get("status").asString()).isEqualTo("warn");
        assertThat(warmedCheck(api, campaign).get("details").get("warming").get(0).asString()).isEqualTo(bob);

        // the pool is server-wide: other tests' mailboxes (sharing this database) leave it, so it is these three
        jdbc.sql("UPDATE warmup_mailboxes SET state = 'off' WHERE workspace_id <> :ws").param("ws", ws).update();
        LocalDate day1 = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        boolean planted = false;
        for (int day = 1; day <= 15; day++) {
            LocalDate today = day1.plusDays(day - 1);
            // campaign mail takes half of Ann's day before warmup does
            for (int i = 0; i < ANN_CAMPAIGN_PER_DAY; i++) capacity.reserve(ws, ids.get(ann), clock.instant(), ANN_LIMIT);
            int round = 0;
            while (LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).equals(today)) {
                if (day == 3 && round == 1) { // after the day's plan is made
                    plantInJunk(ids.get(cat), cat);
                    planted = true;
                }
                engine.runOnce();
                clock.advance(Duration.ofHours(6));
                round++;
            }
        }
        engine.runOnce();
        assertThat(planted).isTrue();

        // the ramp: each day's plan is the ramp's number ±15 % (at most the daily limit)
        for (String box : List.of(ann, bob, cat)) {
            var plans = jdbc.sql("SELECT ramp_day, target, planned FROM warmup_plans WHERE mailbox_id = :id ORDER BY day")
                    .param("id", ids.get(box)).query((rs, n) -> new int[] {rs.getInt(1), rs.getInt(2), rs.getInt(3)}).list();
            assertThat(plans).as(box).hasSize(16);
            for (int[] p : plans) {
                assertThat(p[1]).as(box + " target on day " + p[0]).isEqualTo(SETTINGS.targetOn(p[0]));
                assertThat(p[2]).as(box + " planned on day " + p[0]).isBetween((int) Math.floor(p[1] * 0.85), (int) Math.ceil(p[1] * 1.15));
            }
            assertThat(plans.get(0)[1]).isEqualTo(1);
            assertThat(plans.get(RAMP_DAYS - 1)[1]).isEqualTo(6);
        }
        // never above the daily limit with campaign and warmup mail together
        var used = jdbc.sql("SELECT day, used FROM delivery_day_counts WHERE workspace_id = :ws AND scope = :scope")
                .param("ws", ws).param("scope", "mailbox:" + ids.get(ann)).query((rs, n) -> rs.getInt(2)).list();
        assertThat(used).isNotEmpty().allMatch(u -> u <= ANN_LIMIT);
        var annSent = jdbc.sql("SELECT (sent_at AT TIME ZONE 'UTC')::date, count(*) FROM warmup_messages WHERE sender_mailbox = :id AND status = 'sent' GROUP BY 1")
                .param("id", ids.get(ann)).query((rs, n) -> rs.getInt(2)).list();
        assertThat(annSent).allMatch(n -> n <= ANN_LIMIT - ANN_CAMPAIGN_PER_DAY);
        assertThat(jdbc.sql("SELECT count(*) FROM warmup_messages WHERE sender_mailbox = :id AND status = 'skipped'")
                .param("id", ids.get(ann)).query(Integer.class).single()).as("Ann's limit was reached on later days").isPositive();
        assertThat(jdbc.sql("SELECT count(*) FROM warmup_messages WHERE sender_mailbox = recipient_mailbox").query(Integer.class).single())
                .as("never to itself").isZero();
        assertThat(jdbc.sql("""
                SELECT count(*) FROM warmup_messages m JOIN warmup_mailboxes s ON s.mailbox_id = m.sender_mailbox
                  JOIN warmup_mailboxes r ON r.mailbox_id = m.recipient_mailbox
                 WHERE m.kind = 'warmup' AND s.domain = r.domain AND s.workspace_id = :ws""").param("ws", ws).query(Integer.class).single())
                .as("other domains where there are any").isZero();

        // the planted one was rescued from Junk and counted as spam-landed
        var spam = jdbc.sql("SELECT id, message_id FROM warmup_messages WHERE recipient_mailbox = :id AND landed = 'spam'")
                .param("id", ids.get(cat)).query((rs, n) -> rs.getString(2)).list();
        assertThat(spam).hasSize(1);
        assertThat(messageIds(cat, "INBOX")).contains(spam.getFirst());
        assertThat(messageIds(cat, "Junk")).doesNotContain(spam.getFirst());

        // replies thread: In-Reply-To the message answered, in the original sender's inbox
        var replies = jdbc.sql("""
                SELECT r.message_id, p.message_id, r.subject, p.subject, rm.address FROM warmup_messages r
                  JOIN warmup_messages p ON p.id = r.parent_id JOIN warmup_mailboxes rm ON rm.mailbox_id = r.recipient_mailbox
                 WHERE r.kind = 'reply' AND r.status = 'sent' AND rm.workspace_id = :ws""").param("ws", ws)
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)}).list();
        assertThat(replies).isNotEmpty();
        String[] reply = replies.getFirst();
        assertThat(reply[2]).isEqualTo("Re: " + reply[3]);
        Map<String, String> inReplyTo = inReplyTo(reply[4]);
        assertThat(inReplyTo).containsEntry(reply[0], reply[1]);

        // the Unibox: relevant mode shows none of it, full mode shows it flagged
        Syncing.runOnce(context);
        assertThat(api.get("/threads?limit=200").json().get("threads")).isEmpty();
        var full = api.get("/threads?mode=full&limit=200").json().get("threads");
        assertThat(full).isNotEmpty();
        assertThat(full.findValues("is_warming").stream().map(JsonNode::asBoolean).distinct().toList()).containsExactly(true);

        // readiness: ready on the ramp's last day, with the inbox rate over the window
        var states = api.get("/warmup/mailboxes").json();
        assertThat(states).hasSize(3);
        for (JsonNode s : states) {
            assertThat(s.get("state").asString()).as(s.toString()).isEqualTo("ready");
            assertThat(LocalDate.ofInstant(Instant.parse(s.get("readyAt").asString()), ZoneOffset.UTC)).isEqualTo(day1.plusDays(RAMP_DAYS - 1));
            assertThat(s.get("inboxRate").asDouble()).isGreaterThanOrEqualTo(0.8);
            assertThat(s.get("day").asInt()).isEqualTo(16);
        }
        assertThat(api.get("/mailboxes").json().findValues("warmupStatus").stream().map(JsonNode::asString).distinct().toList())
                .containsExactly("ready");
        assertThat(warmedCheck(api, campaign).get("status").asString()).as("ready: launch no longer waits").isEqualTo("pass");
        var stats = api.get("/warmup/mailboxes/" + ids.get(cat) + "/stats?days=20").json();
        assertThat(stats.get("days")).hasSize(20);
        assertThat(stats.get("days").findValues("sent").stream().mapToInt(JsonNode::asInt).sum()).isPositive();
        assertThat(stats.get("days").findValues("received").stream().mapToInt(JsonNode::asInt).sum()).isPositive();

        // disabling stops sends at once and keeps the history
        int catSentBefore = sentBy(ids.get(cat));
        var off = api.post("/warmup/operations", "{\"action\":\"disable\",\"mailboxes\":[\"" + cat + "\"]}");
        assertThat(off.status()).as(off.body()).isEqualTo(201);
        assertThat(jdbc.sql("SELECT count(*) FROM warmup_messages WHERE sender_mailbox = :id AND status = 'planned'").param("id", ids.get(cat))
                .query(Integer.class).single()).isZero();
        for (int i = 0; i < 8; i++) {
            engine.runOnce();
            clock.advance(Duration.ofHours(3));
        }
        assertThat(sentBy(ids.get(cat))).isEqualTo(catSentBefore);
        assertThat(jdbc.sql("""
                SELECT count(*) FROM warmup_messages WHERE recipient_mailbox = :id AND status = 'sent' AND sent_at > :since""")
                .param("id", ids.get(cat)).param("since", java.sql.Timestamp.from(clock.instant().minus(Duration.ofHours(20))))
                .query(Integer.class).single()).as("nothing is sent to it either").isZero();
        var catState = api.get("/warmup/mailboxes").json().valueStream().filter(s -> s.get("mailbox").asString().equals(cat)).findFirst()
                .orElseThrow();
        assertThat(catState.get("state").asString()).isEqualTo("off");
        assertThat(api.get("/warmup/mailboxes/" + cat + "/stats").json().get("days").findValues("sent").stream().mapToInt(JsonNode::asInt)
                .sum()).as("history kept").isPositive();
    }

    @Test
    void badInputIsRefused() {
        var tenant = newTenant();
        Api api = api(tenant);
        assertThat(api.post("/warmup/operations", "{\"action\":\"boost\",\"mailboxes\":[\"x@y.example\"]}").status()).isEqualTo(422);
        assertThat(api.post("/warmup/operations", "{\"action\":\"enable\",\"mailboxes\":[]}").status()).isEqualTo(422);
        assertThat(api.post("/warmup/operations", "{\"action\":\"enable\"}").status()).isEqualTo(422);
        var range = api.post("/warmup/operations", "{\"action\":\"enable\",\"mailboxes\":[\"x@y.example\"],\"settings\":{\"targetPerDay\":0}}");
        assertThat(range.status()).isEqualTo(422);
        assertThat(range.body()).contains("targetPerDay");
        assertThat(api.post("/warmup/operations", "{\"action\":\"disable\",\"mailboxes\":[\"x@y.example\"],\"settings\":{}}").status())
                .isEqualTo(422);
        assertThat(api.get("/warmup/operations/wop_nope").status()).isEqualTo(404);
        assertThat(api.get("/warmup/mailboxes/mbx_nope/stats").status()).isEqualTo(404);
        assertThat(api.get("/warmup/mailboxes").json()).isEmpty();
    }

    static JsonNode warmedCheck(Api api, String campaign) {
        for (JsonNode c : api.get("/campaigns/" + campaign + "/preflight").json().get("checks")) {
            if (c.get("code").asString().equals("MAILBOXES_WARMED")) return c;
        }
        throw new AssertionError("no MAILBOXES_WARMED check");
    }

    private int sentBy(String mailboxId) {
        return jdbc.sql("SELECT count(*) FROM warmup_messages WHERE sender_mailbox = :id AND status = 'sent'").param("id", mailboxId)
                .query(Integer.class).single();
    }

    /** Makes the next warmup message to a mailbox due, sends it, and moves it into the recipient's Junk folder before it is read. */
    private void plantInJunk(String mailboxId, String address) throws Exception {
        String id = jdbc.sql("""
                SELECT id FROM warmup_messages WHERE recipient_mailbox = :id AND status = 'planned' AND kind = 'warmup' ORDER BY planned_at LIMIT 1
                """).param("id", mailboxId).query(String.class).single();
        jdbc.sql("UPDATE warmup_messages SET planned_at = :now WHERE id = :id").param("now", java.sql.Timestamp.from(clock.instant()))
                .param("id", id).update();
        engine.sendDue(clock.instant());
        String messageId = jdbc.sql("SELECT message_id FROM warmup_messages WHERE id = :id").param("id", id).query(String.class).single();
        try (Store store = imap(address)) {
            Folder junk = store.getFolder("Junk");
            if (!junk.exists()) junk.create(Folder.HOLDS_MESSAGES);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            for (Message m : inbox.getMessages()) {
                if (messageId.equals(m.getHeader("Message-ID")[0])) {
                    inbox.copyMessages(new Message[] {m}, junk);
                    m.setFlag(Flags.Flag.DELETED, true);
                }
            }
            inbox.close(true);
        }
        assertThat(messageIds(address, "Junk")).contains(messageId);
    }

    private List<String> messageIds(String address, String folder) throws Exception {
        try (Store store = imap(address)) {
            Folder f = store.getFolder(folder);
            if (!f.exists()) return List.of();
            f.open(Folder.READ_ONLY);
            var out = new java.util.ArrayList<String>();
            for (Message m : f.getMessages()) out.add(m.getHeader("Message-ID")[0]);
            f.close(false);
            return out;
        }
    }

    /** Message-ID → In-Reply-To of the replies in a mailbox's inbox. */
    private Map<String, String> inReplyTo(String address) throws Exception {
        try (Store store = imap(address)) {
            Folder f = store.getFolder("INBOX");
            f.open(Folder.READ_ONLY);
            var out = new HashMap<String, String>();
            for (Message m : f.getMessages()) {
                String[] irt = m.getHeader("In-Reply-To");
                if (irt != null) out.put(m.getHeader("Message-ID")[0], irt[0]);
            }
            f.close(false);
            return out;
        }
    }

    private Store imap(String address) throws Exception {
        Store store = Session.getInstance(new Properties()).getStore("imap");
        store.connect(mailServer.host(), mailServer.imapPort(), address, PASSWORD);
        return store;
    }
}
