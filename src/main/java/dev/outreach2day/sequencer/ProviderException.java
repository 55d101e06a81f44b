package dev.outreach2day.sequencer;

import java.time.Duration;

/**
 * A provider call that did not succeed, classified once (in {@link VendorHttp}) so the export
 * runner and the controller decide the same way:
 * <ul>
 *   <li>{@link Kind#AUTH}: 401/403, the key is wrong or lacks a scope; never retried;</li>
 *   <li>{@link Kind#REJECTED}: another 4xx (400, 404, 409, 422 …), the provider refused this request; never retried;</li>
 *   <li>{@link Kind#TRANSIENT}: 429 (with the provider's {@code Retry-After}), 408, 5xx, a timeout or a connection
 *       failure; retried with backoff. {@code ambiguous} when the provider may have acted on the request (5xx,
 *       timeout), so a retry first asks whether the account exists.</li>
 * </ul>
 * The message is the provider's own (or a short description of the I/O failure); it never holds the API key.
 */
final class ProviderException extends RuntimeException {

    enum Kind { AUTH, REJECTED, TRANSIENT }

    private final Kind kind;
    private final int status;
    private final Duration retryAfter;
    private final boolean ambiguous;

    ProviderException(Kind kind, int status, String message, Duration retryAfter, boolean ambiguous) {
        super(message, null, false, false);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
        this.ambiguous = ambiguous;
    }

    Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 when no answer came. */
    int status() {
        return status;
    }

    /** The provider's Retry-After, or null. */
    Duration retryAfter() {
        return retryAfter;
    }

    boolean ambiguous() {
        return ambiguous;
    }

    boolean retryable() {
        return kind == Kind.TRANSIENT;
    }
}
