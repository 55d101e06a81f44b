package dev.outreach2day.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.platform.Scope;
import dev.outreach2day.workspace.TestTenants.Tenant;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class ApiKeysApiTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    Tenant tenant;
    Api api;

    @BeforeEach
    void setUp() {
        tenant = newTenant();
        api = api(tenant);
    }

    @Test
    void createShowsTheSecretOnceWithTheDocumentedFields() {
        var r = api.post("/api-keys?workspace_id=" + tenant.workspaceId(), "{\"name\":\"zapier\",\"scopes\":[\"read\"]}");
        assertThat(r.status()).isEqualTo(201);
        var j = r.json();
        assertThat(j.propertyNames()).contains("api_key", "name", "workspace_id", "expiration_date", "scopes");
        String secret = j.get("api_key").asString();
        assertThat(secret).startsWith("ot2d_").hasSize(54);
        assertThat(j.get("scopes").toString()).isEqualTo("[\"read\"]");
        Instant expires = Instant.parse(j.get("expiration_date").asString());
        var listed = java.util.stream.StreamSupport.stream(api.get("/api-keys").json().spliterator(), false)
                .filter(k -> k.get("id").asString().equals(j.get("id").asString())).findFirst().orElseThrow();
        Instant created = Instant.parse(listed.get("created_at").asString());
        assertThat(Duration.between(created, expires).toDays()).isEqualTo(365L); // the server's clock, which tests may move

        // the new key works, with its scope only
        assertThat(api.withKey(secret).get("/workspaces").status()).isEqualTo(200);
        assertThat(api.withKey(secret).post("/workspaces", "{\"project_name\":\"x\"}").status()).isEqualTo(403);

        // the secret is stored only as a hash
        var stored = jdbc.sql("SELECT count(*) FROM api_keys WHERE encode(secret_hash, 'escape') LIKE :s OR lookup_prefix = :s")
                .param("s", secret).query(Long.class).single();
        assertThat(stored).isZero();
    }

    @Test
    void scopesDefaultToReadAndWrite() {
        var j = api.post("/api-keys", "{}").json();
        assertThat(j.get("scopes").toString()).isEqualTo("[\"read\",\"write\"]");
        assertThat(api.post("/api-keys", null).status()).isEqualTo(201);
    }

    @Test
    void listShowsPrefixAndLastFourButNeverTheSecret() {
        String secret = api.post("/api-keys", "{\"name\":\"n8n\"}").json().get("api_key").asString();
        var list = api.get("/api-keys");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(secret);
        var entry = java.util.stream.StreamSupport.stream(list.json().spliterator(), false)
                .filter(n -> "n8n".equals(n.get("name").asString())).findFirst().orElseThrow();
        assertThat(entry.get("api_key").asString()).startsWith(secret.substring(0, 16)).endsWith(secret.substring(50));
        assertThat(entry.propertyNames()).contains("workspace_id", "scopes", "expiration_date", "last_used_at");
    }

    @Test
    void deleteByIdOrByTheKeyItselfRevokes() {
        var a = api.post("/api-keys", "{\"name\":\"a\"}").json();
        var b = api.post("/api-keys", "{\"name\":\"b\"}").json();
        assertThat(api.delete("/api-keys/" + a.get("id").asString()).status()).isEqualTo(200);
        assertThat(api.delete("/api-keys/" + b.get("api_key").asString()).status()).isEqualTo(200);
        assertThat(api.withKey(a.get("api_key").asString()).get("/workspaces").status()).isEqualTo(401);
        assertThat(api.withKey(b.get("api_key").asString()).get("/workspaces").status()).isEqualTo(401);
        assertThat(api.get("/api-keys").body()).doesNotContain(a.get("id").asString(), b.get("id").asString());
        // deleting again: gone
        assertThat(api.delete("/api-keys/" + a.get("id").asString()).status()).isEqualTo(404);
    }

    @Test
    void aKeyCannotGrantScopesItLacks() {
        var writer = tenants.keyFor(tenant, EnumSet.of(Scope.READ, Scope.WRITE));
        var r = api(writer).post("/api-keys", "{\"scopes\":[\"billing\"]}");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().get("code").asString()).isEqualTo("INSUFFICIENT_SCOPE");
    }

    @Test
    void aNewWorkspaceOfTheAccountGetsItsFirstKeyFromTheAccountsKey() {
        long ws = api.post("/workspaces", "{\"project_name\":\"Second\"}").json().get("workspace_id").asLong();
        var r = api.post("/api-keys?workspace_id=" + ws, "{\"scopes\":[\"read\",\"write\"]}");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().get("workspace_id").asLong()).isEqualTo(ws);
        var second = api.withKey(r.json().get("api_key").asString());
        assertThat(second.get("/workspaces/" + ws).status()).isEqualTo(200);
        // bound to its own workspace: the first one is out of reach for it
        assertThat(second.get("/workspaces/" + tenant.workspaceId()).status()).isEqualTo(403);
    }

    @Test
    void anotherAccountsWorkspaceIsOutOfReach() {
        var other = newTenant();
        assertThat(api.post("/api-keys?workspace_id=" + other.workspaceId(), "{}").status()).isEqualTo(403);
        assertThat(api.get("/api-keys?workspace_id=" + other.workspaceId()).status()).isEqualTo(403);
        assertThat(api.delete("/api-keys/" + other.apiKeyId()).status()).isEqualTo(404);
        assertThat(api.delete("/api-keys/" + other.apiKey()).status()).isEqualTo(404);
        assertThat(api(other).get("/workspaces").status()).isEqualTo(200);
    }
}
