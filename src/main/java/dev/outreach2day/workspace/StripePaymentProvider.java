package dev.outreach2day.workspace;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.Event;
import com.stripe.model.PaymentMethod;
import com.stripe.model.SetupIntent;
import com.stripe.model.checkout.Session;
import com.stripe.net.Webhook;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerUpdateParams;
import com.stripe.param.checkout.SessionCreateParams;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.O2dProperties;
import dev.outreach2day.workspace.WorkspaceRepository.PaymentMethodRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Stripe payments: the setup URL is a hosted Checkout Session in {@code setup} mode for the
 * workspace's Stripe Customer; Stripe reports the saved card through the signed
 * {@code checkout.session.completed} webhook ({@link StripeWebhookController}).
 *
 * <p>Exists only when {@code O2D_STRIPE_SECRET_KEY} is set (non-blank). It talks to Stripe through
 * its own {@link StripeClient}, never the library's global static key, so the API base can point
 * at a stub in tests and nothing else in the JVM is affected.
 */
@Component
@Conditional(StripePaymentProvider.SecretKeySet.class)
class StripePaymentProvider implements PaymentProvider {

    private static final Logger log = LoggerFactory.getLogger(StripePaymentProvider.class);

    /** The property that switches Stripe on; an empty value (the default in application.yml) is "not set". */
    static final String SECRET_KEY_PROPERTY = "o2d.payment.stripe-secret-key";

    /** Stripe's own default lifetime of a Checkout Session, used if a response ever lacks expires_at. */
    private static final Duration DEFAULT_SESSION_VALIDITY = Duration.ofHours(24);

    private static final String FIND_CUSTOMER = """
            SELECT customer_id FROM billing_customers WHERE workspace_id = :workspaceId AND provider = 'stripe'
            """;

    /**
     * Two concurrent first setups may both create a Stripe customer; the first row wins and the
     * other customer stays unused in Stripe (harmless, and rarer than a lock would be costly).
     */
    private static final String INSERT_CUSTOMER = """
            INSERT INTO billing_customers (workspace_id, provider, customer_id) VALUES (:workspaceId, 'stripe', :customerId)
            ON CONFLICT (workspace_id, provider) DO NOTHING
            """;

    /** Lets a redelivered event skip the Stripe round trips; PaymentService still dedupes authoritatively. */
    private static final String EVENT_SEEN = """
            SELECT EXISTS (SELECT 1 FROM billing_events WHERE provider = 'stripe' AND event_id = :eventId)
            """;

    /** Only sessions this server started are acted on (a Stripe account may serve other apps too). */
    private static final String KNOWN_SESSION = """
            SELECT EXISTS (SELECT 1 FROM payment_setup_sessions WHERE provider = 'stripe' AND external_id = :externalId)
            """;

    private final StripeClient stripe;
    private final O2dProperties props;
    private final JdbcClient jdbc;
    private final Clock clock;

    StripePaymentProvider(O2dProperties props, JdbcClient jdbc, Clock clock) {
        String apiBase = props.payment().stripeApiUrl();
        apiBase = StringUtils.hasText(apiBase) ? StringUtils.trimTrailingCharacter(apiBase.trim(), '/') : "https://api.stripe.com";
        this.stripe = StripeClient.builder()
                .setApiKey(props.payment().stripeSecretKey().trim())
                .setApiBase(apiBase)
                // A person waits on setup_payment_method; fail within seconds rather than Stripe's 80 s default.
                .setConnectTimeout(10_000)
                .setReadTimeout(30_000)
                // Retries only connection failures and responses Stripe marks retryable (Stripe-Should-Retry);
                // the library then sends an idempotency key, so a retried POST creates nothing twice.
                .setMaxNetworkRetries(2)
                .build();
        this.props = props;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "stripe";
    }

