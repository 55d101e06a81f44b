package dev.outreach2day.delivery;

import java.time.Instant;

/** A contact unsubscribed through the link or one-click (for suppression and webhooks: lead_unsubscribed). */
public record ContactUnsubscribed(long workspaceId, String campaignId, String contactId, String email, Instant at) {}
