package dev.outreach2day.campaign;

import dev.outreach2day.campaign.CampaignRepository.AttachedRow;
import dev.outreach2day.campaign.CampaignRepository.CampaignRow;
import dev.outreach2day.campaign.CampaignRepository.StepRow;
import dev.outreach2day.campaign.CampaignRepository.VariantRow;
import dev.outreach2day.campaign.CampaignSettings.Schedule;
import dev.outreach2day.campaign.CampaignSettings.StopRules;
import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.ApiException.FieldProblem;
import dev.outreach2day.platform.Ids;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Campaigns of a workspace: the campaign, its steps and variants, schedule, stop rules, mailboxes, lifecycle. */
@Service
class CampaignService {

    static final int MAX_STEPS = 20;
    static final int MAX_VARIANTS = 10;
    static final Set<String> DAYS = Set.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
    static final Set<String> PRIORITIES = Set.of("HIGH", "MEDIUM", "LOW");

    private final CampaignRepository repo;
    private final Mailboxes mailboxes;
    private final dev.outreach2day.domain.Domains domains;
    private final TransactionTemplate tx;
    private final Clock clock;

    private final org.springframework.context.ApplicationEventPublisher events;

    CampaignService(CampaignRepository repo, Mailboxes mailboxes, dev.outreach2day.domain.Domains domains, TransactionTemplate tx,
            Clock clock, org.springframework.context.ApplicationEventPublisher events) {
        this.events = events;
        this.domains = domains;
        this.repo = repo;
        this.mailboxes = mailboxes;
        this.tx = tx;
        this.clock = clock;
    }

    // ---- campaigns ----

    CampaignRow create(long workspaceId, String name, String priority) {
        String id = Ids.next("cmp", clock.millis());
        repo.insert(workspaceId, id, name.strip(), priority == null ? "MEDIUM" : priority, Schedule.defaults(), StopRules.defaults());
        return get(workspaceId, id);
    }

    CampaignRow get(long workspaceId, String id) {
        return repo.find(workspaceId, id).orElseThrow(() -> new ApiException.NotFound("Campaign " + id));
    }

    List<CampaignRow> page(long workspaceId, String status, String beforeId, int limit) {
        return repo.page(workspaceId, status, beforeId, limit);
    }

    CampaignRow update(long workspaceId, String id, String name, String priority, Boolean textOnly, Boolean trackOpens,
            Boolean trackClicks, String trackingDomain) {
        String domain = null;
        if (trackingDomain != null && !trackingDomain.isBlank()) {
            domain = dev.outreach2day.domain.Domains.normalize(trackingDomain).filter(d -> domains.isActive(workspaceId, d))
                    .orElseThrow(() -> ApiException.Invalid.body("the tracking domain must be an active domain of this workspace "
                            + "(its A record points at this server)", "value_error", "trackingDomain"));
        }
        final String tracking = domain;
        return tx.execute(s -> {
            CampaignRow c = repo.lock(workspaceId, id).orElseThrow(() -> new ApiException.NotFound("Campaign " + id));
            requireNotArchived(c, "edit");
            repo.update(workspaceId, id, name == null ? c.name() : name.strip(), priority == null ? c.priority() : priority,
                    textOnly == null ? c.textOnly() : textOnly, trackOpens == null ? c.trackOpens() : trackOpens,
                    trackClicks == null ? c.trackClicks() : trackClicks,
                    trackingDomain == null ? c.trackingDomain() : tracking);
            return get(workspaceId, id);
        });
    }

    /** Deleting needs the campaign not to be sending: active or paused ones are stopped first (409). */
    void delete(long workspaceId, String id) {
        tx.executeWithoutResult(s -> {
            CampaignRow c = repo.lock(workspaceId, id).orElseThrow(() -> new ApiException.NotFound("Campaign " + id));
            if (c.status().equals("active") || c.status().equals("paused")) {
                throw new ApiException.Conflict("CAMPAIGN_RUNNING", "Campaign " + id + " is " + c.status() + "; stop it before deleting it");
            }
            repo.softDelete(workspaceId, id);
        });
    }