    @Override
    public SetupStarted startSetup(long workspaceId, String sessionId) {
        String customerId = customerOf(workspaceId);
        String returnUrl = props.baseUrl() + StripeWebhookController.RETURN_PATH;
        SessionCreateParams params = SessionCreateParams.builder()
                .setMode(SessionCreateParams.Mode.SETUP)
                .setCustomer(customerId)
                // With an explicit payment method type, setup mode needs no currency.
                .addPaymentMethodType(SessionCreateParams.PaymentMethodType.CARD)
                // {CHECKOUT_SESSION_ID} is a Stripe template, filled in on redirect.
                .setSuccessUrl(returnUrl + "?session_id={CHECKOUT_SESSION_ID}")
                .setCancelUrl(returnUrl + "?canceled=1")
                .setClientReferenceId(Long.toString(workspaceId))
                .putMetadata("workspace_id", Long.toString(workspaceId))
                .putMetadata("setup_session_id", sessionId)
                .build();
        Session session = call("start the card setup", () -> stripe.v1().checkout().sessions().create(params));
        Instant expiresAt = session.getExpiresAt() != null ? Instant.ofEpochSecond(session.getExpiresAt())
                : clock.instant().plus(DEFAULT_SESSION_VALIDITY);
        return new SetupStarted(session.getUrl(), session.getId(), null, expiresAt);
    }

    /**
     * A one-off payment: a Checkout Session in payment mode for the workspace's customer (its
     * saved card is offered), one line item priced inline. Completion arrives through the same
     * webhook ({@code checkout.session.completed}, mode payment).
     */
    @Override
    public SetupStarted startCheckout(long workspaceId, String checkoutId, String description, java.math.BigDecimal amount,
            String currency) {
        String customerId = customerOf(workspaceId);
        String returnUrl = props.baseUrl() + StripeWebhookController.RETURN_PATH;
        long minorUnits = amount.movePointRight(2).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
        SessionCreateParams params = SessionCreateParams.builder()
                .setMode(SessionCreateParams.Mode.PAYMENT)
                .setCustomer(customerId)
                // Cards only: a card payment has succeeded when the session completes (payment_status=paid). Without
                // this, Stripe offers the Dashboard's methods, and a delayed one (SEPA, ACH) completes unpaid and is
                // confirmed only by checkout.session.async_payment_succeeded, which is not handled.
                .addPaymentMethodType(SessionCreateParams.PaymentMethodType.CARD)
                .addLineItem(SessionCreateParams.LineItem.builder()
                        .setQuantity(1L)
                        .setPriceData(SessionCreateParams.LineItem.PriceData.builder()
                                .setCurrency(currency.toLowerCase(java.util.Locale.ROOT))
                                .setUnitAmount(minorUnits)
                                .setProductData(SessionCreateParams.LineItem.PriceData.ProductData.builder()
                                        .setName(description).build())
                                .build())
                        .build())
                .setSuccessUrl(returnUrl + "?session_id={CHECKOUT_SESSION_ID}")
                .setCancelUrl(returnUrl + "?canceled=1")
                .setClientReferenceId(Long.toString(workspaceId))
                .putMetadata("workspace_id", Long.toString(workspaceId))
                .putMetadata("checkout_id", checkoutId)
                .build();
        Session session = call("start the checkout", () -> stripe.v1().checkout().sessions().create(params));
        Instant expiresAt = session.getExpiresAt() != null ? Instant.ofEpochSecond(session.getExpiresAt())
                : clock.instant().plus(DEFAULT_SESSION_VALIDITY);
        return new SetupStarted(session.getUrl(), session.getId(), null, expiresAt);
    }

    /** The workspace's Stripe Customer, created on first use and remembered in billing_customers. */
    private String customerOf(long workspaceId) {
        Optional<String> known = jdbc.sql(FIND_CUSTOMER).param("workspaceId", workspaceId).query(String.class).optional();
        if (known.isPresent()) {
            return known.get();
        }
        CustomerCreateParams params = CustomerCreateParams.builder()
                .setDescription("Outreach2day workspace " + workspaceId)
                .putMetadata("workspace_id", Long.toString(workspaceId))
                .build();
        Customer created = call("create the billing customer", () -> stripe.v1().customers().create(params));
        jdbc.sql(INSERT_CUSTOMER).param("workspaceId", workspaceId).param("customerId", created.getId()).update();
        // Re-read: a concurrent first setup may have stored its customer first.
        return jdbc.sql(FIND_CUSTOMER).param("workspaceId", workspaceId).query(String.class).single();
    }

