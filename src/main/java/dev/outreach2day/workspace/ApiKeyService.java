package dev.outreach2day.workspace;

import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.ApiKeyAuthenticator;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.platform.Scope;
import dev.outreach2day.workspace.ApiKeyRepository.ApiKeyRow;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;

/**
 * Issues, lists, revokes and authenticates API keys. Authentication is on every request, so a
 * verified key is cached for a few seconds (revocation in this process is immediate; other
 * processes see it within {@link #CACHE_TTL}) and {@code last_used_at} is written at most once a
 * minute per key.
 */
@Service
class ApiKeyService implements ApiKeyAuthenticator {

    static final Duration VALIDITY = Duration.ofDays(365);
    static final Duration CACHE_TTL = Duration.ofSeconds(10);
    static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
    static final int MAX_ACTIVE_KEYS = 100;
    static final Set<Scope> DEFAULT_SCOPES = EnumSet.of(Scope.READ, Scope.WRITE);

    private final ApiKeyRepository keys;
    private final WorkspaceRepository workspaces;
    private final Clock clock;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(byte[] hash, Caller caller, Instant keyExpiresAt, Instant cachedUntil, Instant lastTouch) {}

    /** A freshly issued key: the secret is only ever in this object and the create response. */
    record Issued(ApiKeyRow row, String secret) {}

    ApiKeyService(ApiKeyRepository keys, WorkspaceRepository workspaces, Clock clock) {
        this.keys = keys;
        this.workspaces = workspaces;
        this.clock = clock;
    }

    @Override
    public Caller authenticate(String presented) {
        if (!ApiKeyFormat.wellFormed(presented)) {
            throw new ApiException.Unauthorized("AUTH_MALFORMED",
                    "The API key is malformed (expected ot2d_ followed by 49 characters, checksum must match)");
        }
        Instant now = clock.instant();
        String prefix = ApiKeyFormat.lookupPrefix(presented);
        byte[] hash = ApiKeyFormat.hash(presented);
        Cached cached = cache.get(prefix);
        if (cached != null && now.isBefore(cached.cachedUntil()) && MessageDigest.isEqual(cached.hash(), hash)) {
            if (!now.isBefore(cached.keyExpiresAt())) {
                cache.remove(prefix);
                throw expired(cached.keyExpiresAt());
            }
            touchIfDue(prefix, cached, now);
            return cached.caller();
        }
        ApiKeyRow row = keys.findByLookupPrefix(prefix)
                .filter(r -> MessageDigest.isEqual(r.secretHash(), hash))
                .orElseThrow(() -> new ApiException.Unauthorized("AUTH_INVALID", "Unknown API key"));
        if (row.revokedAt() != null) {
            throw new ApiException.Unauthorized("AUTH_REVOKED", "This API key was revoked");
        }
        if (!now.isBefore(row.expiresAt())) {
            throw expired(row.expiresAt());
        }
        Caller caller = new Caller(row.id(), row.accountId(), row.workspaceId(), Set.copyOf(row.scopes()));
        Cached fresh = new Cached(hash, caller, row.expiresAt(), now.plus(CACHE_TTL),
                row.lastUsedAt() == null ? Instant.EPOCH : row.lastUsedAt());
        cache.put(prefix, fresh);
        touchIfDue(prefix, fresh, now);
        return caller;
    }

    private void touchIfDue(String prefix, Cached entry, Instant now) {
        if (entry.lastTouch().plus(TOUCH_EVERY).isAfter(now)) {
            return;
        }
        // Only the thread that swaps the entry writes, so concurrent requests touch once.
        Cached touched = new Cached(entry.hash(), entry.caller(), entry.keyExpiresAt(), entry.cachedUntil(), now);
        if (cache.replace(prefix, entry, touched)) {
            keys.touch(entry.caller().workspaceId(), entry.caller().apiKeyId(), now);
        }
    }

    private static ApiException.Unauthorized expired(Instant at) {
        return new ApiException.Unauthorized("AUTH_EXPIRED",
                "This API key expired on " + at.truncatedTo(ChronoUnit.SECONDS) + "; create a new one");
    }

