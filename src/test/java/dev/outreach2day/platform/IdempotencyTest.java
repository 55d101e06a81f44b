package dev.outreach2day.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.IntegrationTest;
import dev.outreach2day.workspace.TestTenants.Tenant;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class IdempotencyTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    Tenant tenant;

    @BeforeEach
    void setUp() {
        tenant = newTenant();
    }

    private long workspaces() {
        return jdbc.sql("SELECT count(*) FROM workspaces WHERE owner_account_id = :a").param("a", tenant.accountId())
                .query(Long.class).single();
    }

    @Test
    void aRetryWithTheSameKeyAndBodyReplaysTheFirstResponseByteForByte() {
        var api = api(tenant).withHeader("Idempotency-Key", "create-ws-1");
        var first = api.post("/workspaces", "{\"project_name\":\"Agency\"}");
        var second = api.post("/workspaces", "{\"project_name\":\"Agency\"}");
        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.bytes()).isEqualTo(first.bytes());
        assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(workspaces()).isEqualTo(2); // the tenant's own + exactly one created
    }

    @Test
    void theSameKeyWithAnotherBodyIs422() {
        var api = api(tenant).withHeader("Idempotency-Key", "create-ws-2");
        assertThat(api.post("/workspaces", "{\"project_name\":\"A\"}").status()).isEqualTo(201);
        var r = api.post("/workspaces", "{\"project_name\":\"B\"}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("code").asString()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(workspaces()).isEqualTo(2);
    }

    @Test
    void aRetryWhileTheFirstIsStillRunningIs409() throws Exception {
        String body = "{\"project_name\":\"Slow\"}";
        // The state a concurrent first request leaves while it runs: a fresh 'running' claim.
        byte[] hash = MessageDigest.getInstance("SHA-256")
                .digest(("POST\n/workspaces?\n" + body).getBytes(StandardCharsets.UTF_8));
        jdbc.sql("""
                INSERT INTO idempotency_keys (workspace_id, idem_key, request_hash, state, expires_at)
                VALUES (:ws, 'running-1', :hash, 'running', now() + interval '24 hours')
                """).param("ws", tenant.workspaceId()).param("hash", hash).update();
        var r = api(tenant).withHeader("Idempotency-Key", "running-1").post("/workspaces", body);
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("code").asString()).isEqualTo("IDEMPOTENCY_KEY_IN_USE");
        assertThat(workspaces()).isEqualTo(1);
    }

    @Test
    void validationFailuresAreReplayedToo() {
        var api = api(tenant).withHeader("Idempotency-Key", "bad-1");
        var first = api.post("/workspaces", "{}");
        var second = api.post("/workspaces", "{}");
        assertThat(first.status()).isEqualTo(422);
        assertThat(second.bytes()).isEqualTo(first.bytes());
    }

    @Test
    void afterExpiryTheKeyCanBeUsedAgain() {
        var api = api(tenant).withHeader("Idempotency-Key", "old-1");
        assertThat(api.post("/workspaces", "{\"project_name\":\"A\"}").status()).isEqualTo(201);
        jdbc.sql("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE workspace_id = :ws")
                .param("ws", tenant.workspaceId()).update();
        var again = api.post("/workspaces", "{\"project_name\":\"A\"}");
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.header("Idempotent-Replayed")).isNull();
        assertThat(workspaces()).isEqualTo(3);
    }

    @Test
    void keysAreScopedPerWorkspace() {
        var other = newTenant();
        var a = api(tenant).withHeader("Idempotency-Key", "shared-name").post("/workspaces", "{\"project_name\":\"A\"}");
        var b = api(other).withHeader("Idempotency-Key", "shared-name").post("/workspaces", "{\"project_name\":\"B\"}");
        assertThat(a.status()).isEqualTo(201);
        assertThat(b.status()).isEqualTo(201);
        assertThat(b.json().get("project_name").asString()).isEqualTo("B");
    }

    @Test
    void authorisationFailuresAreNotStored() {
        var readOnly = tenants.keyFor(tenant, java.util.EnumSet.of(Scope.READ));
        var denied = api(readOnly).withHeader("Idempotency-Key", "scope-1").post("/workspaces", "{\"project_name\":\"A\"}");
        assertThat(denied.status()).isEqualTo(403);
        var allowed = api(tenant).withHeader("Idempotency-Key", "scope-1").post("/workspaces", "{\"project_name\":\"A\"}");
        assertThat(allowed.status()).isEqualTo(201);
    }

    @Test
    void anOverlongKeyIs400() {
        var r = api(tenant).withHeader("Idempotency-Key", "k".repeat(256)).post("/workspaces", "{\"project_name\":\"A\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(workspaces()).isEqualTo(1);
    }
}
