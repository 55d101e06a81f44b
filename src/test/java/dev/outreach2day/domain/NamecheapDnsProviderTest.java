package dev.outreach2day.domain;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.outreach2day.domain.NamecheapClientTest.API_KEY;
import static dev.outreach2day.domain.NamecheapClientTest.config;
import static dev.outreach2day.domain.NamecheapClientTest.error;
import static dev.outreach2day.domain.NamecheapClientTest.globals;
import static dev.outreach2day.domain.NamecheapClientTest.ok;
import static dev.outreach2day.domain.NamecheapClientTest.properties;
import static dev.outreach2day.domain.NamecheapClientTest.requests;
import static dev.outreach2day.domain.NamecheapClientTest.stubCommand;
import static dev.outreach2day.domain.NamecheapClientTest.xml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.outreach2day.domain.DnsProvider.DnsProviderException;
import dev.outreach2day.domain.DnsProvider.RecordSpec;
import dev.outreach2day.domain.DnsProvider.Zone;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Namecheap DNS (setDefault + setHosts) against a WireMock stand-in, with Namecheap's documented samples. */
class NamecheapDnsProviderTest {

    static WireMockServer namecheap;

    NamecheapDnsProvider dns;

    @BeforeAll
    static void start() {
        namecheap = NamecheapClientTest.startNamecheap();
    }

    @AfterAll
    static void stop() {
        namecheap.stop();
    }

    @BeforeEach
    void setUp() {
        namecheap.resetAll();
        dns = new NamecheapDnsProvider(new NamecheapClient(config(namecheap)));
    }

    static final String SET_HOSTS_OK = ok("namecheap.domains.dns.setHosts",
            "<DomainDNSSetHostsResult Domain=\"outreach-alpha.com\" IsSuccess=\"true\" />");

    static final String DKIM = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu5mPq+/Z2Yx0n9Tk3qcW"
            + "Hk1Vb7W0gM6hYz2v1oQ0+Jf8rS3x4e5nLq9pT2yR7wE3uI8oP1aS4dF6gH9jK2lZ5xC7vB0nM3qW6eR9tY2uI5oP8aS1dF4gH"
            + "7jK0lZ3xC6vB9nM2qW5eR8tY1uI4oP7aS0dF3gH6jK9lZ2xC5vB8nM1qW4eR7tY0uI3oP6aS9dF2gH5jK8lZ1xC4vB7nM0qW3"
            + "eR6tY9uI2oP5aS8dF1gH4jK7lZ0xC3vB6nM9qW2eR5tY8uI1oP4aS7dF0gH3jK6lZ9xC2vB5nM8qW1eR4tY7uI0oP3aS6dF9g"
            + "H2jK5lZ8xC1vB4nM7qW0eR3tY6uI9oP2aS5dF8gH1jK4lZ7xC0vB3nM6qW9eR2tY5uI8oP1aS4dF7gH0jK3lZ6xCwIDAQAB";

    @Test
    void ensureZonePutsTheDomainOnNamecheapDns() {
        stubCommand(namecheap, "namecheap.domains.dns.setDefault", xml(ok("namecheap.domains.dns.setDefault",
                "<DomainDNSSetDefaultResult Domain=\"outreach-alpha.com\" Updated=\"true\" />")));

        Zone zone = dns.ensureZone("Outreach-Alpha.com");

        assertThat(zone).isEqualTo(new Zone("outreach-alpha.com", "outreach-alpha.com",
                List.of("dns1.registrar-servers.com", "dns2.registrar-servers.com")));
        Map<String, String> expected = globals("namecheap.domains.dns.setDefault");
        expected.put("SLD", "outreach-alpha");
        expected.put("TLD", "com");
        assertThat(requests(namecheap, "namecheap.domains.dns.setDefault")).containsExactly(expected);
    }

