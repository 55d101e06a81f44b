package dev.outreach2day.workspace;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests that run the server with Stripe switched on, against a WireMock stand-in
 * for {@code api.stripe.com}. Every subclass shares this one extra Spring context (same property
 * sources) and the one stub server; each test resets the stubs and uses fresh Stripe ids, since
 * the database is shared.
 */
abstract class StripePaymentTestSupport extends IntegrationTest {

    static final String SECRET_KEY = "sk_test_123";
    static final String WEBHOOK_SECRET = "whsec_test_0utreach2day";

    /** Started before the Spring context reads its URL; lives as long as the cached context (the JVM). */
    static final WireMockServer STRIPE = startStripe();

    private static WireMockServer startStripe() {
        var server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        return server;
    }

    @DynamicPropertySource
    static void stripe(DynamicPropertyRegistry registry) {
        registry.add("o2d.payment.stripe-secret-key", () -> SECRET_KEY);
        registry.add("o2d.payment.stripe-webhook-secret", () -> WEBHOOK_SECRET);
        registry.add("o2d.payment.stripe-api-url", () -> "http://127.0.0.1:" + STRIPE.port());
    }

    @BeforeEach
    void resetStripe() {
        STRIPE.resetAll();
    }

    /** The ids one setup flow uses in Stripe, unique per test. */
    record StripeIds(String customer, String checkoutSession, String setupIntent, String paymentMethod) {
        static StripeIds fresh() {
            String n = UUID.randomUUID().toString().replace("-", "").substring(0, 20);
            return new StripeIds("cus_" + n, "cs_test_a1" + n, "seti_1" + n, "pm_1" + n);
        }

        String checkoutUrl() {
            return "https://checkout.stripe.com/c/pay/" + checkoutSession + "#fidkdWxOYHwnPyd1blpxYHZxWjA0";
        }
    }

    // --- Stripe API stubs, in the documented object shapes (fields we do not read trimmed) ---

    static void stubCustomerCreate(StripeIds ids, long workspaceId) {
        STRIPE.stubFor(post(urlPathEqualTo("/v1/customers")).willReturn(okJson(customerJson(ids, workspaceId, null))));
    }

    static void stubCheckoutCreate(StripeIds ids, long workspaceId) {
        STRIPE.stubFor(post(urlPathEqualTo("/v1/checkout/sessions"))
                .willReturn(okJson(checkoutSessionJson(ids, workspaceId, "open", null))));
    }

    static void stubCardRetrieval(StripeIds ids, long workspaceId, String brand, String last4, int expMonth, int expYear) {
        STRIPE.stubFor(get(urlPathEqualTo("/v1/setup_intents/" + ids.setupIntent())).willReturn(okJson("""
                {
                  "id": "%s",
                  "object": "setup_intent",
                  "application": null,
                  "cancellation_reason": null,
                  "client_secret": "%s_secret_test",
                  "created": %d,
                  "customer": "%s",
                  "description": null,
                  "last_setup_error": null,
                  "latest_attempt": "setatt_1test",
                  "livemode": false,
                  "mandate": null,
                  "metadata": {},
                  "next_action": null,
                  "on_behalf_of": null,
                  "payment_method": "%s",
                  "payment_method_options": {"card": {"mandate_options": null, "network": null, "request_three_d_secure": "automatic"}},
                  "payment_method_types": ["card"],
                  "single_use_mandate": null,
                  "status": "succeeded",
                  "usage": "off_session"
                }
                """.formatted(ids.setupIntent(), ids.setupIntent(), now(), ids.customer(), ids.paymentMethod()))));
        STRIPE.stubFor(get(urlPathEqualTo("/v1/payment_methods/" + ids.paymentMethod())).willReturn(okJson("""
                {
                  "id": "%s",
                  "object": "payment_method",
                  "allow_redisplay": "always",
                  "billing_details": {
                    "address": {"city": null, "country": "DE", "line1": null, "line2": null, "postal_code": null, "state": null},
                    "email": "owner@example.com",
                    "name": "Ada Lovelace",
                    "phone": null
                  },
                  "card": {
                    "brand": "%s",
                    "checks": {"address_line1_check": null, "address_postal_code_check": null, "cvc_check": "pass"},
                    "country": "US",
                    "display_brand": "%s",
                    "exp_month": %d,
                    "exp_year": %d,
                    "fingerprint": "Xt5EWLLDS7FJjR1c",
                    "funding": "credit",
                    "generated_from": null,
                    "last4": "%s",
                    "networks": {"available": ["%s"], "preferred": null},
                    "three_d_secure_usage": {"supported": true},
                    "wallet": null
                  },
                  "created": %d,
                  "customer": "%s",
                  "livemode": false,
                  "metadata": {},
                  "type": "card"
                }
                """.formatted(ids.paymentMethod(), brand, brand, expMonth, expYear, last4, brand, now(), ids.customer()))));
        STRIPE.stubFor(post(urlPathEqualTo("/v1/customers/" + ids.customer()))
                .willReturn(okJson(customerJson(ids, workspaceId, ids.paymentMethod()))));
    }

