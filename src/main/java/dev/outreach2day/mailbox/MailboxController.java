package dev.outreach2day.mailbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.outreach2day.mailbox.MailboxRepository.MailboxRow;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.ApiException.FieldProblem;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.EmailAddresses;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Mailboxes")
@RestController
class MailboxController {

    private static final Set<String> SECURITY = Set.of("ssl", "starttls", "none");

    /** Server settings as shown: never a password. */
    record ServerOut(String host, int port, String security, String username) {}

    /** [doc] A mailbox. */
    record MailboxInfo(String id, String address, String firstName, String lastName, String domain, String provider,
            String status, String warmupStatus, int dailyLimit, String signature, String forwardTo, ServerOut smtp,
            ServerOut imap, String lastError, Instant lastCheckedAt, Instant createdAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) String password) {

        static MailboxInfo of(MailboxRow m, String shownPassword) {
            return new MailboxInfo(m.id(), m.address(), m.firstName(), m.lastName(), m.domain(), m.provider(), m.status(),
                    m.warmupStatus(), m.dailyLimit(), m.signature(), m.forwardTo(),
                    new ServerOut(m.smtp().host(), m.smtp().port(), m.smtp().security(), m.smtp().username()),
                    new ServerOut(m.imap().host(), m.imap().port(), m.imap().security(), m.imap().username()),
                    m.lastError(), m.lastCheckedAt(), m.createdAt(), shownPassword);
        }
    }

    record ServerIn(String host, Integer port, String security, String username, String password) {}

    record MailboxIn(String address, String firstName, String lastName, String provider, String password, ServerIn smtp,
            ServerIn imap, Integer dailyLimit, String signature) {}

    /** [doc] */
    record CreateMailboxRequest(@NotNull List<MailboxIn> mailboxes) {}

    record MailboxErrorOut(int index, String address, String code, String detail) {}

    record CreateMailboxesOut(List<MailboxInfo> created, List<MailboxErrorOut> errors) {}

    /** [doc] The same change for every listed mailbox (addresses). */
    record UpdateMailboxesIn(@NotNull @Size(min = 1, max = 100) List<String> mailboxes, @Size(max = 60) String firstName,
            @Size(max = 60) String lastName, @Size(max = 5000) String signature, String forwardTo,
            @Min(1) @Max(1000) Integer dailyLimit) {}

    record DeleteMailboxesIn(@NotNull @Size(min = 1, max = 100) List<String> mailboxes, Boolean force) {}

    record DeleteMailboxesOut(List<String> deleted) {}

    private final MailboxService service;

    MailboxController(MailboxService service) {
        this.service = service;
    }

    @Operation(summary = "List Mailboxes", description = "Mailboxes of the workspace; never a password.")
    @RequiredScope(Scope.READ)
    @GetMapping("/mailboxes")
    List<MailboxInfo> list(Caller caller, @RequestParam(required = false) Long workspaceId) {
        return service.list(caller.workspace(workspaceId)).stream().map(m -> MailboxInfo.of(m, null)).toList();
    }

    @Operation(summary = "Create Mailboxes",
            description = "provider local (default in sandbox): on an active domain of the workspace, hosted by the built-in "
                    + "server; a generated password is returned once. provider smtp: an existing mailbox, verified by a real "
                    + "SMTP AUTH and IMAP LOGIN before it is saved. Each item succeeds or fails on its own.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/mailboxes")
    ResponseEntity<CreateMailboxesOut> create(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody CreateMailboxRequest request) {
        long ws = caller.workspace(workspaceId);
        var items = validate(request.mailboxes());
        var result = service.create(ws, items);
        var out = new CreateMailboxesOut(
                result.created().stream().map(c -> MailboxInfo.of(c.row(), c.generatedPassword())).toList(),
                result.errors().stream().map(e -> new MailboxErrorOut(e.index(), e.address(), e.code(), e.detail())).toList());
        if (out.created().isEmpty()) {
            throw new ApiException.Invalid(result.errors().stream()
                    .map(e -> FieldProblem.at("body", e.detail(), e.code(), "mailboxes", e.index(), "address")).toList());
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(out);
    }

    @Operation(summary = "Update Mailboxes Handler",
            description = "Applies the given fields (sender names, signature, forwardTo, dailyLimit) to every listed mailbox.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/mailboxes/update")
    List<MailboxInfo> update(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody UpdateMailboxesIn request) {
        long ws = caller.workspace(workspaceId);
        List<String> addresses = addresses(request.mailboxes());
        String forward = null;
        boolean setForward = request.forwardTo() != null;
        if (setForward && !request.forwardTo().isBlank()) {
            forward = EmailAddresses.normalize(request.forwardTo()).orElseThrow(() ->
                    ApiException.Invalid.body("forwardTo must be an email address (or empty to stop forwarding)", "value_error", "forwardTo"));
            if (addresses.contains(forward)) {
                throw ApiException.Invalid.body("a mailbox cannot forward to itself", "value_error", "forwardTo");
            }
        }
        return service.update(ws, addresses, blankToNull(request.firstName()), blankToNull(request.lastName()),
                request.signature() != null, blankToNull(request.signature()), setForward, forward, request.dailyLimit())
                .stream().map(m -> MailboxInfo.of(m, null)).toList();
    }

    @Operation(summary = "Delete Mailboxes",
            description = "Deletes mailboxes by address. One attached to an active campaign needs force: true.")
    @RequiredScope(Scope.WRITE)
    @DeleteMapping("/mailboxes")
    DeleteMailboxesOut delete(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody DeleteMailboxesIn request) {
        long ws = caller.workspace(workspaceId);
        return new DeleteMailboxesOut(service.delete(ws, addresses(request.mailboxes()), Boolean.TRUE.equals(request.force()))
                .stream().map(MailboxRow::address).toList());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static List<String> addresses(List<String> input) {
        var problems = new ArrayList<FieldProblem>();
        var out = new ArrayList<String>();
        for (int i = 0; i < input.size(); i++) {
            var a = EmailAddresses.normalize(input.get(i));
            if (a.isEmpty()) {
                problems.add(FieldProblem.at("body", "not an email address", "value_error", "mailboxes", i));
            } else if (out.contains(a.get())) {
                problems.add(FieldProblem.at("body", "duplicate address " + a.get(), "value_error", "mailboxes", i));
            } else {
                out.add(a.get());
            }
        }
        if (!problems.isEmpty()) throw new ApiException.Invalid(problems);
        return out;
    }

    /** Shape checks of every item; any problem is a 422 for the whole request and nothing is created. */
    private List<MailboxService.NewMailbox> validate(List<MailboxIn> input) {
        if (input.isEmpty()) {
            throw ApiException.Invalid.body("at least one mailbox is required", "too_short", "mailboxes");
        }
        if (input.size() > MailboxService.MAX_PER_CALL) {
            throw ApiException.Invalid.body("at most " + MailboxService.MAX_PER_CALL + " mailboxes per call", "too_long", "mailboxes");
        }
        var problems = new ArrayList<FieldProblem>();
        var items = new ArrayList<MailboxService.NewMailbox>();
        var seen = new HashSet<String>();
        for (int i = 0; i < input.size(); i++) {
            MailboxIn m = input.get(i);
            if (m == null) {
                problems.add(FieldProblem.at("body", "must be an object", "dict_type", "mailboxes", i));
                continue;
            }
            int before = problems.size();
            var address = EmailAddresses.normalize(m.address());
            if (address.isEmpty()) {
                problems.add(FieldProblem.at("body", m.address() == null ? "Field required" : "not an email address",
                        m.address() == null ? "missing" : "value_error", "mailboxes", i, "address"));
            } else if (!seen.add(address.get())) {
                problems.add(FieldProblem.at("body", "duplicate address " + address.get(), "value_error", "mailboxes", i, "address"));
            }
            if (m.firstName() == null || m.firstName().isBlank()) {
                problems.add(FieldProblem.at("body", "Field required", "missing", "mailboxes", i, "firstName"));
            } else if (m.firstName().length() > 60) {
                problems.add(FieldProblem.at("body", "at most 60 characters", "string_too_long", "mailboxes", i, "firstName"));
            }
            if (m.lastName() != null && m.lastName().length() > 60) {
                problems.add(FieldProblem.at("body", "at most 60 characters", "string_too_long", "mailboxes", i, "lastName"));
            }
            String provider = m.provider() == null ? service.defaultProvider() : m.provider().strip().toLowerCase(Locale.ROOT);
            if (!provider.equals("local") && !provider.equals("smtp")) {
                problems.add(FieldProblem.at("body", "provider must be one of: local, smtp", "enum", "mailboxes", i, "provider"));
            }
            if (m.password() != null && (m.password().length() < 8 || m.password().length() > 128)) {
                problems.add(FieldProblem.at("body", "password must be 8 to 128 characters", "value_error", "mailboxes", i, "password"));
            }
            if (m.dailyLimit() != null && (m.dailyLimit() < 1 || m.dailyLimit() > 1000)) {
                problems.add(FieldProblem.at("body", "dailyLimit must be between 1 and 1000", "value_error", "mailboxes", i, "dailyLimit"));
            }
            if (m.signature() != null && m.signature().length() > 5000) {
                problems.add(FieldProblem.at("body", "at most 5000 characters", "string_too_long", "mailboxes", i, "signature"));
            }
            MailboxService.ServerIn smtp = null;
            MailboxService.ServerIn imap = null;
            if (provider.equals("smtp")) {
                smtp = server(m.smtp(), i, "smtp", m.password(), problems);
                imap = server(m.imap(), i, "imap", m.password(), problems);
            } else if (provider.equals("local") && (m.smtp() != null || m.imap() != null)) {
                problems.add(FieldProblem.at("body", "local mailboxes are hosted here and take no smtp/imap settings",
                        "value_error", "mailboxes", i, m.smtp() != null ? "smtp" : "imap"));
            }
            if (problems.size() == before) {
                items.add(new MailboxService.NewMailbox(i, address.get(), m.firstName().strip(), blankToNull(m.lastName()),
                        provider, m.password(), smtp, imap, m.dailyLimit(), blankToNull(m.signature())));
            }
        }
        if (!problems.isEmpty()) throw new ApiException.Invalid(problems);
        return items;
    }

    private static MailboxService.ServerIn server(ServerIn s, int i, String side, String defaultPassword,
            List<FieldProblem> problems) {
        if (s == null) {
            problems.add(FieldProblem.at("body", "Field required for provider smtp", "missing", "mailboxes", i, side));
            return null;
        }
        int before = problems.size();
        if (s.host() == null || s.host().isBlank()) {
            problems.add(FieldProblem.at("body", "Field required", "missing", "mailboxes", i, side, "host"));
        }
        if (s.port() == null || s.port() < 1 || s.port() > 65535) {
            problems.add(FieldProblem.at("body", "port must be between 1 and 65535", s.port() == null ? "missing" : "value_error",
                    "mailboxes", i, side, "port"));
        }
        String security = s.security() == null ? null : s.security().strip().toLowerCase(Locale.ROOT);
        if (security == null || !SECURITY.contains(security)) {
            problems.add(FieldProblem.at("body", "security must be one of: ssl, starttls, none", "enum", "mailboxes", i, side, "security"));
        }
        if ((s.password() == null || s.password().isEmpty()) && (defaultPassword == null || defaultPassword.isEmpty())) {
            problems.add(FieldProblem.at("body", "a password is required (here or as the mailbox's password)", "missing",
                    "mailboxes", i, side, "password"));
        }
        if (problems.size() > before) return null;
        return new MailboxService.ServerIn(s.host().strip().toLowerCase(Locale.ROOT), s.port(), security,
                blankToNull(s.username()), s.password());
    }
}
