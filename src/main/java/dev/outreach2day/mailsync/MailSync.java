package dev.outreach2day.mailsync;

import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.mailbox.Mailboxes.ImapLogin;
import dev.outreach2day.mailbox.Mailboxes.SyncTarget;
import dev.outreach2day.platform.MailSessions;
import dev.outreach2day.unibox.InboundMessage;
import dev.outreach2day.unibox.Unibox;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import org.eclipse.angus.mail.iap.ByteArray;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.FLAGS;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.MessageSet;
import org.eclipse.angus.mail.imap.protocol.UID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Reads every active mailbox's INBOX, Sent and Spam/Junk folders over IMAP into the Unibox.
 * Exactly one server process syncs a mailbox at a time (a lease in the database); each folder is
 * read incrementally by UID from where the last round stopped, and read again from the start
 * when its UIDVALIDITY changes (messages already stored are recognised by Message-ID). Each
 * message is parsed leniently ({@link MimeContent}), checked for bounces and auto-replies
 * ({@link BounceParser}), and handed to {@link Unibox#ingest}. Mailboxes are polled every
 * {@code o2d.sync.interval}.
 */
@Component
class MailSync implements org.springframework.context.SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MailSync.class);
    /** Messages read from one folder per round; the rest follow in the next round, right away. */
    private static final int MAX_PER_ROUND = 2000;

    private final Mailboxes mailboxes;
    private final Unibox unibox;
    private final SyncLeases leases;
    private final SyncProperties props;
    private final Clock clock;
    private final String node;
    private final Semaphore running;
    /** Mailboxes this process is syncing right now (ws:mailbox). */
    private final java.util.Set<String> inProgress = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean started;

    MailSync(Mailboxes mailboxes, Unibox unibox, SyncLeases leases, SyncProperties props, Clock clock) {
        this.mailboxes = mailboxes;
        this.unibox = unibox;
        this.leases = leases;
        this.props = props;
        this.clock = clock;
        this.node = props.nodeId() == null || props.nodeId().isBlank() ? ManagementFactory.getRuntimeMXBean().getName() : props.nodeId();
        this.running = new Semaphore(props.concurrency());
    }

    /**
     * Starts a sync for every due mailbox that is not being synced here already, as slots free up,
     * without waiting for the others: one slow or failing mailbox never holds back the rest. A
     * round that ends starts the next due mailbox at once (the tick is for mailboxes that become due).
     */
    @Scheduled(initialDelayString = "PT10S", fixedDelayString = "PT2S")
    void tick() {
        if (!props.enabled() || !started) return;
        try {
            startDue();
        } catch (RuntimeException e) {
            log.warn("Inbox sync round failed: {}", e.getMessage(), e);
        }
    }

    /** New mailboxes are synced now, not at the next tick: their inbox shows up as soon as it is read. */
    @org.springframework.context.event.EventListener
    void on(dev.outreach2day.mailbox.MailboxesAdded added) {
        if (!props.enabled() || !started) return;
        Thread.ofVirtual().name("sync-added").start(() -> {
            try {
                startDue();
            } catch (RuntimeException e) {
                log.info("Starting the inbox sync of new mailboxes failed: {}", e.getMessage());
            }
        });
    }

    private void startDue() {
        for (SyncTarget t : dueInTurn(mailboxes.syncTargets(), leases.turns(), clock.instant())) {
            if (!started) return;
            String key = t.workspaceId() + ":" + t.mailboxId();
            if (!inProgress.add(key)) continue; // being synced here
            if (!running.tryAcquire()) { // every slot busy: the rest wait, still first in line
                inProgress.remove(key);
                return;
            }
            Thread.ofVirtual().name("sync-" + t.mailboxId()).start(() -> {
                try {
                    sync(t, false);
                } catch (RuntimeException e) {
                    log.info("Inbox sync of {} failed: {}", t.address(), e.getMessage());
                } finally {
                    inProgress.remove(key);
                    running.release();
                }
                if (started && props.enabled()) {
                    try {
                        startDue(); // the freed slot goes to the next due mailbox now, not at the next tick
                    } catch (RuntimeException e) {
                        log.info("Starting the next inbox sync failed: {}", e.getMessage());
                    }
                }
            });
        }
    }

    /**
     * The targets whose round is due and that no process holds, in turn: never synced first (a
     * mailbox just added), then the longest due. Only these take a slot: a mailbox that is not due
     * would hold one for its lease check while a due one waited for the next tick.
     */
    static List<SyncTarget> dueInTurn(List<SyncTarget> targets, Map<String, SyncLeases.Turn> turns, Instant now) {
        record Due(SyncTarget target, boolean everSynced, Instant since) {}
        var due = new ArrayList<Due>();
        for (SyncTarget t : targets) {
            var turn = turns.get(t.workspaceId() + ":" + t.mailboxId());
            if (turn == null) {
                due.add(new Due(t, false, Instant.MIN)); // no row yet: just added
                continue;
            }
            boolean held = turn.lockedUntil() != null && !turn.lockedUntil().isBefore(now);
            boolean isDue = turn.nextSyncAt() == null || !turn.nextSyncAt().isAfter(now);
            if (isDue && !held) due.add(new Due(t, turn.everSynced(), turn.nextSyncAt() == null ? Instant.MIN : turn.nextSyncAt()));
        }
        due.sort(Comparator.comparing(Due::everSynced).thenComparing(Due::since));
        return due.stream().map(Due::target).toList();
    }

    @Override
    public void start() {
        started = true;
    }

    /** Stops taking mailboxes, lets the running rounds end their current batch (up to 15 s), before the database stops. */
    @Override
    public void stop() {
        started = false;
        try {
            if (running.tryAcquire(props.concurrency(), 15, java.util.concurrent.TimeUnit.SECONDS)) {
                running.release(props.concurrency());
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.warn("Inbox sync still running at shutdown; its mailboxes are read again after the lease ({})", props.lease());
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    @Override
    public int getPhase() {
        return 100; // stops before the mail server and the database
    }

    /** Syncs every mailbox that is due (all of them when {@code force}) and not held elsewhere; returns how many were synced. */
    int runOnce(boolean force) {
        var threads = new ArrayList<Thread>();
        int[] synced = {0};
        for (SyncTarget t : mailboxes.syncTargets()) {
            running.acquireUninterruptibly();
            threads.add(Thread.ofVirtual().name("sync-" + t.mailboxId()).start(() -> {
                try {
                    if (sync(t, force)) {
                        synchronized (synced) {
                            synced[0]++;
                        }
                    }
                } finally {
                    running.release();
                }
            }));
        }
        for (Thread th : threads) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return synced[0];
    }

    /** One round for one mailbox under its lease; false when it was not due or another process has it. */
    boolean sync(SyncTarget t, boolean force) {
        Instant now = clock.instant();
        if (!leases.take(t.workspaceId(), t.mailboxId(), node, now, now.plus(props.lease()), force)) return false;
        String error = null;
        boolean more = false;
        try {
            var login = mailboxes.imapLogin(t.workspaceId(), t.mailboxId()).orElse(null);
            if (login == null) {
                error = "no IMAP login stored for this mailbox";
            } else {
                more = syncFolders(t, login);
            }
        } catch (MessagingException | RuntimeException e) {
            error = abbreviate(e.getClass().getSimpleName() + ": " + e.getMessage());
            log.info("Inbox sync of {} failed: {}", t.address(), error);
        } finally {
            Instant end = clock.instant();
            leases.release(t.workspaceId(), t.mailboxId(), node, end, more ? end : end.plus(props.interval()), error);
            log.debug("Synced {} in {} ms (more: {}, error: {})", t.address(), java.time.Duration.between(now, end).toMillis(), more, error);
        }
        return true;
    }

    private boolean syncFolders(SyncTarget t, ImapLogin login) throws MessagingException {
        Session session = MailSessions.of(properties(login));
        String protocol = login.security().equals("ssl") ? "imaps" : "imap";
        boolean more = false;
        try (Store store = session.getStore(protocol)) {
            store.connect(login.host(), login.port(), login.username(), login.password());
            for (var f : folders(store).entrySet()) {
                more |= syncFolder(t, session, f.getValue(), f.getKey());
            }
        }
        return more;
    }

    /** INBOX, and the Sent and Spam/Junk folders when the server has them (special-use attributes first, then usual names). */
    static Map<String, Folder> folders(Store store) throws MessagingException {
        var out = new LinkedHashMap<String, Folder>();
        out.put("inbox", store.getFolder("INBOX"));
        Folder[] all = store.getDefaultFolder().list("*");
        for (Folder f : all) {
            if (!(f instanceof IMAPFolder imap)) continue;
            for (String a : imap.getAttributes()) {
                if (a.equalsIgnoreCase("\\Sent")) out.putIfAbsent("sent", f);
                if (a.equalsIgnoreCase("\\Junk")) out.putIfAbsent("spam", f);
            }
        }
        for (Folder f : all) {
            String name = f.getName().toLowerCase(Locale.ROOT);
            if (List.of("sent", "sent items", "sent messages", "sent mail", "gesendet", "gesendete elemente", "envoyés",
                    "elementos enviados", "enviados").contains(name)) out.putIfAbsent("sent", f);
            if (List.of("spam", "junk", "junk e-mail", "junk email", "bulk mail", "courrier indésirable", "correo no deseado")
                    .contains(name)) out.putIfAbsent("spam", f);
        }
        return out;
    }

    /** Reads the folder's new messages; true when there are more than one round takes. */
    private boolean syncFolder(SyncTarget t, Session session, Folder folder, String kind) throws MessagingException {
        if (!folder.exists()) return false;
        folder.open(Folder.READ_ONLY);
        try {
            UIDFolder uids = (UIDFolder) folder;
            long validity = uids.getUIDValidity();
            Long uidNext = uidNext(uids);
            var state = leases.folder(t.workspaceId(), t.mailboxId(), folder.getFullName()).orElse(null);
            boolean reset = state == null || state.uidValidity() == null || state.uidValidity() != validity;
            if (state != null && reset) {
                log.info("UIDVALIDITY of {} {} changed ({} → {}): reading the folder again", t.address(), folder.getFullName(),
                        state.uidValidity(), validity);
            }
            long lastUid = reset ? 0 : state.lastUid();
            if (uidNext != null && uidNext <= lastUid + 1 && !reset) {
                leases.saveFolder(t.workspaceId(), t.mailboxId(), folder.getFullName(), kind, validity, lastUid, uidNext, 0, false,
                        clock.instant());
                return false; // nothing new
            }
            // read from the start: every message, without asking the server for their UIDs first (the batches fetch them)
            Message[] found = lastUid == 0 ? folder.getMessages() : uids.getMessagesByUID(lastUid + 1, UIDFolder.MAXUID);
            var fresh = new ArrayList<Message>();
            for (Message m : found) {
                if (m != null && (lastUid == 0 || uids.getUID(m) > lastUid)) fresh.add(m);
            }
            boolean more = fresh.size() > MAX_PER_ROUND;
            var round = fresh.subList(0, Math.min(fresh.size(), MAX_PER_ROUND));
            for (int i = 0; i < round.size() && started; i += props.batch()) {
                lastUid = syncBatch(t, session, folder, kind, round.subList(i, Math.min(round.size(), i + props.batch())), lastUid,
                        validity, uidNext, reset);
                reset = false;
            }
            if (round.isEmpty()) {
                leases.saveFolder(t.workspaceId(), t.mailboxId(), folder.getFullName(), kind, validity, lastUid, uidNext, 0, reset,
                        clock.instant());
            }
            return more;
        } finally {
            if (folder.isOpen()) folder.close(false);
        }
    }

    /**
     * One batch of a folder: fetched, read, stored, and the folder's position saved; returns the
     * batch's highest UID (at least {@code lastUid}). The whole batch is read before it is stored:
     * the IMAP connection is not left idle while storing.
     */
    private long syncBatch(SyncTarget t, Session session, Folder folder, String kind, List<Message> batch, long lastUid, long validity,
            Long uidNext, boolean reset) throws MessagingException {
        long batchLast = lastUid;
        var fetched = fetchWhole((IMAPFolder) folder, batch);
        for (Fetched f : fetched) batchLast = Math.max(batchLast, f.uid());
        var read = readAll(session, fetched);
        int added = 0;
        for (var r : unibox.ingestAll(t.workspaceId(), t.mailboxId(), t.address(), kind, read)) if (r.stored()) added++;
        log.debug("{} {}: {} of {} read stored (uids to {})", t.address(), kind, added, read.size(), batchLast);
        leases.saveFolder(t.workspaceId(), t.mailboxId(), folder.getFullName(), kind, validity, batchLast, uidNext, added, reset,
                clock.instant());
        return batchLast;
    }

    /** The fetched messages not marked deleted, read. */
    private static List<InboundMessage> readAll(Session session, List<Fetched> fetched) throws MessagingException {
        var read = new ArrayList<InboundMessage>(fetched.size());
        for (Fetched f : fetched) {
            if (f.deleted()) continue;
            var b = f.bytes();
            read.add(b != null ? read(session, b.getBytes(), b.getStart(), b.getCount()) : read(session, f.message()));
        }
        return read;
    }

    /**
     * A message of a batch as its FETCH returned it: its UID, whether it is marked deleted, and its
     * bytes as received (not copied); null bytes when the answer had none for it (it is then read
     * through Jakarta Mail, which asks the server again).
     */
    record Fetched(Message message, long uid, boolean deleted, ByteArray bytes) {}

    /**
     * One {@code FETCH <numbers> (UID FLAGS BODY.PEEK[])} for the messages: each message's bytes as they
     * came, without building Jakarta Mail's message from them first (which parses every header and
     * copies the content, only for {@link #read} to write it out and parse it again). Responses that
     * are not this command's (new mail, expunges, flag changes by others) go to the folder as usual.
     * What the answer left out for a message (a server may split a message's items over several
     * responses, or leave one out) is asked for the usual way.
     */
    static List<Fetched> fetchWhole(IMAPFolder folder, List<Message> messages) throws MessagingException {
        int[] numbers = new int[messages.size()];
        for (int k = 0; k < numbers.length; k++) numbers[k] = messages.get(k).getMessageNumber();
        Items[] items = (Items[]) folder.doCommand(p -> {
            Response[] r = p.fetch(MessageSet.createMessageSets(numbers), "UID FLAGS BODY.PEEK[]");
            Items[] found = items(numbers, r);
            p.notifyResponseHandlers(r);
            p.handleResult(r[r.length - 1]);
            return found;
        });
        var out = new ArrayList<Fetched>(numbers.length);
        for (int k = 0; k < numbers.length; k++) {
            Message m = messages.get(k);
            Items it = items[k];
            long uid = it.uid != null ? it.uid : ((UIDFolder) folder).getUID(m);
            boolean deleted = it.flags != null ? it.flags.contains(Flags.Flag.DELETED) : m.isSet(Flags.Flag.DELETED);
            out.add(new Fetched(m, uid, deleted, it.bytes));
        }
        return out;
    }

    /** What the FETCH answer held for one message. */
    static final class Items {
        Long uid;
        Flags flags;
        ByteArray bytes;
    }

    /**
     * The items of the FETCH responses among {@code r} for each of {@code numbers} (same order; a
     * message may have its items in several responses). A response that brought a message's bytes is
     * taken out of {@code r} (set to null): the folder's handlers get the others.
     */
    static Items[] items(int[] numbers, Response[] r) {
        var index = new java.util.HashMap<Integer, Integer>(numbers.length * 2);
        for (int k = 0; k < numbers.length; k++) index.put(numbers[k], k);
        Items[] out = new Items[numbers.length];
        for (int k = 0; k < out.length; k++) out[k] = new Items();
        for (int k = 0; k < r.length; k++) {
            if (!(r[k] instanceof FetchResponse f)) continue;
            Integer at = index.get(f.getNumber());
            if (at == null) continue; // another message's (a flag change by another session)
            Items it = out[at];
            UID uid = f.getItem(UID.class);
            if (uid != null) it.uid = uid.uid;
            FLAGS flags = f.getItem(FLAGS.class);
            if (flags != null) it.flags = flags;
            BODY body = f.getItem(BODY.class);
            if (body != null && !body.isHeader() && body.getByteArray() != null) {
                it.bytes = body.getByteArray();
                r[k] = null; // ours: the bytes are not for the folder's handlers
            }
        }
        return out;
    }

    /** The message as the Unibox takes it: parsed from its bytes, with bounce and auto-reply detection. */
    static InboundMessage read(Session session, byte[] bytes, int offset, int length) throws MessagingException {
        MimeMessage local;
        try {
            local = new MimeMessage(session, MimeContent.localStream(bytes, offset, length));
        } catch (RuntimeException e) {
            MimeContent.failIfUnavailable(e);
            throw e;
        }
        return toInbound(local);
    }

    /** The message as the Unibox takes it: parsed from a local copy of its bytes, with bounce and auto-reply detection. */
    static InboundMessage read(Session session, Message m) throws MessagingException {
        var bytes = new ByteArrayOutputStream(16 * 1024);
        try {
            m.writeTo(bytes);
        } catch (java.io.IOException e) {
            throw new MessagingException("reading the message failed", e);
        } catch (RuntimeException e) {
            MimeContent.failIfUnavailable(e);
            throw e;
        }
        return read(session, bytes.toByteArray(), 0, bytes.size());
    }

    static InboundMessage toInbound(MimeMessage local) {
        // parse and the three checks look at the same headers and parts: each is read once
        return MimeContent.memoized(() -> inbound(local));
    }

    private static InboundMessage inbound(MimeMessage local) {
        MimeContent.Parsed p = MimeContent.parse(local);
        var bounce = BounceParser.parse(local, p).map(b -> new InboundMessage.Bounce(b.recipient(), b.status(), b.hard(), b.diagnostic(),
                b.originalMessageId())).orElse(null);
        return new InboundMessage(p.messageId(), p.inReplyTo(), p.references(), p.subject(), p.from(), p.fromName(), p.to(), p.cc(),
                p.date(), p.text(), p.html(), p.attachments().stream()
                        .map(a -> new InboundMessage.Attachment(a.filename(), a.contentType(), a.size())).toList(),
                p.headers(), bounce, BounceParser.isAutoReply(local), BounceParser.isSystemMail(local));
    }

    private static Long uidNext(UIDFolder f) {
        try {
            long n = f.getUIDNext();
            return n > 0 ? n : null;
        } catch (MessagingException | RuntimeException e) {
            return null;
        }
    }

    private static Properties properties(ImapLogin login) {
        var p = new Properties();
        for (String proto : List.of("imap", "imaps")) {
            p.put("mail." + proto + ".connectiontimeout", "15000");
            p.put("mail." + proto + ".timeout", "60000");
            p.put("mail." + proto + ".fetchsize", "1048576");
        }
        if (login.security().equals("starttls")) p.put("mail.imap.starttls.required", "true");
        if (login.security().equals("ssl")) p.put("mail.imaps.ssl.checkserveridentity", "true");
        return p;
    }

    private static String abbreviate(String s) {
        return s == null ? null : s.length() > 500 ? s.substring(0, 500) : s;
    }

    /** What the debug endpoint shows of a workspace's mailboxes. */
    List<SyncLeases.MailboxState> mailboxStates(long ws) {
        return leases.mailboxes(ws);
    }

    List<SyncLeases.FolderState> folderStates(long ws, String mailboxId) {
        return leases.folders(ws, mailboxId);
    }
}
