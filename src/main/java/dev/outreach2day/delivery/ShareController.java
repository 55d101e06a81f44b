package dev.outreach2day.delivery;

import dev.outreach2day.campaign.Campaigns;
import dev.outreach2day.delivery.ResultsController.Breakdown;
import dev.outreach2day.delivery.ResultsController.CampaignStatsOut;
import dev.outreach2day.delivery.ResultsController.Counts;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.O2dProperties;
import dev.outreach2day.platform.PublicEndpoint;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * Read-only share links of a campaign's results: the API hands out a signed, expiring URL; the
 * page behind it needs no key and shows the campaign's name, status and counters (totals, rates,
 * per step, per day) — never a contact or a mailbox.
 */
@Tag(name = "Campaigns")
@RestController
class ShareController {

    static final int DEFAULT_DAYS = 7;
    static final int MAX_DAYS = 90;

    /** A signed link to the campaign's public stats page; anyone with the link can read it until {@code expiresAt}. */
    record CampaignShareOut(String campaignId, String url, Instant expiresAt) {}

    private final ShareTokens tokens;
    private final Campaigns campaigns;
    private final ResultsController results;
    private final O2dProperties properties;
    private final Clock clock;

    ShareController(ShareTokens tokens, Campaigns campaigns, ResultsController results, O2dProperties properties, Clock clock) {
        this.tokens = tokens;
        this.campaigns = campaigns;
        this.results = results;
        this.properties = properties;
        this.clock = clock;
    }

    @Operation(summary = "Public Share Campaign Stats",
            description = "A signed, read-only link to a public page with the campaign's stats (no contact data, no mailboxes). "
                    + "expiresInDays: 1–90, default 7. Links cannot be revoked one by one; they end at expiresAt or when the "
                    + "campaign is deleted.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/share")
    CampaignShareOut share(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("campaign_id") String id,
            @Parameter(description = "days until the link expires: 1–90, default 7") @RequestParam(required = false)
            Integer expiresInDays) {
        long ws = caller.workspace(workspaceId);
        int days = expiresInDays == null ? DEFAULT_DAYS : expiresInDays;
        if (days < 1 || days > MAX_DAYS) {
            throw ApiException.Invalid.query("expiresInDays", "expiresInDays must be between 1 and " + MAX_DAYS, "value_error");
        }
        campaigns.forSending(ws, id).orElseThrow(() -> new ApiException.NotFound("Campaign " + id));
        Instant expiresAt = clock.instant().truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofDays(days));
        return new CampaignShareOut(id, properties.baseUrl() + "/share/" + tokens.token(ws, id, expiresAt), expiresAt);
    }

    @Hidden
    @PublicEndpoint(why = "read-only campaign stats page; the HMAC-signed token names the campaign and its expiry")
    @GetMapping(value = "/share/{token}", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> page(@PathVariable String token) {
        var target = tokens.verify(token);
        if (target.isEmpty()) return html(404, page("Link not valid", "<p>This share link is not valid.</p>"));
        var t = target.get();
        if (!clock.instant().isBefore(t.expiresAt())) {
            return html(410, page("Link expired", "<p>This share link has expired. Ask the sender for a new one.</p>"));
        }
        var c = campaigns.forSending(t.workspaceId(), t.campaignId());
        if (c.isEmpty()) return html(404, page("Link not valid", "<p>This campaign is no longer available.</p>"));
        return html(200, render(c.get(), results.statsOf(t.workspaceId(), c.get()), t.expiresAt()));
    }

    private static String render(Campaigns.SendingCampaign c, CampaignStatsOut stats, Instant expiresAt) {
        var s = stats.sends();
        var r = s.rates();
        var body = new StringBuilder();
        body.append("<p>Status: <strong id=\"status\">").append(esc(c.status())).append("</strong> · Contacts: ")
                .append(stats.campaign().contacts().getOrDefault("total", 0L)).append("</p>");
        body.append("<table id=\"totals\"><tr><th>Sent</th><th>Opened</th><th>Clicked</th><th>Replied</th><th>Interested</th>"
                + "<th>Bounced</th><th>Unsubscribed</th></tr><tr>");
        for (long v : new long[] {s.sent(), s.opened(), s.clicked(), s.replied(), s.interested(), s.bounced(), s.unsubscribed()}) {
            body.append("<td>").append(v).append("</td>");
        }
        body.append("</tr></table>");
        body.append("<p id=\"rates\">Open rate ").append(pct(r.openRate())).append(" · Click rate ").append(pct(r.clickRate()))
                .append(" · Reply rate ").append(pct(r.replyRate())).append(" · Bounce rate ").append(pct(r.bounceRate()))
                .append(" · Unsubscribe rate ").append(pct(r.unsubscribeRate())).append("</p>");
        body.append("<h2>Per step</h2><table id=\"steps\">").append(header("Step"));
        for (var step : c.steps()) {
            Counts k = stats.steps().stream().filter(b -> b.key().equals(String.valueOf(step.order()))).map(Breakdown::counts)
                    .findFirst().orElse(new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
            String label = step.order() + (step.subject() == null || step.subject().isBlank() ? " (reply in thread)"
                    : ": " + step.subject());
            body.append(row(label, k));
        }
        body.append("</table><h2>Per day (UTC)</h2><table id=\"daily\">").append(header("Day"));
        for (Breakdown d : stats.daily()) body.append(row(d.key(), d.counts()));
        body.append("</table><p><small>Read-only link, valid until ").append(esc(expiresAt.toString())).append(".</small></p>");
        return page(c.name(), body.toString());
    }

    private static String header(String first) {
        return "<tr><th>" + first + "</th><th>Sent</th><th>Opened</th><th>Clicked</th><th>Replied</th><th>Interested</th>"
                + "<th>Bounced</th><th>Unsubscribed</th></tr>";
    }

    private static String row(String label, Counts k) {
        return "<tr><td>" + esc(label) + "</td><td>" + k.sent() + "</td><td>" + k.opened() + "</td><td>" + k.clicked() + "</td><td>"
                + k.replied() + "</td><td>" + k.interested() + "</td><td>" + k.bounced() + "</td><td>" + k.unsubscribed()
                + "</td></tr>";
    }

    private static String pct(double rate) {
        return String.format(Locale.ROOT, "%.1f %%", rate * 100);
    }

    private static String esc(String s) {
        return HtmlUtils.htmlEscape(s == null ? "" : s, "UTF-8");
    }

    /** Every value in {@code body} is escaped by the caller; the title is escaped here. */
    private static String page(String title, String body) {
        String t = esc(title);
        return """
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s</title>
                <meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
                <style>body{font-family:system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem}
                table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
                td:first-child,th:first-child{text-align:left}</style></head>
                <body><h1 id="name">%s</h1>%s</body></html>""".formatted(t, t, body);
    }

    /** The page never loads anything, is never indexed, cached or told where it was linked from. */
    private static ResponseEntity<String> html(int status, String body) {
        return ResponseEntity.status(status).contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noStore())
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
                .header("X-Robots-Tag", "noindex, nofollow")
                .header("Referrer-Policy", "no-referrer")
                .header("X-Content-Type-Options", "nosniff")
                .body(body);
    }
}
