package dev.outreach2day.campaign;

import static dev.outreach2day.campaign.CampaignFixtures.createCampaign;
import static dev.outreach2day.campaign.CampaignFixtures.mailboxes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.workspace.TestTenants.Tenant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** POST /campaigns/{id}/duplicate: a draft copy with the same sequence and settings, mailboxes and contacts only when asked. */
class CampaignDuplicateTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    Tenant tenant;
    Api api;

    @BeforeEach
    void setUp() {
        tenant = newTenant();
        api = api(tenant);
    }

    private static final String STEP1 = """
            {"subject":"Quick question, {{firstName}}","bodyHtml":"<p>Hi {{firstName}}</p>{{unsubscribeUrl}}","bodyText":"Hi {{firstName}}",
             "variants":[{"subject":"A {{firstName}}","bodyHtml":"<p>A</p>{{unsubscribeUrl}}","weight":70},
                         {"subject":"B {{firstName}}","bodyHtml":"<p>B</p>{{unsubscribeUrl}}","bodyText":"B","weight":30}]}""";

    /** A campaign with everything set: 2 steps (3 variants), schedule, stop rules, tracking, 2 mailboxes, 3 contacts. */
    private String fullCampaign(List<String> boxes) {
        String id = createCampaign(api, "Q1 Outreach");
        assertThat(api.post("/campaigns/" + id + "/steps", STEP1).status()).isEqualTo(201);
        assertThat(api.post("/campaigns/" + id + "/steps", """
                {"subject":"","bodyHtml":"<p>Following up</p>{{unsubscribeUrl}}","delayDays":3,
                 "variants":[{"subject":"","bodyHtml":"<p>F</p>{{unsubscribeUrl}}","weight":1}]}""").status()).isEqualTo(201);
        assertThat(api.put("/campaigns/" + id + "/schedule", """
                {"timezone":"Europe/Berlin","windows":[{"days":["mon","wed"],"start":"08:30","end":"11:00"},{"days":["fri"],"start":"13:00","end":"15:00"}],
                 "startDate":"2030-01-01","useContactTimezone":true,"minGapSeconds":120,"maxGapSeconds":600,"dailyLimit":40,"maxNewContactsPerDay":15}""")
                .status()).isEqualTo(200);
        assertThat(api.put("/campaigns/" + id + "/stop-rules", """
                {"stopOnReply":true,"stopOnAutoReply":true,"stopOnBounce":false,"stopOnUnsubscribe":true,"stopCompanyOnReply":true,"pauseOnBounceRate":0.05}""")
                .status()).isEqualTo(200);
        var patched = api.patch("/campaigns/" + id, "{\"textOnly\":true,\"trackOpens\":true,\"trackClicks\":true,\"priority\":\"LOW\"}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        // attached in reverse creation order, so the copy must keep the attach order, not the id order
        assertThat(api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"" + boxes.get(1) + "\"],\"dailyLimit\":25,\"weight\":2.5}")
                .status()).isEqualTo(200);
        assertThat(api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"" + boxes.get(0) + "\"]}").status()).isEqualTo(200);
        String box1 = api.get("/campaigns/" + id + "/mailboxes").json().get(1).get("mailboxId").asString();
        assertThat(api.patch("/campaigns/" + id + "/mailboxes/" + box1, "{\"paused\":true}").status()).isEqualTo(200);
        var sub1 = api.post("/campaigns/" + id + "/subsequences", """
                {"name":"Interested","trigger":{"replyIntents":["interested"]},
                 "steps":[{"subject":"","bodyHtml":"<p>Calendar</p>","delayHours":1,
                           "variants":[{"subject":"","bodyHtml":"<p>V1</p>","weight":2},{"subject":"","bodyHtml":"<p>V2</p>","weight":1}]},
                          {"subject":"","bodyHtml":"<p>Nudge</p>","delayDays":1}]}""");
        assertThat(sub1.status()).as(sub1.body()).isEqualTo(201);
        var sub2 = api.post("/campaigns/" + id + "/subsequences", """
                {"name":"No reply","trigger":{"noReplyAfterStep":2,"waitDays":4},"steps":[{"subject":"Other angle","bodyHtml":"<p>x</p>"}]}""");
        assertThat(sub2.status()).as(sub2.body()).isEqualTo(201);
        var added = api.post("/campaigns/" + id + "/contacts", """
                {"contacts":[{"email":"ann@acme.example","firstName":"Ann","lastName":"Lee","company":"Acme","title":"CTO","phone":"+1 555 0100",
                              "timezone":"America/New_York","customFields":{"Industry":"SaaS","Seats":"40"}},
                             {"email":"bob@beta.example","firstName":"Bob","customFields":{"industry":"Retail"}},
                             {"email":"cy@gamma.example"}]}""");
        assertThat(added.status()).as(added.body()).isEqualTo(200);
        return id;
    }

    @Test
    void aDuplicateCopiesSequenceSettingsAndMailboxesButNotContactsByDefault() {
        var boxes = mailboxes(api, anonymous(), tenant.workspaceId(), 2);
        String src = fullCampaign(boxes);
        // the source has a reply intent on a contact: it must not travel
        String ann = contactIds(src).getFirst();
        jdbc.sql("UPDATE campaign_contacts SET reply_intent = 'interested', status = 'replied', current_step = 2 WHERE id = :id")
                .param("id", ann).update();
        JsonNode before = api.get("/campaigns/" + src).json();
        String stepsBefore = api.get("/campaigns/" + src + "/steps").body();
        String mailboxesBefore = api.get("/campaigns/" + src + "/mailboxes").body();

        var r = api.post("/campaigns/" + src + "/duplicate", "{}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode copy = r.json().get("campaign");
        JsonNode copied = r.json().get("copied");
        String dup = copy.get("id").asString();
        assertThat(dup).startsWith("cmp_").isNotEqualTo(src);
        assertThat(r.json().get("sourceCampaignId").asString()).isEqualTo(src);
        assertThat(copy.get("name").asString()).isEqualTo("Q1 Outreach (copy)");
        assertThat(copy.get("status").asString()).isEqualTo("draft");
        assertThat(copy.get("workspaceId").asLong()).isEqualTo(tenant.workspaceId());
        assertThat(copied.get("steps").asInt()).isEqualTo(2);
        assertThat(copied.get("variants").asInt()).isEqualTo(3);
        assertThat(copied.get("mailboxes").asInt()).isEqualTo(2);
        assertThat(copied.get("contacts").asLong()).isZero();
        assertThat(copied.get("schedule").asBoolean()).isTrue();
        assertThat(copied.get("stopRules").asBoolean()).isTrue();
        assertThat(copied.get("subsequences").asInt()).isEqualTo(2);

        // settings exactly
        for (String f : List.of("priority", "textOnly", "trackOpens", "trackClicks", "trackingDomain", "schedule", "stopRules")) {
            assertThat(copy.get(f)).as(f).isEqualTo(before.get(f));
        }
        assertThat(copy.get("launchedAt").isNull()).isTrue();

        // steps and variants: same content, order and weights, new ids
        JsonNode s0 = Api.JSON.readTree(stepsBefore), s1 = api.get("/campaigns/" + dup + "/steps").json();
        assertThat(s1.size()).isEqualTo(s0.size());
        for (int i = 0; i < s0.size(); i++) {
            JsonNode a = s0.get(i), b = s1.get(i);
            assertThat(b.get("id").asString()).isNotEqualTo(a.get("id").asString());
            assertThat(b.get("campaignId").asString()).isEqualTo(dup);
            for (String f : List.of("order", "subject", "bodyHtml", "bodyText", "delaySeconds")) assertThat(b.get(f)).as(f).isEqualTo(a.get(f));
            assertThat(b.get("variants").size()).isEqualTo(a.get("variants").size());
            for (int v = 0; v < a.get("variants").size(); v++) {
                JsonNode va = a.get("variants").get(v), vb = b.get("variants").get(v);
                assertThat(vb.get("id").asString()).startsWith("var_").isNotEqualTo(va.get("id").asString());
                for (String f : List.of("subject", "bodyHtml", "bodyText", "weight", "share")) assertThat(vb.get(f)).as(f).isEqualTo(va.get(f));
            }
        }
        // mailboxes with their policy (limit, weight, paused)
        JsonNode m0 = Api.JSON.readTree(mailboxesBefore), m1 = api.get("/campaigns/" + dup + "/mailboxes").json();
        assertThat(m1.size()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            for (String f : List.of("mailbox", "mailboxId", "dailyLimit", "weight", "status")) {
                assertThat(m1.get(i).get(f)).as(f).isEqualTo(m0.get(i).get(f));
            }
        }
        assertThat(m1.get(1).get("status").asString()).isEqualTo("paused");
        // subsequences: same triggers, status and steps (new ids), and the routing points at the copies
        JsonNode subs0 = api.get("/campaigns/" + src + "/subsequences").json().get("subsequences");
        JsonNode subs1 = api.get("/campaigns/" + dup + "/subsequences").json().get("subsequences");
        assertThat(subs1.size()).isEqualTo(2);
        var subIds = new java.util.HashMap<String, String>();
        for (int i = 0; i < 2; i++) {
            JsonNode a = subs0.get(i), b = subs1.get(i);
            subIds.put(a.get("id").asString(), b.get("id").asString());
            assertThat(b.get("id").asString()).startsWith("sub_").isNotEqualTo(a.get("id").asString());
            assertThat(b.get("campaignId").asString()).isEqualTo(dup);
            for (String f : List.of("name", "status", "trigger")) assertThat(b.get(f)).as(f).isEqualTo(a.get(f));
            assertThat(b.get("steps").size()).isEqualTo(a.get("steps").size());
            for (int j = 0; j < a.get("steps").size(); j++) {
                JsonNode sa = a.get("steps").get(j), sb = b.get("steps").get(j);
                assertThat(sb.get("id").asString()).isNotEqualTo(sa.get("id").asString());
                for (String f : List.of("order", "subject", "bodyHtml", "bodyText", "delaySeconds")) assertThat(sb.get(f)).as(f).isEqualTo(sa.get(f));
                assertThat(sb.get("variants").size()).isEqualTo(sa.get("variants").size());
                for (int v = 0; v < sa.get("variants").size(); v++) {
                    assertThat(sb.get("variants").get(v).get("id").asString()).isNotEqualTo(sa.get("variants").get(v).get("id").asString());
                    assertThat(sb.get("variants").get(v).get("weight")).isEqualTo(sa.get("variants").get(v).get("weight"));
                    assertThat(sb.get("variants").get(v).get("bodyHtml")).isEqualTo(sa.get("variants").get(v).get("bodyHtml"));
                }
            }
        }
        JsonNode routes0 = api.get("/campaigns/" + src + "/subsequences/routing").json().get("routes");
        JsonNode routes1 = api.get("/campaigns/" + dup + "/subsequences/routing").json().get("routes");
        assertThat(routes1.get("interested").asString()).isEqualTo(subIds.get(routes0.get("interested").asString()));
        assertThat(routes1.size()).isEqualTo(routes0.size());
        assertThat(api.get("/campaigns/" + dup + "/contacts").json().get("contacts").size()).isZero();

        // the original is untouched
        JsonNode after = api.get("/campaigns/" + src).json();
        assertThat(after).isEqualTo(before);
        assertThat(api.get("/campaigns/" + src + "/steps").body()).isEqualTo(stepsBefore);
        assertThat(api.get("/campaigns/" + src + "/mailboxes").body()).isEqualTo(mailboxesBefore);
        assertThat(contactIds(src)).hasSize(3).contains(ann);
    }

    @Test
    void contactsAreCopiedFreshOnlyWhenAskedAndMailboxesCanBeLeftBehind() {
        var boxes = mailboxes(api, anonymous(), tenant.workspaceId(), 2);
        String src = fullCampaign(boxes);
        List<String> srcIds = contactIds(src);
        jdbc.sql("UPDATE campaign_contacts SET reply_intent = 'interested', status = 'replied', current_step = 2, "
                + "last_sent_at = now(), next_send_at = now() WHERE id = :id").param("id", srcIds.getFirst()).update();
        long feedBefore = api.get("/campaigns/" + src + "/contacts/changes").json().get("contacts").size();

        var r = api.post("/campaigns/" + src + "/duplicate",
                "{\"name\":\"  Q2 re-run \",\"copyContacts\":true,\"copyMailboxes\":false}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String dup = r.json().get("campaign").get("id").asString();
        assertThat(r.json().get("campaign").get("name").asString()).isEqualTo("Q2 re-run");
        assertThat(r.json().get("copied").get("contacts").asLong()).isEqualTo(3);
        assertThat(r.json().get("copied").get("mailboxes").asInt()).isZero();
        assertThat(api.get("/campaigns/" + dup + "/mailboxes").json().size()).isZero();

        JsonNode a = api.get("/campaigns/" + src + "/contacts").json().get("contacts");
        JsonNode b = api.get("/campaigns/" + dup + "/contacts").json().get("contacts");
        assertThat(b.size()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            JsonNode x = a.get(i), y = b.get(i); // both in id order: the copies keep the source's order
            assertThat(y.get("id").asString()).matches("ctc_[0-9a-hjkmnp-tv-z]{26}").isNotIn(srcIds);
            for (String f : List.of("email", "firstName", "lastName", "company", "title", "phone", "timezone", "customFields")) {
                assertThat(y.get(f)).as(f).isEqualTo(x.get(f));
            }
            assertThat(y.get("status").asString()).isEqualTo("not_started");
            assertThat(y.get("currentStep").asInt()).isZero();
            assertThat(y.get("nextSendAt").isNull()).isTrue();
            assertThat(y.get("lastSentAt").isNull()).isTrue();
            assertThat(y.get("replyIntent").isNull()).isTrue();
        }
        assertThat(a.get(0).get("replyIntent").asString()).isEqualTo("interested"); // the source keeps its own
        // the copy's changes feed is complete and numbered 1..n, and later writes continue after it
        JsonNode feed = api.get("/campaigns/" + dup + "/contacts/changes").json();
        assertThat(feed.get("contacts").size()).isEqualTo(3);
        var more = api.post("/campaigns/" + dup + "/contacts", "{\"contacts\":[{\"email\":\"dee@delta.example\"}]}");
        assertThat(more.status()).as(more.body()).isEqualTo(200);
        JsonNode after = api.get("/campaigns/" + dup + "/contacts/changes?since=" + feed.get("next_cursor").asString()).json();
        assertThat(after.get("contacts").size()).as(after.toString()).isEqualTo(1);
        assertThat(api.get("/campaigns/" + src + "/contacts/changes").json().get("contacts").size()).isEqualTo(feedBefore);
    }

    @Test
    void aLargeContactListIsCopiedInOneStatementWithUniqueSortedIds() {
        String src = createCampaign(api, "Big");
        assertThat(api.post("/campaigns/" + src + "/steps", "{\"subject\":\"Hi\",\"bodyHtml\":\"x\"}").status()).isEqualTo(201);
        for (int batch = 0; batch < 3; batch++) {
            var sb = new StringBuilder("{\"contacts\":[");
            for (int i = 0; i < 1000; i++) {
                sb.append(i == 0 ? "" : ",").append("{\"email\":\"l").append(batch).append('-').append(i).append("@big.example\"}");
            }
            assertThat(api.post("/campaigns/" + src + "/contacts", sb.append("]}").toString()).status()).isEqualTo(200);
        }
        var r = api.post("/campaigns/" + src + "/duplicate", "{\"copyContacts\":true}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String dup = r.json().get("campaign").get("id").asString();
        assertThat(r.json().get("copied").get("contacts").asLong()).isEqualTo(3000);
        List<String> ids = contactIds(dup);
        assertThat(ids).hasSize(3000).doesNotHaveDuplicates().isSorted();
        List<String> emailsInIdOrder = jdbc.sql("SELECT email FROM campaign_contacts WHERE campaign_id = :c ORDER BY id").param("c", dup)
                .query(String.class).list();
        List<String> srcEmails = jdbc.sql("SELECT email FROM campaign_contacts WHERE campaign_id = :c ORDER BY id").param("c", src)
                .query(String.class).list();
        assertThat(emailsInIdOrder).isEqualTo(srcEmails);
        assertThat(jdbc.sql("SELECT min(change_seq) || '-' || max(change_seq) FROM campaign_contacts WHERE campaign_id = :c")
                .param("c", dup).query(String.class).single()).isEqualTo("1-3000");
        assertThat(jdbc.sql("SELECT value FROM contact_change_counters WHERE campaign_id = :c").param("c", dup).query(Long.class).single())
                .isEqualTo(3000L);
    }

    @Test
    void idempotencyKeyReplaysTheFirstCopy() {
        String src = createCampaign(api, "Once");
        var keyed = api.withHeader("Idempotency-Key", "dup-" + src);
        var first = keyed.post("/campaigns/" + src + "/duplicate", "{\"name\":\"Twice?\"}");
        var again = keyed.post("/campaigns/" + src + "/duplicate", "{\"name\":\"Twice?\"}");
        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.json().get("campaign").get("id")).isEqualTo(first.json().get("campaign").get("id"));
        assertThat(api.get("/campaigns").json().get("campaigns").findValuesAsString("name")).containsOnlyOnce("Twice?");
        assertThat(keyed.post("/campaigns/" + src + "/duplicate", "{\"name\":\"Other\"}").status()).isEqualTo(422);
    }

    @Test
    void deletedOrForeignCampaignsAre404AndBadInputIs422() {
        String src = createCampaign(api, "Gone");
        assertThat(api.delete("/campaigns/" + src).status()).isEqualTo(200);
        assertThat(api.post("/campaigns/" + src + "/duplicate", "{}").status()).isEqualTo(404);

        String mine = createCampaign(api, "Mine");
        var other = api(newTenant());
        var foreign = other.post("/campaigns/" + mine + "/duplicate", "{\"copyContacts\":true}");
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.json().get("code").asString()).isEqualTo("NOT_FOUND");
        assertThat(other.get("/campaigns/" + mine + "/share").status()).isEqualTo(404);
        assertThat(other.get("/campaigns/" + mine + "/export?format=csv").status()).isEqualTo(404);
        assertThat(other.withHeader("Accept", "text/csv").get("/campaigns/" + mine + "/export").status()).isEqualTo(404);

        var blank = api.post("/campaigns/" + mine + "/duplicate", "{\"name\":\"   \"}");
        assertThat(blank.status()).isEqualTo(422);
        assertThat(blank.json().get("detail").get(0).get("loc").toString()).contains("name");
        var readOnly = api.withKey(tenants.keyFor(tenant, java.util.Set.of(dev.outreach2day.platform.Scope.READ)).apiKey());
        assertThat(readOnly.post("/campaigns/" + mine + "/duplicate", "{}").status()).isEqualTo(403);
        // a name at the limit still gets its suffix within 200 characters
        String longName = "n".repeat(200);
        String longId = createCampaign(api, longName);
        var copy = api.post("/campaigns/" + longId + "/duplicate", null);
        assertThat(copy.status()).as(copy.body()).isEqualTo(201);
        assertThat(copy.json().get("campaign").get("name").asString()).hasSize(200).endsWith(" (copy)");
    }

    private List<String> contactIds(String campaignId) {
        return new ArrayList<>(jdbc.sql("SELECT id FROM campaign_contacts WHERE campaign_id = :c ORDER BY id").param("c", campaignId)
                .query(String.class).list());
    }
}
