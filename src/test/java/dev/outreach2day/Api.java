package dev.outreach2day;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small real-HTTP client for tests: every call goes through the server's whole filter chain. */
public final class Api {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final String key;
    private final List<String> headers;

    public Api(String base, String key) {
        this(base, key, List.of());
    }

    private Api(String base, String key, List<String> headers) {
        this.base = base;
        this.key = key;
        this.headers = headers;
    }

    public Api withKey(String otherKey) {
        return new Api(base, otherKey, headers);
    }

    /** A copy that sends an extra header on every request. */
    public Api withHeader(String name, String value) {
        var h = new ArrayList<>(headers);
        h.add(name);
        h.add(value);
        return new Api(base, key, h);
    }

    public String base() {
        return base;
    }

    public Resp get(String path) {
        return send("GET", path, null, null);
    }

    public Resp delete(String path) {
        return send("DELETE", path, null, null);
    }

    public Resp post(String path, String json) {
        return send("POST", path, json, "application/json");
    }

    public Resp put(String path, String json) {
        return send("PUT", path, json, "application/json");
    }

    public Resp patch(String path, String json) {
        return send("PATCH", path, json, "application/json");
    }

    public Resp send(String method, String path, String body, String contentType) {
        var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (key != null) b.header("Authorization", "Bearer " + key);
        if (contentType != null) b.header("Content-Type", contentType);
        for (int i = 0; i < headers.size(); i += 2) b.header(headers.get(i), headers.get(i + 1));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            ResponseLog.record(method, path, r.statusCode(), r.body());
            return new Resp(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Resp(int status, java.net.http.HttpHeaders headers, byte[] bytes) {
        public String body() {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            return JSON.readTree(bytes);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body();
        }
    }
}
