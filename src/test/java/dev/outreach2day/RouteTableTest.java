package dev.outreach2day;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.platform.PublicEndpoint;
import dev.outreach2day.platform.PublicRoutes;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The API surface, locked: every route of ours declares its scope or is explicitly public, the
 * public ones are exactly those in {@link PublicRoutes}, mutations never need only 'read', and
 * every authenticated route really answers 401 without a key. Prints the route table.
 */
class RouteTableTest extends IntegrationTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mapping;

    /** One row per (method, path) of our own controllers. */
    record Route(String method, String path, String access, HandlerMethod handler) {}

    static List<Route> routes(RequestMappingHandlerMapping mapping) {
        var rows = new ArrayList<Route>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mapping.getHandlerMethods().entrySet()) {
            HandlerMethod h = e.getValue();
            if (!h.getBeanType().getName().startsWith("dev.outreach2day.")) continue;
            Set<RequestMethod> methods = e.getKey().getMethodsCondition().getMethods();
            var scope = h.getMethodAnnotation(RequiredScope.class);
            String access = scope != null ? scope.value().wire() : h.hasMethodAnnotation(PublicEndpoint.class) ? "public" : "NONE";
            for (String path : e.getKey().getPatternValues()) {
                if (methods.isEmpty()) {
                    rows.add(new Route("*", path, access, h));
                }
                for (RequestMethod m : methods) {
                    rows.add(new Route(m.name(), path, access, h));
                }
            }
        }
        rows.sort(java.util.Comparator.comparing(Route::path).thenComparing(Route::method));
        return rows;
    }

    static String concrete(String pathPattern) {
        return pathPattern.replaceAll("\\{[^}]+}", "1");
    }

    @Test
    void everyRouteDeclaresItsAccessAndTheTableIsConsistent() {
        var problems = new ArrayList<String>();
        var table = new StringBuilder("\nRoute table (method, path, access):\n");
        for (Route r : routes(mapping)) {
            table.append(String.format("  %-7s %-60s %s%n", r.method(), r.path(), r.access()));
            boolean pathPublic = PublicRoutes.isPublic(concrete(r.path()));
            RequiredScope scope = r.handler().getMethodAnnotation(RequiredScope.class);
            boolean isPublic = r.handler().hasMethodAnnotation(PublicEndpoint.class);
            if (scope == null && !isPublic) problems.add(r + ": neither @RequiredScope nor @PublicEndpoint");
            if (scope != null && isPublic) problems.add(r + ": both @RequiredScope and @PublicEndpoint");
            if (isPublic && !pathPublic) problems.add(r + ": @PublicEndpoint but not in PublicRoutes (the filter would demand a key)");
            if (scope != null && pathPublic) problems.add(r + ": has a scope but PublicRoutes lets it through unauthenticated");
            if (scope != null && r.method().equals("*")) problems.add(r + ": scoped routes must name their HTTP methods");
            if (scope != null && r.method().equals("GET") && scope.value() == Scope.WRITE) problems.add(r + ": GET needs read");
            if (scope != null && !r.method().equals("GET") && scope.value() == Scope.READ) {
                problems.add(r + ": a mutation cannot need only read");
            }
        }
        System.out.println(table);
        assertThat(problems).isEmpty();
    }

    @Test
    void thirdPartyHandlersAreOnlyOnPublicPaths() {
        var problems = new TreeSet<String>();
        mapping.getHandlerMethods().forEach((info, h) -> {
            if (h.getBeanType().getName().startsWith("dev.outreach2day.")) return;
            for (String p : info.getPatternValues()) {
                if (!PublicRoutes.isPublic(concrete(p))) problems.add(p + " (" + h.getBeanType().getSimpleName() + ")");
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void everyAuthenticatedRouteAnswers401WithoutAKey() {
        var anonymous = anonymous();
        for (Route r : routes(mapping)) {
            if (r.access().equals("public") || r.method().equals("*")) continue;
            var resp = anonymous.send(r.method(), concrete(r.path()), r.method().equals("GET") || r.method().equals("DELETE") ? null : "{}",
                    r.method().equals("GET") || r.method().equals("DELETE") ? null : "application/json");
            assertThat(resp.status()).as(r.method() + " " + r.path()).isEqualTo(401);
            assertThat(resp.json().get("code").asString()).isEqualTo("AUTH_REQUIRED");
        }
    }
}
