package dev.outreach2day.delivery;

import java.time.Instant;

/**
 * A prospect opened a campaign email or clicked one of its links, counted (not a scanner, not a
 * HEAD request, not seconds after sending) and the first of its kind for that email; published in
 * the transaction that counts it (for webhooks: email_opened, link_clicked).
 *
 * @param kind "open" or "click"
 * @param url the link clicked (null for an open)
 */
public record EmailEngaged(long workspaceId, String campaignId, String sendId, String contactId, String kind, String url, Instant at) {}
