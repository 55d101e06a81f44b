package dev.outreach2day.mailbox;

import java.util.List;

/**
 * Implemented by capabilities that use mailboxes (campaigns): which of them are in active use,
 * so deleting them needs {@code force}.
 */
public interface MailboxUsage {

    /** The ids among {@code mailboxIds} attached to something active, with what, e.g. "campaign cmp_…". */
    List<String> inUse(long workspaceId, List<String> mailboxIds);
}
