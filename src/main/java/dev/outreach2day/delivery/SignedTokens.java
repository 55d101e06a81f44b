package dev.outreach2day.delivery;

import dev.outreach2day.platform.PlatformSecrets;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * URL-safe tokens for links in emails: {@code base64url(payload).base64url(HMAC-SHA256[0..16])}
 * under a server secret shared by every process. Not forgeable; the payload is not secret.
 */
final class SignedTokens {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final SecretKeySpec key;

    SignedTokens(PlatformSecrets secrets, String secretName) {
        this.key = new SecretKeySpec(secrets.get(secretName), "HmacSHA256");
    }

    String sign(String payload) {
        return B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(mac(payload));
    }

    /** The payload of a genuine token; empty for anything forged, altered or malformed. */
    Optional<String> verify(String token) {
        try {
            int dot = token.lastIndexOf('.');
            if (dot <= 0) return Optional.empty();
            String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8);
            return MessageDigest.isEqual(Base64.getUrlDecoder().decode(token.substring(dot + 1)), mac(payload))
                    ? Optional.of(payload) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Initialised MACs to reuse (a Mac is not thread-safe; doFinal resets it for the next use). */
    private final java.util.concurrent.ConcurrentLinkedQueue<Mac> macs = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private byte[] mac(String payload) {
        Mac m = macs.poll();
        try {
            if (m == null) {
                m = Mac.getInstance("HmacSHA256");
                m.init(key);
            }
            byte[] out = Arrays.copyOf(m.doFinal(payload.getBytes(StandardCharsets.UTF_8)), 16);
            if (macs.size() < 64) macs.offer(m);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
