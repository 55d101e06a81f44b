package dev.outreach2day.domain;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * A WireMock stand-in for {@code api.cloudflare.com/client/v4}, plus the v4 envelope in its
 * documented shape ({@code {success, errors, messages, result, result_info}}).
 */
abstract class CloudflareWireMockTest {

    static final String TOKEN = "cf-test-token-Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQ";
    static final String BEARER = "Bearer " + TOKEN;
    static final String ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353";
    static final String ZONE_ID = "9a7806061c88ada191ed06f989cc3dac";

    static WireMockServer cloudflare;

    @BeforeAll
    static void startCloudflare() {
        cloudflare = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        cloudflare.start();
    }

    @AfterAll
    static void stopCloudflare() {
        cloudflare.stop();
    }

    @BeforeEach
    void resetCloudflare() {
        cloudflare.resetAll();
    }

    static DomainProperties props(String apiUrl, String token, String accountId) {
        return new DomainProperties(null, "cloudflare", null, null,
                new DomainProperties.Cloudflare(apiUrl, token, accountId), null, null, null);
    }

    static DomainProperties configured() {
        return props("http://127.0.0.1:" + cloudflare.port(), TOKEN, ACCOUNT);
    }

    static String ok(String resultJson) {
        return "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":" + resultJson + "}";
    }

    static String okPage(String resultArrayJson, int page, int perPage, int count, int totalCount, int totalPages) {
        return "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":" + resultArrayJson
                + ",\"result_info\":{\"page\":" + page + ",\"per_page\":" + perPage + ",\"count\":" + count
                + ",\"total_count\":" + totalCount + ",\"total_pages\":" + totalPages + "}}";
    }

    static String error(int code, String message) {
        return "{\"success\":false,\"errors\":[{\"code\":" + code + ",\"message\":\"" + message
                + "\"}],\"messages\":[],\"result\":null}";
    }

    static String array(String... items) {
        StringJoiner j = new StringJoiner(",", "[", "]");
        for (String item : items) {
            j.add(item);
        }
        return j.toString();
    }

    /** A zone object as GET/POST /zones return it (fields we do not read trimmed). */
    static String zoneJson(String id, String name, String status) {
        return """
                {"id":"%s","name":"%s","status":"%s","paused":false,"type":"full","development_mode":0,
                 "name_servers":["bob.ns.cloudflare.com","lola.ns.cloudflare.com"],
                 "original_name_servers":["dns1.registrar-servers.com","dns2.registrar-servers.com"],
                 "original_registrar":"namecheap, inc.","original_dnshost":null,
                 "account":{"id":"%s","name":"Outreach2day"},
                 "created_on":"2025-01-01T05:20:00.12345Z","modified_on":"2025-01-01T05:20:00.12345Z","activated_on":null}
                """.formatted(id, name, status, ACCOUNT);
    }
}
