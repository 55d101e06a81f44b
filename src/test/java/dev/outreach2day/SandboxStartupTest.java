package dev.outreach2day;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What {@code ./outreach2day run} does on a fresh machine, in-process: no database settings →
 * embedded PostgreSQL under the data dir, migrations, a bootstrap key in a 0600 file that works
 * over HTTP; a second start reuses the data and the key.
 */
class SandboxStartupTest {

    @TempDir
    Path dataDir;

    private ConfigurableApplicationContext start() {
        return SpringApplication.run(Outreach2dayApplication.class,
                "--server.port=0", "--o2d.data-dir=" + dataDir, "--o2d.database.url=", "--o2d.bootstrap.enabled=true",
                "--o2d.public-url=http://localhost:0", "--spring.jmx.enabled=false",
                "--o2d.mail.smtp-port=0", "--o2d.mail.imap-port=0");
    }

    private static Api api(ConfigurableApplicationContext ctx, String key) {
        return new Api("http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port"), key);
    }

    @Test
    void firstStartBootstrapsAndSecondStartReusesTheData() throws Exception {
        String key;
        try (var ctx = start()) {
            Path keyFile = dataDir.resolve("bootstrap-api-key");
            assertThat(keyFile).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
            key = Files.readString(keyFile).trim();
            assertThat(key).startsWith("ot2d_");
            assertThat(dataDir.resolve("postgres/PG_VERSION")).exists();

            var r = api(ctx, key).get("/workspaces");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get(0).get("workspace_id").asLong()).isEqualTo(1);
            assertThat(r.json().get(0).get("role").asString()).isEqualTo("owner");
            var keys = api(ctx, key).get("/api-keys").json();
            assertThat(keys.get(0).get("scopes").toString()).isEqualTo("[\"read\",\"write\",\"billing\"]");
            api(ctx, key).post("/workspaces", "{\"project_name\":\"kept\"}");
            // a domain and a local mailbox, to see them survive the restart
            var setup = api(ctx, key).post("/workspaces/1/setup_payment_method", null).json().get("setup_url").asString();
            api(ctx, null).send("POST", setup.replaceFirst("^https?://[^/]+", ""), "", "application/x-www-form-urlencoded");
            assertThat(api(ctx, key).post("/domains/purchase", """
                    {"domains":["restart-kept.com"],"contactInfo":{"firstName":"A","lastName":"B","email":"a@b.org",
                     "phone":"+1.5555550100","address1":"1 St","city":"X","stateProvince":"Y","postalCode":"1","country":"US"}}""")
                    .status()).isEqualTo(200);
            assertThat(api(ctx, key).post("/mailboxes",
                    "{\"mailboxes\":[{\"address\":\"kept@restart-kept.com\",\"firstName\":\"K\",\"password\":\"Kept-Pass-123\"}]}")
                    .status()).isEqualTo(201);
        }
        long modified = Files.getLastModifiedTime(dataDir.resolve("bootstrap-api-key")).toMillis();
        try (var ctx = start()) {
            var r = api(ctx, key).get("/workspaces");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().size()).isEqualTo(2); // workspace 1 and the one created before the restart
            assertThat(Files.getLastModifiedTime(dataDir.resolve("bootstrap-api-key")).toMillis()).isEqualTo(modified);
            assertThat(api(ctx, key).get("/api-keys").json().size()).isEqualTo(1); // no second bootstrap key
            // the local mailbox was re-created on the (in-memory) built-in server, on its new ports
            var mailbox = api(ctx, key).get("/mailboxes").json().get(0);
            assertThat(mailbox.get("address").asString()).isEqualTo("kept@restart-kept.com");
            assertThat(dev.outreach2day.mailbox.MailClientAccess.canLogIn(mailbox.get("imap").get("host").asString(),
                    mailbox.get("imap").get("port").asInt(), "kept@restart-kept.com", "Kept-Pass-123")).isTrue();
            // the zone is served again by the new built-in DNS server
            assertThat(api(ctx, key).post("/domains/restart-kept.com/verify", null).json().get("dns_status").get("dkim")
                    .get("status").asString()).isEqualTo("ok");
        }
    }

    @Test
    void aPostgresOrphanedByAKilledServerIsStoppedAndTheDataReused() throws Exception {
        String key;
        try (var ctx = start()) {
            key = Files.readString(dataDir.resolve("bootstrap-api-key")).trim();
        }
        // what kill -9 of the server leaves behind: PostgreSQL still running on the data directory
        var orphan = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setDataDirectory(dataDir.resolve("postgres")).setCleanDataDirectory(false).start();
        assertThat(Files.exists(dataDir.resolve("postgres/postmaster.pid"))).isTrue();
        releaseJvmLock(orphan); // a killed JVM's file lock dies with it; this one lives on in the test JVM
        try (var ctx = start()) {
            assertThat(api(ctx, key).get("/workspaces").status()).isEqualTo(200);
        } finally {
            try {
                orphan.close();
            } catch (java.io.IOException ignored) {
                // already stopped by the server start, as intended
            }
        }
    }

    /**
     * The embedded PostgreSQL is stopped by the application context, last, and not also by a JVM
     * shutdown hook of zonky's: that hook ran at SIGTERM next to Spring's own and stopped the database
     * while the syncs and IDLE watchers still finished their work, which then waited for connections
     * until the server was killed.
     */
    @Test
    void theEmbeddedPostgresHasNoShutdownHookOfItsOwn() throws Exception {
        try (var ctx = start()) {
            Object holder = ctx.getBean("embeddedDatabase");
            var postgresField = holder.getClass().getDeclaredField("postgres");
            postgresField.setAccessible(true);
            Object postgres = postgresField.get(holder);
            assertThat(postgres).isInstanceOf(io.zonky.test.db.postgres.embedded.EmbeddedPostgres.class);
            var hookField = postgres.getClass().getDeclaredField("registerShutdownHook");
            hookField.setAccessible(true);
            assertThat(hookField.getBoolean(postgres)).as("zonky registers a JVM shutdown hook that stops PostgreSQL").isFalse();
        }
    }

    /** Drops zonky's in-JVM lock on the data directory, as the death of its JVM would. */
    private static void releaseJvmLock(Object embedded) throws Exception {
        for (var field : embedded.getClass().getDeclaredFields()) {
            if (java.nio.channels.FileLock.class.isAssignableFrom(field.getType())) {
                field.setAccessible(true);
                var lock = (java.nio.channels.FileLock) field.get(embedded);
                if (lock != null) {
                    lock.release();
                    lock.channel().close();
                }
            }
        }
    }
}
