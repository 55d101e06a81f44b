package dev.outreach2day.platform.internal;

import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.ApiKeyAuthenticator;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.PublicRoutes;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates every request outside {@link PublicRoutes} with its {@code Authorization:
 * Bearer ot2d_…} key before any controller runs; unknown routes included, so the API does not
 * reveal which paths exist to callers without a key.
 */
class AuthFilter extends OncePerRequestFilter {

    static final String CALLER = "o2d.caller";

    private final ApiKeyAuthenticator authenticator;
    private final ErrorWriter errors;

    AuthFilter(ApiKeyAuthenticator authenticator, ErrorWriter errors) {
        this.authenticator = authenticator;
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (PublicRoutes.isPublic(request.getRequestURI().substring(request.getContextPath().length()))) {
            chain.doFilter(request, response);
            return;
        }
        String header = request.getHeader("Authorization");
        if (header == null || header.isBlank()) {
            response.setHeader("WWW-Authenticate", "Bearer");
            errors.write(response, 401, "AUTH_REQUIRED",
                    "Missing API key: send the header Authorization: Bearer ot2d_…");
            return;
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            response.setHeader("WWW-Authenticate", "Bearer");
            errors.write(response, 401, "AUTH_INVALID", "The Authorization header must be: Bearer ot2d_…");
            return;
        }
        Caller caller;
        try {
            caller = authenticator.authenticate(header.substring(7).trim());
        } catch (ApiException.Unauthorized e) {
            response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            errors.write(response, 401, e.code(), e.detail());
            return;
        }
        request.setAttribute(CALLER, caller);
        MDC.put("workspaceId", Long.toString(caller.workspaceId()));
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove("workspaceId");
        }
    }
}
