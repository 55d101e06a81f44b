package dev.outreach2day.delivery;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param enabled       run the sending engine in this process
 * @param batchSize     sends claimed per round
 * @param concurrency   sends processed at once by this process (SMTP waits on the network)
 * @param claimLease    how long a claimed, not yet sent row stays reserved for this process
 * @param inFlightLease how long an SMTP conversation may take before a crash is assumed (then: unknown)
 * @param dkim          sign messages of managed domains (off only for benchmarks)
 * @param nodeId        this process's name in leases; empty = host:pid
 */
@Validated
@ConfigurationProperties(prefix = "o2d.delivery")
record DeliveryProperties(boolean enabled, @Min(1) @Max(1000) int batchSize, @Min(1) @Max(512) int concurrency,
        @NotNull Duration claimLease, @NotNull Duration inFlightLease, boolean dkim, String nodeId,
        @Min(1) int pauseMailboxAfterFailures, @NotNull Duration mailboxPause) {}
