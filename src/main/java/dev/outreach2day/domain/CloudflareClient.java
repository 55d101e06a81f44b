package dev.outreach2day.domain;

import dev.outreach2day.domain.DnsProvider.DnsProviderException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small client for Cloudflare's v4 REST API, shared by {@link CloudflareDnsProvider} and
 * {@link CloudflareTransferProvider}.
 *
 * <p>Every call authenticates with an API token ({@code Authorization: Bearer …}) and gets the v4
 * envelope back: {@code {success, errors:[{code,message}], messages, result, result_info}}.
 * Failures become {@link DnsProviderException}s:
 * <ul>
 *   <li>HTTP 429 (or envelope code 971) → {@code CLOUDFLARE_RATE_LIMITED}, retryable; the message carries the
 *       {@code Retry-After} seconds Cloudflare sends with a 429 (the global limit is 1,200 requests
 *       per five minutes per user: developers.cloudflare.com/fundamentals/api/reference/limits/);</li>
 *   <li>HTTP 401/403, or envelope code 10000 ("Authentication error") / 9109 ("Invalid access
 *       token") → {@code CLOUDFLARE_AUTH}, not retryable;</li>
 *   <li>HTTP 5xx, timeouts and connection failures → retryable;</li>
 *   <li>any other {@code success:false} → {@code CLOUDFLARE_<first error code>} with Cloudflare's
 *       message (e.g. {@code CLOUDFLARE_81057} "Record already exists.", {@code CLOUDFLARE_1061}
 *       "example.com already exists"), not retryable.</li>
 * </ul>
 * The token is only ever put in the request header: it is never logged nor put in a message.
 */
final class CloudflareClient {

    private static final Logger log = LoggerFactory.getLogger(CloudflareClient.class);

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Page size for list calls (Cloudflare's default for DNS records and zones is 100 too). */
    static final int PAGE_SIZE = 100;

    /** A runaway guard for pagination: 1,000 pages of 100 is far beyond any zone we manage. */
    private static final int MAX_PAGES = 1_000;

    private static final int AUTH_ERROR = 10000;
    private static final int INVALID_TOKEN = 9109;
    /** "Please wait and consider throttling your request speed", the body of a rate-limited call. */
    private static final int THROTTLED = 971;

    private final String baseUrl;
    private final String token;
    private final Duration requestTimeout;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();

    CloudflareClient(String apiUrl, String apiToken, Duration requestTimeout) {
        this.baseUrl = stripTrailingSlash(apiUrl == null || apiUrl.isBlank() ? "https://api.cloudflare.com/client/v4" : apiUrl.trim());
        this.token = apiToken.trim();
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    ObjectNode object() {
        return json.createObjectNode();
    }

    /** GET; returns the whole envelope (so {@code result_info} can be read). */
    JsonNode get(String path, Map<String, String> query) {
        return send("GET", path, query, null, false);
    }

    /** GET that returns empty instead of failing when Cloudflare answers 404. */
    Optional<JsonNode> getIfExists(String path) {
        return Optional.ofNullable(send("GET", path, Map.of(), null, true));
    }

    /**
     * Every {@code result} item of a paginated list: {@code page=1,2,…} with
     * {@code per_page=100} until {@code result_info.total_pages} (or a short page when Cloudflare
     * leaves total_pages out).
     */
    List<JsonNode> getAllPages(String path, Map<String, String> query) {
        List<JsonNode> items = new ArrayList<>();
        for (int page = 1; page <= MAX_PAGES; page++) {
            Map<String, String> q = new LinkedHashMap<>(query);
            q.put("per_page", Integer.toString(PAGE_SIZE));
            q.put("page", Integer.toString(page));
            JsonNode root = get(path, q);
            JsonNode result = root.path("result");
            int count = 0;
            if (result.isArray()) {
                for (JsonNode item : result) {
                    items.add(item);
                    count++;
                }
            }
            JsonNode totalPages = root.path("result_info").path("total_pages");
            boolean last = totalPages.isNumber() ? page >= totalPages.asInt() : count < PAGE_SIZE;
            if (last || count == 0) {
                return items;
            }
        }
        throw new DnsProviderException("CLOUDFLARE_BAD_RESPONSE",
                "Cloudflare kept returning pages for " + path + " beyond " + MAX_PAGES + " pages", false);
    }

    JsonNode post(String path, JsonNode body) {
        return send("POST", path, Map.of(), body, false);
    }

    JsonNode put(String path, JsonNode body) {
        return send("PUT", path, Map.of(), body, false);
    }

    JsonNode delete(String path) {
        return send("DELETE", path, Map.of(), null, false);
    }

    private JsonNode send(String method, String path, Map<String, String> query, JsonNode body, boolean allowNotFound) {
        URI uri = URI.create(baseUrl + path + queryString(query));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body), StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }

        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new DnsProviderException("CLOUDFLARE_TIMEOUT",
                    "Cloudflare did not answer " + method + " " + path + " in time", true);
        } catch (IOException e) {
            throw new DnsProviderException("CLOUDFLARE_UNREACHABLE",
                    "Cloudflare API unreachable (" + method + " " + path + "): " + e.getClass().getSimpleName(), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DnsProviderException("CLOUDFLARE_INTERRUPTED",
                    "Interrupted while calling Cloudflare (" + method + " " + path + ")", true);
        }

        int status = response.statusCode();
        JsonNode root = parse(response.body());
        log.debug("Cloudflare {} {} -> {}", method, path, status);

        Integer firstCode = firstErrorCode(root);
        if (status == 429 || (firstCode != null && firstCode == THROTTLED)) {
            String retryAfter = response.headers().firstValue("Retry-After").map(String::trim).orElse(null);
            throw new DnsProviderException("CLOUDFLARE_RATE_LIMITED",
                    "Cloudflare rate limit reached" + (retryAfter != null && !retryAfter.isEmpty()
                            ? "; retry after " + retryAfter + " seconds" : "; retry in a few minutes"), true);
        }
        if (status == 401 || status == 403
                || (firstCode != null && (firstCode == AUTH_ERROR || firstCode == INVALID_TOKEN))) {
            throw new DnsProviderException("CLOUDFLARE_AUTH",
                    "Cloudflare refused the API token (HTTP " + status + errorSuffix(root)
                            + "); check that O2D_CLOUDFLARE_API_TOKEN is valid and has the needed permissions", false);
        }
        if (status >= 500) {
            throw new DnsProviderException(firstCode != null ? "CLOUDFLARE_" + firstCode : "CLOUDFLARE_HTTP_" + status,
                    "Cloudflare failed on " + method + " " + path + " (HTTP " + status + errorSuffix(root) + ")", true);
        }
        if (status == 404 && allowNotFound) {
            return null;
        }
        if (root == null || !root.isObject()) {
            throw new DnsProviderException("CLOUDFLARE_BAD_RESPONSE",
                    "Cloudflare answered " + method + " " + path + " with HTTP " + status + " and no JSON envelope", false);
        }
        if (status >= 400 || !root.path("success").asBoolean(false)) {
            throw new DnsProviderException(firstCode != null ? "CLOUDFLARE_" + firstCode : "CLOUDFLARE_HTTP_" + status,
                    "Cloudflare refused " + method + " " + path + ": " + errorText(root, status), false);
        }
        return root;
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static Integer firstErrorCode(JsonNode root) {
        if (root == null) {
            return null;
        }
        for (JsonNode error : root.path("errors")) {
            if (error.path("code").isNumber()) {
                return error.path("code").asInt();
            }
            String code = text(error.path("code"));
            if (code != null && code.matches("\\d+")) {
                return Integer.parseInt(code);
            }
        }
        return null;
    }

    /** "Record already exists. (81057); …" — every error of the envelope. */
    private static String errorText(JsonNode root, int status) {
        StringJoiner joined = new StringJoiner("; ");
        for (JsonNode error : root.path("errors")) {
            String message = text(error.path("message"));
            String code = text(error.path("code"));
            joined.add((message != null ? message : "error") + (code != null ? " (" + code + ")" : ""));
        }
        return joined.length() > 0 ? joined.toString() : "HTTP " + status;
    }

    private static String errorSuffix(JsonNode root) {
        if (root == null || !root.path("errors").isArray() || root.path("errors").isEmpty()) {
            return "";
        }
        return ": " + errorText(root, 0);
    }

    /** A scalar node's text, or null for missing, null and container nodes. */
    static String text(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull() || node.isContainer()) {
            return null;
        }
        return node.isString() ? node.stringValue() : node.asString();
    }

    private static String queryString(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        StringJoiner q = new StringJoiner("&", "?", "");
        query.forEach((k, v) -> q.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return q.toString();
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
