package dev.outreach2day.delivery;

import dev.outreach2day.platform.PublicEndpoint;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.regex.Pattern;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tracking hits. Every hit is recorded; it counts as an open or click only when it looks human:
 * not a HEAD request, not a known scanner's user agent, and not within seconds of sending (mail
 * gateways fetch everything on arrival). Each send counts at most one open and one click.
 */
@Hidden
@RestController
class TrackingController {

    static final Duration TOO_SOON = Duration.ofSeconds(10);
    static final Pattern SCANNER = Pattern.compile(
            "(?i)bot|crawler|spider|scanner|preview|barracuda|mimecast|proofpoint|symantec|forcepoint|trend ?micro|fortiguard|"
                    + "python-requests|curl|wget|go-http-client|java/|okhttp|headless|phantomjs|linkcheck|safelinks|microsoft office");
    private static final byte[] GIF = Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    private static final String SEND = """
            SELECT campaign_id, step_order, COALESCE(variant_id, '') AS variant_id, COALESCE(mailbox_id, '') AS mailbox_id, sent_at,
                   contact_id
              FROM sends WHERE workspace_id = :workspaceId AND id = :id AND status = 'sent'
            """;
    private static final String LINK = "SELECT url FROM send_links WHERE workspace_id = :workspaceId AND send_id = :sendId AND idx = :idx";
    private static final String RECORD = """
            INSERT INTO tracking_events (workspace_id, send_id, campaign_id, kind, link_idx, at, user_agent, counted, reason)
            VALUES (:workspaceId, :sendId, :campaignId, :kind, :idx, :at, :ua, :counted, :reason)
            """;
    private static final String FIRST_OPEN = """
            UPDATE sends SET opened_at = :at WHERE workspace_id = :workspaceId AND id = :id AND opened_at IS NULL
            """;
    private static final String FIRST_CLICK = """
            UPDATE sends SET clicked_at = :at WHERE workspace_id = :workspaceId AND id = :id AND clicked_at IS NULL
            """;

    private final Tracking tracking;
    private final SendQueue queue;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    private final org.springframework.context.ApplicationEventPublisher events;

    TrackingController(Tracking tracking, SendQueue queue, JdbcClient jdbc, TransactionTemplate tx, Clock clock,
            org.springframework.context.ApplicationEventPublisher events) {
        this.events = events;
        this.tracking = tracking;
        this.queue = queue;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
    }

    @PublicEndpoint(why = "the open pixel in tracked emails; the HMAC-signed token names the send")
    @RequestMapping(value = "/t/o/{token}", method = {RequestMethod.GET, RequestMethod.HEAD})
    ResponseEntity<byte[]> open(@PathVariable String token, HttpServletRequest request) {
        hit(token, "open", null, request);
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).contentType(MediaType.IMAGE_GIF).body(GIF);
    }

    @PublicEndpoint(why = "tracked links in emails; the HMAC-signed token names the send and only its own links are redirected to")
    @RequestMapping(value = "/t/c/{token}/{idx}", method = {RequestMethod.GET, RequestMethod.HEAD})
    ResponseEntity<Void> click(@PathVariable String token, @PathVariable int idx, HttpServletRequest request) {
        var target = tracking.verify(token);
        if (target.isEmpty()) return ResponseEntity.notFound().build();
        var url = jdbc.sql(LINK).param("workspaceId", target.get().workspaceId()).param("sendId", target.get().sendId())
                .param("idx", idx).query(String.class).optional();
        if (url.isEmpty()) return ResponseEntity.notFound().build();
        hit(token, "click", idx, request);
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(url.get())).cacheControl(CacheControl.noStore()).build();
    }

    private void hit(String token, String kind, Integer idx, HttpServletRequest request) {
        var target = tracking.verify(token);
        if (target.isEmpty()) return;
        long ws = target.get().workspaceId();
        String sendId = target.get().sendId();
        var send = jdbc.sql(SEND).param("workspaceId", ws).param("id", sendId).query((rs, n) -> new Object[] {rs.getString(1),
                rs.getInt(2), rs.getString(3), rs.getString(4), rs.getTimestamp(5), rs.getString(6)}).optional();
        if (send.isEmpty()) return;
        Instant now = clock.instant();
        String ua = request.getHeader("User-Agent");
        Instant sentAt = ((Timestamp) send.get()[4]).toInstant();
        String reason = request.getMethod().equals("HEAD") ? "head_request"
                : ua == null || ua.isBlank() || SCANNER.matcher(ua).find() ? "scanner"
                : Duration.between(sentAt, now).compareTo(TOO_SOON) < 0 ? "too_soon_after_send" : null;
        tx.executeWithoutResult(s -> {
            jdbc.sql(RECORD).param("workspaceId", ws).param("sendId", sendId).param("campaignId", send.get()[0]).param("kind", kind)
                    .param("idx", idx).param("at", Timestamp.from(now)).param("ua", ua == null ? null : ua.substring(0, Math.min(300, ua.length())))
                    .param("counted", reason == null).param("reason", reason).update();
            if (reason == null) {
                boolean first = jdbc.sql(kind.equals("open") ? FIRST_OPEN : FIRST_CLICK).param("workspaceId", ws).param("id", sendId)
                        .param("at", Timestamp.from(now)).update() == 1;
                if (first) {
                    queue.count(ws, (String) send.get()[0], now.atZone(ZoneOffset.UTC).toLocalDate(), (Integer) send.get()[1],
                            (String) send.get()[2], (String) send.get()[3], kind.equals("open") ? "opened" : "clicked");
                    String url = idx == null ? null : jdbc.sql(LINK).param("workspaceId", ws).param("sendId", sendId).param("idx", idx)
                            .query(String.class).optional().orElse(null);
                    events.publishEvent(new EmailEngaged(ws, (String) send.get()[0], sendId, (String) send.get()[5], kind, url, now));
                }
            }
        });
    }
}
