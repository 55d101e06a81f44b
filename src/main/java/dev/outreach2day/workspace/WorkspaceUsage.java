package dev.outreach2day.workspace;

/**
 * Implemented by other modules to report what a workspace holds (mailboxes, domains,
 * campaigns…). Shown in {@code GET /workspaces/{id}} and checked against limits on upgrade.
 */
public interface WorkspaceUsage {

    /** The camelCase name in {@code counts}, e.g. {@code mailboxes}. */
    String name();

    long count(long workspaceId);
}
