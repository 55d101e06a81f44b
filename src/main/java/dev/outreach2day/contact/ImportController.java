package dev.outreach2day.contact;

import dev.outreach2day.contact.ImportStore.Job;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

@Tag(name = "Campaigns")
@RestController
class ImportController {

    /** [doc] */
    record CampaignImportStatusOut(String id, String campaignId, String status, long totalRows, long processedRows, long imported,
            long updated, long duplicates, long suppressed, long invalid, double progress, String error, Instant createdAt,
            Instant startedAt, Instant finishedAt) {

        static CampaignImportStatusOut of(Job j) {
            long processed = j.processed();
            return new CampaignImportStatusOut(j.id(), j.campaignId(), j.status(), j.totalRows(), processed, j.imported(), j.updated(),
                    j.duplicates(), j.suppressed(), j.invalid(),
                    j.totalRows() == 0 ? 0 : Math.round(processed * 1000.0 / j.totalRows()) / 10.0, j.error(), j.createdAt(),
                    j.startedAt(), j.finishedAt());
        }
    }

    /** [doc] */
    record CampaignContactsImportOut(String importId, String status, long totalRows, Map<String, String> mapping, List<String> headers,
            String charset, String delimiter) {}

    /** [doc] */
    record CampaignImportJobOut(String id, String campaignId, String status, List<String> headers, Map<String, String> suggestedMapping,
            List<List<String>> sampleRows, long totalRows, String charset, String delimiter, boolean hasHeader) {}

    /** [doc] */
    record CampaignImportMappingOut(Map<String, String> mapping, List<String> targets) {}

    /** [doc] */
    record CampaignImportMappingEnvelopeOut(CampaignImportMappingOut mapping, List<Map<String, String>> sampleRows) {}

    /** [doc] header → target (email, firstName, lastName, company, title, phone, timezone, custom:name, ignore). */
    record PublicCampaignImportMappingConfirmIn(@NotNull Map<String, String> mapping) {}

    /** [doc] */
    record CampaignImportConfirmOut(String id, String status, Map<String, String> mapping) {}

    /** [doc] */
    record CampaignImportEnvelopeOut(CampaignImportStatusOut job, Map<String, String> mapping) {}

    record DeadLetterCorrectionIn(long row, Map<String, String> values) {}

    record ImportReplayIn(List<DeadLetterCorrectionIn> rows) {}

    record ImportReplayOut(long replayed, long stillInvalid, List<Map<String, Object>> problems, CampaignImportStatusOut status) {}

    record DeadLetterOut(long row, Map<String, String> values, String reason, String detail) {}

    record ReasonCountOut(String reason, long rows) {}

    record ImportRunbookOut(CampaignImportStatusOut status, List<ReasonCountOut> reasons, List<DeadLetterOut> samples, List<String> nextSteps) {}

    private final Imports imports;
    private final ObjectMapper json;

    ImportController(Imports imports, ObjectMapper json) {
        this.imports = imports;
        this.json = json;
    }

