package dev.outreach2day;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;

/**
 * One WireMock for the JVM standing in for Instantly's and Smartlead's APIs (their paths do not
 * overlap: /api/v2/… and /api/v1/…), started on first use and shared by the server under test.
 * Tests tell their requests apart by the API key each uses, never by resetting it.
 */
public final class SequencerApis {

    private static WireMockServer server;

    private SequencerApis() {}

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        }
        return server;
    }

    public static String baseUrl() {
        return "http://127.0.0.1:" + server().port();
    }
}
