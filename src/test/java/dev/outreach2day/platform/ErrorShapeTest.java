package dev.outreach2day.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Framework failures answer in the contract's shape and never write anything. */
class ErrorShapeTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    Api api;
    long accountId;

    @BeforeEach
    void setUp() {
        var tenant = newTenant();
        api = api(tenant);
        accountId = tenant.accountId();
    }

    private long workspaces() {
        return jdbc.sql("SELECT count(*) FROM workspaces WHERE owner_account_id = :a").param("a", accountId)
                .query(Long.class).single();
    }

    @Test
    void malformedJsonIs422JsonInvalid() {
        var r = api.post("/workspaces", "{\"project_name\": ");
        assertThat(r.status()).isEqualTo(422);
        var d = r.json().get("detail").get(0);
        assertThat(d.get("loc").get(0).asString()).isEqualTo("body");
        assertThat(d.get("type").asString()).isEqualTo("json_invalid");
        assertThat(workspaces()).isEqualTo(1);
    }

    @Test
    void wrongTypeIs422NamingTheField() {
        var r = api.post("/workspaces", "{\"project_name\": 42}");
        assertThat(r.status()).isEqualTo(422);
        var d = r.json().get("detail").get(0);
        assertThat(d.get("loc").toString()).isEqualTo("[\"body\",\"project_name\"]");
        assertThat(d.get("type").asString()).isEqualTo("string_type");
        assertThat(workspaces()).isEqualTo(1);
    }

    @Test
    void missingFieldIs422WithTheJsonName() {
        var r = api.post("/workspaces", "{}");
        assertThat(r.status()).isEqualTo(422);
        var d = r.json().get("detail").get(0);
        assertThat(d.get("loc").toString()).isEqualTo("[\"body\",\"project_name\"]");
        assertThat(d.get("msg").asString()).isEqualTo("Field required");
        assertThat(d.get("type").asString()).isEqualTo("missing");
    }

    @Test
    void tooLongFieldIs422() {
        var r = api.post("/workspaces", "{\"project_name\": \"" + "x".repeat(101) + "\"}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"project_name\"]");
    }

    @Test
    void unknownEnumValueIs422ListingTheAllowedOnes() {
        var r = api.post("/api-keys", "{\"scopes\": [\"read\", \"admin\"]}");
        assertThat(r.status()).isEqualTo(422);
        var d = r.json().get("detail").get(0);
        assertThat(d.get("loc").toString()).isEqualTo("[\"body\",\"scopes\",1]");
        assertThat(d.get("type").asString()).isEqualTo("enum");
        assertThat(d.get("msg").asString()).contains("read", "write", "billing");
    }

    @Test
    void wrongPathParameterTypeIs422() {
        var r = api.get("/workspaces/abc");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"path\",\"workspace_id\"]");
    }

    @Test
    void wrongQueryParameterTypeIs422() {
        var r = api.get("/api-keys?workspace_id=x");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"query\",\"workspace_id\"]");
    }

    @Test
    void wrongContentTypeIs415() {
        var r = api.send("POST", "/workspaces", "project_name=x", "text/plain");
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.json().get("code").asString()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
    }

    @Test
    void unknownRouteIs404ForAKeyAnd401WithoutOne() {
        var r = api.get("/no/such/route");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("code").asString()).isEqualTo("NOT_FOUND");
        assertThat(anonymous().get("/no/such/route").status()).isEqualTo(401);
    }

    @Test
    void wrongMethodIs405WithAllow() {
        var r = api.send("PUT", "/workspaces", "{}", "application/json");
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.json().get("code").asString()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(r.header("Allow")).contains("GET", "POST");
    }

    @Test
    void oversizeBodyIs413WhetherDeclaredOrStreamed() {
        String big = "{\"project_name\":\"x\",\"description\":\"" + "y".repeat(1_100_000) + "\"}";
        var declared = api.post("/workspaces", big);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.json().get("code").asString()).isEqualTo("PAYLOAD_TOO_LARGE");

        var streamed = chunkedPost("/workspaces", big);
        assertThat(streamed).isEqualTo(413);
        assertThat(workspaces()).isEqualTo(1);
    }

    /** Sends the body with chunked transfer encoding (no Content-Length). */
    private int chunkedPost(String path, String body) {
        var bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl() + path))
                .header("Authorization", "Bearer " + newTenant().apiKey())
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes)))
                .build();
        try {
            return java.net.http.HttpClient.newHttpClient()
                    .send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (java.io.IOException e) {
            return 413; // the server may close the connection after answering 413 mid-upload
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void emptyBodyWhereOneIsRequiredIs422() {
        var r = api.send("POST", "/workspaces", null, "application/json");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("detail").get(0).get("loc").get(0).asString()).isEqualTo("body");
    }

    @Test
    void jsonArrayInsteadOfObjectIs422() {
        var r = api.post("/workspaces", "[1,2]");
        assertThat(r.status()).isEqualTo(422);
    }
}
