package dev.outreach2day.unibox;

import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.Cursors;
import dev.outreach2day.platform.Paging;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The Unibox as the seed documents it: threads across all mailboxes, their messages, and the reply intent. */
@Tag(name = "Unibox")
@RestController
class ThreadsController {

    static final Set<String> INTENTS = Set.of(ReplyClassifier.INTERESTED, ReplyClassifier.NOT_INTERESTED, ReplyClassifier.OUT_OF_OFFICE,
            ReplyClassifier.BOUNCED, ReplyClassifier.UNSUBSCRIBE, ReplyClassifier.NEUTRAL);

    /** [doc] */
    record UniboxLastMessageOut(String from_email, Instant date_received, String body_text) {}

    /** [doc] */
    record UniboxThreadOut(String id, String external_thread_id, String subject, String subject_display, UniboxLastMessageOut last_message,
            boolean is_warming, boolean is_postmaster, int message_count, String replyIntent, String campaignId, String mailboxId,
            Instant updatedAt) {}

    /** [doc] */
    record UniboxThreadsOut(List<UniboxThreadOut> threads, String next_cursor) {}

    /** [doc] */
    record UniboxMessageOut(String id, String message_id, String from_email, List<String> to_emails, List<String> cc_emails,
            String subject, Instant date_received, String body_text, String body_html, boolean is_incoming, String folder) {}

    /** [doc] */
    record UniboxThreadMessagesOut(String replyIntent, String campaignId, List<UniboxMessageOut> messages) {}

    /** [doc] */
    record UniboxCapabilitiesOut(boolean inbox, boolean outbound, String syncMode, List<String> providers) {}

    record ReplyIntentIn(@NotNull String replyIntent) {}

    /** [doc] */
    record PublicReplyToThreadIn(@NotNull String bodyText, String bodyHtml, @NotNull String fromMailboxAddress, List<String> cc,
            List<String> bcc) {}

    /** [doc] */
    record PublicSendNewMessageIn(@NotNull String toAddress, @NotNull String subject, @NotNull String bodyText, String bodyHtml,
            @NotNull String fromMailboxAddress) {}

    record PublicForwardThreadIn(@NotNull String toAddress, String bodyText, @NotNull String fromMailboxAddress) {}

    /** [doc] */
    record UniboxReplyOut(String status, String message_id, String operation_id) {}

    /** [doc] */
    record UniboxSendOut(String status, String message_id, String thread_id, String operation_id) {}

    record UniboxOperationOut(String operation_id, String kind, String status, int attempts, String error, String message_id,
            String thread_id, Instant sent_at) {}

    private final ThreadStore store;
    private final Outbound outbound;
    private final Mailboxes mailboxes;
    private final Cursors cursors;
    private final Clock clock;
    private final org.springframework.transaction.support.TransactionTemplate tx;
    private final org.springframework.context.ApplicationEventPublisher events;

    ThreadsController(ThreadStore store, Outbound outbound, Mailboxes mailboxes, Cursors cursors, Clock clock,
            org.springframework.transaction.support.TransactionTemplate tx, org.springframework.context.ApplicationEventPublisher events) {
        this.tx = tx;
        this.events = events;
        this.store = store;
        this.outbound = outbound;
        this.mailboxes = mailboxes;
        this.cursors = cursors;
        this.clock = clock;
    }

    @Operation(summary = "Public Get Threads Capabilities",
            description = "What the Unibox offers here: reading synced mail (inbox), sending from it (outbound), how mail is synced, "
                    + "and the mailbox providers it reads.")
    @RequiredScope(Scope.READ)
    @GetMapping("/threads/capabilities")
    UniboxCapabilitiesOut capabilities(Caller caller, @RequestParam(required = false) Long workspaceId) {
        caller.workspace(workspaceId);
        return new UniboxCapabilitiesOut(true, true, "incremental", List.of("local", "custom"));
    }

