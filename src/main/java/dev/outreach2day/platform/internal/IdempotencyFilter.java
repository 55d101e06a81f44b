package dev.outreach2day.platform.internal;

import dev.outreach2day.platform.Caller;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * {@code Idempotency-Key} on POST: the first response (2xx and 4xx, except 401/403/429 which
 * depend on the credential, not the request) is stored for 24 h and replayed byte for byte to a
 * retry with the same key and body; the same key with another body is a 422; a retry while the
 * first request is still running is a 409. 5xx responses are not stored, so a retry runs again.
 */
class IdempotencyFilter extends OncePerRequestFilter {

    static final String HEADER = "Idempotency-Key";
    private static final Duration LEASE = Duration.ofMinutes(10);

    private final IdempotencyStore store;
    private final ErrorWriter errors;
    private final int hours;

    IdempotencyFilter(IdempotencyStore store, ErrorWriter errors, int hours) {
        this.store = store;
        this.errors = errors;
        this.hours = hours;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = request.getHeader(HEADER);
        if (key == null || !"POST".equals(request.getMethod())
                || !(request.getAttribute(AuthFilter.CALLER) instanceof Caller caller)) {
            chain.doFilter(request, response);
            return;
        }
        if (key.isBlank() || key.length() > 255) {
            errors.write(response, 400, "IDEMPOTENCY_KEY_INVALID", "Idempotency-Key must be 1–255 characters");
            return;
        }
        long workspaceId = caller.workspaceId();
        HashedRequest hashed = hash(request);
        if (!store.claim(workspaceId, key, hashed.hash(), hours, LEASE)) {
            var stored = store.find(workspaceId, key);
            if (stored.isEmpty()) { // expired and purged between the two statements: treat as a race
                errors.write(response, 409, "IDEMPOTENCY_KEY_IN_USE", "A request with this Idempotency-Key is in progress; retry shortly");
                return;
            }
            var row = stored.get();
            if (!MessageDigest.isEqual(row.requestHash(), hashed.hash())) {
                errors.write(response, 422, "IDEMPOTENCY_KEY_REUSED",
                        "This Idempotency-Key was already used with a different request; use a new key for a new request");
                return;
            }
            if ("running".equals(row.state())) {
                errors.write(response, 409, "IDEMPOTENCY_KEY_IN_USE",
                        "The first request with this Idempotency-Key is still running; retry shortly");
                return;
            }
            response.setStatus(row.status());
            if (row.contentType() != null) response.setContentType(row.contentType());
            response.setHeader("Idempotent-Replayed", "true");
            byte[] body = row.body() == null ? new byte[0] : row.body();
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            return;
        }
        var wrapped = new ContentCachingResponseWrapper(response);
        boolean stored = false;
        try {
            chain.doFilter(hashed.request(), wrapped);
            int status = wrapped.getStatus();
            if (status < 500 && status != 401 && status != 403 && status != 429) {
                store.complete(workspaceId, key, status, wrapped.getContentType(), wrapped.getContentAsByteArray());
                stored = true;
            }
        } finally {
            if (!stored) {
                store.release(workspaceId, key);
            }
            wrapped.copyBodyToResponse();
        }
    }

    private record HashedRequest(HttpServletRequest request, byte[] hash) {}

    /**
     * SHA-256 over method, path, query and body. JSON bodies are read once and replayed to the
     * controller; multipart bodies are hashed part by part from the container's parsed (disk
     * backed) parts, so large uploads are never held in memory.
     */
    private HashedRequest hash(HttpServletRequest request) throws IOException, ServletException {
        MessageDigest digest = sha256();
        digest.update((request.getMethod() + "\n" + request.getRequestURI() + "?"
                + (request.getQueryString() == null ? "" : request.getQueryString()) + "\n").getBytes(StandardCharsets.UTF_8));
        String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase();
        if (type.startsWith("multipart/")) {
            var parts = new TreeMap<String, Part>();
            for (Part p : request.getParts()) parts.put(p.getName() + "\u0000" + p.getSubmittedFileName(), p);
            byte[] buf = new byte[64 * 1024];
            for (Map.Entry<String, Part> e : parts.entrySet()) {
                digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                try (InputStream in = e.getValue().getInputStream()) {
                    for (int n; (n = in.read(buf)) > 0; ) digest.update(buf, 0, n);
                }
            }
            return new HashedRequest(request, digest.digest());
        }
        if (type.startsWith("application/x-www-form-urlencoded")) {
            for (var e : new TreeMap<>(request.getParameterMap()).entrySet()) {
                digest.update((e.getKey() + "=" + Arrays.toString(e.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return new HashedRequest(request, digest.digest());
        }
        byte[] body = request.getInputStream().readAllBytes();
        digest.update(body);
        return new HashedRequest(new Replayable(request, body), digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Replayable extends HttpServletRequestWrapper {
        private final byte[] body;

        Replayable(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            var in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    // A replayed body is already complete in memory: tell the listener at once.
                    try {
                        listener.onDataAvailable();
                        listener.onAllDataRead();
                    } catch (IOException e) {
                        listener.onError(e);
                    }
                }
            };
        }

        @Override
        public java.io.BufferedReader getReader() {
            return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }
    }
}
