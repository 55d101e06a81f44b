package dev.outreach2day.unibox;

import java.util.List;
import java.util.Optional;

/**
 * Port: which campaign send a message answers, by the Message-IDs it refers to (In-Reply-To,
 * References, or the id a bounce names). Implemented by the sending capability.
 */
public interface CampaignSends {

    /** A sent campaign email: its send, campaign, contact, mailbox, step and variant. */
    record SentEmail(String sendId, String campaignId, String contactId, String contactEmail, String mailboxId, int stepOrder,
            String variantId, String messageId, String subject) {}

    /** The newest campaign send of the workspace whose Message-ID is one of {@code messageIds}. */
    Optional<SentEmail> find(long workspaceId, List<String> messageIds);
}
