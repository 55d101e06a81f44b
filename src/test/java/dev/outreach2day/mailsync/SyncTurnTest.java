package dev.outreach2day.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.mailbox.Mailboxes.SyncTarget;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncTurnTest {

    private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

    private static SyncTarget target(String id) {
        return new SyncTarget(1, id, id + "@example.com");
    }

    @Test
    void onlyDueMailboxesNobodyHoldsAreStartedNeverSyncedFirstThenTheLongestDue() {
        var targets = List.of(target("a"), target("b"), target("c"), target("d"), target("e"), target("f"), target("g"));
        var turns = Map.of(
                "1:a", new SyncLeases.Turn(NOW.minusSeconds(5), true, null),        // due 5 s ago
                "1:b", new SyncLeases.Turn(NOW.plusSeconds(30), true, null),        // not due yet
                "1:c", new SyncLeases.Turn(NOW.minusSeconds(60), true, null),       // due a minute ago
                "1:d", new SyncLeases.Turn(NOW.minusSeconds(60), true, NOW.plusSeconds(100)), // held by a process
                "1:e", new SyncLeases.Turn(null, false, null),                      // a row, never synced (IDLE watch only)
                "1:f", new SyncLeases.Turn(NOW.minusSeconds(1), true, NOW.minusSeconds(1))); // lease ran out: due
        // g has no row at all: just added
        assertThat(MailSync.dueInTurn(targets, turns, NOW)).extracting(SyncTarget::mailboxId).containsExactly("e", "g", "c", "a", "f");
    }
}
