package dev.outreach2day.delivery;

import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A mailbox's daily capacity as the sending engine counts it (per UTC day, atomically, shared by
 * every process), for other capabilities that send from mailboxes too: warmup mail is counted
 * together with campaign mail, so the two together never exceed the mailbox's daily limit.
 */
@Component
public class MailboxCapacity {

    private static final String RESERVE = """
            INSERT INTO delivery_day_counts AS d (workspace_id, scope, day, used) VALUES (:ws, :scope, :day, 1)
            ON CONFLICT (workspace_id, scope, day) DO UPDATE SET used = d.used + 1 WHERE d.used < :limit
            RETURNING used
            """;

    private final JdbcClient jdbc;

    MailboxCapacity(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Takes one send of the mailbox's day (the UTC day of {@code at}) when fewer than {@code dailyLimit} are taken. */
    public boolean reserve(long workspaceId, String mailboxId, Instant at, int dailyLimit) {
        if (dailyLimit < 1) return false;
        return jdbc.sql(RESERVE).param("ws", workspaceId).param("scope", SendEngine.mailboxScope(mailboxId)).param("day", day(at))
                .param("limit", dailyLimit).query(Integer.class).optional().isPresent();
    }

    /** Gives back one send taken with {@link #reserve} that did not go out. */
    public void release(long workspaceId, String mailboxId, Instant at) {
        jdbc.sql("UPDATE delivery_day_counts SET used = used - 1 WHERE workspace_id = :ws AND scope = :scope AND day = :day AND used > 0")
                .param("ws", workspaceId).param("scope", SendEngine.mailboxScope(mailboxId)).param("day", day(at)).update();
    }

    /** How many sends (campaign and other) the mailbox has taken on the UTC day of {@code at}. */
    public int used(long workspaceId, String mailboxId, Instant at) {
        return jdbc.sql("SELECT used FROM delivery_day_counts WHERE workspace_id = :ws AND scope = :scope AND day = :day")
                .param("ws", workspaceId).param("scope", SendEngine.mailboxScope(mailboxId)).param("day", day(at)).query(Integer.class)
                .optional().orElse(0);
    }

    private static Date day(Instant at) {
        return Date.valueOf(LocalDate.ofInstant(at, ZoneOffset.UTC));
    }
}
