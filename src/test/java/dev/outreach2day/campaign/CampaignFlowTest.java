package dev.outreach2day.campaign;

import static dev.outreach2day.campaign.CampaignFixtures.contacts;
import static dev.outreach2day.campaign.CampaignFixtures.createCampaign;
import static dev.outreach2day.campaign.CampaignFixtures.mailboxes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.workspace.TestTenants.Tenant;
import java.util.ArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Use Case 3 up to launch: campaign → steps → contacts → mailboxes → schedule → preflight → launch. */
class CampaignFlowTest extends IntegrationTest {

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
            {"order":1,"subject":"Quick question, {{firstName}}","bodyHtml":"<p>Hi {{firstName}}, {saw|noticed} {{company}}.</p><p><a href=\\"{{unsubscribeUrl}}\\">Unsubscribe</a></p>","delayDays":0,
             "variants":[{"subject":"Quick question, {{firstName}}","bodyHtml":"<p>Hi {{firstName}} at {{company}}</p><p>{{unsubscribeUrl}}</p>","weight":50},
                         {"subject":"{{firstName}}, idea for {{company}}","bodyHtml":"<p>Hello {{firstName}}</p><p>{{unsubscribeUrl}}</p>","weight":50}]}""";

    @Test
    void theDocumentedCampaignWithThreeStepsAndTwoVariants() {
        var created = api.post("/campaigns", "{\"name\":\"Q1 Outreach\",\"priority\":\"HIGH\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode c = created.json();
        assertThat(c.get("id").asString()).startsWith("cmp_");
        assertThat(c.get("workspaceId").asLong()).isEqualTo(tenant.workspaceId());
        assertThat(c.get("name").asString()).isEqualTo("Q1 Outreach");
        assertThat(c.get("priority").asString()).isEqualTo("HIGH");
        assertThat(c.get("status").asString()).isEqualTo("draft");
        assertThat(c.get("createdAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(c.get("updatedAt").isNull()).isFalse();
        String id = c.get("id").asString();

        var s1 = api.post("/campaigns/" + id + "/steps", STEP1);
        assertThat(s1.status()).as(s1.body()).isEqualTo(201);
        var s2 = api.post("/campaigns/" + id + "/steps", "{\"order\":2,\"subject\":\"\",\"bodyHtml\":\"<p>Following up</p>{{unsubscribeUrl}}\",\"delayDays\":3}");
        var s3 = api.post("/campaigns/" + id + "/steps", "{\"order\":3,\"subject\":\"\",\"bodyHtml\":\"<p>Last note</p>{{unsubscribeUrl}}\",\"delayDays\":5}");
        assertThat(s2.status()).isEqualTo(201);
        assertThat(s3.status()).isEqualTo(201);

        var step1 = s1.json();
        assertThat(step1.get("id").asString()).startsWith("stp_");
        assertThat(step1.get("campaignId").asString()).isEqualTo(id);
        assertThat(step1.get("order").asInt()).isEqualTo(1);
        assertThat(step1.get("delaySeconds").asLong()).isZero();
        assertThat(step1.get("variants").size()).isEqualTo(2);
        assertThat(step1.get("variants").get(0).get("id").asString()).startsWith("var_");
        assertThat(step1.get("variants").get(0).get("share").decimalValue()).isEqualByComparingTo("50");
        assertThat(s2.json().get("delaySeconds").asLong()).isEqualTo(3 * 86_400);
        assertThat(s3.json().get("delaySeconds").asLong()).isEqualTo(5 * 86_400);

        var list = api.get("/campaigns/" + id + "/steps").json();
        assertThat(list.size()).isEqualTo(3);
        assertThat(list.findValues("order").stream().map(JsonNode::asInt).toList()).containsExactly(1, 2, 3);
        assertThat(list.get(0).propertyNames()).contains("id", "campaignId", "order", "subject", "bodyHtml", "bodyText", "delaySeconds", "variants");
    }

    @Test
    void stepOrderStaysDenseWhenInsertingMovingAndDeleting() {
        String id = createCampaign(api, "Order");
        String a = api.post("/campaigns/" + id + "/steps", "{\"subject\":\"A\",\"bodyHtml\":\"a\"}").json().get("id").asString();
        String b = api.post("/campaigns/" + id + "/steps", "{\"subject\":\"\",\"bodyHtml\":\"b\",\"delayDays\":2}").json().get("id").asString();
        var inserted = api.post("/campaigns/" + id + "/steps", "{\"order\":2,\"subject\":\"\",\"bodyHtml\":\"x\",\"delayHours\":6}");
        assertThat(inserted.status()).as(inserted.body()).isEqualTo(201);
        assertThat(inserted.json().get("delaySeconds").asLong()).isEqualTo(6 * 3600);
        var steps = api.get("/campaigns/" + id + "/steps").json();
        assertThat(steps.findValues("bodyHtml").stream().map(JsonNode::asString).toList()).containsExactly("a", "x", "b");

        var moved = api.patch("/campaigns/" + id + "/steps/" + b, "{\"order\":2}");
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        assertThat(api.get("/campaigns/" + id + "/steps").json().findValues("bodyHtml").stream().map(JsonNode::asString).toList())
                .containsExactly("a", "b", "x");

        assertThat(api.delete("/campaigns/" + id + "/steps/" + b).status()).isEqualTo(200);
        var after = api.get("/campaigns/" + id + "/steps").json();
        assertThat(after.findValues("order").stream().map(JsonNode::asInt).toList()).containsExactly(1, 2);

        assertThat(api.post("/campaigns/" + id + "/steps", "{\"order\":9,\"subject\":\"\",\"bodyHtml\":\"z\"}").status()).isEqualTo(422);
        assertThat(api.post("/campaigns/" + id + "/steps", "{\"order\":0,\"subject\":\"\",\"bodyHtml\":\"z\"}").status()).isEqualTo(422);
        // step 1 needs a subject: moving a subject-less step to the front is refused
        String x = after.get(1).get("id").asString();
        var noSubject = api.patch("/campaigns/" + id + "/steps/" + x, "{\"order\":1}");
        assertThat(noSubject.status()).isEqualTo(422);
        assertThat(api.get("/campaigns/" + id + "/steps").json().get(0).get("id").asString()).isEqualTo(a);
        assertThat(api.delete("/campaigns/" + id + "/steps/" + a).status()).isEqualTo(409);
        assertThat(api.delete("/campaigns/" + id + "/steps/stp_unknown").status()).isEqualTo(404);
    }

    @Test
    void badStepsAreRefusedNamingTheField() {
        String id = createCampaign(api, "Bad steps");
        var empty = api.post("/campaigns/" + id + "/steps", "{\"subject\":\"\",\"bodyHtml\":\"hi\"}");
        assertThat(empty.status()).isEqualTo(422);
        assertThat(empty.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"subject\"]");
        var weight = api.post("/campaigns/" + id + "/steps", "{\"subject\":\"S\",\"bodyHtml\":\"hi\",\"variants\":[{\"subject\":\"a\",\"bodyHtml\":\"a\",\"weight\":0}]}");
        assertThat(weight.status()).isEqualTo(422);
        assertThat(weight.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"variants\",0,\"weight\"]");
        var spintax = api.post("/campaigns/" + id + "/steps", "{\"subject\":\"S\",\"bodyHtml\":\"{Hi|Hello\"}");
        assertThat(spintax.status()).isEqualTo(422);
        assertThat(spintax.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"bodyHtml\"]");
        assertThat(api.post("/campaigns/cmp_unknown/steps", "{\"subject\":\"S\",\"bodyHtml\":\"x\"}").status()).isEqualTo(404);
        assertThat(api.post("/campaigns", "{\"name\":\"x\",\"priority\":\"URGENT\"}").status()).isEqualTo(422);
    }

    @Test
    void scheduleAndStopRulesAreValidatedAndDefaulted() {
        String id = createCampaign(api, "Schedule");
        var c = api.get("/campaigns/" + id).json();
        assertThat(c.get("stopRules").get("stopOnReply").asBoolean()).isTrue();
        assertThat(c.get("stopRules").get("stopOnBounce").asBoolean()).isTrue();
        assertThat(c.get("stopRules").get("stopOnUnsubscribe").asBoolean()).isTrue();
        assertThat(c.get("stopRules").get("stopOnAutoReply").asBoolean()).isFalse();

        var bad = api.put("/campaigns/" + id + "/schedule", """
                {"timezone":"Mars/Olympus","windows":[{"days":["mon","funday"],"start":"17:00","end":"09:00"}],
                 "startDate":"2026-05-01","endDate":"2026-04-01","minGapSeconds":300,"maxGapSeconds":60}""");
        assertThat(bad.status()).isEqualTo(422);
        var locs = new ArrayList<String>();
        bad.json().get("detail").forEach(d -> locs.add(d.get("loc").toString()));
        assertThat(locs).contains("[\"body\",\"timezone\"]", "[\"body\",\"windows\",0,\"days\",1]", "[\"body\",\"windows\",0,\"end\"]",
                "[\"body\",\"endDate\"]", "[\"body\",\"maxGapSeconds\"]");

        var ok = api.put("/campaigns/" + id + "/schedule", """
                {"timezone":"America/New_York","windows":[{"days":["mon","tue","wed","thu","fri"],"start":"09:00","end":"17:00"}],
                 "useContactTimezone":true,"minGapSeconds":120,"maxGapSeconds":600,"dailyLimit":200,"maxNewContactsPerDay":50}""");
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().get("schedule").get("timezone").asString()).isEqualTo("America/New_York");
        assertThat(ok.json().get("schedule").get("maxGapSeconds").asInt()).isEqualTo(600);

        var rules = api.put("/campaigns/" + id + "/stop-rules", "{\"stopOnAutoReply\":true,\"pauseOnBounceRate\":0.05}");
        assertThat(rules.status()).isEqualTo(200);
        assertThat(rules.json().get("stopRules").get("stopOnAutoReply").asBoolean()).isTrue();
        assertThat(rules.json().get("stopRules").get("stopOnReply").asBoolean()).isTrue();
        assertThat(api.put("/campaigns/" + id + "/stop-rules", "{\"pauseOnBounceRate\":5}").status()).isEqualTo(422);
    }

    @Test
    void mailboxesOfAnotherWorkspaceOrInactiveOnesCannotBeAttached() {
        String id = createCampaign(api, "Mailboxes");
        var mine = mailboxes(api, anonymous(), tenant.workspaceId(), 2);
        var other = newTenant();
        var theirs = mailboxes(api(other), anonymous(), other.workspaceId(), 1);

        var attached = api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"" + mine.get(0) + "\",\"" + mine.get(1) + "\"],\"dailyLimit\":25,\"weight\":2}");
        assertThat(attached.status()).as(attached.body()).isEqualTo(200);
        assertThat(attached.json().size()).isEqualTo(2);
        assertThat(attached.json().get(0).get("dailyLimit").asInt()).isEqualTo(25);
        assertThat(attached.json().get(0).get("sentToday").asLong()).isZero();
        assertThat(attached.json().get(0).get("status").asString()).isEqualTo("active");

        var foreign = api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"" + theirs.get(0) + "\"]}");
        assertThat(foreign.status()).isEqualTo(422);
        assertThat(foreign.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"mailboxes\",0]");

        jdbc.sql("UPDATE mailboxes SET status = 'error' WHERE address = :a").param("a", mine.get(1)).update();
        assertThat(api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"" + mine.get(1) + "\"]}").status()).isEqualTo(422);

        String mailboxId = java.util.stream.StreamSupport.stream(attached.json().spliterator(), false)
                .filter(m -> m.get("mailbox").asString().equals(mine.get(0))).findFirst().orElseThrow().get("mailboxId").asString();
        var paused = api.patch("/campaigns/" + id + "/mailboxes/" + mailboxId, "{\"paused\":true,\"weight\":3}");
        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.json().get("status").asString()).isEqualTo("paused");
        assertThat(api.delete("/campaigns/" + id + "/mailboxes/" + mailboxId).status()).isEqualTo(200);
        assertThat(api.get("/campaigns/" + id + "/mailboxes").json().size()).isEqualTo(1);
        assertThat(api.delete("/campaigns/" + id + "/mailboxes/" + mailboxId).status()).isEqualTo(404);
    }

    @Test
    void preflightCatchesAMissingCompanyForOneContactAmongMany() {
        String id = createCampaign(api, "Preflight");
        var boxes = mailboxes(api, anonymous(), tenant.workspaceId(), 1);
        api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"" + boxes.get(0) + "\"]}");
        assertThat(api.post("/campaigns/" + id + "/steps", STEP1).status()).isEqualTo(201);
        assertThat(api.post("/campaigns/" + id + "/contacts", contacts(50, "Acme")).status()).isEqualTo(200);
        assertThat(api.post("/campaigns/" + id + "/contacts", "{\"contacts\":[{\"email\":\"nocompany@solo.example\",\"firstName\":\"Solo\"}]}").status())
                .isEqualTo(200);

        var pf = api.get("/campaigns/" + id + "/preflight").json();
        assertThat(pf.get("ready").asBoolean()).isFalse();
        var vars = find(pf.get("checks"), "VARIABLES_RESOLVED");
        assertThat(vars.get("status").asString()).isEqualTo("fail");
        var missing = vars.get("details").get("missing").get(0);
        assertThat(missing.get("variable").asString()).isEqualTo("company");
        assertThat(missing.get("contacts").asLong()).isEqualTo(1);
        assertThat(missing.get("sample").get(0).asString()).isEqualTo("nocompany@solo.example");
        assertThat(find(pf.get("checks"), "CONTACTS_PRESENT").get("status").asString()).isEqualTo("pass");
        assertThat(find(pf.get("checks"), "CAPACITY").get("details").get("emailsPerDay").asInt()).isEqualTo(30);

        var refused = api.post("/campaigns/" + id + "/launch", "{\"confirm\":true}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("code").asString()).isEqualTo("PREFLIGHT_FAILED");
        assertThat(refused.json().get("admission").get("admitted").asBoolean()).isFalse();
        assertThat(refused.json().get("admission").get("decisions").get(0).get("code").asString()).isEqualTo("VARIABLES_RESOLVED");
        assertThat(api.get("/campaigns/" + id).json().get("status").asString()).isEqualTo("draft");
    }

    @Test
    void launchNeedsConfirmationEnrolsContactsAndIsIdempotent() {
        String id = createCampaign(api, "Launch");
        var boxes = mailboxes(api, anonymous(), tenant.workspaceId(), 2);
        api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"" + boxes.get(0) + "\",\"" + boxes.get(1) + "\"]}");
        api.post("/campaigns/" + id + "/steps", STEP1.replace("{{company}}", "{{company|your team}}"));
        api.post("/campaigns/" + id + "/steps", "{\"subject\":\"\",\"bodyHtml\":\"<p>Bump</p>{{unsubscribeUrl}}\",\"delayDays\":3}");
        assertThat(api.post("/campaigns/" + id + "/contacts", contacts(30, null)).status()).isEqualTo(200);

        var noConfirm = api.post("/campaigns/" + id + "/launch", "{}");
        assertThat(noConfirm.status()).isEqualTo(400);
        assertThat(noConfirm.json().get("code").asString()).isEqualTo("CONFIRMATION_REQUIRED");
        assertThat(api.post("/campaigns/" + id + "/launch", null).status()).isEqualTo(400);

        var keyed = api.withHeader("Idempotency-Key", "launch-" + id);
        var launched = keyed.post("/campaigns/" + id + "/launch", "{\"confirm\":true,\"limit\":20}");
        assertThat(launched.status()).as(launched.body()).isEqualTo(200);
        String jobId = launched.json().get("jobId").asString();
        assertThat(jobId).startsWith("job_");
        assertThat(launched.json().get("admission").get("admitted").asBoolean()).isTrue();
        assertThat(launched.json().get("status").asString()).isEqualTo("active");
        var again = keyed.post("/campaigns/" + id + "/launch", "{\"confirm\":true,\"limit\":20}");
        assertThat(again.json().get("jobId").asString()).isEqualTo(jobId);

        var job = api.get("/campaigns/" + id + "/launch-jobs/" + jobId).json();
        assertThat(job.get("status").asString()).isEqualTo("completed");
        assertThat(job.get("enrolled").asInt()).isEqualTo(20);
        assertThat(job.get("skipped").get("suppressed").asInt()).isZero();
        long planned = jdbc.sql("SELECT count(*) FROM sends WHERE campaign_id = :c AND status = 'planned' AND step_order = 1")
                .param("c", id).query(Long.class).single();
        assertThat(planned).isEqualTo(20);
        var inProgress = api.get("/campaigns/" + id + "/contacts?status=in_progress&limit=200").json().get("contacts");
        assertThat(inProgress.size()).isEqualTo(20);

        // launching again enrols the rest; nobody is planned twice
        var rest = api.post("/campaigns/" + id + "/launch", "{\"confirm\":true}");
        assertThat(rest.status()).isEqualTo(200);
        assertThat(api.get("/campaigns/" + id + "/launch-jobs/" + rest.json().get("jobId").asString()).json().get("enrolled").asInt()).isEqualTo(10);
        assertThat(jdbc.sql("SELECT count(*) FROM sends WHERE campaign_id = :c").param("c", id).query(Long.class).single()).isEqualTo(30);

        // a running campaign keeps its mailboxes: deleting one needs force
        var del = api.send("DELETE", "/mailboxes", "{\"mailboxes\":[\"" + boxes.get(0) + "\"]}", "application/json");
        assertThat(del.status()).isEqualTo(409);
        assertThat(del.json().get("code").asString()).isEqualTo("MAILBOX_IN_USE");
        assertThat(api.delete("/campaigns/" + id).status()).isEqualTo(409);
        assertThat(api.get("/campaigns/" + id + "/launch-jobs/job_unknown").status()).isEqualTo(404);
    }

    /**
     * A launch makes the campaign active with its first enrolled batch, so sending starts while the
     * rest enrol; a launch that dies midway (here a trigger fails the second batch) leaves the
     * enrolled contacts planned and the others waiting, and launching again enrols exactly those.
     */
    @Test
    void aLaunchActivatesWithItsFirstBatchAndADiedLaunchLeavesTheRestWaiting() {
        String id = createCampaign(api, "Big launch");
        var boxes = mailboxes(api, anonymous(), tenant.workspaceId(), 1);
        api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"" + boxes.get(0) + "\"]}");
        api.post("/campaigns/" + id + "/steps", STEP1.replace("{{company}}", "{{company|your team}}"));
        for (int part = 0; part < 2; part++) {
            var sb = new StringBuilder("{\"contacts\":[");
            for (int i = 0; i < 600; i++) sb.append(i == 0 ? "" : ",").append("{\"email\":\"big").append(part).append('-').append(i)
                    .append("@launch").append(i % 5).append(".example\",\"firstName\":\"Big\"}");
            assertThat(api.post("/campaigns/" + id + "/contacts", sb.append("]}").toString()).json().get("added").asInt()).isEqualTo(600);
        }
        // the 701st contact in enrolment order (batches of Launcher.BATCH by id) cannot be planned
        String poisoned = jdbc.sql("SELECT id FROM campaign_contacts WHERE workspace_id = :w AND campaign_id = :c ORDER BY id OFFSET 700 LIMIT 1")
                .param("w", tenant.workspaceId()).param("c", id).query(String.class).single();
        jdbc.sql("""
                CREATE FUNCTION test_fail_launch() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the launch dies here'; END $$""").update();
        jdbc.sql("CREATE TRIGGER test_fail_launch BEFORE INSERT ON sends FOR EACH ROW WHEN (NEW.contact_id = '" + poisoned
                + "') EXECUTE FUNCTION test_fail_launch()").update();
        try {
            assertThat(api.post("/campaigns/" + id + "/launch", "{\"confirm\":true}").status()).isEqualTo(500);
        } finally {
            jdbc.sql("DROP TRIGGER test_fail_launch ON sends").update();
            jdbc.sql("DROP FUNCTION test_fail_launch()").update();
        }
        assertThat(api.get("/campaigns/" + id).json().get("status").asString()).isEqualTo("active");
        assertThat(jdbc.sql("SELECT count(*) FROM sends WHERE campaign_id = :c").param("c", id).query(Long.class).single())
                .isEqualTo(Launcher.BATCH);
        assertThat(jdbc.sql("SELECT count(*) FROM campaign_contacts WHERE campaign_id = :c AND status = 'not_started'").param("c", id)
                .query(Long.class).single()).isEqualTo(1200 - Launcher.BATCH);

