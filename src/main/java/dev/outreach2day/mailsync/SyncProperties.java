package dev.outreach2day.mailsync;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param enabled     sync mailboxes over IMAP in this process
 * @param interval    how often each mailbox is read for new mail
 * @param concurrency mailboxes this process syncs at once
 * @param lease       how long a process holds a mailbox while syncing it (another process takes over after)
 * @param batch       messages fetched per round trip
 * @param nodeId      this process's name in leases; empty = host:pid
 */
@Validated
@ConfigurationProperties(prefix = "o2d.sync")
record SyncProperties(boolean enabled, @NotNull Duration interval, @Min(1) @Max(256) int concurrency, @NotNull Duration lease,
        @Min(1) @Max(1000) int batch, String nodeId) {}
