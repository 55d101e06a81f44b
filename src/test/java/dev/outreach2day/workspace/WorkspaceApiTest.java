package dev.outreach2day.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.workspace.TestTenants.Tenant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorkspaceApiTest extends IntegrationTest {

    Tenant tenant;
    Api api;

    @BeforeEach
    void setUp() {
        tenant = newTenant();
        api = api(tenant);
    }

    @Test
    void listReturnsTheDocumentedWorkspaceInfoShape() {
        var r = api.get("/workspaces");
        assertThat(r.status()).isEqualTo(200);
        var ws = r.json().get(0);
        assertThat(ws.propertyNames()).containsExactly(
                "workspace_id", "project_name", "type", "description", "max_mailboxes", "role");
        assertThat(ws.get("workspace_id").asLong()).isEqualTo(tenant.workspaceId());
        assertThat(ws.get("role").asString()).isEqualTo("owner");
        assertThat(ws.get("type").asString()).isEqualTo("free");
    }

    @Test
    void createdWorkspacesBelongToTheAccountAndAppearInItsList() {
        var created = api.post("/workspaces", "{\"project_name\":\"  Agency X \",\"description\":\"clients\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("project_name").asString()).isEqualTo("Agency X");
        long id = created.json().get("workspace_id").asLong();
        var ids = api.get("/workspaces").json().findValues("workspace_id").stream().map(n -> n.asLong()).toList();
        assertThat(ids).containsExactly(tenant.workspaceId(), id);
        // another account never sees it
        var otherIds = api(newTenant()).get("/workspaces").json().findValues("workspace_id").stream().map(n -> n.asLong()).toList();
        assertThat(otherIds).doesNotContain(id, tenant.workspaceId());
    }

    @Test
    void getShowsCountsPaymentAndSubscription() {
        var r = api.get("/workspaces/" + tenant.workspaceId());
        assertThat(r.status()).isEqualTo(200);
        var j = r.json();
        assertThat(j.get("workspace_id").asLong()).isEqualTo(tenant.workspaceId());
        assertThat(j.get("counts").get("members").asLong()).isEqualTo(1);
        assertThat(j.get("counts").get("apiKeys").asLong()).isEqualTo(1);
        assertThat(j.get("payment").get("has_payment_method").asBoolean()).isFalse();
        assertThat(j.get("subscription").get("status").asString()).isEqualTo("none");
    }

    @Test
    void anotherWorkspaceIdIs403EvenWhenItDoesNotExist() {
        var other = newTenant();
        for (long id : new long[] {other.workspaceId(), 999_999_999L}) {
            var r = api.get("/workspaces/" + id);
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.json().get("code").asString()).isEqualTo("WORKSPACE_FORBIDDEN");
        }
    }

    @Test
    void upgradeAboveTheFreeQuotaNeedsAPaymentMethod() {
        long ws = tenant.workspaceId();
        var r = api.post("/workspaces/" + ws + "/upgrade", "{\"new_max_mailboxes\":50}");
        assertThat(r.status()).isEqualTo(402);
        assertThat(r.json().get("code").asString()).isEqualTo("PAYMENT_METHOD_REQUIRED");
        assertThat(api.get("/workspaces/" + ws).json().get("max_mailboxes").asInt()).isEqualTo(10);

        addSandboxCard(ws);

        var upgraded = api.post("/workspaces/" + ws + "/upgrade", "{\"new_max_mailboxes\":50}");
        assertThat(upgraded.status()).isEqualTo(200);
        assertThat(upgraded.json().get("max_mailboxes").asInt()).isEqualTo(50);
        assertThat(upgraded.json().get("type").asString()).isEqualTo("paid");
        assertThat(api.get("/workspaces/" + ws).json().get("subscription").get("status").asString()).isEqualTo("active");

        var down = api.post("/workspaces/" + ws + "/upgrade", "{\"new_max_mailboxes\":3}");
        assertThat(down.status()).isEqualTo(200);
        assertThat(down.json().get("type").asString()).isEqualTo("free");
    }

    @Test
    void upgradeValidatesItsInput() {
        long ws = tenant.workspaceId();
        for (String bad : List.of("{}", "{\"new_max_mailboxes\":-1}", "{\"new_max_mailboxes\":\"ten\"}")) {
            var r = api.post("/workspaces/" + ws + "/upgrade", bad);
            assertThat(r.status()).as(bad).isEqualTo(422);
            assertThat(r.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"new_max_mailboxes\"]");
        }
    }

    @Test
    void sandboxPaymentSetupIsAPagePersonConfirmsOnce() {
        long ws = tenant.workspaceId();
        var pm = api.get("/workspaces/" + ws + "/payment_method").json();
        assertThat(pm.get("has_payment_method").asBoolean()).isFalse();
        assertThat(pm.get("last4").isNull()).isTrue();

        var setup = api.post("/workspaces/" + ws + "/setup_payment_method", null);
        assertThat(setup.status()).isEqualTo(200);
        String url = setup.json().get("setup_url").asString();
        assertThat(setup.json().get("provider").asString()).isEqualTo("sandbox");
        String path = url.replaceFirst("^https?://[^/]+", "");
        assertThat(path).matches("/billing/sandbox/setup/[A-Za-z0-9_-]{43}");

        var page = anonymous().get(path);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("Workspace " + (tenant.workspaceId() > 0 ? "" : ""), "Add test card");

        var confirmed = anonymous().send("POST", path, "", "application/x-www-form-urlencoded");
        assertThat(confirmed.status()).isEqualTo(200);
        assertThat(confirmed.body()).contains("4242");

        var after = api.get("/workspaces/" + ws + "/payment_method").json();
        assertThat(after.get("has_payment_method").asBoolean()).isTrue();
        assertThat(after.get("brand").asString()).isEqualTo("visa");
        assertThat(after.get("last4").asString()).isEqualTo("4242");
        assertThat(after.get("exp_month").asInt()).isEqualTo(12);
        assertThat(after.get("exp_year").asInt()).isGreaterThan(2026);

        // single use
        assertThat(anonymous().send("POST", path, "", "application/x-www-form-urlencoded").status()).isEqualTo(404);
        assertThat(anonymous().get(path).status()).isEqualTo(404);
        // a made-up token does nothing
        assertThat(anonymous().get("/billing/sandbox/setup/" + "A".repeat(43)).status()).isEqualTo(404);
    }

    @Test
    void theSetupPageEscapesTheWorkspaceName() {
        var created = api.post("/workspaces", "{\"project_name\":\"<script>alert(1)</script>\"}").json();
        long id = created.get("workspace_id").asLong();
        var key = api.post("/api-keys?workspace_id=" + id, "{\"scopes\":[\"read\",\"write\",\"billing\"]}").json()
                .get("api_key").asString();
        String url = api.withKey(key).post("/workspaces/" + id + "/setup_payment_method", null).json().get("setup_url").asString();
        var page = anonymous().get(url.replaceFirst("^https?://[^/]+", ""));
        assertThat(page.body()).doesNotContain("<script>alert(1)</script>").contains("&lt;script&gt;");
    }

    void addSandboxCard(long ws) {
        String url = api.post("/workspaces/" + ws + "/setup_payment_method", null).json().get("setup_url").asString();
        String path = Pattern.compile("^https?://[^/]+").matcher(url).replaceFirst("");
        assertThat(anonymous().send("POST", path, "", "application/x-www-form-urlencoded").status()).isEqualTo(200);
    }
}
