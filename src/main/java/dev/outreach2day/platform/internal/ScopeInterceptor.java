package dev.outreach2day.platform.internal;

import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.PublicEndpoint;
import dev.outreach2day.platform.RequiredScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Enforces the scope each handler declares with {@link RequiredScope}. A handler with neither
 * that nor {@link PublicEndpoint} is refused (and the route-table test fails the build first).
 */
class ScopeInterceptor implements HandlerInterceptor {

    private static final String OWN_CODE = "dev.outreach2day.";

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod method)) {
            return true; // static resources of /docs, already filtered by path
        }
        if (method.hasMethodAnnotation(PublicEndpoint.class) || !method.getBeanType().getName().startsWith(OWN_CODE)) {
            return true; // third-party handlers (OpenAPI document, docs UI) are public by PublicRoutes only
        }
        RequiredScope required = method.getMethodAnnotation(RequiredScope.class);
        if (!(request.getAttribute(AuthFilter.CALLER) instanceof Caller caller)) {
            throw new ApiException.Unauthorized("AUTH_REQUIRED", "Missing API key: send the header Authorization: Bearer ot2d_…");
        }
        if (required == null) {
            throw new ApiException.Forbidden("SCOPE_UNDECLARED", "This route declares no scope and is closed");
        }
        // The workspace rule comes before validation: naming another workspace is a 403 whatever the body.
        String requested = request.getParameter("workspaceId");
        if (requested != null && requested.matches("-?\\d{1,18}") && Long.parseLong(requested) != caller.workspaceId()) {
            caller.workspace(Long.parseLong(requested));
        }
        if (!caller.has(required.value())) {
            throw new ApiException.Forbidden("INSUFFICIENT_SCOPE",
                    "This API key lacks the '" + required.value().wire() + "' scope needed for " + request.getMethod() + " "
                            + request.getRequestURI());
        }
        return true;
    }
}
