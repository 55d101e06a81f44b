package dev.outreach2day.unibox;

import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.platform.MailSessions;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.lang.management.ManagementFactory;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Mail sent from the inbox. The API queues an operation ({@code queued}) and answers at once; a
 * worker in any server process claims it ({@code FOR UPDATE SKIP LOCKED}, a lease), sends it over
 * the mailbox's own SMTP login ({@code sending}; DKIM-signed when the domain is the workspace's), appends a copy to the mailbox's Sent folder over
 * IMAP, adds it to its thread, and marks it {@code sent}. A temporary failure (4xx, connection)
 * is retried with backoff up to {@value #MAX_ATTEMPTS} attempts; a permanent one (5xx) is
 * {@code failed} with the server's answer. An operation left {@code sending} by a process that
 * died is never sent again automatically: it becomes {@code failed}, saying why.
 */
@Component
class Outbound {

    private static final Logger log = LoggerFactory.getLogger(Outbound.class);
    static final int MAX_ATTEMPTS = 5;

    record Operation(long workspaceId, String id, String kind, String threadId, String mailboxId, String fromAddress,
            List<String> to, List<String> cc, List<String> bcc, String subject, String bodyText, String bodyHtml, String messageId,
            String inReplyTo, List<String> refs, String status, int attempts, String error, Instant sentAt) {}

    private static final String COLUMNS = """
            workspace_id, id, kind, thread_id, mailbox_id, from_address, to_emails, cc_emails, bcc_emails, subject, body_text, body_html,
            message_id, in_reply_to, refs, status, attempts, error, sent_at
            """;

    private static final String INSERT = """
            INSERT INTO unibox_operations (workspace_id, id, kind, thread_id, mailbox_id, from_address, to_emails, cc_emails, bcc_emails,
                                           subject, body_text, body_html, message_id, in_reply_to, refs, status, next_attempt_at,
                                           created_at, updated_at)
            VALUES (:workspaceId, :id, :kind, :threadId, :mailboxId, :from, CAST(:to AS text[]), CAST(:cc AS text[]), CAST(:bcc AS text[]),
                    :subject, :text, :html, :messageId, :inReplyTo, CAST(:refs AS text[]), 'queued', :now, :now, :now)
            """;

    private static final String CLAIM = """
            WITH due AS (
                SELECT workspace_id, id FROM unibox_operations
                 WHERE status = 'queued' AND next_attempt_at <= :now
                 ORDER BY next_attempt_at LIMIT :limit
                   FOR UPDATE SKIP LOCKED)
            UPDATE unibox_operations o SET status = 'sending', attempts = o.attempts + 1, locked_by = :node, locked_until = :until,
                   updated_at = :now
              FROM due WHERE o.workspace_id = due.workspace_id AND o.id = due.id
            RETURNING """ + " " + COLUMNS.replace("workspace_id,", "o.workspace_id,").replace(" id,", " o.id,");

    private static final String FINISH = """
            UPDATE unibox_operations SET status = :status, error = :error, sent_at = :sentAt, next_attempt_at = :next, locked_by = NULL,
                   locked_until = NULL, updated_at = :now
             WHERE workspace_id = :workspaceId AND id = :id AND locked_by = :node
            """;

    /**
     * Sending when its lease ran out: the process died during SMTP. Whether the message went out
     * is unknown, so it is not sent again (a duplicate to a prospect is worse): failed, saying so.
     */
    private static final String REAP = """
            UPDATE unibox_operations SET status = 'failed', locked_by = NULL, locked_until = NULL, updated_at = :now,
                   error = 'the sending process stopped during SMTP; not sent again to avoid a duplicate (check the Sent folder)'
             WHERE status = 'sending' AND locked_until < :now
            """;

    private static final String FIND = "SELECT " + COLUMNS + " FROM unibox_operations WHERE workspace_id = :workspaceId AND id = :id";

    private final JdbcClient jdbc;
    private final Mailboxes mailboxes;
    private final dev.outreach2day.domain.Domains domains;
    private final ThreadStore threads;
    private final UniboxProperties props;
    private final Clock clock;
    private final String node;

    Outbound(JdbcClient jdbc, Mailboxes mailboxes, dev.outreach2day.domain.Domains domains, ThreadStore threads, UniboxProperties props,
            Clock clock) {
        this.domains = domains;
        this.jdbc = jdbc;
        this.mailboxes = mailboxes;
        this.threads = threads;
        this.props = props;
        this.clock = clock;
        this.node = ManagementFactory.getRuntimeMXBean().getName();
    }

    /** Queues one message; its Message-ID is fixed now (on the sending mailbox's domain) and returned by the API. */
    Operation queue(long ws, String kind, String threadId, Mailboxes.MailboxView from, List<String> to, List<String> cc, List<String> bcc,
            String subject, String text, String html, String inReplyTo, List<String> refs) {
        Instant now = clock.instant();
        String id = Ids.next("op", now.toEpochMilli());
        String messageId = "<" + id + "." + Long.toHexString(Double.doubleToLongBits(Math.random())) + "@" + from.domain() + ">";
        jdbc.sql(INSERT).param("workspaceId", ws).param("id", id).param("kind", kind).param("threadId", threadId)
                .param("mailboxId", from.id()).param("from", from.address()).param("to", to.toArray(String[]::new))
                .param("cc", cc.toArray(String[]::new)).param("bcc", bcc.toArray(String[]::new)).param("subject", subject)
                .param("text", text).param("html", html).param("messageId", messageId).param("inReplyTo", inReplyTo)
                .param("refs", refs.toArray(String[]::new)).param("now", Timestamp.from(now)).update();
        return find(ws, id).orElseThrow();
    }

    Optional<Operation> find(long ws, String id) {
        return jdbc.sql(FIND).param("workspaceId", ws).param("id", id).query(Outbound::map).optional();
    }

    @Scheduled(initialDelayString = "PT5S", fixedDelayString = "PT2S")
    void tick() {
        if (!props.outboundEnabled()) return;
        try {
            while (runOnce() > 0) {
                // more may be due
            }
        } catch (RuntimeException e) {
            log.warn("Inbox sending round failed: {}", e.getMessage(), e);
        }
    }

    /** Claims due operations and sends them; returns how many were claimed. */
    int runOnce() {
        Instant now = clock.instant();
        jdbc.sql(REAP).param("now", Timestamp.from(now)).update();
        var ops = jdbc.sql(CLAIM).param("now", Timestamp.from(now)).param("until", Timestamp.from(now.plus(Duration.ofMinutes(5))))
                .param("node", node).param("limit", 20).query(Outbound::map).list();
        for (Operation op : ops) send(op);
        return ops.size();
    }

    private void send(Operation op) {
        String error = null;
        boolean permanent = false;
        try {
            Session session = MailSessions.plain();
            MimeMessage m = build(session, op);
            // mail from one of the workspace's domains is DKIM-signed with that domain's key, as campaign mail is
            String domain = op.fromAddress().substring(op.fromAddress().indexOf('@') + 1);
            var key = domains.dkimKey(op.workspaceId(), domain);
            if (key.isPresent()) m = dev.outreach2day.domain.DkimSignatures.sign(m, key.get().domain(), key.get().selector(), key.get().key());
            mailboxes.send(op.workspaceId(), op.mailboxId(), m);
            appendToSent(op, m);
        } catch (SMTPAddressFailedException | SMTPSendFailedException e) {
            int code = e instanceof SMTPAddressFailedException a ? a.getReturnCode() : ((SMTPSendFailedException) e).getReturnCode();
            permanent = code >= 500;
            error = abbreviate(e.getMessage());
        } catch (MessagingException | RuntimeException e) {
            error = abbreviate(e.getClass().getSimpleName() + ": " + e.getMessage()); // connection, login: worth another try
        }
        Instant now = clock.instant();
        String status = error == null ? "sent" : permanent || op.attempts() >= MAX_ATTEMPTS ? "failed" : "queued";
        Instant next = now.plus(Duration.ofSeconds(30L << Math.min(op.attempts(), 8)));
        if (status.equals("sent")) {
            threads.addOutbound(op.workspaceId(), op.threadId(), Ids.next("msg", now.toEpochMilli()), op.mailboxId(), op.messageId(),
                    op.inReplyTo(), op.refs(), op.fromAddress(), op.to(), op.cc(), op.subject(), op.bodyText(),
                    op.bodyHtml(), now);
        } else {
            log.info("Inbox {} {} from {}: {} ({})", op.kind(), op.id(), op.fromAddress(), status, error);
        }
        jdbc.sql(FINISH).param("workspaceId", op.workspaceId()).param("id", op.id()).param("node", node).param("status", status)
                .param("error", error).param("sentAt", error == null ? Timestamp.from(now) : null).param("next", Timestamp.from(next))
                .param("now", Timestamp.from(now)).update();
    }

    static MimeMessage build(Session session, Operation op) throws MessagingException {
        MimeMessage m = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", op.messageId());
            }
        };
        m.setFrom(new InternetAddress(op.fromAddress()));
        for (String a : op.to()) m.addRecipient(Message.RecipientType.TO, new InternetAddress(a));
        for (String a : op.cc()) m.addRecipient(Message.RecipientType.CC, new InternetAddress(a));
        for (String a : op.bcc()) m.addRecipient(Message.RecipientType.BCC, new InternetAddress(a));
        m.setSubject(op.subject(), "UTF-8");
        m.setSentDate(new Date());
        if (op.inReplyTo() != null) m.setHeader("In-Reply-To", op.inReplyTo());
        if (!op.refs().isEmpty()) m.setHeader("References", String.join(" ", op.refs()));
        if (op.bodyHtml() == null) {
            m.setText(op.bodyText(), "UTF-8");
        } else {
            var alt = new MimeMultipart("alternative");
            var text = new MimeBodyPart();
            text.setText(op.bodyText(), "UTF-8");
            var html = new MimeBodyPart();
            html.setText(op.bodyHtml(), "UTF-8", "html");
            alt.addBodyPart(text);
            alt.addBodyPart(html);
            m.setContent(alt);
        }
        m.saveChanges();
        return m;
    }

    /** A copy in the mailbox's Sent folder (created when the server has none), as a mail client would; best effort. */
    private void appendToSent(Operation op, MimeMessage m) {
        try {
            mailboxes.saveSent(op.workspaceId(), op.mailboxId(), m);
        } catch (MessagingException | RuntimeException e) {
            log.info("Could not put a copy of {} into the Sent folder of {}: {}", op.id(), op.fromAddress(), e.getMessage());
        }
    }

    private static Operation map(ResultSet rs, int n) throws SQLException {
        Timestamp sent = rs.getTimestamp("sent_at");
        return new Operation(rs.getLong("workspace_id"), rs.getString("id"), rs.getString("kind"), rs.getString("thread_id"),
                rs.getString("mailbox_id"), rs.getString("from_address"), strings(rs.getArray("to_emails")),
                strings(rs.getArray("cc_emails")), strings(rs.getArray("bcc_emails")), rs.getString("subject"), rs.getString("body_text"),
                rs.getString("body_html"), rs.getString("message_id"), rs.getString("in_reply_to"), strings(rs.getArray("refs")),
                rs.getString("status"), rs.getInt("attempts"), rs.getString("error"), sent == null ? null : sent.toInstant());
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : List.of((String[]) a.getArray());
    }

    private static String abbreviate(String s) {
        return s == null ? null : s.length() > 500 ? s.substring(0, 500) : s;
    }

}
