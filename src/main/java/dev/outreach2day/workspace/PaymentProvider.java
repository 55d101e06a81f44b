package dev.outreach2day.workspace;

import java.time.Instant;

/**
 * Port for "add a payment method": the sandbox (a page this server serves) or Stripe (a hosted
 * Checkout Session in setup mode). Chosen by {@code O2D_PAYMENT_PROVIDER} / the Stripe key.
 */
interface PaymentProvider {

    /** {@code sandbox} or {@code stripe}. */
    String name();

    /**
     * Starts a setup flow for the workspace. {@code sessionId} is our {@code pms_…} id of the
     * flow (put it in the provider's metadata). Returns where the person goes, and how the
     * completion will be recognised (an external id, or the hash of a token in the URL).
     */
    SetupStarted startSetup(long workspaceId, String sessionId);

    /**
     * Starts a one-off payment of {@code amount} (e.g. a domain transfer). {@code checkoutId} is
     * our {@code chk_…} id (put it in the provider's metadata). Same return shape as a setup.
     */
    SetupStarted startCheckout(long workspaceId, String checkoutId, String description, java.math.BigDecimal amount,
            String currency);

    record SetupStarted(String url, String externalId, byte[] tokenHash, Instant expiresAt) {}
}
