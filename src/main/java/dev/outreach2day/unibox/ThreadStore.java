package dev.outreach2day.unibox;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code unibox_threads} and {@code unibox_messages} tables. */
@Repository
class ThreadStore {

    record ThreadRow(long workspaceId, String id, String mailboxId, String externalThreadId, String subject, String subjectDisplay,
            String campaignId, String contactId, String sendId, String replyIntent, Double intentConfidence, boolean intentManual,
            LocalDate returnDate, boolean isWarming, boolean isPostmaster, boolean hasIncoming, int messageCount, Instant lastAt,
            Instant createdAt, Instant updatedAt, String lastFrom, Instant lastDate, String lastText) {}

    record MessageRow(String id, String threadId, String mailboxId, String messageId, String fromEmail, List<String> toEmails,
            List<String> ccEmails, String subject, Instant dateReceived, String bodyText, String bodyHtml, boolean isIncoming,
            String folder) {}

    private static final String THREAD_COLUMNS = """
            t.workspace_id, t.id, t.mailbox_id, t.external_thread_id, t.subject, t.subject_display, t.campaign_id, t.contact_id,
            t.send_id, t.reply_intent, t.intent_confidence, t.intent_manual, t.return_date, t.is_warming, t.is_postmaster,
            t.has_incoming, t.message_count, t.last_at, t.created_at, t.updated_at,
            m.from_email AS last_from, m.date_received AS last_date, m.body_text AS last_text
            """;

    private static final String THREAD_FROM = """
              FROM unibox_threads t
              LEFT JOIN unibox_messages m ON m.workspace_id = t.workspace_id AND m.id = t.last_message_id
            """;

    private static final String FIND = "SELECT " + THREAD_COLUMNS + THREAD_FROM + " WHERE t.workspace_id = :workspaceId AND t.id = :id";

    /**
     * A page of threads, newest first by id: ids never change, so a thread never moves between
     * pages while mail arrives (new threads appear before the first page).
     */
    private static final String PAGE = "SELECT " + THREAD_COLUMNS + THREAD_FROM + """
             WHERE t.workspace_id = :workspaceId
               AND (CAST(:before AS text) IS NULL OR t.id < :before)
               AND (CAST(:mailboxId AS text) IS NULL OR t.mailbox_id = :mailboxId)
               AND (CAST(:intent AS text) IS NULL OR t.reply_intent = :intent)
               AND (CAST(:campaignId AS text) IS NULL OR t.campaign_id = :campaignId)
               AND (CAST(:updatedSince AS timestamptz) IS NULL OR t.updated_at >= CAST(:updatedSince AS timestamptz))
               AND (:full OR (NOT t.is_warming AND NOT t.is_postmaster AND t.has_incoming))
             ORDER BY t.id DESC
             LIMIT :limit
            """;

    private static final String MESSAGES_STORED = """
            SELECT message_id, thread_id FROM unibox_messages
             WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId AND message_id = ANY(:messageIds)
            """;

    /** The thread of the newest stored message of the mailbox with one of these Message-IDs. */
    private static final String THREAD_OF_MESSAGES = """
            SELECT thread_id FROM unibox_messages
             WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId AND message_id = ANY(:ids)
             ORDER BY date_received DESC LIMIT 1
            """;

    private static final String THREAD_OF_SEND = """
            SELECT id FROM unibox_threads WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId AND send_id = :sendId
             ORDER BY id LIMIT 1
            """;

    /** Threading without reply headers: the same normalised subject with the same other party, in the last 90 days. */
    private static final String THREAD_BY_SUBJECT = """
            SELECT id FROM unibox_threads
             WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId AND subject_key = :subjectKey AND participant = :participant
               AND last_at > CAST(:since AS timestamptz)
             ORDER BY last_at DESC LIMIT 1
            """;

    private static final String INSERT_THREAD = """
            INSERT INTO unibox_threads (workspace_id, id, mailbox_id, external_thread_id, subject, subject_display, subject_key,
                                        participant, campaign_id, contact_id, send_id, is_postmaster, created_at, updated_at)
            VALUES (:workspaceId, :id, :mailboxId, :externalId, :subject, :subjectDisplay, :subjectKey, :participant, :campaignId,
                    :contactId, :sendId, :postmaster, :now, :now)
            """;

