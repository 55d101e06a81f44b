package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.outreach2day.Api;
import dev.outreach2day.ChildServer;
import dev.outreach2day.ResponseLog;
import dev.outreach2day.TestPostgres;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two processes, one database: two real server processes (child JVMs of this build's classpath)
 * share one PostgreSQL and one foreign mail server (GreenMail, standing in for the 20 senders'
 * provider and for the prospects' inboxes). A campaign of 2,000 sends over 20 mailboxes runs on
 * both engines at once; process b is killed with SIGKILL mid-run. At the end every send is in a
 * terminal state, no Message-ID arrived twice, no recipient got two emails, no cap was exceeded,
 * and the only sends whose fate is {@code unknown} are ones b had in flight when it died.
 *
 * <p>Pins two bugs it found: sends an engine claimed while the launch was still committing its
 * batches were skipped for good as {@code campaign_draft}; a first email that lost its chosen
 * mailbox's last slot of the day to a concurrent send waited until tomorrow although other
 * mailboxes had room.
 */
class TwoProcessSendingTest {

    static final int MAILBOXES = 20;
    static final int CONTACTS = 2_000;
    /** Per mailbox for this campaign: 2,200 slots for 2,000 sends, so most mailboxes run into it. */
    static final int CAMPAIGN_MAILBOX_CAP = 110;
    static final int MAILBOX_DAILY_LIMIT = 1_000;
    static final int KILL_AFTER_SENT = 400;
    static final Duration LEASE = Duration.ofSeconds(10);
    static final Set<String> TERMINAL = Set.of("sent", "failed", "bounced", "skipped", "unknown");

    static final Path LOGS = Path.of("target/two-process").toAbsolutePath();
    static final List<ChildServer> CHILDREN = new ArrayList<>();
    static GreenMail mail;
    static String database;
    /** GreenMail logs every auto-created recipient at INFO: 2,000 lines of noise; quiet while this test runs. */
    static final ch.qos.logback.classic.Logger GREENMAIL_USERS =
            (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("com.icegreen.greenmail.user.UserManager");
    static ch.qos.logback.classic.Level greenMailUsersLevel;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void twoProcessesShareTheWorkAndAKilledOneLeavesOnlyUnknownsNeverDuplicates() throws Exception {
        var utc = java.time.LocalTime.now(java.time.ZoneOffset.UTC);
        org.junit.jupiter.api.Assumptions.assumeFalse(utc.isAfter(java.time.LocalTime.of(23, 54)),
                "a run now would cross midnight UTC, where the daily caps start again and the 00:00-23:59 window pauses");
        long started = System.nanoTime();
        database = "twoproc_" + Long.toString(System.currentTimeMillis(), 36);
        String jdbc = TestPostgres.jdbcUrl(database);

        // the mail world: the senders' provider (AUTH with their passwords) and the prospects' inboxes
        mail = new GreenMail(new ServerSetup[] {
                new ServerSetup(0, "127.0.0.1", "smtp").dynamicPort(), new ServerSetup(0, "127.0.0.1", "imap").dynamicPort()});
        mail.start();
        greenMailUsersLevel = GREENMAIL_USERS.getLevel();
        GREENMAIL_USERS.setLevel(ch.qos.logback.classic.Level.WARN);
        var passwords = new TreeMap<String, String>();
        for (int i = 0; i < MAILBOXES; i++) {
            String address = "sender" + i + "@twoproc-senders.example";
            String password = ResponseLog.secret("TwoProc-" + i + "-" + Long.toString(System.nanoTime(), 36));
            mail.setUser(address, address, password);
            passwords.put(address, password);
        }

        // two server processes on one database; the same master key, so each decrypts the other's secrets
        String masterKey = ChildServer.newMasterKey();
        ChildServer a = start("a", jdbc, masterKey, true);
        ChildServer b = start("b", jdbc, masterKey, false);
        a.awaitHealthy();
        b.awaitHealthy();
        String apiKey = a.awaitBootstrapKey();
        var api = new Api(a.base(), apiKey);
        long serversUp = System.nanoTime();

        // 20 smtp mailboxes at the GreenMail, a one-step campaign, 2,000 contacts, launch
        var mailboxes = new StringBuilder("{\"mailboxes\":[");
        int n = 0;
        for (var e : passwords.entrySet()) {
            mailboxes.append(n++ == 0 ? "" : ",").append("""
                    {"address":"%s","firstName":"Sender","lastName":"%d","provider":"smtp","password":"%s","dailyLimit":%d,
                     "smtp":{"host":"127.0.0.1","port":%d,"security":"none"},"imap":{"host":"127.0.0.1","port":%d,"security":"none"}}"""
                    .formatted(e.getKey(), n, e.getValue(), MAILBOX_DAILY_LIMIT, mail.getSmtp().getPort(), mail.getImap().getPort()));
        }
        var created = api.post("/mailboxes", mailboxes.append("]}").toString());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("created").size()).as(created.body()).isEqualTo(MAILBOXES);

        String campaign = api.post("/campaigns", "{\"name\":\"Two processes\"}").json().get("id").asString();
        var step = api.post("/campaigns/" + campaign + "/steps", """
                {"subject":"Hello {{firstName}}","bodyHtml":"<p>Hi {{firstName}},</p><p>worth a chat?</p><p><a href=\\"{{unsubscribeUrl}}\\">Unsubscribe</a></p>"}""");
        assertThat(step.status()).as(step.body()).isEqualTo(201);
        var schedule = api.put("/campaigns/" + campaign + "/schedule", SendingTest.ALWAYS);
        assertThat(schedule.status()).as(schedule.body()).isEqualTo(200);
        var attached = api.post("/campaigns/" + campaign + "/mailboxes",
                "{\"mailboxes\":[" + passwords.keySet().stream().map(m -> "\"" + m + "\"").collect(Collectors.joining(","))
                        + "],\"dailyLimit\":" + CAMPAIGN_MAILBOX_CAP + "}");
        assertThat(attached.status()).as(attached.body()).isBetween(200, 201);
        for (int part = 0; part < CONTACTS / 1000; part++) {
            var body = new StringBuilder("{\"contacts\":[");
            for (int i = part * 1000; i < (part + 1) * 1000; i++) {
                body.append(i % 1000 == 0 ? "" : ",").append("{\"email\":\"prospect").append(i)
                        .append("@twoproc-prospects.example\",\"firstName\":\"P").append(i).append("\"}");
            }
            var added = api.post("/campaigns/" + campaign + "/contacts", body.append("]}").toString());
            assertThat(added.status()).as(added.body()).isEqualTo(200);
            assertThat(added.json().get("added").asInt()).as(added.body()).isEqualTo(1000);
        }
        var launched = api.post("/campaigns/" + campaign + "/launch", "{\"confirm\":true}");
        assertThat(launched.status()).as(launched.body()).isEqualTo(200);
        long launchedAt = System.nanoTime();

        try (Connection db = DriverManager.getConnection(jdbc)) {
            assertThat(count(db, "SELECT count(*) FROM sends WHERE campaign_id = ?", campaign)).isEqualTo(CONTACTS);

            // both engines send; once enough went out and b has sends in flight, b dies with SIGKILL
            Set<String> seenInFlight = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long sentBeforeKill;
            while (true) {
                var byNode = inFlightByNode(db, campaign);
                seenInFlight.addAll(byNode.keySet());
                long sent = statuses(db, campaign).getOrDefault("sent", 0L);
                if (sent >= KILL_AFTER_SENT && byNode.getOrDefault("b", 0L) > 0 || sent >= CONTACTS / 2) {
                    sentBeforeKill = sent;
                    break;
                }
                if (System.nanoTime() > deadline) {
                    fail("only %d sent after 120 s; statuses %s; see %s", sent, statuses(db, campaign), LOGS);
                }
                Thread.sleep(20);
            }
            long killedAt = System.nanoTime();
            assertThat(b.kill()).as("killed by SIGKILL (128 + 9)").isEqualTo(137); // no shutdown hook, no graceful stop
            long inFlightRightAfterKill = inFlightByNode(db, campaign).getOrDefault("b", 0L);
            // b's database sessions end with its sockets; a COMMIT b sent just before dying may still land
            b.awaitNoSessions(db, Duration.ofSeconds(5));
            long inFlightAtKill = count(db, """
                    SELECT count(*) FROM sends WHERE campaign_id = ? AND locked_by = 'b' AND status IN ('in_flight', 'unknown')""", campaign);
            long claimedByB = count(db, "SELECT count(*) FROM sends WHERE campaign_id = ? AND locked_by = 'b' AND status = 'planned'",
                    campaign);

            // a takes over: b's claims expire and are sent by a; b's in-flight sends become unknown
            long done = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (count(db, "SELECT count(*) FROM sends WHERE campaign_id = ? AND status IN ('planned', 'in_flight')", campaign) > 0) {
                if (System.nanoTime() > done || !a.process().isAlive()) {
                    fail("sends not finished 120 s after the kill (a alive: %s): %s; not terminal: %s; see %s", a.process().isAlive(),
                            statuses(db, campaign), rows(db, """
                                    SELECT status || ' ' || COALESCE(locked_by, '-') || ' ' || COALESCE(reason, '-') || ' @' || scheduled_at
                                      FROM sends WHERE campaign_id = ? AND status IN ('planned', 'in_flight') LIMIT 10""", campaign), LOGS);
                }
                Thread.sleep(100);
            }
            long finishedAt = System.nanoTime();

            // 1. every send is terminal; nothing was skipped or failed, unknown only from b's in-flight ones
            var statuses = statuses(db, campaign);
            assertThat(statuses.keySet()).as("statuses %s", statuses).isSubsetOf(TERMINAL);
            assertThat(statuses.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(CONTACTS);
            assertThat(statuses.getOrDefault("skipped", 0L) + statuses.getOrDefault("failed", 0L) + statuses.getOrDefault("bounced", 0L))
                    .as("nothing should be skipped, failed or bounced: %s; reasons %s", statuses, rows(db, """
                            SELECT status || ': ' || COALESCE(reason, '-') || ' x' || count(*) FROM sends
                             WHERE campaign_id = ? AND status IN ('skipped', 'failed', 'bounced') GROUP BY status, reason""", campaign))
                    .isZero();
            long sent = statuses.getOrDefault("sent", 0L);
            long unknown = statuses.getOrDefault("unknown", 0L);
            assertThat(unknown).as("unknown ≤ b's sends in flight at the kill").isLessThanOrEqualTo(inFlightAtKill);
            assertThat(count(db, "SELECT count(*) FROM sends WHERE campaign_id = ? AND status = 'unknown' AND locked_by IS DISTINCT FROM 'b'",
                    campaign)).as("a live process's sends never become unknown").isZero();
            assertThat(seenInFlight).as("both processes sent").contains("a", "b");

            // 2. what arrived: each Message-ID at most once, one email per prospect, only for sent/unknown sends
            Map<String, String> statusById = new HashMap<>();
            Map<String, String> fromById = new HashMap<>();
            Map<String, String> toById = new HashMap<>();
            try (var q = db.prepareStatement("""
                    SELECT s.message_id, s.status, m.address, c.email FROM sends s
                      JOIN campaign_contacts c ON c.workspace_id = s.workspace_id AND c.id = s.contact_id
                      LEFT JOIN mailboxes m ON m.workspace_id = s.workspace_id AND m.id = s.mailbox_id
                     WHERE s.campaign_id = ? AND s.message_id IS NOT NULL""")) {
                q.setString(1, campaign);
                var rs = q.executeQuery();
                while (rs.next()) {
                    statusById.put(rs.getString(1), rs.getString(2));
                    fromById.put(rs.getString(1), rs.getString(3));
                    toById.put(rs.getString(1), rs.getString(4));
                }
            }
            MimeMessage[] received = mail.getReceivedMessages();
            Map<String, Integer> perMessageId = new HashMap<>();
            Map<String, Integer> perRecipient = new HashMap<>();
            Map<String, Integer> perSender = new TreeMap<>();
            for (MimeMessage m : received) {
                String id = m.getMessageID();
                perMessageId.merge(id, 1, Integer::sum);
                String to = Arrays.stream(m.getRecipients(Message.RecipientType.TO)).map(Object::toString).collect(Collectors.joining(","));
                String from = ((jakarta.mail.internet.InternetAddress) m.getFrom()[0]).getAddress();
                perRecipient.merge(to.replaceAll(".*<|>.*", ""), 1, Integer::sum);
                perSender.merge(from, 1, Integer::sum);
                assertThat(statusById.get(id)).as("the send of %s", id).isIn("sent", "unknown");
                assertThat(from).as("From of %s", id).isEqualTo(fromById.get(id));
                assertThat(to).as("To of %s", id).contains(toById.get(id));
            }
            var duplicates = perMessageId.entrySet().stream().filter(e -> e.getValue() > 1).toList();
            assertThat(duplicates).as("Message-IDs that arrived more than once").isEmpty();
            assertThat(perRecipient.entrySet().stream().filter(e -> e.getValue() > 1).toList()).as("prospects with two emails").isEmpty();
            var sentIds = statusById.entrySet().stream().filter(e -> e.getValue().equals("sent")).map(Map.Entry::getKey).toList();
            assertThat(perMessageId.keySet()).as("every send recorded as sent arrived").containsAll(sentIds);
            assertThat((long) received.length).isBetween(sent, sent + unknown);

            // 3. no cap exceeded, in the mail world and in the database's reservations
            assertThat(perSender).hasSize(MAILBOXES);
            assertThat(perSender.values()).allSatisfy(v -> assertThat(v).isLessThanOrEqualTo(CAMPAIGN_MAILBOX_CAP));
            var used = new TreeMap<String, Long>();
            try (var q = db.prepareStatement("SELECT scope, used FROM delivery_day_counts")) {
                var rs = q.executeQuery();
                while (rs.next()) used.put(rs.getString(1), rs.getLong(2));
            }
            for (var e : used.entrySet()) {
                int cap = e.getKey().startsWith("campaign-mailbox:") ? CAMPAIGN_MAILBOX_CAP
                        : e.getKey().startsWith("mailbox:") ? MAILBOX_DAILY_LIMIT : Integer.MAX_VALUE;
                assertThat(e.getValue()).as(e.getKey()).isLessThanOrEqualTo(cap);
            }
            long reserved = used.entrySet().stream().filter(e -> e.getKey().startsWith("campaign-mailbox:"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertThat(reserved).as("today's reservations = what went out or may have").isEqualTo(sent + unknown);

            // 4. the stats the API reports agree with the rows
            var stats = api.get("/campaigns/" + campaign + "/stats").json().get("sends");
            assertThat(stats.get("sent").asLong()).isEqualTo(sent);
            assertThat(stats.get("unknown").asLong()).isEqualTo(unknown);

            // 5. no mailbox password in either process's log
            for (ChildServer node : List.of(a, b)) {
                String log = Files.readString(node.log(), StandardCharsets.UTF_8);
                for (String pw : passwords.values()) assertThat(log).as(node.log().toString()).doesNotContain(pw);
            }

            long statements;
            try (var q = db.prepareStatement("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = ?")) {
                q.setString(1, database);
                var rs = q.executeQuery();
                rs.next();
                statements = rs.getLong(1);
            }
            System.out.printf("""
                    TwoProcessSendingTest: servers up in %d ms, setup+launch %d ms, kill after %d ms at %d sent \
                    (b in flight right after the kill %d, once its sessions ended %d; b's claimed-not-in-flight %d), \
                    all terminal %d ms after the kill; final %s; received %d, distinct Message-IDs %d, duplicates %d; \
                    per mailbox min %d max %d; %d database transactions; total %d ms%n""",
                    ms(started, serversUp), ms(serversUp, launchedAt), ms(launchedAt, killedAt), sentBeforeKill, inFlightRightAfterKill,
                    inFlightAtKill, claimedByB, ms(killedAt, finishedAt), statuses, received.length, perMessageId.size(),
                    duplicates.size(), perSender.values().stream().mapToInt(Integer::intValue).min().orElse(0),
                    perSender.values().stream().mapToInt(Integer::intValue).max().orElse(0), statements, ms(started, System.nanoTime()));
        }
    }

    @AfterAll
    static void stopEverything() throws Exception {
        ChildServer.closeAll(CHILDREN);
        if (mail != null) mail.stop();
        GREENMAIL_USERS.setLevel(greenMailUsersLevel);
        if (database != null) {
            try (var c = TestPostgres.get().getPostgresDatabase().getConnection(); var s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    // ---- the child processes ----

    private static ChildServer start(String id, String jdbc, String masterKey, boolean bootstrap) throws IOException {
        var node = ChildServer.builder(id, jdbc, masterKey).logs(LOGS).bootstrap(bootstrap)
                .env("O2D_DELIVERY_IN_FLIGHT_LEASE", LEASE.toString())
                .env("O2D_DEFAULT_MAX_MAILBOXES", "100")
                // the claim lease (not an O2D_ variable) as short as the in-flight one, so a takes b's claims within the test
                .arg("--o2d.delivery.claim-lease=" + LEASE)
                .start();
        CHILDREN.add(node);
        return node;
    }

    // ---- the database, read directly ----

    private static Map<String, Long> statuses(Connection db, String campaign) throws SQLException {
        var out = new TreeMap<String, Long>();
        try (var q = db.prepareStatement("SELECT status, count(*) FROM sends WHERE campaign_id = ? GROUP BY status")) {
            q.setString(1, campaign);
            var rs = q.executeQuery();
            while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
        }
        return out;
    }

    private static Map<String, Long> inFlightByNode(Connection db, String campaign) throws SQLException {
        var out = new TreeMap<String, Long>();
        try (var q = db.prepareStatement("SELECT locked_by, count(*) FROM sends WHERE campaign_id = ? AND status = 'in_flight' GROUP BY locked_by")) {
            q.setString(1, campaign);
            var rs = q.executeQuery();
            while (rs.next()) out.put(String.valueOf(rs.getString(1)), rs.getLong(2));
        }
        return out;
    }

    private static long count(Connection db, String sql, String campaign) throws SQLException {
        try (var q = db.prepareStatement(sql)) {
            q.setString(1, campaign);
            var rs = q.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> rows(Connection db, String sql, String campaign) throws SQLException {
        var out = new ArrayList<String>();
        try (var q = db.prepareStatement(sql)) {
            q.setString(1, campaign);
            var rs = q.executeQuery();
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
