package dev.outreach2day;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real server process for multi-process tests: a child JVM of this build's main classes and
 * dependencies (not the test classes: their logback-test.xml would take over the log), configured
 * through {@code O2D_…} variables against a database of the test PostgreSQL, its output in
 * {@code <logs>/node-<id>.log}. Its database sessions carry the application name
 * {@code o2d-<id>}. {@link #close()} kills it if it still runs and removes its data directory.
 *
 * <pre>{@code
 * var a = ChildServer.builder("a", TestPostgres.jdbcUrl(db), ChildServer.newMasterKey()).logs(dir).bootstrap(true).start();
 * a.awaitHealthy();
 * var api = new Api(a.base(), a.awaitBootstrapKey());
 * }</pre>
 */
public final class ChildServer implements AutoCloseable {

    static final Duration HEALTHY_WITHIN = Duration.ofSeconds(150);

    private final String id;
    private final Process process;
    private final int port;
    private final Path dataDir;
    private final Path log;

    private ChildServer(String id, Process process, int port, Path dataDir, Path log) {
        this.id = id;
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
        this.log = log;
    }

    /** A new random master key (base64 of 32 bytes): give the same one to every process of one database. */
    public static String newMasterKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    public static Builder builder(String id, String jdbcUrl, String masterKey) {
        return new Builder(id, jdbcUrl, masterKey);
    }

    public static final class Builder {
        private final String id;
        private final String jdbcUrl;
        private final String masterKey;
        private Path logs = Path.of("target/child-servers");
        private boolean bootstrap;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> args = new ArrayList<>();

        private Builder(String id, String jdbcUrl, String masterKey) {
            this.id = id;
            this.jdbcUrl = jdbcUrl;
            this.masterKey = masterKey;
        }

        /** The directory for the process's log and argument file. */
        public Builder logs(Path dir) {
            this.logs = dir;
            return this;
        }

        /** Creates the owner, workspace 1 and a key on an empty database (only one process of a database should). */
        public Builder bootstrap(boolean on) {
            this.bootstrap = on;
            return this;
        }

        /** One more (or a different) {@code O2D_…} variable. */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** One more command-line argument, e.g. {@code --o2d.webhooks.lease=PT6S} (properties without an O2D_ variable). */
        public Builder arg(String arg) {
            args.add(arg);
            return this;
        }

        public ChildServer start() throws IOException {
            Path logDir = logs.toAbsolutePath();
            Files.createDirectories(logDir);
            int port;
            try (var socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path dataDir = Files.createTempDirectory("o2d-child-" + id);
            Path log = logDir.resolve("node-" + id + ".log");
            String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .filter(e -> !e.isBlank() && !Path.of(e).normalize().endsWith("test-classes"))
                    .map(e -> Path.of(e).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
            assertThat(classpath).as("the test classpath holds the main classes").contains("classes");
            Path argFile = logDir.resolve("node-" + id + ".args");
            Files.writeString(argFile, "-cp\n\"" + classpath + "\"\n");
            var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx768m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "@" + argFile,
                    "dev.outreach2day.Outreach2dayApplication", "--spring.jmx.enabled=false"));
            command.addAll(args);
            var pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            var e = pb.environment();
            e.keySet().removeIf(k -> k.startsWith("O2D_"));
            e.put("O2D_DATABASE_URL", jdbcUrl + "&ApplicationName=o2d-" + id);
            e.put("O2D_HTTP_PORT", Integer.toString(port));
            e.put("O2D_PUBLIC_URL", "http://127.0.0.1:" + port);
            e.put("O2D_DATA_DIR", dataDir.toString());
            e.put("O2D_MAIL_SERVER", "false");
            e.put("O2D_NODE_ID", id);
            e.put("O2D_DNS_PORT", "0");
            e.put("O2D_BOOTSTRAP", Boolean.toString(bootstrap));
            e.put("O2D_MASTER_KEY", masterKey);
            e.put("O2D_RATE_LIMIT_RPS", "100000");
            e.put("O2D_RATE_LIMIT_BURST", "100000");
            e.putAll(env);
            return new ChildServer(id, pb.start(), port, dataDir, log);
        }
    }

    public String id() {
        return id;
    }

    public Process process() {
        return process;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path log() {
        return log;
    }

    public String base() {
        return "http://127.0.0.1:" + port;
    }

    /** The application name of its database sessions (see pg_stat_activity). */
    public String applicationName() {
        return "o2d-" + id;
    }

    public ChildServer awaitHealthy() throws Exception {
        return awaitHealthy(HEALTHY_WITHIN);
    }

    /** Waits until {@code /actuator/health} answers 200; fails with the log's tail if the process exits or takes too long. */
    public ChildServer awaitHealthy(Duration within) throws Exception {
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("process %s exited with %d during start; its log:%n%s", id, process.exitValue(), tail());
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create(base() + "/actuator/health")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return this;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail("process %s not healthy after %s; its log:%n%s", id, within, tail());
        return this;
    }

    /** The all-scopes key a bootstrapping process wrote into its data directory. */
    public String awaitBootstrapKey() throws Exception {
        Path file = dataDir.resolve("bootstrap-api-key");
        for (int i = 0; i < 100 && !Files.exists(file); i++) Thread.sleep(100);
        assertThat(file).as("bootstrap key of process " + id).exists();
        return Files.readString(file).trim();
    }

    /** The last 60 lines of its output. */
    public String tail() {
        try {
            var lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGKILL (on Linux): no shutdown hook, no graceful stop; returns the exit code (137). */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("process %s ended after SIGKILL", id).isTrue();
        return process.exitValue();
    }

    /** SIGTERM: the server shuts down gracefully; returns the exit code once it has ended (fails if it takes longer than {@code within}). */
    public int stop(Duration within) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("process %s still running %s after SIGTERM; its log:%n%s", id, within, tail());
        }
        return process.exitValue();
    }

    /**
     * Waits until the (ended) process's database sessions are gone: until then a COMMIT it sent
     * just before it died may still land.
     */
    public void awaitNoSessions(Connection db, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        do {
            try (var q = db.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
                q.setString(1, applicationName());
                var rs = q.executeQuery();
                rs.next();
                if (rs.getLong(1) == 0) return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        fail("the database sessions of process %s did not end within %s", id, within);
    }

    /** Kills the process if it still runs and removes its data directory. */
    @Override
    public void close() throws InterruptedException {
        closeAll(List.of(this));
    }

    /** Kills every one still running (all at once, then waits for each) and removes their data directories. */
    public static void closeAll(Collection<ChildServer> servers) throws InterruptedException {
        for (ChildServer s : servers) s.process.destroyForcibly();
        for (ChildServer s : servers) s.process.waitFor(10, TimeUnit.SECONDS);
        for (ChildServer s : servers) deleteTree(s.dataDir);
    }

    private static void deleteTree(Path dir) { // best effort: a leftover temporary directory fails no test
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | UncheckedIOException e) {
            // ignored
        }
    }
}
