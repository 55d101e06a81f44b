package dev.outreach2day.mailbox;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param defaultDailyLimit sends per day of a new mailbox unless the request says otherwise
 * @param checkInterval     how often each mailbox's SMTP and IMAP logins are re-checked
 */
@Validated
@ConfigurationProperties(prefix = "o2d.mailboxes")
record MailboxProperties(@Min(1) @Max(1000) int defaultDailyLimit, @NotNull Duration checkInterval) {}
