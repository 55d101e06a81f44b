package dev.outreach2day.platform;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Random server secrets (cursor HMAC key, …) created on first use and kept in the database, so
 * every server process sharing the database uses the same ones.
 */
@Component
public class PlatformSecrets {

    private static final String INSERT = """
            INSERT INTO platform_secrets (name, value) VALUES (:name, :value)
            ON CONFLICT (name) DO NOTHING
            """;
    private static final String SELECT = "SELECT value FROM platform_secrets WHERE name = :name";

    private final JdbcClient jdbc;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, byte[]> cache = new ConcurrentHashMap<>();

    public PlatformSecrets(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A 32-byte secret, the same in every process for the lifetime of the database. */
    public byte[] get(String name) {
        return cache.computeIfAbsent(name, n -> {
            byte[] fresh = new byte[32];
            random.nextBytes(fresh);
            jdbc.sql(INSERT).param("name", n).param("value", fresh).update();
            return jdbc.sql(SELECT).param("name", n).query(byte[].class).single();
        }).clone();
    }
}
