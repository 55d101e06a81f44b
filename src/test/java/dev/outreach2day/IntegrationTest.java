package dev.outreach2day;

import dev.outreach2day.workspace.TestTenants;
import dev.outreach2day.workspace.TestTenants.Tenant;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the end-to-end tests: the whole server on a random port against the JVM's one real
 * PostgreSQL. All subclasses share one Spring context; each test makes its own tenants, so tests
 * never see each other's data.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class IntegrationTest {

    @LocalServerPort
    protected int port;

    @Autowired
    protected TestTenants tenants;

    @DynamicPropertySource
    static void sharedDatabase(DynamicPropertyRegistry registry) throws Exception {
        registry.add("o2d.database.url", () -> TestPostgres.jdbcUrl("postgres"));
        registry.add("o2d.bootstrap.enabled", () -> "false");
        registry.add("o2d.data-dir", () -> DATA_DIR.toString());
        registry.add("o2d.api.rate-limit-rps", () -> "100000");
        registry.add("o2d.api.rate-limit-burst", () -> "100000");
        registry.add("o2d.mail.smtp-port", () -> "0");
        registry.add("o2d.mail.imap-port", () -> "0");
        // tests drive the sending engine themselves (SendEngine.runOnce), so nothing sends behind their back
        registry.add("o2d.delivery.enabled", () -> "false");
        registry.add("o2d.sync.enabled", () -> "false");
        registry.add("o2d.unibox.outbound-enabled", () -> "false");
        registry.add("o2d.webhooks.enabled", () -> "false");
        registry.add("o2d.warmup.enabled", () -> "false");
        // tests deliver to receivers on 127.0.0.1; the guard itself is tested in UrlGuardTest
        registry.add("o2d.webhooks.allow-private-targets", () -> "true");
        registry.add("o2d.imports.runner-enabled", () -> "false");
        // tests run the sequencer export runner themselves (ExportRunner.runOnce); both sequencer APIs are one WireMock
        registry.add("o2d.sequencers.exports-enabled", () -> "false");
        registry.add("o2d.sequencers.instantly-api-url", SequencerApis::baseUrl);
        registry.add("o2d.sequencers.smartlead-api-url", SequencerApis::baseUrl);
    }

    private static final Path DATA_DIR;

    static {
        try {
            DATA_DIR = Files.createTempDirectory("o2d-test-data");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    protected String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** A client without a key. */
    protected Api anonymous() {
        return new Api(baseUrl(), null);
    }

    /** A client with the tenant's key. */
    protected Api api(Tenant tenant) {
        return new Api(baseUrl(), tenant.apiKey());
    }

    /** A fresh account with its own workspace and an all-scopes key. */
    protected Tenant newTenant() {
        return tenants.create();
    }
}
