package dev.outreach2day.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * The default (sandbox) server, no Stripe key: there is no Stripe provider bean, and the public
 * webhook route still exists but answers 503 instead of accepting anything. Shares the common
 * test context (no extra properties).
 */
class StripePaymentUnconfiguredTest extends IntegrationTest {

    @Autowired
    ApplicationContext context;

    @Test
    void withoutASecretKeyThereIsNoStripeProvider() {
        assertThat(context.getBeansOfType(StripePaymentProvider.class)).isEmpty();
        assertThat(context.getBean(PaymentService.class).providerName()).isEqualTo("sandbox");
    }

    @Test
    void theWebhookAnswers503WhenStripeIsNotConfigured() {
        Api.Resp resp = anonymous().withHeader("Stripe-Signature", "t=1,v1=00")
                .send("POST", "/billing/stripe/webhook", "{\"id\":\"evt_1\",\"object\":\"event\"}", "application/json");

        assertThat(resp.status()).as(resp.toString()).isEqualTo(503);
        assertThat(resp.json().get("code").asString()).isEqualTo("PAYMENT_PROVIDER_UNCONFIGURED");
    }

    @Test
    void theReturnPageIsServedInEveryMode() {
        Api.Resp resp = anonymous().get("/billing/stripe/return?session_id=cs_test_x");
        assertThat(resp.status()).isEqualTo(200);
        assertThat(resp.body()).contains("Payment method received; you can close this page");
    }
}
