package dev.outreach2day.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.IntegrationTest;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class AuthenticationTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void missingKeyIs401WithTheContractShape() {
        var r = anonymous().get("/workspaces");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().get("code").asString()).isEqualTo("AUTH_REQUIRED");
        assertThat(r.json().get("detail").asString()).contains("Authorization: Bearer");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
    }

    @Test
    void nonBearerSchemeIs401() {
        var r = anonymous().withHeader("Authorization", "Basic dXNlcjpwYXNz").get("/workspaces");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().get("code").asString()).isEqualTo("AUTH_INVALID");
    }

    @Test
    void malformedOrMistypedKeyIs401WithoutTouchingTheDatabase() {
        var tenant = newTenant();
        String key = tenant.apiKey();
        String typo = key.substring(0, 20) + (key.charAt(20) == 'x' ? 'y' : 'x') + key.substring(21);
        for (String bad : new String[] {"nonsense", "ot2d_short", typo, key + "x"}) {
            var r = anonymous().withKey(bad).get("/workspaces");
            assertThat(r.status()).as(bad).isEqualTo(401);
            assertThat(r.json().get("code").asString()).isEqualTo("AUTH_MALFORMED");
        }
    }

    @Test
    void wellFormedButUnknownKeyIs401() {
        var r = anonymous().withKey(dev.outreach2day.workspace.TestKeys.wellFormedUnknownKey()).get("/workspaces");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().get("code").asString()).isEqualTo("AUTH_INVALID");
    }

    @Test
    void expiredKeyIs401() {
        var tenant = newTenant();
        jdbc.sql("UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = :id")
                .param("id", tenant.apiKeyId()).update();
        var r = api(tenant).get("/workspaces");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().get("code").asString()).isEqualTo("AUTH_EXPIRED");
    }

    @Test
    void revokedKeyIs401AtOnce() {
        var tenant = newTenant();
        assertThat(api(tenant).get("/workspaces").status()).isEqualTo(200); // now cached
        assertThat(api(tenant).delete("/api-keys/" + tenant.apiKeyId()).status()).isEqualTo(200);
        var r = api(tenant).get("/workspaces");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().get("code").asString()).isEqualTo("AUTH_REVOKED");
    }

    @Test
    void readOnlyKeyCannotWriteAndWriteKeyCannotRead() {
        var tenant = newTenant();
        var readOnly = tenants.keyFor(tenant, EnumSet.of(Scope.READ));
        var writeOnly = tenants.keyFor(tenant, EnumSet.of(Scope.WRITE));

        assertThat(api(readOnly).get("/workspaces").status()).isEqualTo(200);
        var denied = api(readOnly).post("/workspaces", "{\"project_name\":\"x\"}");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.json().get("code").asString()).isEqualTo("INSUFFICIENT_SCOPE");
        assertThat(denied.json().get("detail").asString()).contains("'write'");

        assertThat(api(writeOnly).get("/workspaces").status()).isEqualTo(403);
        assertThat(api(writeOnly).post("/workspaces", "{\"project_name\":\"x\"}").status()).isEqualTo(201);
    }

    @Test
    void paymentAndSubscriptionNeedBillingScope() {
        var tenant = newTenant();
        var noBilling = tenants.keyFor(tenant, EnumSet.of(Scope.READ, Scope.WRITE));
        long ws = tenant.workspaceId();
        assertThat(api(noBilling).get("/workspaces/" + ws + "/payment_method").status()).isEqualTo(403);
        assertThat(api(noBilling).post("/workspaces/" + ws + "/setup_payment_method", "{}").status()).isEqualTo(403);
        assertThat(api(noBilling).post("/workspaces/" + ws + "/upgrade", "{\"new_max_mailboxes\":5}").status()).isEqualTo(403);
        assertThat(api(tenant).get("/workspaces/" + ws + "/payment_method").status()).isEqualTo(200);
    }

    @Test
    void lastUsedAtIsRecorded() {
        var tenant = newTenant();
        api(tenant).get("/workspaces");
        var lastUsed = jdbc.sql("SELECT last_used_at FROM api_keys WHERE id = :id").param("id", tenant.apiKeyId())
                .query(java.sql.Timestamp.class).single();
        assertThat(lastUsed).isNotNull();
    }

    @Test
    void everyResponseCarriesARequestIdAndASaneIncomingOneIsEchoed() {
        var tenant = newTenant();
        assertThat(api(tenant).get("/workspaces").header("X-Request-Id")).startsWith("req_");
        assertThat(anonymous().get("/workspaces").header("X-Request-Id")).startsWith("req_");
        var echoed = api(tenant).withHeader("X-Request-Id", "trace-1234567890").get("/workspaces");
        assertThat(echoed.header("X-Request-Id")).isEqualTo("trace-1234567890");
        var replaced = api(tenant).withHeader("X-Request-Id", "bad id with spaces").get("/workspaces");
        assertThat(replaced.header("X-Request-Id")).startsWith("req_");
    }

    @Test
    void healthAndContractAreReachableWithoutAKey() {
        assertThat(anonymous().get("/actuator/health").status()).isEqualTo(200);
        assertThat(anonymous().get("/actuator/prometheus").status()).isEqualTo(200);
        assertThat(anonymous().get("/openapi.json").status()).isEqualTo(200);
    }
}
