package dev.outreach2day.unibox;

import dev.outreach2day.platform.Ids;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * The Unibox's facade for the inbox sync: stores each message once per mailbox, threads it,
 * classifies incoming mail, links replies to the campaign send they answer, and publishes {@link
 * ReplyReceived} in the same transaction (so the campaign's stop rules and counters change
 * together with the stored reply, or not at all).
 */
@Component
public class Unibox {

    /**
     * The header the warmup network marks its mail with (its value is a token the warmup capability
     * verifies); threads with such mail are {@code is_warming} and hidden in relevant mode.
     */
    public static final String WARMUP_HEADER = "X-O2D-Warmup";

    /** Folder kinds the sync reads. */
    public static final List<String> FOLDERS = List.of("inbox", "sent", "spam");

    /** What became of a message: stored (or already there), its thread, and the intent it was classified with. */
    public record Ingested(boolean stored, String threadId, String replyIntent) {}

    private final ThreadStore store;
    private final List<CampaignSends> sends;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate tx;
    private final ObjectMapper json;
    private final Clock clock;

    Unibox(ThreadStore store, List<CampaignSends> sends, ApplicationEventPublisher events, TransactionTemplate tx, ObjectMapper json,
            Clock clock) {
        this.store = store;
        this.sends = sends;
        this.events = events;
        this.tx = tx;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Stores one message of a mailbox folder ({@code inbox}, {@code sent} or {@code spam}). A
     * message the mailbox already has (same Message-ID) is left alone: sync can repeat safely.
     */
    public Ingested ingest(long workspaceId, String mailboxId, String mailboxAddress, String folder, InboundMessage m) {
        if (!FOLDERS.contains(folder)) throw new IllegalArgumentException("folder must be one of " + FOLDERS);
        return storeOne(workspaceId, mailboxId, folder, prepare(mailboxAddress, folder, m, true));
    }

    /**
     * Stores a batch of one folder's messages: the messages are classified first, then written in one
     * transaction with a few set-based statements (not one or more per message). When the batch
     * fails as a whole, each message is tried on its own, so one broken message cannot hold back the
     * others; its own failure is then thrown.
     */
    public List<Ingested> ingestAll(long workspaceId, String mailboxId, String mailboxAddress, String folder, List<InboundMessage> messages) {
        if (!FOLDERS.contains(folder)) throw new IllegalArgumentException("folder must be one of " + FOLDERS);
        if (messages.isEmpty()) return List.of();
        // the CPU work (classifying) before the transaction, for the messages not stored yet: the connection waits for none of it
        var stored = store.storedMessages(workspaceId, mailboxId, messages.stream().map(InboundMessage::messageId).distinct().toList());
        var batch = messages.stream().map(m -> prepare(mailboxAddress, folder, m, !stored.containsKey(m.messageId()))).toList();
        try {
            return tx.execute(status -> storeInTx(workspaceId, mailboxId, folder, batch));
        } catch (RuntimeException batchFailed) {
            var out = new ArrayList<Ingested>(batch.size());
            for (Prepared p : batch) out.add(storeOne(workspaceId, mailboxId, folder, p));
            return out;
        }
    }

    /** One message in its own transaction; once more when another process stored it meanwhile (it is then found stored). */
    private Ingested storeOne(long ws, String mailboxId, String folder, Prepared p) {
        try {
            return tx.execute(status -> storeInTx(ws, mailboxId, folder, List.of(p))).getFirst();
        } catch (StoredMeanwhile e) {
            return tx.execute(status -> storeInTx(ws, mailboxId, folder, List.of(p))).getFirst();
        }
    }

    /**
     * A message with what can be told of it without the database: direction, date, the ids it refers
     * to (nearest first), the other party, system or warmup mail, and its intent when it needs one
     * ({@code classify}: false for a message already stored, classified when it was).
     */
    private record Prepared(InboundMessage m, boolean incoming, Instant date, List<String> refs, String participant, boolean postmaster,
            boolean warming, boolean needsIntent, ReplyClassifier.Result intent, String attachmentsJson) {}

    private Prepared prepare(String mailboxAddress, String folder, InboundMessage m, boolean classify) {
        Instant now = clock.instant();
        boolean incoming = !folder.equals("sent") && (m.from() == null || !m.from().equalsIgnoreCase(mailboxAddress));
        Instant date = m.date() == null || m.date().isAfter(now.plus(1, ChronoUnit.DAYS)) ? now : m.date();
        var refs = new LinkedHashSet<String>();
        if (m.inReplyTo() != null) refs.add(m.inReplyTo());
        refs.addAll(m.references().reversed()); // the nearest ancestor first
        if (m.bounce() != null && m.bounce().originalMessageId() != null) refs.add(m.bounce().originalMessageId());
        String participant = incoming ? m.from() : m.to().stream().findFirst().orElse(null);
        boolean postmaster = incoming && (m.bounce() != null || m.systemMail() || isSystemAddress(m.from()));
        boolean warming = m.headers().containsKey(WARMUP_HEADER.toLowerCase(Locale.ROOT)); // the warmup network's mail: no intent
        boolean needsIntent = incoming && !warming && !(m.systemMail() && m.bounce() == null);
        return new Prepared(m, incoming, date, List.copyOf(refs), participant, postmaster, warming, needsIntent,
                classify && needsIntent ? classify(m) : null, attachmentsJson(m));
    }

    /** Another process stored one of the batch's messages between the lookup and the insert. */
    private static final class StoredMeanwhile extends RuntimeException {
        StoredMeanwhile() {
            super("a message of the batch was stored meanwhile by another process", null, false, false);
        }
    }

    /**
     * Stores the batch in the current transaction. Threads are found from what is stored and from
     * the batch itself, changed in memory under their row locks, and written with the messages in
     * set-based statements at the end; a lookup that needs the database as it would be after the
     * earlier messages (threading by campaign send or by subject) writes what is pending first.
     * Reply events are published once everything is written, in the batch's order.
     */
    private List<Ingested> storeInTx(long ws, String mailboxId, String folder, List<Prepared> batch) {
        var ids = new LinkedHashSet<String>();
        for (Prepared p : batch) {
            ids.add(p.m().messageId());
            ids.addAll(p.refs());
        }
        // every message the batch is or refers to that the mailbox has: one query; the batch's own are added as they come
        Map<String, ThreadStore.StoredMessage> known = store.storedMessages(ws, mailboxId, ids);
        var threadIds = new java.util.TreeSet<String>();
        for (Prepared p : batch) {
            if (known.containsKey(p.m().messageId())) continue;
            for (String r : p.refs()) if (known.containsKey(r)) threadIds.add(known.get(r).threadId());
        }
        Map<String, ThreadStore.ThreadState> threads = store.lockThreads(ws, threadIds);
        var pending = new Pending(ws, mailboxId, folder, threads, known);
        var out = new ArrayList<Ingested>(batch.size());
        for (Prepared p : batch) out.add(storeMessage(pending, p));
        pending.flush();
        for (var r : pending.replies) events.publishEvent(r);
        return out;
    }

    /** One message of the batch: its thread found or started, changed in memory; its row pending. */
    private Ingested storeMessage(Pending pending, Prepared p) {
        InboundMessage m = p.m();
        var existing = pending.known.get(m.messageId());
        if (existing != null) return new Ingested(false, existing.threadId(), null);
        Instant now = clock.instant();
        CampaignSends.SentEmail match = p.incoming() ? findSend(pending.ws, p.refs()) : null;
        if (match != null && !match.mailboxId().equals(pending.mailboxId)) match = null; // a reply to another mailbox's email

        // thread: by reply headers (the newest stored message referred to), then by the campaign send answered, then by
        // subject and the other party
        String threadId = null;
        Instant newest = null;
        for (String r : p.refs()) {
            var s = pending.known.get(r);
            if (s != null && (newest == null || s.date().isAfter(newest))) {
                threadId = s.threadId();
                newest = s.date();
            }
        }
        if (threadId == null && match != null) {
            pending.flush();
            threadId = store.threadOfSend(pending.ws, pending.mailboxId, match.sendId()).orElse(null);
        }
        if (threadId == null && Subjects.isReplyOrForward(m.subject())) {
            pending.flush();
            threadId = store.threadBySubject(pending.ws, pending.mailboxId, Subjects.key(m.subject()), p.participant(),
                    now.minus(90, ChronoUnit.DAYS)).orElse(null);
        }
        ThreadStore.ThreadState thread = threadId == null ? null : pending.thread(threadId);
        if (match == null && p.incoming() && thread != null && thread.sendId != null) {
            match = findSend(pending.ws, List.of("<" + thread.externalThreadId + ">"));
        }
        boolean firstReply = thread == null || !thread.hasIncoming;

        var intent = p.intent();
        if (intent == null && p.needsIntent()) intent = classify(m); // it was stored when looked up before the transaction
        String rowId = Ids.next("msg", now.toEpochMilli());
        String campaignId = match == null ? null : match.campaignId(), contactId = match == null ? null : match.contactId();
        String sendId = match == null ? null : match.sendId();
        String intentName = intent == null ? null : intent.intent();
        Double confidence = intent == null ? null : intent.confidence();
        LocalDate returnDate = intent == null ? null : intent.returnDate();
        if (thread == null) {
            var refList = p.refs();
            String root = match != null ? match.messageId() : refList.isEmpty() ? m.messageId() : m.references().isEmpty()
                    ? refList.getFirst() : m.references().getFirst();
            thread = ThreadStore.ThreadState.first(Ids.next("thr", now.toEpochMilli()), pending.mailboxId, strip(root),
                    match != null && m.subject() == null ? match.subject() : m.subject(), p.participant(), campaignId, contactId, sendId,
                    p.postmaster(), now, rowId, p.date(), p.incoming(), p.warming(), intentName, confidence, returnDate);
            pending.threads.put(thread.id, thread);
        } else {
            thread.add(rowId, p.date(), p.incoming(), p.postmaster(), campaignId, contactId, sendId, intentName, confidence, returnDate,
                    p.warming(), now);
        }
        pending.messages.add(new ThreadStore.NewMessage(rowId, thread.id, m, m.html(), p.attachmentsJson(), p.incoming(), p.date(), now));
        pending.known.put(m.messageId(), new ThreadStore.StoredMessage(thread.id, p.date()));

        if (p.incoming() && match != null && intent != null) {
            pending.replies.add(new ReplyReceived(pending.ws, thread.id, rowId, match.campaignId(), match.contactId(), match.sendId(),
                    pending.mailboxId, match.stepOrder(), match.variantId(), m.from(), intentName, confidence,
                    m.bounce() != null && m.bounce().hard(), returnDate, p.date(), firstReply));
        }
        return new Ingested(true, thread.id, intentName);
    }

    /** What a batch has changed and not written yet, what it knows is stored, and the reply events it will publish. */
    private final class Pending {
        final long ws;
        final String mailboxId, folder;
        final Map<String, ThreadStore.ThreadState> threads;
        final List<ThreadStore.NewMessage> messages = new ArrayList<>();
        /** Message-ID → thread and date of what the mailbox has, the batch's own included as they are added. */
        final Map<String, ThreadStore.StoredMessage> known;
        final List<ReplyReceived> replies = new ArrayList<>();

        Pending(long ws, String mailboxId, String folder, Map<String, ThreadStore.ThreadState> threads,
                Map<String, ThreadStore.StoredMessage> known) {
            this.ws = ws;
            this.mailboxId = mailboxId;
            this.folder = folder;
            this.threads = threads;
            this.known = known;
        }

        /** The thread, from the batch or locked now. */
        ThreadStore.ThreadState thread(String id) {
            var t = threads.get(id);
            if (t == null) {
                t = store.lockThreads(ws, List.of(id)).get(id);
                if (t != null) threads.put(id, t);
            }
            return t;
        }

        /** New threads, then the messages (they refer to their thread), then the changed threads. */
        void flush() {
            var fresh = new ArrayList<ThreadStore.ThreadState>();
            var changed = new ArrayList<ThreadStore.ThreadState>();
            for (var t : threads.values()) {
                if (t.isNew) fresh.add(t);
                else if (t.dirty) changed.add(t);
            }
            store.insertThreads(ws, fresh);
            if (store.insertMessages(ws, mailboxId, folder, messages) != messages.size()) throw new StoredMeanwhile();
            messages.clear();
            store.updateThreads(ws, changed);
        }
    }

    private CampaignSends.SentEmail findSend(long ws, List<String> messageIds) {
        if (messageIds.isEmpty()) return null;
        for (CampaignSends s : sends) {
            var found = s.find(ws, messageIds);
            if (found.isPresent()) return found.get();
        }
        return null;
    }

    /** Bounces first (from the report), then the classifier; an RFC 3834 auto-reply is out of office at least. */
    private ReplyClassifier.Result classify(InboundMessage m) {
        if (m.bounce() != null) {
            return new ReplyClassifier.Result(ReplyClassifier.BOUNCED, 0.99, null,
                    List.of("bounce " + (m.bounce().status() == null ? "" : m.bounce().status())));
        }
        var r = ReplyClassifier.classify(m.subject(), m.text(), m.headers(), LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
        if (m.autoReply() && !r.intent().equals(ReplyClassifier.OUT_OF_OFFICE) && !r.intent().equals(ReplyClassifier.BOUNCED)) {
            var signals = new ArrayList<>(r.signals());
            signals.add("auto-reply headers");
            return new ReplyClassifier.Result(ReplyClassifier.OUT_OF_OFFICE, 0.8, r.returnDate(), signals);
        }
        return r;
    }

    private String attachmentsJson(InboundMessage m) {
        return m.attachments().isEmpty() ? "[]" : json.writeValueAsString(m.attachments()); // most mail has none
    }

    private static boolean isSystemAddress(String from) {
        if (from == null) return false;
        String local = from.substring(0, Math.max(0, from.indexOf('@'))).toLowerCase(Locale.ROOT);
        return local.equals("mailer-daemon") || local.equals("postmaster") || local.startsWith("no-reply") || local.startsWith("noreply");
    }

    private static String strip(String id) {
        if (id == null) return "";
        String s = id.strip();
        return s.startsWith("<") && s.endsWith(">") ? s.substring(1, s.length() - 1) : s;
    }
}
