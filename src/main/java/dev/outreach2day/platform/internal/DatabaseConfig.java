package dev.outreach2day.platform.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outreach2day.platform.O2dProperties;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one database: an external PostgreSQL when {@code O2D_DATABASE_URL} is set, otherwise an
 * embedded PostgreSQL 17 whose data lives under {@code $O2D_DATA_DIR/postgres} and survives
 * restarts. The embedded server is stopped after the pool closes on shutdown.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfig {

    private static final Logger log = LoggerFactory.getLogger(DatabaseConfig.class);

    /** Holder so the embedded server is a bean Spring stops (after the pool) on shutdown. */
    static final class EmbeddedDatabase implements AutoCloseable {
        private final EmbeddedPostgres postgres;

        EmbeddedDatabase(EmbeddedPostgres postgres) {
            this.postgres = postgres;
        }

        String jdbcUrl() {
            return postgres.getJdbcUrl("postgres", "postgres");
        }

        @Override
        public void close() throws IOException {
            if (postgres != null) {
                log.info("Stopping embedded PostgreSQL");
                postgres.close();
            }
        }
    }

    @Bean(destroyMethod = "close")
    EmbeddedDatabase embeddedDatabase(O2dProperties props) throws IOException {
        if (!props.database().embedded()) {
            return new EmbeddedDatabase(null);
        }
        if (!props.sandbox()) {
            throw new IllegalStateException(
                    "O2D_MODE=production needs an external PostgreSQL: set O2D_DATABASE_URL (the embedded one is for sandbox mode)");
        }
        Path dir = props.dataDir().toAbsolutePath().normalize().resolve("postgres");
        Files.createDirectories(dir.getParent());
        stopOrphan(dir);
        long started = System.nanoTime();
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "200")
                // no JVM shutdown hook of its own: it stopped PostgreSQL at SIGTERM while the application was still
                // shutting down gracefully (syncs and IDLE watchers then waited for connections that never came, and a
                // SIGTERM'd server needed SIGKILL). The context stops it last, closing this bean.
                .setRegisterShutdownHook(false)
                .start();
        log.info("Embedded PostgreSQL 17 on 127.0.0.1:{} (data in {}) started in {} ms",
                pg.getPort(), dir, (System.nanoTime() - started) / 1_000_000);
        return new EmbeddedDatabase(pg);
    }

    /**
     * A server process killed hard (kill -9, power loss of the JVM only) leaves its embedded
     * PostgreSQL running on the data directory, and a new start would fail. Stop that orphan
     * first: it has no clients left, so a fast shutdown loses nothing committed.
     */
    static void stopOrphan(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
        if (!first.matches("\\d+")) {
            return;
        }
        var process = ProcessHandle.of(Long.parseLong(first));
        if (process.isEmpty() || !process.get().isAlive()
                || !process.get().info().command().map(c -> c.contains("postgres")).orElse(false)) {
            return; // stale pid file: PostgreSQL itself handles that
        }
        log.warn("Stopping an orphaned embedded PostgreSQL (pid {}) left on {} by a process that did not shut down", first, dataDir);
        process.get().destroy(); // SIGTERM: smart shutdown; no clients are left
        try {
            process.get().onExit().get(15, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            process.get().destroyForcibly();
        }
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(O2dProperties props, EmbeddedDatabase embedded) {
        var db = props.database();
        HikariConfig config = new HikariConfig();
        config.setPoolName("o2d");
        config.setMaximumPoolSize(db.poolSize());
        if (db.embedded()) {
            config.setJdbcUrl(embedded.jdbcUrl());
            config.setUsername("postgres");
            config.setPassword("postgres");
        } else {
            ExternalUrl url = ExternalUrl.parse(db.url());
            config.setJdbcUrl(url.jdbcUrl());
            config.setUsername(notBlank(db.username()) ? db.username() : url.username());
            config.setPassword(notBlank(db.password()) ? db.password() : url.password());
        }
        return new HikariDataSource(config);
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    /**
     * Accepts a JDBC URL ({@code jdbc:postgresql://…}) or the common
     * {@code postgres://user:password@host:port/db} form.
     */
    record ExternalUrl(String jdbcUrl, String username, String password) {
        static ExternalUrl parse(String url) {
            String trimmed = url.trim();
            if (trimmed.startsWith("jdbc:postgresql:")) {
                return new ExternalUrl(trimmed, null, null);
            }
            if (trimmed.startsWith("postgres://") || trimmed.startsWith("postgresql://")) {
                URI uri = URI.create(trimmed);
                String user = null;
                String password = null;
                if (uri.getRawUserInfo() != null) {
                    String[] parts = uri.getRawUserInfo().split(":", 2);
                    user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
                    password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
                }
                String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                        + uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
                return new ExternalUrl(jdbc, user, password);
            }
            throw new IllegalArgumentException(
                    "O2D_DATABASE_URL must start with jdbc:postgresql:// or postgres://, got: " + trimmed.replaceAll("//[^@/]*@", "//***@"));
        }
    }
}
