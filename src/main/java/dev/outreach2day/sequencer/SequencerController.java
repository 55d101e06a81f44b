package dev.outreach2day.sequencer;

import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.Cursors;
import dev.outreach2day.platform.EmailAddresses;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.platform.Paging;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Sequencers (ENDPOINTS.md "Sequencers"): connections to Instantly and Smartlead by API key, which
 * mailboxes are ready to go there, asynchronous exports of mailboxes with per-mailbox status, and
 * reconnecting accounts the provider reports as disconnected. API keys are validated with the
 * provider before they are stored, stored sealed by the vault, and never returned.
 */
@Tag(name = "Sequencers")
@RestController
class SequencerController {

    static final int MAX_MAILBOXES = 500;

    // ---- request and response types (the seed's schema names) ----

    record SequencerProviderCapabilitiesOut(boolean export, boolean reconnect, boolean warmup, boolean dailyLimit) {}

    record SequencerProviderOut(String id, String name, SequencerProviderCapabilitiesOut capabilities) {}

    record SequencerProvidersOut(List<SequencerProviderOut> providers) {}

    /** A connection; {@code keyHint} is at most the key's last four characters, the key itself is never returned. */
    record SequencerConnectionOut(String id, String provider, String name, String account, String keyHint, Instant validatedAt,
            Instant createdAt, Instant updatedAt) {}

    record SequencerConnectionsOut(List<SequencerConnectionOut> connections, String next_cursor) {}

    record SequencerConnectionEnvelopeOut(SequencerConnectionOut connection) {}

    record PublicCreateSequencerIn(@NotNull String provider, @NotNull @Size(min = 1, max = 100) String name,
            @NotNull @Size(min = 1, max = 500) String apiKey) {
        @Override
        public String toString() {
            return "PublicCreateSequencerIn[" + provider + ", " + name + "]";
        }
    }

    record PublicValidateSequencerIn(@NotNull String provider, @NotNull @Size(min = 1, max = 500) String apiKey) {
        @Override
        public String toString() {
            return "PublicValidateSequencerIn[" + provider + "]";
        }
    }

    record PublicUpdateSequencerIn(@Size(min = 1, max = 100) String name, @Size(min = 1, max = 500) String apiKey) {
        @Override
        public String toString() {
            return "PublicUpdateSequencerIn[" + name + (apiKey == null ? "" : ", new key") + "]";
        }
    }

    record SequencerValidateOut(boolean valid, String account, String error) {}

    record SequencerDeleteOut(String id, boolean deleted) {}

    record SequencerReadinessReasonOut(String code, String message) {}

    record SequencerReadinessMailboxOut(String mailbox, String mailboxId, boolean exportable, List<SequencerReadinessReasonOut> reasons) {}

    record SequencerReadinessOut(String connectionId, String provider, int total, int exportable,
            List<SequencerReadinessMailboxOut> mailboxes) {}

    /**
     * @param mailboxes    ids ({@code mbx_…}) or addresses
     * @param confirm      must be true: the mailboxes' credentials leave this server
     * @param dailyLimit   the provider's daily sending limit; default each mailbox's own
     * @param enableWarmup turn on the provider's warmup (default false)
     * @param warmupPerDay warmup emails per day when enabled (default 20)
     * @param warmupRampup daily increase of warmup emails (Smartlead daily_rampup; default 2)
     */
    record PublicSequencerExportIn(@NotNull @Size(min = 1, max = MAX_MAILBOXES) List<@NotNull String> mailboxes, Boolean confirm,
            @Min(1) @Max(10000) Integer dailyLimit, Boolean enableWarmup, @Min(1) @Max(100) Integer warmupPerDay,
            @Min(1) @Max(50) Integer warmupRampup) {}

    /** One mailbox of an export: queued, running, completed, failed or skipped (reason already_exported). */
    record SequencerMailboxExportOut(String mailbox, String mailboxId, String status, String reason, String error, String externalId,
            int attempts, Instant nextAttemptAt) {}

