package dev.outreach2day.warmup;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param enabled  run the warmup network from this process (planning, sending, reading recipients' mailboxes)
 * @param interval how often it looks for work
 */
@ConfigurationProperties(prefix = "o2d.warmup")
record WarmupProperties(boolean enabled, Duration interval) {

    WarmupProperties {
        if (interval == null) interval = Duration.ofMinutes(1);
    }
}