    @Test
    void ensureZoneSplitsMultiLabelSuffixes() {
        stubCommand(namecheap, "namecheap.domains.dns.setDefault", xml(ok("namecheap.domains.dns.setDefault",
                "<DomainDNSSetDefaultResult Domain=\"outreach.co.uk\" Updated=\"true\" />")));

        dns.ensureZone("outreach.co.uk");

        assertThat(requests(namecheap, "namecheap.domains.dns.setDefault").getFirst())
                .containsEntry("SLD", "outreach").containsEntry("TLD", "co.uk");
    }

    @Test
    void ensureZoneReportsDocumentedErrors() {
        stubCommand(namecheap, "namecheap.domains.dns.setDefault", xml(error("2016166", "Domain is not associated with your account")));

        var failure = catchThrowableOfType(DnsProviderException.class, () -> dns.ensureZone("outreach-alpha.com"));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_2016166");
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage()).contains("Domain is not associated with your account").doesNotContain(API_KEY);
    }

    @Test
    void ensureZoneFailsWhenNamecheapDidNotUpdate() {
        stubCommand(namecheap, "namecheap.domains.dns.setDefault", xml(ok("namecheap.domains.dns.setDefault",
                "<DomainDNSSetDefaultResult Domain=\"outreach-alpha.com\" Updated=\"false\" />")));

        var failure = catchThrowableOfType(DnsProviderException.class, () -> dns.ensureZone("outreach-alpha.com"));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_NOT_UPDATED");
    }

    @Test
    void syncRecordsSendsTheWholeSetWithRelativeHostNames() {
        stubCommand(namecheap, "namecheap.domains.dns.setHosts", xml(SET_HOSTS_OK));
        Zone zone = new Zone("outreach-alpha.com", "outreach-alpha.com", NamecheapDnsProvider.NAMESERVERS);

        dns.syncRecords(zone, List.of(
                new RecordSpec("A", "outreach-alpha.com", "198.51.100.7", 3600, null),
                new RecordSpec("A", "mail.outreach-alpha.com", "198.51.100.7", 3600, null),
                new RecordSpec("MX", "outreach-alpha.com", "mail.outreach-alpha.com", 3600, 10),
                new RecordSpec("TXT", "outreach-alpha.com", "v=spf1 ip4:198.51.100.7 include:_spf.relay.example -all", 3600, null),
                new RecordSpec("TXT", "_dmarc.outreach-alpha.com", "v=DMARC1; p=none; rua=mailto:dmarc-reports@outreach-alpha.com", 3600, null),
                new RecordSpec("TXT", "sel._domainkey.outreach-alpha.com", DKIM, 3600, null),
                new RecordSpec("CNAME", "www.outreach-alpha.com.", "outreach-alpha.com", 1800, null)));

        Map<String, String> expected = globals("namecheap.domains.dns.setHosts");
        expected.put("SLD", "outreach-alpha");
        expected.put("TLD", "com");
        host(expected, 1, "@", "A", "198.51.100.7", "10", "3600");
        host(expected, 2, "mail", "A", "198.51.100.7", "10", "3600");
        host(expected, 3, "@", "MX", "mail.outreach-alpha.com.", "10", "3600");
        host(expected, 4, "@", "TXT", "v=spf1 ip4:198.51.100.7 include:_spf.relay.example -all", "10", "3600");
        host(expected, 5, "_dmarc", "TXT", "v=DMARC1; p=none; rua=mailto:dmarc-reports@outreach-alpha.com", "10", "3600");
        host(expected, 6, "sel._domainkey", "TXT", DKIM, "10", "3600");
        host(expected, 7, "www", "CNAME", "outreach-alpha.com.", "10", "1800");
        expected.put("EmailType", "MX");
        assertThat(requests(namecheap, "namecheap.domains.dns.setHosts")).containsExactly(expected);

        // ';', '=', '+', '/' and ' ' travel form-encoded in the POST body, never in the URL.
        namecheap.verify(1, postRequestedFor(urlEqualTo("/xml.response"))
                .withHeader("Content-Type", containing("application/x-www-form-urlencoded"))
                .withRequestBody(containing("Address5=v%3DDMARC1%3B+p%3Dnone%3B+rua%3Dmailto%3Admarc-reports%40outreach-alpha.com"))
                .withRequestBody(containing("Address6=v%3DDKIM1%3B+k%3Drsa%3B+p%3DMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu5mPq%2B%2FZ2Yx0n9Tk3qcW"))
                .withFormParam("HostName6", equalTo("sel._domainkey"))
                .withFormParam("MXPref3", equalTo("10"))
                .withFormParam("EmailType", equalTo("MX")));
    }

    @Test
    void withoutMxRecordsNoEmailTypeIsSent() {
        stubCommand(namecheap, "namecheap.domains.dns.setHosts", xml(SET_HOSTS_OK));

        dns.syncRecords(new Zone("outreach-alpha.com", "outreach-alpha.com", List.of()), List.of(
                new RecordSpec("A", "outreach-alpha.com", "198.51.100.7", 30, null),
                new RecordSpec("AAAA", "outreach-alpha.com", "2001:db8::7", 90_000, null)));

        Map<String, String> expected = globals("namecheap.domains.dns.setHosts");
        expected.put("SLD", "outreach-alpha");
        expected.put("TLD", "com");
        host(expected, 1, "@", "A", "198.51.100.7", "10", "60");       // raised to Namecheap's minimum
        host(expected, 2, "@", "AAAA", "2001:db8::7", "10", "60000");  // lowered to its maximum
        assertThat(requests(namecheap, "namecheap.domains.dns.setHosts")).containsExactly(expected);
    }

    @Test
    void mxPreferencesAreSentPerRecord() {
        stubCommand(namecheap, "namecheap.domains.dns.setHosts", xml(SET_HOSTS_OK));

        dns.syncRecords(new Zone("outreach-alpha.com", "outreach-alpha.com", List.of()), List.of(
                new RecordSpec("MX", "outreach-alpha.com", "mx1.outreach-alpha.com.", 3600, 5),
                new RecordSpec("MX", "outreach-alpha.com", "mx2.outreach-alpha.com", 3600, 20)));

        assertThat(requests(namecheap, "namecheap.domains.dns.setHosts").getFirst())
                .containsEntry("Address1", "mx1.outreach-alpha.com.").containsEntry("MXPref1", "5")
                .containsEntry("Address2", "mx2.outreach-alpha.com.").containsEntry("MXPref2", "20")
                .containsEntry("EmailType", "MX");
    }

    @Test
    void aRecordOutsideTheZoneIsRefusedBeforeAnythingIsSent() {
        var failure = catchThrowableOfType(DnsProviderException.class,
                () -> dns.syncRecords(new Zone("outreach-alpha.com", "outreach-alpha.com", List.of()), List.of(
                        new RecordSpec("A", "outreach-alpha.com", "198.51.100.7", 3600, null),
                        new RecordSpec("A", "evil-outreach-alpha.com", "198.51.100.7", 3600, null))));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_RECORD_OUTSIDE_ZONE");
        assertThat(failure.retryable()).isFalse();
        namecheap.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void anUnsupportedRecordTypeIsRefusedBeforeAnythingIsSent() {
        var failure = catchThrowableOfType(DnsProviderException.class,
                () -> dns.syncRecords(new Zone("outreach-alpha.com", "outreach-alpha.com", List.of()), List.of(
                        new RecordSpec("SRV", "_sip._tcp.outreach-alpha.com", "10 5 5060 sip.outreach-alpha.com", 3600, null))));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_UNSUPPORTED_RECORD_TYPE");
        namecheap.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void setHostsErrorsCarryTheNamecheapNumber() {
        stubCommand(namecheap, "namecheap.domains.dns.setHosts", xml(error("2019166", "Domain not found")));

        var failure = catchThrowableOfType(DnsProviderException.class,
                () -> dns.syncRecords(new Zone("outreach-alpha.com", "outreach-alpha.com", List.of()),
                        List.of(new RecordSpec("A", "outreach-alpha.com", "198.51.100.7", 3600, null))));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_2019166");
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage()).contains("Domain not found").doesNotContain(API_KEY);
    }

    @Test
    void setHostsNotSuccessfulIsAFailure() {
        stubCommand(namecheap, "namecheap.domains.dns.setHosts", xml(ok("namecheap.domains.dns.setHosts",
                "<DomainDNSSetHostsResult Domain=\"outreach-alpha.com\" IsSuccess=\"false\" />")));

        var failure = catchThrowableOfType(DnsProviderException.class,
                () -> dns.syncRecords(new Zone("outreach-alpha.com", "outreach-alpha.com", List.of()),
                        List.of(new RecordSpec("A", "outreach-alpha.com", "198.51.100.7", 3600, null))));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_NOT_UPDATED");
    }

    @Test
    void http500IsRetryable() {
        stubCommand(namecheap, "namecheap.domains.dns.setHosts", aResponse().withStatus(500));

        var failure = catchThrowableOfType(DnsProviderException.class,
                () -> dns.syncRecords(new Zone("outreach-alpha.com", "outreach-alpha.com", List.of()),
                        List.of(new RecordSpec("A", "outreach-alpha.com", "198.51.100.7", 3600, null))));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_HTTP_500");
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void aTimeoutIsRetryable() {
        stubCommand(namecheap, "namecheap.domains.dns.setDefault", xml(ok("namecheap.domains.dns.setDefault",
                "<DomainDNSSetDefaultResult Domain=\"outreach-alpha.com\" Updated=\"true\" />")).withFixedDelay(3_000));
        var impatient = new NamecheapDnsProvider(new NamecheapClient(config(namecheap), Duration.ofMillis(300)));

        var failure = catchThrowableOfType(DnsProviderException.class, () -> impatient.ensureZone("outreach-alpha.com"));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_TIMEOUT");
        assertThat(failure.retryable()).isTrue();
        assertThat(failure.getMessage()).doesNotContain(API_KEY);
    }

    @Test
    void aDoctypeInTheAnswerIsRejected() {
        stubCommand(namecheap, "namecheap.domains.dns.setHosts", xml("""
                <?xml version="1.0"?>
                <!DOCTYPE ApiResponse [<!ENTITY ok "true">]>
                <ApiResponse Status="OK"><CommandResponse><DomainDNSSetHostsResult IsSuccess="&ok;"/></CommandResponse></ApiResponse>
                """));

        var failure = catchThrowableOfType(DnsProviderException.class,
                () -> dns.syncRecords(new Zone("outreach-alpha.com", "outreach-alpha.com", List.of()),
                        List.of(new RecordSpec("A", "outreach-alpha.com", "198.51.100.7", 3600, null))));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_BAD_RESPONSE");
    }

    @Test
    void unconfiguredItNamesItselfButRefusesToWork() {
        var unconfigured = new NamecheapDnsProvider(properties(new DomainProperties.Namecheap(
                "http://127.0.0.1:" + namecheap.port() + "/xml.response", null, null, null, null)));

        assertThat(unconfigured.name()).isEqualTo("namecheap");
        assertThat(catchThrowableOfType(DnsProviderException.class, () -> unconfigured.ensureZone("outreach-alpha.com")).code())
                .isEqualTo("DNS_PROVIDER_NOT_CONFIGURED");
        assertThat(catchThrowableOfType(DnsProviderException.class, () -> unconfigured.syncRecords(
                new Zone("outreach-alpha.com", "outreach-alpha.com", List.of()), List.of())).code())
                .isEqualTo("DNS_PROVIDER_NOT_CONFIGURED");
        namecheap.verify(0, anyRequestedFor(anyUrl()));
    }

    private static void host(Map<String, String> params, int n, String name, String type, String address, String mxPref, String ttl) {
        params.put("HostName" + n, name);
        params.put("RecordType" + n, type);
        params.put("Address" + n, address);
        params.put("MXPref" + n, mxPref);
        params.put("TTL" + n, ttl);
    }
}
