package dev.outreach2day.mailserver;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The built-in mail server: on by default in sandbox mode, off in production.
 *
 * @param enabled  "auto" (on in sandbox mode), "true" or "false"
 * @param smtpPort SMTP port on 127.0.0.1 (0 = any free port)
 * @param imapPort IMAP port on 127.0.0.1 (0 = any free port)
 * @param bind     address to listen on; loopback unless you know why not
 */
@Validated
@ConfigurationProperties(prefix = "o2d.mail")
record MailServerProperties(String enabled, @Min(0) @Max(65535) int smtpPort, @Min(0) @Max(65535) int imapPort, String bind) {}
