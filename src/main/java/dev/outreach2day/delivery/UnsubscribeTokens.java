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
import org.springframework.stereotype.Component;

/**
 * Unsubscribe links: {@code <workspace>.<contact id>.<campaign id>} with an HMAC under a server
 * secret, URL-safe. Not guessable, not forgeable, and naming exactly one contact.
 */
@Component
class UnsubscribeTokens {

    record Target(long workspaceId, String contactId, String campaignId) {}

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final SecretKeySpec key;

    UnsubscribeTokens(PlatformSecrets secrets) {
        this.key = new SecretKeySpec(secrets.get("unsubscribe-hmac"), "HmacSHA256");
    }

    String token(long workspaceId, String contactId, String campaignId) {
        String payload = workspaceId + "." + contactId + "." + campaignId;
        return B64.encodeToString(payload.getBytes(StandardCharsets.US_ASCII)) + "." + B64.encodeToString(mac(payload));
    }

    Optional<Target> verify(String token) {
        try {
            int dot = token.lastIndexOf('.');
            if (dot <= 0) return Optional.empty();
            String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.US_ASCII);
            byte[] mac = Base64.getUrlDecoder().decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(mac, mac(payload))) return Optional.empty();
            String[] parts = payload.split("\\.", 3);
            if (parts.length != 3) return Optional.empty();
            return Optional.of(new Target(Long.parseLong(parts[0]), parts[1], parts[2]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(String payload) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return Arrays.copyOf(m.doFinal(payload.getBytes(StandardCharsets.US_ASCII)), 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
