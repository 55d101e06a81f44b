package dev.outreach2day.platform;

import jakarta.mail.Session;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Jakarta Mail sessions, one per distinct set of properties, made once and shared (a {@link
 * Session} is safe to share: each {@code getTransport}/{@code getStore} is its own connection).
 *
 * <p>Why not {@code Session.getInstance} at each use: every new session reads the mail provider
 * list and address map from the class path again (ServiceLoader, {@code META-INF/javamail.*}). On
 * virtual threads run from the Spring Boot fat jar, many of those reads at once froze the whole
 * server: readers waiting for the nested jar's lock held both carrier threads while the lock's
 * holder, parked on the jar file's inner lock, waited for a carrier (thread dump in ADR 0010; the
 * same pattern as spring-boot#51463). So a session is read from the class path once per property
 * set, and always on a platform thread: a virtual thread that needs a new one waits for it
 * without holding a carrier.
 */
public final class MailSessions {

    /** Distinct property sets kept; more than this (mailbox servers with one-off settings) starts the cache anew. */
    private static final int MAX_SESSIONS = 1024;

    private static final Map<Map<Object, Object>, Session> SESSIONS = new ConcurrentHashMap<>();

    private static final ExecutorService MAKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mail-sessions");
        t.setDaemon(true);
        return t;
    });

    private MailSessions() {}

    /** The shared session with exactly these properties (copied: later changes to {@code props} do not reach it). */
    public static Session of(Properties props) {
        Map<Object, Object> key = Map.copyOf(props);
        Session session = SESSIONS.get(key);
        if (session != null) return session;
        Session made = make(key);
        if (SESSIONS.size() >= MAX_SESSIONS) SESSIONS.clear();
        session = SESSIONS.putIfAbsent(key, made);
        return session == null ? made : session;
    }

    /** A session without properties: for building and parsing messages. */
    public static Session plain() {
        return of(new Properties());
    }

    private static Session make(Map<Object, Object> key) {
        var copy = new Properties();
        copy.putAll(key);
        if (!Thread.currentThread().isVirtual()) return Session.getInstance(copy);
        try {
            return MAKER.submit(() -> Session.getInstance(copy)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making a mail session", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
