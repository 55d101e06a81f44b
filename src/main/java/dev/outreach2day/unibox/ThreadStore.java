package dev.outreach2day.unibox;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
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

    /** Stored messages of the mailbox among these Message-IDs: their thread and date. */
    private static final String MESSAGES_STORED = """
            SELECT message_id, thread_id, date_received FROM unibox_messages
             WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId AND message_id = ANY(:messageIds)
            """;

    /** What the sync changes of threads, read under a row lock (in id order) so that it can be written back whole. */
    private static final String LOCK_THREADS = """
            SELECT id, mailbox_id, external_thread_id, campaign_id, contact_id, send_id, reply_intent, intent_confidence, intent_manual,
                   return_date, is_warming, is_postmaster, has_incoming, message_count, last_message_id, last_at, created_at
              FROM unibox_threads WHERE workspace_id = :workspaceId AND id = ANY(:ids)
             ORDER BY id
               FOR UPDATE
            """;

    /** New threads, each already counting the messages written with it (one statement for a batch). */
    private static final String INSERT_THREADS = """
            INSERT INTO unibox_threads (workspace_id, id, mailbox_id, external_thread_id, subject, subject_display, subject_key,
                                        participant, campaign_id, contact_id, send_id, reply_intent, intent_confidence, return_date,
                                        is_warming, is_postmaster, has_incoming, message_count, last_message_id, last_at, created_at,
                                        updated_at)
            SELECT :workspaceId, r.id, r.mailbox_id, r.external_thread_id, r.subject, r.subject_display, r.subject_key, r.participant,
                   r.campaign_id, r.contact_id, r.send_id, r.reply_intent, r.intent_confidence, r.return_date, r.is_warming,
                   r.is_postmaster, r.has_incoming, r.message_count, r.last_message_id, r.last_at, r.created_at, r.updated_at
              FROM unnest(CAST(:ids AS text[]), CAST(:mailboxIds AS text[]), CAST(:externalIds AS text[]), CAST(:subjects AS text[]),
                          CAST(:subjectDisplays AS text[]), CAST(:subjectKeys AS text[]), CAST(:participants AS text[]),
                          CAST(:campaignIds AS text[]), CAST(:contactIds AS text[]), CAST(:sendIds AS text[]), CAST(:intents AS text[]),
                          CAST(:confidences AS double precision[]), CAST(CAST(:returnDates AS text[]) AS date[]),
                          CAST(:warmings AS boolean[]), CAST(:postmasters AS boolean[]), CAST(:incomings AS boolean[]),
                          CAST(:counts AS integer[]), CAST(:lastMessageIds AS text[]), CAST(CAST(:lastAts AS text[]) AS timestamptz[]),
                          CAST(CAST(:createdAts AS text[]) AS timestamptz[]), CAST(CAST(:updatedAts AS text[]) AS timestamptz[]))
                   AS r(id, mailbox_id, external_thread_id, subject, subject_display, subject_key, participant, campaign_id, contact_id,
                        send_id, reply_intent, intent_confidence, return_date, is_warming, is_postmaster, has_incoming, message_count,
                        last_message_id, last_at, created_at, updated_at)
            """;

    /** Threads written back whole after the messages of a batch (their rows are locked: see LOCK_THREADS). */
    private static final String UPDATE_THREADS = """
            UPDATE unibox_threads t
               SET message_count = r.message_count, last_message_id = r.last_message_id, last_at = r.last_at,
                   has_incoming = r.has_incoming, is_postmaster = r.is_postmaster, is_warming = r.is_warming,
                   campaign_id = r.campaign_id, contact_id = r.contact_id, send_id = r.send_id, reply_intent = r.reply_intent,
                   intent_confidence = r.intent_confidence, return_date = r.return_date, updated_at = r.updated_at
              FROM unnest(CAST(:ids AS text[]), CAST(:counts AS integer[]), CAST(:lastMessageIds AS text[]),
                          CAST(CAST(:lastAts AS text[]) AS timestamptz[]), CAST(:incomings AS boolean[]), CAST(:postmasters AS boolean[]),
                          CAST(:warmings AS boolean[]), CAST(:campaignIds AS text[]), CAST(:contactIds AS text[]), CAST(:sendIds AS text[]),
                          CAST(:intents AS text[]), CAST(:confidences AS double precision[]), CAST(CAST(:returnDates AS text[]) AS date[]),
                          CAST(CAST(:updatedAts AS text[]) AS timestamptz[]))
                   AS r(id, message_count, last_message_id, last_at, has_incoming, is_postmaster, is_warming, campaign_id, contact_id,
                        send_id, reply_intent, intent_confidence, return_date, updated_at)
             WHERE t.workspace_id = :workspaceId AND t.id = r.id
            """;

    /**
     * Messages of one mailbox folder (one statement for a batch); one the mailbox has already (same Message-ID) is left
     * out. The array columns come as array literals ({@link #arrayLiteral}).
     */
    private static final String INSERT_MESSAGES = """
            INSERT INTO unibox_messages (workspace_id, id, thread_id, mailbox_id, message_id, in_reply_to, refs, from_email, from_name,
                                         to_emails, cc_emails, subject, date_received, body_text, body_html, attachments, is_incoming,
                                         folder, created_at)
            SELECT :workspaceId, r.id, r.thread_id, :mailboxId, r.message_id, r.in_reply_to, CAST(r.refs AS text[]), r.from_email,
                   r.from_name, CAST(r.to_emails AS text[]), CAST(r.cc_emails AS text[]), r.subject, r.date_received, r.body_text,
                   r.body_html, CAST(r.attachments AS jsonb), r.is_incoming, :folder, r.created_at
              FROM unnest(CAST(:ids AS text[]), CAST(:threadIds AS text[]), CAST(:messageIds AS text[]), CAST(:inReplyTos AS text[]),
                          CAST(:refs AS text[]), CAST(:froms AS text[]), CAST(:fromNames AS text[]), CAST(:tos AS text[]),
                          CAST(:ccs AS text[]), CAST(:subjects AS text[]), CAST(CAST(:dates AS text[]) AS timestamptz[]),
                          CAST(:texts AS text[]), CAST(:htmls AS text[]), CAST(:attachments AS text[]), CAST(:incomings AS boolean[]),
                          CAST(CAST(:createdAts AS text[]) AS timestamptz[]))
                   AS r(id, thread_id, message_id, in_reply_to, refs, from_email, from_name, to_emails, cc_emails, subject,
                        date_received, body_text, body_html, attachments, is_incoming, created_at)
            ON CONFLICT (workspace_id, mailbox_id, message_id) DO NOTHING
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

    /** A message the mailbox has stored: its thread and date. */
    record StoredMessage(String threadId, Instant date) {}

    /** Message-ID → thread and date, for those of {@code messageIds} the mailbox has stored (a map the caller may add to). */
    Map<String, StoredMessage> storedMessages(long ws, String mailboxId, Collection<String> messageIds) {
        var out = new HashMap<String, StoredMessage>();
        if (messageIds.isEmpty()) return out;
        jdbc.sql(MESSAGES_STORED).param("workspaceId", ws).param("mailboxId", mailboxId)
                .param("messageIds", messageIds.toArray(String[]::new))
                .query((RowCallbackHandler) rs -> out.put(rs.getString(1),
                        new StoredMessage(rs.getString(2), rs.getTimestamp(3).toInstant())));
        return out;
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

    /** A thread without messages yet (one started from the inbox, whose first message is queued). */
    void insertThread(long ws, String id, String mailboxId, String externalId, String subject, String participant, String campaignId,
            String contactId, String sendId, boolean postmaster, Instant now) {
        jdbc.sql(INSERT_THREAD).param("workspaceId", ws).param("id", id).param("mailboxId", mailboxId).param("externalId", externalId)
                .param("subject", subject).param("subjectDisplay", Subjects.display(subject)).param("subjectKey", Subjects.key(subject))
                .param("participant", participant).param("campaignId", campaignId).param("contactId", contactId).param("sendId", sendId)
                .param("postmaster", postmaster).param("now", Timestamp.from(now)).update();
    }

    /**
     * A thread as the sync changes it: read under its row lock ({@link #lockThreads}) or made new, changed message by
     * message ({@link #add}), then written back whole ({@link #insertThreads} or {@link #updateThreads}).
     */
    static final class ThreadState {
        final String id;
        final String mailboxId;
        final String externalThreadId;
        final Instant createdAt;
        /** Only for a new thread: what its first message gave it. */
        String subject, participant;
        String campaignId, contactId, sendId, replyIntent, lastMessageId;
        Double intentConfidence;
        LocalDate returnDate;
        boolean intentManual, isWarming, isPostmaster, hasIncoming;
        int messageCount;
        Instant lastAt, updatedAt;
        /** Not in the database yet; changed since it was read or written. */
        boolean isNew, dirty;

        ThreadState(String id, String mailboxId, String externalThreadId, Instant createdAt) {
            this.id = id;
            this.mailboxId = mailboxId;
            this.externalThreadId = externalThreadId;
            this.createdAt = createdAt;
        }

        /** A new thread, as its first message makes it. */
        static ThreadState first(String id, String mailboxId, String externalThreadId, String subject, String participant,
                String campaignId, String contactId, String sendId, boolean postmaster, Instant now, String messageRowId, Instant date,
                boolean incoming, boolean warming, String intent, Double confidence, LocalDate returnDate) {
            var t = new ThreadState(id, mailboxId, externalThreadId, now);
            t.subject = subject;
            t.participant = participant;
            t.campaignId = campaignId;
            t.contactId = contactId;
            t.sendId = sendId;
            t.isPostmaster = postmaster;
            t.messageCount = 1;
            t.lastMessageId = messageRowId;
            t.lastAt = date;
            t.hasIncoming = incoming;
            t.isWarming = warming;
            t.replyIntent = intent;
            t.intentConfidence = confidence;
            t.returnDate = returnDate;
            t.updatedAt = now;
            t.isNew = true;
            return t;
        }

        /**
         * One more message: counts, the newest message, flags, the campaign it answers (kept once set), and the
         * classifier's intent unless the intent was set by hand.
         */
        void add(String messageRowId, Instant date, boolean incoming, boolean postmaster, String campaignId, String contactId,
                String sendId, String intent, Double confidence, LocalDate returnDate, boolean warming, Instant now) {
            messageCount++;
            if (lastAt == null || !date.isBefore(lastAt)) {
                lastMessageId = messageRowId;
                lastAt = date;
            }
            // system mail alone (a bounce, a notice) keeps a thread out of the relevant list; a reply in it brings it back
            if (incoming) isPostmaster = (isPostmaster || !hasIncoming) && postmaster;
            hasIncoming |= incoming;
            if (this.campaignId == null) this.campaignId = campaignId;
            if (this.contactId == null) this.contactId = contactId;
            if (this.sendId == null) this.sendId = sendId;
            if (!intentManual && intent != null) {
                replyIntent = intent;
                intentConfidence = confidence;
                this.returnDate = returnDate;
            }
            isWarming |= warming;
            updatedAt = now;
            dirty = true;
        }
    }

    /** The threads with these ids, locked for this transaction (in id order, so two writers never wait on each other in a circle). */
    Map<String, ThreadState> lockThreads(long ws, Collection<String> ids) {
        var out = new HashMap<String, ThreadState>();
        if (ids.isEmpty()) return out;
        jdbc.sql(LOCK_THREADS).param("workspaceId", ws).param("ids", ids.toArray(String[]::new)).query((RowCallbackHandler) rs -> {
            var t = new ThreadState(rs.getString("id"), rs.getString("mailbox_id"), rs.getString("external_thread_id"),
                    instant(rs, "created_at"));
            t.campaignId = rs.getString("campaign_id");
            t.contactId = rs.getString("contact_id");
            t.sendId = rs.getString("send_id");
            t.replyIntent = rs.getString("reply_intent");
            double conf = rs.getDouble("intent_confidence");
            t.intentConfidence = rs.wasNull() ? null : conf;
            t.intentManual = rs.getBoolean("intent_manual");
            var ret = rs.getDate("return_date");
            t.returnDate = ret == null ? null : ret.toLocalDate();
            t.isWarming = rs.getBoolean("is_warming");
            t.isPostmaster = rs.getBoolean("is_postmaster");
            t.hasIncoming = rs.getBoolean("has_incoming");
            t.messageCount = rs.getInt("message_count");
            t.lastMessageId = rs.getString("last_message_id");
            t.lastAt = instant(rs, "last_at");
            out.put(t.id, t);
        });
        return out;
    }

    /** Writes new threads ({@code isNew}), whole; they are then no longer new. */
    void insertThreads(long ws, List<ThreadState> threads) {
        if (threads.isEmpty()) return;
        jdbc.sql(INSERT_THREADS).param("workspaceId", ws).params(columns(threads, true)).update();
        for (var t : threads) t.isNew = t.dirty = false;
    }

    /** Writes changed threads back whole (their rows locked by {@link #lockThreads} in this transaction). */
    void updateThreads(long ws, List<ThreadState> threads) {
        if (threads.isEmpty()) return;
        jdbc.sql(UPDATE_THREADS).param("workspaceId", ws).params(columns(threads, false)).update();
        for (var t : threads) t.dirty = false;
    }

    /**
     * The threads' columns as arrays (one element per thread), named as INSERT_THREADS and UPDATE_THREADS use them;
     * {@code whole}: also what only a new thread writes (mailbox, first message's id, subject, the other party, created).
     */
    private static Map<String, Object> columns(List<ThreadState> threads, boolean whole) {
        int n = threads.size();
        String[] ids = new String[n], lastMessageIds = new String[n], lastAts = new String[n], campaignIds = new String[n],
                contactIds = new String[n], sendIds = new String[n], intents = new String[n], returnDates = new String[n],
                updatedAts = new String[n];
        Integer[] counts = new Integer[n];
        Boolean[] incomings = new Boolean[n], postmasters = new Boolean[n], warmings = new Boolean[n];
        Double[] confidences = new Double[n];
        for (int i = 0; i < n; i++) {
            var t = threads.get(i);
            ids[i] = t.id;
            counts[i] = t.messageCount;
            lastMessageIds[i] = t.lastMessageId;
            lastAts[i] = text(t.lastAt);
            incomings[i] = t.hasIncoming;
            postmasters[i] = t.isPostmaster;
            warmings[i] = t.isWarming;
            campaignIds[i] = t.campaignId;
            contactIds[i] = t.contactId;
            sendIds[i] = t.sendId;
            intents[i] = t.replyIntent;
            confidences[i] = t.intentConfidence;
            returnDates[i] = t.returnDate == null ? null : t.returnDate.toString();
            updatedAts[i] = text(t.updatedAt);
        }
        var out = new HashMap<String, Object>();
        out.put("ids", ids);
        out.put("counts", counts);
        out.put("lastMessageIds", lastMessageIds);
        out.put("lastAts", lastAts);
        out.put("incomings", incomings);
        out.put("postmasters", postmasters);
        out.put("warmings", warmings);
        out.put("campaignIds", campaignIds);
        out.put("contactIds", contactIds);
        out.put("sendIds", sendIds);
        out.put("intents", intents);
        out.put("confidences", confidences);
        out.put("returnDates", returnDates);
        out.put("updatedAts", updatedAts);
        if (whole) {
            String[] mailboxIds = new String[n], externalIds = new String[n], subjects = new String[n], displays = new String[n],
                    keys = new String[n], participants = new String[n], createdAts = new String[n];
            for (int i = 0; i < n; i++) {
                var t = threads.get(i);
                mailboxIds[i] = t.mailboxId;
                externalIds[i] = t.externalThreadId;
                subjects[i] = t.subject;
                displays[i] = Subjects.display(t.subject);
                keys[i] = Subjects.keyOfDisplay(displays[i]);
                participants[i] = t.participant;
                createdAts[i] = text(t.createdAt);
            }
            out.put("mailboxIds", mailboxIds);
            out.put("externalIds", externalIds);
            out.put("subjects", subjects);
            out.put("subjectDisplays", displays);
            out.put("subjectKeys", keys);
            out.put("participants", participants);
            out.put("createdAts", createdAts);
        }
        return out;
    }

    /** A message to store: {@code html} as received (it is sanitised when served). */
    record NewMessage(String rowId, String threadId, InboundMessage message, String html, String attachmentsJson, boolean incoming,
            Instant date, Instant now) {}

    /** Stores messages of one mailbox folder; returns how many were new (a Message-ID the mailbox has already is left out). */
    int insertMessages(long ws, String mailboxId, String folder, List<NewMessage> messages) {
        if (messages.isEmpty()) return 0;
        return jdbc.sql(INSERT_MESSAGES).param("workspaceId", ws).param("mailboxId", mailboxId).param("folder", folder)
                .params(messageColumns(messages)).update();
    }

    /** The messages' columns as arrays (one element per message), named as INSERT_MESSAGES uses them. */
    private static Map<String, Object> messageColumns(List<NewMessage> messages) {
        int n = messages.size();
        String[] ids = new String[n], threadIds = new String[n], messageIds = new String[n], inReplyTos = new String[n],
                refs = new String[n], froms = new String[n], fromNames = new String[n], tos = new String[n], ccs = new String[n],
                subjects = new String[n], dates = new String[n], texts = new String[n], htmls = new String[n],
                attachments = new String[n], createdAts = new String[n];
        Boolean[] incomings = new Boolean[n];
        for (int i = 0; i < n; i++) {
            var r = messages.get(i);
            var m = r.message();
            ids[i] = r.rowId();
            threadIds[i] = r.threadId();
            messageIds[i] = m.messageId();
            inReplyTos[i] = m.inReplyTo();
            refs[i] = arrayLiteral(m.references());
            froms[i] = m.from();
            fromNames[i] = m.fromName();
            tos[i] = arrayLiteral(m.to());
            ccs[i] = arrayLiteral(m.cc());
            subjects[i] = m.subject();
            dates[i] = text(r.date());
            texts[i] = m.text();
            htmls[i] = r.html();
            attachments[i] = r.attachmentsJson();
            incomings[i] = r.incoming();
            createdAts[i] = text(r.now());
        }
        var out = new HashMap<String, Object>();
        out.put("ids", ids);
        out.put("threadIds", threadIds);
        out.put("messageIds", messageIds);
        out.put("inReplyTos", inReplyTos);
        out.put("refs", refs);
        out.put("froms", froms);
        out.put("fromNames", fromNames);
        out.put("tos", tos);
        out.put("ccs", ccs);
        out.put("subjects", subjects);
        out.put("dates", dates);
        out.put("texts", texts);
        out.put("htmls", htmls);
        out.put("attachments", attachments);
        out.put("incomings", incomings);
        out.put("createdAts", createdAts);
        return out;
    }

    /**
     * The instant as PostgreSQL reads a timestamptz (ISO-8601), null as null. One method for every
     * column of the batch statements: the JIT compiles the formatting once here instead of into each
     * loop that fills a column.
     */
    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** A PostgreSQL array literal of these strings ({@code {"a","b"}}): each element quoted, {@code "} and {@code \} escaped. */
    static String arrayLiteral(List<String> values) {
        var b = new StringBuilder(2 + values.size() * 32).append('{');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) b.append(',');
            String v = values.get(i);
            if (v == null) {
                b.append("NULL");
                continue;
            }
            b.append('"');
            for (int k = 0; k < v.length(); k++) {
                char c = v.charAt(k);
                if (c == '"' || c == '\\') b.append('\\');
                b.append(c);
            }
            b.append('"');
        }
        return b.append('}').toString();
    }

    /** A message sent from the inbox, into its thread (once: the Sent folder sync finds it stored). */
    void addOutbound(long ws, String threadId, String rowId, String mailboxId, String messageId, String inReplyTo, List<String> refs,
            String from, List<String> to, List<String> cc, String subject, String text, String html, Instant now) {
        var thread = lockThreads(ws, List.of(threadId)).get(threadId);
        if (thread == null) return; // deleted meanwhile
        var m = new InboundMessage(messageId, inReplyTo, refs, subject, from, null, to, cc, now, text, null, List.of(), java.util.Map.of(),
                null, false, false);
        if (insertMessages(ws, mailboxId, "sent", List.of(new NewMessage(rowId, threadId, m, html, "[]", false, now, now))) == 1) {
            thread.add(rowId, now, false, false, null, null, null, null, null, null, false, now);
            updateThreads(ws, List.of(thread));
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
                rs.getTimestamp("date_received").toInstant(), rs.getString("body_text"), HtmlSanitizer.sanitize(rs.getString("body_html")),
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