    record SequencerExportOut(String id, String connectionId, String provider, String status, List<SequencerMailboxExportOut> items,
            Instant createdAt) {}

    record SequencerExportSummaryOut(String id, String connectionId, String provider, String status, int total, int completed, int failed,
            int skipped, int pending, Instant createdAt, Instant finishedAt) {}

    record SequencerExportsOut(List<SequencerExportSummaryOut> exports, String next_cursor) {}

    record SequencerExportDetailOut(String id, String connectionId, String provider, String status, Integer dailyLimit,
            boolean enableWarmup, List<SequencerMailboxExportOut> items, Instant createdAt, Instant updatedAt, Instant finishedAt) {}

    record PublicSequencerReconnectIn(@Size(max = MAX_MAILBOXES) List<@NotNull String> mailboxes) {}

    record SequencerReconnectErrorOut(String mailbox, String error) {}

    record SequencerReconnectOut(List<String> reconnected, List<SequencerReconnectErrorOut> errors) {}

    private final SequencerStore store;
    private final Providers providers;
    private final Readiness readiness;
    private final Mailboxes mailboxes;
    private final Cursors cursors;
    private final TransactionTemplate tx;
    private final Clock clock;

    SequencerController(SequencerStore store, Providers providers, Readiness readiness, Mailboxes mailboxes, Cursors cursors,
            TransactionTemplate tx, Clock clock) {
        this.store = store;
        this.providers = providers;
        this.readiness = readiness;
        this.mailboxes = mailboxes;
        this.cursors = cursors;
        this.tx = tx;
        this.clock = clock;
    }

    // ---- providers and connections ----

    @Operation(summary = "List Sequencer Providers", description = "The sequencers mailboxes can be exported to, and what each supports here.")
    @RequiredScope(Scope.READ)
    @GetMapping("/sequencers/providers")
    SequencerProvidersOut providers(Caller caller, @RequestParam(required = false) Long workspaceId) {
        caller.workspace(workspaceId);
        return new SequencerProvidersOut(providers.all().stream().map(p -> new SequencerProviderOut(p.id(), p.name(),
                new SequencerProviderCapabilitiesOut(p.capabilities().export(), p.capabilities().reconnect(), p.capabilities().warmup(),
                        p.capabilities().dailyLimit()))).toList());
    }

    @Operation(summary = "List Sequencer Connections", description = "The workspace's connections, newest first (cursor paging).")
    @RequiredScope(Scope.READ)
    @GetMapping("/sequencers")
    SequencerConnectionsOut connections(Caller caller, @RequestParam(required = false) Long workspaceId,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        long ws = caller.workspace(workspaceId);
        int n = Paging.limit(limit);
        var after = cursors.decode("sequencers", ws, cursor);
        var rows = store.connections(ws, after == null ? null : after.getFirst(), n + 1);
        String next = rows.size() > n ? cursors.encode("sequencers", ws, rows.get(n - 1).id()) : null;
        return new SequencerConnectionsOut(rows.stream().limit(n).map(SequencerController::out).toList(), next);
    }

    @Operation(summary = "Public Create Sequencer",
            description = "Connects an Instantly or Smartlead account by API key. The key is checked with the provider first (422 on "
                    + "body.apiKey with the provider's message when it is refused, 503 when the provider cannot be reached); it is "
                    + "stored encrypted and never returned (keyHint shows at most its last four characters).")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/sequencers")
    ResponseEntity<SequencerConnectionEnvelopeOut> create(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody PublicCreateSequencerIn in) {
        long ws = caller.workspace(workspaceId);
        var provider = provider(in.provider());
        String name = in.name().strip();
        if (name.isEmpty()) throw ApiException.Invalid.body("name must not be blank", "string_too_short", "name");
        String key = key(in.apiKey());
        var v = checkKey(provider, key);
        Instant now = clock.instant();
        String id = Ids.next("seq", now.toEpochMilli());
        store.insertConnection(ws, id, provider.id(), name, key, v.account(), now);
        return ResponseEntity.status(HttpStatus.CREATED).body(new SequencerConnectionEnvelopeOut(out(store.connection(ws, id).orElseThrow())));
    }

