package dev.outreach2day.contact;

import dev.outreach2day.contact.ImportStore.Job;
import java.lang.management.ManagementFactory;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs import jobs: claims one (queued, or running with an expired lease — its process died),
 * streams the file from the job's checkpoint, and commits chunk by chunk: the chunk's contacts,
 * its dead letters and the new checkpoint in one transaction. A crash resumes from the last chunk
 * without losing or duplicating rows; a cancel stops at the next chunk boundary.
 */
@Component
class ImportRunner {

    private static final Logger log = LoggerFactory.getLogger(ImportRunner.class);
    static final int CHUNK = 10_000;
    static final Duration LEASE = Duration.ofMinutes(2);

    /** Test hook: throw {@link SimulatedCrash} after this many committed chunks (0 = never), as a dying process would stop. */
    volatile int crashAfterChunks;
    private int chunksCommitted;

    /** Stands for a process that died mid-import: the job keeps its lease and checkpoint. */
    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash() {
            super("simulated crash");
        }
    }

    private final ImportStore store;
    private final ImportLoader loader;
    private final ImportProperties props;
    private final List<ImportSuppression> suppression;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final String node = ManagementFactory.getRuntimeMXBean().getName();

    ImportRunner(ImportStore store, ImportLoader loader, ImportProperties props, List<ImportSuppression> suppression,
            TransactionTemplate tx, Clock clock) {
        this.props = props;
        this.store = store;
        this.loader = loader;
        this.suppression = suppression;
        this.tx = tx;
        this.clock = clock;
    }

    @Scheduled(initialDelayString = "PT3S", fixedDelayString = "PT1S")
    void tick() {
        if (!props.runnerEnabled()) return;
        try {
            while (runNext()) {
                // one job after another while there are queued ones
            }
        } catch (RuntimeException e) {
            log.warn("Import round failed: {}", e.getMessage(), e);
        }
    }

    /** Claims and runs one job to its end (or cancel); false when there was none. */
    boolean runNext() {
        var claimed = store.claimId(node, clock.instant(), clock.instant().plus(LEASE));
        if (claimed.isEmpty()) return false;
        String[] k = claimed.get().split(":", 2);
        Job job = store.find(Long.parseLong(k[0]), k[1]).orElseThrow();
        try {
            chunksCommitted = 0;
            run(job);
        } catch (SimulatedCrash crash) {
            throw crash;
        } catch (RuntimeException e) {
            log.warn("Import {} failed: {}", job.id(), e.getMessage(), e);
            store.finish(job.workspaceId(), job.id(), "failed", e.getMessage(), clock.instant());
        }
        return true;
    }

    private void run(Job job) {
        Path file = Path.of(job.filePath());
        if (!Files.exists(file)) {
            store.finish(job.workspaceId(), job.id(), "failed", "the uploaded file is gone (server data directory changed?)", clock.instant());
            return;
        }
        var sniffed = new CsvSource.Sniffed(Charset.forName(job.charset()), job.delimiter(), job.hasHeader(), job.headers(),
                job.sampleRows(), 0);
        var chunk = new Chunk(job);
        boolean[] cancelled = {false};
        CsvSource.read(file, sniffed, (rowNumber, fields, problem) -> {
            if (rowNumber <= job.checkpointRow()) return true; // committed before a restart
            chunk.add(rowNumber, fields, problem);
            if (chunk.size() >= CHUNK) {
                commit(chunk);
                var cancel = store.heartbeat(job.workspaceId(), job.id(), node, clock.instant().plus(LEASE));
                if (cancel.isEmpty() || cancel.get()) {
                    cancelled[0] = true;
                    return false;
                }
            }
            return true;
        });
        if (cancelled[0]) {
            store.finish(job.workspaceId(), job.id(), "cancelled", null, clock.instant());
            deleteQuietly(file);
            return;
        }
        commit(chunk);
        store.finish(job.workspaceId(), job.id(), "completed", null, clock.instant());
        deleteQuietly(file);
        log.info("Import {} completed", job.id());
    }

    private void commit(Chunk c) {
        if (c.lastRow == 0 && c.size() == 0) return;
        Job job = c.job;
        // suppression is asked once per chunk
        Set<String> blocked = new HashSet<>();
        for (ImportSuppression s : suppression) {
            blocked.addAll(s.suppressed(job.workspaceId(), job.campaignId(), c.clean.stream().map(r -> r.contact().email()).toList()));
        }
        var keep = c.clean.stream().filter(r -> !blocked.contains(r.contact().email())).toList();
        long suppressed = c.clean.size() - keep.size();
        tx.executeWithoutResult(t -> {
            var result = loader.load(job.workspaceId(), job.campaignId(), job.id(), job.dedupe(), keep);
            for (var d : c.dead) {
                store.addDeadLetter(job.workspaceId(), job.id(), d.rowNumber, d.raw, d.reason, d.detail);
            }
            if (store.advance(job.workspaceId(), job.id(), node, c.lastRow, result.imported(), result.updated(), result.duplicates(),
                    suppressed, c.dead.size()) != 1) {
                throw new IllegalStateException("lost the lease on import " + job.id());
            }
        });
        c.reset();
        if (crashAfterChunks > 0 && ++chunksCommitted >= crashAfterChunks) {
            throw new SimulatedCrash();
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (java.io.IOException ignored) {
            // a leftover upload is harmless; it is in the data directory the operator controls
        }
    }

    /** The rows of the chunk being built: clean ones for the merge, rejected ones as dead letters. */
    static final class Chunk {
        final Job job;
        final List<ImportLoader.Row> clean = new ArrayList<>();
        final List<Dead> dead = new ArrayList<>();
        long lastRow;

        record Dead(long rowNumber, Map<String, String> raw, String reason, String detail) {}

        Chunk(Job job) {
            this.job = job;
        }

        int size() {
            return clean.size() + dead.size();
        }

        void reset() {
            clean.clear();
            dead.clear();
        }

        void add(long rowNumber, List<String> fields, String problem) {
            lastRow = rowNumber;
            Map<String, String> raw = new HashMap<>();
            for (int i = 0; i < fields.size(); i++) {
                raw.put(i < job.headers().size() ? job.headers().get(i) : "column_" + (i + 1), fields.get(i));
            }
            if (problem != null) {
                dead.add(new Dead(rowNumber, raw, problem, problem.equals("RAGGED_ROW")
                        ? "the row has " + fields.size() + " fields, the header " + job.headers().size() : "unreadable row"));
                return;
            }
            switch (Imports.toContact(raw, job.mapping())) {
                case ContactRules.Ok ok -> clean.add(new ImportLoader.Row(rowNumber, ok.contact()));
                case ContactRules.Bad bad -> dead.add(new Dead(rowNumber, raw, bad.code(), bad.reason()));
            }
        }
    }
}
