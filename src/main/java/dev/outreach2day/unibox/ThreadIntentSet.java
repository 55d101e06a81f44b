package dev.outreach2day.unibox;

import java.time.Instant;

/**
 * A user set a thread's reply intent by hand. Published (in the transaction that stored it) only
 * for a thread that answers a campaign email; the contact's outcome follows it.
 */
public record ThreadIntentSet(long workspaceId, String threadId, String campaignId, String contactId, String replyIntent, Instant at) {}
