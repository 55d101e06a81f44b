package dev.outreach2day.sequencer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
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
 * The Smartlead adapter against a WireMock in the shape of API v1 (api.smartlead.ai): the api_key
 * query parameter on every call, every field of email-accounts/save, the documented errors.
 */
class SmartleadAdapterTest {

    static final String KEY = "sl-test-key_5f0c1d2e-8a9b-4c3d";

    static WireMockServer api;
    SmartleadAdapter adapter;

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
        adapter = new SmartleadAdapter(InstantlyAdapterTest.props("http://127.0.0.1:" + api.port()), Clock.systemUTC());
    }

    @Test
    void validatesTheKeyByListingOneAccount() {
        api.stubFor(get(urlPathEqualTo("/api/v1/email-accounts/")).willReturn(aResponse().withStatus(200).withBody("[]")));
        assertThat(adapter.validate(KEY)).isEqualTo(new SequencerProvider.Validation(true, null, null));
        api.verify(1, getRequestedFor(urlPathEqualTo("/api/v1/email-accounts/")).withQueryParam("api_key", equalTo(KEY))
                .withQueryParam("offset", equalTo("0")).withQueryParam("limit", equalTo("1")));
    }

    @Test
    void anInvalidKeyIsNotValidWithSmartleadsMessage() {
        api.stubFor(get(urlPathEqualTo("/api/v1/email-accounts/")).willReturn(aResponse().withStatus(401)
                .withBody("{\"error\":\"Invalid API key. Check your authentication.\"}")));
        var v = adapter.validate("wrong");
        assertThat(v.valid()).isFalse();
        assertThat(v.error()).isEqualTo("Invalid API key. Check your authentication.");
    }

    @Test
    void savesTheAccountWithEveryField() {
        api.stubFor(post(urlPathEqualTo("/api/v1/email-accounts/save")).willReturn(aResponse().withStatus(200).withBody("""
                {"ok":true,"message":"Email account added successfully","data":{"id":123,"from_email":"ann@acme-mail.com",
                 "is_smtp_success":true,"is_imap_success":true}}""")));
        assertThat(adapter.create(KEY, InstantlyAdapterTest.ANN)).isEqualTo("123");
        api.verify(1, postRequestedFor(urlPathEqualTo("/api/v1/email-accounts/save")).withQueryParam("api_key", equalTo(KEY))
                .withRequestBody(equalToJson("""
                        {"id":null,"from_name":"Ann Lee","from_email":"ann@acme-mail.com","user_name":"ann@acme-mail.com",
                         "password":"smtp-Secret-1","smtp_host":"smtp.acme-mail.com","smtp_port":587,"imap_host":"imap.acme-mail.com",
                         "imap_port":993,"imap_user_name":"ann.imap","imap_password":"imap-Secret-2","max_email_per_day":40,
                         "warmup_enabled":true,"total_warmup_per_day":15,"daily_rampup":3,"type":"SMTP"}""", false, false)));
    }

    @Test
    void readsTheIdOfTheOlderSaveAnswer() {
        api.stubFor(post(urlPathEqualTo("/api/v1/email-accounts/save")).willReturn(aResponse().withStatus(200)
                .withBody("{\"ok\":true,\"message\":\"Email account added successfully!\",\"emailAccountId\":2386}")));
        assertThat(adapter.create(KEY, InstantlyAdapterTest.ANN)).isEqualTo("2386");
    }

    @Test
    void aFailedConnectionCheckIsRejectedWithSmartleadsMessage() {
        api.stubFor(post(urlPathEqualTo("/api/v1/email-accounts/save")).willReturn(aResponse().withStatus(400)
                .withBody("{\"message\":\"SMTP connection failed: Invalid login: 535 Authentication failed\"}")));
        assertThatThrownBy(() -> adapter.create(KEY, InstantlyAdapterTest.ANN)).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.REJECTED);
            assertThat(e.getMessage()).isEqualTo("SMTP connection failed: Invalid login: 535 Authentication failed");
            assertThat(e.getMessage()).doesNotContain(KEY);
        });
        api.stubFor(post(urlPathEqualTo("/api/v1/email-accounts/save")).willReturn(aResponse().withStatus(200)
                .withBody("{\"ok\":false,\"message\":\"IMAP connection failed\"}")));
        assertThatThrownBy(() -> adapter.create(KEY, InstantlyAdapterTest.ANN)).isInstanceOfSatisfying(ProviderException.class,
                e -> assertThat(e.getMessage()).isEqualTo("IMAP connection failed"));
    }

    @Test
    void rateLimitIsTransientWithRetryAfter() {
        api.stubFor(post(urlPathEqualTo("/api/v1/email-accounts/save")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")
                .withBody("{\"message\":\"Too many requests. Please slow down and retry after the rate limit resets.\"}")));
        assertThatThrownBy(() -> adapter.create(KEY, InstantlyAdapterTest.ANN)).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.retryable()).isTrue();
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(2));
        });
    }

    @Test
    void reconnectSavesFailingAccountsAgainWithTheirId() {
        api.stubFor(get(urlPathEqualTo("/api/v1/email-accounts/")).withQueryParam("offset", equalTo("0")).willReturn(aResponse()
                .withStatus(200).withBody("""
                        [{"id":123,"from_email":"ann@acme-mail.com","is_smtp_success":false,"is_imap_success":true,
                          "smtp_failure_error":"535 Authentication failed","message_per_day":55,"warmup_details":{"status":"INACTIVE"}},
                         {"id":124,"from_email":"ok@acme-mail.com","is_smtp_success":true,"is_imap_success":true},
                         {"id":125,"from_email":"cat@acme-mail.com","is_smtp_success":true,"is_imap_success":false,"imap_failure_error":null}]""")));
        var down = adapter.disconnected(KEY);
        assertThat(down).containsExactly(new SequencerProvider.RemoteAccount("ann@acme-mail.com", "123", "SMTP: 535 Authentication failed", 55,
                false),
                new SequencerProvider.RemoteAccount("cat@acme-mail.com", "125", "IMAP: connection failed"));
        api.verify(1, getRequestedFor(urlPathEqualTo("/api/v1/email-accounts/")).withQueryParam("api_key", equalTo(KEY))
                .withQueryParam("limit", equalTo("100")));
        api.stubFor(post(urlPathEqualTo("/api/v1/email-accounts/save")).willReturn(aResponse().withStatus(200)
                .withBody("{\"ok\":true,\"message\":\"Email account updated\",\"data\":{\"id\":123}}")));
        adapter.reconnect(KEY, down.getFirst(), InstantlyAdapterTest.ANN);
        api.verify(1, postRequestedFor(urlPathEqualTo("/api/v1/email-accounts/save")).withQueryParam("api_key", equalTo(KEY))
                .withRequestBody(equalToJson("""
                        {"id":123,"from_name":"Ann Lee","from_email":"ann@acme-mail.com","user_name":"ann@acme-mail.com",
                         "password":"smtp-Secret-1","smtp_host":"smtp.acme-mail.com","smtp_port":587,"imap_host":"imap.acme-mail.com",
                         "imap_port":993,"imap_user_name":"ann.imap","imap_password":"imap-Secret-2","max_email_per_day":55,
                         "warmup_enabled":false,"type":"SMTP"}""", false, false)));
    }

    @Test
    void findsAnExistingAccountByItsAddress() {
        api.stubFor(get(urlPathEqualTo("/api/v1/email-accounts/")).willReturn(aResponse().withStatus(200)
                .withBody("[{\"id\":77,\"from_email\":\"Ann@Acme-Mail.com\"}]")));
        assertThat(adapter.existing(KEY, "ann@acme-mail.com")).contains("77");
        assertThat(adapter.existing(KEY, "bob@acme-mail.com")).isEmpty();
    }
}
