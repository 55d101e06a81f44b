package dev.outreach2day.domain;

/**
 * Implemented by the mailbox capability: how many mailboxes a workspace has on a domain, for
 * {@code mailbox_count} in {@code GET /domains}. Without an implementation the count is 0.
 */
public interface DomainMailboxCounter {

    long mailboxes(long workspaceId, String domain);
}
