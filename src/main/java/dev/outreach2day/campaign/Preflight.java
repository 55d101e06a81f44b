package dev.outreach2day.campaign;

import dev.outreach2day.campaign.CampaignRepository.AttachedRow;
import dev.outreach2day.campaign.CampaignRepository.CampaignRow;
import dev.outreach2day.campaign.CampaignRepository.StepRow;
import dev.outreach2day.contact.Contacts;
import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.mailbox.Mailboxes.MailboxView;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The checks a campaign must pass before launch, each pass / warn / fail with a message and
 * details: steps and templates, contacts and their data, mailboxes, schedule, unsubscribe link,
 * spam words, and how long the campaign will take at its limits. Contacts are checked in SQL
 * per template variable, so a campaign of 100,000 contacts is checked without loading them.
 */
@Component
class Preflight {

    static final Set<String> SENDER_VARIABLES = Set.of("senderfirstname", "senderlastname", "senderemail", "signature");
    static final Set<String> SYSTEM_VARIABLES = Set.of("unsubscribeurl");

    record Check(String code, String status, String message, Map<String, Object> details) {}

    record Result(boolean ready, List<Check> checks, Map<String, Object> summary) {}

    private final CampaignRepository repo;
    private final Contacts contacts;
    private final Mailboxes mailboxes;
    private final CampaignProperties props;
    private final dev.outreach2day.platform.O2dProperties platform;
    private final Clock clock;

    Preflight(CampaignRepository repo, Contacts contacts, Mailboxes mailboxes, CampaignProperties props,
            dev.outreach2day.platform.O2dProperties platform, Clock clock) {
        this.platform = platform;
        this.repo = repo;
        this.contacts = contacts;
        this.mailboxes = mailboxes;
        this.props = props;
        this.clock = clock;
    }

