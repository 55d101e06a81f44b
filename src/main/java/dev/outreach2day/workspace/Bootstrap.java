package dev.outreach2day.workspace;

import dev.outreach2day.platform.O2dProperties;
import dev.outreach2day.platform.Scope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * First start on an empty database: an owner account, workspace 1 and an API key with every
 * scope. The key is printed once and written to {@code $O2D_DATA_DIR/bootstrap-api-key} (0600).
 * Guarded by an advisory lock so several processes starting together bootstrap once.
 */
@Component
class Bootstrap implements ApplicationRunner {

    static final String KEY_FILE = "bootstrap-api-key";
    private static final long LOCK_ID = 0x0_2d_b0_07L;
    private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);

    private final O2dProperties props;
    private final WorkspaceRepository workspaces;
    private final ApiKeyService keys;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    Bootstrap(O2dProperties props, WorkspaceRepository workspaces, ApiKeyService keys, JdbcClient jdbc,
            TransactionTemplate tx, Clock clock) {
        this.props = props;
        this.workspaces = workspaces;
        this.keys = keys;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!props.bootstrap().enabled()) {
            return;
        }
        Optional<String> created = bootstrapIfEmpty();
        Path keyFile = props.dataDir().toAbsolutePath().normalize().resolve(KEY_FILE);
        String banner = created
                .map(key -> """

                        ================================================================================
                         Outreach2day is ready (%s mode) at %s
                         First start: created workspace 1 and an API key with all scopes.
                         API key (shown once; also saved to %s):

                           %s

                         Try: curl -H "Authorization: Bearer %s" %s/workspaces
                        ================================================================================
                        """.formatted(props.mode().name().toLowerCase(), props.baseUrl(), keyFile, key, key, props.baseUrl()))
                .orElseGet(() -> """

                        Outreach2day is ready (%s mode) at %s — existing data reused%s
                        """.formatted(props.mode().name().toLowerCase(), props.baseUrl(),
                        Files.exists(keyFile) ? "; the first API key is in " + keyFile : ""));
        System.out.println(banner);
    }

    /** Creates the first account, workspace and key when the database has no account yet. */
    Optional<String> bootstrapIfEmpty() {
        return tx.execute(status -> {
            jdbc.sql("SELECT pg_advisory_xact_lock(:id)").param("id", LOCK_ID).query(Object.class).single();
            if (workspaces.countAccounts() > 0) {
                return Optional.<String>empty();
            }
            long account = workspaces.insertAccount("owner@localhost", "Owner");
            long workspace = workspaces.insertWorkspace(account, "Default workspace", "Created on first start",
                    props.workspace().defaultMaxMailboxes());
            var issued = keys.issueUnchecked(workspace, account, "bootstrap", EnumSet.allOf(Scope.class), clock.instant());
            writeKeyFile(issued.secret());
            log.info("Bootstrapped account {}, workspace {} and API key {}", account, workspace, issued.row().id());
            return Optional.of(issued.secret());
        });
    }

    private void writeKeyFile(String key) {
        try {
            Path dir = props.dataDir().toAbsolutePath().normalize();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".bootstrap-api-key", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, key + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, dir.resolve(KEY_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the bootstrap API key to " + props.dataDir(), e);
        }
    }
}
