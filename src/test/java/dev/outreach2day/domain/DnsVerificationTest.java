package dev.outreach2day.domain;

import static dev.outreach2day.domain.DomainFixtures.addCard;
import static dev.outreach2day.domain.DomainFixtures.purchaseBody;
import static dev.outreach2day.domain.DomainFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * dns_status is measured, not assumed: when the records DNS actually serves drift from the
 * managed ones (here: the provider's zone is edited behind the server's back), verification
 * reports mismatch or missing with the expected and found values.
 */
class DnsVerificationTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void driftInLiveDnsIsReportedWithExpectedAndFoundValues() {
        var tenant = newTenant();
        Api api = api(tenant);
        addCard(api, anonymous(), tenant.workspaceId());
        String name = unique("drift") + ".com";
        assertThat(api.post("/domains/purchase", purchaseBody(name)).status()).isEqualTo(200);

        // someone edits the zone at the provider: a wrong SPF, a foreign DKIM key, DMARC removed
        jdbc.sql("UPDATE sandbox_dns_records SET value = 'v=spf1 include:evil.example ~all' WHERE zone = :z AND type = 'TXT' AND value LIKE 'v=spf1%'")
                .param("z", name).update();
        jdbc.sql("UPDATE sandbox_dns_records SET value = 'v=DKIM1; k=rsa; p=MIIBIjANBgkqFOREIGN' WHERE zone = :z AND name LIKE '%._domainkey.%'")
                .param("z", name).update();
        jdbc.sql("DELETE FROM sandbox_dns_records WHERE zone = :z AND name = :n").param("z", name).param("n", "_dmarc." + name).update();

        var d = api.post("/domains/" + name + "/verify", null).json();
        var spf = d.get("dns_status").get("spf");
        assertThat(spf.get("status").asString()).isEqualTo("mismatch");
        assertThat(spf.get("expected").asString()).startsWith("v=spf1 ip4:");
        assertThat(spf.get("found").get(0).asString()).isEqualTo("v=spf1 include:evil.example ~all");
        var dkim = d.get("dns_status").get("dkim");
        assertThat(dkim.get("status").asString()).isEqualTo("mismatch");
        assertThat(dkim.get("found").get(0).asString()).contains("FOREIGN");
        assertThat(d.get("dns_status").get("dmarc").get("status").asString()).isEqualTo("missing");
        assertThat(d.get("dns_status").get("mx").get("status").asString()).isEqualTo("ok");

        // fixing the zone (a sync from the server's desired state) makes it ok again
        var fixed = api.post("/domains/" + name + "/dns-records",
                "{\"records\":[{\"type\":\"TXT\",\"name\":\"@\",\"value\":\"hello=world\"}]}");
        assertThat(fixed.status()).isEqualTo(200);
        var after = api.post("/domains/" + name + "/verify", null).json().get("dns_status");
        assertThat(after.get("spf").get("status").asString()).isEqualTo("ok");
        assertThat(after.get("dkim").get("status").asString()).isEqualTo("ok");
        assertThat(after.get("dmarc").get("status").asString()).isEqualTo("ok");
    }
}
