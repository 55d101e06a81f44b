package dev.outreach2day.mailbox;

import java.time.Instant;

/** A mailbox moved between {@code active} and {@code error} (published for webhooks: mailbox_error). */
public record MailboxHealthChanged(long workspaceId, String mailboxId, String address, String status, String error,
        Instant at) {}
