package dev.outreach2day.platform;

/**
 * Port the web layer uses to turn a presented {@code ot2d_…} key into a {@link Caller}. The
 * workspace module implements it, so the platform never depends on a business module.
 */
public interface ApiKeyAuthenticator {

    /** @throws ApiException.Unauthorized when the key is malformed, unknown, expired or revoked */
    Caller authenticate(String presentedKey);
}
