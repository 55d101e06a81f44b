package dev.outreach2day.contact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.IntegrationTest;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The contacts-per-status counters (V27) a campaign's stats read instead of counting: after adds,
 * updates, enrolment, progress (also from many threads at once), a copy into a new campaign and a
 * delete, they equal what counting the contacts gives.
 */
class ContactStatusCountsTest extends IntegrationTest {

    @Autowired Contacts contacts;
    @Autowired JdbcClient jdbc;

    /** Counted from the contacts themselves, every status included. */
    private Map<String, Long> counted(long ws, String campaign) {
        var out = new java.util.LinkedHashMap<String, Long>();
        out.put("total", jdbc.sql("SELECT count(*) FROM campaign_contacts WHERE workspace_id = :w AND campaign_id = :c").param("w", ws)
                .param("c", campaign).query(Long.class).single());
        for (String s : Contacts.STATUSES) {
            out.put(s, jdbc.sql("SELECT count(*) FROM campaign_contacts WHERE workspace_id = :w AND campaign_id = :c AND status = :s")
                    .param("w", ws).param("c", campaign).param("s", s).query(Long.class).single());
        }
        return out;
    }

    private void assertCountersMatch(long ws, String campaign) {
        var kept = contacts.countsByStatus(ws, campaign);
        assertThat(kept).isEqualTo(counted(ws, campaign));
        assertThat(List.copyOf(kept.keySet())).startsWith("total").containsAll(Contacts.STATUSES);
        for (String s : Contacts.STATUSES) assertThat(contacts.countByStatus(ws, campaign, s)).isEqualTo(kept.get(s));
        assertThat(contacts.countByStatus(ws, campaign, null)).isEqualTo(kept.get("total"));
    }

    @Test
    void theCountersFollowEveryKindOfWrite() throws Exception {
        var t = newTenant();
        long ws = t.workspaceId();
        var api = api(t);
        String campaign = TestCampaigns.create(ws);
        assertCountersMatch(ws, campaign);
        assertThat(contacts.countsByStatus(ws, campaign).get("total")).isZero();

        var body = new StringBuilder("{\"contacts\":[");
        for (int i = 0; i < 60; i++) body.append(i == 0 ? "" : ",").append("{\"email\":\"c").append(i).append("@counts.example\"}");
        assertThat(api.post("/campaigns/" + campaign + "/contacts", body.append("]}").toString()).json().get("added").asInt()).isEqualTo(60);
        // an update of known addresses (the upsert's update side) and an identical write change no status
        api.post("/campaigns/" + campaign + "/contacts", "{\"contacts\":[{\"email\":\"c1@counts.example\",\"firstName\":\"Changed\"},"
                + "{\"email\":\"c2@counts.example\"}]}");
        assertCountersMatch(ws, campaign);
        assertThat(contacts.countByStatus(ws, campaign, "not_started")).isEqualTo(60);

        var ids = contacts.page(ws, campaign, null, 100).stream().map(ContactView::id).toList();
        contacts.markEnrolled(ws, campaign, ids.subList(0, 40), Instant.parse("2030-01-01T00:00:00Z"));
        assertCountersMatch(ws, campaign);
        assertThat(contacts.countByStatus(ws, campaign, "in_progress")).isEqualTo(40);

        // progress from many threads at once, as sending and replies write it
        String[] ends = {"completed", "replied", "bounced", "unsubscribed", "stopped", "in_progress"};
        try (var pool = Executors.newFixedThreadPool(8)) {
            var done = IntStream.range(0, 40).mapToObj(i -> pool.submit(() -> contacts.updateProgress(ws, campaign, ids.get(i),
                    ends[i % ends.length], 1, null, Instant.parse("2030-01-01T00:00:00Z")))).toList();
            for (Future<?> f : done) f.get();
        }
        assertCountersMatch(ws, campaign);
        assertThat(contacts.countByStatus(ws, campaign, "completed")).isEqualTo(7);
        contacts.recordReplyIntent(ws, campaign, ids.get(1), "interested"); // a write that keeps the status
        assertCountersMatch(ws, campaign);

        String copy = TestCampaigns.create(ws);
        assertThat(contacts.copyToNewCampaign(ws, campaign, copy)).isEqualTo(60);
        assertCountersMatch(ws, copy);
        assertCountersMatch(ws, campaign);

        jdbc.sql("DELETE FROM campaign_contacts WHERE workspace_id = :w AND campaign_id = :c AND status IN ('replied', 'not_started')")
                .param("w", ws).param("c", campaign).update();
        assertCountersMatch(ws, campaign);
        var expected = new HashMap<String, Long>(counted(ws, campaign));
        assertThat(expected.get("total")).isEqualTo(60 - 20 - 7);
    }
}
