package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.IntegrationTest;
import dev.outreach2day.delivery.SendQueue.SendRow;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The gap between a mailbox's sends, as the reservation enforces it (V25): concurrent sends that
 * leave no gap never refuse each other, whatever order they reserve in; a send that leaves a gap,
 * or comes after one that did, waits until the mailbox is free again.
 */
class MailboxPacingTest extends IntegrationTest {

    private static final String NODE = "pacing-test";

    @Autowired SendQueue queue;
    @Autowired JdbcClient jdbc;

    long ws;
    String campaignId;
    String mailbox;
    Instant t;
    ClaimedSends sends;

    @BeforeEach
    void setUp() {
        var tenant = newTenant();
        ws = tenant.workspaceId();
        campaignId = api(tenant).post("/campaigns", "{\"name\":\"Pacing\"}").json().get("id").asString();
        mailbox = "mbx_pacing_" + System.nanoTime();
        t = Instant.parse("2026-11-30T10:00:00Z");
        sends = new ClaimedSends(jdbc, ws, campaignId, "pacing");
    }

    /** A planned send claimed by this node, as the engine holds it before reserving. */
    private SendRow claimed() {
        return sends.claimed(NODE, t);
    }

    /** Reserves at {@code now}, leaving {@code gap} after it; empty when reserved, else why not. */
    private Optional<String> reserve(Instant now, Duration gap) {
        return reserve(now, gap, List.of());
    }

    private Optional<String> reserve(Instant now, Duration gap, List<SendQueue.DayCap> caps) {
        SendRow s = claimed();
        return queue.reserveSend(s, NODE, mailbox, null, "Hi", "<" + s.id() + "@pacing.example>", null, now, now.plus(gap),
                now.plus(Duration.ofMinutes(5)), now.atZone(ZoneOffset.UTC).toLocalDate(), caps, List.of());
    }

    private SendQueue.MailboxSnapshot snapshot() {
        return queue.mailboxSnapshot(ws, mailbox, "mailbox:" + mailbox, "campaign-mailbox:x", t.atZone(ZoneOffset.UTC).toLocalDate());
    }

    @Test
    void sendsWithoutGapsGoInWhateverOrderTheyReserve() {
        assertThat(reserve(t, Duration.ZERO)).isEmpty();
        // another thread took its time 5 ms earlier and reserves second: no gap was asked for, it goes
        assertThat(reserve(t.minus(5, ChronoUnit.MILLIS), Duration.ZERO)).isEmpty();
        assertThat(reserve(t.minus(20, ChronoUnit.MILLIS), Duration.ZERO)).isEmpty();
        var state = snapshot();
        assertThat(state.nextAt()).isEqualTo(t);
        assertThat(state.lastGapZero()).isTrue();
        assertThat(state.inGap(t.minus(5, ChronoUnit.MILLIS), true)).isFalse();
        assertThat(state.inGap(t.minus(5, ChronoUnit.MILLIS), false)).isTrue(); // a send that leaves a gap waits for the mailbox
    }

    /** The engine applies its own reservations to the state its batch read (SendEngine.SendBatch) exactly as the database does. */
    @Test
    void aReservationAppliedInMemoryGivesTheStateTheDatabaseHolds() {
        var caps = List.of(new SendQueue.DayCap("mailbox:" + mailbox, 100, "mailbox_daily_limit"),
                new SendQueue.DayCap("campaign-mailbox:x", 100, "campaign_mailbox_daily_limit"));
        var local = snapshot();
        assertThat(local).isEqualTo(new SendQueue.MailboxSnapshot(null, 0, 0, 0, null, null));
        Instant[] times = {t, t.minus(5, ChronoUnit.MILLIS), t.plusSeconds(1), t.plusSeconds(40), t.plusSeconds(40)};
        Duration[] gaps = {Duration.ZERO, Duration.ZERO, Duration.ofSeconds(30), Duration.ZERO, Duration.ZERO};
        for (int i = 0; i < times.length; i++) {
            assertThat(reserve(times[i], gaps[i], caps)).as("reservation %d", i).isEmpty();
            local = local.reserved(times[i], times[i].plus(gaps[i]));
            assertThat(local).as("after reservation %d", i).isEqualTo(snapshot());
        }
        assertThat(local.usedToday()).isEqualTo(5);
        assertThat(local.lastGapZero()).isTrue();
    }

    @Test
    void aGapHoldsEverySendUntilItEnds() {
        assertThat(reserve(t, Duration.ofSeconds(60))).isEmpty();
        assertThat(reserve(t.plusSeconds(1), Duration.ZERO)).contains("mailbox_gap");
        assertThat(reserve(t.plusSeconds(59), Duration.ofSeconds(30))).contains("mailbox_gap");
        var state = snapshot();
        assertThat(state.nextAt()).isEqualTo(t.plusSeconds(60));
        assertThat(state.lastGapZero()).isFalse();
        assertThat(state.inGap(t.plusSeconds(1), true)).isTrue();
        assertThat(state.inGap(t.plusSeconds(60), true)).isFalse();

        assertThat(reserve(t.plusSeconds(60), Duration.ZERO)).isEmpty();
        assertThat(snapshot().lastGapZero()).isTrue();
    }

    @Test
    void aSendThatLeavesAGapAfterOneThatLeftNoneKeepsTheStrictRule() {
        assertThat(reserve(t, Duration.ZERO)).isEmpty();
        // its time is before the last reservation's, and it asks for a gap: it waits until the mailbox is free by its own time
        assertThat(reserve(t.minus(5, ChronoUnit.MILLIS), Duration.ofSeconds(30))).contains("mailbox_gap");
        assertThat(reserve(t.plus(1, ChronoUnit.MILLIS), Duration.ofSeconds(30))).isEmpty();
        assertThat(snapshot().nextAt()).isEqualTo(t.plus(1, ChronoUnit.MILLIS).plusSeconds(30));
        // and a send without a gap after it waits for that gap
        assertThat(reserve(t.plusSeconds(10), Duration.ZERO)).contains("mailbox_gap");
        // nothing of a refused reservation was written: those sends are still planned
        assertThat(jdbc.sql("SELECT count(*) FROM sends WHERE workspace_id = :ws AND status = 'planned'").param("ws", ws)
                .query(Long.class).single()).isEqualTo(2);
    }
}
