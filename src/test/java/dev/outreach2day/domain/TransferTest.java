package dev.outreach2day.domain;

import static dev.outreach2day.domain.DomainFixtures.addCard;
import static dev.outreach2day.domain.DomainFixtures.purchaseBody;
import static dev.outreach2day.domain.DomainFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class TransferTest extends IntegrationTest {

    @Autowired
    TestClock clock;

    private String statusOf(Api api, String path, String domain) {
        for (var d : api.get(path).json().get("domains")) {
            if (d.get("domain").asString().equals(domain)) return d.get("status").asString();
        }
        return null;
    }

    @Test
    void aTransferRunsFromCheckoutToCompletion() {
        var tenant = newTenant();
        Api api = api(tenant);
        addCard(api, anonymous(), tenant.workspaceId());
        String name = unique("move") + ".com";
        assertThat(api.post("/domains/purchase", purchaseBody(name)).status()).isEqualTo(200);

        var missingCode = api.post("/domains/cloudflare-transfer", "{\"domains\":[\"" + name + "\"],\"authCodes\":{}}");
        assertThat(missingCode.status()).isEqualTo(422);
        assertThat(missingCode.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"authCodes\",\"" + name + "\"]");

        var started = api.post("/domains/cloudflare-transfer",
                "{\"domains\":[\"" + name + "\"],\"authCodes\":{\"" + name + "\":\"Xy7#kP9q\"}}");
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        String checkout = started.json().get("checkoutUrl").asString().replaceFirst("^https?://[^/]+", "");
        assertThat(checkout).startsWith("/billing/sandbox/checkout/");
        assertThat(statusOf(api, "/domains/cloudflare-transfer/status", name)).isEqualTo("pending_payment");
        // a second transfer of the same domain while one is open
        assertThat(api.post("/domains/transfer/cloudflare",
                "{\"domains\":[\"" + name + "\"],\"authCodes\":{\"" + name + "\":\"Xy7#kP9q\"}}").status()).isEqualTo(409);

        var page = anonymous().get(checkout);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("9.77", name);
        assertThat(anonymous().send("POST", checkout, "", "application/x-www-form-urlencoded").status()).isEqualTo(200);

        assertThat(statusOf(api, "/domains/cloudflare-transfer/status", name)).isEqualTo("pending_auth");
        clock.advance(Duration.ofSeconds(31));
        assertThat(statusOf(api, "/domains/transfer/cloudflare/status", name)).isEqualTo("transferring");
        clock.advance(Duration.ofSeconds(31));
        assertThat(statusOf(api, "/domains/cloudflare-transfer/status", name)).isEqualTo("completed");
        var domain = api.get("/domains").json().get(0);
        assertThat(domain.get("registrar").asString()).isEqualTo("cloudflare");
    }

    @Test
    void onlyTheWorkspacesOwnDomainsCanBeTransferred() {
        var tenant = newTenant();
        var r = api(tenant).post("/domains/cloudflare-transfer",
                "{\"domains\":[\"someone-else-" + unique("x") + ".com\"],\"authCodes\":{\"someone-else.com\":\"abcdefgh\"}}");
        assertThat(r.status()).isIn(404, 422);
    }

    @Test
    void aWrongAuthCodeFailsTheTransfer() {
        var tenant = newTenant();
        Api api = api(tenant);
        addCard(api, anonymous(), tenant.workspaceId());
        String name = unique("badcode") + ".com";
        api.post("/domains/purchase", purchaseBody(name));
        var started = api.post("/domains/cloudflare-transfer", "{\"domains\":[\"" + name + "\"],\"authCodes\":{\"" + name + "\":\"123\"}}");
        String checkout = started.json().get("checkoutUrl").asString().replaceFirst("^https?://[^/]+", "");
        anonymous().send("POST", checkout, "", "application/x-www-form-urlencoded");
        assertThat(statusOf(api, "/domains/cloudflare-transfer/status", name)).isEqualTo("failed");
    }
}
