package dev.outreach2day.outcome;

import java.time.Instant;

/**
 * A user set a campaign contact's reply outcome by hand (it wins over the classifier from now on).
 * Published in the transaction that stored it; the campaign applies its stop rules, the
 * suppression list takes an unsubscribe or bounce, and webhooks announce it.
 *
 * @param previousIntent the outcome before, or null when there was none
 */
public record OutcomeOverridden(long workspaceId, String campaignId, String contactId, String email, String previousIntent,
        String replyIntent, String note, Instant at) {}
