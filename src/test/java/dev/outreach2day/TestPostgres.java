package dev.outreach2day;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One real PostgreSQL 17 per test JVM, on its own free port and a temporary data directory,
 * started on first use and stopped when the JVM exits. Never the machine's shared 5432.
 */
public final class TestPostgres {

    private static EmbeddedPostgres postgres;

    private TestPostgres() {}

    public static synchronized EmbeddedPostgres get() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is exiting; the temp directory goes with it
                }
            }));
        }
        return postgres;
    }

    /** A JDBC URL for database {@code name} on the shared server (created if missing). */
    public static String jdbcUrl(String name) {
        EmbeddedPostgres pg = get();
        if (!name.equals("postgres")) {
            try (var c = pg.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
                var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name.replaceAll("[^a-z0-9_]", "") + "'");
                if (!rs.next()) {
                    s.execute("CREATE DATABASE " + name.replaceAll("[^a-z0-9_]", ""));
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        return pg.getJdbcUrl("postgres", name) + "&password=postgres";
    }
}
