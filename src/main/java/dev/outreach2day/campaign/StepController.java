package dev.outreach2day.campaign;

import dev.outreach2day.campaign.CampaignRepository.StepRow;
import dev.outreach2day.campaign.CampaignRepository.VariantRow;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.ApiException.FieldProblem;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Campaigns")
@RestController
class StepController {

    /** [doc] */
    record CampaignStepVariantIn(@Size(max = 500) String subject, @Size(max = 100_000) String bodyHtml,
            @Size(max = 100_000) String bodyText, BigDecimal weight) {}

    /** [doc] */
    record CampaignStepCreateIn(Integer order, @Size(max = 500) String subject, @Size(max = 100_000) String bodyHtml,
            @Size(max = 100_000) String bodyText, @Min(0) @Max(365) Integer delayDays, @Min(0) @Max(8760) Integer delayHours,
            @Size(max = CampaignService.MAX_VARIANTS) List<CampaignStepVariantIn> variants) {}

    /** [doc] Fields left out keep their value; variants, when given, replace the step's variants. */
    record CampaignStepUpdateIn(Integer order, @Size(max = 500) String subject, @Size(max = 100_000) String bodyHtml,
            @Size(max = 100_000) String bodyText, @Min(0) @Max(365) Integer delayDays, @Min(0) @Max(8760) Integer delayHours,
            @Size(max = CampaignService.MAX_VARIANTS) List<CampaignStepVariantIn> variants) {}

    /** A variant with its weight and its normalised share of the step's sends (percent). */
    record CampaignStepVariantOut(String id, String subject, String bodyHtml, String bodyText, BigDecimal weight, BigDecimal share) {}

    /** [doc] */
    record CampaignStepOut(String id, String campaignId, int order, String subject, String bodyHtml, String bodyText,
            long delaySeconds, List<CampaignStepVariantOut> variants) {

        static CampaignStepOut of(StepRow s) {
            BigDecimal total = s.variants().stream().map(VariantRow::weight).reduce(BigDecimal.ZERO, BigDecimal::add);
            return new CampaignStepOut(s.id(), s.campaignId(), s.order(), s.subject(), s.bodyHtml(), s.bodyText(), s.delaySeconds(),
                    s.variants().stream().map(v -> new CampaignStepVariantOut(v.id(), v.subject(), v.bodyHtml(), v.bodyText(),
                            v.weight().stripTrailingZeros(), v.weight().multiply(BigDecimal.valueOf(100)).divide(total, 2, RoundingMode.HALF_UP)))
                            .toList());
        }
    }

    record CampaignStepDeleteOut(String id, boolean deleted) {}

    private final CampaignService service;

    StepController(CampaignService service) {
        this.service = service;
    }

    @Operation(summary = "Public List Campaign Steps")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/steps")
    List<CampaignStepOut> list(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId) {
        return service.steps(caller.workspace(workspaceId), campaignId).stream().map(CampaignStepOut::of).toList();
    }

    @Operation(summary = "Public Create Campaign Step",
            description = "order (1-based) inserts the step there and shifts the others; omitted = last. delayDays/delayHours "
                    + "after the previous step; the response gives delaySeconds. Variants are chosen by weight (normalised).")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/{campaign_id}/steps")
    @ResponseStatus(HttpStatus.CREATED)
    CampaignStepOut create(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @Valid @RequestBody CampaignStepCreateIn in) {
        var content = content(in.subject(), in.bodyHtml(), in.bodyText(), true);
        var variants = variants(in.variants());
        long delay = delay(in.delayDays(), in.delayHours());
        return CampaignStepOut.of(service.addStep(caller.workspace(workspaceId), campaignId, in.order(), content, delay, variants));
    }

    @Operation(summary = "Public Update Campaign Step", description = "Affects only emails not yet rendered for sending.")
    @RequiredScope(Scope.WRITE)
    @PatchMapping("/campaigns/{campaign_id}/steps/{step_id}")
    CampaignStepOut update(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @PathVariable("step_id") String stepId,
            @Valid @RequestBody CampaignStepUpdateIn in) {
        var content = content(in.subject(), in.bodyHtml(), in.bodyText(), false);
        Long delay = in.delayDays() == null && in.delayHours() == null ? null : delay(in.delayDays(), in.delayHours());
        return CampaignStepOut.of(service.updateStep(caller.workspace(workspaceId), campaignId, stepId, in.order(), content, delay,
                in.variants() == null ? null : variants(in.variants())));
    }

    @Operation(summary = "Public Delete Campaign Step", description = "The steps after it move up; its planned sends are skipped.")
    @RequiredScope(Scope.WRITE)
    @DeleteMapping("/campaigns/{campaign_id}/steps/{step_id}")
    CampaignStepDeleteOut delete(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @PathVariable("step_id") String stepId) {
        service.deleteStep(caller.workspace(workspaceId), campaignId, stepId);
        return new CampaignStepDeleteOut(stepId, true);
    }

    private static long delay(Integer days, Integer hours) {
        return (days == null ? 0L : days) * 86_400L + (hours == null ? 0L : hours) * 3_600L;
    }

    private static CampaignService.StepContent content(String subject, String bodyHtml, String bodyText, boolean create) {
        var problems = new ArrayList<FieldProblem>();
        if (create && (bodyHtml == null || bodyHtml.isBlank())) {
            problems.add(FieldProblem.at("body", "Field required: the email body (HTML)", "missing", "bodyHtml"));
        }
        template(subject, problems, "subject");
        template(bodyHtml, problems, "bodyHtml");
        template(bodyText, problems, "bodyText");
        if (!problems.isEmpty()) throw new ApiException.Invalid(problems);
        return new CampaignService.StepContent(subject == null && create ? "" : subject, bodyHtml, bodyText);
    }

    private static List<CampaignService.VariantIn> variants(List<CampaignStepVariantIn> in) {
        if (in == null) return List.of();
        var problems = new ArrayList<FieldProblem>();
        var out = new ArrayList<CampaignService.VariantIn>();
        for (int i = 0; i < in.size(); i++) {
            var v = in.get(i);
            if (v == null) {
                problems.add(FieldProblem.at("body", "must be an object", "dict_type", "variants", i));
                continue;
            }
            if (v.bodyHtml() == null || v.bodyHtml().isBlank()) {
                problems.add(FieldProblem.at("body", "Field required", "missing", "variants", i, "bodyHtml"));
            }
            if (v.weight() != null && v.weight().signum() <= 0) {
                problems.add(FieldProblem.at("body", "weight must be greater than 0", "greater_than", "variants", i, "weight"));
            }
            template(v.subject(), problems, "variants", i, "subject");
            template(v.bodyHtml(), problems, "variants", i, "bodyHtml");
            template(v.bodyText(), problems, "variants", i, "bodyText");
            out.add(new CampaignService.VariantIn(v.subject(), v.bodyHtml(), v.bodyText(),
                    v.weight() == null ? BigDecimal.ONE : v.weight()));
        }
        if (!problems.isEmpty()) throw new ApiException.Invalid(problems);
        return out;
    }

    /** Broken spintax is refused when the step is saved, not discovered at send time (subsequence steps too). */
    static void template(String value, List<FieldProblem> problems, Object... loc) {
        if (value == null) return;
        for (var error : Templates.validate(value)) {
            problems.add(FieldProblem.at("body", "spintax error at " + error.position() + ": " + error.message(), "value_error", loc));
        }
    }
}
