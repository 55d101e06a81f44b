package dev.outreach2day.domain;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.outreach2day.domain.DnsProvider.DnsProviderException;
import dev.outreach2day.domain.TransferProvider.Status;
import dev.outreach2day.domain.TransferProvider.TransferState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CloudflareTransferProviderTest extends CloudflareWireMockTest {

    private static final String DOMAIN = "example.com";
    private static final String AUTH_CODE = "Xk9#p2\"Lm!q";
    private static final Instant STARTED = Instant.parse("2025-01-15T10:00:00Z");
    private static final String REGISTRATION = "/accounts/" + ACCOUNT + "/registrar/registrations/" + DOMAIN;
    private static final String TRANSFER_IN = REGISTRATION + "/transfer-in";
    private static final String TRANSFER_STATUS = REGISTRATION + "/transfer-in-status";
    private static final String LEGACY = "/accounts/" + ACCOUNT + "/registrar/domains/" + DOMAIN;

    private CloudflareTransferProvider provider() {
        return new CloudflareTransferProvider(configured(), Duration.ofSeconds(2));
    }

    private static void zone(String status) {
        cloudflare.stubFor(get(urlPathEqualTo("/zones")).withQueryParam("name", equalTo(DOMAIN))
                .withQueryParam("account.id", equalTo(ACCOUNT))
                .willReturn(okJson(okPage(array(zoneJson(ZONE_ID, DOMAIN, status)), 1, 20, 1, 1, 1))));
    }

    private static void noWorkflow() {
        cloudflare.stubFor(get(urlPathEqualTo(TRANSFER_STATUS)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody(error(1003, "Not found"))));
    }

    private static void workflowIs(String workflowJson) {
        cloudflare.stubFor(get(urlPathEqualTo(TRANSFER_STATUS)).willReturn(okJson(ok(workflowJson))));
    }

    /** The documented WorkflowStatus shape. */
    static String workflow(String state, boolean completed, String context, String error) {
        return """
                {"completed":%s,"created_at":"2025-01-15T10:00:00Z","updated_at":"2025-01-15T10:05:00Z",
                 "links":{"self":"/accounts/%s/registrar/registrations/example.com/transfer-in-status",
                          "resource":"/accounts/%s/registrar/registrations/example.com"},
                 "state":"%s","context":%s,"error":%s}"""
                .formatted(completed, ACCOUNT, ACCOUNT, state, context, error);
    }

    // --- start ---

    @Test
    void startSubmitsTheBase64AuthCodeForAnActiveZone() {
        zone("active");
        noWorkflow();
        cloudflare.stubFor(post(urlPathEqualTo(TRANSFER_IN)).willReturn(aResponse().withStatus(202)
                .withHeader("Content-Type", "application/json")
                .withBody(ok(workflow("pending", false, "{\"domain_name\":\"example.com\"}", "null")))));

        TransferState state = provider().start("Example.com", AUTH_CODE, STARTED);

        assertThat(state.status()).isEqualTo(Status.transferring);
        assertThat(state.detail()).contains("example.com");
        String encoded = Base64.getEncoder().encodeToString(AUTH_CODE.getBytes(StandardCharsets.UTF_8));
        cloudflare.verify(1, postRequestedFor(urlPathEqualTo(TRANSFER_IN))
                .withHeader("Authorization", equalTo(BEARER))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"auth_code\":\"" + encoded + "\"}")));
        cloudflare.verify(1, getRequestedFor(urlPathEqualTo("/zones")).withHeader("Authorization", equalTo(BEARER)));
    }

    @Test
    void startResumesARunningTransferInsteadOfStartingASecondOne() {
        zone("active");
        workflowIs(workflow("blocked", false, "{\"domain_name\":\"example.com\"}", "null"));

        TransferState state = provider().start(DOMAIN, AUTH_CODE, STARTED);

        assertThat(state.status()).isEqualTo(Status.transferring);
        assertThat(state.detail()).contains("5 days");
        cloudflare.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void startTriesAgainAfterAFailedTransfer() {
        zone("active");
        workflowIs(workflow("failed", true, "{\"domain_name\":\"example.com\"}",
                "{\"code\":\"invalid_auth_code\",\"message\":\"The authorization code is invalid\"}"));
        cloudflare.stubFor(post(urlPathEqualTo(TRANSFER_IN)).willReturn(aResponse().withStatus(202)
                .withHeader("Content-Type", "application/json")
                .withBody(ok(workflow("in_progress", false, "{\"domain_name\":\"example.com\"}", "null")))));

        TransferState state = provider().start(DOMAIN, "new-code", STARTED);

        assertThat(state.status()).isEqualTo(Status.transferring);
        cloudflare.verify(1, postRequestedFor(urlPathEqualTo(TRANSFER_IN))
                .withRequestBody(equalToJson("{\"auth_code\":\"bmV3LWNvZGU=\"}")));
    }

    @Test
    void startRefusesADomainWithoutAZoneInTheAccount() {
        cloudflare.stubFor(get(urlPathEqualTo("/zones")).willReturn(okJson(okPage("[]", 1, 20, 0, 0, 0))));

        DnsProviderException e = catchThrowableOfType(DnsProviderException.class, () -> provider().start(DOMAIN, AUTH_CODE, STARTED));

        assertThat(e.code()).isEqualTo("CLOUDFLARE_ZONE_NOT_FOUND");
        assertThat(e.retryable()).isFalse();
        cloudflare.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void startWaitsForTheZoneToBeActive() {
        zone("pending");

        DnsProviderException e = catchThrowableOfType(DnsProviderException.class, () -> provider().start(DOMAIN, AUTH_CODE, STARTED));

        assertThat(e.code()).isEqualTo("CLOUDFLARE_ZONE_NOT_ACTIVE");
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains("bob.ns.cloudflare.com").contains("lola.ns.cloudflare.com");
        cloudflare.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void refusedStartNeverEchoesTheAuthCode() {
        zone("active");
        noWorkflow();
        // A synthetic refusal that quotes the request back, to prove the code is redacted.
        cloudflare.stubFor(post(urlPathEqualTo(TRANSFER_IN)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"success\":false,\"errors\":[{\"code\":1001,\"message\":"
                        + CloudflareDnsProviderTest.jsonString("Invalid auth_code " + AUTH_CODE) + "}],\"messages\":[],\"result\":null}")));

        DnsProviderException e = catchThrowableOfType(DnsProviderException.class, () -> provider().start(DOMAIN, AUTH_CODE, STARTED));

        assertThat(e.code()).isEqualTo("CLOUDFLARE_1001");
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).doesNotContain(AUTH_CODE).doesNotContain(TOKEN);
    }

    // --- status from the transfer-in workflow ---

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            pending         | false | transferring | will submit it shortly
            in_progress     | false | transferring | submitted to the registry
            blocked         | false | transferring | up to 5 days
            succeeded       | true  | completed    | registered with Cloudflare Registrar
            """)
    void workflowStatesMapToPortStates(String state, boolean completed, Status expected, String detail) {
        workflowIs(workflow(state, completed, "{\"domain_name\":\"example.com\"}", "null"));

        TransferState result = provider().status(DOMAIN, STARTED);

        assertThat(result.status()).isEqualTo(expected);
        assertThat(result.detail()).contains(detail);
        cloudflare.verify(1, getRequestedFor(urlPathEqualTo(TRANSFER_STATUS)).withHeader("Authorization", equalTo(BEARER)));
    }

    @Test
    void actionRequiredAsksTheUserWhatCloudflareAsks() {
        workflowIs(workflow("action_required", false,
                "{\"domain_name\":\"example.com\",\"action\":\"Accept the Form of Authorization email sent to the registrant\"}",
                "null"));

        TransferState result = provider().status(DOMAIN, STARTED);

        assertThat(result.status()).isEqualTo(Status.pending_auth);
        assertThat(result.detail()).contains("Accept the Form of Authorization email sent to the registrant");
    }

    @Test
    void failedWorkflowCarriesCloudflaresReason() {
        workflowIs(workflow("failed", true, "{\"domain_name\":\"example.com\"}",
                "{\"code\":\"transfer_rejected\",\"message\":\"The losing registrar rejected the transfer\"}"));

        TransferState result = provider().status(DOMAIN, STARTED);

        assertThat(result.status()).isEqualTo(Status.failed);
        assertThat(result.detail()).contains("The losing registrar rejected the transfer").contains("transfer_rejected");
    }

    // --- status of a transfer started in the dashboard (registrar domain view) ---

    static String registrarDomain(String currentRegistrar, String acceptFoa, String approve, String privacy, String authCode,
            String unlock) {
        return """
                {"id":"ea95132c15732412d22c1476fa83f27a","available":false,"can_register":false,
                 "created_at":"2018-08-28T17:26:26Z","current_registrar":"%s","expires_at":"2026-08-28T23:59:59Z",
                 "locked":false,"registry_statuses":"ok,serverTransferProhibited","supported_tld":true,
                 "transfer_in":{"accept_foa":"%s","approve_transfer":"%s","can_cancel_transfer":true,
                                "disable_privacy":"%s","enter_auth_code":"%s","unlock_domain":"%s"},
                 "updated_at":"2018-08-28T17:26:26Z"}"""
                .formatted(currentRegistrar, acceptFoa, approve, privacy, authCode, unlock);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            NameCheap, Inc. | needed | unknown  | ok      | needed   | ok      | pending_auth | enter it at
            NameCheap, Inc. | needed | unknown  | ok      | ok       | ok      | pending_auth | (FOA) email
            NameCheap, Inc. | ok     | unknown  | ok      | ok       | needed  | pending_auth | Unlock example.com
            NameCheap, Inc. | ok     | unknown  | needed  | ok       | ok      | pending_auth | WHOIS privacy
            NameCheap, Inc. | ok     | pending  | ok      | ok       | ok      | transferring | registry approval pending
            NameCheap, Inc. | ok     | trying   | unknown | trying   | pending | transferring | up to 5 days
            NameCheap, Inc. | ok     | unknown  | ok      | rejected | ok      | failed       | auth code for example.com was rejected
            NameCheap, Inc. | ok     | rejected | ok      | ok       | ok      | failed       | was rejected by the current registrar
            NameCheap, Inc. | ok     | ok       | ok      | ok       | ok      | completed    | registered with Cloudflare Registrar
            Cloudflare      | ok     | ok       | unknown | ok       | ok      | completed    | registered with Cloudflare Registrar
            """)
    void dashboardTransfersMapFromTheRegistrarDomainFields(String registrar, String acceptFoa, String approve, String privacy,
            String authCode, String unlock, Status expected, String detail) {
        noWorkflow();
        cloudflare.stubFor(get(urlPathEqualTo(LEGACY))
                .willReturn(okJson(ok(registrarDomain(registrar, acceptFoa, approve, privacy, authCode, unlock)))));

        TransferState result = provider().status(DOMAIN, STARTED);

        assertThat(result.status()).isEqualTo(expected);
        assertThat(result.detail()).contains(detail);
        cloudflare.verify(1, getRequestedFor(urlPathEqualTo(LEGACY)).withHeader("Authorization", equalTo(BEARER)));
    }

    @Test
    void noTransferAnywhereAsksForTheAuthCodeAgain() {
        noWorkflow();
        cloudflare.stubFor(get(urlPathEqualTo(LEGACY)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody(error(1003, "Not found"))));

        TransferState result = provider().status(DOMAIN, STARTED);

        assertThat(result.status()).isEqualTo(Status.pending_auth);
        assertThat(result.detail()).contains("no transfer of example.com");
    }

    @Test
    void statusErrorsFollowTheClientRules() {
        cloudflare.stubFor(get(urlPathEqualTo(TRANSFER_STATUS)).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "120").withHeader("Content-Type", "application/json")
                .withBody(error(971, "Please wait and consider throttling your request speed"))));

        DnsProviderException e = catchThrowableOfType(DnsProviderException.class, () -> provider().status(DOMAIN, STARTED));

        assertThat(e.code()).isEqualTo("CLOUDFLARE_RATE_LIMITED");
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains("120");
    }

    @Test
    void unconfiguredProviderExistsButRefusesEveryCall() {
        var provider = new CloudflareTransferProvider(props("https://api.cloudflare.com/client/v4", null, null));

        assertThat(provider.name()).isEqualTo("cloudflare");
        DnsProviderException start = catchThrowableOfType(DnsProviderException.class, () -> provider.start(DOMAIN, AUTH_CODE, STARTED));
        DnsProviderException status = catchThrowableOfType(DnsProviderException.class, () -> provider.status(DOMAIN, STARTED));
        assertThat(start.code()).isEqualTo("DNS_PROVIDER_NOT_CONFIGURED");
        assertThat(status.code()).isEqualTo("DNS_PROVIDER_NOT_CONFIGURED");
    }

    @Test
    void registrarCallsNeedTheAccountId() {
        var provider = new CloudflareTransferProvider(props("http://127.0.0.1:" + cloudflare.port(), TOKEN, ""), Duration.ofSeconds(2));

        DnsProviderException e = catchThrowableOfType(DnsProviderException.class, () -> provider.status(DOMAIN, STARTED));

        assertThat(e.code()).isEqualTo("DNS_PROVIDER_NOT_CONFIGURED");
        assertThat(e.getMessage()).contains("O2D_CLOUDFLARE_ACCOUNT_ID");
        cloudflare.verify(0, getRequestedFor(anyUrl()));
    }
}