    @Operation(summary = "Public Validate Sequencer",
            description = "Asks the provider whether an API key works, without storing it: {valid, account?, error?} (error is the "
                    + "provider's message). 503 when the provider cannot be reached.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/sequencers/validate")
    SequencerValidateOut validate(Caller caller, @RequestParam(required = false) Long workspaceId, @Valid @RequestBody PublicValidateSequencerIn in) {
        caller.workspace(workspaceId);
        var provider = provider(in.provider());
        var v = validateWith(provider, key(in.apiKey()));
        return new SequencerValidateOut(v.valid(), v.account(), v.error());
    }

    @Operation(summary = "Public Update Sequencer",
            description = "Renames the connection and/or replaces its API key; a new key is checked with the provider first (422 when refused).")
    @RequiredScope(Scope.WRITE)
    @PatchMapping("/sequencers/{connection_id}")
    SequencerConnectionEnvelopeOut update(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("connection_id") String id, @Valid @RequestBody PublicUpdateSequencerIn in) {
        long ws = caller.workspace(workspaceId);
        var c = connection(ws, id);
        Instant now = clock.instant();
        if (in.apiKey() != null) {
            String key = key(in.apiKey());
            var v = checkKey(provider(c.provider()), key);
            store.rekey(ws, id, key, v.account(), now);
        }
        if (in.name() != null) {
            String name = in.name().strip();
            if (name.isEmpty()) throw ApiException.Invalid.body("name must not be blank", "string_too_short", "name");
            store.rename(ws, id, name, now);
        }
        return new SequencerConnectionEnvelopeOut(out(store.connection(ws, id).orElseThrow()));
    }

    @Operation(summary = "Public Delete Sequencer",
            description = "Forgets the connection and its key. Accounts already created at the provider stay there; mailboxes still "
                    + "waiting in an export fail with CONNECTION_DELETED. Past exports stay listed.")
    @RequiredScope(Scope.WRITE)
    @DeleteMapping("/sequencers/{connection_id}")
    SequencerDeleteOut delete(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("connection_id") String id) {
        long ws = caller.workspace(workspaceId);
        connection(ws, id);
        Instant now = clock.instant();
        tx.executeWithoutResult(s -> store.deleteConnection(ws, id, now).forEach(e -> store.refreshExport(ws, e, now)));
        return new SequencerDeleteOut(id, true);
    }

    // ---- readiness and export ----

    @Operation(summary = "Get Sequencer Readiness",
            description = "Every mailbox of the workspace with whether it can be exported to this connection, and why not: "
                    + "MAILBOX_NOT_ACTIVE, WARMUP_NOT_READY (warming, paused or failing here), DNS_NOT_VERIFIED (SPF, DKIM, DMARC, "
                    + "MX), NO_CREDENTIALS, ALREADY_EXPORTED.")
    @RequiredScope(Scope.READ)
    @GetMapping("/sequencers/{connection_id}/readiness")
    SequencerReadinessOut readiness(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("connection_id") String id) {
        long ws = caller.workspace(workspaceId);
        var c = connection(ws, id);
        Set<String> exported = store.exported(ws, id);
        var dns = new HashMap<String, Readiness.Reason>();
        var out = new ArrayList<SequencerReadinessMailboxOut>();
        for (var m : mailboxes.list(ws)) {
            var reasons = new ArrayList<SequencerReadinessReasonOut>();
            if (exported.contains(m.id())) {
                reasons.add(new SequencerReadinessReasonOut("ALREADY_EXPORTED", "The mailbox is already exported to this connection"));
            }
            readiness.reasons(ws, m, dns).forEach(r -> reasons.add(new SequencerReadinessReasonOut(r.code(), r.message())));
            out.add(new SequencerReadinessMailboxOut(m.address(), m.id(), reasons.isEmpty(), reasons));
        }
        return new SequencerReadinessOut(c.id(), c.provider(), out.size(), (int) out.stream().filter(SequencerReadinessMailboxOut::exportable)
                .count(), out);
    }

