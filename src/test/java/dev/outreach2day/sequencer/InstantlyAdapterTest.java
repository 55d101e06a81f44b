package dev.outreach2day.sequencer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Instantly adapter against a WireMock in the shape of API v2 (developer.instantly.ai): exact
 * paths, the Bearer header and every body field; the documented error answers (401 invalid key,
 * 400/422 refusals, 429 with Retry-After, 5xx) classified as the export runner needs them.
 */
class InstantlyAdapterTest {

    static final String KEY = "inst-test-key-NjQ5ZTdmYzQtNWMxMy00ZmQ3";
    static final String BEARER = "Bearer " + KEY;

    static WireMockServer api;
    InstantlyAdapter adapter;

    @BeforeAll
    static void start() {
        api = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        api.start();
    }

    @AfterAll
    static void stop() {
        api.stop();
    }

    @BeforeEach
    void reset() {
        api.resetAll();
        adapter = new InstantlyAdapter(props("http://127.0.0.1:" + api.port() + "/"), Clock.systemUTC());
    }

    static SequencerProperties props(String url) {
        return new SequencerProperties(false, null, url, url, Duration.ofSeconds(2), 3, null, "test-node");
    }

    static final SequencerProvider.MailboxAccount ANN = new SequencerProvider.MailboxAccount("ann@acme-mail.com", "Ann", "Lee",
            "smtp.acme-mail.com", 587, "ann@acme-mail.com", "smtp-Secret-1", "imap.acme-mail.com", 993, "ann.imap", "imap-Secret-2", 40,
            true, 15, 3);

