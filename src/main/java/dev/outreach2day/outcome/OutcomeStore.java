package dev.outreach2day.outcome;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Campaign contacts' reply outcomes. */
@Repository
class OutcomeStore {

    record Outcome(String campaignId, String contactId, String email, String replyIntent, Double confidence, String source, String note,
            String classifierIntent, Double classifierConfidence, String threadId, int replies, Instant lastReplyAt, Instant createdAt,
            Instant updatedAt) {}

    private static final String COLUMNS = """
            campaign_id, contact_id, email, reply_intent, confidence, source, note, classifier_intent, classifier_confidence, thread_id,
            replies, last_reply_at, created_at, updated_at
            """;

    /**
     * A reply's reading. It becomes the outcome unless the user set one by hand, or it is an
     * auto-reply or bounce while the outcome is what a person wrote (that stays); the classifier's
     * latest reading is kept either way. Returns the outcome's intent afterwards.
     */
    private static final String RECORD_REPLY = """
            INSERT INTO campaign_contact_outcomes AS o (workspace_id, campaign_id, contact_id, email, reply_intent, confidence, source,
                   classifier_intent, classifier_confidence, thread_id, replies, last_reply_at, created_at, updated_at)
            VALUES (:ws, :campaign, :contact, :email, :intent, :confidence, 'classifier', :intent, :confidence, :thread, 1, :at, :now, :now)
            ON CONFLICT (workspace_id, campaign_id, contact_id) DO UPDATE SET
                   classifier_intent = EXCLUDED.classifier_intent, classifier_confidence = EXCLUDED.classifier_confidence,
                   thread_id = COALESCE(EXCLUDED.thread_id, o.thread_id), replies = o.replies + 1,
                   last_reply_at = GREATEST(o.last_reply_at, EXCLUDED.last_reply_at), updated_at = EXCLUDED.updated_at,
                   reply_intent = CASE WHEN o.source = 'manual'
                                         OR (EXCLUDED.reply_intent IN ('out_of_office', 'bounced')
                                             AND o.reply_intent NOT IN ('out_of_office', 'bounced'))
                                       THEN o.reply_intent ELSE EXCLUDED.reply_intent END,
                   confidence = CASE WHEN o.source = 'manual'
                                       OR (EXCLUDED.reply_intent IN ('out_of_office', 'bounced')
                                           AND o.reply_intent NOT IN ('out_of_office', 'bounced'))
                                     THEN o.confidence ELSE EXCLUDED.confidence END
            RETURNING reply_intent
            """;

    private static final String OVERRIDE = """
            INSERT INTO campaign_contact_outcomes AS o (workspace_id, campaign_id, contact_id, email, reply_intent, confidence, source, note,
                   created_at, updated_at)
            VALUES (:ws, :campaign, :contact, :email, :intent, NULL, 'manual', :note, :now, :now)
            ON CONFLICT (workspace_id, campaign_id, contact_id) DO UPDATE SET
                   reply_intent = EXCLUDED.reply_intent, confidence = NULL, source = 'manual', note = EXCLUDED.note,
                   updated_at = EXCLUDED.updated_at
            RETURNING
            """ + COLUMNS;

    private final JdbcClient jdbc;

    OutcomeStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    String recordReply(long ws, String campaignId, String contactId, String email, String intent, double confidence, String threadId,
            Instant at, Instant now) {
        return jdbc.sql(RECORD_REPLY).param("ws", ws).param("campaign", campaignId).param("contact", contactId).param("email", email)
                .param("intent", intent).param("confidence", confidence).param("thread", threadId).param("at", Timestamp.from(at))
                .param("now", Timestamp.from(now)).query(String.class).single();
    }

    /** The outcome, locked until the transaction ends (an override reads what it replaces). */
    Optional<Outcome> findForUpdate(long ws, String campaignId, String contactId) {
        return jdbc.sql("SELECT " + COLUMNS + """
                  FROM campaign_contact_outcomes WHERE workspace_id = :ws AND campaign_id = :campaign AND contact_id = :contact FOR UPDATE
                """).param("ws", ws).param("campaign", campaignId).param("contact", contactId).query(OutcomeStore::map).optional();
    }

    Outcome override(long ws, String campaignId, String contactId, String email, String intent, String note, Instant now) {
        return jdbc.sql(OVERRIDE).param("ws", ws).param("campaign", campaignId).param("contact", contactId).param("email", email)
                .param("intent", intent).param("note", note).param("now", Timestamp.from(now)).query(OutcomeStore::map).single();
    }

    /** A page in contact id order, optionally of one intent and/or source. */
    List<Outcome> page(long ws, String campaignId, String intent, String source, String afterContactId, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + """
                  FROM campaign_contact_outcomes
                 WHERE workspace_id = :ws AND campaign_id = :campaign
                   AND (CAST(:intent AS text) IS NULL OR reply_intent = :intent)
                   AND (CAST(:source AS text) IS NULL OR source = :source)
                   AND (CAST(:after AS text) IS NULL OR contact_id > :after)
                 ORDER BY contact_id
                 LIMIT :limit
                """).param("ws", ws).param("campaign", campaignId).param("intent", intent).param("source", source)
                .param("after", afterContactId).param("limit", limit).query(OutcomeStore::map).list();
    }

    private static Outcome map(ResultSet rs, int n) throws SQLException {
        return new Outcome(rs.getString("campaign_id"), rs.getString("contact_id"), rs.getString("email"), rs.getString("reply_intent"),
                (Double) rs.getObject("confidence"), rs.getString("source"), rs.getString("note"), rs.getString("classifier_intent"),
                (Double) rs.getObject("classifier_confidence"), rs.getString("thread_id"), rs.getInt("replies"),
                instant(rs, "last_reply_at"), instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
