package dev.outreach2day.delivery;

import java.time.Instant;

/** A send ended an SMTP attempt: sent, bounced, failed or deferred (for webhooks: email_sent, email_bounced). */
public record SendCompleted(long workspaceId, String campaignId, String sendId, String contactId, String mailboxId, int stepOrder,
        String status, String messageId, Instant at) {}
