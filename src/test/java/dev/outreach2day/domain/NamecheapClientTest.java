package dev.outreach2day.domain;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * The transport shared by the Namecheap adapters, against a WireMock stand-in for
 * {@code api.namecheap.com}. Also home of the helpers the adapter tests share.
 */
class NamecheapClientTest {

    static final String API_USER = "o2d-apiuser";
    static final String API_KEY = "7f1e5b0c2d9a4e6b8c3f1a2d5e7b9c0a";
    static final String USERNAME = "o2d-account";
    static final String CLIENT_IP = "203.0.113.10";

    static WireMockServer namecheap;

    @BeforeAll
    static void start() {
        namecheap = startNamecheap();
    }

    @AfterAll
    static void stop() {
        namecheap.stop();
    }

    @BeforeEach
    void reset() {
        namecheap.resetAll();
    }

    // --- shared helpers ----------------------------------------------------------------------

    static WireMockServer startNamecheap() {
        WireMockServer server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        return server;
    }

    static DomainProperties.Namecheap config(WireMockServer server) {
        return new DomainProperties.Namecheap("http://127.0.0.1:" + server.port() + "/xml.response",
                API_USER, API_KEY, USERNAME, CLIENT_IP);
    }

    static DomainProperties properties(DomainProperties.Namecheap namecheap) {
        return new DomainProperties(null, null, null, namecheap, null, null, null, null);
    }

