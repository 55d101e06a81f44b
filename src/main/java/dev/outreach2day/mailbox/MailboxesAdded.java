package dev.outreach2day.mailbox;

import java.util.List;

/** Mailboxes were created (published after they are committed): the inbox sync starts on them at once. */
public record MailboxesAdded(long workspaceId, List<String> mailboxIds) {}