    /** A thread written once with its first message already counted (what INSERT_THREAD and then UPDATE_THREAD would leave). */
    private static final String INSERT_THREAD_WITH_MESSAGE = """
            INSERT INTO unibox_threads (workspace_id, id, mailbox_id, external_thread_id, subject, subject_display, subject_key,
                                        participant, campaign_id, contact_id, send_id, is_postmaster, created_at, updated_at,
                                        message_count, last_message_id, last_at, has_incoming, is_warming, reply_intent,
                                        intent_confidence, return_date)
            VALUES (:workspaceId, :id, :mailboxId, :externalId, :subject, :subjectDisplay, :subjectKey, :participant, :campaignId,
                    :contactId, :sendId, :postmaster, :now, :now, 1, :messageRowId, :date, :incoming, :warming, :intent, :confidence,
                    CAST(:returnDate AS date))
            """;

    private static final String DELETE_EMPTY_THREAD = """
            DELETE FROM unibox_threads t WHERE t.workspace_id = :workspaceId AND t.id = :id
               AND NOT EXISTS (SELECT 1 FROM unibox_messages m WHERE m.workspace_id = t.workspace_id AND m.thread_id = t.id)
            """;

    private static final String INSERT_MESSAGE = """
            INSERT INTO unibox_messages (workspace_id, id, thread_id, mailbox_id, message_id, in_reply_to, refs, from_email, from_name,
                                         to_emails, cc_emails, subject, date_received, body_text, body_html, attachments, is_incoming,
                                         folder, created_at)
            VALUES (:workspaceId, :id, :threadId, :mailboxId, :messageId, :inReplyTo, CAST(:refs AS text[]), :fromEmail, :fromName,
                    CAST(:to AS text[]), CAST(:cc AS text[]), :subject, :date, :text, :html, CAST(:attachments AS jsonb), :incoming,
                    :folder, :now)
            ON CONFLICT (workspace_id, mailbox_id, message_id) DO NOTHING
            """;

    /** The thread after a new message: counts, newest message, flags, and the classifier's intent unless set by hand. */
    private static final String UPDATE_THREAD = """
            UPDATE unibox_threads t
               SET message_count = t.message_count + 1,
                   last_message_id = CASE WHEN t.last_at IS NULL OR :date >= t.last_at THEN :messageRowId ELSE t.last_message_id END,
                   last_at = GREATEST(t.last_at, :date),
                   has_incoming = t.has_incoming OR :incoming,
                   is_postmaster = CASE WHEN :incoming THEN (t.is_postmaster OR NOT t.has_incoming) AND :postmaster ELSE t.is_postmaster END,
                   campaign_id = COALESCE(t.campaign_id, :campaignId),
                   contact_id = COALESCE(t.contact_id, :contactId),
                   send_id = COALESCE(t.send_id, :sendId),
                   reply_intent = CASE WHEN t.intent_manual OR CAST(:intent AS text) IS NULL THEN t.reply_intent ELSE :intent END,
                   intent_confidence = CASE WHEN t.intent_manual OR CAST(:intent AS text) IS NULL THEN t.intent_confidence ELSE :confidence END,
                   return_date = CASE WHEN t.intent_manual OR CAST(:intent AS text) IS NULL THEN t.return_date ELSE CAST(:returnDate AS date) END,
                   updated_at = :now
             WHERE t.workspace_id = :workspaceId AND t.id = :threadId
            """;

