package dev.outreach2day.delivery;

import dev.outreach2day.contact.Contacts;
import dev.outreach2day.platform.PublicEndpoint;
import io.swagger.v3.oas.annotations.Hidden;
import java.time.Clock;
import java.time.ZoneOffset;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * The unsubscribe link of every email. GET only shows a confirmation page (link scanners and
 * previews follow GETs, so a GET must never unsubscribe); POST — the RFC 8058 one-click request
 * mail clients send, and the page's button — unsubscribes: the contact's sequence stops and the
 * address is handed to suppression.
 */
@Hidden
@RestController
class UnsubscribeController {

    private final UnsubscribeTokens tokens;
    private final Contacts contacts;
    private final SendQueue queue;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    UnsubscribeController(UnsubscribeTokens tokens, Contacts contacts, SendQueue queue, TransactionTemplate tx,
            ApplicationEventPublisher events, Clock clock) {
        this.tokens = tokens;
        this.contacts = contacts;
        this.queue = queue;
        this.tx = tx;
        this.events = events;
        this.clock = clock;
    }

    @PublicEndpoint(why = "the unsubscribe link in emails; the HMAC-signed token names the contact; GET changes nothing")
    @GetMapping(value = "/u/{token}", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> confirm(@PathVariable String token) {
        var target = tokens.verify(token).flatMap(t -> contacts.find(t.workspaceId(), t.contactId()));
        if (target.isEmpty()) return unknown();
        var c = target.get();
        if (c.status().equals("unsubscribed")) {
            return ResponseEntity.ok(page("You are unsubscribed", "<p>" + HtmlUtils.htmlEscape(c.email())
                    + " will not receive further emails from this sender.</p>"));
        }
        return ResponseEntity.ok(page("Unsubscribe", "<p>Stop emails to <strong>" + HtmlUtils.htmlEscape(c.email())
                + "</strong> from this sender?</p><form method=\"post\"><button type=\"submit\" id=\"unsubscribe\">Unsubscribe</button></form>"));
    }

    @PublicEndpoint(why = "RFC 8058 one-click unsubscribe and the confirmation button; the HMAC-signed token names the contact")
    @PostMapping(value = "/u/{token}", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> unsubscribe(@PathVariable String token) {
        var t = tokens.verify(token);
        var target = t.flatMap(x -> contacts.find(x.workspaceId(), x.contactId()));
        if (target.isEmpty()) return unknown();
        var c = target.get();
        var now = clock.instant();
        if (!c.status().equals("unsubscribed")) {
            tx.executeWithoutResult(s -> {
                contacts.updateProgress(c.workspaceId(), c.id(), "unsubscribed", c.currentStep(), null, null);
                queue.count(c.workspaceId(), t.get().campaignId(), now.atZone(ZoneOffset.UTC).toLocalDate(), 0, null, null,
                        "unsubscribed");
                // in the same transaction: the suppression entry and the webhook event are written with the status, or none of it
                events.publishEvent(new ContactUnsubscribed(c.workspaceId(), t.get().campaignId(), c.id(), c.email(), now));
            });
        }
        return ResponseEntity.ok(page("You are unsubscribed",
                "<p id=\"done\">" + HtmlUtils.htmlEscape(c.email()) + " will not receive further emails from this sender.</p>"));
    }

    private static ResponseEntity<String> unknown() {
        return ResponseEntity.status(404).contentType(MediaType.TEXT_HTML).body(page("Link not valid",
                "<p>This unsubscribe link is not valid. Reply to the email with \"unsubscribe\" instead.</p>"));
    }

    private static String page(String title, String body) {
        return """
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}</style></head>
                <body><h1>%s</h1>%s</body></html>""".formatted(title, title, body);
    }
}
