package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** GET /campaigns/{id}/export: contacts and per-step results as CSV, safe to open in a spreadsheet. */
class CampaignExportTest extends CampaignResultsFixture {

    @Test
    void theExportNeutralisesFormulasAndRoundTripsEveryValue() {
        var s = launchAndSend();
        String evilId = contactId(s, s.emails().get(0));
        // an open and a reply on the evil contact's send, so the per-contact counters have something to count
        jdbc.sql("UPDATE sends SET opened_at = now(), clicked_at = now() WHERE contact_id = :c AND status = 'sent'").param("c", evilId).update();
        jdbc.sql("""
                INSERT INTO campaign_contact_outcomes (workspace_id, campaign_id, contact_id, email, reply_intent, source, replies,
                                                       created_at, updated_at)
                SELECT workspace_id, campaign_id, id, email, 'interested', 'manual', 2, now(), now() FROM campaign_contacts WHERE id = :c
                """).param("c", evilId).update();
        jdbc.sql("UPDATE campaign_contacts SET reply_intent = 'interested' WHERE id = :c").param("c", evilId).update();

        var r = s.api().get("/campaigns/" + s.campaignId() + "/export?format=csv");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode out = r.json();
        assertThat(out.get("format").asString()).isEqualTo("csv");
        assertThat(out.get("filename").asString()).isEqualTo("campaign-" + s.campaignId() + "-contacts.csv");
        assertThat(out.get("contactCount").asLong()).isEqualTo(3);
        String csv = out.get("contacts").asString();
        assertThat(csv).contains("\r\n");

        List<List<String>> rows = parse(csv);
        List<String> header = rows.getFirst();
        assertThat(header.subList(0, 16)).containsExactly("id", "email", "firstName", "lastName", "company", "title", "phone",
                "timezone", "status", "currentStep", "lastSentAt", "replyIntent", "sent", "opened", "clicked", "replied");
        // custom fields: one column per name ignoring case ("score" and "Score" are one column)
        assertThat(header.subList(16, header.size())).containsExactly("cr", "delta", "multi", "Score", "tabbed");
        assertThat(rows).hasSize(4);
        Map<String, Map<String, String>> byEmail = new HashMap<>();
        for (List<String> row : rows.subList(1, rows.size())) {
            assertThat(row).hasSize(header.size());
            var m = new HashMap<String, String>();
            for (int i = 0; i < header.size(); i++) m.put(header.get(i), row.get(i));
            byEmail.put(row.get(1), m);
        }
        var evil = byEmail.get(s.emails().get(0));
        assertThat(evil.get("id")).isEqualTo(evilId);
        assertThat(evil.get("firstName")).isEqualTo("'" + FORMULA);
        assertThat(evil.get("company")).isEqualTo("'+1+1");
        assertThat(evil.get("Score")).isEqualTo("'@SUM(A1)");
        assertThat(evil.get("delta")).isEqualTo("'-2");
        assertThat(evil.get("tabbed")).isEqualTo("'\tfoo");
        assertThat(evil.get("cr")).isEqualTo("'\rbar");
        assertThat(evil.get("lastName")).isEqualTo(QUOTED);
        assertThat(evil.get("multi")).isEqualTo("line1\nline2");
        assertThat(evil.get("status")).isEqualTo("in_progress");
        assertThat(evil.get("currentStep")).isEqualTo("1");
        assertThat(Instant.parse(evil.get("lastSentAt"))).isBefore(clock.instant().plusSeconds(1));
        assertThat(evil.get("replyIntent")).isEqualTo("interested");
        assertThat(List.of(evil.get("sent"), evil.get("opened"), evil.get("clicked"), evil.get("replied")))
                .containsExactly("1", "1", "1", "2");
        var plain = byEmail.get(s.emails().get(1));
        assertThat(plain.get("firstName")).isEqualTo("Plain");
        assertThat(plain.get("Score")).isEqualTo("7");
        assertThat(plain.get("delta")).isEmpty();
        assertThat(List.of(plain.get("sent"), plain.get("opened"), plain.get("clicked"), plain.get("replied")))
                .containsExactly("1", "0", "0", "0");
        // no cell anywhere starts with a formula character
        for (List<String> row : rows) {
            for (String cell : row) assertThat(cell).doesNotStartWith("=").doesNotStartWith("+").doesNotStartWith("@").doesNotStartWith("\t");
        }

        // per step: the stats endpoint's numbers
        JsonNode stats = s.api().get("/campaigns/" + s.campaignId() + "/stats").json();
        List<List<String>> steps = parse(out.get("steps").asString());
        assertThat(steps.getFirst()).containsExactly("step", "subject", "sent", "failed", "bounced", "skipped", "unknown", "opened",
                "clicked", "replied", "interested", "unsubscribed");
        assertThat(steps).hasSize(3);
        assertThat(steps.get(1).subList(0, 2)).containsExactly("1", "Hello {{firstName|there}}");
        assertThat(steps.get(2).subList(0, 3)).containsExactly("2", "", "0");
        JsonNode step1 = stats.get("steps").get(0);
        assertThat(step1.get("key").asString()).isEqualTo("1");
        List<String> names = steps.getFirst();
        for (int i = 2; i < names.size(); i++) {
            assertThat(steps.get(1).get(i)).as(names.get(i)).isEqualTo(step1.get("counts").get(names.get(i)).asString());
        }
        assertThat(steps.get(1).get(2)).isEqualTo("3");

        // the raw CSV forms are the same texts
        var raw = s.api().withHeader("Accept", "text/csv").get("/campaigns/" + s.campaignId() + "/export?format=csv");
        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.header("Content-Type")).startsWith("text/csv");
        assertThat(raw.header("Content-Disposition")).isEqualTo("attachment; filename=\"campaign-" + s.campaignId() + "-contacts.csv\"");
        assertThat(raw.body()).isEqualTo(csv);
        var rawSteps = s.api().withHeader("Accept", "text/csv").get("/campaigns/" + s.campaignId() + "/export?part=steps");
        assertThat(rawSteps.body()).isEqualTo(out.get("steps").asString());
    }

    @Test
    void exportValidatesItsParametersAndPagesThroughLargeCampaigns() {
        var tenant = newTenant();
        Api api = api(tenant);
        String id = api.post("/campaigns", "{\"name\":\"Big\"}").json().get("id").asString();
        for (int batch = 0; batch < 3; batch++) {
            var sb = new StringBuilder("{\"contacts\":[");
            for (int i = 0; i < 800; i++) {
                sb.append(i == 0 ? "" : ",").append("{\"email\":\"l").append(batch).append('-').append(i).append("@big.example\"}");
            }
            assertThat(api.post("/campaigns/" + id + "/contacts", sb.append("]}").toString()).status()).isEqualTo(200);
        }
        var csv = api.withHeader("Accept", "text/csv").get("/campaigns/" + id + "/export?format=csv&part=contacts");
        assertThat(csv.status()).isEqualTo(200);
        var rows = parse(csv.body());
        assertThat(rows).hasSize(2401);
        assertThat(rows.subList(1, rows.size()).stream().map(List::getFirst).toList()).doesNotHaveDuplicates().isSorted();

        var xlsx = api.get("/campaigns/" + id + "/export?format=xlsx");
        assertThat(xlsx.status()).isEqualTo(422);
        assertThat(xlsx.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"query\",\"format\"]");
        var badPart = api.withHeader("Accept", "text/csv").get("/campaigns/" + id + "/export?part=mailboxes");
        assertThat(badPart.status()).isEqualTo(422);
        assertThat(badPart.header("Content-Type")).startsWith("application/json");
        var missing = api.withHeader("Accept", "text/csv").get("/campaigns/cmp_nothere/export");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("code").asString()).isEqualTo("NOT_FOUND");
        assertThat(anonymous().get("/campaigns/" + id + "/export").status()).isEqualTo(401);
        // an empty campaign: header only, no steps
        String empty = api.post("/campaigns", "{\"name\":\"Empty\"}").json().get("id").asString();
        var e = api.get("/campaigns/" + empty + "/export").json();
        assertThat(parse(e.get("contacts").asString())).hasSize(1);
        assertThat(parse(e.get("steps").asString())).hasSize(1);
    }

    @Test
    void csvCellsQuoteAndNeutraliseExactly() {
        assertThat(CsvCells.quote(CsvCells.neutralise("=1+2"))).isEqualTo("'=1+2");
        assertThat(CsvCells.quote(CsvCells.neutralise("a,b"))).isEqualTo("\"a,b\"");
        assertThat(CsvCells.quote(CsvCells.neutralise("say \"hi\""))).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(CsvCells.quote(CsvCells.neutralise("-1,5"))).isEqualTo("\"'-1,5\"");
        assertThat(CsvCells.quote(CsvCells.neutralise("\rx"))).isEqualTo("\"'\rx\"");
        assertThat(CsvCells.quote(CsvCells.neutralise("\tx"))).isEqualTo("'\tx");
        assertThat(CsvCells.quote(CsvCells.neutralise("a=b"))).isEqualTo("a=b");
        assertThat(CsvCells.quote(CsvCells.neutralise(null))).isEmpty();
        var sb = new StringBuilder();
        CsvCells.row(sb, java.util.Arrays.asList("x", null, "@y"));
        assertThat(sb).hasToString("x,,'@y\r\n");
    }
}