    private static final String SET_INTENT = """
            UPDATE unibox_threads SET reply_intent = :intent, intent_confidence = 1.0, intent_manual = true, return_date = NULL, updated_at = :now
             WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String MESSAGES = """
            SELECT id, thread_id, mailbox_id, message_id, from_email, to_emails, cc_emails, subject, date_received, body_text, body_html,
                   is_incoming, folder
              FROM unibox_messages WHERE workspace_id = :workspaceId AND thread_id = :threadId
             ORDER BY date_received, id
            """;

    private final JdbcClient jdbc;

    ThreadStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Message-ID → thread, for those of {@code messageIds} the mailbox has stored (a map the caller may add to). */
    Map<String, String> storedThreads(long ws, String mailboxId, List<String> messageIds) {
        var out = new HashMap<String, String>();
        if (messageIds.isEmpty()) return out;
        jdbc.sql(MESSAGES_STORED).param("workspaceId", ws).param("mailboxId", mailboxId)
                .param("messageIds", messageIds.toArray(String[]::new))
                .query((RowCallbackHandler) rs -> out.put(rs.getString(1), rs.getString(2)));
        return out;
    }

    Optional<String> threadOfMessages(long ws, String mailboxId, List<String> messageIds) {
        if (messageIds.isEmpty()) return Optional.empty();
        return jdbc.sql(THREAD_OF_MESSAGES).param("workspaceId", ws).param("mailboxId", mailboxId)
                .param("ids", messageIds.toArray(String[]::new)).query(String.class).optional();
    }

    Optional<String> threadOfSend(long ws, String mailboxId, String sendId) {
        return jdbc.sql(THREAD_OF_SEND).param("workspaceId", ws).param("mailboxId", mailboxId).param("sendId", sendId)
                .query(String.class).optional();
    }

    Optional<String> threadBySubject(long ws, String mailboxId, String subjectKey, String participant, Instant since) {
        if (subjectKey.isEmpty() || participant == null) return Optional.empty();
        return jdbc.sql(THREAD_BY_SUBJECT).param("workspaceId", ws).param("mailboxId", mailboxId).param("subjectKey", subjectKey)
                .param("participant", participant).param("since", Timestamp.from(since)).query(String.class).optional();
    }

    void insertThread(long ws, String id, String mailboxId, String externalId, String subject, String participant, String campaignId,
            String contactId, String sendId, boolean postmaster, Instant now) {
        jdbc.sql(INSERT_THREAD).param("workspaceId", ws).param("id", id).param("mailboxId", mailboxId).param("externalId", externalId)
                .param("subject", subject).param("subjectDisplay", Subjects.display(subject)).param("subjectKey", Subjects.key(subject))
                .param("participant", participant).param("campaignId", campaignId).param("contactId", contactId).param("sendId", sendId)
                .param("postmaster", postmaster).param("now", Timestamp.from(now)).update();
    }

    /** The first message of a new thread, as the thread records it. */
    record FirstMessage(String rowId, Instant date, boolean incoming, boolean warming, String intent, Double confidence,
            LocalDate returnDate) {}

    /** A new thread that already counts its first message ({@code first}), which the caller inserts next in the same transaction. */
    void insertThread(long ws, String id, String mailboxId, String externalId, String subject, String participant, String campaignId,
            String contactId, String sendId, boolean postmaster, Instant now, FirstMessage first) {
        jdbc.sql(INSERT_THREAD_WITH_MESSAGE).param("workspaceId", ws).param("id", id).param("mailboxId", mailboxId)
                .param("externalId", externalId).param("subject", subject).param("subjectDisplay", Subjects.display(subject))
                .param("subjectKey", Subjects.key(subject)).param("participant", participant).param("campaignId", campaignId)
                .param("contactId", contactId).param("sendId", sendId).param("postmaster", postmaster).param("now", Timestamp.from(now))
                .param("messageRowId", first.rowId()).param("date", Timestamp.from(first.date())).param("incoming", first.incoming())
                .param("warming", first.warming()).param("intent", first.intent()).param("confidence", first.confidence())
                .param("returnDate", first.returnDate() == null ? null : first.returnDate().toString()).update();
    }

    /** Removes a thread just created whose first message turned out to be stored already (by another process). */
    void deleteEmptyThread(long ws, String id) {
        jdbc.sql(DELETE_EMPTY_THREAD).param("workspaceId", ws).param("id", id).update();
    }

    /** False when the mailbox already has a message with this Message-ID (stored once). */
    boolean insertMessage(long ws, String id, String threadId, String mailboxId, InboundMessage m, String html, String attachmentsJson,
            boolean incoming, String folder, Instant date, Instant now) {
        return jdbc.sql(INSERT_MESSAGE).param("workspaceId", ws).param("id", id).param("threadId", threadId).param("mailboxId", mailboxId)
                .param("messageId", m.messageId()).param("inReplyTo", m.inReplyTo()).param("refs", m.references().toArray(String[]::new))
                .param("fromEmail", m.from()).param("fromName", m.fromName()).param("to", m.to().toArray(String[]::new))
                .param("cc", m.cc().toArray(String[]::new)).param("subject", m.subject()).param("date", Timestamp.from(date))
                .param("text", m.text()).param("html", html).param("attachments", attachmentsJson).param("incoming", incoming)
                .param("folder", folder).param("now", Timestamp.from(now)).update() == 1;
    }

    /** The thread carries warmup mail: relevant mode hides it. */
    void markWarming(long ws, String threadId) {
        jdbc.sql("UPDATE unibox_threads SET is_warming = true WHERE workspace_id = :ws AND id = :id AND NOT is_warming").param("ws", ws)
                .param("id", threadId).update();
    }

    void updateThread(long ws, String threadId, String messageRowId, Instant date, boolean incoming, boolean postmaster,
            String campaignId, String contactId, String sendId, String intent, Double confidence, LocalDate returnDate, Instant now) {
        jdbc.sql(UPDATE_THREAD).param("workspaceId", ws).param("threadId", threadId).param("messageRowId", messageRowId)
                .param("date", Timestamp.from(date)).param("incoming", incoming).param("postmaster", postmaster)
                .param("campaignId", campaignId).param("contactId", contactId).param("sendId", sendId).param("intent", intent)
                .param("confidence", confidence).param("returnDate", returnDate == null ? null : returnDate.toString())
                .param("now", Timestamp.from(now)).update();
    }

    /** A message sent from the inbox, into its thread (once: the Sent folder sync finds it stored). */
    void addOutbound(long ws, String threadId, String rowId, String mailboxId, String messageId, String inReplyTo, List<String> refs,
            String from, List<String> to, List<String> cc, String subject, String text, String html, Instant now) {
        var m = new InboundMessage(messageId, inReplyTo, refs, subject, from, null, to, cc, now, text, null, List.of(), java.util.Map.of(),
                null, false, false);
        if (insertMessage(ws, rowId, threadId, mailboxId, m, html, "[]", false, "sent", now, now)) {
            updateThread(ws, threadId, rowId, now, false, false, null, null, null, null, null, null, now);
        }
    }

    boolean setIntent(long ws, String id, String intent, Instant now) {
        return jdbc.sql(SET_INTENT).param("workspaceId", ws).param("id", id).param("intent", intent).param("now", Timestamp.from(now))
                .update() == 1;
    }

    Optional<ThreadRow> find(long ws, String id) {
        return jdbc.sql(FIND).param("workspaceId", ws).param("id", id).query(ThreadStore::mapThread).optional();
    }

    List<ThreadRow> page(long ws, String before, String mailboxId, String intent, String campaignId, Instant updatedSince, boolean full,
            int limit) {
        return jdbc.sql(PAGE).param("workspaceId", ws).param("before", before).param("mailboxId", mailboxId).param("intent", intent)
                .param("campaignId", campaignId).param("updatedSince", updatedSince == null ? null : Timestamp.from(updatedSince))
                .param("full", full).param("limit", limit).query(ThreadStore::mapThread).list();
    }

    List<MessageRow> messages(long ws, String threadId) {
        return jdbc.sql(MESSAGES).param("workspaceId", ws).param("threadId", threadId).query((rs, n) -> new MessageRow(
                rs.getString("id"), rs.getString("thread_id"), rs.getString("mailbox_id"), rs.getString("message_id"),
                rs.getString("from_email"), strings(rs.getArray("to_emails")), strings(rs.getArray("cc_emails")), rs.getString("subject"),
                rs.getTimestamp("date_received").toInstant(), rs.getString("body_text"), rs.getString("body_html"),
                rs.getBoolean("is_incoming"), rs.getString("folder"))).list();
    }

    private static ThreadRow mapThread(ResultSet rs, int n) throws SQLException {
        double conf = rs.getDouble("intent_confidence");
        Double confidence = rs.wasNull() ? null : conf;
        var ret = rs.getDate("return_date");
        return new ThreadRow(rs.getLong("workspace_id"), rs.getString("id"), rs.getString("mailbox_id"),
                rs.getString("external_thread_id"), rs.getString("subject"), rs.getString("subject_display"), rs.getString("campaign_id"),
                rs.getString("contact_id"), rs.getString("send_id"), rs.getString("reply_intent"), confidence,
                rs.getBoolean("intent_manual"), ret == null ? null : ret.toLocalDate(), rs.getBoolean("is_warming"),
                rs.getBoolean("is_postmaster"), rs.getBoolean("has_incoming"), rs.getInt("message_count"), instant(rs, "last_at"),
                instant(rs, "created_at"), instant(rs, "updated_at"), rs.getString("last_from"), instant(rs, "last_date"),
                rs.getString("last_text"));
    }

    private static Instant instant(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : List.of((String[]) a.getArray());
    }
}