    CampaignRow lifecycle(long workspaceId, String id, String action) {
        return tx.execute(s -> {
            CampaignRow c = repo.lock(workspaceId, id).orElseThrow(() -> new ApiException.NotFound("Campaign " + id));
            String to = Lifecycle.apply(action, c.status(), c.statusBeforeArchive());
            repo.setStatus(workspaceId, id, to, action.equals("archive") ? c.status() : null);
            if (!to.equals(c.status())) {
                events.publishEvent(new CampaignStatusChanged(workspaceId, id, c.name(), c.status(), to, clock.instant()));
            }
            return get(workspaceId, id);
        });
    }

    private static void requireNotArchived(CampaignRow c, String what) {
        if (c.status().equals("archived")) {
            throw new ApiException.Conflict("CAMPAIGN_ARCHIVED", "Campaign " + c.id() + " is archived; unarchive it to " + what + " it");
        }
    }

    // ---- schedule and stop rules ----

    CampaignRow setSchedule(long workspaceId, String id, Schedule schedule) {
        validate(schedule);
        return tx.execute(s -> {
            CampaignRow c = repo.lock(workspaceId, id).orElseThrow(() -> new ApiException.NotFound("Campaign " + id));
            requireNotArchived(c, "edit");
            repo.setSchedule(workspaceId, id, normalize(schedule));
            return get(workspaceId, id);
        });
    }

    CampaignRow setStopRules(long workspaceId, String id, StopRules rules) {
        if (rules.pauseOnBounceRate() != null && (rules.pauseOnBounceRate() <= 0 || rules.pauseOnBounceRate() > 1)) {
            throw ApiException.Invalid.body("pauseOnBounceRate is a share between 0 and 1 (e.g. 0.05 = 5%)", "value_error", "pauseOnBounceRate");
        }
        return tx.execute(s -> {
            CampaignRow c = repo.lock(workspaceId, id).orElseThrow(() -> new ApiException.NotFound("Campaign " + id));
            requireNotArchived(c, "edit");
            repo.setStopRules(workspaceId, id, rules);
            return get(workspaceId, id);
        });
    }

    /** Every schedule problem at once, each naming its field. */
    static void validate(Schedule s) {
        var problems = new ArrayList<FieldProblem>();
        try {
            ZoneId.of(s.timezone());
        } catch (RuntimeException e) {
            problems.add(FieldProblem.at("body", "not an IANA time zone (e.g. Europe/Berlin, America/New_York)", "value_error", "timezone"));
        }
        if (s.windows() == null || s.windows().isEmpty()) {
            problems.add(FieldProblem.at("body", "at least one sending window is required", "missing", "windows"));
        } else {
            for (int i = 0; i < s.windows().size(); i++) {
                var w = s.windows().get(i);
                if (w == null) {
                    problems.add(FieldProblem.at("body", "must be an object", "dict_type", "windows", i));
                    continue;
                }
                if (w.days() == null || w.days().isEmpty()) {
                    problems.add(FieldProblem.at("body", "at least one day (mon … sun)", "missing", "windows", i, "days"));
                } else {
                    for (int d = 0; d < w.days().size(); d++) {
                        if (w.days().get(d) == null || !DAYS.contains(w.days().get(d).toLowerCase())) {
                            problems.add(FieldProblem.at("body", "days are mon, tue, wed, thu, fri, sat, sun", "enum", "windows", i, "days", d));
                        }
                    }
                }
                LocalTime start = time(w.start(), problems, i, "start");
                LocalTime end = time(w.end(), problems, i, "end");
                if (start != null && end != null && !end.isAfter(start)) {
                    problems.add(FieldProblem.at("body", "end must be after start", "value_error", "windows", i, "end"));
                }
            }
        }
        LocalDate startDate = date(s.startDate(), problems, "startDate");
        LocalDate endDate = date(s.endDate(), problems, "endDate");
        if (startDate != null && endDate != null && endDate.isBefore(startDate)) {
            problems.add(FieldProblem.at("body", "endDate must not be before startDate", "value_error", "endDate"));
        }
        if (s.minGapSeconds() < 0 || s.minGapSeconds() > 86_400) {
            problems.add(FieldProblem.at("body", "minGapSeconds must be between 0 and 86400", "value_error", "minGapSeconds"));
        }
        if (s.maxGapSeconds() < s.minGapSeconds() || s.maxGapSeconds() > 86_400) {
            problems.add(FieldProblem.at("body", "maxGapSeconds must be at least minGapSeconds and at most 86400", "value_error", "maxGapSeconds"));
        }
        if (s.dailyLimit() != null && (s.dailyLimit() < 1 || s.dailyLimit() > 100_000)) {
            problems.add(FieldProblem.at("body", "dailyLimit must be between 1 and 100000", "value_error", "dailyLimit"));
        }
        if (s.maxNewContactsPerDay() != null && (s.maxNewContactsPerDay() < 1 || s.maxNewContactsPerDay() > 100_000)) {
            problems.add(FieldProblem.at("body", "maxNewContactsPerDay must be between 1 and 100000", "value_error", "maxNewContactsPerDay"));
        }
        if (!problems.isEmpty()) throw new ApiException.Invalid(problems);
    }

