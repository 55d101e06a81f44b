package dev.outreach2day.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.IntegrationTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The lifecycle table is enforced for every (status, action) pair, through the API. */
class LifecycleTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    /** status → action → expected status (absent = 409). */
    static final Map<String, Map<String, String>> EXPECTED = Map.of(
            "draft", Map.of("archive", "archived"),
            "active", Map.of("pause", "paused", "stop", "stopped"),
            "paused", Map.of("resume", "active", "stop", "stopped", "archive", "archived"),
            "stopped", Map.of("archive", "archived"),
            "completed", Map.of("archive", "archived"),
            "archived", Map.of("unarchive", "stopped"));

    @Test
    void everyStatusAndActionPairFollowsTheTable() {
        var tenant = newTenant();
        var api = api(tenant);
        var table = api.get("/campaigns/lifecycle").json();
        assertThat(table.get("statuses").toString()).isEqualTo("[\"draft\",\"active\",\"paused\",\"stopped\",\"completed\",\"archived\"]");
        assertThat(table.get("actions").toString()).isEqualTo("[\"pause\",\"resume\",\"stop\",\"archive\",\"unarchive\"]");
        assertThat(table.get("transitions").get("active").toString()).contains("paused", "stopped");

        for (String status : List.of("draft", "active", "paused", "stopped", "completed", "archived")) {
            for (String action : List.of("pause", "resume", "stop", "archive", "unarchive")) {
                String id = CampaignFixtures.createCampaign(api, status + "-" + action);
                jdbc.sql("UPDATE campaigns SET status = :s, status_before_archive = CASE WHEN :s = 'archived' THEN 'stopped' END WHERE id = :id")
                        .param("s", status).param("id", id).update();
                var r = api.post("/campaigns/" + id + "/lifecycle", "{\"action\":\"" + action + "\"}");
                String expected = EXPECTED.get(status).get(action);
                if (expected == null) {
                    assertThat(r.status()).as(status + " + " + action).isEqualTo(409);
                    assertThat(r.json().get("code").asString()).isEqualTo("INVALID_TRANSITION");
                    assertThat(r.json().get("detail").asString()).contains(status).contains(action);
                    assertThat(api.get("/campaigns/" + id).json().get("status").asString()).isEqualTo(status);
                } else {
                    assertThat(r.status()).as(status + " + " + action + ": " + r.body()).isEqualTo(200);
                    assertThat(r.json().get("previousStatus").asString()).isEqualTo(status);
                    assertThat(r.json().get("status").asString()).isEqualTo(expected);
                    assertThat(api.get("/campaigns/" + id).json().get("status").asString()).isEqualTo(expected);
                }
            }
        }
        assertThat(api.post("/campaigns/" + CampaignFixtures.createCampaign(api, "x") + "/lifecycle", "{\"action\":\"explode\"}").status())
                .isEqualTo(422);
    }

    @Test
    void archiveRemembersWhereUnarchiveGoesBack() {
        var api = api(newTenant());
        String id = CampaignFixtures.createCampaign(api, "roundtrip");
        assertThat(api.post("/campaigns/" + id + "/lifecycle", "{\"action\":\"archive\"}").json().get("status").asString()).isEqualTo("archived");
        assertThat(api.patch("/campaigns/" + id, "{\"name\":\"renamed\"}").status()).isEqualTo(409);
        assertThat(api.post("/campaigns/" + id + "/lifecycle", "{\"action\":\"unarchive\"}").json().get("status").asString()).isEqualTo("draft");
        assertThat(api.patch("/campaigns/" + id, "{\"name\":\"renamed\"}").json().get("name").asString()).isEqualTo("renamed");
    }
}
