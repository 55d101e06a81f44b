package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.IntegrationTest;
import dev.outreach2day.TestClock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A week of sending with the clock moved in 5-minute steps: contacts in three time zones each get
 * mail only inside Mon–Fri 09:00–17:00 of their own zone, no mailbox goes above its daily limit
 * on any day, and a mailbox's consecutive sends are at least the minimum gap apart.
 */
class ScheduleWeekTest extends IntegrationTest {

    @Autowired SendEngine engine;
    @Autowired TestClock clock;
    @Autowired JdbcClient jdbc;

    static final List<String> ZONES = List.of("America/New_York", "Europe/Berlin", "Asia/Tokyo");

    @Test
    void aWeekOfSendingStaysInsideWindowsCapsAndGaps() {
        var tenant = newTenant();
        var api = api(tenant);
        String domain = dev.outreach2day.SendingDomains.buy(api, anonymous(), tenant.workspaceId(), "wk");
        api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"a@" + domain + "\",\"firstName\":\"A\",\"dailyLimit\":4},"
                + "{\"address\":\"b@" + domain + "\",\"firstName\":\"B\",\"dailyLimit\":4}]}");
        String id = api.post("/campaigns", "{\"name\":\"Week\"}").json().get("id").asString();
        api.post("/campaigns/" + id + "/steps", "{\"subject\":\"Hi {{firstName}}\",\"bodyHtml\":\"<p>Hi</p>{{unsubscribeUrl}}\"}");
        api.post("/campaigns/" + id + "/steps", "{\"subject\":\"\",\"bodyHtml\":\"<p>Again</p>{{unsubscribeUrl}}\",\"delayDays\":1}");
        api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"a@" + domain + "\",\"b@" + domain + "\"]}");
        var schedule = api.put("/campaigns/" + id + "/schedule", """
                {"timezone":"UTC","windows":[{"days":["mon","tue","wed","thu","fri"],"start":"09:00","end":"17:00"}],
                 "useContactTimezone":true,"minGapSeconds":600,"maxGapSeconds":900}""");
        assertThat(schedule.status()).isEqualTo(200);
        var contacts = new StringBuilder("{\"contacts\":[");
        for (int i = 0; i < 24; i++) {
            contacts.append(i == 0 ? "" : ",").append("{\"email\":\"w").append(i).append('.').append(Long.toString(System.nanoTime(), 36))
                    .append("@tz.example\",\"firstName\":\"W\",\"timezone\":\"").append(ZONES.get(i % 3)).append("\"}");
        }
        api.post("/campaigns/" + id + "/contacts", contacts.append("]}").toString());
        assertThat(api.post("/campaigns/" + id + "/launch", "{\"confirm\":true}").status()).isEqualTo(200);

        Instant end = clock.instant().plus(Duration.ofDays(7));
        while (clock.instant().isBefore(end)) {
            clock.advance(Duration.ofMinutes(5));
            engine.runOnce();
        }

        record Sent(Instant at, String mailbox, String zone) {}
        var sent = jdbc.sql("""
                SELECT s.sent_at, s.mailbox_id, c.timezone FROM sends s
                  JOIN campaign_contacts c ON c.workspace_id = s.workspace_id AND c.id = s.contact_id
                 WHERE s.workspace_id = :ws AND s.campaign_id = :c AND s.status = 'sent'
                 ORDER BY s.sent_at
                """).param("ws", tenant.workspaceId()).param("c", id)
                .query((rs, n) -> new Sent(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3))).list();
        // 2 mailboxes × 4 a day × 5 weekdays at most, and the week gives room for 8 a (UTC) day
        assertThat(sent.size()).isGreaterThan(20);
        var perMailboxDay = new HashMap<String, Integer>();
        Map<String, Instant> lastOfMailbox = new HashMap<>();
        var problems = new ArrayList<String>();
        for (Sent s : sent) {
            var local = s.at().atZone(ZoneId.of(s.zone()));
            boolean weekday = local.getDayOfWeek() != DayOfWeek.SATURDAY && local.getDayOfWeek() != DayOfWeek.SUNDAY;
            LocalTime t = local.toLocalTime();
            if (!weekday || t.isBefore(LocalTime.of(9, 0)) || !t.isBefore(LocalTime.of(17, 0))) {
                problems.add("outside window: " + local);
            }
            String key = s.mailbox() + "@" + s.at().atZone(ZoneOffset.UTC).toLocalDate();
            if (perMailboxDay.merge(key, 1, Integer::sum) > 4) problems.add("over cap: " + key);
            Instant last = lastOfMailbox.put(s.mailbox(), s.at());
            if (last != null && Duration.between(last, s.at()).getSeconds() < 600) problems.add("gap < 600 s at " + s.at());
        }
        assertThat(problems).isEmpty();
        // every zone got mail
        assertThat(sent.stream().map(Sent::zone).distinct().toList()).containsExactlyInAnyOrderElementsOf(ZONES);
    }
}
