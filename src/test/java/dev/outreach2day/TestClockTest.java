package dev.outreach2day;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The test clock's step away from the day's end lands at 00:05 UTC, and leaves other times alone. */
class TestClockTest {

    static LocalTime timeOf(TestClock c) {
        return c.instant().atZone(ZoneOffset.UTC).toLocalTime();
    }

    static TestClock at(LocalTime wanted) {
        var c = new TestClock();
        LocalTime now = timeOf(c);
        long millis = Duration.between(now, wanted).toMillis();
        c.advance(Duration.ofMillis(millis >= 0 ? millis : millis + 86_400_000));
        return c;
    }

    @Test
    void lateEveningAndJustAfterMidnightMoveToFivePastMidnight() {
        for (LocalTime t : new LocalTime[] {LocalTime.of(22, 30), LocalTime.of(23, 59, 30), LocalTime.of(0, 1)}) {
            var c = at(t);
            var day = c.instant().atZone(ZoneOffset.UTC).toLocalDate();
            c.awayFromTheDayEnd();
            var after = c.instant().atZone(ZoneOffset.UTC);
            assertThat(after.toLocalTime()).as("from " + t).isBetween(LocalTime.of(0, 4, 59), LocalTime.of(0, 6));
            assertThat(after.toLocalDate()).isEqualTo(t.isAfter(LocalTime.NOON) ? day.plusDays(1) : day);
        }
    }

    @Test
    void theRestOfTheDayIsLeftAlone() {
        var c = at(LocalTime.of(14, 0));
        c.awayFromTheDayEnd();
        assertThat(timeOf(c)).isBetween(LocalTime.of(13, 59, 59), LocalTime.of(14, 1));
    }
}
