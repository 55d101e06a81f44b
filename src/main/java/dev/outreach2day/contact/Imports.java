package dev.outreach2day.contact;

import dev.outreach2day.contact.ImportStore.Job;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.platform.O2dProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * CSV imports as resources: upload (streamed to disk, sniffed, counted), mapping (suggested,
 * editable, confirmed), status, dead letters and their replay, cancel, and the runbook.
 */
@Service
class Imports {

    static final int SAMPLE = 5;

    private final ImportStore store;
    private final ImportLoader loader;
    private final ImportProperties props;
    private final O2dProperties platform;
    private final List<CampaignDirectory> campaigns;
    private final TransactionTemplate tx;
    private final Clock clock;

    Imports(ImportStore store, ImportLoader loader, ImportProperties props, O2dProperties platform, List<CampaignDirectory> campaigns,
            TransactionTemplate tx, Clock clock) {
        this.store = store;
        this.loader = loader;
        this.props = props;
        this.platform = platform;
        this.campaigns = campaigns;
        this.tx = tx;
        this.clock = clock;
    }

    void requireCampaign(long workspaceId, String campaignId) {
        if (campaignId == null || campaigns.stream().noneMatch(c -> c.exists(workspaceId, campaignId))) {
            throw new ApiException.NotFound("Campaign " + campaignId);
        }
    }

