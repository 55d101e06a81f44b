package dev.outreach2day.sequencer;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.StringJoiner;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON over HTTP to a sequencer's API, with one classification of failures ({@link ProviderException}).
 * Callers pass the credential as a header or a query parameter; it is never put into an exception
 * message or a log line (the URL, which may carry Smartlead's {@code api_key}, is never quoted).
 */
final class VendorHttp {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Retry-After values beyond this are capped (a misbehaving header must not park an item for days). */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
    private static final int MAX_MESSAGE = 500;

    final JsonMapper json = JsonMapper.builder().build();
    private final String baseUrl;
    private final Duration timeout;
    private final Clock clock;
    private final HttpClient http;
    /** Why this server does not call the vendor at all (sandbox mode, the vendor's real host), or null. */
    private final String offline;

    VendorHttp(String baseUrl, Duration timeout, Clock clock) {
        this(baseUrl, timeout, clock, null);
    }

    VendorHttp(String baseUrl, Duration timeout, Clock clock, String offline) {
        this.offline = offline;
        this.baseUrl = baseUrl;
        this.timeout = timeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Sandbox mode promises that nothing leaves the machine: with the vendor's real host (the
     * default URL) it does not call the vendor and says why; a URL set on purpose (a test server,
     * a mock) is called as usual. Null when the vendor may be called.
     */
    static String offlineReason(boolean sandbox, String baseUrl, String vendorUrl, String vendor, String setting) {
        if (!sandbox || !baseUrl.replaceAll("/+$", "").equalsIgnoreCase(vendorUrl)) return null;
        return "sandbox mode does not contact " + vendor + " (nothing leaves this machine): run the server in production mode "
                + "(O2D_MODE=production), or point " + setting + " at a test server";
    }

    ObjectNode object() {
        return json.createObjectNode();
    }

    /**
     * One call; the parsed body of a 2xx answer (an empty object when the body is empty or not JSON).
     *
     * @param headers extra headers (e.g. Authorization), never logged
     * @param query   query parameters in order (e.g. api_key), URL-encoded here
     */
    JsonNode send(String method, String path, Map<String, String> headers, Map<String, String> query, JsonNode body) {
        if (offline != null) throw new ProviderException(ProviderException.Kind.TRANSIENT, 0, offline, null, false);
        var b = HttpRequest.newBuilder(URI.create(baseUrl + path + queryString(query))).timeout(timeout).header("Accept", "application/json");
        headers.forEach(b::header);
        if (body != null) {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body), StandardCharsets.UTF_8));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new ProviderException(ProviderException.Kind.TRANSIENT, 0, "the provider did not answer within " + timeout.toSeconds()
                    + " s", null, true);
        } catch (IOException e) {
            throw new ProviderException(ProviderException.Kind.TRANSIENT, 0, "could not reach the provider: " + e.getClass().getSimpleName(),
                    null, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(ProviderException.Kind.TRANSIENT, 0, "interrupted", null, true);
        }
        int status = r.statusCode();
        JsonNode parsed = parse(r.body());
        if (status >= 200 && status < 300) return parsed;
        String message = message(parsed, r.body(), status);
        if (status == 401 || status == 403) throw new ProviderException(ProviderException.Kind.AUTH, status, message, null, false);
        if (status == 429) {
            throw new ProviderException(ProviderException.Kind.TRANSIENT, status, message,
                    retryAfter(r.headers().firstValue("Retry-After").orElse(null)), false);
        }
        if (status == 408 || status >= 500) throw new ProviderException(ProviderException.Kind.TRANSIENT, status, message, null, true);
        throw new ProviderException(ProviderException.Kind.REJECTED, status, message, null, false);
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) return json.createObjectNode();
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            return json.createObjectNode();
        }
    }

    /** The provider's own words: {@code message}, {@code error}, {@code detail} (string or first of a list), else the status. */
    static String message(JsonNode body, String raw, int status) {
        for (String field : new String[] {"message", "error", "detail", "msg"}) {
            JsonNode n = body.path(field);
            if (n.isString() && !n.stringValue().isBlank()) return abbreviate(n.stringValue());
            if (n.isArray() && !n.isEmpty()) {
                JsonNode first = n.get(0);
                return abbreviate(first.isString() ? first.stringValue() : str(first.path("msg"), first.toString()));
            }
            if (n.isObject() && n.path("message").isString()) return abbreviate(n.path("message").stringValue());
        }
        if (body.isString()) return abbreviate(body.stringValue());
        if (raw != null && !raw.isBlank() && !raw.trim().startsWith("<")) return abbreviate("HTTP " + status + ": " + raw.trim());
        return "HTTP " + status;
    }

    /** Seconds or an HTTP date; null when absent or unreadable. */
    Duration retryAfter(String header) {
        if (header == null || header.isBlank()) return null;
        Duration d;
        try {
            d = Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            try {
                d = Duration.between(clock.instant(), ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                if (d.isNegative()) d = Duration.ZERO;
            } catch (RuntimeException e2) {
                return null;
            }
        }
        return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
    }

    /** A scalar's text, or {@code def} for a missing, null or container node. */
    static String str(JsonNode n, String def) {
        if (n == null || n.isMissingNode() || n.isNull() || n.isContainer()) return def;
        return n.isString() ? n.stringValue() : n.toString();
    }

    static int integer(JsonNode n, int def) {
        if (n == null || !(n.isNumber() || n.isString())) return def;
        try {
            return n.isNumber() ? n.intValue() : Integer.parseInt(n.stringValue().trim());
        } catch (NumberFormatException e) {
            return def;
        }
    }

    static boolean bool(JsonNode n, boolean def) {
        return n != null && n.isBoolean() ? n.booleanValue() : def;
    }

    static String abbreviate(String s) {
        String t = s.strip();
        return t.length() <= MAX_MESSAGE ? t : t.substring(0, MAX_MESSAGE) + "…";
    }

    static String queryString(Map<String, String> query) {
        if (query.isEmpty()) return "";
        var j = new StringJoiner("&", "?", "");
        query.forEach((k, v) -> j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return j.toString();
    }

    static String pathSegment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
