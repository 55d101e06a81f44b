package dev.outreach2day.platform;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The scope an authenticated route needs. Every handler method carries either this or
 * {@link PublicEndpoint}; the route-table test fails the build otherwise.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface RequiredScope {
    Scope value();
}
