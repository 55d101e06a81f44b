package dev.outreach2day.platform.internal;

import dev.outreach2day.platform.Caller;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Per-key token bucket: {@code O2D_RATE_LIMIT_RPS} sustained, {@code O2D_RATE_LIMIT_BURST} at
 * once. Over the limit → 429 with {@code Retry-After} in whole seconds. The buckets live in each
 * server process (N processes allow N× the rate; see README "Scaling").
 */
class RateLimitFilter extends OncePerRequestFilter {

    private final double ratePerSecond;
    private final int burst;
    private final LongSupplier nanoTime;
    private final ErrorWriter errors;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimitFilter(double ratePerSecond, int burst, LongSupplier nanoTime, ErrorWriter errors) {
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!(request.getAttribute(AuthFilter.CALLER) instanceof Caller caller)) {
            chain.doFilter(request, response);
            return;
        }
        Bucket bucket = buckets.computeIfAbsent(caller.apiKeyId(), k -> new Bucket(burst, nanoTime.getAsLong()));
        long waitNanos = bucket.take(nanoTime.getAsLong(), ratePerSecond, burst);
        if (waitNanos > 0) {
            long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
            response.setHeader("Retry-After", Long.toString(seconds));
            errors.write(response, 429, "RATE_LIMITED",
                    "Too many requests for this API key; retry after " + seconds + " s");
            return;
        }
        chain.doFilter(request, response);
    }

    /** Tokens refill continuously; {@link #take} returns 0 when allowed, else nanos to wait. */
    static final class Bucket {
        private double tokens;
        private long last;

        Bucket(int burst, long now) {
            this.tokens = burst;
            this.last = now;
        }

        synchronized long take(long now, double rate, int burst) {
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / rate * 1e9);
        }
    }
}