        var again = api.post("/campaigns/" + id + "/launch", "{\"confirm\":true}");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(api.get("/campaigns/" + id + "/launch-jobs/" + again.json().get("jobId").asString()).json().get("enrolled").asInt())
                .isEqualTo(1200 - Launcher.BATCH);
        assertThat(jdbc.sql("SELECT count(DISTINCT contact_id) FROM sends WHERE campaign_id = :c AND step_order = 1").param("c", id)
                .query(Long.class).single()).isEqualTo(1200);
        assertThat(jdbc.sql("SELECT count(*) FROM sends WHERE campaign_id = :c").param("c", id).query(Long.class).single()).isEqualTo(1200);
        // these 1,200 sends are due now: left planned, they would fill the engine rounds of every later test in this JVM
        jdbc.sql("DELETE FROM sends WHERE campaign_id = :c AND status = 'planned'").param("c", id).update();
    }

    @Test
    void listPagesWithACursorAndFiltersByStatus() {
        for (int i = 0; i < 5; i++) createCampaign(api, "c" + i);
        var first = api.get("/campaigns?limit=2").json();
        assertThat(first.get("campaigns").size()).isEqualTo(2);
        String cursor = first.get("next_cursor").asString();
        var second = api.get("/campaigns?limit=2&cursor=" + cursor).json();
        assertThat(second.get("campaigns").get(0).get("id").asString())
                .isLessThan(first.get("campaigns").get(1).get("id").asString());
        var third = api.get("/campaigns?limit=2&cursor=" + second.get("next_cursor").asString()).json();
        assertThat(third.get("campaigns").size()).isEqualTo(1);
        assertThat(third.get("next_cursor").isNull()).isTrue();
        assertThat(api.get("/campaigns?status=draft").json().get("campaigns").size()).isEqualTo(5);
        assertThat(api.get("/campaigns?status=flying").status()).isEqualTo(422);
        assertThat(api.get("/campaigns?cursor=forged").status()).isEqualTo(422);
        assertThat(api(newTenant()).get("/campaigns?cursor=" + cursor).status()).isEqualTo(422);
    }

    static JsonNode find(JsonNode checks, String code) {
        for (JsonNode c : checks) if (c.get("code").asString().equals(code)) return c;
        throw new AssertionError("no check " + code + " in " + checks);
    }
}
