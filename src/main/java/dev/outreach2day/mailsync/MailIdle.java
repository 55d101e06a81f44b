package dev.outreach2day.mailsync;

import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.mailbox.Mailboxes.SyncTarget;
import dev.outreach2day.platform.MailSessions;
import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.event.MessageCountAdapter;
import jakarta.mail.event.MessageCountEvent;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * IMAP IDLE where the server offers it: one process at a time (a renewed lease in the database)
 * keeps a connection to each mailbox's INBOX in IDLE; when the server announces new mail the
 * mailbox is synced right away instead of at its next poll. A server without IDLE is remembered
 * and left to polling. IDLE is re-issued every {@value #REISSUE_MINUTES} minutes (RFC 2177 asks
 * for less than 29), and a broken connection is dropped and opened again by the next round.
 */
@Component
class MailIdle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MailIdle.class);
    static final int REISSUE_MINUTES = 10;
    private static final Duration WATCH_LEASE = Duration.ofMinutes(2);

    private final Mailboxes mailboxes;
    private final MailSync sync;
    private final SyncLeases leases;
    private final SyncProperties props;
    private final Clock clock;
    private final String node;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private volatile boolean running;

    MailIdle(Mailboxes mailboxes, MailSync sync, SyncLeases leases, SyncProperties props, Clock clock) {
        this.mailboxes = mailboxes;
        this.sync = sync;
        this.leases = leases;
        this.props = props;
        this.clock = clock;
        this.node = (props.nodeId() == null || props.nodeId().isBlank() ? ManagementFactory.getRuntimeMXBean().getName() : props.nodeId())
                + ":idle";
    }

    /** One connection in IDLE on a mailbox's INBOX, on its own virtual thread. */
    private final class Watch {
        final SyncTarget target;
        final Thread thread;
        volatile IMAPStore store;
        volatile IMAPFolder inbox;
        volatile Instant idleSince = Instant.now();
        volatile boolean stopped;

        Watch(SyncTarget target) {
            this.target = target;
            this.thread = Thread.ofVirtual().name("idle-" + target.mailboxId()).unstarted(this::run);
        }

        void run() {
            try {
                var login = mailboxes.imapLogin(target.workspaceId(), target.mailboxId()).orElse(null);
                if (login == null) return;
                var p = new Properties();
                p.put("mail.imap.connectiontimeout", "15000");
                p.put("mail.imaps.connectiontimeout", "15000");
                if (login.security().equals("starttls")) p.put("mail.imap.starttls.required", "true");
                store = (IMAPStore) MailSessions.of(p).getStore(login.security().equals("ssl") ? "imaps" : "imap");
                store.connect(login.host(), login.port(), login.username(), login.password());
                if (!store.hasCapability("IDLE")) {
                    leases.setIdle(target.workspaceId(), target.mailboxId(), false);
                    log.info("{} does not offer IMAP IDLE: polled every {}", target.address(), props.interval());
                    return;
                }
                leases.setIdle(target.workspaceId(), target.mailboxId(), true);
                inbox = (IMAPFolder) store.getFolder("INBOX");
                inbox.addMessageCountListener(new MessageCountAdapter() {
                    @Override
                    public void messagesAdded(MessageCountEvent e) {
                        newMail();
                    }
                });
                inbox.open(Folder.READ_ONLY);
                while (!stopped && running) {
                    idleSince = Instant.now();
                    inbox.idle(); // returns when another call on the folder (the re-issue) or closing ends it
                }
            } catch (MessagingException | RuntimeException e) {
                if (!stopped) log.info("IDLE on {} ended: {}", target.address(), e.getMessage());
            } finally {
                close();
                watches.remove(key(target), this);
                leases.unwatch(target.workspaceId(), target.mailboxId(), node);
            }
        }

        /** The server announced mail: the mailbox is due now, and synced on a thread of its own. */
        void newMail() {
            leases.dueNow(target.workspaceId(), target.mailboxId(), clock.instant());
            Thread.ofVirtual().name("idle-sync-" + target.mailboxId()).start(() -> {
                try {
                    sync.sync(target, false);
                } catch (RuntimeException e) {
                    log.info("Sync after IDLE of {} failed: {}", target.address(), e.getMessage());
                }
            });
        }

        /** Ends the current IDLE (any command on the folder does) so the loop issues a fresh one. */
        void reissue() {
            var f = inbox;
            if (f == null) return;
            try {
                f.getMessageCount();
            } catch (MessagingException | RuntimeException e) {
                stop();
            }
        }

        void stop() {
            stopped = true;
            close();
        }

        private void close() {
            try {
                var s = store;
                if (s != null) s.close();
            } catch (MessagingException | RuntimeException ignored) {
                // closing a broken connection
            }
        }
    }

    @Scheduled(initialDelayString = "PT15S", fixedDelayString = "PT15S")
    void tick() {
        if (!props.enabled() || !running) return;
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("IDLE round failed: {}", e.getMessage(), e);
        }
    }

    /** Starts IDLE for mailboxes nobody watches, renews this process's watches, and stops the ones no longer wanted. */
    void refresh() {
        Instant now = clock.instant();
        var wanted = new HashSet<String>();
        for (SyncTarget t : mailboxes.syncTargets()) {
            String k = key(t);
            wanted.add(k);
            Watch w = watches.get(k);
            if (w != null) {
                if (!leases.watch(t.workspaceId(), t.mailboxId(), node, now, now.plus(WATCH_LEASE))) {
                    w.stop(); // another process took it over
                } else if (Duration.between(w.idleSince, Instant.now()).toMinutes() >= REISSUE_MINUTES) {
                    w.reissue();
                }
                continue;
            }
            watch(t);
        }
        for (var e : watches.entrySet()) {
            if (!wanted.contains(e.getKey())) e.getValue().stop(); // deleted or no longer active
        }
    }

    /** Starts IDLE on the mailbox when nobody watches it yet; true when this process watches it now. */
    boolean watch(SyncTarget t) {
        if (watches.containsKey(key(t))) return true;
        Instant now = clock.instant();
        if (!leases.watch(t.workspaceId(), t.mailboxId(), node, now, now.plus(WATCH_LEASE))) return false;
        var w = new Watch(t);
        if (watches.putIfAbsent(key(t), w) != null) return true;
        w.thread.start();
        return true;
    }

    /** Mailboxes this process holds in IDLE right now. */
    int watching() {
        return watches.size();
    }

    private static String key(SyncTarget t) {
        return t.workspaceId() + ":" + t.mailboxId();
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        watches.values().forEach(Watch::stop);
        watches.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return 100; // after the mail server starts, before it stops
    }
}