    private static Schedule normalize(Schedule s) {
        var windows = s.windows().stream().map(w -> new CampaignSettings.Window(
                w.days().stream().map(String::toLowerCase).distinct().toList(), w.start(), w.end())).toList();
        return new Schedule(s.timezone(), windows, s.startDate(), s.endDate(), s.useContactTimezone(), s.minGapSeconds(),
                s.maxGapSeconds(), s.dailyLimit(), s.maxNewContactsPerDay());
    }

    private static LocalTime time(String value, List<FieldProblem> problems, int i, String field) {
        if (value == null || !value.matches("([01]\\d|2[0-3]):[0-5]\\d")) {
            problems.add(FieldProblem.at("body", "24-hour HH:MM, e.g. 09:00", value == null ? "missing" : "value_error", "windows", i, field));
            return null;
        }
        return LocalTime.parse(value);
    }

    private static LocalDate date(String value, List<FieldProblem> problems, String field) {
        if (value == null) return null;
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            problems.add(FieldProblem.at("body", "a date like 2026-03-09", "value_error", field));
            return null;
        }
    }

    // ---- steps ----

    /** A step (or a variant) as requested, after shape validation. */
    record StepContent(String subject, String bodyHtml, String bodyText) {}

    record VariantIn(String subject, String bodyHtml, String bodyText, BigDecimal weight) {}

    List<StepRow> steps(long workspaceId, String campaignId) {
        get(workspaceId, campaignId);
        return repo.steps(workspaceId, campaignId);
    }

    StepRow addStep(long workspaceId, String campaignId, Integer order, StepContent content, long delaySeconds,
            List<VariantIn> variants) {
        return tx.execute(s -> {
            CampaignRow c = repo.lock(workspaceId, campaignId).orElseThrow(() -> new ApiException.NotFound("Campaign " + campaignId));
            requireNotArchived(c, "edit");
            List<StepRow> steps = repo.steps(workspaceId, campaignId);
            if (steps.size() >= MAX_STEPS) {
                throw ApiException.Invalid.body("a campaign has at most " + MAX_STEPS + " steps", "too_long", "order");
            }
            int at = order == null ? steps.size() + 1 : order;
            if (at < 1 || at > steps.size() + 1) {
                throw ApiException.Invalid.body("order must be between 1 and " + (steps.size() + 1), "value_error", "order");
            }
            requireFirstStepSubject(at == 1, content, variants);
            String id = Ids.next("stp", clock.millis());
            repo.shiftUp(workspaceId, campaignId, at);
            repo.insertStep(workspaceId, campaignId, id, at, content.subject(), content.bodyHtml(), content.bodyText(), delaySeconds);
            repo.replaceVariants(workspaceId, id, variantRows(id, variants));
            return step(workspaceId, campaignId, id);
        });
    }

    StepRow updateStep(long workspaceId, String campaignId, String stepId, Integer order, StepContent patch, Long delaySeconds,
            List<VariantIn> variants) {
        return tx.execute(s -> {
            CampaignRow c = repo.lock(workspaceId, campaignId).orElseThrow(() -> new ApiException.NotFound("Campaign " + campaignId));
            requireNotArchived(c, "edit");
            List<StepRow> steps = repo.steps(workspaceId, campaignId);
            StepRow current = steps.stream().filter(st -> st.id().equals(stepId)).findFirst()
                    .orElseThrow(() -> new ApiException.NotFound("Step " + stepId));
            int to = order == null ? current.order() : order;
            if (to < 1 || to > steps.size()) {
                throw ApiException.Invalid.body("order must be between 1 and " + steps.size(), "value_error", "order");
            }
            var content = new StepContent(patch.subject() != null ? patch.subject() : current.subject(),
                    patch.bodyHtml() != null ? patch.bodyHtml() : current.bodyHtml(),
                    patch.bodyText() != null ? patch.bodyText() : current.bodyText());
            List<VariantIn> effectiveVariants = variants != null ? variants : current.variants().stream()
                    .map(v -> new VariantIn(v.subject(), v.bodyHtml(), v.bodyText(), v.weight())).toList();
            requireFirstStepSubject(to == 1, content, effectiveVariants);
            if (to != current.order()) {
                // move: close the gap, then open one at the target (unique order is checked at commit)
                repo.shiftDown(workspaceId, campaignId, current.order());
                repo.shiftUp(workspaceId, campaignId, to);
            }
            repo.updateStep(workspaceId, stepId, to, content.subject(), content.bodyHtml(), content.bodyText(),
                    delaySeconds != null ? delaySeconds : current.delaySeconds());
            if (variants != null) {
                repo.replaceVariants(workspaceId, stepId, variantRows(stepId, variants));
            }
            List<StepRow> after = repo.steps(workspaceId, campaignId);
            StepRow first = after.getFirst();
            requireFirstStepSubject(true, new StepContent(first.subject(), first.bodyHtml(), first.bodyText()),
                    first.variants().stream().map(v -> new VariantIn(v.subject(), v.bodyHtml(), v.bodyText(), v.weight())).toList());
            return step(workspaceId, campaignId, stepId);
        });
    }

    void deleteStep(long workspaceId, String campaignId, String stepId) {
        tx.executeWithoutResult(s -> {
            CampaignRow c = repo.lock(workspaceId, campaignId).orElseThrow(() -> new ApiException.NotFound("Campaign " + campaignId));
            requireNotArchived(c, "edit");
            List<StepRow> steps = repo.steps(workspaceId, campaignId);
            StepRow current = steps.stream().filter(st -> st.id().equals(stepId)).findFirst()
                    .orElseThrow(() -> new ApiException.NotFound("Step " + stepId));
            if (current.order() == 1 && steps.size() > 1) {
                StepRow next = steps.get(1);
                boolean subject = !next.subject().isBlank() || (!next.variants().isEmpty()
                        && next.variants().stream().allMatch(v -> !v.subject().isBlank()));
                if (!subject) {
                    throw new ApiException.Conflict("STEP_ONE_NEEDS_SUBJECT",
                            "Deleting step 1 would make step 2 (which has no subject) the first email; give it a subject first");
                }
            }
            repo.skipPlannedOfStep(workspaceId, stepId, "step_deleted");
            repo.deleteStep(workspaceId, stepId);
            repo.shiftDown(workspaceId, campaignId, current.order());
        });
    }

    StepRow step(long workspaceId, String campaignId, String stepId) {
        return repo.steps(workspaceId, campaignId).stream().filter(st -> st.id().equals(stepId)).findFirst()
                .orElseThrow(() -> new ApiException.NotFound("Step " + stepId));
    }

    /** The first email opens the thread, so it needs a subject (each of its variants too). */
    private static void requireFirstStepSubject(boolean first, StepContent content, List<VariantIn> variants) {
        if (!first) return;
        if (variants != null && !variants.isEmpty()) {
            for (int i = 0; i < variants.size(); i++) {
                if (variants.get(i).subject() == null || variants.get(i).subject().isBlank()) {
                    throw ApiException.Invalid.body("every variant of step 1 needs a subject", "missing", "variants", i, "subject");
                }
            }
        } else if (content.subject() == null || content.subject().isBlank()) {
            throw ApiException.Invalid.body("step 1 needs a subject (later steps may leave it empty to reply in the thread)",
                    "missing", "subject");
        }
    }

    private List<VariantRow> variantRows(String stepId, List<VariantIn> variants) {
        var out = new ArrayList<VariantRow>();
        if (variants == null) return out;
        for (int i = 0; i < variants.size(); i++) {
            VariantIn v = variants.get(i);
            out.add(new VariantRow(Ids.next("var", clock.millis()), stepId, i, v.subject() == null ? "" : v.subject(), v.bodyHtml(),
                    v.bodyText(), v.weight()));
        }
        return out;
    }

    // ---- mailboxes ----

    record AttachIn(String mailbox, Integer dailyLimit, BigDecimal weight) {}

    List<AttachedRow> attached(long workspaceId, String campaignId) {
        get(workspaceId, campaignId);
        return repo.attached(workspaceId, campaignId);
    }

    /** Attaches (or re-attaches with a new policy) mailboxes of the workspace; another's or an inactive one is a 422. */
    List<AttachedRow> attach(long workspaceId, String campaignId, List<String> requested, Integer dailyLimit, BigDecimal weight) {
        var problems = new ArrayList<FieldProblem>();
        var ids = new ArrayList<String>();
        for (int i = 0; i < requested.size(); i++) {
            var m = mailboxes.find(workspaceId, requested.get(i));
            if (m.isEmpty()) {
                problems.add(FieldProblem.at("body", "no mailbox " + requested.get(i) + " in this workspace", "value_error", "mailboxes", i));
            } else if (!m.get().status().equals("active")) {
                problems.add(FieldProblem.at("body", "mailbox " + m.get().address() + " is " + m.get().status()
                        + " and cannot send; fix its login first", "value_error", "mailboxes", i));
            } else if (ids.contains(m.get().id())) {
                problems.add(FieldProblem.at("body", "duplicate mailbox " + m.get().address(), "value_error", "mailboxes", i));
            } else {
                ids.add(m.get().id());
            }
        }
        if (!problems.isEmpty()) throw new ApiException.Invalid(problems);
        return tx.execute(s -> {
            CampaignRow c = repo.lock(workspaceId, campaignId).orElseThrow(() -> new ApiException.NotFound("Campaign " + campaignId));
            requireNotArchived(c, "edit");
            for (String id : ids) repo.attach(workspaceId, campaignId, id, dailyLimit, weight);
            return repo.attached(workspaceId, campaignId);
        });
    }

    AttachedRow updatePolicy(long workspaceId, String campaignId, String mailboxId, boolean setLimit, Integer dailyLimit,
            BigDecimal weight, Boolean paused) {
        get(workspaceId, campaignId);
        String id = resolveAttached(workspaceId, campaignId, mailboxId);
        repo.updatePolicy(workspaceId, campaignId, id, setLimit, dailyLimit, weight, paused);
        return repo.attached(workspaceId, campaignId).stream().filter(a -> a.mailboxId().equals(id)).findFirst().orElseThrow();
    }

    void detach(long workspaceId, String campaignId, String mailboxId) {
        get(workspaceId, campaignId);
        repo.detach(workspaceId, campaignId, resolveAttached(workspaceId, campaignId, mailboxId));
    }

    private String resolveAttached(long workspaceId, String campaignId, String mailboxIdOrAddress) {
        String id = mailboxes.find(workspaceId, mailboxIdOrAddress).map(Mailboxes.MailboxView::id).orElse(mailboxIdOrAddress);
        return repo.attached(workspaceId, campaignId).stream().map(AttachedRow::mailboxId).filter(id::equals).findFirst()
                .orElseThrow(() -> new ApiException.NotFound("Mailbox " + mailboxIdOrAddress + " on campaign " + campaignId));
    }

    long sentToday(long workspaceId, String campaignId, String mailboxId) {
        return repo.sentToday(workspaceId, campaignId, mailboxId, clock.instant().truncatedTo(java.time.temporal.ChronoUnit.DAYS));
    }
}
