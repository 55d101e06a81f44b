package dev.outreach2day.warmup;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The warmup pool, its plans and messages, and the numbers read from them. */
@Repository
class WarmupStore {

    record Member(long workspaceId, String mailboxId, String address, String domain, String state, String pausedFrom, Instant enabledAt,
            WarmupSettings settings, Instant readyAt) {

        /** The ramp's day on {@code day}: 1 on the UTC day warmup was enabled. */
        int rampDay(LocalDate day) {
            return (int) (day.toEpochDay() - LocalDate.ofInstant(enabledAt, ZoneOffset.UTC).toEpochDay()) + 1;
        }

        boolean sending() {
            return state.equals("warming") || state.equals("ready");
        }
    }

    /** A mailbox's numbers for one UTC day. */
    record Day(LocalDate day, int target, int planned, int sent, int received, int inbox, int spam, int replies) {}

    /** Rolling-window placement of a mailbox's own warmup mail: how much landed, and where. */
    record Placement(int inbox, int spam) {
        Double inboxRate() {
            return inbox + spam == 0 ? null : round(inbox / (double) (inbox + spam));
        }

        Double spamRate() {
            return inbox + spam == 0 ? null : round(spam / (double) (inbox + spam));
        }

        private static double round(double v) {
            return Math.round(v * 1000) / 1000.0;
        }
    }

    private static final String MEMBER_COLUMNS = """
            workspace_id, mailbox_id, address, domain, state, paused_from, enabled_at, start_per_day, target_per_day, ramp_days,
            reply_rate, important_rate, ready_inbox_rate, window_days, ready_at
            """;

    private final JdbcClient jdbc;

    WarmupStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Member> member(long ws, String mailboxId) {
        return jdbc.sql("SELECT " + MEMBER_COLUMNS + " FROM warmup_mailboxes WHERE workspace_id = :ws AND mailbox_id = :id FOR UPDATE")
                .param("ws", ws).param("id", mailboxId).query(WarmupStore::member).optional();
    }

    List<Member> members(long ws) {
        return jdbc.sql("SELECT " + MEMBER_COLUMNS + " FROM warmup_mailboxes WHERE workspace_id = :ws ORDER BY address").param("ws", ws)
                .query(WarmupStore::member).list();
    }

    /** Every mailbox of every workspace that sends and receives warmup mail now. */
    List<Member> pool() {
        return jdbc.sql("SELECT " + MEMBER_COLUMNS + " FROM warmup_mailboxes WHERE state IN ('warming', 'ready') ORDER BY workspace_id, mailbox_id")
                .query(WarmupStore::member).list();
    }

    /** Turns warmup on for a mailbox with a fresh ramp starting today (its history stays). */
    void enable(long ws, String mailboxId, String address, String domain, WarmupSettings s, Instant now) {
        jdbc.sql("""
                INSERT INTO warmup_mailboxes (workspace_id, mailbox_id, address, domain, state, enabled_at, start_per_day, target_per_day,
                       ramp_days, reply_rate, important_rate, ready_inbox_rate, window_days, created_at, updated_at)
                VALUES (:ws, :id, :address, :domain, 'warming', :now, :start, :target, :ramp, :reply, :important, :ready, :window, :now, :now)
                ON CONFLICT (workspace_id, mailbox_id) DO UPDATE SET state = 'warming', paused_from = NULL, enabled_at = :now,
                       address = EXCLUDED.address, domain = EXCLUDED.domain, start_per_day = :start, target_per_day = :target,
                       ramp_days = :ramp, reply_rate = :reply, important_rate = :important, ready_inbox_rate = :ready,
                       window_days = :window, ready_at = NULL, updated_at = :now
                """).param("ws", ws).param("id", mailboxId).param("address", address).param("domain", domain).param("now", ts(now))
                .param("start", s.startPerDay()).param("target", s.targetPerDay()).param("ramp", s.rampDays()).param("reply", s.replyRate())
                .param("important", s.importantRate()).param("ready", s.readyInboxRate()).param("window", s.windowDays()).update();
        // today's plan is made again for the new ramp
        jdbc.sql("DELETE FROM warmup_plans WHERE workspace_id = :ws AND mailbox_id = :id AND day = :day").param("ws", ws).param("id", mailboxId)
                .param("day", day(now)).update();
    }