    @Operation(summary = "Public Get Threads",
            description = "Threads of all mailboxes, newest first. mode=relevant (default) leaves out warmup, system mail and threads "
                    + "without an incoming message; mode=full shows everything. Filters: mailboxId (id or address), replyIntent, "
                    + "campaignId, updatedSince (threads with new messages since then).")
    @RequiredScope(Scope.READ)
    @GetMapping("/threads")
    UniboxThreadsOut threads(Caller caller, @RequestParam(required = false) Long workspaceId,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) String mailboxId, @RequestParam(required = false) String replyIntent,
            @RequestParam(required = false) String updatedSince, @RequestParam(required = false) String campaignId,
            @RequestParam(required = false) String mode) {
        long ws = caller.workspace(workspaceId);
        int n = Paging.limit(limit);
        if (replyIntent != null && !INTENTS.contains(replyIntent)) {
            throw ApiException.Invalid.query("replyIntent", "replyIntent must be one of " + INTENTS.stream().sorted().toList(), "enum");
        }
        if (mode != null && !mode.equals("relevant") && !mode.equals("full")) {
            throw ApiException.Invalid.query("mode", "mode must be relevant or full", "enum");
        }
        Instant since = null;
        if (updatedSince != null) {
            try {
                since = OffsetDateTime.parse(updatedSince).toInstant();
            } catch (DateTimeParseException e) {
                throw ApiException.Invalid.query("updatedSince", "updatedSince must be an ISO-8601 date-time with an offset, "
                        + "e.g. 2026-03-09T10:00:00Z", "datetime_parsing");
            }
        }
        String mailbox = null;
        if (mailboxId != null) {
            // an unknown (or other workspace's) mailbox simply has no threads here
            mailbox = mailboxes.find(ws, mailboxId).map(Mailboxes.MailboxView::id).orElse("mbx_unknown");
        }
        var after = cursors.decode("threads", ws, cursor);
        var rows = store.page(ws, after == null ? null : after.getFirst(), mailbox, replyIntent, campaignId, since,
                "full".equals(mode), n + 1);
        String next = rows.size() > n ? cursors.encode("threads", ws, rows.get(n - 1).id()) : null;
        return new UniboxThreadsOut(rows.stream().limit(n).map(ThreadsController::out).toList(), next);
    }

    @Operation(summary = "Public Get Thread Messages", description = "Every message of the thread, oldest first; HTML bodies are sanitised.")
    @RequiredScope(Scope.READ)
    @GetMapping("/threads/{thread_id}/messages")
    UniboxThreadMessagesOut messages(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("thread_id") String threadId) {
        long ws = caller.workspace(workspaceId);
        var t = store.find(ws, threadId).orElseThrow(() -> new ApiException.NotFound("Thread " + threadId));
        return new UniboxThreadMessagesOut(t.replyIntent(), t.campaignId(), store.messages(ws, threadId).stream()
                .map(m -> new UniboxMessageOut(m.id(), m.messageId(), m.fromEmail(), m.toEmails(), m.ccEmails(), m.subject(),
                        m.dateReceived(), m.bodyText(), m.bodyHtml(), m.isIncoming(), m.folder()))
                .toList());
    }

    @Operation(summary = "Public Set Thread Reply Intent",
            description = "Sets the thread's reply intent by hand; the classifier never overwrites a manual intent.")
    @RequiredScope(Scope.WRITE)
    @PatchMapping("/threads/{thread_id}/reply-intent")
    UniboxThreadOut replyIntent(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("thread_id") String threadId,
            @Valid @RequestBody ReplyIntentIn in) {
        long ws = caller.workspace(workspaceId);
        if (!INTENTS.contains(in.replyIntent())) {
            throw ApiException.Invalid.body("replyIntent must be one of " + INTENTS.stream().sorted().toList(), "enum", "replyIntent");
        }
        Instant now = clock.instant();
        var thread = tx.execute(status -> {
            if (!store.setIntent(ws, threadId, in.replyIntent(), now)) throw new ApiException.NotFound("Thread " + threadId);
            var t = store.find(ws, threadId).orElseThrow();
            if (t.campaignId() != null && t.contactId() != null) { // the campaign contact's outcome follows
                events.publishEvent(new ThreadIntentSet(ws, threadId, t.campaignId(), t.contactId(), in.replyIntent(), now));
            }
            return t;
        });
        return out(thread);
    }

    @Operation(summary = "Public Reply To Thread",
            description = "Queues a reply to the thread's last incoming message from one of the workspace's mailboxes and answers at "
                    + "once; a worker sends it (threading headers set) and puts a copy into the mailbox's Sent folder.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/threads/{thread_id}/reply")
    ResponseEntity<UniboxReplyOut> reply(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("thread_id") String threadId, @Valid @RequestBody PublicReplyToThreadIn in) {
        long ws = caller.workspace(workspaceId);
        var from = sender(ws, in.fromMailboxAddress());
        String text = required(in.bodyText(), "bodyText");
        var cc = addresses(in.cc(), "cc");
        var bcc = addresses(in.bcc(), "bcc");
        var t = store.find(ws, threadId).orElseThrow(() -> new ApiException.NotFound("Thread " + threadId));
        var messages = store.messages(ws, threadId);
        String to = messages.reversed().stream().filter(ThreadStore.MessageRow::isIncoming).map(ThreadStore.MessageRow::fromEmail)
                .findFirst().orElseGet(() -> messages.isEmpty() ? null : messages.getLast().toEmails().stream().findFirst().orElse(null));
        if (to == null) throw new ApiException.Conflict("NOTHING_TO_REPLY_TO", "The thread has no message with an address to answer");
        // References: the thread's first message (the campaign email, which may not be stored here), then every message
        var refs = new java.util.ArrayList<String>();
        if (t.externalThreadId() != null && !t.externalThreadId().isBlank()) refs.add("<" + t.externalThreadId() + ">");
        messages.stream().map(ThreadStore.MessageRow::messageId).filter(id -> !refs.contains(id)).forEach(refs::add);
        var op = outbound.queue(ws, "reply", threadId, from, List.of(to), cc, bcc, "Re: " + display(t), text, in.bodyHtml(),
                refs.isEmpty() ? null : refs.getLast(), List.copyOf(refs));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new UniboxReplyOut(op.status(), op.messageId(), op.id()));
    }

    @Operation(summary = "Public Send New Message",
            description = "Starts a new conversation from one of the workspace's mailboxes: the thread exists at once, the message is "
                    + "sent by a worker.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/threads/new")
    ResponseEntity<UniboxSendOut> newMessage(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody PublicSendNewMessageIn in) {
        long ws = caller.workspace(workspaceId);
        var from = sender(ws, in.fromMailboxAddress());
        String to = address(in.toAddress(), "toAddress");
        String subject = required(in.subject(), "subject").replaceAll("[\\r\\n]+", " ");
        String text = required(in.bodyText(), "bodyText");
        String threadId = dev.outreach2day.platform.Ids.next("thr", clock.millis());
        // the thread and the queued message together: the worker never sees one without the other
        var op = tx.execute(status -> {
            var queued = outbound.queue(ws, "new", threadId, from, List.of(to), List.of(), List.of(), subject, text, in.bodyHtml(), null,
                    List.of());
            store.insertThread(ws, threadId, from.id(), queued.messageId().replaceAll("[<>]", ""), subject, to, null, null, null, false,
                    clock.instant());
            return queued;
        });
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new UniboxSendOut(op.status(), op.messageId(), threadId, op.id()));
    }

    @Operation(summary = "Public Forward Thread",
            description = "Forwards the thread's last message, with an optional note above it, from one of the workspace's mailboxes.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/threads/{thread_id}/forward")
    ResponseEntity<UniboxReplyOut> forward(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("thread_id") String threadId, @Valid @RequestBody PublicForwardThreadIn in) {
        long ws = caller.workspace(workspaceId);
        var from = sender(ws, in.fromMailboxAddress());
        String to = address(in.toAddress(), "toAddress");
        var t = store.find(ws, threadId).orElseThrow(() -> new ApiException.NotFound("Thread " + threadId));
        var messages = store.messages(ws, threadId);
        if (messages.isEmpty()) throw new ApiException.Conflict("NOTHING_TO_FORWARD", "The thread has no message yet");
        var last = messages.getLast();
        String note = in.bodyText() == null ? "" : in.bodyText().strip() + "\n\n";
        String text = note + "---------- Forwarded message ---------\nFrom: " + last.fromEmail() + "\nDate: " + last.dateReceived()
                + "\nSubject: " + (last.subject() == null ? "" : last.subject()) + "\nTo: " + String.join(", ", last.toEmails()) + "\n\n"
                + last.bodyText();
        var op = outbound.queue(ws, "forward", threadId, from, List.of(to), List.of(), List.of(), "Fwd: " + display(t), text, null,
                null, List.of());
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new UniboxReplyOut(op.status(), op.messageId(), op.id()));
    }

    @Operation(summary = "Public Get Outbound Operation",
            description = "Where a reply, new message or forward stands: queued → sending → sent, or failed with the error.")
    @RequiredScope(Scope.READ)
    @GetMapping("/threads/outbound-operations/{operation_id}")
    UniboxOperationOut operation(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("operation_id") String operationId) {
        long ws = caller.workspace(workspaceId);
        var op = outbound.find(ws, operationId).orElseThrow(() -> new ApiException.NotFound("Operation " + operationId));
        return new UniboxOperationOut(op.id(), op.kind(), op.status(), op.attempts(), op.error(), op.messageId(), op.threadId(),
                op.sentAt());
    }

    private Mailboxes.MailboxView sender(long ws, String address) {
        var m = mailboxes.find(ws, address).orElseThrow(() -> ApiException.Invalid.body(
                "fromMailboxAddress must be a mailbox of this workspace", "value_error", "fromMailboxAddress"));
        if (!m.status().equals("active")) {
            throw ApiException.Invalid.body("fromMailboxAddress is not active (" + m.status() + ")", "value_error", "fromMailboxAddress");
        }
        return m;
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) throw ApiException.Invalid.body(field + " must not be empty", "missing", field);
        return value;
    }

    private static String address(String value, String field) {
        return dev.outreach2day.platform.EmailAddresses.normalize(value)
                .orElseThrow(() -> ApiException.Invalid.body(field + " must be an email address", "value_error", field));
    }

    private static List<String> addresses(List<String> values, String field) {
        if (values == null) return List.of();
        if (values.size() > 50) throw ApiException.Invalid.body(field + " takes at most 50 addresses", "too_long", field);
        return values.stream().map(v -> address(v, field)).toList();
    }

    private static String display(ThreadStore.ThreadRow t) {
        return t.subjectDisplay() == null ? "" : t.subjectDisplay();
    }

    private static UniboxThreadOut out(ThreadStore.ThreadRow t) {
        return new UniboxThreadOut(t.id(), t.externalThreadId(), t.subject(), t.subjectDisplay(),
                t.lastFrom() == null && t.lastDate() == null ? null : new UniboxLastMessageOut(t.lastFrom(), t.lastDate(), preview(t.lastText())),
                t.isWarming(), t.isPostmaster(), t.messageCount(), t.replyIntent(), t.campaignId(), t.mailboxId(), t.updatedAt());
    }

    /** The last message's text as a list shows it: at most 1,000 characters. */
    private static String preview(String text) {
        return text == null || text.length() <= 1000 ? text : text.substring(0, 1000);
    }

}
