package dev.outreach2day.workspace;

import dev.outreach2day.platform.O2dProperties;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Base64;
import org.springframework.stereotype.Component;

/**
 * Sandbox payments: the setup URL is a page of this server with a single-use token; a person
 * opens it, confirms, and the workspace gets a test card (Visa •••• 4242). Nothing leaves the
 * machine.
 */
@Component
class SandboxPaymentProvider implements PaymentProvider {

    static final Duration TOKEN_VALIDITY = Duration.ofHours(24);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final O2dProperties props;
    private final Clock clock;

    SandboxPaymentProvider(O2dProperties props, Clock clock) {
        this.props = props;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "sandbox";
    }

    @Override
    public SetupStarted startSetup(long workspaceId, String sessionId) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        return new SetupStarted(props.baseUrl() + "/billing/sandbox/setup/" + token, null, hashToken(token),
                clock.instant().plus(TOKEN_VALIDITY));
    }

    @Override
    public SetupStarted startCheckout(long workspaceId, String checkoutId, String description, java.math.BigDecimal amount,
            String currency) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        return new SetupStarted(props.baseUrl() + "/billing/sandbox/checkout/" + token, null, hashToken(token),
                clock.instant().plus(TOKEN_VALIDITY));
    }

    /** The card a confirmed sandbox setup attaches: a well-known test card, valid for three years. */
    WorkspaceRepository.PaymentMethodRow testCard() {
        int year = clock.instant().atZone(ZoneOffset.UTC).getYear() + 3;
        return new WorkspaceRepository.PaymentMethodRow("sandbox", null, "visa", "4242", 12, year);
    }

    static byte[] hashToken(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
