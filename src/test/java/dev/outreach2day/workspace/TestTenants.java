package dev.outreach2day.workspace;

import dev.outreach2day.platform.Scope;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Test fixture: creates accounts, workspaces and keys the way the bootstrap does. */
@Component
public class TestTenants {

    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime());

    /** An account with one workspace and a key bound to it. */
    public record Tenant(long accountId, long workspaceId, String apiKey, String apiKeyId) {}

    private final WorkspaceRepository workspaces;
    private final ApiKeyService keys;
    private final Clock clock;

    TestTenants(WorkspaceRepository workspaces, ApiKeyService keys, Clock clock) {
        this.workspaces = workspaces;
        this.keys = keys;
        this.clock = clock;
    }

    @Transactional
    public Tenant create() {
        return create(EnumSet.allOf(Scope.class));
    }

    @Transactional
    public Tenant create(Set<Scope> scopes) {
        long n = SEQ.incrementAndGet();
        long account = workspaces.insertAccount("owner" + n + "@test.local", "Owner " + n);
        long workspace = workspaces.insertWorkspace(account, "Workspace " + n, null, 10);
        var issued = keys.issueUnchecked(workspace, account, "test", scopes, clock.instant());
        return new Tenant(account, workspace, issued.secret(), issued.row().id());
    }

    /** Another key of the same workspace, with the given scopes. */
    @Transactional
    public Tenant keyFor(Tenant tenant, Set<Scope> scopes) {
        var issued = keys.issueUnchecked(tenant.workspaceId(), tenant.accountId(), "test", scopes, clock.instant());
        return new Tenant(tenant.accountId(), tenant.workspaceId(), issued.secret(), issued.row().id());
    }
}
