package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.IntegrationTest;
import dev.outreach2day.delivery.SendQueue.DayCap;
import dev.outreach2day.delivery.SendQueue.Reservation;
import dev.outreach2day.delivery.SendQueue.SendRow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reservations written in groups (V29, {@code SendQueue.reserveSends}): a group that can be taken
 * whole is written set-based, with the same gap and cap rules as one reservation at a time; one
 * that cannot (a cap with too few slots left, two sends of a mailbox that leave a gap) is reserved
 * one send after the other, exactly as singles; a send another process holds is refused alone.
 */
class GroupReservationTest extends IntegrationTest {

    private static final String NODE = "group-test";

    @Autowired SendQueue queue;
    @Autowired JdbcClient jdbc;

    long ws;
    String campaignId;
    Instant t;
    LocalDate day;
    ClaimedSends sends;

    @BeforeEach
    void setUp() {
        var tenant = newTenant();
        ws = tenant.workspaceId();
        campaignId = api(tenant).post("/campaigns", "{\"name\":\"Groups\"}").json().get("id").asString();
        t = Instant.parse("2026-11-30T10:00:00Z");
        day = t.atZone(ZoneOffset.UTC).toLocalDate();
        sends = new ClaimedSends(jdbc, ws, campaignId, "group");
    }

    private SendRow claimed(String node) {
        return sends.claimed(node, t);
    }

    private Reservation reservation(SendRow s, String mailbox, Instant now, Duration gap, int mailboxLimit, List<String> links) {
        var caps = List.of(new DayCap("mailbox:" + mailbox, mailboxLimit, "mailbox_daily_limit"),
                new DayCap("campaign:" + campaignId, 1000, "campaign_daily_limit"));
        return new Reservation(s, mailbox, "var_1", "Subject of " + s.id(), "<" + s.id() + "@group.example>", null, now, now.plus(gap),
                now.plus(Duration.ofMinutes(5)), day, caps, links);
    }

    private Reservation reservation(String mailbox, Instant now, Duration gap, int mailboxLimit) {
        return reservation(claimed(NODE), mailbox, now, gap, mailboxLimit, List.of());
    }

    private int used(String scope) {
        return jdbc.sql("SELECT coalesce(max(used), 0) FROM delivery_day_counts WHERE workspace_id = :ws AND scope = :scope AND day = :day")
                .param("ws", ws).param("scope", scope).param("day", day).query(Integer.class).single();
    }

    private String status(Reservation r) {
        return jdbc.sql("SELECT status || '/' || coalesce(mailbox_id, '') || '/' || coalesce(subject, '') || '/' || coalesce(message_id, '') || '/' || attempts FROM sends WHERE workspace_id = :ws AND id = :id")
                .param("ws", ws).param("id", r.send().id()).query(String.class).single();
    }

    private SendQueue.MailboxSnapshot pacing(String mailbox) {
        return queue.mailboxSnapshot(ws, mailbox, "mailbox:" + mailbox, "campaign-mailbox:none", day);
    }

    @Test
    void aGroupThatFitsIsReservedWholeWithItsCapsGapsAndLinks() {
        String a = "mbx_a_" + System.nanoTime(), b = "mbx_b_" + System.nanoTime();
        var group = List.of(
                reservation(claimed(NODE), a, t, Duration.ZERO, 10, List.of("https://one.example/x", "https://two.example/y")),
                reservation(claimed(NODE), a, t.minus(3, ChronoUnit.MILLIS), Duration.ZERO, 10, List.of()),
                reservation(claimed(NODE), b, t.plusSeconds(1), Duration.ofSeconds(45), 10, List.of("https://three.example/z")));

        assertThat(queue.reserveSends(NODE, group)).containsExactly(Optional.empty(), Optional.empty(), Optional.empty());

        for (var r : group) {
            assertThat(status(r)).isEqualTo("in_flight/" + r.mailboxId() + "/Subject of " + r.send().id() + "/<" + r.send().id()
                    + "@group.example>/1");
        }
        assertThat(used("mailbox:" + a)).isEqualTo(2);
        assertThat(used("mailbox:" + b)).isEqualTo(1);
        assertThat(used("campaign:" + campaignId)).isEqualTo(3);
        // the pacing rows hold what single reservations would have left
        assertThat(pacing(a).nextAt()).isEqualTo(t);
        assertThat(pacing(a).lastGapZero()).isTrue();
        assertThat(pacing(b).nextAt()).isEqualTo(t.plusSeconds(46));
        assertThat(pacing(b).lastGapZero()).isFalse();
        assertThat(jdbc.sql("SELECT send_id || '#' || idx || ' ' || url FROM send_links WHERE workspace_id = :ws ORDER BY send_id, idx")
                .param("ws", ws).query(String.class).list()).containsExactly(
                group.get(0).send().id() + "#0 https://one.example/x", group.get(0).send().id() + "#1 https://two.example/y",
                group.get(2).send().id() + "#0 https://three.example/z");
    }