    /** Stripe's error envelope, e.g. a 402 or a 500; {@code Stripe-Should-Retry: false} as Stripe sends for final answers. */
    static void stubCheckoutFailure(int status, String type, String code, String message) {
        STRIPE.stubFor(post(urlPathEqualTo("/v1/checkout/sessions")).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withHeader("Request-Id", "req_test" + status)
                .withHeader("Stripe-Should-Retry", "false")
                .withBody("""
                        {
                          "error": {
                            "code": %s,
                            "doc_url": "https://stripe.com/docs/error-codes",
                            "message": "%s",
                            "request_log_url": "https://dashboard.stripe.com/test/logs/req_test%d",
                            "type": "%s"
                          }
                        }
                        """.formatted(code == null ? "null" : "\"" + code + "\"", message, status, type))));
    }

    static String customerJson(StripeIds ids, long workspaceId, String defaultPaymentMethod) {
        return """
                {
                  "id": "%s",
                  "object": "customer",
                  "address": null,
                  "balance": 0,
                  "created": %d,
                  "currency": null,
                  "default_source": null,
                  "delinquent": false,
                  "description": "Outreach2day workspace %d",
                  "email": null,
                  "invoice_prefix": "7D3A1B2C",
                  "invoice_settings": {
                    "custom_fields": null,
                    "default_payment_method": %s,
                    "footer": null,
                    "rendering_options": null
                  },
                  "livemode": false,
                  "metadata": {"workspace_id": "%d"},
                  "name": null,
                  "phone": null,
                  "preferred_locales": [],
                  "shipping": null,
                  "tax_exempt": "none",
                  "test_clock": null
                }
                """.formatted(ids.customer(), now(), workspaceId,
                defaultPaymentMethod == null ? "null" : "\"" + defaultPaymentMethod + "\"", workspaceId);
    }

    /** A Checkout Session in setup mode: {@code open} when created, {@code complete} in the webhook event. */
    static String checkoutSessionJson(StripeIds ids, long workspaceId, String status, String setupSessionId) {
        boolean complete = status.equals("complete");
        return """
                {
                  "id": "%s",
                  "object": "checkout.session",
                  "cancel_url": "http://localhost/billing/stripe/return?canceled=1",
                  "client_reference_id": "%d",
                  "created": %d,
                  "currency": null,
                  "customer": "%s",
                  "customer_email": null,
                  "expires_at": %d,
                  "livemode": false,
                  "locale": null,
                  "metadata": {"workspace_id": "%d", "setup_session_id": "%s"},
                  "mode": "setup",
                  "payment_intent": null,
                  "payment_method_types": ["card"],
                  "payment_status": "no_payment_required",
                  "setup_intent": %s,
                  "status": "%s",
                  "subscription": null,
                  "success_url": "http://localhost/billing/stripe/return?session_id={CHECKOUT_SESSION_ID}",
                  "ui_mode": "hosted",
                  "url": %s
                }
                """.formatted(ids.checkoutSession(), workspaceId, now(), ids.customer(), now() + 86_400, workspaceId,
                setupSessionId == null ? "pms_unknown" : setupSessionId,
                complete ? "\"" + ids.setupIntent() + "\"" : "null", status,
                complete ? "null" : "\"" + ids.checkoutUrl() + "\"");
    }

    /** A {@code checkout.session.completed} event, pinned to the API version of the stripe-java in use. */
    static String completedEvent(String eventId, StripeIds ids, long workspaceId) {
        return event(eventId, "checkout.session.completed", checkoutSessionJson(ids, workspaceId, "complete", null));
    }

    static String event(String eventId, String type, String objectJson) {
        return """
                {
                  "id": "%s",
                  "object": "event",
                  "api_version": "%s",
                  "created": %d,
                  "data": {"object": %s},
                  "livemode": false,
                  "pending_webhooks": 1,
                  "request": {"id": null, "idempotency_key": null},
                  "type": "%s"
                }
                """.formatted(eventId, com.stripe.Stripe.API_VERSION, now(), objectJson, type);
    }

    static String newEventId() {
        return "evt_1" + UUID.randomUUID().toString().replace("-", "").substring(0, 22);
    }

    /** {@code Stripe-Signature} as Stripe computes it: HMAC-SHA256 of {@code "<t>.<payload>"} with the endpoint secret. */
    static String signature(String payload, String secret, long timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] sig = mac.doFinal((timestamp + "." + payload).getBytes(StandardCharsets.UTF_8));
            return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    Api.Resp deliver(String payload, String signatureHeader) {
        // The headers Stripe's webhook deliveries carry (its Accept includes application/xml).
        Api client = anonymous().withHeader("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
                .withHeader("Accept", "*/*; q=0.5, application/xml");
        if (signatureHeader != null) {
            client = client.withHeader("Stripe-Signature", signatureHeader);
        }
        return client.send("POST", "/billing/stripe/webhook", payload, "application/json; charset=utf-8");
    }

    Api.Resp deliverSigned(String payload) {
        return deliver(payload, signature(payload, WEBHOOK_SECRET, now()));
    }

    static long now() {
        return Instant.now().getEpochSecond();
    }
}
