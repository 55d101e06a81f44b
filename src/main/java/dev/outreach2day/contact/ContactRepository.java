package dev.outreach2day.contact;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * SQL of campaign contacts. Every write that changes a contact first reserves change numbers
 * with {@link #reserve}, which locks the campaign's counter row until the transaction ends; so
 * callers must run inside a transaction, take the counter before touching contact rows, and
 * keep that transaction short.
 */
@Repository
class ContactRepository {

    /** One row returned by the upsert: a contact inserted or changed (unchanged ones are not returned). */
    record Upserted(String id, String email, boolean inserted) {}

    private static final TypeReference<TreeMap<String, String>> FIELDS = new TypeReference<>() {};

    private static final String COLUMNS = """
            workspace_id, id, campaign_id, email, first_name, last_name, company, title, phone, timezone,
            custom_fields::text AS custom_fields, status, current_step, next_send_at, last_sent_at, reply_intent, change_seq,
            created_at, updated_at
            """;

    /**
     * Reserves {@code n} change numbers of the campaign and returns the one before the first
     * (the block is base+1 … base+n). The counter row stays locked until commit, so writers of
     * one campaign commit in change-number order.
     */
    private static final String RESERVE = """
            INSERT INTO contact_change_counters AS k (workspace_id, campaign_id, value) VALUES (:workspaceId, :campaignId, :n)
            ON CONFLICT (workspace_id, campaign_id) DO UPDATE SET value = k.value + EXCLUDED.value
            RETURNING k.value - :n
            """;

    /** Stored custom-field keys of the given contacts (to check the key limit after a merge). */
    private static final String CUSTOM_KEYS = """
            SELECT email, ARRAY(SELECT jsonb_object_keys(custom_fields)) AS field_keys
              FROM campaign_contacts
             WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND email = ANY(:emails)
            """;

    /**
     * Set-based upsert of a deduplicated batch. New contacts get change number base + position;
     * existing ones take the non-null incoming fields and merged custom fields, and a new change
     * number only if something really changed (an identical row is left alone and not returned).
     */
    private static final String UPSERT = """
            INSERT INTO campaign_contacts AS c (workspace_id, id, campaign_id, email, first_name, last_name, company, title,
                                                phone, timezone, custom_fields, change_seq)
            SELECT :workspaceId, u.id, :campaignId, u.email, u.first_name, u.last_name, u.company, u.title, u.phone, u.timezone,
                   CAST(u.custom_fields AS jsonb), CAST(:base AS bigint) + u.ord
              FROM unnest(CAST(:ids AS text[]), CAST(:emails AS text[]), CAST(:firstNames AS text[]), CAST(:lastNames AS text[]),
                          CAST(:companies AS text[]), CAST(:titles AS text[]), CAST(:phones AS text[]),
                          CAST(:timezones AS text[]), CAST(:customFields AS text[])) WITH ORDINALITY
                   AS u(id, email, first_name, last_name, company, title, phone, timezone, custom_fields, ord)
             ORDER BY u.ord
            ON CONFLICT (workspace_id, campaign_id, email) DO UPDATE
               SET first_name = COALESCE(EXCLUDED.first_name, c.first_name),
                   last_name = COALESCE(EXCLUDED.last_name, c.last_name),
                   company = COALESCE(EXCLUDED.company, c.company),
                   title = COALESCE(EXCLUDED.title, c.title),
                   phone = COALESCE(EXCLUDED.phone, c.phone),
                   timezone = COALESCE(EXCLUDED.timezone, c.timezone),
                   custom_fields = contact_merge_fields(c.custom_fields, EXCLUDED.custom_fields),
                   change_seq = EXCLUDED.change_seq,
                   updated_at = now()
             WHERE (COALESCE(EXCLUDED.first_name, c.first_name), COALESCE(EXCLUDED.last_name, c.last_name),
                    COALESCE(EXCLUDED.company, c.company), COALESCE(EXCLUDED.title, c.title),
                    COALESCE(EXCLUDED.phone, c.phone), COALESCE(EXCLUDED.timezone, c.timezone),
                    contact_merge_fields(c.custom_fields, EXCLUDED.custom_fields))
                   IS DISTINCT FROM
                   (c.first_name, c.last_name, c.company, c.title, c.phone, c.timezone, c.custom_fields)
            RETURNING c.id, c.email, (c.xmax = 0) AS inserted
            """;

    private static final String PAGE = "SELECT " + COLUMNS + """
              FROM campaign_contacts
             WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND id > :afterId
             ORDER BY id
             LIMIT :limit
            """;

    private static final String PAGE_BY_STATUS = "SELECT " + COLUMNS + """
              FROM campaign_contacts
             WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND status = :status AND id > :afterId
             ORDER BY id
             LIMIT :limit
            """;

    private static final String CHANGES = "SELECT " + COLUMNS + """
              FROM campaign_contacts
             WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND change_seq > :since
             ORDER BY change_seq
             LIMIT :limit
            """;

    private static final String FIND = "SELECT " + COLUMNS + """
              FROM campaign_contacts WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String FIND_BY_EMAIL = "SELECT " + COLUMNS + """
              FROM campaign_contacts WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND email = :email
            """;

    /** A new reply intent under the campaign's next change number (unchanged: the number is spent, the row left alone). */
    private static final String RECORD_REPLY_INTENT = """
            WITH k AS (
                INSERT INTO contact_change_counters AS k (workspace_id, campaign_id, value) VALUES (:workspaceId, :campaignId, 1)
                ON CONFLICT (workspace_id, campaign_id) DO UPDATE SET value = k.value + 1
                RETURNING k.value)
            UPDATE campaign_contacts c SET reply_intent = :intent, change_seq = k.value, updated_at = now()
              FROM k
             WHERE c.workspace_id = :workspaceId AND c.campaign_id = :campaignId AND c.id = :id
               AND c.reply_intent IS DISTINCT FROM :intent
            """;

    private static final String FIND_ALL = "SELECT " + COLUMNS + """
              FROM campaign_contacts WHERE workspace_id = :workspaceId AND id = ANY(:ids)
            """;

    /** The campaign's contacts per status, from the counters kept as contacts change (V27). */
    private static final String COUNTS = """
            SELECT status, n FROM contact_status_counts WHERE workspace_id = :workspaceId AND campaign_id = :campaignId
            """;

    /** The campaign of a contact (it never changes, so no lock is needed to read it). */
    private static final String CAMPAIGN_OF = """
            SELECT campaign_id FROM campaign_contacts WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String IN_PROGRESS_ELSEWHERE = """
            SELECT DISTINCT email FROM campaign_contacts
             WHERE workspace_id = :workspaceId AND email = ANY(:emails) AND campaign_id <> :campaignId AND status = 'in_progress'
            """;

    /** Someone at this email domain replied in the campaign (stop rule: stop the company on reply). */
    private static final String REPLIED_AT_DOMAIN = """
            SELECT EXISTS (SELECT 1 FROM campaign_contacts
                            WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND status = 'replied'
                              AND email LIKE '%@' || :domain)
            """;

    private static final String MARK_ENROLLED = """
            UPDATE campaign_contacts c
               SET status = 'in_progress', current_step = 0, next_send_at = CAST(:nextSendAt AS timestamptz),
                   change_seq = CAST(:base AS bigint) + u.ord, updated_at = now()
              FROM unnest(CAST(:ids AS text[])) WITH ORDINALITY AS u(id, ord)
             WHERE c.workspace_id = :workspaceId AND c.campaign_id = :campaignId AND c.id = u.id AND c.status = 'not_started'
            """;

    /** The progress write with its change number, in one round trip (V11__contact_progress.sql). */
    private static final String RECORD_PROGRESS = """
            SELECT contact_record_progress(:workspaceId, :campaignId, :id, :status, :currentStep,
                                           CAST(:nextSendAt AS timestamptz), CAST(:lastSentAt AS timestamptz))
            """;

    /**
     * Contacts without a non-blank value for a template variable: {@code :column} is the
     * lower-cased built-in name (or '' for none), {@code :customKey} the lower-cased custom key.
     */
    private static final String MISSING_WHERE = """
              FROM campaign_contacts c
             WHERE c.workspace_id = :workspaceId AND c.campaign_id = :campaignId
               AND COALESCE(CASE CAST(:column AS text)
                       WHEN 'firstname' THEN c.first_name
                       WHEN 'lastname' THEN c.last_name
                       WHEN 'email' THEN c.email
                       WHEN 'company' THEN c.company
                       WHEN 'title' THEN c.title
                       WHEN 'phone' THEN c.phone
                       WHEN 'timezone' THEN c.timezone
                       ELSE (SELECT f.value FROM jsonb_each_text(c.custom_fields) f
                              WHERE lower(f.key) = CAST(:customKey AS text) LIMIT 1)
                   END, '') ~ '^[[:space:]]*$'
            """;

    private static final String COUNT_MISSING = "SELECT count(*)" + MISSING_WHERE;

    private static final String SAMPLE_MISSING = "SELECT c.email" + MISSING_WHERE + " ORDER BY c.id LIMIT :limit";

    /**
     * Copies every contact of :from into the brand-new campaign :to in one statement (no rows
     * through the application, so 100k contacts are one round trip). The copies keep email, names,
     * company, title, phone, zone and custom fields; progress starts over (not_started, step 0,
     * nothing planned or sent) and the reply intent is not carried over. Ids are ULID-shaped:
     * :idPrefix (prefix, time and 30 random bits, made once in Java) + the row's ordinal in
     * Crockford base32 (10 chars, 50 bits), so they stay unique and sort in the source's order.
     * Change numbers are the ordinals 1…n, and the counter row is created at n in the same
     * statement: nobody else can write contacts of a campaign that is not committed yet, so
     * numbering before taking the counter keeps the feed gap-free.
     */
    private static final String COPY_INTO_NEW_CAMPAIGN = """
            WITH source AS (
                SELECT c.*, row_number() OVER (ORDER BY c.id) AS ord
                  FROM campaign_contacts c
                 WHERE c.workspace_id = :workspaceId AND c.campaign_id = :fromCampaignId
            ), copied AS (
                INSERT INTO campaign_contacts (workspace_id, id, campaign_id, email, first_name, last_name, company, title, phone,
                                               timezone, custom_fields, status, current_step, change_seq)
                SELECT s.workspace_id,
                       :idPrefix || (SELECT string_agg(substr('0123456789abcdefghjkmnpqrstvwxyz',
                                                              ((s.ord >> (5 * (9 - i))) & 31)::int + 1, 1), '' ORDER BY i)
                                       FROM generate_series(0, 9) AS i),
                       :toCampaignId, s.email, s.first_name, s.last_name, s.company, s.title, s.phone, s.timezone,
                       s.custom_fields, 'not_started', 0, s.ord
                  FROM source s
                 ORDER BY s.ord
                RETURNING 1
            )
            INSERT INTO contact_change_counters (workspace_id, campaign_id, value)
            SELECT :workspaceId, :toCampaignId, count(*) FROM copied HAVING count(*) > 0
            RETURNING value
            """;

    private final JdbcClient jdbc;
    private final ObjectMapper json;

    ContactRepository(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** See {@link #COPY_INTO_NEW_CAMPAIGN}; returns how many contacts were copied. */
    long copyIntoNewCampaign(long workspaceId, String fromCampaignId, String toCampaignId, String idPrefix) {
        return jdbc.sql(COPY_INTO_NEW_CAMPAIGN).param("workspaceId", workspaceId).param("fromCampaignId", fromCampaignId)
                .param("toCampaignId", toCampaignId).param("idPrefix", idPrefix).query(Long.class).optional().orElse(0L);
    }

    /** Reserves {@code n} change numbers (base+1 … base+n) and returns base; locks the counter until commit. */
    long reserve(long workspaceId, String campaignId, int n) {
        return jdbc.sql(RESERVE).param("workspaceId", workspaceId).param("campaignId", campaignId).param("n", (long) n)
                .query(Long.class).single();
    }

    Map<String, List<String>> customKeys(long workspaceId, String campaignId, List<String> emails) {
        var out = new HashMap<String, List<String>>();
        jdbc.sql(CUSTOM_KEYS).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .param("emails", emails.toArray(String[]::new))
                .query((rs, n) -> out.put(rs.getString("email"), List.of((String[]) rs.getArray("field_keys").getArray())))
                .list();
        return out;
    }

    List<Upserted> upsert(long workspaceId, String campaignId, long base, List<String> ids, List<ContactRules.Clean> contacts) {
        int n = contacts.size();
        String[] emails = new String[n], first = new String[n], last = new String[n], company = new String[n],
                title = new String[n], phone = new String[n], zone = new String[n], fields = new String[n];
        for (int i = 0; i < n; i++) {
            var c = contacts.get(i);
            emails[i] = c.email();
            first[i] = c.firstName();
            last[i] = c.lastName();
            company[i] = c.company();
            title[i] = c.title();
            phone[i] = c.phone();
            zone[i] = c.timezone();
            fields[i] = json.writeValueAsString(c.customFields());
        }
        return jdbc.sql(UPSERT).param("workspaceId", workspaceId).param("campaignId", campaignId).param("base", base)
                .param("ids", ids.toArray(String[]::new)).param("emails", emails).param("firstNames", first)
                .param("lastNames", last).param("companies", company).param("titles", title).param("phones", phone)
                .param("timezones", zone).param("customFields", fields)
                .query((rs, i) -> new Upserted(rs.getString("id"), rs.getString("email"), rs.getBoolean("inserted")))
                .list();
    }

    List<ContactView> page(long workspaceId, String campaignId, String status, String afterId, int limit) {
        var q = jdbc.sql(status == null ? PAGE : PAGE_BY_STATUS).param("workspaceId", workspaceId)
                .param("campaignId", campaignId).param("afterId", afterId == null ? "" : afterId).param("limit", limit);
        if (status != null) q = q.param("status", status);
        return q.query(this::map).list();
    }

    List<ContactView> changes(long workspaceId, String campaignId, long since, int limit) {
        return jdbc.sql(CHANGES).param("workspaceId", workspaceId).param("campaignId", campaignId).param("since", since)
                .param("limit", limit).query(this::map).list();
    }

    Optional<ContactView> find(long workspaceId, String id) {
        return jdbc.sql(FIND).param("workspaceId", workspaceId).param("id", id).query(this::map).optional();
    }

    Optional<ContactView> findByEmail(long workspaceId, String campaignId, String email) {
        return jdbc.sql(FIND_BY_EMAIL).param("workspaceId", workspaceId).param("campaignId", campaignId).param("email", email)
                .query(this::map).optional();
    }

    boolean recordReplyIntent(long workspaceId, String campaignId, String id, String intent) {
        return jdbc.sql(RECORD_REPLY_INTENT).param("workspaceId", workspaceId).param("campaignId", campaignId).param("id", id)
                .param("intent", intent).update() == 1;
    }

    List<ContactView> findAll(long workspaceId, List<String> ids) {
        return jdbc.sql(FIND_ALL).param("workspaceId", workspaceId).param("ids", ids.toArray(String[]::new)).query(this::map).list();
    }

    /** The campaign's contacts by status (statuses nobody is in are missing). */
    java.util.Map<String, Long> counts(long workspaceId, String campaignId) {
        var out = new java.util.HashMap<String, Long>();
        jdbc.sql(COUNTS).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .query((rs, n) -> out.put(rs.getString(1), rs.getLong(2))).list();
        return out;
    }

    Optional<String> campaignOf(long workspaceId, String contactId) {
        return jdbc.sql(CAMPAIGN_OF).param("workspaceId", workspaceId).param("id", contactId).query(String.class).optional();
    }

    List<String> inProgressElsewhere(long workspaceId, String campaignId, List<String> emails) {
        return jdbc.sql(IN_PROGRESS_ELSEWHERE).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .param("emails", emails.toArray(String[]::new)).query(String.class).list();
    }

    boolean repliedAtDomain(long workspaceId, String campaignId, String domain) {
        return Boolean.TRUE.equals(jdbc.sql(REPLIED_AT_DOMAIN).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .param("domain", domain).query(Boolean.class).single());
    }

    int markEnrolled(long workspaceId, String campaignId, long base, List<String> ids, Instant nextSendAt) {
        return jdbc.sql(MARK_ENROLLED).param("workspaceId", workspaceId).param("campaignId", campaignId).param("base", base)
                .param("ids", ids.toArray(String[]::new)).param("nextSendAt", time(nextSendAt)).update();
    }

    /** Stores a contact's progress under the campaign's next change number; false when nothing changed. */
    boolean recordProgress(long workspaceId, String campaignId, String id, String status, int currentStep, Instant nextSendAt,
            Instant lastSentAt) {
        return Boolean.TRUE.equals(jdbc.sql(RECORD_PROGRESS).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .param("id", id).param("status", status).param("currentStep", currentStep).param("nextSendAt", time(nextSendAt))
                .param("lastSentAt", time(lastSentAt)).query(Boolean.class).single());
    }

    long countMissing(long workspaceId, String campaignId, String column, String customKey) {
        return jdbc.sql(COUNT_MISSING).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .param("column", column).param("customKey", customKey).query(Long.class).single();
    }

    List<String> sampleMissing(long workspaceId, String campaignId, String column, String customKey, int limit) {
        return jdbc.sql(SAMPLE_MISSING).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .param("column", column).param("customKey", customKey).param("limit", limit).query(String.class).list();
    }

    private ContactView map(ResultSet rs, int n) throws SQLException {
        return new ContactView(rs.getLong("workspace_id"), rs.getString("id"), rs.getString("campaign_id"), rs.getString("email"),
                rs.getString("first_name"), rs.getString("last_name"), rs.getString("company"), rs.getString("title"),
                rs.getString("phone"), rs.getString("timezone"), json.readValue(rs.getString("custom_fields"), FIELDS),
                rs.getString("status"), rs.getInt("current_step"), instant(rs, "next_send_at"), instant(rs, "last_sent_at"),
                rs.getString("reply_intent"), rs.getLong("change_seq"), instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime time(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }
}
