package dev.outreach2day;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;

/**
 * The server's clock in tests: real time plus an offset tests move forward, so schedules,
 * windows and simulations are tested without sleeping. Only ever moves forward.
 */
@Primary
@Component
public class TestClock extends Clock {

    private final AtomicLong offsetMillis = new AtomicLong();

    public void advance(Duration d) {
        if (d.isNegative()) throw new IllegalArgumentException("time only moves forward");
        offsetMillis.addAndGet(d.toMillis());
    }

    /**
     * Moves to 00:05 UTC of the next day when the time of day is after 22:00 (or before 00:05):
     * tests sending in an all-day window (00:00–23:59) and moving the clock by an hour or a day
     * then never meet the day's last minute, when the window is closed and sends wait for tomorrow.
     */
    public void awayFromTheDayEnd() {
        var time = instant().atZone(ZoneOffset.UTC).toLocalTime();
        if (time.isAfter(java.time.LocalTime.of(22, 0))) {
            advance(Duration.between(time, java.time.LocalTime.MAX).plusMinutes(5));
        } else if (time.isBefore(java.time.LocalTime.of(0, 5))) {
            advance(Duration.between(time, java.time.LocalTime.of(0, 5)));
        }
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.offset(Clock.system(zone), Duration.ofMillis(offsetMillis.get()));
    }

    @Override
    public Instant instant() {
        return Instant.now().plusMillis(offsetMillis.get());
    }
}