    /** The global parameters every request carries, then {@code Command}, in the order the client sends them. */
    static Map<String, String> globals(String command) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("ApiUser", API_USER);
        params.put("ApiKey", API_KEY);
        params.put("UserName", USERNAME);
        params.put("ClientIp", CLIENT_IP);
        params.put("Command", command);
        return params;
    }

    static void stubCommand(WireMockServer server, String command, ResponseDefinitionBuilder response) {
        server.stubFor(post(urlEqualTo("/xml.response")).withFormParam("Command", equalTo(command)).willReturn(response));
    }

    static ResponseDefinitionBuilder xml(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/xml; charset=utf-8").withBody(body);
    }

    /** A Status="OK" envelope as Namecheap's method pages show it. */
    static String ok(String command, String commandResponse) {
        return """
                <?xml version="1.0" encoding="utf-8"?>
                <ApiResponse xmlns="http://api.namecheap.com/xml.response" Status="OK">
                  <Errors />
                  <Warnings />
                  <RequestedCommand>%s</RequestedCommand>
                  <CommandResponse Type="%s">
                    %s
                  </CommandResponse>
                  <Server>PHX01APIEXT02</Server>
                  <GMTTimeDifference>--4:00</GMTTimeDifference>
                  <ExecutionTime>1.358</ExecutionTime>
                </ApiResponse>
                """.formatted(command, command, commandResponse);
    }

    /** A Status="ERROR" envelope as Namecheap returns it. */
    static String error(String number, String text) {
        return """
                <?xml version="1.0" encoding="utf-8"?>
                <ApiResponse Status="ERROR" xmlns="http://api.namecheap.com/xml.response">
                  <Errors>
                    <Error Number="%s">%s</Error>
                  </Errors>
                  <Warnings />
                  <RequestedCommand />
                  <Server>PHX01SBAPIEXT05</Server>
                  <GMTTimeDifference>--4:00</GMTTimeDifference>
                  <ExecutionTime>0</ExecutionTime>
                </ApiResponse>
                """.formatted(number, text);
    }

    /** Every POST the stub received for {@code command}, decoded, parameters in the order sent. */
    static List<Map<String, String>> requests(WireMockServer server, String command) {
        return server.findAll(postRequestedFor(urlEqualTo("/xml.response"))).stream()
                .map(NamecheapClientTest::form)
                .filter(form -> command.equals(form.get("Command")))
                .toList();
    }

    static Map<String, String> form(LoggedRequest request) {
        Map<String, String> form = new LinkedHashMap<>();
        String body = request.getBodyAsString();
        if (body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String previous = form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            assertThat(previous).as("parameter sent twice: " + pair).isNull();
        }
        return form;
    }

    // --- transport -----------------------------------------------------------------------------

    @Test
    void postsEveryParameterFormEncodedInTheBodyAndNothingInTheUrl() {
        stubCommand(namecheap, "namecheap.domains.getList", xml(ok("namecheap.domains.getList", "<DomainGetListResult />")));
        NamecheapClient client = new NamecheapClient(config(namecheap));

        Map<String, String> params = new LinkedHashMap<>();
        params.put("SearchTerm", "a b;c&d=e+f");
        params.put("Skipped", null);
        Element root = client.call("namecheap.domains.getList", params);

        assertThat(root.getAttribute("Status")).isEqualTo("OK");
        LoggedRequest request = namecheap.findAll(postRequestedFor(urlEqualTo("/xml.response"))).getFirst();
        assertThat(request.getUrl()).isEqualTo("/xml.response");
        assertThat(request.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        Map<String, String> expected = globals("namecheap.domains.getList");
        expected.put("SearchTerm", "a b;c&d=e+f");
        assertThat(form(request)).containsExactlyEntriesOf(expected);
        assertThat(request.getBodyAsString()).contains("SearchTerm=a+b%3Bc%26d%3De%2Bf");
    }

    @Test
    void userNameDefaultsToTheApiUser() {
        stubCommand(namecheap, "namecheap.domains.getList", xml(ok("namecheap.domains.getList", "")));
        var config = new DomainProperties.Namecheap("http://127.0.0.1:" + namecheap.port() + "/xml.response",
                API_USER, API_KEY, " ", CLIENT_IP);

        new NamecheapClient(config).call("namecheap.domains.getList", Map.of());

        assertThat(requests(namecheap, "namecheap.domains.getList").getFirst()).containsEntry("UserName", API_USER);
    }

    @Test
    void readsResponsesWithoutTheNamespace() {
        // The getInfo method page shows <ApiResponse Status="OK"> without xmlns.
        stubCommand(namecheap, "namecheap.domains.getInfo", xml("""
                <?xml version="1.0" encoding="UTF-8"?>
                <ApiResponse Status="OK">
                  <Errors />
                  <CommandResponse Type="namecheap.domains.getinfo">
                    <DomainGetInfoResult Status="Ok" ID="736542" DomainName="domain1.com" IsOwner="true" />
                  </CommandResponse>
                </ApiResponse>
                """));

        Element root = new NamecheapClient(config(namecheap)).call("namecheap.domains.getInfo", Map.of("DomainName", "domain1.com"));

        assertThat(NamecheapClient.attr(NamecheapClient.first(root, "DomainGetInfoResult"), "id")).isEqualTo("736542");
    }

    @Test
    void apiErrorsCarryTheNamecheapNumber() {
        stubCommand(namecheap, "namecheap.domains.getList",
                xml(error("1011102", "API Key is invalid or API access has not been enabled")));

        var failure = catchThrowableOfType(NamecheapClient.Failure.class,
                () -> new NamecheapClient(config(namecheap)).call("namecheap.domains.getList", Map.of()));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_1011102");
        assertThat(failure.number()).isEqualTo("1011102");
        assertThat(failure.text()).isEqualTo("API Key is invalid or API access has not been enabled");
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage()).contains("namecheap.domains.getList", "API Key is invalid", "1011102")
                .doesNotContain(API_KEY);
    }

    @Test
    void unknownExceptionsAreRetryable() {
        stubCommand(namecheap, "namecheap.domains.getList", xml(error("5050169", "Unknown exceptions")));

        var failure = catchThrowableOfType(NamecheapClient.Failure.class,
                () -> new NamecheapClient(config(namecheap)).call("namecheap.domains.getList", Map.of()));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_5050169");
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void theApiKeyIsRedactedEvenWhenNamecheapEchoesIt() {
        stubCommand(namecheap, "namecheap.domains.getList",
                xml(error("1011102", "API Key " + API_KEY + " is invalid")));

        var failure = catchThrowableOfType(NamecheapClient.Failure.class,
                () -> new NamecheapClient(config(namecheap)).call("namecheap.domains.getList", Map.of()));

        assertThat(failure.getMessage()).doesNotContain(API_KEY).contains("[redacted]");
        assertThat(failure.text()).doesNotContain(API_KEY);
    }

    @Test
    void http5xxIsRetryable() {
        stubCommand(namecheap, "namecheap.domains.getList", aResponse().withStatus(502).withBody("Bad gateway"));

        var failure = catchThrowableOfType(NamecheapClient.Failure.class,
                () -> new NamecheapClient(config(namecheap)).call("namecheap.domains.getList", Map.of()));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_HTTP_502");
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void http405IsNamecheapsRateLimitAndRetryable() {
        stubCommand(namecheap, "namecheap.domains.getList", aResponse().withStatus(405));

        var failure = catchThrowableOfType(NamecheapClient.Failure.class,
                () -> new NamecheapClient(config(namecheap)).call("namecheap.domains.getList", Map.of()));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_RATE_LIMITED");
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void other4xxAreFinal() {
        stubCommand(namecheap, "namecheap.domains.getList", aResponse().withStatus(403));

        var failure = catchThrowableOfType(NamecheapClient.Failure.class,
                () -> new NamecheapClient(config(namecheap)).call("namecheap.domains.getList", Map.of()));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_HTTP_403");
        assertThat(failure.retryable()).isFalse();
    }

    @Test
    void aSlowAnswerTimesOutAndIsRetryable() {
        stubCommand(namecheap, "namecheap.domains.getList",
                xml(ok("namecheap.domains.getList", "")).withFixedDelay(3_000));

        var failure = catchThrowableOfType(NamecheapClient.Failure.class,
                () -> new NamecheapClient(config(namecheap), Duration.ofMillis(300)).call("namecheap.domains.getList", Map.of()));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_TIMEOUT");
        assertThat(failure.retryable()).isTrue();
        assertThat(failure.getMessage()).doesNotContain(API_KEY);
    }

    @Test
    void anUnreachableApiIsRetryable() {
        WireMockServer gone = startNamecheap();
        var config = config(gone);
        gone.stop();

        var failure = catchThrowableOfType(NamecheapClient.Failure.class,
                () -> new NamecheapClient(config).call("namecheap.domains.getList", Map.of()));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_UNREACHABLE");
        assertThat(failure.retryable()).isTrue();
        assertThat(failure.getMessage()).doesNotContain(API_KEY);
    }

    @Test
    void internalEntitiesAreRejectedNotExpanded() {
        stubCommand(namecheap, "namecheap.domains.getList", xml("""
                <?xml version="1.0" encoding="utf-8"?>
                <!DOCTYPE ApiResponse [<!ENTITY leak "EXPANDED-ENTITY-TEXT">]>
                <ApiResponse Status="ERROR"><Errors><Error Number="1">&leak;</Error></Errors></ApiResponse>
                """));

        var failure = catchThrowableOfType(NamecheapClient.Failure.class,
                () -> new NamecheapClient(config(namecheap)).call("namecheap.domains.getList", Map.of()));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_BAD_RESPONSE");
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage()).contains("DOCTYPE").doesNotContain("EXPANDED-ENTITY-TEXT");
    }

    @Test
    void externalEntitiesAreNeverRead(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "TOP-SECRET-FILE-CONTENT");
        stubCommand(namecheap, "namecheap.domains.getList", xml("""
                <?xml version="1.0" encoding="utf-8"?>
                <!DOCTYPE ApiResponse [<!ENTITY xxe SYSTEM "%s">]>
                <ApiResponse Status="ERROR"><Errors><Error Number="1">&xxe;</Error></Errors></ApiResponse>
                """.formatted(secret.toUri())));

        var failure = catchThrowableOfType(NamecheapClient.Failure.class,
                () -> new NamecheapClient(config(namecheap)).call("namecheap.domains.getList", Map.of()));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_BAD_RESPONSE");
        assertThat(failure.getMessage()).doesNotContain("TOP-SECRET-FILE-CONTENT");
    }

    @Test
    void externalDtdsAreNeverFetched() {
        namecheap.stubFor(get(urlPathEqualTo("/evil.dtd")).willReturn(aResponse().withBody("<!ENTITY x \"y\">")));
        stubCommand(namecheap, "namecheap.domains.getList", xml("""
                <?xml version="1.0" encoding="utf-8"?>
                <!DOCTYPE ApiResponse SYSTEM "http://127.0.0.1:%d/evil.dtd">
                <ApiResponse Status="OK"><Errors /></ApiResponse>
                """.formatted(namecheap.port())));

        assertThatThrownBy(() -> new NamecheapClient(config(namecheap)).call("namecheap.domains.getList", Map.of()))
                .isInstanceOfSatisfying(NamecheapClient.Failure.class,
                        failure -> assertThat(failure.code()).isEqualTo("NAMECHEAP_BAD_RESPONSE"));
        namecheap.verify(0, anyRequestedFor(urlPathEqualTo("/evil.dtd")));
    }

    @Test
    void malformedXmlIsABadResponse() {
        stubCommand(namecheap, "namecheap.domains.getList", xml("<ApiResponse Status=\"OK\"><CommandResponse>"));

        var failure = catchThrowableOfType(NamecheapClient.Failure.class,
                () -> new NamecheapClient(config(namecheap)).call("namecheap.domains.getList", Map.of()));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_BAD_RESPONSE");
    }

    @Test
    void anHtmlPageIsABadResponse() {
        stubCommand(namecheap, "namecheap.domains.getList", xml("<html><body>maintenance</body></html>"));

        var failure = catchThrowableOfType(NamecheapClient.Failure.class,
                () -> new NamecheapClient(config(namecheap)).call("namecheap.domains.getList", Map.of()));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_BAD_RESPONSE");
    }

    @Test
    void sendsNothingWhenNotConfigured() {
        var unconfigured = new DomainProperties.Namecheap("http://127.0.0.1:" + namecheap.port() + "/xml.response", "", "", "", "");
        NamecheapClient client = new NamecheapClient(unconfigured);

        assertThat(client.configured()).isFalse();
        assertThat(client.missingSettings())
                .containsExactly("O2D_NAMECHEAP_API_KEY", "O2D_NAMECHEAP_API_USER", "O2D_NAMECHEAP_CLIENT_IP");
        var failure = catchThrowableOfType(NamecheapClient.Failure.class, () -> client.call("namecheap.domains.getList", Map.of()));
        assertThat(failure.code()).isEqualTo("NAMECHEAP_NOT_CONFIGURED");
        namecheap.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void severalErrorsAreAllReported() {
        stubCommand(namecheap, "namecheap.domains.create", xml("""
                <?xml version="1.0" encoding="utf-8"?>
                <ApiResponse Status="ERROR" xmlns="http://api.namecheap.com/xml.response">
                  <Errors>
                    <Error Number="2015182">Contact phone is invalid. The phone number format is +NNN.NNNNNNNNNN</Error>
                    <Error Number="2011168">Nameservers are not valid</Error>
                  </Errors>
                </ApiResponse>
                """));

        var failure = catchThrowableOfType(NamecheapClient.Failure.class,
                () -> new NamecheapClient(config(namecheap)).call("namecheap.domains.create", Map.of()));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_2015182");
        assertThat(failure.getMessage()).contains("Contact phone is invalid", "Nameservers are not valid (error 2011168)");
        namecheap.verify(postRequestedFor(urlEqualTo("/xml.response")).withFormParam("ApiKey", equalTo(API_KEY))
                .withHeader("Content-Type", containing("application/x-www-form-urlencoded")));
    }
}