    @Operation(summary = "Public Import Campaign Contacts Csv",
            description = "Uploads a CSV and imports it with the given mapping (JSON header → field) or the suggested one. "
                    + "dedupe: update (default) or skip existing contacts. Runs in the background: poll GET /imports/{id}.")
    @RequiredScope(Scope.WRITE)
    @PostMapping(value = "/campaigns/{campaign_id}/contacts/import", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    CampaignContactsImportOut importCsv(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @RequestPart("file") MultipartFile file,
            @RequestPart(value = "mapping", required = false) String mapping, @RequestPart(value = "dedupe", required = false) String dedupe) {
        long ws = caller.workspace(workspaceId);
        Job job = upload(ws, campaignId, file, parseMapping(mapping), true, dedupe);
        return new CampaignContactsImportOut(job.id(), job.status(), job.totalRows(), job.mapping(), job.headers(), job.charset(),
                String.valueOf(job.delimiter()));
    }

    @Operation(summary = "Public Create Import Job", description = "Uploads a CSV; the job waits for its mapping (see mapping-preview).")
    @RequiredScope(Scope.WRITE)
    @PostMapping(value = "/imports", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    CampaignImportJobOut create(Caller caller, @RequestParam(required = false) Long workspaceId, @RequestPart("file") MultipartFile file,
            @RequestPart("campaignId") String campaignId) {
        long ws = caller.workspace(workspaceId);
        Job job = upload(ws, campaignId, file, null, false, null);
        return new CampaignImportJobOut(job.id(), job.campaignId(), job.status(), job.headers(), imports.suggested(job), job.sampleRows(),
                job.totalRows(), job.charset(), String.valueOf(job.delimiter()), job.hasHeader());
    }

    @Operation(summary = "Public Submit Import Job With Mapping V3", description = "Upload and mapping in one call; the import starts at once.")
    @RequiredScope(Scope.WRITE)
    @PostMapping(value = "/imports/v3/submit", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    CampaignImportEnvelopeOut submit(Caller caller, @RequestParam(required = false) Long workspaceId,
            @RequestPart("file") MultipartFile file, @RequestPart("campaignId") String campaignId, @RequestPart("mapping") String mapping) {
        long ws = caller.workspace(workspaceId);
        var parsed = parseMapping(mapping);
        if (parsed == null) throw ApiException.Invalid.body("Field required", "missing", "mapping");
        Job job = upload(ws, campaignId, file, parsed, false, null);
        return new CampaignImportEnvelopeOut(CampaignImportStatusOut.of(job), job.mapping());
    }

    @Operation(summary = "Public Get Import Status")
    @RequiredScope(Scope.READ)
    @GetMapping("/imports/{import_id}")
    CampaignImportStatusOut status(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("import_id") String id) {
        return CampaignImportStatusOut.of(imports.get(caller.workspace(workspaceId), id));
    }

    @Operation(summary = "Public Get Import Status Alias")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/imports/{import_id}")
    CampaignImportStatusOut statusAlias(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @PathVariable("import_id") String id) {
        Job job = imports.get(caller.workspace(workspaceId), id);
        if (!job.campaignId().equals(campaignId)) throw new ApiException.NotFound("Import " + id);
        return CampaignImportStatusOut.of(job);
    }

    @Operation(summary = "Public Get Import Mapping Preview", description = "The suggested (or chosen) mapping and how the first rows come out.")
    @RequiredScope(Scope.READ)
    @GetMapping("/imports/{import_id}/mapping-preview")
    CampaignImportMappingEnvelopeOut preview(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("import_id") String id) {
        Job job = imports.get(caller.workspace(workspaceId), id);
        var mapping = imports.suggested(job);
        return new CampaignImportMappingEnvelopeOut(new CampaignImportMappingOut(mapping, ImportMapping.TARGETS),
                imports.preview(job, mapping));
    }

    @Operation(summary = "Public Confirm Import Mapping", description = "Validates the mapping (an email column is required) and starts the import.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/imports/{import_id}/mapping/confirm")
    CampaignImportConfirmOut confirm(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("import_id") String id,
            @Valid @RequestBody PublicCampaignImportMappingConfirmIn in) {
        Job job = imports.confirm(caller.workspace(workspaceId), id, in.mapping());
        return new CampaignImportConfirmOut(job.id(), job.status(), job.mapping());
    }

    @Operation(summary = "Public Replay Import Dead Letter",
            description = "Replays rejected rows: the given rows with corrected values, or all of them as they are.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/imports/{import_id}/dead-letters/replay")
    ImportReplayOut replay(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("import_id") String id,
            @RequestBody(required = false) ImportReplayIn in) {
        long ws = caller.workspace(workspaceId);
        var corrections = in == null || in.rows() == null ? List.<Imports.Correction>of()
                : in.rows().stream().map(r -> new Imports.Correction(r.row(), r.values())).toList();
        var r = imports.replay(ws, id, corrections);
        return new ImportReplayOut(r.replayed(), r.stillInvalid(), r.problems(), CampaignImportStatusOut.of(imports.get(ws, id)));
    }

    @Operation(summary = "Public Cancel Import", description = "Stops within about a second; rows already imported stay and are reported.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/imports/{import_id}/cancel")
    CampaignImportStatusOut cancel(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("import_id") String id) {
        return CampaignImportStatusOut.of(imports.cancel(caller.workspace(workspaceId), id));
    }

    @Operation(summary = "Public Get Import Runbook Summary",
            description = "What happened: counts per reason, dead-letter samples, and what to do next.")
    @RequiredScope(Scope.READ)
    @GetMapping("/imports/{import_id}/runbook")
    ImportRunbookOut runbook(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("import_id") String id) {
        var r = imports.runbook(caller.workspace(workspaceId), id);
        return new ImportRunbookOut(CampaignImportStatusOut.of(r.job()),
                r.reasons().stream().map(x -> new ReasonCountOut((String) x[0], (Long) x[1])).toList(),
                r.samples().stream().map(d -> new DeadLetterOut(d.rowNumber(), d.raw(), d.reason(), d.detail())).toList(), r.nextSteps());
    }

    private Job upload(long ws, String campaignId, MultipartFile file, Map<String, String> mapping, boolean auto, String dedupe) {
        if (file == null || file.isEmpty()) throw ApiException.Invalid.body("the file is empty", "EMPTY_FILE", "file");
        if (dedupe != null && !dedupe.equals("update") && !dedupe.equals("skip")) {
            throw ApiException.Invalid.body("dedupe must be update or skip", "enum", "dedupe");
        }
        try (var in = file.getInputStream()) {
            return imports.upload(ws, campaignId, file.getOriginalFilename(), file.getSize(), in, mapping, auto, dedupe);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, String> parseMapping(String mapping) {
        if (mapping == null || mapping.isBlank()) return null;
        try {
            return json.readValue(mapping, new TypeReference<Map<String, String>>() {});
        } catch (RuntimeException e) {
            throw ApiException.Invalid.body("mapping must be a JSON object of column → field", "json_invalid", "mapping");
        }
    }
}