    /**
     * Issues a key for {@code workspaceId}. The caller may name its own workspace or one its
     * account owns or administers (that is how a new workspace gets its first key), and may
     * never grant scopes it does not hold itself.
     */
    Issued issue(Caller caller, long workspaceId, String name, Set<Scope> requestedScopes) {
        if (workspaceId != caller.workspaceId() && !workspaces.canAdminister(caller.accountId(), workspaceId)) {
            throw new ApiException.Forbidden("WORKSPACE_FORBIDDEN",
                    "This API key is bound to workspace " + caller.workspaceId() + " and cannot act on workspace_id=" + workspaceId);
        }
        Set<Scope> scopes = requestedScopes == null || requestedScopes.isEmpty()
                ? EnumSet.copyOf(DEFAULT_SCOPES) : EnumSet.copyOf(requestedScopes);
        if (!caller.scopes().containsAll(scopes)) {
            throw new ApiException.Forbidden("INSUFFICIENT_SCOPE",
                    "An API key cannot grant scopes it does not have itself (this key has "
                            + caller.scopes().stream().map(Scope::wire).sorted().toList() + ")");
        }
        Instant now = clock.instant();
        if (keys.countActive(workspaceId, now) >= MAX_ACTIVE_KEYS) {
            throw new ApiException.Conflict("API_KEY_LIMIT",
                    "A workspace can hold at most " + MAX_ACTIVE_KEYS + " active API keys; delete unused ones first");
        }
        return issueUnchecked(workspaceId, caller.accountId(), name, scopes, now);
    }

    /** Used by the first-start bootstrap, which has no caller yet. */
    Issued issueUnchecked(long workspaceId, long accountId, String name, Set<Scope> scopes, Instant now) {
        String secret = ApiKeyFormat.generate();
        var row = new ApiKeyRow(Ids.next("key", now.toEpochMilli()), workspaceId, accountId, name, ApiKeyFormat.hash(secret),
                ApiKeyFormat.lookupPrefix(secret), ApiKeyFormat.last4(secret), EnumSet.copyOf(scopes),
                now.plus(VALIDITY), now, null, null);
        keys.insert(row);
        return new Issued(row, secret);
    }

    List<ApiKeyRow> list(Caller caller, long workspaceId) {
        requireReach(caller, workspaceId);
        return keys.listActive(workspaceId, clock.instant());
    }

    /** Revokes a key named by its id ({@code key_…}) or by the full secret. */
    ApiKeyRow revoke(Caller caller, String keyOrId) {
        ApiKeyRow row;
        if (keyOrId.startsWith(ApiKeyFormat.PREFIX)) {
            if (!ApiKeyFormat.wellFormed(keyOrId)) {
                throw new ApiException.NotFound("API key");
            }
            byte[] hash = ApiKeyFormat.hash(keyOrId);
            row = keys.findByLookupPrefix(ApiKeyFormat.lookupPrefix(keyOrId))
                    .filter(r -> MessageDigest.isEqual(r.secretHash(), hash))
                    .orElseThrow(() -> new ApiException.NotFound("API key"));
        } else {
            row = keys.findById(caller.workspaceId(), keyOrId)
                    .or(() -> workspaces.workspacesAdministeredBy(caller.accountId()).stream()
                            .map(ws -> keys.findById(ws, keyOrId)).flatMap(java.util.Optional::stream).findFirst())
                    .orElseThrow(() -> new ApiException.NotFound("API key"));
        }
        if (row.workspaceId() != caller.workspaceId() && !workspaces.canAdminister(caller.accountId(), row.workspaceId())) {
            throw new ApiException.NotFound("API key");
        }
        if (row.revokedAt() != null) {
            throw new ApiException.NotFound("API key");
        }
        keys.revoke(row.workspaceId(), row.id(), clock.instant());
        cache.remove(row.lookupPrefix());
        return row;
    }

    private void requireReach(Caller caller, long workspaceId) {
        if (workspaceId != caller.workspaceId() && !workspaces.canAdminister(caller.accountId(), workspaceId)) {
            throw new ApiException.Forbidden("WORKSPACE_FORBIDDEN",
                    "This API key is bound to workspace " + caller.workspaceId() + " and cannot act on workspace_id=" + workspaceId);
        }
    }
}
