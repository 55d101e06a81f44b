package dev.outreach2day.platform;

import java.util.List;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The one list of paths reachable without an API key. Everything else is authenticated before
 * it reaches a controller. Handlers under these paths carry {@link PublicEndpoint}.
 */
public final class PublicRoutes {

    /** Path patterns, each with the reason it is public. */
    public static final List<String> PATTERNS = List.of(
            "/actuator/health",           // liveness for load balancers
            "/actuator/health/**",
            "/actuator/prometheus",       // scraped from the private network; documented in README
            "/openapi.json",              // the published contract
            "/openapi.json/**",
            "/openapi.json.yaml",         // the same contract as YAML
            "/docs",                      // interactive API reference
            "/docs/**",
            "/swagger-ui/**",             // assets of /docs
            "/billing/sandbox/setup/**",  // sandbox card page, protected by a single-use token in the URL
            "/billing/sandbox/checkout/**", // sandbox checkout page, same protection
            "/billing/stripe/webhook",    // protected by the Stripe-Signature HMAC
            "/billing/stripe/return",     // static "you can close this page" after Stripe Checkout
            "/u/*",                       // unsubscribe links in emails, protected by an HMAC-signed token
            "/t/**",                      // open pixel and click redirects of tracked emails, HMAC-signed tokens
            "/share/*",                   // read-only campaign stats pages, HMAC-signed expiring tokens
            "/favicon.ico",
            "/error");

    private static final List<PathPattern> PARSED =
            PATTERNS.stream().map(PathPatternParser.defaultInstance::parse).toList();

    private PublicRoutes() {}

    public static boolean isPublic(String path) {
        PathContainer container = PathContainer.parsePath(path);
        for (PathPattern p : PARSED) {
            if (p.matches(container)) {
                return true;
            }
        }
        return false;
    }
}