    Result run(CampaignRow c) {
        long ws = c.workspaceId();
        var checks = new ArrayList<Check>();
        List<StepRow> steps = repo.steps(ws, c.id());
        List<AttachedRow> attached = repo.attached(ws, c.id());
        List<MailboxView> boxes = mailboxes.byIds(ws, attached.stream().map(AttachedRow::mailboxId).toList());
        long total = contacts.countByStatus(ws, c.id(), null);
        long waiting = contacts.countByStatus(ws, c.id(), "not_started");

        // steps and templates
        if (steps.isEmpty()) {
            checks.add(fail("STEPS_PRESENT", "The campaign has no steps; add at least one email", Map.of()));
        } else {
            checks.add(pass("STEPS_PRESENT", steps.size() + " step(s)", Map.of("steps", steps.size())));
            StepRow first = steps.getFirst();
            boolean subject = first.variants().isEmpty() ? !first.subject().isBlank()
                    : first.variants().stream().allMatch(v -> !v.subject().isBlank());
            checks.add(subject ? pass("FIRST_STEP_SUBJECT", "Step 1 has a subject", Map.of())
                    : fail("FIRST_STEP_SUBJECT", "Step 1 needs a subject", Map.of()));
        }
        var templates = templates(steps);
        var spintax = new ArrayList<Map<String, Object>>();
        templates.forEach((where, text) -> Templates.validate(text).forEach(e ->
                spintax.add(Map.of("template", where, "position", e.position(), "error", e.message()))));
        checks.add(spintax.isEmpty() ? pass("SPINTAX_VALID", "All spintax is balanced", Map.of())
                : fail("SPINTAX_VALID", spintax.size() + " spintax error(s)", Map.of("errors", spintax)));

        // every variable without a fallback must have a value for every contact (or sender)
        // keyed case-insensitively: {{firstName}} and {{FirstName}} are one variable
        var variables = new LinkedHashMap<String, Boolean>();
        var spelled = new LinkedHashMap<String, String>();
        templates.values().forEach(t -> Templates.variables(t).forEach(v -> {
            String k = v.name().toLowerCase(java.util.Locale.ROOT);
            spelled.putIfAbsent(k, v.name());
            variables.merge(k, v.hasFallback(), (a, b) -> a && b);
        }));
        var missing = new ArrayList<Map<String, Object>>();
        for (var e : variables.entrySet()) {
            String key = e.getKey();
            String name = spelled.get(key);
            if (e.getValue() || SYSTEM_VARIABLES.contains(key)) continue;
            if (SENDER_VARIABLES.contains(key)) {
                var without = boxes.stream().filter(b -> blank(senderValue(b, key))).map(MailboxView::address).toList();
                if (!without.isEmpty()) {
                    missing.add(Map.of("variable", name, "mailboxes", without.size(), "sample", without.stream().limit(5).toList()));
                }
                continue;
            }
            long n = contacts.countMissing(ws, c.id(), name);
            if (n > 0) {
                missing.add(Map.of("variable", name, "contacts", n, "sample", contacts.sampleMissing(ws, c.id(), name, 5)));
            }
        }
        checks.add(missing.isEmpty() ? pass("VARIABLES_RESOLVED", "Every variable has a value (or a fallback) for every contact",
                Map.of("variables", List.copyOf(spelled.values())))
                : fail("VARIABLES_RESOLVED", "Some variables have no value and no fallback: "
                        + String.join(", ", missing.stream().map(m -> "{{" + m.get("variable") + "}}").toList())
                        + " (add a fallback like {{company|your team}} or fill the data)", Map.of("missing", missing)));

        // contacts
        checks.add(waiting > 0 ? pass("CONTACTS_PRESENT", waiting + " contact(s) waiting to start", Map.of("waiting", waiting, "total", total))
                : fail("CONTACTS_PRESENT", total == 0 ? "The campaign has no contacts" : "No contact is waiting to start",
                        Map.of("waiting", waiting, "total", total)));

        // mailboxes
        var activeBoxes = boxes.stream().filter(b -> b.status().equals("active")).toList();
        var usable = attached.stream().filter(a -> !a.paused() && activeBoxes.stream().anyMatch(b -> b.id().equals(a.mailboxId()))).toList();
        if (attached.isEmpty()) {
            checks.add(fail("MAILBOXES_ATTACHED", "No mailbox is attached; attach at least one", Map.of()));
        } else if (usable.isEmpty()) {
            checks.add(fail("MAILBOXES_ATTACHED", "No attached mailbox can send (all paused, in error or deleted)",
                    Map.of("attached", attached.size())));
        } else {
            var broken = boxes.stream().filter(b -> !b.status().equals("active")).map(MailboxView::address).toList();
            checks.add(broken.isEmpty() ? pass("MAILBOXES_ATTACHED", usable.size() + " mailbox(es) can send", Map.of("usable", usable.size()))
                    : warn("MAILBOXES_ATTACHED", broken.size() + " attached mailbox(es) cannot send and will be skipped",
                            Map.of("notActive", broken)));
        }
        var warming = activeBoxes.stream().filter(b -> b.warmupStatus().equals("warming")).map(MailboxView::address).toList();
        if (warming.isEmpty()) {
            checks.add(pass("MAILBOXES_WARMED", "No attached mailbox is still warming up", Map.of()));
        } else if (props.allowWhileWarming(platform.sandbox())) {
            checks.add(warn("MAILBOXES_WARMED", warming.size() + " mailbox(es) are still warming up (allowed by configuration)",
                    Map.of("warming", warming)));
        } else {
            checks.add(fail("MAILBOXES_WARMED", warming.size() + " mailbox(es) are still warming up; launch when they are ready",
                    Map.of("warming", warming)));
        }

        // schedule
        var s = c.schedule();
        LocalDate today = LocalDate.now(clock.withZone(ZoneId.of(s.timezone())));
        if (s.endDate() != null && LocalDate.parse(s.endDate()).isBefore(today)) {
            checks.add(fail("SCHEDULE_VALID", "The schedule ended on " + s.endDate(), Map.of("endDate", s.endDate())));
        } else {
            checks.add(pass("SCHEDULE_VALID", "Sending " + describe(s), Map.of("timezone", s.timezone(), "windows", s.windows())));
        }

        // unsubscribe link in the body (the List-Unsubscribe header is always added)
        boolean unsubscribe = !steps.isEmpty() && steps.stream().allMatch(st -> bodies(st).stream()
                .allMatch(b -> Templates.variables(b).stream().anyMatch(v -> v.name().equalsIgnoreCase("unsubscribeUrl"))));
        checks.add(unsubscribe ? pass("UNSUBSCRIBE_LINK", "Every email has an unsubscribe link", Map.of())
                : warn("UNSUBSCRIBE_LINK", "Some emails have no {{unsubscribeUrl}} link in the body (the List-Unsubscribe "
                        + "header is added anyway); a visible link lowers spam complaints", Map.of()));

        // spam words
        var hits = new ArrayList<Map<String, Object>>();
        templates.forEach((where, text) -> SpamWords.findInHtml(text).forEach(h ->
                hits.add(Map.of("template", where, "phrase", h.phrase(), "language", h.language(), "count", h.count()))));
        checks.add(hits.isEmpty() ? pass("SPAM_WORDS", "No spam-trigger words found", Map.of())
                : warn("SPAM_WORDS", hits.size() + " spam-trigger word(s) found", Map.of("hits", hits)));

        // capacity
        int perDay = 0;
        for (AttachedRow a : usable) {
            int limit = a.dailyLimit() != null ? a.dailyLimit()
                    : activeBoxes.stream().filter(b -> b.id().equals(a.mailboxId())).findFirst().map(MailboxView::dailyLimit).orElse(0);
            perDay += limit;
        }
        if (s.dailyLimit() != null) perDay = Math.min(perDay, s.dailyLimit());
        long emails = waiting * Math.max(1, steps.size());
        long days = perDay == 0 ? -1 : (emails + perDay - 1) / perDay;
        if (s.maxNewContactsPerDay() != null && s.maxNewContactsPerDay() > 0) {
            days = Math.max(days, (waiting + s.maxNewContactsPerDay() - 1) / s.maxNewContactsPerDay());
        }
        var capacity = new LinkedHashMap<String, Object>();
        capacity.put("emails", emails);
        capacity.put("emailsPerDay", perDay);
        capacity.put("sendingDays", days);
        checks.add(perDay == 0 ? fail("CAPACITY", "No sending capacity: no usable mailbox", capacity)
                : pass("CAPACITY", emails + " email(s) at up to " + perDay + " per sending day: about " + days + " sending day(s)", capacity));

        long failed = checks.stream().filter(ch -> ch.status().equals("fail")).count();
        var summary = new LinkedHashMap<String, Object>();
        summary.put("pass", checks.stream().filter(ch -> ch.status().equals("pass")).count());
        summary.put("warn", checks.stream().filter(ch -> ch.status().equals("warn")).count());
        summary.put("fail", failed);
        summary.put("steps", steps.size());
        summary.put("contacts", total);
        summary.put("contactsWaiting", waiting);
        summary.put("mailboxes", usable.size());
        summary.put("estimatedSendingDays", days);
        return new Result(failed == 0, checks, summary);
    }

