package dev.outreach2day;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every API response body of the test run, appended to {@code target/api-responses.log}, and
 * the secrets tests used: {@code SecretLeakTest} (run last) checks no secret ever appears in a
 * response or in the run's log.
 */
public final class ResponseLog {

    public static final Path FILE = Path.of("target/api-responses.log");
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

    static {
        try {
            Files.createDirectories(FILE.getParent());
            Files.deleteIfExists(FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ResponseLog() {}

    static synchronized void record(String method, String path, int status, byte[] body) {
        try {
            Files.write(FILE, (method + " " + path + " " + status + "\n").getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Files.write(FILE, body, StandardOpenOption.APPEND);
            Files.write(FILE, "\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A secret a test sent (a mailbox password): it must never come back or be logged. */
    public static String secret(String value) {
        SECRETS.add(value);
        return value;
    }

    static Set<String> secrets() {
        return Set.copyOf(SECRETS);
    }
}
