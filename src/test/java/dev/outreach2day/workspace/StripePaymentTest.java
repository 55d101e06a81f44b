package dev.outreach2day.workspace;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.platform.O2dProperties;
import dev.outreach2day.workspace.TestTenants.Tenant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Stripe end to end against a WireMock Stripe: the setup call creates (once) the workspace's
 * customer and a Checkout Session in setup mode; the signed {@code checkout.session.completed}
 * webhook attaches the card once; forged deliveries and Stripe failures change nothing.
 */
class StripePaymentTest extends StripePaymentTestSupport {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    O2dProperties props;

    @Test
    void setupCreatesTheCustomerOnceAndACheckoutSessionInSetupMode() {
        Tenant t = newTenant();
        long ws = t.workspaceId();
        StripeIds first = StripeIds.fresh();
        stubCustomerCreate(first, ws);
        stubCheckoutCreate(first, ws);

        Api.Resp resp = api(t).post("/workspaces/" + ws + "/setup_payment_method", null);

        assertThat(resp.status()).as(resp.toString()).isEqualTo(200);
        assertThat(resp.json().get("setup_url").asString()).isEqualTo(first.checkoutUrl());
        assertThat(resp.json().get("provider").asString()).isEqualTo("stripe");

        STRIPE.verify(1, postRequestedFor(urlPathEqualTo("/v1/customers"))
                .withHeader("Authorization", equalTo("Bearer " + SECRET_KEY))
                .withFormParam("metadata[workspace_id]", equalTo(Long.toString(ws))));
        String returnUrl = props.baseUrl() + "/billing/stripe/return";
        STRIPE.verify(1, postRequestedFor(urlPathEqualTo("/v1/checkout/sessions"))
                .withHeader("Authorization", equalTo("Bearer " + SECRET_KEY))
                .withFormParam("mode", equalTo("setup"))
                .withFormParam("customer", equalTo(first.customer()))
                .withFormParam("payment_method_types[0]", equalTo("card"))
                .withFormParam("success_url", equalTo(returnUrl + "?session_id={CHECKOUT_SESSION_ID}"))
                .withFormParam("cancel_url", equalTo(returnUrl + "?canceled=1"))
                .withFormParam("client_reference_id", equalTo(Long.toString(ws)))
                .withFormParam("metadata[workspace_id]", equalTo(Long.toString(ws)))
                .withFormParam("metadata[setup_session_id]", matching("pms_.+")));
        assertThat(jdbc.sql("SELECT customer_id FROM billing_customers WHERE workspace_id = ? AND provider = 'stripe'")
                .param(ws).query(String.class).single()).isEqualTo(first.customer());
        // The session row ties the Checkout Session back to the workspace, with Stripe's expiry.
        assertThat(jdbc.sql("""
                SELECT count(*) FROM payment_setup_sessions
                 WHERE workspace_id = ? AND provider = 'stripe' AND external_id = ? AND token_hash IS NULL
                   AND status = 'open' AND expires_at > now()
                """).param(ws).param(first.checkoutSession()).query(Long.class).single()).isEqualTo(1);

        // A second setup reuses the stored customer: no second POST /v1/customers.
        StripeIds second = new StripeIds(first.customer(), StripeIds.fresh().checkoutSession(), null, null);
        stubCheckoutCreate(second, ws);
        Api.Resp again = api(t).post("/workspaces/" + ws + "/setup_payment_method", null);

        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.json().get("setup_url").asString()).isEqualTo(second.checkoutUrl());
        STRIPE.verify(1, postRequestedFor(urlPathEqualTo("/v1/customers")));
        STRIPE.verify(2, postRequestedFor(urlPathEqualTo("/v1/checkout/sessions"))
                .withFormParam("customer", equalTo(first.customer())));
    }

    @Test
    void signedCompletedEventAttachesTheCardAndMakesItTheCustomersDefault() {
        Tenant t = newTenant();
        StripeIds ids = startSetup(t);
        stubCardRetrieval(ids, t.workspaceId(), "mastercard", "4444", 8, 2031);
        assertThat(paymentMethod(t).get("has_payment_method").asBoolean()).isFalse();

        String eventId = newEventId();
        Api.Resp resp = deliverSigned(completedEvent(eventId, ids, t.workspaceId()));

        assertThat(resp.status()).as(resp.toString()).isEqualTo(200);
        assertThat(resp.json().get("received").asBoolean()).isTrue();
        JsonNode pm = paymentMethod(t);
        assertThat(pm.get("has_payment_method").asBoolean()).isTrue();
        assertThat(pm.get("brand").asString()).isEqualTo("mastercard");
        assertThat(pm.get("last4").asString()).isEqualTo("4444");
        assertThat(pm.get("exp_month").asInt()).isEqualTo(8);
        assertThat(pm.get("exp_year").asInt()).isEqualTo(2031);

        STRIPE.verify(1, getRequestedFor(urlPathEqualTo("/v1/setup_intents/" + ids.setupIntent()))
                .withHeader("Authorization", equalTo("Bearer " + SECRET_KEY)));
        STRIPE.verify(1, getRequestedFor(urlPathEqualTo("/v1/payment_methods/" + ids.paymentMethod())));
        STRIPE.verify(1, postRequestedFor(urlPathEqualTo("/v1/customers/" + ids.customer()))
                .withFormParam("invoice_settings[default_payment_method]", equalTo(ids.paymentMethod())));
        assertThat(jdbc.sql("SELECT external_id FROM payment_methods WHERE workspace_id = ?").param(t.workspaceId())
                .query(String.class).single()).isEqualTo(ids.paymentMethod());
        assertThat(jdbc.sql("SELECT status FROM payment_setup_sessions WHERE provider = 'stripe' AND external_id = ?")
                .param(ids.checkoutSession()).query(String.class).single()).isEqualTo("completed");
    }

    @Test
    void theSameEventDeliveredTwiceIsAppliedOnce() {
        Tenant t = newTenant();
        StripeIds ids = startSetup(t);
        stubCardRetrieval(ids, t.workspaceId(), "visa", "1881", 3, 2030);
        String eventId = newEventId();
        String payload = completedEvent(eventId, ids, t.workspaceId());

        assertThat(deliverSigned(payload).status()).isEqualTo(200);
        // Were it applied again, the workspace would now get this other card.
        stubCardRetrieval(ids, t.workspaceId(), "amex", "0005", 1, 2029);
        Api.Resp second = deliverSigned(payload);

        assertThat(second.status()).as(second.toString()).isEqualTo(200);
        assertThat(second.json().get("received").asBoolean()).isTrue();
        assertThat(paymentMethod(t).get("last4").asString()).isEqualTo("1881");
        STRIPE.verify(1, getRequestedFor(urlPathEqualTo("/v1/setup_intents/" + ids.setupIntent())));
        STRIPE.verify(1, postRequestedFor(urlPathEqualTo("/v1/customers/" + ids.customer())));
        assertThat(jdbc.sql("SELECT count(*) FROM billing_events WHERE provider = 'stripe' AND event_id = ?").param(eventId)
                .query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void forgedOrStaleDeliveriesAreRejectedAndChangeNothing() {
        Tenant t = newTenant();
        StripeIds ids = startSetup(t);
        stubCardRetrieval(ids, t.workspaceId(), "visa", "4242", 12, 2032);
        String payload = completedEvent(newEventId(), ids, t.workspaceId());
        long now = now();

        // Signed with another endpoint's secret.
        assertSignatureInvalid(deliver(payload, signature(payload, "whsec_someone_else", now)));
        // Signed correctly, then altered in transit (another card's session).
        String tampered = payload.replace(ids.checkoutSession(), StripeIds.fresh().checkoutSession());
        assertSignatureInvalid(deliver(tampered, signature(payload, WEBHOOK_SECRET, now)));
        // A correct signature replayed after the 300 s tolerance.
        assertSignatureInvalid(deliver(payload, signature(payload, WEBHOOK_SECRET, now - 600)));
        // No scheme v1 at all / garbage header.
        assertSignatureInvalid(deliver(payload, "t=" + now + ",v0=abc"));
        assertSignatureInvalid(deliver(payload, "garbage"));
        // No header.
        assertSignatureInvalid(deliver(payload, null));

        assertThat(paymentMethod(t).get("has_payment_method").asBoolean()).isFalse();
        STRIPE.verify(0, getRequestedFor(anyUrl()));
        assertThat(jdbc.sql("SELECT status FROM payment_setup_sessions WHERE provider = 'stripe' AND external_id = ?")
                .param(ids.checkoutSession()).query(String.class).single()).isEqualTo("open");
    }

    @Test
    void aStripeRefusalOnCheckoutIsAClear503AndWritesNoSession() {
        Tenant t = newTenant();
        StripeIds ids = StripeIds.fresh();
        stubCustomerCreate(ids, t.workspaceId());
        stubCheckoutFailure(402, "invalid_request_error", "account_invalid",
                "Your account cannot currently make live charges.");

        Api.Resp resp = api(t).post("/workspaces/" + t.workspaceId() + "/setup_payment_method", null);

        assertThat(resp.status()).as(resp.toString()).isEqualTo(503);
        assertThat(resp.json().get("code").asString()).isEqualTo("PAYMENT_PROVIDER_ERROR");
        assertThat(resp.json().get("detail").asString()).contains("Stripe").contains("402");
        assertThat(resp.header("Retry-After")).isNotNull();
        assertThat(sessionRows(t)).isZero();
    }

    @Test
    void aStripeOutageOnCheckoutIsA503WithoutRetryStorm() {
        Tenant t = newTenant();
        StripeIds ids = StripeIds.fresh();
        stubCustomerCreate(ids, t.workspaceId());
        stubCheckoutFailure(500, "api_error", null, "An unknown error occurred");

        Api.Resp resp = api(t).post("/workspaces/" + t.workspaceId() + "/setup_payment_method", null);

        assertThat(resp.status()).as(resp.toString()).isEqualTo(503);
        assertThat(resp.json().get("code").asString()).isEqualTo("PAYMENT_PROVIDER_ERROR");
        assertThat(sessionRows(t)).isZero();
        // Stripe-Should-Retry: false is honoured: one attempt, not three.
        STRIPE.verify(1, postRequestedFor(urlPathEqualTo("/v1/checkout/sessions")));
    }

    @Test
    void aStripeFailureWhileReadingTheCardAsksStripeToRedeliverAndTheRedeliveryApplies() {
        Tenant t = newTenant();
        StripeIds ids = startSetup(t);
        // No stubs for the setup intent: WireMock answers 404, Stripe's answer for an unknown object.
        String eventId = newEventId();
        String payload = completedEvent(eventId, ids, t.workspaceId());

        Api.Resp failed = deliverSigned(payload);

        assertThat(failed.status()).as(failed.toString()).isEqualTo(503);
        assertThat(failed.json().get("code").asString()).isEqualTo("PAYMENT_PROVIDER_ERROR");
        assertThat(paymentMethod(t).get("has_payment_method").asBoolean()).isFalse();
        assertThat(jdbc.sql("SELECT count(*) FROM billing_events WHERE event_id = ?").param(eventId).query(Long.class)
                .single()).isZero();

        stubCardRetrieval(ids, t.workspaceId(), "visa", "0077", 2, 2033);
        Api.Resp retried = deliverSigned(payload);

        assertThat(retried.status()).as(retried.toString()).isEqualTo(200);
        assertThat(paymentMethod(t).get("last4").asString()).isEqualTo("0077");
    }

    @Test
    void otherEventsAndForeignSessionsAreAcknowledgedAndIgnored() {
        Tenant t = newTenant();
        StripeIds ids = startSetup(t);
        stubCardRetrieval(ids, t.workspaceId(), "visa", "4242", 12, 2032);

        // Another event type, correctly signed.
        Api.Resp other = deliverSigned(event(newEventId(), "customer.updated",
                customerJson(ids, t.workspaceId(), ids.paymentMethod())));
        assertThat(other.status()).as(other.toString()).isEqualTo(200);
        assertThat(other.json().get("received").asBoolean()).isTrue();

        // A completed setup session this server never started (same Stripe account, another app).
        StripeIds foreign = StripeIds.fresh();
        Api.Resp notOurs = deliverSigned(completedEvent(newEventId(), foreign, t.workspaceId()));
        assertThat(notOurs.status()).as(notOurs.toString()).isEqualTo(200);

        assertThat(paymentMethod(t).get("has_payment_method").asBoolean()).isFalse();
        STRIPE.verify(0, getRequestedFor(anyUrl()));
        STRIPE.verify(0, postRequestedFor(urlPathEqualTo("/v1/customers/" + ids.customer())));
    }

    @Test
    void theReturnPageIsPublicAndSaysWhatHappened() {
        Api.Resp done = anonymous().get("/billing/stripe/return?session_id=cs_test_whatever");
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.header("Content-Type")).startsWith("text/html");
        assertThat(done.body()).contains("Payment method received; you can close this page");

        Api.Resp canceled = anonymous().get("/billing/stripe/return?canceled=1");
        assertThat(canceled.status()).isEqualTo(200);
        assertThat(canceled.body()).contains("canceled");
        STRIPE.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void theWebhookNeedsNoApiKeyAndIgnoresABogusOne() {
        // Stripe sends no API key; the signature alone authorises, and a stray bad key is not checked.
        String payload = event(newEventId(), "customer.created", customerJson(StripeIds.fresh(), 1, null));
        Api.Resp resp = new Api(baseUrl(), "ot2d_not_a_real_key").withHeader("Stripe-Signature", signature(payload, WEBHOOK_SECRET, now()))
                .send("POST", "/billing/stripe/webhook", payload, "application/json");
        assertThat(resp.status()).as(resp.toString()).isEqualTo(200);
        assertThat(resp.json().get("received").asBoolean()).isTrue();
    }

    // --- helpers ---

    /** Runs a setup through the API against fresh stubs, so the Checkout Session is one of ours. */
    private StripeIds startSetup(Tenant t) {
        StripeIds ids = StripeIds.fresh();
        stubCustomerCreate(ids, t.workspaceId());
        stubCheckoutCreate(ids, t.workspaceId());
        Api.Resp resp = api(t).post("/workspaces/" + t.workspaceId() + "/setup_payment_method", null);
        assertThat(resp.status()).as(resp.toString()).isEqualTo(200);
        STRIPE.resetRequests();
        return ids;
    }

    private JsonNode paymentMethod(Tenant t) {
        Api.Resp resp = api(t).get("/workspaces/" + t.workspaceId() + "/payment_method");
        assertThat(resp.status()).as(resp.toString()).isEqualTo(200);
        return resp.json();
    }

    private long sessionRows(Tenant t) {
        return jdbc.sql("SELECT count(*) FROM payment_setup_sessions WHERE workspace_id = ?").param(t.workspaceId())
                .query(Long.class).single();
    }

    private static void assertSignatureInvalid(Api.Resp resp) {
        assertThat(resp.status()).as(resp.toString()).isEqualTo(400);
        assertThat(resp.json().get("code").asString()).isEqualTo("SIGNATURE_INVALID");
        assertThat(resp.json().get("detail").asString()).isNotBlank();
    }
}
