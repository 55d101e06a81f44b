package dev.outreach2day.warmup;

import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.EmailAddresses;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.sql.Date;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/** Warmup (ENDPOINTS.md "Warmup"): operations that turn it on, off, pause and resume it for mailboxes, and each mailbox's state. */
@Tag(name = "Warmup")
@RestController
class WarmupController {

    static final int MAX_MAILBOXES = 500;
    static final List<String> ACTIONS = List.of("enable", "disable", "pause", "resume");

    /** [doc] */
    record WarmupOperationCreateIn(@NotNull String action, @NotNull @Size(min = 1, max = MAX_MAILBOXES) List<@NotNull String> mailboxes,
            @Valid WarmupSettings settings) {}

    /** [doc] */
    record WarmupRejection(String code, String reason) {}

    /** [doc] */
    record WarmupOperationItemOut(String mailbox, String mailboxId, String status, WarmupRejection rejection) {}

    /** [doc] */
    record WarmupOperationOut(String id, String action, String status, List<WarmupOperationItemOut> items, WarmupSettings settings,
            Instant createdAt) {}

    /** [doc] */
    record WarmupMailboxStateOut(String mailbox, String mailboxId, String state, Integer day, int sentToday, int targetToday,
            int receivedToday, Double inboxRate, Double spamRate, Instant enabledAt, Instant readyAt) {}

    record WarmupDayOut(LocalDate day, int target, int planned, int sent, int received, int inbox, int spam, int replies) {}

    record WarmupMailboxStatsOut(String mailbox, String mailboxId, String state, List<WarmupDayOut> days) {}

    private final WarmupStore store;
    private final Mailboxes mailboxes;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final ObjectMapper json;
    private final Clock clock;

    WarmupController(WarmupStore store, Mailboxes mailboxes, JdbcClient jdbc, TransactionTemplate tx, ObjectMapper json, Clock clock) {
        this.store = store;
        this.mailboxes = mailboxes;
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
        this.clock = clock;
    }

    @Operation(summary = "Create Warmup Operation",
            description = "Enables, disables, pauses or resumes warmup for a set of mailboxes (ids or addresses). Each mailbox gets its own "
                    + "status; those that cannot take the action are rejected with a code and a reason (the others still apply). The "
                    + "same action on the same mailboxes on the same (UTC) day returns the operation made first. `settings` (enable "
                    + "only): startPerDay, targetPerDay, rampDays, replyRate, importantRate, readyInboxRate, windowDays.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/warmup/operations")
    ResponseEntity<WarmupOperationOut> create(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody WarmupOperationCreateIn in) {
        long ws = caller.workspace(workspaceId);
        if (!ACTIONS.contains(in.action())) {
            throw ApiException.Invalid.body("action must be one of " + String.join(", ", ACTIONS), "enum", "action");
        }
        WarmupSettings settings = null;
        if (in.settings() != null) {
            if (!in.action().equals("enable")) throw ApiException.Invalid.body("settings apply to enable only", "value_error", "settings");
            settings = in.settings().withDefaults();
            String[] problem = settings.problem();
            if (problem != null) throw ApiException.Invalid.body(problem[1], "value_error", "settings", problem[0]);
        }
        final WarmupSettings applied = in.action().equals("enable") ? (settings != null ? settings : WarmupSettings.DEFAULTS) : null;
        // each asked-for mailbox once, resolved in this workspace (unknown ones stay as asked, to be rejected)
        var asked = new LinkedHashMap<String, Mailboxes.MailboxView>();
        for (String raw : in.mailboxes()) {
            String m = raw.strip();
            if (m.isEmpty()) throw ApiException.Invalid.body("a mailbox must not be blank", "value_error", "mailboxes");
            var view = mailboxes.find(ws, m).orElse(null);
            String key = view != null ? view.id() : EmailAddresses.normalize(m).orElse(m.toLowerCase(Locale.ROOT));
            asked.putIfAbsent(key, view);
        }
        String mailboxKey = String.join(",", new TreeSet<>(asked.keySet()));
        Instant now = clock.instant();
        var result = tx.execute(s -> {
            String id = Ids.next("wop", now.toEpochMilli());
            boolean fresh = jdbc.sql("""
                    INSERT INTO warmup_operations (workspace_id, id, action, mailbox_key, day, status, settings, items, created_at)
                    VALUES (:ws, :id, :action, :key, :day, 'running', CAST(:settings AS jsonb), '[]', :now)
                    ON CONFLICT (workspace_id, action, mailbox_key, day) DO NOTHING
                    """).param("ws", ws).param("id", id).param("action", in.action()).param("key", mailboxKey)
                    .param("day", Date.valueOf(WarmupStore.day(now))).param("settings", applied == null ? null : json.writeValueAsString(applied))
                    .param("now", WarmupStore.ts(now)).update() == 1;
            if (!fresh) return Map.entry(false, existing(ws, in.action(), mailboxKey, now));
            var items = new ArrayList<WarmupOperationItemOut>();
            asked.forEach((key, view) -> items.add(apply(ws, in.action(), key, view, applied, now)));
            long rejected = items.stream().filter(i -> i.rejection() != null).count();
            String status = rejected == 0 ? "completed" : rejected == items.size() ? "rejected" : "partial";
            jdbc.sql("UPDATE warmup_operations SET status = :status, items = CAST(:items AS jsonb) WHERE workspace_id = :ws AND id = :id")
                    .param("status", status).param("items", json.writeValueAsString(items)).param("ws", ws).param("id", id).update();
            return Map.entry(true, new WarmupOperationOut(id, in.action(), status, items, applied, now));
        });
        return ResponseEntity.status(result.getKey() ? HttpStatus.CREATED : HttpStatus.OK).body(result.getValue());
    }

