package dev.outreach2day.workspace;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.outreach2day.Api;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.O2dProperties;
import dev.outreach2day.workspace.TestTenants.Tenant;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * One-off payments (e.g. domain transfers) with Stripe, at the payment layer: {@link
 * Workspaces#startCheckout} creates a Checkout Session in payment mode against the WireMock
 * Stripe, and the signed {@code checkout.session.completed} webhook marks the checkout paid only
 * when Stripe says the money is in ({@code payment_status=paid}).
 */
class StripeCheckoutTest extends StripePaymentTestSupport {

    private static final String DESCRIPTION = "Transfer to Cloudflare Registrar: a.com";

    @Autowired
    Workspaces workspaces;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    O2dProperties props;

    @Test
    void startCheckoutCreatesAPaymentModeSessionWithOneInlinePricedLineItem() {
        Tenant t = newTenant();
        long ws = t.workspaceId();
        StripeIds ids = StripeIds.fresh();
        stubCustomerCreate(ids, ws);
        stubPaymentCheckoutCreate(ids, ws);

        Workspaces.Checkout checkout = workspaces.startCheckout(ws, "ref", DESCRIPTION, new BigDecimal("19.54"), "USD");

        assertThat(checkout.id()).matches("chk_[0-9a-z]{26}");
        assertThat(checkout.url()).isEqualTo(ids.checkoutUrl());
        STRIPE.verify(1, postRequestedFor(urlPathEqualTo("/v1/customers"))
                .withFormParam("metadata[workspace_id]", equalTo(Long.toString(ws))));

        // The exact form Stripe receives: nothing more, nothing less.
        List<LoggedRequest> creates = STRIPE.findAll(postRequestedFor(urlPathEqualTo("/v1/checkout/sessions")));
        assertThat(creates).hasSize(1);
        LoggedRequest create = creates.getFirst();
        assertThat(create.getHeader("Authorization")).isEqualTo("Bearer " + SECRET_KEY);
        String returnUrl = props.baseUrl() + "/billing/stripe/return";
        assertThat(form(create.getBodyAsString())).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("mode", "payment"),
                Map.entry("customer", ids.customer()),
                Map.entry("payment_method_types[0]", "card"),
                Map.entry("line_items[0][quantity]", "1"),
                Map.entry("line_items[0][price_data][currency]", "usd"),
                Map.entry("line_items[0][price_data][unit_amount]", "1954"),
                Map.entry("line_items[0][price_data][product_data][name]", DESCRIPTION),
                Map.entry("success_url", returnUrl + "?session_id={CHECKOUT_SESSION_ID}"),
                Map.entry("cancel_url", returnUrl + "?canceled=1"),
                Map.entry("client_reference_id", Long.toString(ws)),
                Map.entry("metadata[workspace_id]", Long.toString(ws)),
                Map.entry("metadata[checkout_id]", checkout.id())));

        // The row ties the session back to the workspace, with the caller's reference and Stripe's expiry.
        var row = jdbc.sql("""
                SELECT reference, description, amount, currency, provider, external_id, token_hash IS NULL AS no_token,
                       status, expires_at, paid_at
                  FROM payment_checkouts WHERE workspace_id = ? AND id = ?
                """).param(ws).param(checkout.id()).query().singleRow();
        assertThat(row.get("reference")).isEqualTo("ref");
        assertThat(row.get("description")).isEqualTo(DESCRIPTION);
        assertThat((BigDecimal) row.get("amount")).isEqualByComparingTo("19.54");
        assertThat(row.get("currency")).isEqualTo("USD");
        assertThat(row.get("provider")).isEqualTo("stripe");
        assertThat(row.get("external_id")).isEqualTo(ids.checkoutSession());
        assertThat(row.get("no_token")).isEqualTo(true);
        assertThat(row.get("status")).isEqualTo("open");
        assertThat(((Timestamp) row.get("expires_at")).toInstant().getEpochSecond()).isBetween(now() + 86_000, now() + 86_400);
        assertThat(row.get("paid_at")).isNull();
        assertThat(workspaces.checkoutPaid(ws, checkout.id())).isFalse();

        // A second checkout reuses the workspace's customer.
        StripeIds second = new StripeIds(ids.customer(), StripeIds.fresh().checkoutSession(), null, null);
        stubPaymentCheckoutCreate(second, ws);
        Workspaces.Checkout again = workspaces.startCheckout(ws, "ref2", DESCRIPTION, new BigDecimal("9.77"), "USD");
        assertThat(again.url()).isEqualTo(second.checkoutUrl());
        assertThat(again.id()).isNotEqualTo(checkout.id());
        STRIPE.verify(1, postRequestedFor(urlPathEqualTo("/v1/customers")));
        STRIPE.verify(1, postRequestedFor(urlPathEqualTo("/v1/checkout/sessions"))
                .withFormParam("customer", equalTo(ids.customer()))
                .withFormParam("line_items[0][price_data][unit_amount]", equalTo("977"))
                .withFormParam("metadata[checkout_id]", equalTo(again.id())));
    }

    @Test
    void aSignedPaidCompletionMarksTheCheckoutPaidOnceAndARedeliveryIsHarmless() {
        Tenant t = newTenant();
        long ws = t.workspaceId();
        StripeIds ids = StripeIds.fresh();
        Workspaces.Checkout checkout = startCheckout(t, ids);
        assertThat(workspaces.checkoutPaid(ws, checkout.id())).isFalse();

        String payload = event(newEventId(), "checkout.session.completed",
                paymentSessionJson(ids, ws, checkout.id(), "complete", "paid"));
        Api.Resp resp = deliverSigned(payload);

        assertThat(resp.status()).as(resp.toString()).isEqualTo(200);
        assertThat(resp.json().get("received").asBoolean()).isTrue();
        assertThat(workspaces.checkoutPaid(ws, checkout.id())).isTrue();
        Timestamp paidAt = paidAt(ws, checkout.id());
        assertThat(paidAt).isNotNull();

        // Stripe redelivers (at least once): acknowledged, still paid, paid_at untouched.
        Api.Resp again = deliverSigned(payload);

        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.json().get("received").asBoolean()).isTrue();
        assertThat(workspaces.checkoutPaid(ws, checkout.id())).isTrue();
        assertThat(paidAt(ws, checkout.id())).isEqualTo(paidAt);
        // A payment-mode completion needs nothing more from Stripe.
        STRIPE.verify(0, anyRequestedFor(anyUrl()));
        // Nothing of the card-setup flow is touched.
        assertThat(workspaces.hasPaymentMethod(ws)).isFalse();
    }

    @Test
    void aCompletionWhoseMoneyIsNotInYetDoesNotMarkItPaid() {
        Tenant t = newTenant();
        long ws = t.workspaceId();
        StripeIds ids = StripeIds.fresh();
        Workspaces.Checkout checkout = startCheckout(t, ids);

        // payment_status=unpaid: the session completed but the payment is still pending (delayed methods).
        Api.Resp resp = deliverSigned(event(newEventId(), "checkout.session.completed",
                paymentSessionJson(ids, ws, checkout.id(), "complete", "unpaid")));

        assertThat(resp.status()).as(resp.toString()).isEqualTo(200);
        assertThat(resp.json().get("received").asBoolean()).isTrue();
        assertThat(workspaces.checkoutPaid(ws, checkout.id())).isFalse();
        assertThat(status(ws, checkout.id())).isEqualTo("open");
        assertThat(paidAt(ws, checkout.id())).isNull();
        STRIPE.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aForgedPaidCompletionIsRejectedAndChangesNothing() {
        Tenant t = newTenant();
        long ws = t.workspaceId();
        StripeIds ids = StripeIds.fresh();
        Workspaces.Checkout checkout = startCheckout(t, ids);
        String payload = event(newEventId(), "checkout.session.completed",
                paymentSessionJson(ids, ws, checkout.id(), "complete", "paid"));

        Api.Resp forged = deliver(payload, signature(payload, "whsec_someone_else", now()));

        assertThat(forged.status()).as(forged.toString()).isEqualTo(400);
        assertThat(forged.json().get("code").asString()).isEqualTo("SIGNATURE_INVALID");
        assertThat(workspaces.checkoutPaid(ws, checkout.id())).isFalse();
        assertThat(status(ws, checkout.id())).isEqualTo("open");
        // An unpaid completion signed correctly, then altered in transit to read "paid".
        String unpaid = event(newEventId(), "checkout.session.completed",
                paymentSessionJson(ids, ws, checkout.id(), "complete", "unpaid"));
        String tampered = unpaid.replace("\"payment_status\": \"unpaid\"", "\"payment_status\": \"paid\"");
        assertThat(tampered).isNotEqualTo(unpaid);

        Api.Resp altered = deliver(tampered, signature(unpaid, WEBHOOK_SECRET, now()));

        assertThat(altered.status()).as(altered.toString()).isEqualTo(400);
        assertThat(altered.json().get("code").asString()).isEqualTo("SIGNATURE_INVALID");
        assertThat(workspaces.checkoutPaid(ws, checkout.id())).isFalse();
        assertThat(status(ws, checkout.id())).isEqualTo("open");
    }

    @Test
    void aPaidCompletionOfASessionThisServerNeverStartedIsAcknowledgedAndChangesNothing() {
        Tenant t = newTenant();
        long ws = t.workspaceId();
        StripeIds ids = StripeIds.fresh();
        Workspaces.Checkout checkout = startCheckout(t, ids);
        // Same Stripe account, another app's (or another server's) payment: even the metadata names our checkout.
        StripeIds foreign = new StripeIds(ids.customer(), StripeIds.fresh().checkoutSession(), null, null);

        Api.Resp resp = deliverSigned(event(newEventId(), "checkout.session.completed",
                paymentSessionJson(foreign, ws, checkout.id(), "complete", "paid")));

        assertThat(resp.status()).as(resp.toString()).isEqualTo(200);
        assertThat(resp.json().get("received").asBoolean()).isTrue();
        assertThat(workspaces.checkoutPaid(ws, checkout.id())).isFalse();
        assertThat(jdbc.sql("SELECT count(*) FROM payment_checkouts WHERE workspace_id = ? AND status <> 'open'").param(ws)
                .query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM payment_checkouts WHERE provider = 'stripe' AND external_id = ?")
                .param(foreign.checkoutSession()).query(Long.class).single()).isZero();
        STRIPE.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aStripeErrorOnSessionCreateIsAnUnavailablePaymentProviderErrorAndWritesNoCheckout() {
        Tenant t = newTenant();
        long ws = t.workspaceId();
        StripeIds ids = StripeIds.fresh();
        stubCustomerCreate(ids, ws);
        stubCheckoutFailure(402, "invalid_request_error", "account_invalid",
                "Your account cannot currently make live charges.");

        // ErrorAdvice answers an ApiException.Unavailable with 503 (see StripePaymentTest for the HTTP side).
        assertThatThrownBy(() -> workspaces.startCheckout(ws, "ref", DESCRIPTION, new BigDecimal("19.54"), "USD"))
                .isInstanceOfSatisfying(ApiException.Unavailable.class, e -> {
                    assertThat(e.code()).isEqualTo("PAYMENT_PROVIDER_ERROR");
                    assertThat(e.getMessage()).contains("Stripe").contains("402").contains("req_test402");
                });

        assertThat(jdbc.sql("SELECT count(*) FROM payment_checkouts WHERE workspace_id = ?").param(ws).query(Long.class)
                .single()).isZero();
        // Stripe-Should-Retry: false is honoured: one attempt.
        STRIPE.verify(1, postRequestedFor(urlPathEqualTo("/v1/checkout/sessions")));
    }

    // --- helpers ---

    /** Starts a checkout against fresh stubs, so the Checkout Session is one of ours; forgets those requests. */
    private Workspaces.Checkout startCheckout(Tenant t, StripeIds ids) {
        stubCustomerCreate(ids, t.workspaceId());
        stubPaymentCheckoutCreate(ids, t.workspaceId());
        Workspaces.Checkout checkout = workspaces.startCheckout(t.workspaceId(), "ref", DESCRIPTION, new BigDecimal("19.54"),
                "USD");
        assertThat(checkout.url()).isEqualTo(ids.checkoutUrl());
        STRIPE.resetRequests();
        return checkout;
    }

    private static void stubPaymentCheckoutCreate(StripeIds ids, long workspaceId) {
        // The checkout id is only known to the caller; the created session's metadata is not read back.
        STRIPE.stubFor(post(urlPathEqualTo("/v1/checkout/sessions"))
                .willReturn(okJson(paymentSessionJson(ids, workspaceId, "chk_pending", "open", "unpaid"))));
    }

    /**
     * A Checkout Session in payment mode for one 19.54 USD line item, in Stripe's documented shape
     * (fields we do not read trimmed): {@code open}/{@code unpaid} with a {@code url} when created;
     * {@code complete} with a PaymentIntent and {@code payment_status} {@code paid} (or
     * {@code unpaid} while a delayed payment is pending) in the webhook event.
     */
    static String paymentSessionJson(StripeIds ids, long workspaceId, String checkoutId, String status, String paymentStatus) {
        boolean complete = status.equals("complete");
        String customerDetails = complete ? """
                {"address": {"city": null, "country": "DE", "line1": null, "line2": null, "postal_code": null, "state": null},
                   "email": "owner@example.com", "name": "Ada Lovelace", "phone": null, "tax_exempt": "none", "tax_ids": []}"""
                : "null";
        return """
                {
                  "id": "%s",
                  "object": "checkout.session",
                  "after_expiration": null,
                  "allow_promotion_codes": null,
                  "amount_subtotal": 1954,
                  "amount_total": 1954,
                  "automatic_tax": {"enabled": false, "liability": null, "status": null},
                  "billing_address_collection": null,
                  "cancel_url": "http://localhost/billing/stripe/return?canceled=1",
                  "client_reference_id": "%d",
                  "client_secret": null,
                  "consent": null,
                  "consent_collection": null,
                  "created": %d,
                  "currency": "usd",
                  "custom_fields": [],
                  "custom_text": {"after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null},
                  "customer": "%s",
                  "customer_creation": null,
                  "customer_details": %s,
                  "customer_email": null,
                  "expires_at": %d,
                  "invoice": null,
                  "invoice_creation": {"enabled": false, "invoice_data": {"account_tax_ids": null, "custom_fields": null,
                    "description": null, "footer": null, "issuer": null, "metadata": {}, "rendering_options": null}},
                  "livemode": false,
                  "locale": null,
                  "metadata": {"workspace_id": "%d", "checkout_id": "%s"},
                  "mode": "payment",
                  "payment_intent": %s,
                  "payment_link": null,
                  "payment_method_collection": "if_required",
                  "payment_method_options": {"card": {"request_three_d_secure": "automatic"}},
                  "payment_method_types": ["card"],
                  "payment_status": "%s",
                  "phone_number_collection": {"enabled": false},
                  "recovered_from": null,
                  "setup_intent": null,
                  "shipping_address_collection": null,
                  "shipping_cost": null,
                  "shipping_options": [],
                  "status": "%s",
                  "submit_type": null,
                  "subscription": null,
                  "success_url": "http://localhost/billing/stripe/return?session_id={CHECKOUT_SESSION_ID}",
                  "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
                  "ui_mode": "hosted",
                  "url": %s
                }
                """.formatted(ids.checkoutSession(), workspaceId, now(), ids.customer(), customerDetails, now() + 86_400,
                workspaceId, checkoutId, complete ? "\"pi_3" + ids.checkoutSession().substring(10) + "\"" : "null",
                paymentStatus, status, complete ? "null" : "\"" + ids.checkoutUrl() + "\"");
    }

    /** An application/x-www-form-urlencoded body as a map (keys like {@code line_items[0][quantity]} decoded). */
    private static Map<String, String> form(String body) {
        Map<String, String> out = new TreeMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            assertThat(out.put(key, value)).as("form key %s sent twice", key).isNull();
        }
        return out;
    }

    private String status(long ws, String checkoutId) {
        return jdbc.sql("SELECT status FROM payment_checkouts WHERE workspace_id = ? AND id = ?").param(ws).param(checkoutId)
                .query(String.class).single();
    }

    private Timestamp paidAt(long ws, String checkoutId) {
        return (Timestamp) jdbc.sql("SELECT paid_at FROM payment_checkouts WHERE workspace_id = ? AND id = ?").param(ws)
                .param(checkoutId).query().singleRow().get("paid_at");
    }
}
