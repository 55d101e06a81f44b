package dev.outreach2day.platform;

import org.springframework.core.Ordered;

/** Where each servlet filter of the request pipeline sits; one place, so modules can slot in. */
public final class FilterOrder {

    private static final int BASE = Ordered.HIGHEST_PRECEDENCE + 100;

    public static final int REQUEST_ID = BASE;
    /** Requests for a workspace domain's web address are redirected before any API handling. */
    public static final int HOST_REDIRECT = BASE + 5;
    public static final int BODY_SIZE = BASE + 10;
    public static final int AUTH = BASE + 20;
    public static final int RATE_LIMIT = BASE + 30;
    public static final int IDEMPOTENCY = BASE + 40;

    private FilterOrder() {}
}
