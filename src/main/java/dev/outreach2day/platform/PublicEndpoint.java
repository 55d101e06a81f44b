package dev.outreach2day.platform;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a handler reachable without an API key (tracking links, hosted pages, signed webhooks).
 * Its path must also be in {@code PublicRoutes}; the route-table test checks both agree.
 * {@code why} says what protects it instead.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface PublicEndpoint {
    String why();
}
