package dev.outreach2day.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.workspace.PaymentProvider.SetupStarted;
import dev.outreach2day.workspace.TestTenants.Tenant;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What PaymentService relies on from every {@link PaymentProvider}, checked against each one:
 * a browser URL, an expiry in the future, and exactly one way to recognise the completion (an
 * external id or a token hash). Runs in the Stripe-enabled context, where both providers exist.
 */
class PaymentProviderContractTest extends StripePaymentTestSupport {

    @Autowired
    SandboxPaymentProvider sandbox;

    @Autowired
    StripePaymentProvider stripe;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sandbox", "stripe"})
    void startSetupHonoursTheContract(String name) {
        Tenant t = newTenant();
        PaymentProvider provider = switch (name) {
            case "sandbox" -> sandbox;
            case "stripe" -> {
                StripeIds ids = StripeIds.fresh();
                stubCustomerCreate(ids, t.workspaceId());
                stubCheckoutCreate(ids, t.workspaceId());
                yield stripe;
            }
            default -> throw new IllegalArgumentException(name);
        };
        Instant before = Instant.now();

        SetupStarted started = provider.startSetup(t.workspaceId(), "pms_contract" + System.nanoTime());

        assertThat(provider.name()).isEqualTo(name);
        URI url = URI.create(started.url());
        assertThat(url.getScheme()).isIn("http", "https");
        assertThat(url.getHost()).isNotBlank();
        assertThat(started.expiresAt()).isAfter(before);
        assertThat(started.externalId() != null ^ started.tokenHash() != null)
                .as("exactly one of externalId (%s) / tokenHash", started.externalId()).isTrue();
        if (started.externalId() != null) {
            assertThat(started.externalId()).isNotBlank();
        } else {
            assertThat(started.tokenHash()).hasSize(32);
        }
    }
}