    @Operation(summary = "Get Warmup Operation", description = "An operation with each mailbox's status and rejection.")
    @RequiredScope(Scope.READ)
    @GetMapping("/warmup/operations/{operation_id}")
    WarmupOperationOut operation(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("operation_id") String id) {
        long ws = caller.workspace(workspaceId);
        return jdbc.sql("SELECT id, action, status, settings::text, items::text, created_at FROM warmup_operations WHERE workspace_id = :ws AND id = :id")
                .param("ws", ws).param("id", id).query((rs, n) -> operationOut(rs)).optional()
                .orElseThrow(() -> new ApiException.NotFound("Warmup operation " + id));
    }

    @Operation(summary = "List Warmup Mailboxes",
            description = "Each mailbox that has had warmup: its state (off, warming, ready, paused, error), the ramp's day, today's "
                    + "sent and target numbers, mail received today, and the inbox and spam rates of its warmup mail over the rolling "
                    + "window; readyAt once it is ready.")
    @RequiredScope(Scope.READ)
    @GetMapping("/warmup/mailboxes")
    List<WarmupMailboxStateOut> mailboxes(Caller caller, @RequestParam(required = false) Long workspaceId) {
        long ws = caller.workspace(workspaceId);
        Instant now = clock.instant();
        var members = store.members(ws);
        var views = new LinkedHashMap<String, Mailboxes.MailboxView>();
        mailboxes.byIds(ws, members.stream().map(WarmupStore.Member::mailboxId).toList()).forEach(v -> views.put(v.id(), v));
        var out = new ArrayList<WarmupMailboxStateOut>();
        for (var m : members) {
            var view = views.get(m.mailboxId());
            if (view == null) continue; // deleted
            var today = store.days(ws, m.mailboxId(), now, 1).getFirst();
            var placed = store.placement(ws, m.mailboxId(), now, m.settings().windowDays());
            boolean on = !m.state().equals("off");
            int target = today.target() > 0 ? today.target() : on ? m.settings().targetOn(m.rampDay(today.day())) : 0;
            out.add(new WarmupMailboxStateOut(m.address(), m.mailboxId(), on && !view.status().equals("active") ? "error" : m.state(),
                    on ? m.rampDay(today.day()) : null, today.sent(), on ? target : 0, today.received(), placed.inboxRate(), placed.spamRate(),
                    m.enabledAt(), m.readyAt()));
        }
        return out;
    }

