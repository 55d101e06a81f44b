package dev.outreach2day.domain;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.outreach2day.domain.DnsProvider.DnsProviderException;
import dev.outreach2day.domain.DnsProvider.RecordSpec;
import dev.outreach2day.domain.DnsProvider.Zone;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CloudflareDnsProviderTest extends CloudflareWireMockTest {

    private static final String RECORDS = "/zones/" + ZONE_ID + "/dns_records";
    private static final String OURS = CloudflareDnsProvider.MARKER;
    private static final Zone ZONE = new Zone(ZONE_ID, "example.com", List.of("bob.ns.cloudflare.com", "lola.ns.cloudflare.com"));

    private CloudflareDnsProvider provider() {
        return new CloudflareDnsProvider(configured(), Duration.ofSeconds(2));
    }

    // --- zones ---

    @Test
    void ensureZoneReturnsTheExistingZoneOfTheAccount() {
        cloudflare.stubFor(get(urlPathEqualTo("/zones"))
                .willReturn(okJson(okPage(array(zoneJson(ZONE_ID, "example.com", "active")), 1, 20, 1, 1, 1))));

        Zone zone = provider().ensureZone("Example.COM.");

        assertThat(zone).isEqualTo(new Zone(ZONE_ID, "example.com", List.of("bob.ns.cloudflare.com", "lola.ns.cloudflare.com")));
        cloudflare.verify(1, getRequestedFor(urlPathEqualTo("/zones"))
                .withQueryParam("name", equalTo("example.com"))
                .withQueryParam("account.id", equalTo(ACCOUNT))
                .withHeader("Authorization", equalTo(BEARER))
                .withHeader("Accept", equalTo("application/json")));
        cloudflare.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void ensureZoneCreatesAFullZoneWhenTheAccountHasNone() {
        cloudflare.stubFor(get(urlPathEqualTo("/zones")).willReturn(okJson(okPage("[]", 1, 20, 0, 0, 0))));
        cloudflare.stubFor(post(urlPathEqualTo("/zones"))
                .willReturn(okJson(ok(zoneJson(ZONE_ID, "example.com", "pending")))));

        Zone zone = provider().ensureZone("example.com");

        assertThat(zone.id()).isEqualTo(ZONE_ID);
        assertThat(zone.domain()).isEqualTo("example.com");
        assertThat(zone.nameservers()).containsExactly("bob.ns.cloudflare.com", "lola.ns.cloudflare.com");
        cloudflare.verify(1, postRequestedFor(urlPathEqualTo("/zones"))
                .withHeader("Authorization", equalTo(BEARER))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"name":"example.com","account":{"id":"%s"},"type":"full"}
                        """.formatted(ACCOUNT))));
    }

    @Test
    void ensureZoneLooksAgainWhenCreationSaysTheZoneAlreadyExists() {
        cloudflare.stubFor(get(urlPathEqualTo("/zones")).inScenario("race").whenScenarioStateIs(STARTED)
                .willSetStateTo("created elsewhere")
                .willReturn(okJson(okPage("[]", 1, 20, 0, 0, 0))));
        cloudflare.stubFor(get(urlPathEqualTo("/zones")).inScenario("race").whenScenarioStateIs("created elsewhere")
                .willReturn(okJson(okPage(array(zoneJson(ZONE_ID, "example.com", "pending")), 1, 20, 1, 1, 1))));
        cloudflare.stubFor(post(urlPathEqualTo("/zones"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody(error(1061, "example.com already exists"))));

        Zone zone = provider().ensureZone("example.com");

        assertThat(zone.id()).isEqualTo(ZONE_ID);
        cloudflare.verify(2, getRequestedFor(urlPathEqualTo("/zones")));
    }

    @Test
    void zoneThatExistsElsewhereIsReportedWithCloudflaresCode() {
        cloudflare.stubFor(get(urlPathEqualTo("/zones")).willReturn(okJson(okPage("[]", 1, 20, 0, 0, 0))));
        cloudflare.stubFor(post(urlPathEqualTo("/zones"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody(error(1061, "example.com already exists"))));

        DnsProviderException e = catchThrowableOfType(DnsProviderException.class, () -> provider().ensureZone("example.com"));

        assertThat(e.code()).isEqualTo("CLOUDFLARE_1061");
        assertThat(e.getMessage()).contains("example.com already exists");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void creatingAZoneNeedsTheAccountId() {
        cloudflare.stubFor(get(urlPathEqualTo("/zones")).willReturn(okJson(okPage("[]", 1, 20, 0, 0, 0))));
        var provider = new CloudflareDnsProvider(props("http://127.0.0.1:" + cloudflare.port(), TOKEN, " "), Duration.ofSeconds(2));

        DnsProviderException e = catchThrowableOfType(DnsProviderException.class, () -> provider.ensureZone("example.com"));

        assertThat(e.code()).isEqualTo("DNS_PROVIDER_NOT_CONFIGURED");
        assertThat(e.getMessage()).contains("O2D_CLOUDFLARE_ACCOUNT_ID");
        cloudflare.verify(1, getRequestedFor(urlPathEqualTo("/zones")).withQueryParam("name", equalTo("example.com"))
                .withoutQueryParam("account.id"));
        cloudflare.verify(0, postRequestedFor(anyUrl()));
    }

    // --- record sync ---

    private static final String DKIM = "v=DKIM1; k=rsa; p=" + "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".repeat(9) + "IDAQAB";

    @Test
    void syncListsEveryPageThenDeletesUpdatesAndCreatesOnlyItsOwnRecords() {
        List<String> page1 = new ArrayList<>();
        for (int i = 1; i <= 97; i++) {
            page1.add(record("host-" + i, "A", "host-" + i + ".example.com", "198.51.100." + i, 1, null, null));
        }
        page1.add(record("rec-a", "A", "example.com", "198.51.100.200", 3600, null, OURS));
        page1.add(record("rec-mx", "MX", "example.com", "mail.example.com", 3600, 10, OURS));
        page1.add(record("foreign-gsv", "TXT", "example.com", "\"google-site-verification=abc123\"", 3600, null, null));
        List<String> page2 = List.of(
                record("rec-spf", "TXT", "example.com", "\"v=spf1 ip4:198.51.100.200 -all\"", 3600, null, OURS),
                record("rec-dmarc", "TXT", "_dmarc.example.com",
                        "\"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com\"", 300, null, OURS),
                record("rec-old", "CNAME", "old.example.com", "example.com", 3600, null, OURS),
                record("foreign-www", "A", "www.example.com", "192.0.2.80", 1, null, "my website"));
        cloudflare.stubFor(get(urlPathEqualTo(RECORDS)).withQueryParam("page", equalTo("1"))
                .willReturn(okJson(okPage(array(page1.toArray(String[]::new)), 1, 100, 100, 104, 2))));
        cloudflare.stubFor(get(urlPathEqualTo(RECORDS)).withQueryParam("page", equalTo("2"))
                .willReturn(okJson(okPage(array(page2.toArray(String[]::new)), 2, 100, 4, 104, 2))));
        cloudflare.stubFor(put(urlPathMatching(RECORDS + "/.+"))
                .willReturn(okJson(ok(record("any", "A", "example.com", "203.0.113.10", 3600, null, OURS)))));
        cloudflare.stubFor(post(urlPathEqualTo(RECORDS))
                .willReturn(okJson(ok(record("new", "A", "mail.example.com", "203.0.113.10", 3600, null, OURS)))));
        cloudflare.stubFor(delete(urlPathMatching(RECORDS + "/.+")).willReturn(okJson(ok("{\"id\":\"rec-old\"}"))));

        provider().syncRecords(ZONE, List.of(
                new RecordSpec("A", "example.com", "203.0.113.10", 3600, null),
                new RecordSpec("A", "mail.example.com", "203.0.113.10", 3600, null),
                new RecordSpec("MX", "example.com", "mail.example.com", 3600, 10),
                new RecordSpec("TXT", "example.com", "v=spf1 ip4:203.0.113.10 -all", 3600, null),
                new RecordSpec("TXT", "_dmarc.example.com", "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com", 3600, null),
                new RecordSpec("TXT", "default._domainkey.example.com", DKIM, 3600, null)));

        // Both pages, 100 per page.
        for (String page : List.of("1", "2")) {
            cloudflare.verify(1, getRequestedFor(urlPathEqualTo(RECORDS))
                    .withQueryParam("per_page", equalTo("100"))
                    .withQueryParam("page", equalTo(page))
                    .withHeader("Authorization", equalTo(BEARER)));
        }
        // Updates: content of A and SPF, TTL of DMARC; the identical MX is left alone.
        cloudflare.verify(1, putRequestedFor(urlPathEqualTo(RECORDS + "/rec-a"))
                .withHeader("Authorization", equalTo(BEARER))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"type":"A","name":"example.com","content":"203.0.113.10","ttl":3600,
                         "proxied":false,"comment":"managed by outreach2day"}""")));
        cloudflare.verify(1, putRequestedFor(urlPathEqualTo(RECORDS + "/rec-spf"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"type":"TXT","name":"example.com","content":"v=spf1 ip4:203.0.113.10 -all","ttl":3600,
                         "proxied":false,"comment":"managed by outreach2day"}""")));
        cloudflare.verify(1, putRequestedFor(urlPathEqualTo(RECORDS + "/rec-dmarc"))
                .withRequestBody(equalToJson("""
                        {"type":"TXT","name":"_dmarc.example.com",
                         "content":"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com","ttl":3600,
                         "proxied":false,"comment":"managed by outreach2day"}""")));
        cloudflare.verify(3, putRequestedFor(urlPathMatching(RECORDS + "/.+")));
        // Creates: the mail host, and the DKIM key split into 255-byte quoted strings.
        cloudflare.verify(1, postRequestedFor(urlPathEqualTo(RECORDS))
                .withHeader("Authorization", equalTo(BEARER))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"type":"A","name":"mail.example.com","content":"203.0.113.10","ttl":3600,
                         "proxied":false,"comment":"managed by outreach2day"}""")));
        String dkimContent = "\"" + DKIM.substring(0, 255) + "\" \"" + DKIM.substring(255) + "\"";
        cloudflare.verify(1, postRequestedFor(urlPathEqualTo(RECORDS))
                .withRequestBody(equalToJson("""
                        {"type":"TXT","name":"default._domainkey.example.com","content":%s,"ttl":3600,
                         "proxied":false,"comment":"managed by outreach2day"}""".formatted(jsonString(dkimContent)))));
        cloudflare.verify(2, postRequestedFor(urlPathEqualTo(RECORDS)));
        // Delete: only our stale CNAME.
        cloudflare.verify(1, deleteRequestedFor(urlPathEqualTo(RECORDS + "/rec-old")).withHeader("Authorization", equalTo(BEARER)));
        cloudflare.verify(1, deleteRequestedFor(urlPathMatching(RECORDS + "/.+")));
        // Records without our comment are never touched.
        cloudflare.verify(0, anyRequestedFor(urlPathMatching(RECORDS + "/(host-\\d+|foreign-.*|rec-mx)")));
        // Deletes first (a CNAME may need to make room), creates last.
        List<String> order = new ArrayList<>(cloudflare.getAllServeEvents().stream() // newest first
                .map(ServeEvent::getRequest).map(r -> r.getMethod().getName())
                .filter(m -> !m.equals("GET")).toList());
        Collections.reverse(order);
        assertThat(order).containsExactly("DELETE", "PUT", "PUT", "PUT", "POST", "POST");
    }

    @Test
    void aRecordIdenticalToOneTheUserManagesIsNotCreatedAgain() {
        cloudflare.stubFor(get(urlPathEqualTo(RECORDS)).willReturn(okJson(okPage(array(
                record("user-mx", "MX", "example.com", "mail.example.com", 1, 5, "added by hand")), 1, 100, 1, 1, 1))));

        provider().syncRecords(ZONE, List.of(new RecordSpec("MX", "example.com", "mail.example.com.", 3600, 10)));

        cloudflare.verify(0, postRequestedFor(anyUrl()));
        cloudflare.verify(0, putRequestedFor(anyUrl()));
        cloudflare.verify(0, deleteRequestedFor(anyUrl()));
    }

    @Test
    void refusedCreationCarriesCloudflaresCodeAndMessage() {
        cloudflare.stubFor(get(urlPathEqualTo(RECORDS)).willReturn(okJson(okPage("[]", 1, 100, 0, 0, 0))));
        cloudflare.stubFor(post(urlPathEqualTo(RECORDS)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody(error(81057, "Record already exists."))));

        DnsProviderException e = catchThrowableOfType(DnsProviderException.class, () -> provider().syncRecords(ZONE,
                List.of(new RecordSpec("A", "mail.example.com", "203.0.113.10", 3600, null))));

        assertThat(e.code()).isEqualTo("CLOUDFLARE_81057");
        assertThat(e.getMessage()).contains("Record already exists.");
        assertThat(e.retryable()).isFalse();
    }

    // --- transport and authentication errors ---

    @Test
    void rejectedTokenIsAnAuthErrorWithoutTheToken() {
        cloudflare.stubFor(get(urlPathEqualTo("/zones")).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json").withBody(error(10000, "Authentication error"))));

        DnsProviderException e = catchThrowableOfType(DnsProviderException.class, () -> provider().ensureZone("example.com"));

        assertThat(e.code()).isEqualTo("CLOUDFLARE_AUTH");
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("Authentication error").contains("403").doesNotContain(TOKEN);
    }

    @Test
    void rateLimitIsRetryableAndSaysWhenToRetry() {
        cloudflare.stubFor(get(urlPathEqualTo(RECORDS)).willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json").withHeader("Retry-After", "37")
                .withBody(error(971, "Please wait and consider throttling your request speed"))));

        DnsProviderException e = catchThrowableOfType(DnsProviderException.class, () -> provider().syncRecords(ZONE, List.of()));

        assertThat(e.code()).isEqualTo("CLOUDFLARE_RATE_LIMITED");
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains("retry after 37 seconds");
    }

    @Test
    void serverErrorsAreRetryable() {
        cloudflare.stubFor(get(urlPathEqualTo("/zones")).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "text/html").withBody("<html><body>500 Internal Server Error</body></html>")));

        DnsProviderException e = catchThrowableOfType(DnsProviderException.class, () -> provider().ensureZone("example.com"));

        assertThat(e.code()).isEqualTo("CLOUDFLARE_HTTP_500");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void serverErrorEnvelopeKeepsCloudflaresCode() {
        cloudflare.stubFor(post(urlPathEqualTo(RECORDS)).willReturn(aResponse().withStatus(502)
                .withHeader("Content-Type", "application/json").withBody(error(1000, "Internal error"))));
        cloudflare.stubFor(get(urlPathEqualTo(RECORDS)).willReturn(okJson(okPage("[]", 1, 100, 0, 0, 0))));

        DnsProviderException e = catchThrowableOfType(DnsProviderException.class, () -> provider().syncRecords(ZONE,
                List.of(new RecordSpec("A", "example.com", "203.0.113.10", 3600, null))));

        assertThat(e.code()).isEqualTo("CLOUDFLARE_1000");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void slowAnswerIsARetryableTimeout() {
        cloudflare.stubFor(get(urlPathEqualTo("/zones"))
                .willReturn(okJson(okPage("[]", 1, 20, 0, 0, 0)).withFixedDelay(2_000)));
        var provider = new CloudflareDnsProvider(configured(), Duration.ofMillis(250));

        DnsProviderException e = catchThrowableOfType(DnsProviderException.class, () -> provider.ensureZone("example.com"));

        assertThat(e.code()).isEqualTo("CLOUDFLARE_TIMEOUT");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void unconfiguredProviderExistsButRefusesEveryCall() {
        var provider = new CloudflareDnsProvider(props("https://api.cloudflare.com/client/v4", "", ""));

        assertThat(provider.name()).isEqualTo("cloudflare");
        DnsProviderException zone = catchThrowableOfType(DnsProviderException.class, () -> provider.ensureZone("example.com"));
        DnsProviderException sync = catchThrowableOfType(DnsProviderException.class, () -> provider.syncRecords(ZONE, List.of()));
        assertThat(List.of(zone, sync)).allSatisfy(e -> {
            assertThat(e.code()).isEqualTo("DNS_PROVIDER_NOT_CONFIGURED");
            assertThat(e.retryable()).isFalse();
        });
    }

    // --- planning and TXT encoding (no HTTP) ---

    @Nested
    class Planning {

        private CloudflareDnsProvider.Existing owned(String id, String type, String name, String content, int ttl, Integer prio) {
            return new CloudflareDnsProvider.Existing(id, type, name, content, ttl, prio, true);
        }

        @Test
        void twoTxtRecordsAtOneNameAreEachRewrittenInPlace() {
            var plan = CloudflareDnsProvider.plan(
                    List.of(new RecordSpec("TXT", "example.com", "v=spf1 ip4:203.0.113.10 -all", 3600, null),
                            new RecordSpec("TXT", "example.com", "google-site-verification=new", 3600, null)),
                    List.of(owned("spf", "TXT", "example.com", "v=spf1 ip4:198.51.100.1 -all", 3600, null),
                            owned("gsv", "TXT", "example.com", "google-site-verification=old", 3600, null)),
                    List.of());

            assertThat(plan.updates()).extracting(u -> u.existing().id() + "->" + u.desired().value())
                    .containsExactlyInAnyOrder("spf->v=spf1 ip4:203.0.113.10 -all", "gsv->google-site-verification=new");
            assertThat(plan.creates()).isEmpty();
            assertThat(plan.deletes()).isEmpty();
        }

        @Test
        void unrelatedTextIsReplacedNotRewritten() {
            var plan = CloudflareDnsProvider.plan(
                    List.of(new RecordSpec("TXT", "example.com", "hello world", 3600, null)),
                    List.of(owned("old", "TXT", "example.com", "goodbye world", 3600, null)),
                    List.of());

            assertThat(plan.creates()).extracting(CloudflareDnsProvider.Desired::value).containsExactly("hello world");
            assertThat(plan.deletes()).extracting(CloudflareDnsProvider.Existing::id).containsExactly("old");
            assertThat(plan.updates()).isEmpty();
        }

        @Test
        void mxPriorityChangeIsAnUpdateAndEquivalentIpv6IsNot() {
            var plan = CloudflareDnsProvider.plan(
                    List.of(new RecordSpec("MX", "example.com", "mail.example.com", 3600, 20),
                            new RecordSpec("AAAA", "mail.example.com", "2001:db8::1", 3600, null)),
                    List.of(owned("mx", "MX", "example.com", "mail.example.com", 3600, 10),
                            owned("v6", "AAAA", "mail.example.com", "2001:0db8:0:0:0:0:0:1", 3600, null)),
                    List.of());

            assertThat(plan.updates()).extracting(u -> u.existing().id()).containsExactly("mx");
            assertThat(plan.updates().getFirst().desired().priority()).isEqualTo(20);
            assertThat(plan.creates()).isEmpty();
            assertThat(plan.deletes()).isEmpty();
        }

        @Test
        void txtIsSentUnquotedUpTo255BytesAndSplitBeyond() {
            String max = "x".repeat(255);
            assertThat(CloudflareDnsProvider.encodeTxt("v=spf1 -all")).isEqualTo("v=spf1 -all");
            assertThat(CloudflareDnsProvider.encodeTxt(max)).isEqualTo(max);
            assertThat(CloudflareDnsProvider.encodeTxt(max + "y")).isEqualTo("\"" + max + "\" \"y\"");
            assertThat(CloudflareDnsProvider.encodeTxt(max + "say \"hi\"\\")).isEqualTo("\"" + max + "\" \"say \\\"hi\\\"\\\\\"");
        }

        @Test
        void quotedContentIsJoinedAndUnescapedBeforeComparing() {
            assertThat(CloudflareDnsProvider.unquoteTxt("\"v=DKIM1; p=abc\" \"def\"")).isEqualTo("v=DKIM1; p=abcdef");
            assertThat(CloudflareDnsProvider.unquoteTxt("\"say \\\"hi\\\"\\059\"")).isEqualTo("say \"hi\";");
            assertThat(CloudflareDnsProvider.unquoteTxt("v=spf1 -all")).isEqualTo("v=spf1 -all");
            assertThat(CloudflareDnsProvider.unquoteTxt("\"unterminated")).isEqualTo("\"unterminated");
            String long_ = "k".repeat(600);
            assertThat(CloudflareDnsProvider.unquoteTxt(CloudflareDnsProvider.encodeTxt(long_))).isEqualTo(long_);
        }
    }

    // --- documented record shape ---

    static String record(String id, String type, String name, String content, int ttl, Integer priority, String comment) {
        return """
                {"id":"%s","zone_id":"%s","zone_name":"example.com","name":"%s","type":"%s","content":%s,
                 "proxiable":%s,"proxied":false,"ttl":%d,%s"settings":{},"meta":{},"comment":%s,"tags":[],
                 "created_on":"2025-01-01T05:20:00.12345Z","modified_on":"2025-01-01T05:20:00.12345Z"}"""
                .formatted(id, ZONE_ID, name, type, jsonString(content), type.equals("A") || type.equals("CNAME"), ttl,
                        priority != null ? "\"priority\":" + priority + "," : "",
                        comment != null ? jsonString(comment) : "null");
    }

    static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
