package dev.outreach2day.unibox;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A message in a mailbox answered a campaign send: a reply, an auto-reply or a bounce. Published
 * once per stored message (after its transaction commits); the campaign side applies its stop
 * rules and counts it.
 *
 * @param replyIntent interested, not_interested, out_of_office, unsubscribe, neutral or bounced
 * @param hardBounce for a bounce: permanent
 * @param returnDate out of office: back on, when stated
 * @param firstReply the first incoming message of its thread (counted once as a reply)
 */
public record ReplyReceived(long workspaceId, String threadId, String messageId, String campaignId, String contactId,
        String sendId, String mailboxId, int stepOrder, String variantId, String fromEmail, String replyIntent, double confidence,
        boolean hardBounce, LocalDate returnDate, Instant receivedAt, boolean firstReply) {}