    @Test
    void aMailboxInItsGapAndASendHeldElsewhereAreRefusedAloneTheRestGoes() {
        String busy = "mbx_busy_" + System.nanoTime(), free = "mbx_free_" + System.nanoTime();
        assertThat(queue.reserveSend(NODE, reservation(busy, t, Duration.ofSeconds(60), 10))).isEmpty();
        var group = List.of(
                reservation(busy, t.plusSeconds(5), Duration.ZERO, 10),
                reservation(claimed("another-process"), free, t.plusSeconds(5), Duration.ZERO, 10, List.of()),
                reservation(free, t.plusSeconds(5), Duration.ZERO, 10));

        assertThat(queue.reserveSends(NODE, group)).containsExactly(Optional.of("mailbox_gap"), Optional.of("claim_lost"), Optional.empty());

        assertThat(status(group.get(0))).startsWith("planned/");
        assertThat(status(group.get(1))).startsWith("planned/");
        assertThat(status(group.get(2))).startsWith("in_flight/" + free);
        assertThat(used("mailbox:" + busy)).isEqualTo(1); // its first send only
        assertThat(used("mailbox:" + free)).isEqualTo(1);
        assertThat(used("campaign:" + campaignId)).isEqualTo(2);
        assertThat(pacing(busy).nextAt()).isEqualTo(t.plusSeconds(60));
    }

    @Test
    void aCapWithTooFewSlotsForTheGroupReservesOneAfterTheOtherUpToTheLimit() {
        String m = "mbx_cap_" + System.nanoTime();
        assertThat(queue.reserveSend(NODE, reservation(m, t, Duration.ZERO, 4))).isEmpty();
        var group = new ArrayList<Reservation>();
        for (int i = 0; i < 5; i++) group.add(reservation(m, t.plusMillis(i), Duration.ZERO, 4));

        assertThat(queue.reserveSends(NODE, group)).containsExactly(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of("mailbox_daily_limit"), Optional.of("mailbox_daily_limit"));

        assertThat(used("mailbox:" + m)).isEqualTo(4);
        assertThat(used("campaign:" + campaignId)).isEqualTo(4);
        assertThat(group.stream().map(this::status).filter(s -> s.startsWith("in_flight/")).count()).isEqualTo(3);
        assertThat(pacing(m).nextAt()).isEqualTo(t.plusMillis(2));
    }

    @Test
    void twoSendsOfAMailboxThatLeaveAGapAreReservedOneAtATime() {
        String m = "mbx_gap_" + System.nanoTime();
        var group = List.of(reservation(m, t, Duration.ofSeconds(30), 10), reservation(m, t.plusMillis(1), Duration.ofSeconds(30), 10));

        assertThat(queue.reserveSends(NODE, group)).containsExactly(Optional.empty(), Optional.of("mailbox_gap"));

        assertThat(used("mailbox:" + m)).isEqualTo(1);
        assertThat(pacing(m).nextAt()).isEqualTo(t.plusSeconds(30));
    }

    /** Groups from many threads at once over shared mailboxes and a shared cap: never above a cap, no deadlock left unresolved. */
    @Test
    void concurrentGroupsNeverExceedACap() throws Exception {
        var mailboxes = List.of("mbx_c1_" + System.nanoTime(), "mbx_c2_" + System.nanoTime(), "mbx_c3_" + System.nanoTime());
        int limit = 25;
        var groups = new ArrayList<List<Reservation>>();
        for (int g = 0; g < 24; g++) {
            var group = new ArrayList<Reservation>();
            for (int i = 0; i < 4; i++) group.add(reservation(mailboxes.get((g + i) % 3), t.plusMillis(g * 10L + i), Duration.ZERO, limit));
            groups.add(group);
        }
        var results = new ArrayList<Future<List<Optional<String>>>>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (var group : groups) {
                Callable<List<Optional<String>>> call = () -> {
                    try {
                        return queue.reserveSends(NODE, group);
                    } catch (org.springframework.dao.PessimisticLockingFailureException e) {
                        return queue.reserveSends(NODE, group); // as the engine does: a deadlock victim is retried once
                    }
                };
                results.add(pool.submit(call));
            }
        }
        int reserved = 0;
        for (var f : results) reserved += (int) f.get().stream().filter(Optional::isEmpty).count();
        for (String m : mailboxes) assertThat(used("mailbox:" + m)).isLessThanOrEqualTo(limit);
        assertThat(reserved).isEqualTo(3 * limit); // 96 asked, 75 slots
        assertThat(used("campaign:" + campaignId)).isEqualTo(reserved);
        assertThat(jdbc.sql("SELECT count(*) FROM sends WHERE workspace_id = :ws AND status = 'in_flight'").param("ws", ws)
                .query(Long.class).single()).isEqualTo(reserved);
    }
}
