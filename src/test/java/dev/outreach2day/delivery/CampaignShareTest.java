package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GET /campaigns/{id}/share: a signed, expiring, read-only public stats page. */
class CampaignShareTest extends CampaignResultsFixture {

    @Test
    void theShareLinkShowsStatsWithoutAKeyAndNoPersonalData() {
        var s = launchAndSend();
        var share = s.api().get("/campaigns/" + s.campaignId() + "/share");
        assertThat(share.status()).as(share.body()).isEqualTo(200);
        String url = share.json().get("url").asString();
        assertThat(url).startsWith(properties.baseUrl() + "/share/");
        Instant expires = Instant.parse(share.json().get("expiresAt").asString());
        assertThat(Duration.between(clock.instant(), expires)).isBetween(Duration.ofDays(7).minusMinutes(1), Duration.ofDays(7));

        var page = anonymous().get(path(url));
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.header("Content-Security-Policy")).isEqualTo("default-src 'none'; style-src 'unsafe-inline'");
        assertThat(page.header("X-Robots-Tag")).contains("noindex");
        assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(page.header("Cache-Control")).contains("no-store");
        String html = page.body();
        // the name is user input: escaped, never markup
        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt; Q1 &amp; co").doesNotContain("<script>");
        assertThat(html).contains("<strong id=\"status\">active</strong>");
        // totals: step 1 went to all three
        assertThat(html).containsPattern("<table id=\"totals\">.*?<tr><td>3</td>");
        assertThat(html).contains("<td>1: Hello {{firstName|there}}</td><td>3</td>").contains("<td>2 (reply in thread)</td><td>0</td>");
        assertThat(html).contains("<td>" + java.time.LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC) + "</td><td>3</td>");
        assertThat(html).contains("Open rate").contains("Reply rate");
        // nobody's personal data, no mailbox
        for (String e : s.emails()) assertThat(html).doesNotContain(e).doesNotContain(e.substring(0, e.indexOf('@')));
        assertThat(html).doesNotContain("HYPERLINK").doesNotContain("john@").doesNotContain(s.domain()).doesNotContain("Plain");
    }

    @Test
    void aShareLinkExpiresAndCannotBeAlteredOrMovedToAnotherCampaign() {
        var tenant = newTenant();
        Api api = api(tenant);
        String a = api.post("/campaigns", "{\"name\":\"Alpha\"}").json().get("id").asString();
        String b = api.post("/campaigns", "{\"name\":\"Bravo\"}").json().get("id").asString();
        assertThat(api.get("/campaigns/" + a + "/share?expiresInDays=0").status()).isEqualTo(422);
        var tooLong = api.get("/campaigns/" + a + "/share?expiresInDays=91");
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(tooLong.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"query\",\"expiresInDays\"]");
        assertThat(api.get("/campaigns/" + a + "/share?expiresInDays=soon").status()).isEqualTo(422);
        var ninety = api.get("/campaigns/" + a + "/share?expiresInDays=90");
        assertThat(ninety.status()).isEqualTo(200);

        String tokenA = token(api.get("/campaigns/" + a + "/share?expiresInDays=1").json().get("url").asString());
        String tokenB = token(api.get("/campaigns/" + b + "/share").json().get("url").asString());
        assertThat(anonymous().get("/share/" + tokenA).body()).contains("Alpha").doesNotContain("Bravo");
        assertThat(anonymous().get("/share/" + tokenB).body()).contains("Bravo").doesNotContain("Alpha");

        // tampering: a flipped signature character, a later expiry, another campaign under A's signature, garbage
        String payloadA = new String(Base64.getUrlDecoder().decode(tokenA.substring(0, tokenA.indexOf('.'))), StandardCharsets.UTF_8);
        String macA = tokenA.substring(tokenA.indexOf('.') + 1);
        String[] parts = payloadA.split("\\.");
        assertThat(parts[1]).isEqualTo(a);
        String later = parts[0] + "." + parts[1] + "." + (Long.parseLong(parts[2]) + 86_400 * 365);
        String moved = parts[0] + "." + b + "." + parts[2];
        int at = tokenA.length() - 3; // a character that carries signature bits
        String flipped = tokenA.substring(0, at) + (tokenA.charAt(at) == 'A' ? 'B' : 'A') + tokenA.substring(at + 1);
        // the last character of a 16-byte signature carries 2 bits; its other spellings decode alike but are refused too
        char last = tokenA.charAt(tokenA.length() - 1);
        String respelled = tokenA.substring(0, tokenA.length() - 1) + (char) (last ^ 1);
        for (String forged : List.of(flipped, respelled, enc(later) + "." + macA, enc(moved) + "." + macA, "nope", enc(payloadA), "." + macA)) {
            var r = anonymous().get("/share/" + forged);
            assertThat(r.status()).as(forged).isEqualTo(404);
            assertThat(r.body()).doesNotContain("Alpha").doesNotContain("Bravo");
        }
        // an unsubscribe token of this server (another secret) is not a share token
        var unsub = context.getBean(UnsubscribeTokens.class).token(tenant.workspaceId(), "ctc_x", a);
        assertThat(anonymous().get("/share/" + unsub).status()).isEqualTo(404);

        // expiry: valid until the instant, gone after
        clock.advance(Duration.ofDays(1).minusMinutes(1));
        assertThat(anonymous().get("/share/" + tokenA).status()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(2));
        var expired = anonymous().get("/share/" + tokenA);
        assertThat(expired.status()).isEqualTo(410);
        assertThat(expired.body()).contains("expired").doesNotContain("Alpha");
        assertThat(anonymous().get("/share/" + tokenB).status()).isEqualTo(200);

        // a deleted campaign's link stops working
        assertThat(api.delete("/campaigns/" + b).status()).isEqualTo(200);
        assertThat(anonymous().get("/share/" + tokenB).status()).isEqualTo(404);
        assertThat(api.get("/campaigns/" + b + "/share").status()).isEqualTo(404);
    }

}
