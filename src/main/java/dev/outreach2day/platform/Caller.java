package dev.outreach2day.platform;

import java.util.Set;

/**
 * The authenticated caller of a request: the API key, the account that owns it, and the one
 * workspace it is bound to. Controllers take it as a parameter.
 */
public record Caller(String apiKeyId, long accountId, long workspaceId, Set<Scope> scopes) {

    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }

    /**
     * The workspace a request acts on: the key's own when none is named; any other → 403.
     * {@code param} is the query parameter's name, for the error message.
     */
    public long workspace(Long requested, String param) {
        if (requested == null || requested == workspaceId) {
            return workspaceId;
        }
        throw new ApiException.Forbidden("WORKSPACE_FORBIDDEN",
                "This API key is bound to workspace " + workspaceId + " and cannot act on " + param + "=" + requested);
    }

    public long workspace(Long requested) {
        return workspace(requested, "workspaceId");
    }
}
