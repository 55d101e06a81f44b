package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.TestClock;
import dev.outreach2day.platform.O2dProperties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Shared by the share and export tests: a campaign that really sent, with contacts carrying dangerous values. */
abstract class CampaignResultsFixture extends IntegrationTest {

    @Autowired ApplicationContext context;
    @Autowired TestClock clock;
    @Autowired JdbcClient jdbc;
    @Autowired O2dProperties properties;

    static final String ALWAYS = """
            {"timezone":"UTC","windows":[{"days":["mon","tue","wed","thu","fri","sat","sun"],"start":"00:00","end":"23:59"}],
             "minGapSeconds":0,"maxGapSeconds":0}""";

    /** Values a spreadsheet would run as formulas, and one that only needs RFC 4180 quoting. */
    static final String FORMULA = "=HYPERLINK(\"http://x\")";
    static final String QUOTED = "Smith, \"Jr\" & Co";

    record Sent(Api api, String campaignId, String domain, List<String> emails) {}

    /** A campaign named with markup, two steps, three contacts (one with every dangerous value), launched and step 1 sent. */
    Sent launchAndSend() {
        var tenant = newTenant();
        Api api = api(tenant);
        String domain = dev.outreach2day.SendingDomains.buy(api, anonymous(), tenant.workspaceId(), "shr");
        assertThat(api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"john@" + domain + "\",\"firstName\":\"John\"}]}").status())
                .isEqualTo(201);
        String id = api.post("/campaigns", "{\"name\":\"<script>alert(1)</script> Q1 & co\"}").json().get("id").asString();
        assertThat(api.post("/campaigns/" + id + "/steps", "{\"subject\":\"Hello {{firstName|there}}\","
                + "\"bodyHtml\":\"<p>Hi</p>{{unsubscribeUrl}}\"}").status()).isEqualTo(201);
        assertThat(api.post("/campaigns/" + id + "/steps", "{\"subject\":\"\",\"bodyHtml\":\"<p>Again</p>{{unsubscribeUrl}}\",\"delayDays\":1}")
                .status()).isEqualTo(201);
        api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"john@" + domain + "\"]}");
        assertThat(api.put("/campaigns/" + id + "/schedule", ALWAYS).status()).isEqualTo(200);
        String tag = Long.toString(System.nanoTime(), 36);
        var emails = List.of("evil." + tag + "@prospect.example", "plain." + tag + "@prospect.example", "third." + tag + "@prospect.example");
        var body = new java.util.LinkedHashMap<String, Object>();
        body.put("contacts", List.of(
                Map.of("email", emails.get(0), "firstName", FORMULA, "lastName", QUOTED, "company", "+1+1",
                        "customFields", Map.of("score", "@SUM(A1)", "delta", "-2", "tabbed", "\tfoo", "cr", "\rbar", "multi", "line1\nline2")),
                Map.of("email", emails.get(1), "firstName", "Plain", "company", "Acme", "customFields", Map.of("Score", "7")),
                Map.of("email", emails.get(2))));
        var added = api.post("/campaigns/" + id + "/contacts", Api.JSON.writeValueAsString(body));
        assertThat(added.status()).as(added.body()).isEqualTo(200);
        clock.awayFromTheDayEnd(); // the all-day window ends at 23:59
        var launched = api.post("/campaigns/" + id + "/launch", "{\"confirm\":true}");
        assertThat(launched.status()).as(launched.body()).isEqualTo(200);
        Sending.drain(context);
        return new Sent(api, id, domain, emails);
    }

    String contactId(Sent s, String email) {
        return jdbc.sql("SELECT id FROM campaign_contacts WHERE campaign_id = :c AND email = :e").param("c", s.campaignId())
                .param("e", email).query(String.class).single();
    }

    /** A strict RFC 4180 reader written for this test (independent of the server's writer): CRLF rows, quoted fields. */
    static List<List<String>> parse(String csv) {
        var rows = new ArrayList<List<String>>();
        var row = new ArrayList<String>();
        var cell = new StringBuilder();
        int i = 0;
        while (i < csv.length()) {
            char ch = csv.charAt(i);
            if (ch == '"' && cell.isEmpty()) {
                i++;
                while (true) {
                    assertThat(i).as("unterminated quote").isLessThan(csv.length());
                    char q = csv.charAt(i++);
                    if (q == '"') {
                        if (i < csv.length() && csv.charAt(i) == '"') { cell.append('"'); i++; } else break;
                    } else {
                        cell.append(q);
                    }
                }
                assertThat(i == csv.length() || csv.charAt(i) == ',' || csv.startsWith("\r\n", i)).as("text after a closing quote").isTrue();
            } else if (ch == ',') {
                row.add(cell.toString());
                cell.setLength(0);
                i++;
            } else if (csv.startsWith("\r\n", i)) {
                row.add(cell.toString());
                cell.setLength(0);
                rows.add(List.copyOf(row));
                row.clear();
                i += 2;
            } else {
                assertThat(ch).as("bare quote, CR or LF at " + i).isNotIn('"', '\r', '\n');
                cell.append(ch);
                i++;
            }
        }
        assertThat(cell.isEmpty() && row.isEmpty()).as("the last row ends with CRLF").isTrue();
        return rows;
    }

    static String path(String url) {
        return url.substring(url.indexOf("/share/"));
    }

    static String token(String url) {
        return url.substring(url.indexOf("/share/") + "/share/".length());
    }

    static String enc(String payload) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    }
}
