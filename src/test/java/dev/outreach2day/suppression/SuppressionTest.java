package dev.outreach2day.suppression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.contact.Importing;
import dev.outreach2day.delivery.Sending;
import dev.outreach2day.mailserver.MailServer;
import jakarta.mail.Folder;
import jakarta.mail.Session;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The suppression list through the API, and enforced on every path: an import skips a suppressed
 * address, a launch does not enrol it, a send to an address suppressed after launch is skipped,
 * and a one-click unsubscribe suppresses the address for the whole workspace.
 */
class SuppressionTest extends IntegrationTest {

    @Autowired ApplicationContext context;
    @Autowired MailServer mailServer;
    @Autowired dev.outreach2day.TestClock clock;

    static final String ALWAYS = """
            {"timezone":"UTC","windows":[{"days":["mon","tue","wed","thu","fri","sat","sun"],"start":"00:00","end":"23:59"}],
             "minGapSeconds":0,"maxGapSeconds":0}""";

    record Setup(Api api, String apiKey, String campaignId, String mailbox) {}

    Setup campaign() {
        clock.awayFromTheDayEnd(); // the all-day window ends at 23:59
        var tenant = newTenant();
        Api api = api(tenant);
        String domain = dev.outreach2day.SendingDomains.buy(api, anonymous(), tenant.workspaceId(), "sup");
        String mailbox = "sam@" + domain;
        assertThat(api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"" + mailbox + "\",\"firstName\":\"Sam\"}]}").status()).isEqualTo(201);
        String id = api.post("/campaigns", "{\"name\":\"Sup\"}").json().get("id").asString();
        assertThat(api.post("/campaigns/" + id + "/steps", "{\"subject\":\"Hello {{firstName|there}}\","
                + "\"bodyHtml\":\"<p>Hi</p><p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a></p>\"}").status()).isEqualTo(201);
        api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"" + mailbox + "\"]}");
        assertThat(api.put("/campaigns/" + id + "/schedule", ALWAYS).status()).isEqualTo(200);
        return new Setup(api, tenant.apiKey(), id, mailbox);
    }

    static String unique(String local, String domain) {
        return local + "." + Long.toString(System.nanoTime(), 36) + "@" + domain;
    }

    @Test
    void entriesAreAddedListedCheckedAndDeletedThroughTheApi() {
        var s = campaign();
        Api api = s.api();
        String ada = unique("ada", "lovelace.example");
        var r = api.post("/campaigns/suppressions", "{\"entries\":[{\"value\":\"" + ada.toUpperCase() + "\",\"reason\":\"asked by phone\"},"
                + "{\"value\":\"@Competitor.example\"},{\"value\":\"@bücher.example\"},"
                + "{\"value\":\"grace@hopper.example\",\"campaignId\":\"" + s.campaignId() + "\"}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("created").asInt()).isEqualTo(4);
        var again = api.post("/campaigns/suppressions", "{\"entries\":[{\"value\":\"" + ada + "\",\"reason\":\"GDPR request\"}]}");
        assertThat(again.json().get("created").asInt()).isZero();
        assertThat(again.json().get("updated").asInt()).isEqualTo(1);

        // status: by address (case-insensitive), by domain (IDN too), per campaign
        var st = api.get("/campaigns/suppressions/status?email=" + ada).json().get("status");
        assertThat(st.get("suppressed").asBoolean()).isTrue();
        assertThat(st.get("matches").get(0).get("reason").asString()).isEqualTo("GDPR request");
        assertThat(api.get("/campaigns/suppressions/status?email=ceo@COMPETITOR.example").json().get("status").get("suppressed").asBoolean())
                .isTrue();
        assertThat(api.get("/campaigns/suppressions/status?email=info@xn--bcher-kva.example").json().get("status").get("suppressed")
                .asBoolean()).isTrue();
        assertThat(api.get("/campaigns/suppressions/status?email=grace@hopper.example").json().get("status").get("suppressed").asBoolean())
                .as("a campaign's own entry does not block the workspace").isFalse();
        assertThat(api.get("/campaigns/suppressions/status?email=grace@hopper.example&campaignId=" + s.campaignId()).json().get("status")
                .get("suppressed").asBoolean()).isTrue();
        assertThat(api.get("/campaigns/suppressions/status?email=someone@else.example").json().get("status").get("suppressed").asBoolean())
                .isFalse();

        // list: search and cursor
        var all = new ArrayList<String>();
        String cursor = null;
        do {
            var page = api.get("/campaigns/suppressions?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.get("suppressions").forEach(e -> all.add(e.get("value").asString()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
        } while (cursor != null);
        assertThat(all).containsExactlyInAnyOrder(ada, "@competitor.example", "@xn--bcher-kva.example", "grace@hopper.example");
        var found = api.get("/campaigns/suppressions?q=competitor").json().get("suppressions");
        assertThat(found).hasSize(1);

        // delete
        String id = found.get(0).get("id").asString();
        assertThat(api.delete("/campaigns/suppressions/" + id).status()).isEqualTo(200);
        assertThat(api.delete("/campaigns/suppressions/" + id).status()).isEqualTo(404);
        assertThat(api.get("/campaigns/suppressions/status?email=ceo@competitor.example").json().get("status").get("suppressed")
                .asBoolean()).isFalse();

        // bad input: nothing is written
        var bad = api.post("/campaigns/suppressions", "{\"entries\":[{\"value\":\"ok@fine.example\"},{\"value\":\"not an address\"}]}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().get("detail").get(0).get("loc").toString()).contains("entries", "1", "value");
        assertThat(api.get("/campaigns/suppressions/status?email=ok@fine.example").json().get("status").get("suppressed").asBoolean())
                .isFalse();
        assertThat(api.post("/campaigns/suppressions", "{\"entries\":[{\"value\":\"x@y.example\",\"campaignId\":\"cmp_nope\"}]}").status())
                .isEqualTo(422);
        assertThat(api.post("/campaigns/suppressions", "{\"entries\":[]}").status()).isEqualTo(422);
        assertThat(api.get("/campaigns/suppressions/status?email=nope").status()).isEqualTo(422);
    }

    @Test
    void aSuppressedAddressIsSkippedAtImportAtLaunchAndAtSend() throws Exception {
        var s = campaign();
        Api api = s.api();
        String blocked = unique("blocked", "prospect.example");
        String late = unique("late", "prospect.example");
        String ok = unique("ok", "prospect.example");
        api.post("/campaigns/suppressions", "{\"entries\":[{\"value\":\"" + blocked + "\"},{\"value\":\"@blocked-company.example\"}]}");

        // import: the suppressed address (and the suppressed domain) are counted, not imported
        String csv = "email,firstName\n" + blocked + ",B\nanyone@blocked-company.example,C\n" + late + ",L\n" + ok + ",O\n";
        var importId = importCsv(s, csv);
        Importing.runAll(context);
        JsonNode status = api.get("/imports/" + importId).json();
        assertThat(status.get("suppressed").asInt()).as(status.toString()).isEqualTo(2);
        assertThat(status.get("imported").asInt()).isEqualTo(2);

        // launch: an address suppressed after import is not enrolled
        api.post("/campaigns/" + s.campaignId() + "/contacts", "{\"contacts\":[{\"email\":\"" + unique("added", "blocked-company.example")
                + "\"}]}");
        var launched = api.post("/campaigns/" + s.campaignId() + "/launch", "{\"confirm\":true}");
        assertThat(launched.status()).as(launched.body()).isEqualTo(200);
        var job = api.get("/campaigns/" + s.campaignId() + "/launch-jobs/" + launched.json().get("jobId").asString()).json();
        assertThat(job.get("skipped").get("suppressed").asInt()).as(job.toString()).isEqualTo(1);

        // send: suppressed between launch and send → skipped, not sent
        api.post("/campaigns/suppressions", "{\"entries\":[{\"value\":\"" + late + "\"}]}");
        Sending.drain(context);
        var sends = api.get("/campaigns/" + s.campaignId() + "/sends").json().get("sends");
        String lateStatus = null;
        String okStatus = null;
        for (JsonNode x : sends) {
            String email = x.get("contact").get("email").asString();
            if (email.equals(late)) lateStatus = x.get("status").asString() + ":" + x.get("reason").asString();
            if (email.equals(ok)) okStatus = x.get("status").asString();
        }
        assertThat(lateStatus).isEqualTo("skipped:suppressed");
        assertThat(okStatus).isEqualTo("sent");

        // a one-click unsubscribe suppresses the address for the whole workspace
        var store = Session.getInstance(new Properties()).getStore("imap");
        store.connect(mailServer.host(), mailServer.imapPort(), ok, ok);
        String header;
        try (store) {
            Folder f = store.getFolder("INBOX");
            f.open(Folder.READ_ONLY);
            header = f.getMessages()[0].getHeader("List-Unsubscribe")[0];
            f.close(false);
        }
        String path = header.replaceAll("(?s).*<(https?://[^>]+)>.*", "$1").replaceFirst("^https?://[^/]+", "");
        assertThat(anonymous().send("POST", path, "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded").status()).isEqualTo(200);
        var st = api.get("/campaigns/suppressions/status?email=" + ok).json().get("status");
        assertThat(st.get("suppressed").asBoolean()).isTrue();
        assertThat(st.get("matches").get(0).get("source").asString()).isEqualTo("unsubscribe");
    }

    String importCsv(Setup s, String csv) throws Exception {
        String boundary = "----sup" + System.nanoTime();
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                + csv + "\r\n--" + boundary + "--\r\n";
        var request = HttpRequest.newBuilder(URI.create(baseUrl() + "/campaigns/" + s.campaignId() + "/contacts/import"))
                .header("Authorization", "Bearer " + s.apiKey()).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        var r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return Api.JSON.readTree(r.body()).get("importId").asString();
    }

}
