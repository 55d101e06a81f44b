package dev.outreach2day.domain;

import static dev.outreach2day.domain.DomainFixtures.addCard;
import static dev.outreach2day.domain.DomainFixtures.purchaseBody;
import static dev.outreach2day.domain.DomainFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.workspace.TestTenants.Tenant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class DomainApiTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    Tenant tenant;
    Api api;

    @BeforeEach
    void setUp() {
        tenant = newTenant();
        api = api(tenant);
    }

    private JsonNode buy(String... names) {
        addCard(api, anonymous(), tenant.workspaceId());
        var r = api.post("/domains/purchase", purchaseBody(names));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        return StreamSupport.stream(array.spliterator(), false).filter(n -> value.equals(n.path(field).asString()))
                .findFirst().orElseThrow(() -> new AssertionError(value + " not in " + array));
    }

    @Test
    void checkReportsEachStatusWithPrices() {
        String free = unique("acme") + ".com";
        var r = api.post("/domains/check", "{\"domains\":[\"" + free + "\",\"google.com\",\"abc.com\",\"acme.nope\",\"not a domain\",\"Café-" + unique("x") + ".io\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        var results = r.json().get("results");
        assertThat(results.size()).isEqualTo(6);
        assertThat(results.get(0).get("status").asString()).isEqualTo("available");
        assertThat(results.get(0).get("price").decimalValue()).isEqualByComparingTo("10.98");
        assertThat(results.get(0).get("currency").asString()).isEqualTo("USD");
        assertThat(results.get(1).get("status").asString()).isEqualTo("taken");
        assertThat(results.get(2).get("status").asString()).isEqualTo("premium");
        assertThat(results.get(3).get("status").asString()).isEqualTo("unsupported_tld");
        assertThat(results.get(4).get("status").asString()).isEqualTo("invalid");
        assertThat(results.get(5).get("domain").asString()).startsWith("xn--caf-");
        assertThat(results.get(5).get("status").asString()).isEqualTo("available");
    }

    @Test
    void checkRefusesDuplicatesAndMoreThanFifty() {
        var dup = api.post("/domains/check", "{\"domains\":[\"Acme-dup.com\",\"acme-dup.com.\"]}");
        assertThat(dup.status()).isEqualTo(422);
        assertThat(dup.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"domains\",1]");
        var many = new ArrayList<String>();
        for (int i = 0; i < 51; i++) many.add("\"n" + i + "-x.com\"");
        var tooMany = api.post("/domains/check", "{\"domains\":[" + String.join(",", many) + "]}");
        assertThat(tooMany.status()).isEqualTo(422);
        assertThat(tooMany.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"domains\"]");
    }

    @Test
    void purchaseNeedsAPaymentMethodAndBuysNothingWithoutOne() {
        String name = unique("nopay") + ".com";
        var r = api.post("/domains/purchase", purchaseBody(name));
        assertThat(r.status()).isEqualTo(402);
        assertThat(r.json().get("code").asString()).isEqualTo("PAYMENT_METHOD_REQUIRED");
        assertThat(api.get("/domains").json().size()).isZero();
    }

    @Test
    void aPurchasedDomainComesOutReadyToSendVerifiedInLiveDns() {
        String name = unique("ready") + ".com";
        var order = buy(name);
        assertThat(order.get("orderId").asString()).startsWith("ord_");
        assertThat(order.get("status").asString()).isEqualTo("completed");
        assertThat(order.get("domains").get(0).get("status").asString()).isEqualTo("registered");
        assertThat(order.get("total").decimalValue()).isEqualByComparingTo("10.98");

        var domain = find(api.get("/domains").json(), "domain", name);
        assertThat(domain.get("id").asString()).startsWith("dom_");
        assertThat(domain.get("status").asString()).isEqualTo("active");
        assertThat(domain.get("registrar").asString()).isEqualTo("sandbox");
        assertThat(domain.get("redirect_domain").asString()).isEqualTo("https://www.acme-main.com");
        assertThat(domain.get("expires_at").isNull()).isFalse();
        for (String check : List.of("spf", "dkim", "dmarc", "mx")) {
            assertThat(domain.get("dns_status").get(check).get("status").asString()).as(check).isEqualTo("ok");
        }
        assertThat(domain.get("dns_status").get("spf").get("found").get(0).asString()).startsWith("v=spf1 ");

        var again = api.get("/domains/orders/" + order.get("orderId").asString());
        assertThat(again.json().get("status").asString()).isEqualTo("completed");
    }

    @Test
    void managedRecordsCoverMxSpfDkimDmarcAndTheRedirect() {
        String name = unique("recs") + ".com";
        buy(name);
        var records = api.get("/domains/" + name + "/dns-records").json();
        var purposes = new ArrayList<String>();
        records.forEach(r -> {
            assertThat(r.get("managed").asBoolean()).isTrue();
            purposes.add(r.get("purpose").asString());
        });
        assertThat(purposes).containsExactlyInAnyOrder("web", "www", "mail", "mx", "spf", "dkim", "dmarc");
        var dkim = find(records, "purpose", "dkim");
        assertThat(dkim.get("name").asString()).matches("o2d\\d{6}\\._domainkey\\." + name.replace(".", "\\."));
        assertThat(dkim.get("value").asString()).startsWith("v=DKIM1; k=rsa; p=MIIBIjAN"); // RSA-2048 SubjectPublicKeyInfo
        assertThat(find(records, "purpose", "dmarc").get("value").asString()).startsWith("v=DMARC1; p=none; rua=mailto:");
        assertThat(find(records, "purpose", "mx").get("priority").asInt()).isEqualTo(10);
        // the private key is encrypted at rest
        String stored = jdbc.sql("SELECT dkim_private_key FROM domains WHERE name = :n").param("n", name).query(String.class).single();
        assertThat(stored).startsWith("o2dv1:").doesNotContain("MII");
    }

    @Test
    void aNameHeldByAnotherWorkspaceIs409AndNothingIsBought() {
        String name = unique("held") + ".com";
        buy(name);
        var other = newTenant();
        var otherApi = api(other);
        addCard(otherApi, anonymous(), other.workspaceId());
        var r = otherApi.post("/domains/purchase", purchaseBody(unique("fresh") + ".com", name));
        assertThat(r.status()).isEqualTo(409);
        assertThat(otherApi.get("/domains").json().size()).isZero();
        var connect = otherApi.post("/domains", "{\"domains\":[\"" + name + "\"]}");
        assertThat(connect.status()).isEqualTo(409);
        assertThat(connect.json().get("code").asString()).isEqualTo("DOMAIN_TAKEN");
    }

    @Test
    void purchaseValidatesEveryInputBeforeBuying() {
        addCard(api, anonymous(), tenant.workspaceId());
        var noContact = api.post("/domains/purchase", "{\"domains\":[\"" + unique("v") + ".com\"]}");
        assertThat(noContact.status()).isEqualTo(422);
        assertThat(noContact.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"contactInfo\"]");
        var badCountry = api.post("/domains/purchase", purchaseBody(unique("v") + ".com").replace("\"GB\"", "\"Britain\""));
        assertThat(badCountry.status()).isEqualTo(422);
        assertThat(badCountry.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"contactInfo\",\"country\"]");
        var badName = api.post("/domains/purchase", purchaseBody("ok-" + unique("v") + ".com", "bad name.com"));
        assertThat(badName.status()).isEqualTo(422);
        assertThat(badName.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"domains\",1]");
        var premium = api.post("/domains/purchase", purchaseBody("xyz.com"));
        assertThat(premium.status()).isEqualTo(409);
        assertThat(premium.json().get("detail").asString()).contains("premium");
        assertThat(api.get("/domains").json().size()).isZero();
    }

    @Test
    void idnNamesAreStoredAsPunycode() {
        String label = "münchen" + unique("");
        var r = buy(label + ".com");
        String ascii = r.get("domains").get(0).get("domain").asString();
        assertThat(ascii).startsWith("xn--").endsWith(".com");
        assertThat(api.get("/domains/" + label + ".com/dns-records").status()).isEqualTo(200); // unicode form finds it too
    }

    @Test
    void connectingOwnDomainsReturnsNameserversAndVerifies() {
        String name = unique("own") + ".net";
        var r = api.post("/domains", "{\"domains\":[\"" + name + "\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        var d = r.json().get(0);
        assertThat(d.get("source").asString()).isEqualTo("connected");
        assertThat(d.get("registrar").asString()).isEqualTo("external");
        assertThat(d.get("nameservers").size()).isEqualTo(2);
        // in sandbox mode the zone is served by the built-in DNS server, so verification passes at once
        assertThat(d.get("status").asString()).isEqualTo("active");
        assertThat(api.post("/domains", "{\"domains\":[\"" + name + "\"]}").status()).isEqualTo(409);
    }

    @Test
    void usersAddRecordsButCannotBreakManagedOnes() {
        String name = unique("edit") + ".com";
        buy(name);
        var added = api.post("/domains/" + name + "/dns-records", """
                {"records":[{"type":"TXT","name":"@","value":"google-site-verification=abc123"},
                            {"type":"CNAME","name":"track","value":"t.example.net"},
                            {"type":"MX","name":"@","value":"backup-mx.example.net","priority":20}]}""");
        assertThat(added.status()).as(added.body()).isEqualTo(200);
        var userRecords = StreamSupport.stream(added.json().spliterator(), false).filter(n -> !n.get("managed").asBoolean()).toList();
        assertThat(userRecords).hasSize(3);
        assertThat(find(added.json(), "value", "t.example.net").get("name").asString()).isEqualTo("track." + name);

        var secondSpf = api.post("/domains/" + name + "/dns-records", "{\"records\":[{\"type\":\"TXT\",\"name\":\"@\",\"value\":\"v=spf1 include:x.com ~all\"}]}");
        assertThat(secondSpf.status()).isEqualTo(422);
        assertThat(secondSpf.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"records\",0]");
        assertThat(secondSpf.json().get("detail").get(0).get("msg").asString()).contains("second SPF");

        var cnameBeside = api.post("/domains/" + name + "/dns-records", "{\"records\":[{\"type\":\"CNAME\",\"name\":\"_dmarc\",\"value\":\"x.example.net\"}]}");
        assertThat(cnameBeside.status()).isEqualTo(422);

        var badA = api.post("/domains/" + name + "/dns-records", "{\"records\":[{\"type\":\"A\",\"name\":\"app\",\"value\":\"not-an-ip\",\"ttl\":5}]}");
        assertThat(badA.status()).isEqualTo(422);
        var locs = new ArrayList<String>();
        badA.json().get("detail").forEach(d -> locs.add(d.get("loc").toString()));
        assertThat(locs).contains("[\"body\",\"records\",0,\"ttl\"]", "[\"body\",\"records\",0,\"value\"]");

        String managedId = find(added.json(), "purpose", "spf").get("id").asString();
        var editManaged = api.post("/domains/" + name + "/dns-records", "{\"records\":[{\"id\":\"" + managedId + "\",\"delete\":true}]}");
        assertThat(editManaged.status()).isEqualTo(422);
        assertThat(editManaged.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"records\",0,\"id\"]");

        var outside = api.post("/domains/" + name + "/dns-records", "{\"records\":[{\"type\":\"TXT\",\"name\":\"other.org\",\"value\":\"x\"}]}");
        assertThat(outside.status()).isEqualTo(200); // a relative label: becomes other.org.<domain>
        assertThat(find(outside.json(), "value", "x").get("name").asString()).isEqualTo("other.org." + name);

        // nothing of the refused edits was written, and the domain still verifies
        String cnameId = find(added.json(), "value", "t.example.net").get("id").asString();
        var deleted = api.post("/domains/" + name + "/dns-records", "{\"records\":[{\"id\":\"" + cnameId + "\",\"delete\":true}]}");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body()).doesNotContain("t.example.net");
        var verified = api.post("/domains/" + name + "/verify", null).json();
        assertThat(verified.get("dns_status").get("spf").get("status").asString()).isEqualTo("ok");
    }

    @Test
    void unknownDomainIs404() {
        assertThat(api.get("/domains/nope-" + unique("x") + ".com/dns-records").status()).isEqualTo(404);
        assertThat(api.get("/domains/not_a_domain/dns-records").status()).isEqualTo(404);
        assertThat(api.patch("/domains/redirects", "{\"domains\":[\"nope-" + unique("x") + ".com\"],\"redirectDomain\":\"x.com\"}").status())
                .isEqualTo(404);
    }

    @Test
    void redirectsAreSetInBulkAndServedByHost() throws Exception {
        String a = unique("ra") + ".com";
        String b = unique("rb") + ".com";
        buy(a, b);
        var r = api.patch("/domains/redirects", "{\"domains\":[\"" + a + "\",\"" + b + "\"],\"redirectDomain\":\"acme.io/welcome\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get(0).get("redirect_domain").asString()).isEqualTo("https://acme.io/welcome");

        String response = rawGet("/", "www." + a);
        assertThat(response).startsWith("HTTP/1.1 301").contains("Location: https://acme.io/welcome");
        assertThat(rawGet("/pricing", b)).startsWith("HTTP/1.1 301");

        var invalid = api.patch("/domains/redirects", "{\"domains\":[\"" + a + "\"],\"redirectDomain\":\"ftp://x.com\"}");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"redirectDomain\"]");
        // an unrelated host is still the API
        assertThat(rawGet("/workspaces", "api.unrelated-" + unique("h") + ".com")).startsWith("HTTP/1.1 401");
    }

    /** GET with an explicit Host header (the JDK client won't set one). */
    private String rawGet(String path, String host) throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            var out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes());
            out.flush();
            return new String(socket.getInputStream().readAllBytes());
        }
    }
}