    /** Every template of the campaign, keyed by where it is ("step 2 variant 1 bodyHtml"). */
    static Map<String, String> templates(List<StepRow> steps) {
        var out = new LinkedHashMap<String, String>();
        for (StepRow st : steps) {
            String at = "step " + st.order();
            if (st.variants().isEmpty()) {
                put(out, at + " subject", st.subject());
                put(out, at + " bodyHtml", st.bodyHtml());
                put(out, at + " bodyText", st.bodyText());
            }
            for (var v : st.variants()) {
                String vat = at + " variant " + (v.position() + 1);
                put(out, vat + " subject", v.subject());
                put(out, vat + " bodyHtml", v.bodyHtml());
                put(out, vat + " bodyText", v.bodyText());
            }
        }
        return out;
    }

    private static List<String> bodies(StepRow st) {
        var out = new ArrayList<String>();
        if (st.variants().isEmpty()) out.add(st.bodyHtml());
        st.variants().forEach(v -> out.add(v.bodyHtml()));
        return out;
    }

    private static void put(Map<String, String> out, String key, String value) {
        if (value != null && !value.isEmpty()) out.put(key, value);
    }

    private static String senderValue(MailboxView b, String key) {
        return switch (key) {
            case "senderfirstname" -> b.firstName();
            case "senderlastname" -> b.lastName();
            case "senderemail" -> b.address();
            default -> b.signature();
        };
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String describe(CampaignSettings.Schedule s) {
        var parts = new LinkedHashSet<String>();
        s.windows().forEach(w -> parts.add(String.join(",", w.days()) + " " + w.start() + "–" + w.end()));
        return String.join("; ", parts) + " (" + (s.useContactTimezone() ? "each contact's zone, else " : "") + s.timezone() + ")";
    }

    private static Check pass(String code, String message, Map<String, Object> details) {
        return new Check(code, "pass", message, details);
    }

    private static Check warn(String code, String message, Map<String, Object> details) {
        return new Check(code, "warn", message, details);
    }

    private static Check fail(String code, String message, Map<String, Object> details) {
        return new Check(code, "fail", message, details);
    }
}