    void setState(long ws, String mailboxId, String state, String pausedFrom, Instant now) {
        jdbc.sql("""
                UPDATE warmup_mailboxes SET state = :state, paused_from = :from, updated_at = :now WHERE workspace_id = :ws AND mailbox_id = :id
                """).param("ws", ws).param("id", mailboxId).param("state", state).param("from", pausedFrom).param("now", ts(now)).update();
    }

    void markReady(long ws, String mailboxId, Instant now) {
        jdbc.sql("""
                UPDATE warmup_mailboxes SET state = 'ready', ready_at = :now, updated_at = :now
                 WHERE workspace_id = :ws AND mailbox_id = :id AND state = 'warming'
                """).param("ws", ws).param("id", mailboxId).param("now", ts(now)).update();
    }

    /** Stops what the mailbox has planned (sends stop at once; what went out stays in the history). */
    int cancelPlanned(long ws, String mailboxId, String reason) {
        return jdbc.sql("""
                UPDATE warmup_messages SET status = 'cancelled', reason = :reason
                 WHERE sender_ws = :ws AND sender_mailbox = :id AND status = 'planned'
                """).param("ws", ws).param("id", mailboxId).param("reason", reason).update();
    }

    /** Where the mailbox's own warmup mail landed over the last {@code days} days. */
    Placement placement(long ws, String mailboxId, Instant now, int days) {
        return jdbc.sql("""
                SELECT count(*) FILTER (WHERE landed = 'inbox'), count(*) FILTER (WHERE landed = 'spam')
                  FROM warmup_messages
                 WHERE sender_ws = :ws AND sender_mailbox = :id AND day > :from AND landed IS NOT NULL
                """).param("ws", ws).param("id", mailboxId).param("from", Date.valueOf(day(now).minusDays(days)))
                .query((rs, n) -> new Placement(rs.getInt(1), rs.getInt(2))).single();
    }

    /** The mailbox's numbers per UTC day, newest first, for the last {@code days} days. */
    List<Day> days(long ws, String mailboxId, Instant now, int days) {
        return jdbc.sql("""
                WITH d AS (SELECT generate_series(CAST(:to AS date) - (:days - 1), CAST(:to AS date), interval '1 day')::date AS day),
                     s AS (SELECT day, count(*) FILTER (WHERE status = 'sent') AS sent,
                                  count(*) FILTER (WHERE landed = 'inbox') AS inbox, count(*) FILTER (WHERE landed = 'spam') AS spam
                             FROM warmup_messages WHERE sender_ws = :ws AND sender_mailbox = :id AND day > CAST(:to AS date) - :days
                            GROUP BY day),
                     r AS (SELECT (landed_at AT TIME ZONE 'UTC')::date AS day, count(*) AS received,
                                  count(*) FILTER (WHERE kind = 'reply') AS replies
                             FROM warmup_messages
                            WHERE recipient_ws = :ws AND recipient_mailbox = :id AND landed_at >= CAST(:to AS date) - :days
                            GROUP BY 1)
                SELECT d.day, COALESCE(p.target, 0), COALESCE(p.planned, 0), COALESCE(s.sent, 0), COALESCE(r.received, 0),
                       COALESCE(s.inbox, 0), COALESCE(s.spam, 0), COALESCE(r.replies, 0)
                  FROM d LEFT JOIN s ON s.day = d.day LEFT JOIN r ON r.day = d.day
                  LEFT JOIN warmup_plans p ON p.workspace_id = :ws AND p.mailbox_id = :id AND p.day = d.day
                 ORDER BY d.day DESC
                """).param("ws", ws).param("id", mailboxId).param("to", Date.valueOf(day(now))).param("days", days)
                .query((rs, n) -> new Day(rs.getDate(1).toLocalDate(), rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getInt(6),
                        rs.getInt(7), rs.getInt(8)))
                .list();
    }

    static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }

    static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Member member(ResultSet rs, int n) throws SQLException {
        return new Member(rs.getLong("workspace_id"), rs.getString("mailbox_id"), rs.getString("address"), rs.getString("domain"),
                rs.getString("state"), rs.getString("paused_from"), instant(rs, "enabled_at"),
                new WarmupSettings(rs.getInt("start_per_day"), rs.getInt("target_per_day"), rs.getInt("ramp_days"), rs.getDouble("reply_rate"),
                        rs.getDouble("important_rate"), rs.getDouble("ready_inbox_rate"), rs.getInt("window_days")),
                instant(rs, "ready_at"));
    }
}
