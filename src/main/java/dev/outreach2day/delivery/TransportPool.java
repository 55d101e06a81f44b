package dev.outreach2day.delivery;

import dev.outreach2day.platform.MailSessions;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.IDN;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One kept-open SMTP {@link Transport} per mailbox.
 *
 * <p>A mailbox sends serially (a lock per mailbox: one thread uses its transport at a time);
 * different mailboxes send in parallel. Before each send the transport is checked with {@code
 * isConnected()} (an SMTP NOOP) and reconnected when it is closed or broken; a send that fails
 * at the connection level (or with 503 / 421 / an auth failure: anything {@link SmtpOutcome}
 * calls a mailbox problem) closes and drops the transport so the next send reconnects. Messages
 * go out with {@code transport.sendMessage}, never {@code Transport.send}, so DKIM-signed bytes
 * and the Message-ID are not touched.
 *
 * <p>{@link #closeIdle()} (the caller schedules it) closes transports idle longer than {@code
 * idleClose}; {@link #close()} closes everything. Passwords never reach a log line or a
 * {@code toString()}, and Jakarta Mail debugging is off.
 */
final class TransportPool implements AutoCloseable {

    /**
     * How to reach a mailbox's SMTP server. {@code security}: {@code ssl} (implicit TLS, port
     * 465), {@code starttls} (required), or {@code none}. {@code ehloName} null = the domain of
     * {@code username} when it is an address, else the domain of the message's From.
     */
    record SmtpSettings(String host, int port, String security, String username, String password, String ehloName) {

        SmtpSettings(String host, int port, String security, String username, String password) {
            this(host, port, security, username, password, null);
        }

        SmtpSettings {
            Objects.requireNonNull(host, "host");
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            security = security == null ? "starttls" : security.strip().toLowerCase(Locale.ROOT);
            if (!security.equals("ssl") && !security.equals("starttls") && !security.equals("none")) {
                throw new IllegalArgumentException("security must be ssl, starttls or none: " + security);
            }
        }

        @Override
        public String toString() {
            return "SmtpSettings[host=" + host + ", port=" + port + ", security=" + security + ", username=" + username
                    + ", password=" + (password == null ? "null" : "***") + ", ehloName=" + ehloName + "]";
        }
    }

    private static final Logger log = LoggerFactory.getLogger(TransportPool.class);

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration idleClose;
    private final Properties extraProperties;
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService writeTimeouts;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private volatile boolean closed;

    TransportPool(Duration connectTimeout, Duration readTimeout, Duration idleClose) {
        this(connectTimeout, readTimeout, idleClose, new Properties(), System::nanoTime);
    }

    /** Tests: extra session properties (e.g. trusting a test certificate) and a clock for idleness. */
    TransportPool(Duration connectTimeout, Duration readTimeout, Duration idleClose, Properties extraProperties,
            LongSupplier nanoTime) {
        this.connectTimeout = positive(connectTimeout, "connectTimeout");
        this.readTimeout = positive(readTimeout, "readTimeout");
        this.idleClose = positive(idleClose, "idleClose");
        this.extraProperties = extraProperties;
        this.nanoTime = nanoTime;
        // One shared thread enforces write timeouts for every connection (Angus would otherwise
        // start a thread per socket).
        this.writeTimeouts = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "smtp-write-timeout");
            t.setDaemon(true);
            return t;
        });
    }

    /** Per mailbox: the lock that serialises its sends, and its transport when open. */
    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        Transport transport; // guarded by lock
        SmtpSettings settings; // guarded by lock
        volatile long lastUsed;
        boolean retired; // guarded by lock; a retired entry is out of the map

        Entry(long now) {
            this.lastUsed = now;
        }
    }

    /**
     * Sends {@code message} as it is to {@code recipients} over the mailbox's transport, opening
     * or reopening it when needed ({@code recipients} null = the message's To/Cc/Bcc). Failures
     * are thrown unchanged for {@link SmtpOutcome#classify}.
     */
    void send(String mailboxKey, SmtpSettings settings, MimeMessage message, Address[] recipients)
            throws MessagingException {
        Objects.requireNonNull(mailboxKey, "mailboxKey");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(message, "message");
        while (true) {
            Entry entry = entries.computeIfAbsent(mailboxKey, k -> new Entry(nanoTime.getAsLong()));
            entry.lock.lock();
            try {
                if (entry.retired) {
                    continue; // swept while we waited: take the fresh entry
                }
                if (closed) {
                    throw new IllegalStateException("transport pool is closed");
                }
                sendLocked(mailboxKey, entry, settings, message, recipients);
                return;
            } finally {
                entry.lock.unlock();
            }
        }
    }

    private void sendLocked(String key, Entry entry, SmtpSettings settings, MimeMessage message, Address[] recipients)
            throws MessagingException {
        if (entry.transport != null && !settings.equals(entry.settings)) {
            log.debug("SMTP settings of mailbox {} changed: reconnecting", key);
            closeTransport(entry);
        }
        if (entry.transport != null && !entry.transport.isConnected()) {
            log.debug("SMTP transport of mailbox {} is no longer connected: reconnecting", key);
            closeTransport(entry);
        }
        if (entry.transport == null) {
            entry.transport = connect(settings, message);
            entry.settings = settings;
        }
        entry.lastUsed = nanoTime.getAsLong();
        try {
            entry.transport.sendMessage(message, recipients != null ? recipients : message.getAllRecipients());
        } catch (MessagingException | RuntimeException e) {
            if (dropsTransport(e)) {
                log.debug("dropping SMTP transport of mailbox {} after {}", key, e.getClass().getSimpleName());
                closeTransport(entry);
            }
            throw e;
        } finally {
            entry.lastUsed = nanoTime.getAsLong();
        }
    }

    private static boolean dropsTransport(Exception e) {
        if (e instanceof RuntimeException) {
            return true;
        }
        return switch (SmtpOutcome.classify(e)) {
            case SmtpOutcome.Deferred d -> d.mailboxProblem();
            case SmtpOutcome.Failed f -> f.mailboxProblem();
            default -> false;
        };
    }

    /** Closes the mailbox's transport (QUIT) so the next send connects afresh. */
    void reset(String mailboxKey) {
        Entry entry = entries.get(mailboxKey);
        if (entry == null) {
            return;
        }
        entry.lock.lock();
        try {
            closeTransport(entry);
        } finally {
            entry.lock.unlock();
        }
    }

    /**
     * Closes transports unused for longer than {@code idleClose} and forgets their mailboxes.
     * Mailboxes busy sending are skipped. Returns how many transports were closed.
     */
    int closeIdle() {
        long now = nanoTime.getAsLong();
        long limit = idleClose.toNanos();
        int closedCount = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry entry = e.getValue();
            if (now - entry.lastUsed <= limit || !entry.lock.tryLock()) {
                continue;
            }
            try {
                if (entry.retired || now - entry.lastUsed <= limit) {
                    continue;
                }
                if (entry.transport != null) {
                    closeTransport(entry);
                    closedCount++;
                }
                entry.retired = true;
                entries.remove(e.getKey(), entry);
            } finally {
                entry.lock.unlock();
            }
        }
        return closedCount;
    }

    /** Number of transports currently open (not checked with the server). */
    int openCount() {
        int n = 0;
        for (Entry entry : entries.values()) {
            entry.lock.lock();
            try {
                if (entry.transport != null) {
                    n++;
                }
            } finally {
                entry.lock.unlock();
            }
        }
        return n;
    }

    /** Closes every transport, waiting for sends in progress. Later sends fail. */
    @Override
    public void close() {
        closed = true;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry entry = e.getValue();
            entry.lock.lock();
            try {
                closeTransport(entry);
                entry.retired = true;
                entries.remove(e.getKey(), entry);
            } finally {
                entry.lock.unlock();
            }
        }
        writeTimeouts.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------

    private Transport connect(SmtpSettings s, MimeMessage message) throws MessagingException {
        boolean ssl = s.security().equals("ssl");
        String protocol = ssl ? "smtps" : "smtp";
        Session session = MailSessions.of(properties(protocol, s, message));
        Transport transport = session.getTransport(protocol);
        try {
            if (s.username() != null && !s.username().isEmpty()) {
                transport.connect(s.host(), s.port(), s.username(), s.password());
            } else {
                transport.connect(s.host(), s.port(), null, null);
            }
        } catch (MessagingException | RuntimeException e) {
            try {
                transport.close();
            } catch (MessagingException ignored) {
                // nothing to close
            }
            throw e;
        }
        return transport;
    }

    private Properties properties(String protocol, SmtpSettings s, MimeMessage message) {
        String p = "mail." + protocol + ".";
        Properties props = new Properties();
        props.put("mail.debug", "false");
        props.put("mail.debug.auth", "false");
        props.put("mail.debug.auth.username", "false");
        props.put("mail.debug.auth.password", "false");
        props.put(p + "host", s.host());
        props.put(p + "port", Integer.toString(s.port()));
        props.put(p + "auth", Boolean.toString(s.username() != null && !s.username().isEmpty()));
        props.put(p + "connectiontimeout", Long.toString(connectTimeout.toMillis()));
        props.put(p + "timeout", Long.toString(readTimeout.toMillis()));
        props.put(p + "writetimeout", Long.toString(readTimeout.toMillis()));
        props.put(p + "executor.writetimeout", writeTimeouts);
        props.put(p + "quitwait", "false");
        // Never let the transport rewrite a (signed) message into 8bit.
        props.put(p + "allow8bitmime", "false");
        props.put(p + "sendpartial", "false");
        switch (s.security()) {
            case "starttls" -> {
                props.put(p + "starttls.enable", "true");
                props.put(p + "starttls.required", "true");
                props.put(p + "ssl.checkserveridentity", "true");
            }
            case "ssl" -> {
                props.put(p + "ssl.enable", "true");
                props.put(p + "ssl.checkserveridentity", "true");
            }
            default -> {
                props.put(p + "starttls.enable", "false");
            }
        }
        String ehlo = ehloName(s, message);
        if (ehlo != null) {
            props.put(p + "localhost", ehlo);
        }
        props.putAll(extraProperties);
        return props;
    }

    private static String ehloName(SmtpSettings s, MimeMessage message) {
        if (s.ehloName() != null && !s.ehloName().isBlank()) {
            return s.ehloName().strip();
        }
        String domain = domainOf(s.username());
        if (domain == null) {
            try {
                Address[] from = message.getFrom();
                if (from != null && from.length > 0 && from[0] instanceof InternetAddress ia) {
                    domain = domainOf(ia.getAddress());
                }
            } catch (MessagingException ignored) {
                // no usable From: let Angus use the local host name
            }
        }
        return domain;
    }

    private static String domainOf(String address) {
        if (address == null) {
            return null;
        }
        int at = address.lastIndexOf('@');
        if (at < 0 || at == address.length() - 1) {
            return null;
        }
        String domain = address.substring(at + 1).strip();
        try {
            return IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void closeTransport(Entry entry) {
        Transport t = entry.transport;
        entry.transport = null;
        entry.settings = null;
        if (t != null) {
            try {
                t.close();
            } catch (MessagingException | RuntimeException e) {
                log.debug("closing an SMTP transport failed: {}", e.getClass().getSimpleName());
            }
        }
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d;
    }
}