    @Operation(summary = "Public Export Mailboxes To Sequencer",
            description = "Needs confirm: true (else 400 CONFIRMATION_REQUIRED): the mailboxes' SMTP and IMAP credentials are sent to the "
                    + "provider. Answers 202 with the export (status queued) at once; a background runner creates each account at the "
                    + "provider (retrying 429 after its Retry-After, 5xx and timeouts with backoff; a 4xx fails the mailbox with the "
                    + "provider's message). Follow it with GET /sequencers/exports/{export_id}: queued → running → completed, partial "
                    + "or failed. A mailbox already exported to this connection is skipped (reason already_exported); one that is not "
                    + "ready fails at once with its readiness code. Send an Idempotency-Key to make the request safe to repeat.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/sequencers/{connection_id}/export")
    ResponseEntity<SequencerExportOut> export(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("connection_id") String id, @Valid @RequestBody PublicSequencerExportIn in) {
        long ws = caller.workspace(workspaceId);
        var c = connection(ws, id);
        if (!Boolean.TRUE.equals(in.confirm())) {
            throw new ApiException.BadRequest("CONFIRMATION_REQUIRED",
                    "Exporting sends the mailboxes' SMTP and IMAP passwords to " + provider(c.provider()).name()
                            + ": repeat the request with \"confirm\": true");
        }
        var asked = resolve(ws, in.mailboxes());
        boolean warmup = Boolean.TRUE.equals(in.enableWarmup());
        int perDay = in.warmupPerDay() == null ? 20 : in.warmupPerDay();
        int rampup = in.warmupRampup() == null ? 2 : in.warmupRampup();
        Instant now = clock.instant();
        String exportId = Ids.next("exp", now.toEpochMilli());
        var dns = new HashMap<String, Readiness.Reason>();
        var notReady = new HashMap<String, List<Readiness.Reason>>(); // checked before the transaction: DNS may be asked live
        asked.forEach((k, view) -> {
            if (view != null) notReady.put(k, readiness.reasons(ws, view, dns));
        });
        tx.executeWithoutResult(s -> {
            store.insertExport(ws, exportId, c, in.dailyLimit(), warmup, perDay, rampup, now);
            Set<String> exported = store.exported(ws, id);
            int seq = 0;
            for (var e : asked.entrySet()) {
                var view = e.getValue();
                if (view == null) {
                    store.insertFinal(ws, exportId, seq++, id, null, e.getKey(), "failed", "MAILBOX_NOT_FOUND",
                            "No mailbox " + e.getKey() + " in this workspace", now);
                    continue;
                }
                if (exported.contains(view.id())) {
                    store.insertFinal(ws, exportId, seq++, id, view.id(), view.address(), "skipped", "already_exported", null, now);
                    continue;
                }
                var reasons = notReady.get(e.getKey());
                if (!reasons.isEmpty()) {
                    store.insertFinal(ws, exportId, seq++, id, view.id(), view.address(), "failed", reasons.getFirst().code(),
                            String.join("; ", reasons.stream().map(Readiness.Reason::message).toList()), now);
                    continue;
                }
                if (!store.insertQueued(ws, exportId, seq, id, view.id(), view.address(), now)) { // exported meanwhile
                    store.insertFinal(ws, exportId, seq, id, view.id(), view.address(), "skipped", "already_exported", null, now);
                }
                seq++;
            }
            store.refreshExport(ws, exportId, now);
        });
        var e = store.export(ws, exportId).orElseThrow();
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new SequencerExportOut(e.id(), e.connectionId(), e.provider(), e.status(),
                items(ws, exportId), e.createdAt()));
    }

    @Operation(summary = "List Sequencer Exports", description = "The workspace's exports, newest first (cursor paging), with item counts.")
    @RequiredScope(Scope.READ)
    @GetMapping("/sequencers/exports")
    SequencerExportsOut exports(Caller caller, @RequestParam(required = false) Long workspaceId, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        long ws = caller.workspace(workspaceId);
        int n = Paging.limit(limit);
        var after = cursors.decode("sequencer-exports", ws, cursor);
        var rows = store.exports(ws, after == null ? null : after.getFirst(), n + 1);
        String next = rows.size() > n ? cursors.encode("sequencer-exports", ws, rows.get(n - 1).id()) : null;
        return new SequencerExportsOut(rows.stream().limit(n).map(e -> {
            var k = store.counts(ws, e.id());
            return new SequencerExportSummaryOut(e.id(), e.connectionId(), e.provider(), e.status(), k.total(), k.completed(), k.failed(),
                    k.skipped(), k.pending(), e.createdAt(), e.finishedAt());
        }).toList(), next);
    }

    @Operation(summary = "Get Sequencer Export", description = "An export with each mailbox's status, attempts, error and the provider's id.")
    @RequiredScope(Scope.READ)
    @GetMapping("/sequencers/exports/{export_id}")
    SequencerExportDetailOut exportDetail(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("export_id") String id) {
        long ws = caller.workspace(workspaceId);
        var e = store.export(ws, id).orElseThrow(() -> new ApiException.NotFound("Sequencer export " + id));
        return new SequencerExportDetailOut(e.id(), e.connectionId(), e.provider(), e.status(), e.dailyLimit(), e.enableWarmup(),
                items(ws, id), e.createdAt(), e.updatedAt(), e.finishedAt());
    }

    // ---- reconnect ----

    @Operation(summary = "Public Reconnect Sequencer Mailboxes",
            description = "Asks the provider which accounts are disconnected (Instantly: a negative status; Smartlead: is_smtp_success "
                    + "or is_imap_success false) and, for each that is a mailbox of this workspace (only those listed in mailboxes, "
                    + "when given), pushes its credentials again (Smartlead: saved again with its id; Instantly: mark-fixed, since "
                    + "API v2 has no call that replaces an account's password). Synchronous; per-mailbox errors.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/sequencers/{connection_id}/reconnect")
    SequencerReconnectOut reconnect(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("connection_id") String id,
            @Valid @RequestBody(required = false) PublicSequencerReconnectIn in) {
        long ws = caller.workspace(workspaceId);
        var c = connection(ws, id);
        var provider = provider(c.provider());
        String key = store.apiKey(ws, id).orElseThrow(() -> new ApiException.NotFound("Sequencer connection " + id));
        var errors = new ArrayList<SequencerReconnectErrorOut>();
        Set<String> only = null;
        if (in != null && in.mailboxes() != null && !in.mailboxes().isEmpty()) {
            only = new LinkedHashSet<>();
            for (var e : resolve(ws, in.mailboxes()).entrySet()) {
                if (e.getValue() == null) errors.add(new SequencerReconnectErrorOut(e.getKey(), "No mailbox " + e.getKey() + " in this workspace"));
                else only.add(e.getValue().address());
            }
        }
        List<SequencerProvider.RemoteAccount> remote;
        try {
            remote = provider.disconnected(key);
        } catch (ProviderException e) {
            throw providerFailure(provider, e);
        }
        var reconnected = new ArrayList<String>();
        var done = new LinkedHashSet<String>();
        for (var r : remote) {
            String address = EmailAddresses.normalize(r.email()).orElse(r.email().toLowerCase(Locale.ROOT));
            if (only != null && !only.contains(address)) continue;
            var view = mailboxes.find(ws, address).orElse(null);
            if (view == null || !done.add(view.address())) continue; // not ours
            // the settings it was exported with (else the mailbox's limit, no warmup); Smartlead keeps its own where it lists them
            var last = store.lastCompletedExport(ws, id, view.id()).orElse(null);
            var account = (last == null ? providers.account(ws, view, view.dailyLimit(), false, 20, 2)
                    : providers.account(ws, view, last.dailyLimit(), last.enableWarmup(), last.warmupPerDay(), last.warmupRampup())).orElse(null);
            if (account == null) {
                errors.add(new SequencerReconnectErrorOut(view.address(), "The mailbox has no SMTP/IMAP credentials to hand over"));
                continue;
            }
            try {
                provider.reconnect(key, r, account);
                reconnected.add(view.address());
            } catch (ProviderException e) {
                errors.add(new SequencerReconnectErrorOut(view.address(), e.getMessage()));
            }
        }
        return new SequencerReconnectOut(reconnected, errors);
    }

    // ---- helpers ----

    private SequencerProvider provider(String id) {
        return providers.get(id).orElseThrow(() -> ApiException.Invalid.body("provider must be one of "
                + String.join(", ", providers.all().stream().map(SequencerProvider::id).toList()), "enum", "provider"));
    }

    private SequencerStore.Connection connection(long ws, String id) {
        return store.connection(ws, id).orElseThrow(() -> new ApiException.NotFound("Sequencer connection " + id));
    }

    private static String key(String raw) {
        String k = raw.strip();
        if (k.isEmpty()) throw ApiException.Invalid.body("apiKey must not be blank", "string_too_short", "apiKey");
        return k;
    }

    private static SequencerProvider.Validation validateWith(SequencerProvider provider, String key) {
        try {
            return provider.validate(key);
        } catch (ProviderException e) {
            throw providerFailure(provider, e);
        }
    }

    /** Validates before storing: a refused key is a 422 on body.apiKey with the provider's words. */
    private static SequencerProvider.Validation checkKey(SequencerProvider provider, String key) {
        var v = validateWith(provider, key);
        if (!v.valid()) {
            throw ApiException.Invalid.body(provider.name() + " refused the API key: " + v.error(), "invalid_api_key", "apiKey");
        }
        return v;
    }

    private static ApiException providerFailure(SequencerProvider provider, ProviderException e) {
        return switch (e.kind()) {
            case TRANSIENT -> new ApiException.Unavailable("SEQUENCER_UNAVAILABLE", provider.name() + " could not be reached: " + e.getMessage());
            case AUTH -> new ApiException.BadRequest("SEQUENCER_KEY_REFUSED", provider.name() + " refused the stored API key: " + e.getMessage()
                    + " (replace it with PATCH /sequencers/{connection_id})");
            case REJECTED -> new ApiException.BadRequest("SEQUENCER_REJECTED", provider.name() + " refused the request: " + e.getMessage());
        };
    }

    /** Each asked-for mailbox once, in order, resolved in this workspace (null: unknown, kept as asked). */
    private LinkedHashMap<String, Mailboxes.MailboxView> resolve(long ws, List<String> asked) {
        var out = new LinkedHashMap<String, Mailboxes.MailboxView>();
        for (String raw : asked) {
            String m = raw.strip();
            if (m.isEmpty()) throw ApiException.Invalid.body("a mailbox must not be blank", "value_error", "mailboxes");
            var view = mailboxes.find(ws, m).orElse(null);
            String k = view != null ? view.address() : EmailAddresses.normalize(m).orElse(m.toLowerCase(Locale.ROOT));
            if (!out.containsKey(k)) out.put(k, view);
        }
        return out;
    }

    private List<SequencerMailboxExportOut> items(long ws, String exportId) {
        return store.items(ws, exportId).stream().map(i -> new SequencerMailboxExportOut(i.mailbox(), i.mailboxId(), i.status(), i.reason(),
                i.error(), i.externalId(), i.attempts(), i.status().equals("queued") ? i.nextAttemptAt() : null)).toList();
    }

    private static SequencerConnectionOut out(SequencerStore.Connection c) {
        return new SequencerConnectionOut(c.id(), c.provider(), c.name(), c.account(), c.keyHint(), c.validatedAt(), c.createdAt(),
                c.updatedAt());
    }
}
