package dev.outreach2day.sequencer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.ResponseLog;
import dev.outreach2day.SendingDomains;
import dev.outreach2day.SequencerApis;
import dev.outreach2day.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The sequencer flow end to end: real server, PostgreSQL and built-in mail server, Instantly and
 * Smartlead played by WireMock. A key is checked before it is stored and never shown again;
 * readiness says why a mailbox cannot go; an export needs confirm, runs in the background with the
 * real mailbox's credentials, waits out a 429's Retry-After, fails a mailbox on a 401 without
 * retrying, never creates a mailbox twice; reconnect re-pushes; another workspace sees nothing.
 */
class SequencerTest extends IntegrationTest {

    @Autowired ExportRunner runner;
    @Autowired TestClock clock;
    @Autowired JdbcClient jdbc;

    static final String PASSWORD = "Seq-Export-Passw0rd";

    WireMockServer vendors() {
        return SequencerApis.server();
    }

    @Test
    void exportsMailboxesToInstantlyAndSmartlead() {
        var tenant = newTenant();
        Api api = api(tenant);
        long ws = tenant.workspaceId();
        String domain = SendingDomains.buy(api, anonymous(), ws, "seqx");
        String ann = "ann@" + domain, bob = "bob@" + domain, cat = "cat@" + domain;
        String password = ResponseLog.secret(PASSWORD + System.nanoTime());
        var created = api.post("/mailboxes", """
                {"mailboxes":[{"address":"%s","firstName":"Ann","lastName":"Lee","password":"%s"},
                              {"address":"%s","firstName":"Bob","password":"%s"},{"address":"%s","firstName":"Cat","password":"%s"}]}"""
                .formatted(ann, password, bob, password, cat, password));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode annBox = null;
        for (JsonNode m : api.get("/mailboxes").json()) if (m.get("address").asString().equals(ann)) annBox = m;
        assertThat(annBox).isNotNull();
        var warming = api.post("/warmup/operations", "{\"action\":\"enable\",\"mailboxes\":[\"" + cat + "\"]}");
        assertThat(warming.status()).as(warming.body()).isEqualTo(201);

        String key = ResponseLog.secret("inst_" + Long.toString(System.nanoTime(), 36) + "_Zk9QbWx2aXRhbGl0eQ");
        String badKey = ResponseLog.secret("inst_bad_" + Long.toString(System.nanoTime(), 36));
        String bearer = "Bearer " + key;
        var responses = new ArrayList<String>();
        vendors().stubFor(get(urlEqualTo("/api/v2/workspaces/current")).withHeader("Authorization", equalTo(bearer))
                .willReturn(aResponse().withStatus(200).withBody("{\"id\":\"0198e874-1315\",\"name\":\"Acme Outbound\"}")));
        vendors().stubFor(get(urlEqualTo("/api/v2/workspaces/current")).withHeader("Authorization", equalTo("Bearer " + badKey))
                .willReturn(aResponse().withStatus(401).withBody("{\"statusCode\":401,\"error\":\"Unauthorized\",\"message\":\"Invalid API key\"}")));

        // providers
        var providers = api.get("/sequencers/providers");
        assertThat(providers.json().get("providers").findValues("id").stream().map(JsonNode::asString).toList())
                .containsExactly("instantly", "smartlead");
        assertThat(providers.json().get("providers").get(0).get("capabilities").get("export").asBoolean()).isTrue();

        // a refused key: validate says so in Instantly's words; create is a 422 and stores nothing
        var invalid = api.post("/sequencers/validate", "{\"provider\":\"instantly\",\"apiKey\":\"" + badKey + "\"}");
        assertThat(invalid.status()).isEqualTo(200);
        assertThat(invalid.json().get("valid").asBoolean()).isFalse();
        assertThat(invalid.json().get("error").asString()).isEqualTo("Invalid API key");
        var refused = api.post("/sequencers", "{\"provider\":\"instantly\",\"name\":\"Bad\",\"apiKey\":\"" + badKey + "\"}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"apiKey\"]");
        assertThat(refused.json().get("detail").get(0).get("msg").asString()).contains("Invalid API key");
        assertThat(api.post("/sequencers", "{\"provider\":\"mailchimp\",\"name\":\"X\",\"apiKey\":\"k\"}").status()).isEqualTo(422);
        var valid = api.post("/sequencers/validate", "{\"provider\":\"instantly\",\"apiKey\":\"" + key + "\"}");
        assertThat(valid.json().get("valid").asBoolean()).isTrue();
        assertThat(valid.json().get("account").asString()).isEqualTo("Acme Outbound");

        // a good key: stored sealed, shown as a hint only
        var conn = api.post("/sequencers", "{\"provider\":\"instantly\",\"name\":\"Main Instantly\",\"apiKey\":\"" + key + "\"}");
        responses.add(conn.body());
        assertThat(conn.status()).as(conn.body()).isEqualTo(201);
        String connection = conn.json().get("connection").get("id").asString();
        assertThat(connection).startsWith("seq_");
        assertThat(conn.json().get("connection").get("keyHint").asString()).isEqualTo("…" + key.substring(key.length() - 4));
        assertThat(conn.json().get("connection").get("account").asString()).isEqualTo("Acme Outbound");
        String stored = jdbc.sql("SELECT api_key FROM sequencer_connections WHERE id = :id").param("id", connection).query(String.class).single();
        assertThat(stored).doesNotContain(key).doesNotContain(key.substring(5, 20));
        var list = api.get("/sequencers");
        responses.add(list.body());
        assertThat(list.json().get("connections").findValues("id").stream().map(JsonNode::asString).toList()).containsExactly(connection);

        // readiness: Ann and Bob can go; Cat is warming here
        var ready = api.get("/sequencers/" + connection + "/readiness");
        assertThat(ready.status()).as(ready.body()).isEqualTo(200);
        assertThat(reasons(ready.json(), ann)).isEmpty();
        assertThat(reasons(ready.json(), cat)).containsExactly("WARMUP_NOT_READY");
        assertThat(ready.json().get("exportable").asInt()).isEqualTo(2);

        // bad input: the contract's 422 list
        var empty = api.post("/sequencers/" + connection + "/export", "{\"mailboxes\":[],\"confirm\":true}");
        assertThat(empty.status()).isEqualTo(422);
        assertThat(empty.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"mailboxes\"]");
        var zero = api.post("/sequencers/" + connection + "/export", "{\"mailboxes\":[\"" + ann + "\"],\"confirm\":true,\"dailyLimit\":0}");
        assertThat(zero.status()).isEqualTo(422);
        assertThat(zero.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"dailyLimit\"]");
        assertThat(api.get("/sequencers/exports?limit=0").status()).isEqualTo(422);

        // no confirm: refused
        var unconfirmed = api.post("/sequencers/" + connection + "/export", "{\"mailboxes\":[\"" + ann + "\"]}");
        assertThat(unconfirmed.status()).isEqualTo(400);
        assertThat(unconfirmed.json().get("code").asString()).isEqualTo("CONFIRMATION_REQUIRED");

        // Instantly answers Ann's create with a 429 first, then creates it; Bob's at once
        vendors().stubFor(post(urlEqualTo("/api/v2/accounts")).withHeader("Authorization", equalTo(bearer))
                .withRequestBody(matchingJsonPath("$.email", equalTo(ann))).inScenario("ann-" + key).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")
                        .withBody("{\"statusCode\":429,\"error\":\"Too Many Requests\",\"message\":\"Rate limit exceeded\"}"))
                .willSetStateTo("created"));
        vendors().stubFor(post(urlEqualTo("/api/v2/accounts")).withHeader("Authorization", equalTo(bearer))
                .withRequestBody(matchingJsonPath("$.email", equalTo(ann))).inScenario("ann-" + key).whenScenarioStateIs("created")
                .willReturn(aResponse().withStatus(200).withBody("{\"email\":\"" + ann + "\",\"status\":1,\"provider_code\":1}")));
        vendors().stubFor(post(urlEqualTo("/api/v2/accounts")).withHeader("Authorization", equalTo(bearer))
                .withRequestBody(matchingJsonPath("$.email", equalTo(bob)))
                .willReturn(aResponse().withStatus(200).withBody("{\"email\":\"" + bob + "\",\"status\":1,\"provider_code\":1}")));