    /** Verifies the {@code Stripe-Signature} (HMAC, 300 s tolerance) and parses the event. */
    Event verifiedEvent(String payload, String signatureHeader, String webhookSecret)
            throws com.stripe.exception.SignatureVerificationException {
        // The client-bound variant makes any object of the event use this client, not the global one.
        return stripe.constructEvent(payload, signatureHeader, webhookSecret, Webhook.DEFAULT_TOLERANCE);
    }

    boolean eventSeen(String eventId) {
        return Boolean.TRUE.equals(jdbc.sql(EVENT_SEEN).param("eventId", eventId).query(Boolean.class).single());
    }

    boolean knownSession(String checkoutSessionId) {
        return Boolean.TRUE.equals(jdbc.sql(KNOWN_SESSION).param("externalId", checkoutSessionId).query(Boolean.class).single());
    }

    /**
     * The card a completed setup saved: reads the SetupIntent and its PaymentMethod, and makes
     * that card the customer's default for invoices (so later charges need no card choice).
     */
    PaymentMethodRow savedCard(String setupIntentId, String sessionCustomerId) {
        SetupIntent intent = call("read the completed setup", () -> stripe.v1().setupIntents().retrieve(setupIntentId));
        String paymentMethodId = intent.getPaymentMethod();
        if (paymentMethodId == null) {
            throw new ApiException.Unavailable("PAYMENT_PROVIDER_ERROR",
                    "Stripe setup " + setupIntentId + " has no payment method yet; retry later");
        }
        PaymentMethod pm = call("read the saved card", () -> stripe.v1().paymentMethods().retrieve(paymentMethodId));
        PaymentMethod.Card card = pm.getCard();
        if (card == null) {
            throw new ApiException.Unavailable("PAYMENT_PROVIDER_ERROR",
                    "Stripe payment method " + paymentMethodId + " is not a card (" + pm.getType() + ")");
        }
        String customerId = sessionCustomerId != null ? sessionCustomerId : intent.getCustomer();
        if (customerId != null) {
            CustomerUpdateParams params = CustomerUpdateParams.builder()
                    .setInvoiceSettings(CustomerUpdateParams.InvoiceSettings.builder()
                            .setDefaultPaymentMethod(paymentMethodId).build())
                    .build();
            call("set the default card", () -> stripe.v1().customers().update(customerId, params));
        }
        return new PaymentMethodRow("stripe", paymentMethodId, card.getBrand(), card.getLast4(),
                Math.toIntExact(card.getExpMonth()), Math.toIntExact(card.getExpYear()));
    }

    @FunctionalInterface
    private interface StripeCall<T> {
        T run() throws StripeException;
    }

    /**
     * Every Stripe failure (refusal, outage, bad key, network) becomes one retryable 503: the
     * caller cannot fix it by changing its request. The details go to the log, not the client.
     */
    private static <T> T call(String what, StripeCall<T> call) {
        try {
            return call.run();
        } catch (StripeException e) {
            log.warn("Stripe failed to {}: HTTP {} code={} request={} {}", what, e.getStatusCode(), e.getCode(),
                    e.getRequestId(), e.getMessage());
            String status = e.getStatusCode() == null ? "no response" : "HTTP " + e.getStatusCode();
            throw new ApiException.Unavailable("PAYMENT_PROVIDER_ERROR",
                    "The payment provider (Stripe) could not " + what + " (" + status
                            + (e.getRequestId() == null ? "" : ", request " + e.getRequestId()) + "); try again later");
        }
    }

    /** Stripe is on only with a non-blank secret key: {@code O2D_STRIPE_SECRET_KEY=} (empty) means off. */
    static final class SecretKeySet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return StringUtils.hasText(context.getEnvironment().getProperty(SECRET_KEY_PROPERTY));
        }
    }
}
