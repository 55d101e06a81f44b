package dev.outreach2day.delivery;

import java.time.Instant;

/** What a send check decides: go on, try again at a later time, or never send (with the reason). */
sealed interface Decision {

    record Proceed() implements Decision {}

    record Defer(Instant until, String reason) implements Decision {}

    record Skip(String reason) implements Decision {}

    Decision PROCEED = new Proceed();
}
