package dev.outreach2day;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api.Resp;
import dev.outreach2day.workspace.TestTenants.Tenant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Workspace isolation, route by route: a key of workspace B (another account) aimed at workspace
 * A's objects gets 404, and at A's {@code workspaceId} gets 403, and list routes never show A's
 * rows. Every authenticated route must have a probe here: a new route without one fails the
 * coverage check, so later capabilities add their probes (and fixture objects) as they add routes.
 */
class CrossWorkspaceTest extends IntegrationTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mapping;

    @Autowired
    dev.outreach2day.unibox.Unibox unibox;

    /** Workspace A's objects, by the placeholder names probes use. */
    record Fixture(Tenant a, Tenant b, Map<String, String> vars) {
        String fill(String template) {
            String out = template;
            for (var e : vars.entrySet()) out = out.replace("{" + e.getKey() + "}", e.getValue());
            return out;
        }
    }

    /** One request B makes against A, and what must hold of the answer. */
    record Probe(String method, String route, String path, String body, BiConsumer<Resp, Fixture> check) {}

    static Probe probe(String method, String route, String path, String body, BiConsumer<Resp, Fixture> check) {
        return new Probe(method, route, path, body, check);
    }

    static Probe probe(String method, String route, String body, BiConsumer<Resp, Fixture> check) {
        return new Probe(method, route, route, body, check);
    }

    static BiConsumer<Resp, Fixture> status(int expected) {
        return (r, f) -> assertThat(r.status()).as(r.body()).isEqualTo(expected);
    }

    /** 200 and nothing of A's in the body. */
    static BiConsumer<Resp, Fixture> okWithout(String... placeholders) {
        return (r, f) -> {
            assertThat(r.status()).as(r.body()).isBetween(200, 201);
            for (String p : placeholders) assertThat(r.body()).doesNotContain(f.vars().get(p));
        };
    }

    static final String CONTACT = """
            {"firstName":"Eve","lastName":"B","email":"eve@example.org","phone":"+1.5555550100","address1":"1 St",
             "city":"X","stateProvince":"Y","postalCode":"1","country":"US"}""".replace("\n", "");

    /** Add probes here as routes are added; placeholders come from {@link #fixture()}. */
    static final List<Probe> PROBES = List.of(
            // workspaces: path workspace id of A → 403; lists show only B's
            probe("GET", "/workspaces", null, (r, f) -> {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.json().findValues("workspace_id").stream().map(n -> n.asLong()).toList())
                        .doesNotContain(f.a().workspaceId());
            }),
            probe("POST", "/workspaces", "{\"project_name\":\"b-only\"}", (r, f) -> {
                assertThat(r.status()).isEqualTo(201);
                assertThat(r.json().get("workspace_id").asLong()).isNotEqualTo(f.a().workspaceId());
            }),
            probe("GET", "/workspaces/{workspace_id}", null, status(403)),
            probe("POST", "/workspaces/{workspace_id}/upgrade", "{\"new_max_mailboxes\":5}", status(403)),
            probe("GET", "/workspaces/{workspace_id}/payment_method", null, status(403)),
            probe("POST", "/workspaces/{workspace_id}/setup_payment_method", null, status(403)),
            // API keys: workspace_id of A → 403; A's key → 404; B's list never shows A's keys
            probe("GET", "/api-keys", "/api-keys?workspace_id={workspace_id}", null, status(403)),
            probe("GET", "/api-keys", null, okWithout("api_key_id")),
            probe("POST", "/api-keys", "/api-keys?workspace_id={workspace_id}", "{}", status(403)),
            probe("DELETE", "/api-keys/{api_key}", "/api-keys/{api_key_id}", null, status(404)),
            probe("DELETE", "/api-keys/{api_key}", "/api-keys/{api_key_secret}", null, status(404)),
            // domains: A's names and orders are invisible; a workspaceId of A is 403
            probe("GET", "/domains", null, okWithout("domain")),
            probe("GET", "/domains", "/domains?workspaceId={workspace_id}", null, status(403)),
            probe("POST", "/domains", "{\"domains\":[\"{domain}\"]}", status(409)),
            probe("POST", "/domains/check", "{\"domains\":[\"{domain}\"]}", (r, f) -> {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.json().get("results").get(0).get("status").asString()).isEqualTo("taken");
            }),
            probe("POST", "/domains/purchase", "/domains/purchase?workspaceId={workspace_id}", "{}", status(403)),
            probe("POST", "/domains/purchase", "{\"domains\":[\"{domain}\"],\"contactInfo\":" + CONTACT + "}", status(402)),
            probe("GET", "/domains/orders/{order_id}", null, status(404)),
            probe("PATCH", "/domains/redirects", "{\"domains\":[\"{domain}\"],\"redirectDomain\":\"evil.example\"}", status(404)),
            probe("GET", "/domains/{domain}/dns-records", null, status(404)),
            probe("POST", "/domains/{domain}/dns-records", "{\"records\":[{\"type\":\"TXT\",\"name\":\"@\",\"value\":\"x\"}]}", status(404)),
            probe("POST", "/domains/{domain}/verify", null, status(404)),
            probe("POST", "/domains/cloudflare-transfer", "{\"domains\":[\"{domain}\"],\"authCodes\":{\"{domain}\":\"abcdefgh\"}}", status(404)),
            probe("POST", "/domains/transfer/cloudflare", "{\"domains\":[\"{domain}\"],\"authCodes\":{\"{domain}\":\"abcdefgh\"}}", status(404)),
            probe("GET", "/domains/cloudflare-transfer/status", null, okWithout("domain")),
            probe("GET", "/domains/transfer/cloudflare/status", null, okWithout("domain")),
            // mailboxes: A's addresses cannot be listed, updated, deleted or re-created on A's domain
            probe("GET", "/mailboxes", null, okWithout("mailbox")),
            probe("GET", "/mailboxes", "/mailboxes?workspaceId={workspace_id}", null, status(403)),
            probe("POST", "/mailboxes", "{\"mailboxes\":[{\"address\":\"other@{domain}\",\"firstName\":\"E\"}]}", (r, f) -> {
                assertThat(r.status()).isEqualTo(422);
                assertThat(r.json().get("detail").get(0).get("type").asString()).isEqualTo("DOMAIN_NOT_IN_WORKSPACE");
            }),
            probe("POST", "/mailboxes/update", "{\"mailboxes\":[\"{mailbox}\"],\"firstName\":\"Eve\"}", status(404)),
            probe("DELETE", "/mailboxes", "{\"mailboxes\":[\"{mailbox}\"],\"force\":true}", status(404)),
            // campaign contacts: A's campaign (and its contact) is not found for B; A's workspaceId is 403
            probe("POST", "/campaigns/{campaign_id}/contacts", "/campaigns/{contact_campaign_id}/contacts",
                    "{\"contacts\":[{\"email\":\"intruder@b.example\"}]}", status(404)),
            probe("GET", "/campaigns/{campaign_id}/contacts", "/campaigns/{contact_campaign_id}/contacts", null, status(404)),
            probe("GET", "/campaigns/{campaign_id}/contacts",
                    "/campaigns/{contact_campaign_id}/contacts?workspaceId={workspace_id}", null, status(403)),
            probe("GET", "/campaigns/{campaign_id}/contacts/changes", "/campaigns/{contact_campaign_id}/contacts/changes", null,
                    status(404)),
            // campaigns: every route on A's campaign (its steps, mailboxes, launch job) is a 404 for B
            probe("GET", "/campaigns", null, okWithout("campaign_id")),
            probe("GET", "/campaigns", "/campaigns?workspaceId={workspace_id}", null, status(403)),
            probe("POST", "/campaigns", "{\"name\":\"b\"}", status(201)),
            probe("GET", "/campaigns/lifecycle", null, status(200)),
            probe("GET", "/campaigns/capabilities", "/campaigns/capabilities?workspaceId={workspace_id}", null, status(403)),
            probe("GET", "/campaigns/{campaign_id}", null, status(404)),
            probe("PATCH", "/campaigns/{campaign_id}", "{\"name\":\"mine now\"}", status(404)),
            probe("DELETE", "/campaigns/{campaign_id}", null, status(404)),
            probe("PUT", "/campaigns/{campaign_id}/schedule", "{\"timezone\":\"UTC\",\"windows\":[{\"days\":[\"mon\"],\"start\":\"09:00\",\"end\":\"10:00\"}]}", status(404)),
            probe("PUT", "/campaigns/{campaign_id}/stop-rules", "{}", status(404)),
            probe("POST", "/campaigns/{campaign_id}/lifecycle", "{\"action\":\"pause\"}", status(404)),
            probe("GET", "/campaigns/{campaign_id}/steps", null, status(404)),
            probe("POST", "/campaigns/{campaign_id}/steps", "{\"subject\":\"x\",\"bodyHtml\":\"x\"}", status(404)),
            probe("PATCH", "/campaigns/{campaign_id}/steps/{step_id}", "{\"subject\":\"x\"}", status(404)),
            probe("DELETE", "/campaigns/{campaign_id}/steps/{step_id}", null, status(404)),
            probe("POST", "/campaigns/steps/preview", "{\"subject\":\"x\",\"mailbox\":\"{mailbox}\"}", status(422)),
            probe("GET", "/campaigns/{campaign_id}/mailboxes", null, status(404)),
            probe("POST", "/campaigns/{campaign_id}/mailboxes", "{\"mailboxes\":[\"{mailbox}\"]}", (r, f) -> assertThat(r.status()).isIn(404, 422)),
            probe("PATCH", "/campaigns/{campaign_id}/mailboxes/{mailbox_id}", "{\"paused\":true}", status(404)),
            probe("DELETE", "/campaigns/{campaign_id}/mailboxes/{mailbox_id}", null, status(404)),
            probe("GET", "/campaigns/{campaign_id}/preflight", null, status(404)),
            probe("GET", "/campaigns/{campaign_id}/preflight/mailbox-auth", null, status(404)),
            probe("POST", "/campaigns/{campaign_id}/launch", "{\"confirm\":true}", status(404)),
            probe("GET", "/campaigns/{campaign_id}/launch-jobs/{job_id}", null, status(404)),
            probe("GET", "/campaigns/{campaign_id}/stats", null, status(404)),
            probe("GET", "/campaigns/{campaign_id}/sends", null, status(404)),
            probe("GET", "/campaigns/{campaign_id}/sends", "/campaigns/{campaign_id}/sends?workspaceId={workspace_id}", null, status(403)),
            probe("POST", "/campaigns/{campaign_id}/duplicate", "{\"copyContacts\":true}", status(404)),
            probe("POST", "/campaigns/{campaign_id}/duplicate", "/campaigns/{campaign_id}/duplicate?workspaceId={workspace_id}", "{}",
                    status(403)),
            probe("GET", "/campaigns/{campaign_id}/share", null, status(404)),
            probe("GET", "/campaigns/{campaign_id}/share", "/campaigns/{campaign_id}/share?workspaceId={workspace_id}", null, status(403)),
            probe("GET", "/campaigns/{campaign_id}/export", "/campaigns/{campaign_id}/export?format=csv", null, status(404)),
            probe("GET", "/campaigns/{campaign_id}/export", "/campaigns/{contact_campaign_id}/export?format=csv", null, status(404)),
            probe("GET", "/campaigns/{campaign_id}/export", "/campaigns/{campaign_id}/export?workspaceId={workspace_id}", null, status(403)),
            // imports: A's import job is not found for B; uploads to A's campaign are refused
            probe("POST", "/campaigns/{campaign_id}/contacts/import", "/campaigns/{campaign_id}/contacts/import?workspaceId={workspace_id}",
                    "{}", (r, f) -> assertThat(r.status()).isIn(403, 415)),
            probe("POST", "/imports", "/imports?workspaceId={workspace_id}", "{}", (r, f) -> assertThat(r.status()).isIn(403, 415)),
            probe("POST", "/imports/v3/submit", "/imports/v3/submit?workspaceId={workspace_id}", "{}", (r, f) -> assertThat(r.status()).isIn(403, 415)),
            probe("GET", "/imports/{import_id}", null, status(404)),
            probe("GET", "/campaigns/{campaign_id}/imports/{import_id}", null, status(404)),
            probe("GET", "/imports/{import_id}/mapping-preview", null, status(404)),
            probe("POST", "/imports/{import_id}/mapping/confirm", "{\"mapping\":{\"email\":\"email\"}}", status(404)),
            probe("POST", "/imports/{import_id}/dead-letters/replay", "{}", status(404)),
            probe("POST", "/imports/{import_id}/cancel", null, status(404)),
            probe("GET", "/imports/{import_id}/runbook", null, status(404)),
            // unibox: A's thread is not found for B; B's lists never show it; A's workspaceId is 403
            probe("GET", "/threads", null, okWithout("thread_id")),
            probe("GET", "/threads", "/threads?workspaceId={workspace_id}", null, status(403)),
            probe("GET", "/threads/capabilities", "/threads/capabilities?workspaceId={workspace_id}", null, status(403)),
            probe("GET", "/threads/debug", null, okWithout("mailbox")),
            probe("GET", "/threads/{thread_id}/messages", null, status(404)),
            probe("PATCH", "/threads/{thread_id}/reply-intent", "{\"replyIntent\":\"interested\"}", status(404)),
            // sending from A's mailbox or into A's thread: B cannot
            probe("POST", "/threads/{thread_id}/reply", "{\"bodyText\":\"x\",\"fromMailboxAddress\":\"{mailbox}\"}",
                    (r, f) -> assertThat(r.status()).isIn(404, 422)),
            probe("POST", "/threads/{thread_id}/forward", "{\"toAddress\":\"x@b.example\",\"fromMailboxAddress\":\"{mailbox}\"}",
                    (r, f) -> assertThat(r.status()).isIn(404, 422)),
            probe("POST", "/threads/new", "{\"toAddress\":\"x@b.example\",\"subject\":\"x\",\"bodyText\":\"x\","
                    + "\"fromMailboxAddress\":\"{mailbox}\"}", status(422)),
            probe("GET", "/threads/outbound-operations/{operation_id}", null, status(404)),
            // suppression: B never sees or deletes A's entries, and A's address is not suppressed for B
            probe("GET", "/campaigns/suppressions", null, okWithout("suppressed_email")),
            probe("GET", "/campaigns/suppressions", "/campaigns/suppressions?workspaceId={workspace_id}", null, status(403)),
            probe("POST", "/campaigns/suppressions", "{\"entries\":[{\"value\":\"x@b.example\",\"campaignId\":\"{campaign_id}\"}]}",
                    status(422)),
            probe("DELETE", "/campaigns/suppressions/{entry_id}", null, status(404)),
            probe("GET", "/campaigns/suppressions/status", "/campaigns/suppressions/status?email={suppressed_email}", null,
                    (r, f) -> {
                        assertThat(r.status()).isEqualTo(200);
                        assertThat(r.json().get("status").get("suppressed").asBoolean()).isFalse();
                    }),
            // webhooks: A's subscription, its deliveries and A's events are 404 for B; B's lists never show them
            probe("GET", "/campaigns/webhooks/event-types", "/campaigns/webhooks/event-types?workspaceId={workspace_id}", null, status(403)),
            probe("GET", "/campaigns/webhooks/subscriptions", null, okWithout("subscription_id")),
            probe("POST", "/campaigns/webhooks/subscriptions", "{\"url\":\"http://127.0.0.1:9/x\",\"eventTypes\":[\"email_sent\"],"
                    + "\"campaignIds\":[\"{campaign_id}\"]}", status(422)),
            probe("GET", "/campaigns/webhooks/subscriptions/{subscription_id}", null, status(404)),
            probe("PATCH", "/campaigns/webhooks/subscriptions/{subscription_id}", "{\"description\":\"mine\"}", status(404)),
            probe("DELETE", "/campaigns/webhooks/subscriptions/{subscription_id}", null, status(404)),
            probe("POST", "/campaigns/webhooks/subscriptions/{subscription_id}/pause", null, status(404)),
            probe("POST", "/campaigns/webhooks/subscriptions/{subscription_id}/resume", null, status(404)),
            probe("POST", "/campaigns/webhooks/subscriptions/{subscription_id}/rotate-secret", null, status(404)),
            probe("POST", "/campaigns/webhooks/subscriptions/{subscription_id}/test", null, status(404)),
            probe("GET", "/campaigns/webhooks/subscriptions/{subscription_id}/deliveries", null, status(404)),
            probe("GET", "/campaigns/webhooks/events", null, okWithout("event_id")),
            probe("GET", "/campaigns/webhooks/events/{event_id}", null, status(404)),
            probe("GET", "/campaigns/webhooks/summary", null, okWithout("subscription_id")),
            probe("POST", "/campaigns/webhooks/deliveries/requeue", "{\"subscriptionId\":\"{subscription_id}\"}", status(404)),
            probe("POST", "/campaigns/webhooks/deliveries/{delivery_id}/requeue", null, status(404)),
            probe("POST", "/campaigns/webhooks/dispatch", "/campaigns/webhooks/dispatch?workspaceId={workspace_id}", null, status(403)),
            // reply outcomes: A's campaign and contact are 404 for B
            probe("POST", "/campaigns/{campaign_id}/replies/classify", "{\"contactEmail\":\"lead@a.example\",\"text\":\"Yes please\"}",
                    status(404)),
            probe("GET", "/campaigns/{campaign_id}/outcomes", null, status(404)),
            probe("POST", "/campaigns/{campaign_id}/contacts/{contact_id}/outcome", "{\"replyIntent\":\"interested\"}", status(404)),
            // warmup: A's mailboxes are unknown to B (rejected per item), A's operation and stats are 404, B's list never shows them
            probe("POST", "/warmup/operations", "{\"action\":\"disable\",\"mailboxes\":[\"{mailbox}\",\"{mailbox_id}\"]}", (r, f) -> {
                assertThat(r.status()).as(r.body()).isEqualTo(201);
                assertThat(r.json().findValues("code").stream().map(n -> n.asString()).distinct().toList()).containsExactly("MAILBOX_NOT_FOUND");
            }),
            probe("POST", "/warmup/operations", "/warmup/operations?workspaceId={workspace_id}", "{\"action\":\"enable\",\"mailboxes\":[\"x@b.example\"]}",
                    status(403)),
            probe("GET", "/warmup/operations/{operation_id}", "/warmup/operations/{warmup_operation_id}", null, status(404)),
            probe("GET", "/warmup/mailboxes", null, okWithout("mailbox", "mailbox_id")),
            probe("GET", "/warmup/mailboxes/{mailbox_id}/stats", null, status(404)),
            // subsequences: A's campaign and its subsequence are 404 for B
            probe("GET", "/campaigns/{campaign_id}/subsequences", null, status(404)),
            probe("POST", "/campaigns/{campaign_id}/subsequences", "{\"name\":\"x\",\"trigger\":{\"replyIntents\":[\"neutral\"]},"
                    + "\"steps\":[{\"bodyHtml\":\"<p>x</p>\"}]}", status(404)),
            probe("GET", "/campaigns/{campaign_id}/subsequences/{subsequence_id}", null, status(404)),
            probe("PATCH", "/campaigns/{campaign_id}/subsequences/{subsequence_id}", "{\"name\":\"mine\"}", status(404)),
            probe("DELETE", "/campaigns/{campaign_id}/subsequences/{subsequence_id}", null, status(404)),
            probe("POST", "/campaigns/{campaign_id}/subsequences/{subsequence_id}/sync", "{}", status(404)),
            probe("GET", "/campaigns/{campaign_id}/subsequences/routing", null, status(404)),
            probe("PATCH", "/campaigns/{campaign_id}/subsequences/routing", "{\"routes\":{\"interested\":\"{subsequence_id}\"}}",
                    status(404)),
            // sequencers: A's connection and export are 404 for B; B's lists never show them; A's workspaceId is 403
            probe("GET", "/sequencers/providers", "/sequencers/providers?workspaceId={workspace_id}", null, status(403)),
            probe("GET", "/sequencers", null, okWithout("connection_id")),
            probe("GET", "/sequencers", "/sequencers?workspaceId={workspace_id}", null, status(403)),
            probe("POST", "/sequencers", "/sequencers?workspaceId={workspace_id}", "{\"provider\":\"instantly\",\"name\":\"x\",\"apiKey\":\"k\"}",
                    status(403)),
            probe("POST", "/sequencers/validate", "/sequencers/validate?workspaceId={workspace_id}",
                    "{\"provider\":\"instantly\",\"apiKey\":\"k\"}", status(403)),
            probe("PATCH", "/sequencers/{connection_id}", "{\"name\":\"mine now\"}", status(404)),
            probe("DELETE", "/sequencers/{connection_id}", null, status(404)),
            probe("GET", "/sequencers/{connection_id}/readiness", null, status(404)),
            probe("POST", "/sequencers/{connection_id}/export", "{\"mailboxes\":[\"{mailbox}\"],\"confirm\":true}", status(404)),
            probe("POST", "/sequencers/{connection_id}/reconnect", "{}", status(404)),
            probe("GET", "/sequencers/exports", null, okWithout("export_id", "connection_id")),
            probe("GET", "/sequencers/exports/{export_id}", null, status(404)));



    Fixture fixture() {
        Tenant a = newTenant();
        Tenant b = newTenant();
        var vars = new HashMap<String, String>();
        vars.put("workspace_id", Long.toString(a.workspaceId()));
        vars.put("api_key_id", a.apiKeyId());
        vars.put("api_key_secret", a.apiKey());
        // A holds a bought domain (so it has an order, records and a transfer-able name)
        Api apiA = api(a);
        String setup = apiA.post("/workspaces/" + a.workspaceId() + "/setup_payment_method", null).json().get("setup_url").asString();
        anonymous().send("POST", setup.replaceFirst("^https?://[^/]+", ""), "", "application/x-www-form-urlencoded");
        String domain = "a-only-" + Long.toString(System.nanoTime(), 36) + ".com";
        var order = apiA.post("/domains/purchase", "{\"domains\":[\"" + domain + "\"],\"contactInfo\":" + CONTACT + "}");
        assertThat(order.status()).as(order.body()).isEqualTo(200);
        vars.put("domain", domain);
        vars.put("order_id", order.json().get("orderId").asString());
        var mailbox = apiA.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"owner@" + domain + "\",\"firstName\":\"A\"}]}");
        assertThat(mailbox.status()).as(mailbox.body()).isEqualTo(201);
        vars.put("mailbox", "owner@" + domain);
        // A's campaign with one contact (registered with the test campaign directory)
        String contactCampaign = dev.outreach2day.contact.TestCampaigns.create(a.workspaceId());
        var contact = apiA.post("/campaigns/" + contactCampaign + "/contacts", "{\"contacts\":[{\"email\":\"lead@a.example\"}]}");
        assertThat(contact.status()).as(contact.body()).isEqualTo(200);
        vars.put("contact_campaign_id", contactCampaign);
        // A's real, launched campaign: a step, its mailbox, a contact, a launch job
        String campaign = apiA.post("/campaigns", "{\"name\":\"A only\"}").json().get("id").asString();
        String step = apiA.post("/campaigns/" + campaign + "/steps", "{\"subject\":\"Hi\",\"bodyHtml\":\"Hi {{unsubscribeUrl}}\"}")
                .json().get("id").asString();
        var attached = apiA.post("/campaigns/" + campaign + "/mailboxes", "{\"mailboxes\":[\"owner@" + domain + "\"]}");
        assertThat(attached.status()).as(attached.body()).isEqualTo(200);
        apiA.post("/campaigns/" + campaign + "/contacts", "{\"contacts\":[{\"email\":\"lead@a.example\"}]}");
        var launched = apiA.post("/campaigns/" + campaign + "/launch", "{\"confirm\":true}");
        assertThat(launched.status()).as(launched.body()).isEqualTo(200);
        vars.put("campaign_id", campaign);
        vars.put("contact_id", apiA.get("/campaigns/" + campaign + "/contacts").json().get("contacts").get(0).get("id").asString());
        vars.put("step_id", step);
        vars.put("mailbox_id", attached.json().get(0).get("mailboxId").asString());
        vars.put("job_id", launched.json().get("jobId").asString());
        var subsequence = apiA.post("/campaigns/" + campaign + "/subsequences", "{\"name\":\"A\",\"trigger\":{\"replyIntents\":"
                + "[\"interested\"]},\"steps\":[{\"bodyHtml\":\"<p>Thanks</p>\"}]}");
        assertThat(subsequence.status()).as(subsequence.body()).isEqualTo(201);
        vars.put("subsequence_id", subsequence.json().get("subsequence").get("id").asString());
        var warmup = apiA.post("/warmup/operations", "{\"action\":\"enable\",\"mailboxes\":[\"owner@" + domain + "\"]}");
        assertThat(warmup.status()).as(warmup.body()).isEqualTo(201);
        vars.put("warmup_operation_id", warmup.json().get("id").asString());
        vars.put("import_id", uploadImport(a, campaign));
        // A's Unibox thread: a message stored in A's mailbox
        var ingested = unibox.ingest(a.workspaceId(), vars.get("mailbox_id"), "owner@" + domain, "inbox",
                new dev.outreach2day.unibox.InboundMessage("<x1@lead.a.example>", null, List.of(), "Hello", "lead@a.example", "Lead",
                        List.of("owner@" + domain), List.of(), java.time.Instant.now(), "Hello there", null, List.of(), Map.of(), null,
                        false, false));
        vars.put("thread_id", ingested.threadId());
        var queued = new Api(baseUrl(), a.apiKey()).post("/threads/new", "{\"toAddress\":\"lead@a.example\",\"subject\":\"Hi\","
                + "\"bodyText\":\"Hello\",\"fromMailboxAddress\":\"owner@" + domain + "\"}");
        assertThat(queued.status()).as(queued.body()).isEqualTo(202);
        vars.put("operation_id", queued.json().get("operation_id").asString());
        String suppressed = "blocked." + Long.toString(System.nanoTime(), 36) + "@a.example";
        var entry = new Api(baseUrl(), a.apiKey()).post("/campaigns/suppressions", "{\"entries\":[{\"value\":\"" + suppressed + "\"}]}");
        assertThat(entry.status()).as(entry.body()).isEqualTo(200);
        vars.put("suppressed_email", suppressed);
        var apiA2 = new Api(baseUrl(), a.apiKey());
        var hook = apiA2.post("/campaigns/webhooks/subscriptions", "{\"url\":\"http://127.0.0.1:9/a\",\"eventTypes\":[\"email_sent\"]}");
        assertThat(hook.status()).as(hook.body()).isEqualTo(201);
        String subscription = hook.json().get("subscription").get("id").asString();
        vars.put("subscription_id", subscription);
        vars.put("event_id", apiA2.post("/campaigns/webhooks/subscriptions/" + subscription + "/test", null).json().get("eventId").asString());
        vars.put("delivery_id", apiA2.get("/campaigns/webhooks/subscriptions/" + subscription + "/deliveries").json().get("deliveries").get(0)
                .get("id").asString());
        vars.put("entry_id", new Api(baseUrl(), a.apiKey()).get("/campaigns/suppressions?q=" + suppressed).json()
                .get("suppressions").get(0).get("id").asString());
        // A's sequencer connection (its key accepted by the stand-in Instantly) and an export to it
        String sequencerKey = ResponseLog.secret("cross-" + Long.toString(System.nanoTime(), 36) + "-instantly-key");
        SequencerApis.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/api/v2/workspaces/current")
                .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer " + sequencerKey))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson("{\"id\":\"w1\",\"name\":\"A outbound\"}")));
        var sequencer = apiA2.post("/sequencers", "{\"provider\":\"instantly\",\"name\":\"A\",\"apiKey\":\"" + sequencerKey + "\"}");
        assertThat(sequencer.status()).as(sequencer.body()).isEqualTo(201);
        vars.put("connection_id", sequencer.json().get("connection").get("id").asString());
        var export = apiA2.post("/sequencers/" + vars.get("connection_id") + "/export",
                "{\"mailboxes\":[\"owner@" + domain + "\"],\"confirm\":true}");
        assertThat(export.status()).as(export.body()).isEqualTo(202);
        vars.put("export_id", export.json().get("id").asString());
        return new Fixture(a, b, vars);
    }

    /** A's import job, uploaded as multipart like curl -F. */
    private String uploadImport(Tenant a, String campaign) {
        String boundary = "----cross";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\nemail\r\nlead@a.example\r\n--" + boundary + "--\r\n";
        var r = new Api(baseUrl(), a.apiKey()).send("POST", "/campaigns/" + campaign + "/contacts/import", body,
                "multipart/form-data; boundary=" + boundary);
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        return r.json().get("importId").asString();
    }

    @Test
    void aKeyOfWorkspaceBNeverReachesWorkspaceA() {
        Fixture f = fixture();
        Api b = api(f.b());
        for (Probe p : PROBES) {
            String path = f.fill(p.path());
            Resp r = b.send(p.method(), path, p.body() == null ? null : f.fill(p.body()), p.body() == null ? null : "application/json");
            try {
                p.check().accept(r, f);
            } catch (AssertionError e) {
                throw new AssertionError(p.method() + " " + path + ": " + e.getMessage(), e);
            }
        }
        // and A's objects are untouched: its key still works and is still listed, its domain unchanged
        assertThat(api(f.a()).get("/api-keys").body()).contains(f.a().apiKeyId());
        var mailboxOfA = api(f.a()).get("/mailboxes").json().get(0);
        assertThat(mailboxOfA.get("firstName").asString()).isEqualTo("A");
        var campaignOfA = api(f.a()).get("/campaigns/" + f.vars().get("campaign_id")).json();
        assertThat(campaignOfA.get("name").asString()).isEqualTo("A only");
        assertThat(campaignOfA.get("status").asString()).isEqualTo("active");
        assertThat(api(f.a()).get("/campaigns/" + f.vars().get("campaign_id") + "/steps").json().size()).isEqualTo(1);
        // B's duplicate attempts copied nothing into either workspace
        assertThat(api(f.b()).get("/campaigns").body()).doesNotContain("A only");
        assertThat(api(f.a()).get("/campaigns").body()).doesNotContain("(copy)");
        var domainOfA = api(f.a()).get("/domains").json().get(0);
        assertThat(domainOfA.get("redirect_domain").isNull()).isTrue();
        assertThat(api(f.a()).get("/domains/" + f.vars().get("domain") + "/dns-records").body()).doesNotContain("\"x\"");
        assertThat(api(f.a()).get("/sequencers").body()).contains(f.vars().get("connection_id")).contains("\"name\":\"A\"");
    }

    @Test
    void everyAuthenticatedRouteHasAProbe() {
        Set<String> probed = new TreeSet<>();
        for (Probe p : PROBES) probed.add(p.method() + " " + p.route());
        var missing = new ArrayList<String>();
        for (var r : RouteTableTest.routes(mapping)) {
            if (r.access().equals("public")) continue;
            if (!probed.contains(r.method() + " " + r.path())) missing.add(r.method() + " " + r.path());
        }
        assertThat(missing).as("routes without a cross-workspace probe").isEmpty();
    }
}
