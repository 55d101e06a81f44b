package dev.outreach2day.domain;

import dev.outreach2day.platform.O2dProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The web address of every workspace domain: the managed A record points at this server, and a
 * request whose Host is {@code example.com} or {@code www.example.com} gets a 301 to the
 * domain's redirect target (404 page when none is set). Requests for any other host (the API's
 * own) pass through. Lookups are cached for 30 s.
 */
@org.springframework.stereotype.Component
@org.springframework.core.annotation.Order(dev.outreach2day.platform.FilterOrder.HOST_REDIRECT)
class HostRedirectFilter extends OncePerRequestFilter {

    private static final Duration TTL = Duration.ofSeconds(30);

    private final DomainRepository domains;
    private final String ownHost;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    /** {@code target}: empty Optional = not a workspace domain; "" = a domain without redirect. */
    private record Cached(Optional<String> target, long until) {}

    HostRedirectFilter(DomainRepository domains, O2dProperties props) {
        this.domains = domains;
        this.ownHost = URI.create(props.baseUrl()).getHost();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String host = request.getServerName() == null ? "" : request.getServerName().toLowerCase(Locale.ROOT);
        String path = request.getRequestURI();
        if (!candidate(host) || path.startsWith("/t/") || path.startsWith("/u/")) {
            // tracking and unsubscribe links may be served on a workspace's tracking domain
            chain.doFilter(request, response);
            return;
        }
        String domain = host.startsWith("www.") ? host.substring(4) : host;
        Optional<String> target = lookup(domain);
        if (target.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("Cache-Control", "public, max-age=300");
        if (target.get().isEmpty()) {
            response.setStatus(404);
            response.setContentType("text/html;charset=UTF-8");
            response.getWriter().write("<!doctype html><title>" + domain + "</title><p>" + domain
                    + " has no redirect configured yet.</p>");
            return;
        }
        response.setStatus(301);
        response.setHeader("Location", target.get());
    }

    /** Hosts that could be a workspace domain: dotted names that are not this server's own or an IP. */
    private boolean candidate(String host) {
        return host.contains(".") && !host.equals(ownHost) && !host.equals("localhost")
                && !host.matches("[0-9.]+") && !host.contains(":");
    }

    private Optional<String> lookup(String domain) {
        long now = System.nanoTime();
        Cached c = cache.get(domain);
        if (c != null && now < c.until()) {
            return c.target();
        }
        Optional<String> target = domains.redirectOf(domain);
        if (cache.size() > 10_000) cache.clear();
        cache.put(domain, new Cached(target, now + TTL.toNanos()));
        return target;
    }

    /** Forget cached answers, e.g. after the redirects changed in this process. */
    void evict(String domain) {
        cache.remove(domain);
    }
}