    /**
     * Stores the upload on disk (never in memory), sniffs encoding, delimiter and header, counts
     * the rows against the limit, and records the job: awaiting a mapping, or queued with the given
     * (or, when {@code autoMapping}, the suggested) one.
     */
    Job upload(long workspaceId, String campaignId, String fileName, long size, InputStream in, Map<String, String> mapping,
            boolean autoMapping, String dedupe) {
        requireCampaign(workspaceId, campaignId);
        if (size > props.maxBytes()) {
            throw new ApiException.PayloadTooLarge("Files may be at most " + props.maxBytes() + " bytes (O2D_IMPORT_MAX_BYTES)");
        }
        String id = Ids.next("imp", clock.millis());
        Path dir = platform.dataDir().toAbsolutePath().normalize().resolve("imports");
        Path file = dir.resolve(id + ".csv");
        try {
            Files.createDirectories(dir);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the upload", e);
        }
        try {
            CsvSource.Sniffed sniffed;
            try {
                sniffed = CsvSource.sniff(file);
            } catch (CsvSource.Unreadable e) {
                throw ApiException.Invalid.body(e.getMessage(), e.code(), "file");
            }
            long[] rows = {0};
            CsvSource.read(file, sniffed, (n, fields, problem) -> {
                rows[0] = n;
                return n <= props.maxRows();
            });
            if (rows[0] > props.maxRows()) {
                throw new ApiException.PayloadTooLarge("Files may have at most " + props.maxRows() + " rows (O2D_IMPORT_MAX_ROWS)");
            }
            if (rows[0] == 0) {
                throw ApiException.Invalid.body("the file has a header but no data rows", "EMPTY_FILE", "file");
            }
            Map<String, String> effective = mapping;
            if (effective == null && autoMapping) effective = ImportMapping.suggest(sniffed.headers(), sniffed.sampleRows());
            if (effective != null) requireValid(effective, sniffed.headers());
            var job = new Job(workspaceId, id, campaignId, effective == null ? "awaiting_mapping" : "queued", file.toString(), fileName,
                    Files.size(file), sniffed.charset().name(), sniffed.delimiter(), sniffed.hasHeader(), sniffed.headers(),
                    sniffed.sampleRows().stream().limit(SAMPLE).toList(), effective, dedupe == null ? "update" : dedupe, rows[0], 0,
                    0, 0, 0, 0, 0, false, null, clock.instant(), null, null);
            store.insert(job);
            return store.find(workspaceId, id).orElseThrow();
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the refusal is what matters
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void requireValid(Map<String, String> mapping, List<String> headers) {
        var problems = ImportMapping.validate(mapping, headers);
        if (!problems.isEmpty()) {
            throw new ApiException.Invalid(problems.stream()
                    .map(p -> ApiException.FieldProblem.at("body", p, "value_error", "mapping")).toList());
        }
    }

    Job get(long workspaceId, String id) {
        return store.find(workspaceId, id).orElseThrow(() -> new ApiException.NotFound("Import " + id));
    }

    Map<String, String> suggested(Job job) {
        return job.mapping() != null ? job.mapping() : ImportMapping.suggest(job.headers(), job.sampleRows());
    }

    /** How the first rows look with a mapping: what each would become. */
    List<Map<String, String>> preview(Job job, Map<String, String> mapping) {
        var out = new ArrayList<Map<String, String>>();
        for (List<String> row : job.sampleRows()) {
            var mapped = new LinkedHashMap<String, String>();
            for (int i = 0; i < row.size() && i < job.headers().size(); i++) {
                String target = mapping.getOrDefault(job.headers().get(i), "ignore");
                if (!target.equals("ignore")) mapped.put(target, row.get(i));
            }
            out.add(mapped);
        }
        return out;
    }

    Job confirm(long workspaceId, String id, Map<String, String> mapping) {
        Job job = get(workspaceId, id);
        requireValid(mapping, job.headers());
        if (!store.confirm(workspaceId, id, mapping)) {
            throw new ApiException.Conflict("IMPORT_NOT_AWAITING_MAPPING", "Import " + id + " is " + job.status() + "; its mapping is final");
        }
        return get(workspaceId, id);
    }

    Job cancel(long workspaceId, String id) {
        Job job = get(workspaceId, id);
        if (!store.requestCancel(workspaceId, id, clock.instant())) {
            throw new ApiException.Conflict("IMPORT_FINISHED", "Import " + id + " is already " + job.status());
        }
        return get(workspaceId, id);
    }

    /** A corrected row to replay: its row number and values by column name (or by target field). */
    record Correction(long row, Map<String, String> values) {}

    record Replayed(long replayed, long stillInvalid, List<Map<String, Object>> problems) {}

    /**
     * Replays dead letters: the given rows with corrected values, or (none given) every dead
     * letter as it is (useful when what rejected it has changed). Rows that pass are merged and
     * move from invalid to imported/updated; others stay dead letters with their new reason.
     */
    Replayed replay(long workspaceId, String id, List<Correction> corrections) {
        Job job = get(workspaceId, id);
        if (job.status().equals("running") || job.status().equals("queued")) {
            throw new ApiException.Conflict("IMPORT_RUNNING", "Import " + id + " is still running; replay when it has finished");
        }
        var letters = store.deadLetters(workspaceId, id, false, 100_000);
        var byRow = new HashMap<Long, ImportStore.DeadLetter>();
        letters.forEach(l -> byRow.put(l.rowNumber(), l));
        var targets = new ArrayList<Correction>();
        if (corrections == null || corrections.isEmpty()) {
            letters.forEach(l -> targets.add(new Correction(l.rowNumber(), l.raw())));
        } else {
            for (int i = 0; i < corrections.size(); i++) {
                var c = corrections.get(i);
                var letter = byRow.get(c.row());
                if (letter == null) {
                    throw ApiException.Invalid.body("row " + c.row() + " is not a dead letter of this import", "value_error", "rows", i, "row");
                }
                var merged = new HashMap<>(letter.raw());
                if (c.values() != null) merged.putAll(c.values());
                targets.add(new Correction(c.row(), merged));
            }
        }
        var mapping = job.mapping() == null ? ImportMapping.suggest(job.headers()) : job.mapping();
        var clean = new ArrayList<ImportLoader.Row>();
        var problems = new ArrayList<Map<String, Object>>();
        for (var t : targets) {
            switch (toContact(t.values(), mapping)) {
                case ContactRules.Ok ok -> clean.add(new ImportLoader.Row(t.row(), ok.contact()));
                case ContactRules.Bad bad -> problems.add(Map.of("row", t.row(), "reason", bad.code(), "detail", bad.reason()));
            }
        }
        return tx.execute(s -> {
            var result = loader.load(workspaceId, job.campaignId(), job.id() + ":replay", job.dedupe(), clean);
            for (var r : clean) store.markReplayed(workspaceId, id, r.rowNumber());
            store.adjust(workspaceId, id, result.imported(), result.updated(), result.duplicates(), -clean.size());
            return new Replayed(clean.size(), problems.size(), problems);
        });
    }

    /**
     * One row as a contact: each column goes to its mapped target (standard field, custom:name,
     * or ignore). Values may also be given by target name (corrections in a replay).
     */
    static ContactRules.Checked toContact(Map<String, String> raw, Map<String, String> mapping) {
        var standard = new HashMap<String, String>();
        var custom = new LinkedHashMap<String, Object>();
        for (var e : raw.entrySet()) {
            String target = mapping.getOrDefault(e.getKey(), ImportMapping.TARGETS.contains(e.getKey()) ? e.getKey() : "ignore");
            if (target.equals("ignore") || e.getValue() == null || e.getValue().isBlank()) continue;
            if (target.startsWith("custom:")) custom.put(target.substring(7), e.getValue());
            else standard.put(target, e.getValue());
        }
        if (standard.get("email") == null) {
            return new ContactRules.Bad(null, "MISSING_EMAIL", "the row has no email address");
        }
        return ContactRules.check(new ContactRules.Raw(standard.get("email"), standard.get("firstName"), standard.get("lastName"),
                standard.get("company"), standard.get("title"), standard.get("phone"), standard.get("timezone"), custom));
    }

    record Runbook(Job job, List<Object[]> reasons, List<ImportStore.DeadLetter> samples, List<String> nextSteps) {}

    Runbook runbook(long workspaceId, String id) {
        Job job = get(workspaceId, id);
        var reasons = store.deadCounts(workspaceId, id);
        var samples = store.deadLetters(workspaceId, id, false, 10);
        var next = new ArrayList<String>();
        switch (job.status()) {
            case "awaiting_mapping" -> next.add("Confirm the mapping: POST /imports/" + id + "/mapping/confirm");
            case "queued", "running" -> next.add("Wait: " + job.processed() + " of " + job.totalRows() + " rows done; GET /imports/" + id);
            case "failed" -> next.add("The import failed (" + job.error() + "); rows committed so far stay; upload the file again to continue");
            case "cancelled" -> next.add("Cancelled after " + job.processed() + " rows; those rows stay imported");
            default -> { }
        }
        for (Object[] r : reasons) {
            String reason = (String) r[0];
            next.add(r[1] + " row(s) " + reason + ": " + switch (reason) {
                case "INVALID_EMAIL", "MISSING_EMAIL" -> "fix the address and POST /imports/" + id + "/dead-letters/replay with {\"rows\":[{\"row\":N,\"values\":{\"email\":\"…\"}}]}";
                case "RAGGED_ROW", "UNTERMINATED_QUOTE" -> "the row's columns did not line up with the header; correct its values and replay it";
                default -> "correct the values shown in the samples and replay";
            });
        }
        if (job.duplicates() > 0) next.add(job.duplicates() + " duplicate row(s) were counted, not imported twice");
        return new Runbook(job, reasons, samples, next);
    }
}