    @Test
    void validatesTheKeyWithTheCurrentWorkspace() {
        api.stubFor(get(urlEqualTo("/api/v2/workspaces/current")).withHeader("Authorization", equalTo(BEARER))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"0198e874-1315-75e4-8094-644feeb142bc\",\"name\":\"Acme Outbound\",\"owner\":\"0198e874\"}")));
        var v = adapter.validate(KEY);
        assertThat(v).isEqualTo(new SequencerProvider.Validation(true, "Acme Outbound", null));
        api.verify(1, getRequestedFor(urlEqualTo("/api/v2/workspaces/current")).withHeader("Authorization", equalTo(BEARER)));
    }

    @Test
    void anInvalidKeyIsNotValidWithInstantlysMessage() {
        api.stubFor(get(urlEqualTo("/api/v2/workspaces/current")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"statusCode\":401,\"error\":\"Unauthorized\",\"message\":\"Invalid API key\"}")));
        var v = adapter.validate("wrong");
        assertThat(v.valid()).isFalse();
        assertThat(v.error()).isEqualTo("Invalid API key");
    }

    @Test
    void createsACustomImapSmtpAccountWithEveryField() {
        api.stubFor(post(urlEqualTo("/api/v2/accounts")).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"email\":\"ann@acme-mail.com\",\"first_name\":\"Ann\",\"last_name\":\"Lee\",\"provider_code\":1,\"status\":1,"
                        + "\"daily_limit\":40,\"warmup_status\":0}")));
        assertThat(adapter.create(KEY, ANN)).isEqualTo("ann@acme-mail.com");
        api.verify(1, postRequestedFor(urlEqualTo("/api/v2/accounts")).withHeader("Authorization", equalTo(BEARER))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"email":"ann@acme-mail.com","first_name":"Ann","last_name":"Lee","provider_code":1,
                         "imap_username":"ann.imap","imap_password":"imap-Secret-2","imap_host":"imap.acme-mail.com","imap_port":993,
                         "smtp_username":"ann@acme-mail.com","smtp_password":"smtp-Secret-1","smtp_host":"smtp.acme-mail.com","smtp_port":587,
                         "daily_limit":40,"warmup":{"limit":15}}""", false, false)));
    }

    @Test
    void withoutWarmupNoWarmupObjectIsSentAndNoWarmupCallMade() {
        api.stubFor(post(urlEqualTo("/api/v2/accounts")).willReturn(aResponse().withStatus(200).withBody("{\"email\":\"ann@acme-mail.com\"}")));
        var noWarmup = new SequencerProvider.MailboxAccount(ANN.email(), "Ann", "", ANN.smtpHost(), 465, ANN.smtpUsername(), "p1",
                ANN.imapHost(), 993, ANN.imapUsername(), "p2", 30, false, 0, 0);
        adapter.create(KEY, noWarmup);
        adapter.enableWarmup(KEY, noWarmup, ANN.email());
        api.verify(1, postRequestedFor(urlEqualTo("/api/v2/accounts")).withRequestBody(equalToJson("""
                {"email":"ann@acme-mail.com","first_name":"Ann","last_name":"","provider_code":1,
                 "imap_username":"ann.imap","imap_password":"p2","imap_host":"imap.acme-mail.com","imap_port":993,
                 "smtp_username":"ann@acme-mail.com","smtp_password":"p1","smtp_host":"smtp.acme-mail.com","smtp_port":465,
                 "daily_limit":30}""", false, false)));
        api.verify(0, postRequestedFor(urlEqualTo("/api/v2/accounts/warmup/enable")));
    }

    @Test
    void enablesWarmupWithTheAccountsEmail() {
        api.stubFor(post(urlEqualTo("/api/v2/accounts/warmup/enable")).willReturn(aResponse().withStatus(200)
                .withBody("{\"id\":\"0198e874-background-job\",\"status\":\"pending\"}")));
        adapter.enableWarmup(KEY, ANN, "ann@acme-mail.com");
        api.verify(1, postRequestedFor(urlEqualTo("/api/v2/accounts/warmup/enable")).withHeader("Authorization", equalTo(BEARER))
                .withRequestBody(equalToJson("{\"emails\":[\"ann@acme-mail.com\"]}", false, false)));
    }

    @Test
    void aRefusedAccountIsRejectedWithInstantlysMessageAndNotRetryable() {
        api.stubFor(post(urlEqualTo("/api/v2/accounts")).willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"statusCode\":400,\"error\":\"Bad Request\",\"message\":\"body/smtp_port must be >= 1\"}")));
        assertThatThrownBy(() -> adapter.create(KEY, ANN)).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.REJECTED);
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).isEqualTo("body/smtp_port must be >= 1");
        });
        api.stubFor(post(urlEqualTo("/api/v2/accounts")).willReturn(aResponse().withStatus(422)
                .withBody("{\"message\":\"Account already exists\"}")));
        assertThatThrownBy(() -> adapter.create(KEY, ANN)).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.REJECTED);
            assertThat(e.status()).isEqualTo(422);
            assertThat(e.getMessage()).isEqualTo("Account already exists");
        });
    }

    @Test
    void rateLimitsAndServerErrorsAreTransientWithRetryAfter() {
        api.stubFor(post(urlEqualTo("/api/v2/accounts")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")
                .withBody("{\"statusCode\":429,\"error\":\"Too Many Requests\",\"message\":\"Rate limit exceeded, retry in 7 seconds\"}")));
        assertThatThrownBy(() -> adapter.create(KEY, ANN)).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.TRANSIENT);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
            assertThat(e.ambiguous()).as("a 429 was not acted on").isFalse();
        });
        api.stubFor(post(urlEqualTo("/api/v2/accounts")).willReturn(aResponse().withStatus(502).withBody("<html>Bad gateway</html>")));
        assertThatThrownBy(() -> adapter.create(KEY, ANN)).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.TRANSIENT);
            assertThat(e.ambiguous()).isTrue();
            assertThat(e.getMessage()).isEqualTo("HTTP 502");
        });
    }

    @Test
    void aTimeoutIsTransientAndAmbiguous() {
        api.stubFor(post(urlEqualTo("/api/v2/accounts")).willReturn(aResponse().withStatus(200).withFixedDelay(3000)));
        assertThatThrownBy(() -> adapter.create(KEY, ANN)).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.TRANSIENT);
            assertThat(e.ambiguous()).isTrue();
            assertThat(e.getMessage()).doesNotContain(KEY);
        });
    }

    @Test
    void findsAnExistingAccountByEmail() {
        api.stubFor(get(urlEqualTo("/api/v2/accounts/ann%40acme-mail.com")).willReturn(aResponse().withStatus(200)
                .withBody("{\"email\":\"ann@acme-mail.com\",\"status\":1}")));
        api.stubFor(get(urlEqualTo("/api/v2/accounts/bob%40acme-mail.com")).willReturn(aResponse().withStatus(404)
                .withBody("{\"statusCode\":404,\"error\":\"Not Found\",\"message\":\"Account not found\"}")));
        assertThat(adapter.existing(KEY, "ann@acme-mail.com")).contains("ann@acme-mail.com");
        assertThat(adapter.existing(KEY, "bob@acme-mail.com")).isEmpty();
    }

    @Test
    void reconnectListsEveryPageAndMarksErroredAccountsFixed() {
        api.stubFor(get(urlPathEqualTo("/api/v2/accounts")).withQueryParam("limit", equalTo("100")).withQueryParam("starting_after",
                com.github.tomakehurst.wiremock.client.WireMock.absent()).willReturn(aResponse().withStatus(200).withBody("""
                        {"items":[{"email":"ann@acme-mail.com","status":-1},{"email":"ok@acme-mail.com","status":1}],
                         "next_starting_after":"2025-03-07T00:00:00.000Z"}""")));
        api.stubFor(get(urlPathEqualTo("/api/v2/accounts")).withQueryParam("starting_after", equalTo("2025-03-07T00:00:00.000Z"))
                .willReturn(aResponse().withStatus(200).withBody("""
                        {"items":[{"email":"cat@acme-mail.com","status":-3},{"email":"paused@acme-mail.com","status":2}],
                         "next_starting_after":null}""")));
        var down = adapter.disconnected(KEY);
        assertThat(down).containsExactly(new SequencerProvider.RemoteAccount("ann@acme-mail.com", "ann@acme-mail.com", "Connection Error"),
                new SequencerProvider.RemoteAccount("cat@acme-mail.com", "cat@acme-mail.com", "Sending Error"));
        api.stubFor(post(urlEqualTo("/api/v2/accounts/ann%40acme-mail.com/mark-fixed")).willReturn(aResponse().withStatus(200)
                .withBody("{\"email\":\"ann@acme-mail.com\",\"status\":1}")));
        adapter.reconnect(KEY, down.getFirst(), ANN);
        api.verify(1, postRequestedFor(urlEqualTo("/api/v2/accounts/ann%40acme-mail.com/mark-fixed")).withHeader("Authorization",
                equalTo(BEARER)));
    }

    @Test
    void passwordsNeverAppearInTheAccountsToString() {
        assertThat(ANN.toString()).doesNotContain("smtp-Secret-1").doesNotContain("imap-Secret-2").contains("ann@acme-mail.com");
    }
}
