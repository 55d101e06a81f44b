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
import org.springframework.web.bind.annotation.GetMapping;
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

    private final ThreadStore store;
    private final Mailboxes mailboxes;
    private final Cursors cursors;
    private final Clock clock;

    ThreadsController(ThreadStore store, Mailboxes mailboxes, Cursors cursors, Clock clock) {
        this.store = store;
        this.mailboxes = mailboxes;
        this.cursors = cursors;
        this.clock = clock;
    }

    @Operation(summary = "Public Get Threads Capabilities",
            description = "What the Unibox offers here: reading synced mail (inbox), sending from it (outbound, not yet), how mail is synced, "
                    + "and the mailbox providers it reads.")
    @RequiredScope(Scope.READ)
    @GetMapping("/threads/capabilities")
    UniboxCapabilitiesOut capabilities(Caller caller, @RequestParam(required = false) Long workspaceId) {
        caller.workspace(workspaceId);
        return new UniboxCapabilitiesOut(true, false, "incremental", List.of("local", "custom"));
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
        if (!store.setIntent(ws, threadId, in.replyIntent(), clock.instant())) throw new ApiException.NotFound("Thread " + threadId);
        return out(store.find(ws, threadId).orElseThrow());
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
