package dev.outreach2day.delivery;

import dev.outreach2day.platform.PlatformSecrets;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Unsubscribe links: a signed {@code <workspace>.<contact id>.<campaign id>}, naming exactly one contact. */
@Component
class UnsubscribeTokens {

    record Target(long workspaceId, String contactId, String campaignId) {}

    private final SignedTokens tokens;

    UnsubscribeTokens(PlatformSecrets secrets) {
        this.tokens = new SignedTokens(secrets, "unsubscribe-hmac");
    }

    String token(long workspaceId, String contactId, String campaignId) {
        return tokens.sign(workspaceId + "." + contactId + "." + campaignId);
    }

    Optional<Target> verify(String token) {
        return tokens.verify(token).flatMap(payload -> {
            String[] parts = payload.split("\\.", 3);
            try {
                return parts.length == 3 ? Optional.of(new Target(Long.parseLong(parts[0]), parts[1], parts[2])) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }
}