        String body = "{\"mailboxes\":[\"" + ann + "\",\"" + annBox.get("id").asString() + "\",\"" + bob.toUpperCase() + "\",\"" + cat
                + "\",\"nobody@" + domain + "\"],\"confirm\":true,\"dailyLimit\":25}";
        Api idem = api.withHeader("Idempotency-Key", "export-" + key);
        var started = idem.post("/sequencers/" + connection + "/export", body);
        responses.add(started.body());
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String export = started.json().get("id").asString();
        assertThat(export).startsWith("exp_");
        assertThat(started.json().get("status").asString()).isEqualTo("queued");
        assertThat(itemStates(started.json())).containsExactly(ann + " queued null", bob + " queued null", cat + " failed WARMUP_NOT_READY",
                "nobody@" + domain + " failed MAILBOX_NOT_FOUND");
        var replay = idem.post("/sequencers/" + connection + "/export", body);
        assertThat(replay.status()).isEqualTo(202);
        assertThat(replay.json().get("id").asString()).as("same Idempotency-Key: the first answer").isEqualTo(export);

        // one round: Bob is created, Ann waits out Retry-After
        runner.runOnce();
        var during = api.get("/sequencers/exports/" + export).json();
        assertThat(during.get("status").asString()).isEqualTo("running");
        assertThat(item(during, bob).get("status").asString()).isEqualTo("completed");
        assertThat(item(during, bob).get("externalId").asString()).isEqualTo(bob);
        assertThat(item(during, ann).get("status").asString()).isEqualTo("queued");
        assertThat(item(during, ann).get("attempts").asInt()).isEqualTo(1);
        assertThat(item(during, ann).get("error").asString()).isEqualTo("Rate limit exceeded");
        runner.runOnce(); // before Retry-After: nothing asked
        assertThat(creates(bearer, ann)).isEqualTo(1);
        clock.advance(Duration.ofSeconds(8));
        runner.runOnce();
        var done = api.get("/sequencers/exports/" + export);
        responses.add(done.body());
        assertThat(item(done.json(), ann).get("status").asString()).isEqualTo("completed");
        assertThat(item(done.json(), ann).get("attempts").asInt()).isEqualTo(2);
        assertThat(done.json().get("status").asString()).isEqualTo("partial"); // Cat and nobody failed
        assertThat(done.json().get("finishedAt").isNull()).isFalse();
        assertThat(creates(bearer, ann)).isEqualTo(2);

