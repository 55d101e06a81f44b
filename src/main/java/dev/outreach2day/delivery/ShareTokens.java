package dev.outreach2day.delivery;

import dev.outreach2day.platform.PlatformSecrets;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Share links of a campaign's stats page: a signed {@code <workspace>.<campaign id>.<expiry epoch
 * seconds>} under its own server secret (so no other kind of token of this server is accepted
 * here). Changing any part — the campaign, the expiry — breaks the signature.
 */
@Component
class ShareTokens {

    record Target(long workspaceId, String campaignId, Instant expiresAt) {}

    private final SignedTokens tokens;

    ShareTokens(PlatformSecrets secrets) {
        this.tokens = new SignedTokens(secrets, "campaign-share-hmac");
    }

    String token(long workspaceId, String campaignId, Instant expiresAt) {
        return tokens.sign(workspaceId + "." + campaignId + "." + expiresAt.getEpochSecond());
    }

    /** The target of a genuine token, expired or not; empty for anything forged, altered or malformed. */
    Optional<Target> verify(String token) {
        // only the exact text handed out: base64 has spellings that decode alike (unused trailing bits)
        return tokens.verify(token).filter(payload -> java.security.MessageDigest.isEqual(
                tokens.sign(payload).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                token.getBytes(java.nio.charset.StandardCharsets.US_ASCII))).flatMap(payload -> {
            String[] parts = payload.split("\\.", -1);
            try {
                return parts.length == 3 && !parts[1].isEmpty()
                        ? Optional.of(new Target(Long.parseLong(parts[0]), parts[1], Instant.ofEpochSecond(Long.parseLong(parts[2]))))
                        : Optional.empty();
            } catch (NumberFormatException | java.time.DateTimeException e) {
                return Optional.empty();
            }
        });
    }
}
