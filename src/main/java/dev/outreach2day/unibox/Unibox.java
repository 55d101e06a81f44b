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
import java.util.Optional;
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
        return tx.execute(status -> ingestInTx(workspaceId, mailboxId, mailboxAddress, folder, m, known(workspaceId, mailboxId, List.of(m))));
    }

    /**
     * Stores a batch of one folder's messages in one transaction (one commit instead of one per
     * message). When the batch fails as a whole, each message is tried on its own, so one broken
     * message cannot hold back the others; its own failure is then thrown.
     */
    public List<Ingested> ingestAll(long workspaceId, String mailboxId, String mailboxAddress, String folder, List<InboundMessage> messages) {
        if (!FOLDERS.contains(folder)) throw new IllegalArgumentException("folder must be one of " + FOLDERS);
        if (messages.isEmpty()) return List.of();
        try {
            return tx.execute(status -> {
                var stored = known(workspaceId, mailboxId, messages);
                var out = new ArrayList<Ingested>(messages.size());
                for (InboundMessage m : messages) out.add(ingestInTx(workspaceId, mailboxId, mailboxAddress, folder, m, stored));
                return out;
            });
        } catch (RuntimeException batchFailed) {
            var out = new ArrayList<Ingested>(messages.size());
            for (InboundMessage m : messages) out.add(ingest(workspaceId, mailboxId, mailboxAddress, folder, m));
            return out;
        }
    }

    /** Message-ID → thread of the messages the mailbox already has among these: one query for a whole batch. */
    private Map<String, String> known(long ws, String mailboxId, List<InboundMessage> messages) {
        return store.storedThreads(ws, mailboxId, messages.stream().map(InboundMessage::messageId).distinct().toList());
    }

    /** {@code stored}: Message-ID → thread of what the mailbox has; this message is added to it when stored. */
    private Ingested ingestInTx(long ws, String mailboxId, String mailboxAddress, String folder, InboundMessage m, Map<String, String> stored) {
        Instant now = clock.instant();
        String existing = stored.get(m.messageId());
        if (existing != null) return new Ingested(false, existing, null);

        boolean incoming = !folder.equals("sent") && (m.from() == null || !m.from().equalsIgnoreCase(mailboxAddress));
        Instant date = m.date() == null || m.date().isAfter(now.plus(1, ChronoUnit.DAYS)) ? now : m.date();
        var refs = new LinkedHashSet<String>();
        if (m.inReplyTo() != null) refs.add(m.inReplyTo());
        refs.addAll(m.references().reversed()); // the nearest ancestor first
        if (m.bounce() != null && m.bounce().originalMessageId() != null) refs.add(m.bounce().originalMessageId());
        var refList = List.copyOf(refs);

        CampaignSends.SentEmail match = incoming ? findSend(ws, refList) : null;
        if (match != null && !match.mailboxId().equals(mailboxId)) match = null; // a reply to another mailbox's email
        String participant = incoming ? m.from() : m.to().stream().findFirst().orElse(null);
        boolean postmaster = incoming && (m.bounce() != null || m.systemMail() || isSystemAddress(m.from()));

        // thread: by reply headers, then by the campaign send answered, then by subject and the other party
        Optional<String> thread = store.threadOfMessages(ws, mailboxId, refList);
        if (thread.isEmpty() && match != null) thread = store.threadOfSend(ws, mailboxId, match.sendId());
        if (thread.isEmpty() && Subjects.isReplyOrForward(m.subject())) {
            thread = store.threadBySubject(ws, mailboxId, Subjects.key(m.subject()), participant, now.minus(90, ChronoUnit.DAYS));
        }
        boolean newThread = thread.isEmpty();
        String threadId = newThread ? Ids.next("thr", now.toEpochMilli()) : thread.get();
        var before = newThread ? null : store.find(ws, threadId).orElse(null);
        if (match == null && incoming && before != null && before.sendId() != null) {
            match = findSend(ws, List.of("<" + before.externalThreadId() + ">"));
        }

        boolean warming = m.headers().containsKey(WARMUP_HEADER.toLowerCase(java.util.Locale.ROOT)); // the warmup network's mail: no intent
        ReplyClassifier.Result intent = incoming && !warming && !(m.systemMail() && m.bounce() == null) ? classify(m) : null;
        String rowId = Ids.next("msg", now.toEpochMilli());
        String html = HtmlSanitizer.sanitize(m.html());
        String campaignId = match == null ? null : match.campaignId(), contactId = match == null ? null : match.contactId();
        String sendId = match == null ? null : match.sendId();
        if (newThread) {
            // a new thread is written once, already holding its first message (one statement instead of two)
            String root = match != null ? match.messageId() : refList.isEmpty() ? m.messageId() : m.references().isEmpty()
                    ? refList.getFirst() : m.references().getFirst();
            store.insertThread(ws, threadId, mailboxId, strip(root), match != null && m.subject() == null ? match.subject() : m.subject(),
                    participant, campaignId, contactId, sendId, postmaster, now, new ThreadStore.FirstMessage(rowId, date, incoming,
                            warming, intent == null ? null : intent.intent(), intent == null ? null : intent.confidence(),
                            intent == null ? null : intent.returnDate()));
        }
        if (!store.insertMessage(ws, rowId, threadId, mailboxId, m, html, attachmentsJson(m), incoming, folder, date, now)) {
            if (newThread) store.deleteEmptyThread(ws, threadId);
            return new Ingested(false, threadId, null); // stored meanwhile by another process
        }
        stored.put(m.messageId(), threadId);
        if (!newThread) {
            store.updateThread(ws, threadId, rowId, date, incoming, postmaster, campaignId, contactId, sendId,
                    intent == null ? null : intent.intent(), intent == null ? null : intent.confidence(),
                    intent == null ? null : intent.returnDate(), now);
            if (warming) store.markWarming(ws, threadId);
        }

        if (incoming && match != null && intent != null) {
            boolean firstReply = before == null || !before.hasIncoming();
            events.publishEvent(new ReplyReceived(ws, threadId, rowId, match.campaignId(), match.contactId(), match.sendId(), mailboxId,
                    match.stepOrder(), match.variantId(), m.from(), intent.intent(), intent.confidence(),
                    m.bounce() != null && m.bounce().hard(), intent.returnDate(), date, firstReply));
        }
        return new Ingested(true, threadId, intent == null ? null : intent.intent());
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