    @Operation(summary = "Get Warmup Mailbox Stats",
            description = "One mailbox's warmup numbers per UTC day, newest first (days: 1–90, default 30): target, planned, sent, received, "
                    + "landed in inbox, landed in spam, replies received.")
    @RequiredScope(Scope.READ)
    @GetMapping("/warmup/mailboxes/{mailbox_id}/stats")
    WarmupMailboxStatsOut stats(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("mailbox_id") String mailbox,
            @RequestParam(required = false) Integer days) {
        long ws = caller.workspace(workspaceId);
        int n = days == null ? 30 : days;
        if (n < 1 || n > 90) throw ApiException.Invalid.query("days", "days must be between 1 and 90", "value_error");
        var view = mailboxes.find(ws, mailbox).orElseThrow(() -> new ApiException.NotFound("Mailbox " + mailbox));
        var m = store.members(ws).stream().filter(x -> x.mailboxId().equals(view.id())).findFirst()
                .orElseThrow(() -> new ApiException.NotFound("Warmup for mailbox " + mailbox));
        var rows = store.days(ws, view.id(), clock.instant(), n).stream()
                .map(d -> new WarmupDayOut(d.day(), d.target(), d.planned(), d.sent(), d.received(), d.inbox(), d.spam(), d.replies())).toList();
        return new WarmupMailboxStatsOut(view.address(), view.id(), m.state(), rows);
    }

    // ---- actions ----

    private WarmupOperationItemOut apply(long ws, String action, String key, Mailboxes.MailboxView view, WarmupSettings settings, Instant now) {
        if (view == null) return rejected(key, null, "MAILBOX_NOT_FOUND", "No mailbox " + key + " in this workspace");
        var member = store.member(ws, view.id()).orElse(null);
        String state = member == null ? "off" : member.state();
        switch (action) {
            case "enable" -> {
                if (!view.status().equals("active")) {
                    return rejected(view.address(), view.id(), "MAILBOX_ERROR", "The mailbox's login is failing; fix it before warming it up");
                }
                if (!state.equals("off")) {
                    return rejected(view.address(), view.id(), "ALREADY_ENABLED", "Warmup is already " + state + (state.equals("paused")
                            ? "; resume it instead" : ""));
                }
                store.enable(ws, view.id(), view.address(), view.domain(), settings, now);
                mailboxes.setWarmupStatus(ws, view.id(), "warming");
            }
            case "disable" -> {
                if (state.equals("off")) return rejected(view.address(), view.id(), "ALREADY_DISABLED", "Warmup is already off");
                store.setState(ws, view.id(), "off", null, now);
                store.cancelPlanned(ws, view.id(), "warmup disabled");
                mailboxes.setWarmupStatus(ws, view.id(), "off");
            }
            case "pause" -> {
                if (state.equals("paused")) return rejected(view.address(), view.id(), "ALREADY_PAUSED", "Warmup is already paused");
                if (state.equals("off")) return rejected(view.address(), view.id(), "NOT_ENABLED", "Warmup is off for this mailbox");
                store.setState(ws, view.id(), "paused", state, now);
                store.cancelPlanned(ws, view.id(), "warmup paused");
                mailboxes.setWarmupStatus(ws, view.id(), "paused");
            }
            default -> { // resume
                if (!state.equals("paused")) {
                    return rejected(view.address(), view.id(), "NOT_PAUSED", "Warmup is " + state + ", not paused");
                }
                String back = member.pausedFrom() == null ? "warming" : member.pausedFrom();
                store.setState(ws, view.id(), back, null, now);
                mailboxes.setWarmupStatus(ws, view.id(), back);
            }
        }
        return new WarmupOperationItemOut(view.address(), view.id(), "applied", null);
    }

    private static WarmupOperationItemOut rejected(String mailbox, String id, String code, String reason) {
        return new WarmupOperationItemOut(mailbox, id, "rejected", new WarmupRejection(code, reason));
    }

    private WarmupOperationOut existing(long ws, String action, String key, Instant now) {
        return jdbc.sql("""
                SELECT id, action, status, settings::text, items::text, created_at FROM warmup_operations
                 WHERE workspace_id = :ws AND action = :action AND mailbox_key = :key AND day = :day
                """).param("ws", ws).param("action", action).param("key", key).param("day", Date.valueOf(WarmupStore.day(now)))
                .query((rs, n) -> operationOut(rs)).single();
    }

    private WarmupOperationOut operationOut(java.sql.ResultSet rs) throws java.sql.SQLException {
        String settings = rs.getString(4);
        return new WarmupOperationOut(rs.getString(1), rs.getString(2), rs.getString(3),
                json.readValue(rs.getString(5), new TypeReference<List<WarmupOperationItemOut>>() {}),
                settings == null ? null : json.readValue(settings, WarmupSettings.class), WarmupStore.instant(rs, "created_at"));
    }
}
