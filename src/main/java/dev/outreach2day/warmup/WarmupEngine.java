package dev.outreach2day.warmup;

import dev.outreach2day.delivery.MailboxCapacity;
import dev.outreach2day.domain.Domains;
import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.platform.MailSessions;
import dev.outreach2day.platform.PlatformSecrets;
import dev.outreach2day.unibox.Unibox;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.search.HeaderTerm;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The warmup network at work. Each round: mailboxes whose ramp is done and whose mail lands in the
 * inbox become ready; each pool mailbox gets its day planned once (the ramp's number with some
 * randomness, within its daily limit, at random times over the rest of the day, to other pool
 * mailboxes on other domains where there are any, never to itself); due messages go out through
 * the mailbox's own SMTP login (DKIM-signed, counted against its daily capacity together with
 * campaign mail); and the recipients' mailboxes are read over IMAP: each
 * warmup message is recognised by its header and token, recorded as landed in the inbox or in
 * spam, marked read, moved out of spam, flagged important for a share and answered for a share.
 */
@Component
class WarmupEngine implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WarmupEngine.class);

    static final int SEND_BATCH = 50;
    static final Duration READ_LEASE = Duration.ofMinutes(5);
    /** This process in the read leases (unique per process). */
    private static final String NODE = java.lang.management.ManagementFactory.getRuntimeMXBean().getName() + "/"
            + java.util.UUID.randomUUID();
    static final Duration SEND_LEASE = Duration.ofMinutes(5);
    /** A mailbox is not ready before this much of its own mail has been seen landing in the window. */
    static final int MIN_LANDED_FOR_READY = 5;
    static final Set<String> SPAM_FOLDERS = Set.of("junk", "spam", "junk e-mail", "junk email", "bulk mail", "[gmail]/spam", "inbox.junk",
            "inbox.spam");

    private record Due(String id, String kind, String parentId, long senderWs, String senderMailbox, long recipientWs,
            String recipientMailbox, LocalDate day, int seq) {}

    private record Awaiting(String id, String kind, long senderWs, String senderMailbox) {}

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final WarmupStore store;
    private final Mailboxes mailboxes;
    private final MailboxCapacity capacity;
    private final Domains domains;
    private final PlatformSecrets secrets;
    private final WarmupProperties props;
    private final Clock clock;
    private volatile boolean running;
    private volatile Thread loop;

    WarmupEngine(JdbcClient jdbc, TransactionTemplate tx, WarmupStore store, Mailboxes mailboxes, MailboxCapacity capacity, Domains domains,
            PlatformSecrets secrets, WarmupProperties props, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.store = store;
        this.mailboxes = mailboxes;
        this.capacity = capacity;
        this.domains = domains;
        this.secrets = secrets;
        this.props = props;
        this.clock = clock;
    }

    @Override
    public void start() {
        running = true;
        if (!props.enabled()) return;
        loop = Thread.ofPlatform().daemon().name("warmup").start(() -> {
            while (running) {
                try {
                    Thread.sleep(props.interval());
                    runOnce();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    if (running) log.warn("Warmup round failed: {}", e.getMessage(), e);
                }
            }
        });
    }

    @Override
    public void stop() {
        running = false;
        Thread l = loop;
        if (l != null) l.interrupt();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** One round (the loop's, and tests'): readiness, planning, sending what is due, reading the recipients' mailboxes. */
    void runOnce() {
        Instant now = clock.instant();
        jdbc.sql("""
                UPDATE warmup_messages SET status = 'failed', reason = 'the sending process stopped during SMTP; not sent again'
                 WHERE status = 'sending' AND locked_until < :now
                """).param("now", WarmupStore.ts(now)).update();
        var pool = store.pool();
        var views = views(pool);
        readiness(pool, now);
        plan(pool, views, now);
        sendDue(now);
        readInboxes(now);
    }

    private Map<String, Mailboxes.MailboxView> views(List<WarmupStore.Member> pool) {
        var byWs = new HashMap<Long, List<String>>();
        for (var m : pool) byWs.computeIfAbsent(m.workspaceId(), k -> new ArrayList<>()).add(m.mailboxId());
        var out = new HashMap<String, Mailboxes.MailboxView>();
        byWs.forEach((ws, ids) -> mailboxes.byIds(ws, ids).forEach(v -> out.put(ws + ":" + v.id(), v)));
        return out;
    }

    // ---- readiness ----

    private void readiness(List<WarmupStore.Member> pool, Instant now) {
        LocalDate today = WarmupStore.day(now);
        for (var m : pool) {
            if (!m.state().equals("warming") || m.rampDay(today) < m.settings().rampDays()) continue;
            var placed = store.placement(m.workspaceId(), m.mailboxId(), now, m.settings().windowDays());
            if (placed.inbox() + placed.spam() < MIN_LANDED_FOR_READY || placed.inboxRate() < m.settings().readyInboxRate()) continue;
            tx.executeWithoutResult(s -> {
                store.markReady(m.workspaceId(), m.mailboxId(), now);
                mailboxes.setWarmupStatus(m.workspaceId(), m.mailboxId(), "ready");
            });
            log.info("Warmup: {} is ready (inbox rate {} over {} days)", m.address(), placed.inboxRate(), m.settings().windowDays());
        }
    }

    // ---- planning ----

    private void plan(List<WarmupStore.Member> pool, Map<String, Mailboxes.MailboxView> views, Instant now) {
        LocalDate today = WarmupStore.day(now);
        Instant dayEnd = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minus(Duration.ofMinutes(10));
        var live = pool.stream().filter(m -> views.containsKey(key(m)) && views.get(key(m)).status().equals("active")).toList();
        for (var m : live) {
            var view = views.get(key(m));
            var others = live.stream().filter(o -> !key(o).equals(key(m)) && !o.address().equals(m.address())).toList();
            var elsewhere = others.stream().filter(o -> !o.domain().equals(m.domain())).toList();
            var recipients = new ArrayList<>(elsewhere.isEmpty() ? others : elsewhere); // other domains where there are any
            tx.executeWithoutResult(s -> planDay(m, view, recipients, today, now, dayEnd));
        }
    }

    private void planDay(WarmupStore.Member m, Mailboxes.MailboxView view, List<WarmupStore.Member> recipients, LocalDate today,
            Instant now, Instant dayEnd) {
        int rampDay = m.rampDay(today);
        int target = m.settings().targetOn(rampDay);
        var rnd = new SplittableRandom(seed(m.mailboxId(), today));
        int n = (int) Math.round(target * (0.85 + 0.3 * rnd.nextDouble())); // the ramp's number, ±15 %
        n = Math.max(1, Math.min(n, view.dailyLimit()));
        if (recipients.isEmpty() || !now.isBefore(dayEnd)) n = 0; // alone in the pool, or the day is over
        boolean fresh = jdbc.sql("""
                INSERT INTO warmup_plans (workspace_id, mailbox_id, day, ramp_day, target, planned) VALUES (:ws, :id, :day, :rampDay, :target, :n)
                ON CONFLICT DO NOTHING
                """).param("ws", m.workspaceId()).param("id", m.mailboxId()).param("day", Date.valueOf(today)).param("rampDay", rampDay)
                .param("target", target).param("n", n).update() == 1;
        if (!fresh || n == 0) return;
        var shuffled = new ArrayList<>(recipients);
        for (int i = shuffled.size() - 1; i > 0; i--) java.util.Collections.swap(shuffled, i, rnd.nextInt(i + 1));
        long span = Duration.between(now, dayEnd).toMillis();
        var times = new ArrayList<Instant>();
        for (int i = 0; i < n; i++) times.add(now.plusMillis((long) (rnd.nextDouble() * span)));
        times.sort(null);
        int seq = nextSeq(m.workspaceId(), m.mailboxId(), today);
        for (int i = 0; i < n; i++) {
            var to = shuffled.get(i % shuffled.size());
            insertMessage("warmup", null, m.workspaceId(), m.mailboxId(), to.workspaceId(), to.mailboxId(), today, seq + i, times.get(i));
        }
    }

    private int nextSeq(long ws, String mailboxId, LocalDate day) {
        return jdbc.sql("SELECT COALESCE(max(seq) + 1, 0) FROM warmup_messages WHERE sender_ws = :ws AND sender_mailbox = :id AND day = :day")
                .param("ws", ws).param("id", mailboxId).param("day", Date.valueOf(day)).query(Integer.class).single();
    }

    private void insertMessage(String kind, String parentId, long senderWs, String sender, long recipientWs, String recipient, LocalDate day,
            int seq, Instant at) {
        jdbc.sql("""
                INSERT INTO warmup_messages (id, kind, parent_id, sender_ws, sender_mailbox, recipient_ws, recipient_mailbox, day, seq,
                                             planned_at, status)
                VALUES (:id, :kind, :parent, :senderWs, :sender, :recipientWs, :recipient, :day, :seq, :at, 'planned')
                """).param("id", Ids.next("wmsg", at.toEpochMilli())).param("kind", kind).param("parent", parentId).param("senderWs", senderWs)
                .param("sender", sender).param("recipientWs", recipientWs).param("recipient", recipient).param("day", Date.valueOf(day))
                .param("seq", seq).param("at", WarmupStore.ts(at)).update();
    }

    // ---- sending ----

    /** Sends what is due at {@code now} (a step of {@link #runOnce}; tests call it alone). */
    void sendDue(Instant now) {
        List<Due> due;
        do {
            due = jdbc.sql("""
                    UPDATE warmup_messages m SET status = 'sending', locked_until = :until
                     WHERE id IN (SELECT id FROM warmup_messages WHERE status = 'planned' AND planned_at <= :now ORDER BY planned_at
                                  LIMIT :limit FOR UPDATE SKIP LOCKED)
                    RETURNING id, kind, parent_id, sender_ws, sender_mailbox, recipient_ws, recipient_mailbox, day, seq
                    """).param("now", WarmupStore.ts(now)).param("until", WarmupStore.ts(now.plus(SEND_LEASE))).param("limit", SEND_BATCH)
                    .query((rs, n) -> new Due(rs.getString("id"), rs.getString("kind"), rs.getString("parent_id"), rs.getLong("sender_ws"),
                            rs.getString("sender_mailbox"), rs.getLong("recipient_ws"), rs.getString("recipient_mailbox"),
                            rs.getDate("day").toLocalDate(), rs.getInt("seq")))
                    .list();
            for (Due d : due) send(d, now);
        } while (due.size() == SEND_BATCH && running);
    }

    private void send(Due d, Instant now) {
        var sender = store.member(d.senderWs(), d.senderMailbox()).orElse(null);
        var recipient = store.member(d.recipientWs(), d.recipientMailbox()).orElse(null);
        if (sender == null || !sender.sending()) {
            finish(d, "cancelled", "warmup is off or paused for the sender", null, null, now);
            return;
        }
        if (recipient == null || !recipient.sending()) {
            finish(d, "cancelled", "the recipient left the warmup pool", null, null, now);
            return;
        }
        var from = mailboxes.byIds(d.senderWs(), List.of(d.senderMailbox())).stream().findFirst().orElse(null);
        var to = mailboxes.byIds(d.recipientWs(), List.of(d.recipientMailbox())).stream().findFirst().orElse(null);
        if (from == null || to == null || !from.status().equals("active")) {
            finish(d, "failed", from == null || to == null ? "the mailbox was deleted" : "the mailbox's login is failing", null, null, now);
            return;
        }
        if (!capacity.reserve(d.senderWs(), d.senderMailbox(), now, from.dailyLimit())) {
            finish(d, "skipped", "the mailbox's daily limit is reached (campaign and warmup mail together)", null, null, now);
            return;
        }
        try {
            var parent = d.parentId() == null ? null : jdbc.sql("SELECT subject, message_id FROM warmup_messages WHERE id = :id")
                    .param("id", d.parentId()).query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).optional().orElse(null);
            long seed = seed(d.senderMailbox(), d.day());
            var text = parent == null ? WarmupCorpus.compose(seed, d.seq(), from.firstName(), to.firstName())
                    : WarmupCorpus.reply(seed, d.seq(), from.firstName(), to.firstName());
            String subject = parent == null ? text.subject() : parent[0].regionMatches(true, 0, "Re:", 0, 3) ? parent[0] : "Re: " + parent[0];
            String messageId = "<" + d.id() + "." + Long.toString(new SplittableRandom().nextLong() & Long.MAX_VALUE, 36) + "@" + from.domain() + ">";
            MimeMessage m = message(d, from, to, subject, text, messageId, parent == null ? null : parent[1]);
            var key = domains.dkimKey(d.senderWs(), from.domain());
            if (key.isPresent()) m = dev.outreach2day.domain.DkimSignatures.sign(m, key.get().domain(), key.get().selector(), key.get().key());
            mailboxes.send(d.senderWs(), d.senderMailbox(), m);
            finish(d, "sent", null, messageId, subject, now); // no copy in Sent: warmup mail stays out of the user's way
        } catch (MessagingException | RuntimeException e) {
            capacity.release(d.senderWs(), d.senderMailbox(), now);
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            finish(d, "failed", reason.length() > 500 ? reason.substring(0, 500) : reason, null, null, now);
            log.info("Warmup: {} from {} failed: {}", d.id(), from.address(), reason);
        }
    }

    private MimeMessage message(Due d, Mailboxes.MailboxView from, Mailboxes.MailboxView to, String subject, WarmupCorpus.Message text,
            String messageId, String inReplyTo) throws MessagingException {
        var m = new MimeMessage(MailSessions.plain()) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        try {
            m.setFrom(new InternetAddress(from.address(), name(from), "UTF-8"));
            m.setRecipient(Message.RecipientType.TO, new InternetAddress(to.address(), name(to), "UTF-8"));
        } catch (java.io.UnsupportedEncodingException e) {
            throw new MessagingException("UTF-8", e);
        }
        m.setSubject(subject, "UTF-8");
        m.setSentDate(java.util.Date.from(clock.instant()));
        m.setHeader(Unibox.WARMUP_HEADER, d.id() + "." + token(d.id()));
        if (inReplyTo != null) {
            m.setHeader("In-Reply-To", inReplyTo);
            m.setHeader("References", inReplyTo);
        }
        var plain = new MimeBodyPart();
        plain.setText(text.text(), "UTF-8", "plain");
        var html = new MimeBodyPart();
        html.setText(text.html(), "UTF-8", "html");
        var alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(plain);
        alternative.addBodyPart(html);
        m.setContent(alternative);
        m.saveChanges();
        return m;
    }

    private static String name(Mailboxes.MailboxView v) {
        String n = ((v.firstName() == null ? "" : v.firstName()) + " " + (v.lastName() == null ? "" : v.lastName())).strip();
        return n.isEmpty() ? null : n;
    }

    private void finish(Due d, String status, String reason, String messageId, String subject, Instant now) {
        jdbc.sql("""
                UPDATE warmup_messages SET status = :status, reason = :reason, message_id = :messageId, subject = :subject,
                       sent_at = CASE WHEN :status = 'sent' THEN CAST(:now AS timestamptz) END, locked_until = NULL
                 WHERE id = :id
                """).param("id", d.id()).param("status", status).param("reason", reason).param("messageId", messageId)
                .param("subject", subject).param("now", WarmupStore.ts(now)).update();
    }

    // ---- the recipients' side ----

    /** Reads the recipients' mailboxes (a step of {@link #runOnce}; tests call it alone). */
    void readInboxes(Instant now) {
        var waiting = jdbc.sql("""
                SELECT DISTINCT recipient_ws, recipient_mailbox FROM warmup_messages WHERE status = 'sent' AND landed IS NULL
                """).query((rs, n) -> new Object[] {rs.getLong(1), rs.getString(2)}).list();
        for (Object[] w : waiting) {
            if (!running) return;
            long ws = (Long) w[0];
            String mailboxId = (String) w[1];
            // one process at a time reads a mailbox for warmup (a lease on its pool row, given back when done)
            boolean mine = jdbc.sql("""
                    UPDATE warmup_mailboxes SET reader_node = :node, reader_until = :until
                     WHERE workspace_id = :ws AND mailbox_id = :id AND (reader_until IS NULL OR reader_until < :now OR reader_node = :node)
                    """).param("ws", ws).param("id", mailboxId).param("node", NODE).param("until", WarmupStore.ts(now.plus(READ_LEASE)))
                    .param("now", WarmupStore.ts(now)).update() == 1;
            if (!mine) continue;
            try {
                readInbox(ws, mailboxId, now);
            } catch (MessagingException | RuntimeException e) {
                log.info("Warmup: reading mailbox {} failed: {}", mailboxId, e.getMessage());
            } finally {
                jdbc.sql("UPDATE warmup_mailboxes SET reader_node = NULL, reader_until = NULL WHERE workspace_id = :ws AND mailbox_id = :id "
                        + "AND reader_node = :node").param("ws", ws).param("id", mailboxId).param("node", NODE).update();
            }
        }
    }

    private void readInbox(long ws, String mailboxId, Instant now) throws MessagingException {
        var login = mailboxes.imapLogin(ws, mailboxId).orElse(null);
        if (login == null) return;
        var awaiting = new HashMap<String, Awaiting>();
        jdbc.sql("""
                SELECT id, kind, sender_ws, sender_mailbox FROM warmup_messages
                 WHERE recipient_ws = :ws AND recipient_mailbox = :id AND status = 'sent' AND landed IS NULL
                """).param("ws", ws).param("id", mailboxId)
                .query((rs, n) -> new Awaiting(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)))
                .list().forEach(a -> awaiting.put(a.id(), a));
        var settings = store.member(ws, mailboxId).map(WarmupStore.Member::settings).orElse(WarmupSettings.DEFAULTS);
        var p = new Properties();
        p.put("mail.imap.connectiontimeout", "15000");
        p.put("mail.imap.timeout", "60000");
        if (login.security().equals("starttls")) p.put("mail.imap.starttls.required", "true");
        try (Store imap = MailSessions.of(p).getStore(login.security().equals("ssl") ? "imaps" : "imap")) {
            imap.connect(login.host(), login.port(), login.username(), login.password());
            Folder inbox = imap.getFolder("INBOX");
            var folders = new ArrayList<Folder>();
            folders.add(inbox);
            for (Folder f : imap.getDefaultFolder().list("*")) {
                boolean junk = SPAM_FOLDERS.contains(f.getFullName().toLowerCase(Locale.ROOT));
                if (f instanceof org.eclipse.angus.mail.imap.IMAPFolder i) {
                    for (String a : i.getAttributes()) junk |= a.equalsIgnoreCase("\\Junk") || a.equalsIgnoreCase("\\Spam");
                }
                if (junk) folders.add(f);
            }
            for (Folder f : folders) {
                if (awaiting.isEmpty()) break;
                boolean spam = f != inbox;
                f.open(Folder.READ_WRITE);
                boolean moved = false;
                try {
                    Message[] found = f.search(new HeaderTerm(Unibox.WARMUP_HEADER, "wmsg_"));
                    var profile = new FetchProfile();
                    profile.add(Unibox.WARMUP_HEADER);
                    f.fetch(found, profile);
                    for (Message msg : found) {
                        String[] values = msg.getHeader(Unibox.WARMUP_HEADER);
                        if (values == null || values.length == 0) continue;
                        String v = values[0].strip();
                        int dot = v.lastIndexOf('.');
                        if (dot < 0 || !token(v.substring(0, dot)).equals(v.substring(dot + 1))) continue; // not ours: ignored
                        var a = awaiting.remove(v.substring(0, dot));
                        if (a == null) continue; // already counted
                        boolean flag = chance(a.id(), "important") < settings.importantRate();
                        boolean reply = a.kind().equals("warmup") && chance(a.id(), "reply") < settings.replyRate();
                        // recorded first: whoever records it (one reader per mailbox, see readInboxes) acts on it
                        Boolean recorded = tx.execute(s -> {
                            if (jdbc.sql("""
                                    UPDATE warmup_messages SET landed = :landed, landed_at = :now, flagged = :flag, replied = :reply
                                     WHERE id = :id AND landed IS NULL
                                    """).param("id", a.id()).param("landed", spam ? "spam" : "inbox").param("now", WarmupStore.ts(now))
                                    .param("flag", flag).param("reply", reply).update() == 0) {
                                return false;
                            }
                            if (reply) {
                                Instant at = now.plus(Duration.ofMinutes(2 + (long) (chance(a.id(), "delay") * 40)));
                                LocalDate day = WarmupStore.day(at);
                                insertMessage("reply", a.id(), ws, mailboxId, a.senderWs(), a.senderMailbox(), day, nextSeq(ws, mailboxId, day), at);
                            }
                            return true;
                        });
                        if (!Boolean.TRUE.equals(recorded)) continue;
                        msg.setFlag(Flags.Flag.SEEN, true);
                        if (flag) msg.setFlag(Flags.Flag.FLAGGED, true);
                        if (spam) { // rescued: into the inbox, out of spam
                            f.copyMessages(new Message[] {msg}, inbox);
                            msg.setFlag(Flags.Flag.DELETED, true);
                            moved = true;
                        }
                    }
                } finally {
                    f.close(moved);
                }
            }
        }
    }

    // ---- helpers ----

    /** The token that proves a warmup message is ours: an HMAC of its id with this server's secret. */
    String token(String id) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secrets.get("warmup-token"), "HmacSHA256"));
            byte[] sig = mac.doFinal(id.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(sig, 18));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A number in [0, 1) fixed for a message and a purpose: which messages are flagged or answered. */
    static double chance(String id, String purpose) {
        return new SplittableRandom((id + "/" + purpose).hashCode() * 0x9E3779B97F4A7C15L).nextDouble();
    }

    static long seed(String mailboxId, LocalDate day) {
        return mailboxId.hashCode() * 0x9E3779B97F4A7C15L + day.toEpochDay();
    }

    private static String key(WarmupStore.Member m) {
        return m.workspaceId() + ":" + m.mailboxId();
    }
}
