package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.TestClock;
import dev.outreach2day.mailserver.MailServer;
import jakarta.mail.Folder;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.Properties;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Opt-in open and click tracking: real hits count once, scanners and early hits are recorded but not counted, no open redirect. */
class TrackingTest extends IntegrationTest {

    @Autowired SendEngine engine;
    @Autowired TestClock clock;
    @Autowired MailServer mailServer;

    @Test
    void opensAndClicksCountOnlyHumanHitsAndRedirectOnlyToTheMessagesLinks() throws Exception {
        var tenant = newTenant();
        Api api = api(tenant);
        String domain = dev.outreach2day.SendingDomains.buy(api, anonymous(), tenant.workspaceId(), "trk");
        api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"t@" + domain + "\",\"firstName\":\"T\"}]}");
        String id = api.post("/campaigns", "{\"name\":\"Tracked\"}").json().get("id").asString();
        var patched = api.patch("/campaigns/" + id, "{\"trackOpens\":true,\"trackClicks\":true}");
        assertThat(patched.json().get("trackOpens").asBoolean()).isTrue();
        api.post("/campaigns/" + id + "/steps", "{\"subject\":\"Hi\",\"bodyHtml\":\"<p>See <a href=\\\"https://acme.io/pricing?x=1&amp;y=2\\\">pricing</a></p>"
                + "<p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a></p>\"}");
        api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"t@" + domain + "\"]}");
        api.put("/campaigns/" + id + "/schedule", SendingTest.ALWAYS);
        String prospect = "track." + Long.toString(System.nanoTime(), 36) + "@prospect.example";
        api.post("/campaigns/" + id + "/contacts", "{\"contacts\":[{\"email\":\"" + prospect + "\"}]}");
        assertThat(api.post("/campaigns/" + id + "/launch", "{\"confirm\":true}").status()).isEqualTo(200);
        for (int i = 0; i < 10 && engine.runOnce() > 0; i++) { }

        String html = html(prospect);
        var pixel = Pattern.compile("(/t/o/[A-Za-z0-9_.-]+)").matcher(html);
        var link = Pattern.compile("(/t/c/[A-Za-z0-9_.-]+)/0").matcher(html);
        assertThat(pixel.find()).isTrue();
        assertThat(link.find()).isTrue();
        assertThat(html).contains("/u/").doesNotContain("acme.io/pricing");
        String open = pixel.group(1);
        String click = link.group(1);

        Api browser = anonymous().withHeader("User-Agent", "Mozilla/5.0 (Macintosh) AppleWebKit Safari");
        assertThat(browser.get(open).status()).isEqualTo(200); // seconds after sending: a gateway, not a person
        assertThat(browser.send("HEAD", open, null, null).status()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(2));
        assertThat(anonymous().withHeader("User-Agent", "Mimecast Link Scanner").get(open).status()).isEqualTo(200);
        assertThat(stats(api, id, "opened")).isZero();
        assertThat(browser.get(open).header("Content-Type")).isEqualTo("image/gif");
        browser.get(open);
        assertThat(stats(api, id, "opened")).isEqualTo(1);

        var redirect = browser.get(click + "/0");
        assertThat(redirect.status()).isEqualTo(302);
        assertThat(redirect.header("Location")).isEqualTo("https://acme.io/pricing?x=1&y=2");
        assertThat(stats(api, id, "clicked")).isEqualTo(1);
        // counted engagement becomes webhook events, once each: the second open above is not a second event
        var opened = api.get("/campaigns/webhooks/events?type=email_opened").json().get("events");
        assertThat(opened).hasSize(1);
        var clicked = api.get("/campaigns/webhooks/events?type=link_clicked").json().get("events");
        assertThat(clicked).hasSize(1);
        assertThat(clicked.get(0).get("payload").get("data").get("url").asString()).isEqualTo("https://acme.io/pricing?x=1&y=2");
        assertThat(browser.get(click + "/7").status()).isEqualTo(404);
        assertThat(browser.get("/t/c/forged.token/0").status()).isEqualTo(404);
    }

    private long stats(Api api, String campaignId, String field) {
        return api.get("/campaigns/" + campaignId + "/stats").json().get("sends").get(field).asLong();
    }

    private String html(String address) throws Exception {
        var store = Session.getInstance(new Properties()).getStore("imap");
        store.connect(mailServer.host(), mailServer.imapPort(), address, address);
        try (store) {
            Folder f = store.getFolder("INBOX");
            f.open(Folder.READ_ONLY);
            var content = (MimeMultipart) f.getMessage(1).getContent();
            String html = null;
            for (int i = 0; i < content.getCount(); i++) {
                if (content.getBodyPart(i).isMimeType("text/html")) html = content.getBodyPart(i).getContent().toString();
            }
            f.close(false);
            return html;
        }
    }
}
