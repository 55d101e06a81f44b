package dev.outreach2day.delivery;

import dev.outreach2day.campaign.Campaigns;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A campaign's contacts and per-step results as CSV, as JSON with the CSV texts or as a raw CSV download. */
@Tag(name = "Campaigns")
@RestController
class ExportController {

    static final List<String> PARTS = List.of("contacts", "steps");

    /** Both CSV texts (RFC 4180, CRLF, formula-neutralised cells); for very large campaigns prefer Accept: text/csv. */
    record CampaignExportOut(String campaignId, String format, String filename, String stepsFilename, long contactCount,
            int stepCount, Instant generatedAt, String contacts, String steps) {}

    private final Campaigns campaigns;
    private final CampaignExport export;
    private final Clock clock;

    ExportController(Campaigns campaigns, CampaignExport export, Clock clock) {
        this.campaigns = campaigns;
        this.export = export;
        this.clock = clock;
    }

    @Operation(summary = "Public Export Campaign",
            description = "format=csv (the only format; others are a 422). JSON by default: both CSVs as text. With "
                    + "Accept: text/csv the raw CSV of one part is streamed: part=contacts (default; one row per contact with "
                    + "status, current step, last sent, reply intent, sent/opened/clicked/replied counts and custom fields) "
                    + "or part=steps (one row per step with the stats counters). Cells starting with = + - @, tab or CR get "
                    + "a leading ' so spreadsheets show them as text.",
            responses = @ApiResponse(responseCode = "200", description = "the export", content = {
                    @Content(mediaType = "application/json", schema = @Schema(implementation = CampaignExportOut.class)),
                    @Content(mediaType = "text/csv", schema = @Schema(type = "string"))}))
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/export")
    CampaignExportOut export(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("campaign_id") String id,
            @Parameter(description = "csv (default; the only format)") @RequestParam(required = false) String format,
            @Parameter(description = "with Accept: text/csv, which CSV: contacts (default) or steps") @RequestParam(required = false)
            String part,
            @Parameter(hidden = true) @RequestHeader(name = HttpHeaders.ACCEPT, required = false) String accept,
            HttpServletResponse response)
            throws IOException {
        long ws = caller.workspace(workspaceId);
        if (format != null && !format.equals("csv")) {
            throw ApiException.Invalid.query("format", "format must be csv", "enum");
        }
        if (part != null && !PARTS.contains(part)) {
            throw ApiException.Invalid.query("part", "part must be one of " + PARTS, "enum");
        }
        Campaigns.SendingCampaign c = campaigns.forSending(ws, id).orElseThrow(() -> new ApiException.NotFound("Campaign " + id));
        if (accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/csv")) {
            String which = part == null ? "contacts" : part;
            response.setStatus(200);
            response.setContentType("text/csv; charset=utf-8; header=present");
            response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + filename(id, which) + "\"");
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            var out = new BufferedWriter(new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8), 64 * 1024);
            if (which.equals("contacts")) export.contacts(ws, id, out);
            else export.steps(ws, c, out);
            out.flush();
            return null; // written above
        }
        var contactsCsv = new StringBuilder();
        long n = export.contacts(ws, id, contactsCsv);
        var stepsCsv = new StringBuilder();
        export.steps(ws, c, stepsCsv);
        return new CampaignExportOut(id, "csv", filename(id, "contacts"), filename(id, "steps"), n, c.steps().size(),
                clock.instant(), contactsCsv.toString(), stepsCsv.toString());
    }

    private static String filename(String campaignId, String part) {
        return "campaign-" + campaignId + "-" + part + ".csv";
    }
}
