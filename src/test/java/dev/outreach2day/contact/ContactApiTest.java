package dev.outreach2day.contact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class ContactApiTest extends IntegrationTest {

    @Autowired
    Contacts contacts;

    static String body(Object o) {
        return Api.JSON.writeValueAsString(o);
    }

    /** A contact object; pairs of field name and value (null values are left out). */
    static Map<String, Object> contact(Object... kv) {
        var m = new LinkedHashMap<String, Object>();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] != null) m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static String add(List<?> list) {
        return body(Map.of("contacts", list));
    }

    /** All contacts of the campaign through the list endpoint, by email. */
    static Map<String, JsonNode> byEmail(Api api, String campaign) {
        var out = new LinkedHashMap<String, JsonNode>();
        var r = api.get("/campaigns/" + campaign + "/contacts?limit=200");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        r.json().get("contacts").forEach(c -> out.put(c.get("email").asString(), c));
        return out;
    }

    @Test
    void addsUpdatesAndCountsDuplicatesAndInvalidOnes() {
        var t = newTenant();
        var api = api(t);
        String campaign = TestCampaigns.create(t.workspaceId());
        String path = "/campaigns/" + campaign + "/contacts";

        var r = api.post(path, add(List.of(
                contact("email", "ada@acme.com", "firstName", "Ada", "company", "Acme",
                        "customFields", Map.of("Industry", "SaaS", "city", "London")),
                contact("email", "  Bob@ACME.com ", "firstName", "Bob"),
                contact("email", "ADA@acme.com", "firstName", "Second Ada"),          // duplicate: the first wins
                contact("email", "not-an-email"),
                contact("email", "carl@acme.com", "timezone", "Mars/Olympus_Mons"),
                contact("email", "dora@acme.com", "timezone", "europe/berlin"),
                contact("firstName", "No email"))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode out = r.json();
        assertThat(out.get("added").asInt()).isEqualTo(3);
        assertThat(out.get("updated").asInt()).isZero();
        assertThat(out.get("unchanged").asInt()).isZero();
        assertThat(out.get("duplicates").asInt()).isEqualTo(1);
        var invalid = out.get("invalid");
        assertThat(invalid.size()).isEqualTo(3);
        assertThat(invalid.get(0).get("index").asInt()).isEqualTo(3);
        assertThat(invalid.get(0).get("email").asString()).isEqualTo("not-an-email");
        assertThat(invalid.get(0).get("code").asString()).isEqualTo("INVALID_EMAIL");
        assertThat(invalid.get(1).get("email").asString()).isEqualTo("carl@acme.com");
        assertThat(invalid.get(1).get("code").asString()).isEqualTo("INVALID_TIMEZONE");
        assertThat(invalid.get(1).get("reason").asString()).contains("IANA");
        assertThat(invalid.get(2).get("code").asString()).isEqualTo("MISSING_EMAIL");

        var stored = byEmail(api, campaign);
        assertThat(stored.keySet()).containsExactly("ada@acme.com", "bob@acme.com", "dora@acme.com");
        JsonNode ada = stored.get("ada@acme.com");
        assertThat(ada.get("firstName").asString()).isEqualTo("Ada");
        assertThat(ada.get("id").asString()).startsWith("ctc_");
        assertThat(ada.get("campaignId").asString()).isEqualTo(campaign);
        assertThat(ada.get("status").asString()).isEqualTo("not_started");
        assertThat(ada.get("currentStep").asInt()).isZero();
        assertThat(ada.get("nextSendAt").isNull()).isTrue();
        assertThat(ada.get("customFields").get("Industry").asString()).isEqualTo("SaaS");
        assertThat(stored.get("dora@acme.com").get("timezone").asString()).isEqualTo("Europe/Berlin");

        // again: Ada changes (lastName, merged custom fields; keys ignore case), Bob identical, Eve new
        r = api.post(path, add(List.of(
                contact("email", "ada@acme.com", "lastName", "Lovelace", "firstName", "  ",
                        "customFields", Map.of("industry", "Fintech", "plan", "pro")),
                contact("email", "bob@acme.com", "firstName", "Bob"),
                contact("email", "eve@acme.com"))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        out = r.json();
        assertThat(out.get("added").asInt()).isEqualTo(1);
        assertThat(out.get("updated").asInt()).isEqualTo(1);
        assertThat(out.get("unchanged").asInt()).isEqualTo(1);
        assertThat(out.get("duplicates").asInt()).isZero();
        assertThat(out.get("invalid").size()).isZero();

        stored = byEmail(api, campaign);
        ada = stored.get("ada@acme.com");
        assertThat(ada.get("firstName").asString()).as("blank incoming fields do not overwrite").isEqualTo("Ada");
        assertThat(ada.get("lastName").asString()).isEqualTo("Lovelace");
        assertThat(ada.get("company").asString()).isEqualTo("Acme");
        var fields = new LinkedHashMap<String, String>();
        ada.get("customFields").properties().forEach(e -> fields.put(e.getKey(), e.getValue().asString()));
        assertThat(fields).isEqualTo(Map.of("industry", "Fintech", "city", "London", "plan", "pro"));
        assertThat(stored).hasSize(4);
    }

    @Test
    void theBatchSizeIsOneToOneThousand() {
        var t = newTenant();
        var api = api(t);
        String path = "/campaigns/" + TestCampaigns.create(t.workspaceId()) + "/contacts";

        var many = IntStream.range(0, 1001).mapToObj(i -> contact("email", "p" + i + "@bulk.example")).toList();
        var r = api.post(path, add(many));
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"contacts\"]");
        assertThat(r.json().get("detail").get(0).get("type").asString()).isEqualTo("too_long");

        r = api.post(path, add(List.of()));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"contacts\"]");
        r = api.post(path, "{}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("detail").get(0).get("type").asString()).isEqualTo("missing");
        r = api.post(path, "{\"contacts\":[{\"email\":42}]}");
        assertThat(r.status()).as("wrong JSON types are a shape error").isEqualTo(422);

        r = api.post(path, add(many.subList(0, 1000)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("added").asInt()).isEqualTo(1000);
        assertThat(contacts.countByStatus(t.workspaceId(), path.split("/")[2], null)).isEqualTo(1000);
    }

    @Test
    void customFieldsAreChecked() {
        var t = newTenant();
        var api = api(t);
        String campaign = TestCampaigns.create(t.workspaceId());
        String path = "/campaigns/" + campaign + "/contacts";
        var fifty = new LinkedHashMap<String, Object>();
        for (int i = 0; i < 50; i++) fifty.put("k" + i, "v" + i);
        var fiftyOne = new LinkedHashMap<>(fifty);
        fiftyOne.put("k50", "v");
        var caseTwins = new LinkedHashMap<String, Object>();
        caseTwins.put("Plan", "a");
        caseTwins.put("plan", "b");

        var r = api.post(path, add(List.of(
                contact("email", "ok1@x.io", "customFields", Map.of("a".repeat(64), "x".repeat(2000), "a.b-c_D9", "")),
                contact("email", "ok2@x.io", "customFields", fifty),
                contact("email", "bad1@x.io", "customFields", Map.of("bad key", "x")),
                contact("email", "bad2@x.io", "customFields", Map.of("a".repeat(65), "x")),
                contact("email", "bad3@x.io", "customFields", Map.of("k", "x".repeat(2001))),
                contact("email", "bad4@x.io", "customFields", fiftyOne),
                contact("email", "bad5@x.io", "customFields", Map.of("n", 42)),
                contact("email", "bad6@x.io", "customFields", Map.of("o", Map.of("nested", "x"))),
                contact("email", "bad7@x.io", "customFields", caseTwins),
                contact("email", "bad8@x.io", "customFields", Map.of("", "x")))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("added").asInt()).isEqualTo(2);
        var invalid = new ArrayList<String>();
        r.json().get("invalid").forEach(i -> {
            assertThat(i.get("code").asString()).isEqualTo("INVALID_CUSTOM_FIELDS");
            invalid.add(i.get("email").asString());
        });
        assertThat(invalid).containsExactly("bad1@x.io", "bad2@x.io", "bad3@x.io", "bad4@x.io", "bad5@x.io", "bad6@x.io",
                "bad7@x.io", "bad8@x.io");
        assertThat(r.json().get("invalid").get(4).get("reason").asString()).contains("must be a string");

        // merging would give ok2 a 51st key: refused; replacing a key (any case) is fine
        r = api.post(path, add(List.of(contact("email", "ok2@x.io", "customFields", Map.of("new", "x")))));
        assertThat(r.json().get("invalid").get(0).get("reason").asString()).contains("51");
        assertThat(r.json().get("updated").asInt()).isZero();
        r = api.post(path, add(List.of(contact("email", "ok2@x.io", "customFields", Map.of("K0", "changed")))));
        assertThat(r.json().get("updated").asInt()).as(r.body()).isEqualTo(1);
        var ok2 = byEmail(api, campaign).get("ok2@x.io").get("customFields");
        assertThat(ok2.size()).isEqualTo(50);
        assertThat(ok2.get("K0").asString()).isEqualTo("changed");
        assertThat(ok2.has("k0")).isFalse();
    }

    @Test
    void listsPageByCursorAndFilterByStatus() {
        var t = newTenant();
        var api = api(t);
        String campaign = TestCampaigns.create(t.workspaceId());
        String path = "/campaigns/" + campaign + "/contacts";
        var list = IntStream.range(0, 7).mapToObj(i -> contact("email", "lead" + i + "@list.example")).toList();
        assertThat(api.post(path, add(list)).json().get("added").asInt()).isEqualTo(7);
        // another campaign's contacts never show up
        String other = TestCampaigns.create(t.workspaceId());
        api.post("/campaigns/" + other + "/contacts", add(List.of(contact("email", "elsewhere@list.example"))));

        var ids = new ArrayList<String>();
        String cursor = null;
        int pages = 0;
        do {
            var r = api.get(path + "?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            r.json().get("contacts").forEach(c -> ids.add(c.get("id").asString()));
            cursor = r.json().get("next_cursor").isNull() ? null : r.json().get("next_cursor").asString();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(ids).hasSize(7).doesNotHaveDuplicates().isSorted();

        contacts.markEnrolled(t.workspaceId(), campaign, ids.subList(0, 2), java.time.Instant.parse("2030-01-01T09:00:00Z"));
        var enrolled = api.get(path + "?status=in_progress").json();
        assertThat(enrolled.get("contacts").size()).isEqualTo(2);
        assertThat(enrolled.get("contacts").get(0).get("nextSendAt").asString()).isEqualTo("2030-01-01T09:00:00Z");
        assertThat(enrolled.get("next_cursor").isNull()).isTrue();
        assertThat(api.get(path + "?status=not_started&limit=2").json().get("contacts").size()).isEqualTo(2);
        assertThat(api.get(path + "?status=replied").json().get("contacts").size()).isZero();

        var bad = api.get(path + "?status=sleeping");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"query\",\"status\"]");
        assertThat(bad.json().get("detail").get(0).get("msg").asString()).contains("not_started", "unsubscribed");

        var first = api.get(path + "?limit=3").json().get("next_cursor").asString();
        // one char of the signature changed (its first: all six bits count; the last one's low bits do not, and
        // "xx" in place of the last two left the signature as it was about once in 256 runs)
        int sig = first.indexOf('.') + 1;
        var forged = api.get(path + "?cursor=" + first.substring(0, sig) + (first.charAt(sig) == 'A' ? 'B' : 'A') + first.substring(sig + 1));
        assertThat(forged.status()).isEqualTo(422);
        assertThat(forged.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"query\",\"cursor\"]");
        var foreignList = api.get("/campaigns/" + other + "/contacts?cursor=" + first);
        assertThat(foreignList.status()).as("a cursor of another campaign's list").isEqualTo(422);
        assertThat(api.get(path + "?limit=0").status()).isEqualTo(422);
        assertThat(api.get(path + "?limit=201").status()).isEqualTo(422);
    }

    @Test
    void anotherWorkspacesCampaignIsNotFound() {
        var a = newTenant();
        var b = newTenant();
        String campaignOfA = TestCampaigns.create(a.workspaceId());
        api(a).post("/campaigns/" + campaignOfA + "/contacts", add(List.of(contact("email", "secret@a.example"))));
        var apiB = api(b);
        for (var r : List.of(
                apiB.post("/campaigns/" + campaignOfA + "/contacts", add(List.of(contact("email", "x@b.example")))),
                apiB.get("/campaigns/" + campaignOfA + "/contacts"),
                apiB.get("/campaigns/" + campaignOfA + "/contacts/changes"),
                api(a).get("/campaigns/cmp_unknown/contacts"))) {
            assertThat(r.status()).as(r.body()).isEqualTo(404);
            assertThat(r.json().get("code").asString()).isEqualTo("NOT_FOUND");
            assertThat(r.body()).doesNotContain("secret@a.example");
        }
        var r = apiB.get("/campaigns/" + campaignOfA + "/contacts?workspaceId=" + a.workspaceId());
        assertThat(r.status()).isEqualTo(403);
        assertThat(contacts.countByStatus(a.workspaceId(), campaignOfA, null)).isEqualTo(1);
        assertThat(contacts.countByStatus(b.workspaceId(), campaignOfA, null)).isZero();
        assertThat(new HashSet<>(byEmail(api(a), campaignOfA).keySet())).containsExactly("secret@a.example");
    }
}