        // what Instantly received: Ann's real logins on the built-in mail server
        vendors().verify(2, postRequestedFor(urlEqualTo("/api/v2/accounts")).withHeader("Authorization", equalTo(bearer))
                .withRequestBody(equalToJson("""
                        {"email":"%s","first_name":"Ann","last_name":"Lee","provider_code":1,
                         "imap_username":"%s","imap_password":"%s","imap_host":"%s","imap_port":%d,
                         "smtp_username":"%s","smtp_password":"%s","smtp_host":"%s","smtp_port":%d,"daily_limit":25}""".formatted(ann,
                        annBox.get("imap").get("username").asString(), password, annBox.get("imap").get("host").asString(),
                        annBox.get("imap").get("port").asInt(), annBox.get("smtp").get("username").asString(), password,
                        annBox.get("smtp").get("host").asString(), annBox.get("smtp").get("port").asInt()), false, false)));
        assertThat(annBox.get("smtp").get("username").asString()).isEqualTo(ann);

        // exporting them again creates nothing: skipped, already exported
        var again = api.post("/sequencers/" + connection + "/export", "{\"mailboxes\":[\"" + ann + "\",\"" + bob + "\"],\"confirm\":true}");
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().get("status").asString()).isEqualTo("completed");
        assertThat(itemStates(again.json())).containsExactly(ann + " skipped already_exported", bob + " skipped already_exported");
        runner.runOnce();
        assertThat(creates(bearer, ann)).isEqualTo(2);
        assertThat(creates(bearer, bob)).isEqualTo(1);
        assertThat(reasons(api.get("/sequencers/" + connection + "/readiness").json(), ann)).containsExactly("ALREADY_EXPORTED");

        // Smartlead: the key is good at connect time, then refused (401) on save: Bob fails at once, no retry
        String slKey = ResponseLog.secret("sl_" + Long.toString(System.nanoTime(), 36) + "_c2VxdWVuY2Vy");
        vendors().stubFor(get(urlPathEqualTo("/api/v1/email-accounts/")).withQueryParam("api_key", equalTo(slKey))
                .willReturn(aResponse().withStatus(200).withBody("[]")));
        vendors().stubFor(post(urlPathEqualTo("/api/v1/email-accounts/save")).withQueryParam("api_key", equalTo(slKey))
                .willReturn(aResponse().withStatus(401).withBody("{\"message\":\"Invalid API key. Check your authentication.\"}")));
        var sl = api.post("/sequencers", "{\"provider\":\"smartlead\",\"name\":\"SL\",\"apiKey\":\"" + slKey + "\"}");
        responses.add(sl.body());
        assertThat(sl.status()).as(sl.body()).isEqualTo(201);
        String slConnection = sl.json().get("connection").get("id").asString();
        var slExport = api.post("/sequencers/" + slConnection + "/export", "{\"mailboxes\":[\"" + bob + "\"],\"confirm\":true,"
                + "\"enableWarmup\":true,\"warmupPerDay\":12}");
        assertThat(slExport.status()).as(slExport.body()).isEqualTo(202);
        runner.runOnce();
        clock.advance(Duration.ofHours(1));
        runner.runOnce();
        var slDone = api.get("/sequencers/exports/" + slExport.json().get("id").asString());
        responses.add(slDone.body());
        assertThat(slDone.json().get("status").asString()).isEqualTo("failed");
        assertThat(item(slDone.json(), bob).get("reason").asString()).isEqualTo("PROVIDER_AUTH");
        assertThat(item(slDone.json(), bob).get("error").asString()).isEqualTo("Invalid API key. Check your authentication.");
        assertThat(item(slDone.json(), bob).get("attempts").asInt()).isEqualTo(1);
        vendors().verify(1, postRequestedFor(urlPathEqualTo("/api/v1/email-accounts/save")).withQueryParam("api_key", equalTo(slKey))
                .withRequestBody(equalToJson("""
                        {"id":null,"from_name":"Bob","from_email":"%s","user_name":"%s","password":"%s","smtp_host":"%s","smtp_port":%d,
                         "imap_host":"%s","imap_port":%d,"imap_user_name":"%s","imap_password":"%s","max_email_per_day":%d,
                         "warmup_enabled":true,"total_warmup_per_day":12,"daily_rampup":2,"type":"SMTP"}""".formatted(bob, bob, password,
                        annBox.get("smtp").get("host").asString(), annBox.get("smtp").get("port").asInt(),
                        annBox.get("imap").get("host").asString(), annBox.get("imap").get("port").asInt(), bob, password,
                        annBox.get("dailyLimit").asInt()), false, false)));

        // reconnect: Instantly reports Ann (ours) and a stranger disconnected; Ann is marked fixed
        vendors().stubFor(get(urlPathEqualTo("/api/v2/accounts")).withHeader("Authorization", equalTo(bearer))
                .willReturn(aResponse().withStatus(200).withBody("{\"items\":[{\"email\":\"" + ann + "\",\"status\":-1},"
                        + "{\"email\":\"stranger@elsewhere.example\",\"status\":-1},{\"email\":\"" + bob + "\",\"status\":1}],"
                        + "\"next_starting_after\":null}")));
        String fixPath = "/api/v2/accounts/" + ann.replace("@", "%40") + "/mark-fixed";
        vendors().stubFor(post(urlEqualTo(fixPath)).withHeader("Authorization", equalTo(bearer))
                .willReturn(aResponse().withStatus(200).withBody("{\"email\":\"" + ann + "\",\"status\":1}")));
        var reconnected = api.post("/sequencers/" + connection + "/reconnect", "{}");
        assertThat(reconnected.status()).as(reconnected.body()).isEqualTo(200);
        assertThat(reconnected.json().get("reconnected").toString()).isEqualTo("[\"" + ann + "\"]");
        assertThat(reconnected.json().get("errors").isEmpty()).isTrue();
        vendors().verify(1, postRequestedFor(urlEqualTo(fixPath)));

        // exports list, paged
        var page1 = api.get("/sequencers/exports?limit=2");
        assertThat(page1.json().get("exports")).hasSize(2);
        String cursor = page1.json().get("next_cursor").asString();
        var page2 = api.get("/sequencers/exports?limit=2&cursor=" + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(page2.json().get("exports").findValues("id").stream().map(JsonNode::asString).toList()).containsExactly(export);

        // another workspace's key reaches none of it
        Api other = api(newTenant());
        assertThat(other.get("/sequencers/" + connection + "/readiness").status()).isEqualTo(404);
        assertThat(other.post("/sequencers/" + connection + "/export", "{\"mailboxes\":[\"" + ann + "\"],\"confirm\":true}").status())
                .isEqualTo(404);
        assertThat(other.get("/sequencers/exports/" + export).status()).isEqualTo(404);
        assertThat(other.patch("/sequencers/" + connection, "{\"name\":\"mine\"}").status()).isEqualTo(404);
        assertThat(other.delete("/sequencers/" + connection).status()).isEqualTo(404);
        assertThat(other.get("/sequencers").body()).doesNotContain(connection);
        assertThat(other.get("/sequencers/exports").body()).doesNotContain(export);

        // rename, a refused new key, delete; the export history stays
        var renamed = api.patch("/sequencers/" + connection, "{\"name\":\"Renamed\"}");
        assertThat(renamed.json().get("connection").get("name").asString()).isEqualTo("Renamed");
        assertThat(api.patch("/sequencers/" + connection, "{\"apiKey\":\"" + badKey + "\"}").status()).isEqualTo(422);
        assertThat(jdbc.sql("SELECT api_key FROM sequencer_connections WHERE id = :id").param("id", connection).query(String.class).single())
                .as("a refused key replaces nothing").isEqualTo(stored);
        var deleted = api.delete("/sequencers/" + connection);
        assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
        assertThat(api.get("/sequencers/" + connection + "/readiness").status()).isEqualTo(404);
        assertThat(api.get("/sequencers/exports/" + export).json().get("status").asString()).isEqualTo("partial");

        // the keys were never in any answer
        for (String r : responses) assertThat(r).doesNotContain(key).doesNotContain(slKey).doesNotContain(password);
    }

    @Test
    void aProcessThatDiedMidCreateOrA5xxNeverLeadsToASecondAccountAndA422FailsAtOnce() {
        var tenant = newTenant();
        Api api = api(tenant);
        String domain = SendingDomains.buy(api, anonymous(), tenant.workspaceId(), "seqy");
        String dan = "dan@" + domain, eve = "eve@" + domain, fay = "fay@" + domain;
        String password = ResponseLog.secret(PASSWORD + "-y-" + System.nanoTime());
        var created = api.post("/mailboxes", """
                {"mailboxes":[{"address":"%s","firstName":"Dan","password":"%s"},{"address":"%s","firstName":"Eve","password":"%s"},
                              {"address":"%s","firstName":"Fay","password":"%s"}]}""".formatted(dan, password, eve, password, fay, password));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String key = ResponseLog.secret("inst_y_" + Long.toString(System.nanoTime(), 36) + "_bGVhc2U");
        String bearer = "Bearer " + key;
        vendors().stubFor(get(urlEqualTo("/api/v2/workspaces/current")).withHeader("Authorization", equalTo(bearer))
                .willReturn(aResponse().withStatus(200).withBody("{\"id\":\"w\",\"name\":\"Y\"}")));
        String connection = api.post("/sequencers", "{\"provider\":\"instantly\",\"name\":\"Y\",\"apiKey\":\"" + key + "\"}").json()
                .get("connection").get("id").asString();

        // Dan: a process claimed him, reached Instantly and died before recording it (Instantly has the account)
        vendors().stubFor(get(urlEqualTo("/api/v2/accounts/" + dan.replace("@", "%40"))).withHeader("Authorization", equalTo(bearer))
                .willReturn(aResponse().withStatus(200).withBody("{\"email\":\"" + dan + "\",\"status\":1}")));
        // Eve: a 503 first (may or may not have been created: Instantly then says it has no such account), then created
        vendors().stubFor(post(urlEqualTo("/api/v2/accounts")).withHeader("Authorization", equalTo(bearer))
                .withRequestBody(matchingJsonPath("$.email", equalTo(eve))).inScenario("eve-" + key).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("{\"message\":\"Service Unavailable\"}")).willSetStateTo("up"));
        vendors().stubFor(post(urlEqualTo("/api/v2/accounts")).withHeader("Authorization", equalTo(bearer))
                .withRequestBody(matchingJsonPath("$.email", equalTo(eve))).inScenario("eve-" + key).whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody("{\"email\":\"" + eve + "\"}")));
        vendors().stubFor(get(urlEqualTo("/api/v2/accounts/" + eve.replace("@", "%40"))).withHeader("Authorization", equalTo(bearer))
                .willReturn(aResponse().withStatus(404).withBody("{\"statusCode\":404,\"message\":\"Account not found\"}")));
        // Fay: refused (422), never retried
        vendors().stubFor(post(urlEqualTo("/api/v2/accounts")).withHeader("Authorization", equalTo(bearer))
                .withRequestBody(matchingJsonPath("$.email", equalTo(fay)))
                .willReturn(aResponse().withStatus(422).withBody("{\"statusCode\":422,\"message\":\"Account already exists in another workspace\"}")));

        var dans = api.post("/sequencers/" + connection + "/export", "{\"mailboxes\":[\"" + dan + "\"],\"confirm\":true}");
        String danExport = dans.json().get("id").asString();
        // the dead process's claim, as its CLAIM statement left it
        jdbc.sql("""
                UPDATE sequencer_export_items SET status = 'running', attempts = 1, locked_by = 'dead-node', locked_until = :until,
                       next_attempt_at = :until
                 WHERE export_id = :export""").param("export", danExport)
                .param("until", java.sql.Timestamp.from(clock.instant().plus(Duration.ofMinutes(5)))).update();
        var others = api.post("/sequencers/" + connection + "/export", "{\"mailboxes\":[\"" + eve + "\",\"" + fay + "\"],\"confirm\":true}");
        String otherExport = others.json().get("id").asString();

        runner.runOnce(); // Dan is still leased; Eve gets a 503, Fay a 422
        var first = api.get("/sequencers/exports/" + otherExport).json();
        assertThat(item(first, eve).get("status").asString()).isEqualTo("queued");
        assertThat(item(first, eve).get("error").asString()).isEqualTo("Service Unavailable");
        assertThat(item(first, fay).get("status").asString()).isEqualTo("failed");
        assertThat(item(first, fay).get("reason").asString()).isEqualTo("PROVIDER_REJECTED");
        assertThat(item(first, fay).get("error").asString()).isEqualTo("Account already exists in another workspace");
        assertThat(item(api.get("/sequencers/exports/" + danExport).json(), dan).get("status").asString()).isEqualTo("running");

        clock.advance(Duration.ofMinutes(6)); // past Dan's lease and Eve's first backoff (30 s)
        runner.runOnce();
        var danDone = api.get("/sequencers/exports/" + danExport).json();
        assertThat(danDone.get("status").asString()).isEqualTo("completed");
        assertThat(item(danDone, dan).get("externalId").asString()).isEqualTo(dan);
        assertThat(item(danDone, dan).get("attempts").asInt()).isEqualTo(2);
        assertThat(creates(bearer, dan)).as("found at Instantly, not created again").isZero();
        var otherDone = api.get("/sequencers/exports/" + otherExport).json();
        assertThat(otherDone.get("status").asString()).isEqualTo("partial");
        assertThat(item(otherDone, eve).get("status").asString()).isEqualTo("completed");
        assertThat(creates(bearer, eve)).isEqualTo(2);
        assertThat(creates(bearer, fay)).isEqualTo(1);
        vendors().verify(1, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlEqualTo("/api/v2/accounts/"
                + eve.replace("@", "%40"))).withHeader("Authorization", equalTo(bearer)));
        var summary = api.get("/sequencers/exports").json().get("exports");
        assertThat(summary.get(0).get("id").asString()).isEqualTo(otherExport);
        assertThat(summary.get(0).get("completed").asInt()).isEqualTo(1);
        assertThat(summary.get(0).get("failed").asInt()).isEqualTo(1);

        // Smartlead reports Dan's SMTP failing: reconnect saves him again with Smartlead's id and his current logins
        String slKey = ResponseLog.secret("sl_y_" + Long.toString(System.nanoTime(), 36) + "_cmVjb25uZWN0");
        vendors().stubFor(get(urlPathEqualTo("/api/v1/email-accounts/")).withQueryParam("api_key", equalTo(slKey))
                .willReturn(aResponse().withStatus(200).withBody("""
                        [{"id":9001,"from_email":"%s","is_smtp_success":false,"is_imap_success":true,"smtp_failure_error":"535 Auth failed",
                          "message_per_day":33,"warmup_details":{"status":"ACTIVE"}},
                         {"id":9002,"from_email":"%s","is_smtp_success":true,"is_imap_success":true}]""".formatted(dan, eve))));
        vendors().stubFor(post(urlPathEqualTo("/api/v1/email-accounts/save")).withQueryParam("api_key", equalTo(slKey))
                .willReturn(aResponse().withStatus(200).withBody("{\"ok\":true,\"message\":\"Email account updated\",\"data\":{\"id\":9001}}")));
        String sl = api.post("/sequencers", "{\"provider\":\"smartlead\",\"name\":\"SL\",\"apiKey\":\"" + slKey + "\"}").json()
                .get("connection").get("id").asString();
        var reconnected = api.post("/sequencers/" + sl + "/reconnect", "{\"mailboxes\":[\"" + dan + "\",\"" + eve + "\",\"zed@" + domain + "\"]}");
        assertThat(reconnected.status()).as(reconnected.body()).isEqualTo(200);
        assertThat(reconnected.json().get("reconnected").toString()).isEqualTo("[\"" + dan + "\"]");
        assertThat(reconnected.json().get("errors").findValues("mailbox").stream().map(JsonNode::asString).toList())
                .containsExactly("zed@" + domain);
        JsonNode danBox = null;
        for (JsonNode m : api.get("/mailboxes").json()) if (m.get("address").asString().equals(dan)) danBox = m;
        vendors().verify(1, postRequestedFor(urlPathEqualTo("/api/v1/email-accounts/save")).withQueryParam("api_key", equalTo(slKey))
                .withRequestBody(equalToJson("""
                        {"id":9001,"from_name":"Dan","from_email":"%s","user_name":"%s","password":"%s","smtp_host":"%s","smtp_port":%d,
                         "imap_host":"%s","imap_port":%d,"imap_user_name":"%s","imap_password":"%s","max_email_per_day":33,
                         "warmup_enabled":true,"total_warmup_per_day":20,"daily_rampup":2,"type":"SMTP"}""".formatted(dan,
                        danBox.get("smtp").get("username").asString(), password, danBox.get("smtp").get("host").asString(),
                        danBox.get("smtp").get("port").asInt(), danBox.get("imap").get("host").asString(), danBox.get("imap").get("port").asInt(),
                        danBox.get("imap").get("username").asString(), password), false, false)));
        assertThat(reconnected.body()).doesNotContain(slKey).doesNotContain(password);
    }

    private int creates(String bearer, String email) {
        return vendors().findAll(postRequestedFor(urlEqualTo("/api/v2/accounts")).withHeader("Authorization", equalTo(bearer))
                .withRequestBody(matchingJsonPath("$.email", equalTo(email)))).size();
    }

    private static List<String> reasons(JsonNode readiness, String mailbox) {
        for (JsonNode m : readiness.get("mailboxes")) {
            if (m.get("mailbox").asString().equals(mailbox)) return m.get("reasons").findValues("code").stream().map(JsonNode::asString).toList();
        }
        throw new AssertionError(mailbox + " not in readiness " + readiness);
    }

    private static JsonNode item(JsonNode export, String mailbox) {
        for (JsonNode i : export.get("items")) if (i.get("mailbox").asString().equals(mailbox)) return i;
        throw new AssertionError(mailbox + " not in export " + export);
    }

    private static List<String> itemStates(JsonNode export) {
        var out = new ArrayList<String>();
        for (JsonNode i : export.get("items")) {
            out.add(i.get("mailbox").asString() + " " + i.get("status").asString() + " "
                    + (i.get("reason").isNull() ? "null" : i.get("reason").asString()));
        }
        return out;
    }
}
