package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.outreach2day.delivery.OutgoingMessage.Spec;
import dev.outreach2day.delivery.TransportPool.SmtpSettings;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.james.jdkim.DKIMVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pool against GreenMail (SMTP with AUTH), reached through a small TCP proxy that counts
 * connections, so "one kept-open transport per mailbox" is measured, not assumed.
 */
class TransportPoolTest {

    static final String PASSWORD = "s3cret-pw";
    static final Session BUILD_SESSION = Session.getInstance(new Properties());

    GreenMail greenMail;
    CountingProxy proxy;
    TransportPool pool;
    final AtomicLong clock = new AtomicLong(1_000_000_000L);

    @BeforeEach
    void start() throws IOException {
        greenMail = startGreenMail();
        proxy = new CountingProxy(greenMail.getSmtp().getPort());
        pool = new TransportPool(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMinutes(5), new Properties(),
                clock::get);
    }

    @AfterEach
    void stop() {
        pool.close();
        proxy.close();
        greenMail.stop();
    }

    static GreenMail startGreenMail() {
        GreenMail gm = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        gm.start();
        for (int i = 0; i < 4; i++) {
            gm.setUser(sender(i), sender(i), PASSWORD);
        }
        return gm;
    }

    static String sender(int i) {
        return "sender" + i + "@outreach.test";
    }

    SmtpSettings settings(int mailbox) {
        return new SmtpSettings("127.0.0.1", proxy.port(), "none", sender(mailbox), PASSWORD);
    }

    static MimeMessage message(int mailbox, String id) throws MessagingException {
        return OutgoingMessage.build(BUILD_SESSION, new Spec(sender(mailbox), "Sender " + mailbox, "lead@prospect.test",
                null, "Hello " + id, "Body of " + id, null, "<" + id + "@outreach.test>", null, null, null, null, null));
    }

    static Address[] to() throws MessagingException {
        return new Address[] {new InternetAddress("lead@prospect.test")};
    }

    static List<String> receivedIds(GreenMail gm) throws MessagingException {
        List<String> ids = new ArrayList<>();
        for (MimeMessage m : gm.getReceivedMessages()) {
            ids.add(m.getMessageID());
        }
        return ids;
    }

    @Test
    void aHundredMessagesOverOneMailboxUseOneConnection() throws Exception {
        for (int i = 0; i < 100; i++) {
            pool.send("mbx-0", settings(0), message(0, "m" + i), to());
        }
        assertThat(greenMail.waitForIncomingEmail(10_000, 100)).isTrue();
        assertThat(receivedIds(greenMail)).hasSize(100).doesNotHaveDuplicates().contains("<m0@outreach.test>", "<m99@outreach.test>");
        assertThat(proxy.accepted()).isEqualTo(1);
        assertThat(pool.openCount()).isEqualTo(1);

        // EHLO with the mailbox's domain, AUTH done, and the password never in clear on the wire
        String client = proxy.clientBytes(0);
        assertThat(client).startsWith("EHLO outreach.test\r\n").contains("AUTH ");
        assertThat(client).doesNotContain(PASSWORD);
    }

    @Test
    void anExplicitEhloNameIsUsed() throws Exception {
        SmtpSettings s = new SmtpSettings("127.0.0.1", proxy.port(), "none", sender(1), PASSWORD, "mail.outreach.test");
        pool.send("mbx-1", s, message(1, "ehlo"), to());
        assertThat(proxy.clientBytes(0)).startsWith("EHLO mail.outreach.test\r\n");
    }

    @Test
    void aServerRestartBetweenSendsReconnectsAndTheNextSendSucceeds() throws Exception {
        pool.send("mbx-0", settings(0), message(0, "before"), to());
        assertThat(greenMail.waitForIncomingEmail(5_000, 1)).isTrue();

        greenMail.stop(); // drops the kept-open connection
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.active() == 0);
        greenMail = startGreenMail();
        proxy.retarget(greenMail.getSmtp().getPort());

        pool.send("mbx-0", settings(0), message(0, "after"), to());
        assertThat(greenMail.waitForIncomingEmail(5_000, 1)).isTrue();
        assertThat(receivedIds(greenMail)).containsExactly("<after@outreach.test>");
        assertThat(proxy.accepted()).isEqualTo(2);
    }

    @Test
    void aSendFailingOnABrokenConnectionDropsTheTransportAndTheNextSendReconnects() throws Exception {
        pool.send("mbx-0", settings(0), message(0, "one"), to());
        proxy.cutAll(); // the connection dies without a goodbye
        pool.send("mbx-0", settings(0), message(0, "two"), to()); // NOOP fails → reconnect
        assertThat(greenMail.waitForIncomingEmail(5_000, 2)).isTrue();
        assertThat(proxy.accepted()).isEqualTo(2);

        // The server vanishes entirely: the send fails at the connection level → Deferred(mailboxProblem)
        proxy.cutAll();
        proxy.retarget(unusedPort());
        assertThatThrownBy(() -> pool.send("mbx-0", settings(0), message(0, "three"), to()))
                .isInstanceOfSatisfying(MessagingException.class, e -> assertThat(SmtpOutcome.classify(e))
                        .isInstanceOfSatisfying(SmtpOutcome.Deferred.class, d -> assertThat(d.mailboxProblem()).isTrue()));
        assertThat(pool.openCount()).isZero();

        proxy.retarget(greenMail.getSmtp().getPort());
        pool.send("mbx-0", settings(0), message(0, "four"), to());
        assertThat(greenMail.waitForIncomingEmail(5_000, 3)).isTrue();
    }

    @Test
    void aWrongPasswordIsAnAuthenticationFailureAndAMailboxProblem() throws Exception {
        SmtpSettings wrong = new SmtpSettings("127.0.0.1", proxy.port(), "none", sender(2), "not-the-password");
        assertThatThrownBy(() -> pool.send("mbx-2", wrong, message(2, "x"), to()))
                .isInstanceOfSatisfying(AuthenticationFailedException.class, e -> {
                    assertThat(SmtpOutcome.classify(e)).isInstanceOfSatisfying(SmtpOutcome.Failed.class,
                            f -> assertThat(f.mailboxProblem()).isTrue());
                    assertThat(e.getMessage()).doesNotContain("not-the-password");
                });
        assertThat(pool.openCount()).isZero();
        assertThat(greenMail.getReceivedMessages()).isEmpty();

        // fixed settings: the next send connects with them
        pool.send("mbx-2", settings(2), message(2, "y"), to());
        assertThat(greenMail.waitForIncomingEmail(5_000, 1)).isTrue();
    }

    @Test
    void changedSettingsReconnect() throws Exception {
        pool.send("mbx-3", settings(3), message(3, "a"), to());
        SmtpSettings other = new SmtpSettings("127.0.0.1", proxy.port(), "none", sender(3), PASSWORD, "other.outreach.test");
        pool.send("mbx-3", other, message(3, "b"), to());
        assertThat(proxy.accepted()).isEqualTo(2);
        assertThat(pool.openCount()).isEqualTo(1);
    }

    @Test
    void fourMailboxesFromEightThreadsDeliverEveryMessageExactlyOnce() throws Exception {
        List<String> expected = new CopyOnWriteArrayList<>();
        List<Future<?>> futures = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            for (int j = 0; j < 25; j++) {
                for (int mailbox = 0; mailbox < 4; mailbox++) {
                    int mb = mailbox;
                    String id = "c" + mb + "-" + j + "-" + UUID.randomUUID();
                    expected.add("<" + id + "@outreach.test>");
                    futures.add(threads.submit(() -> {
                        MimeMessage m = message(mb, id);
                        pool.send("mbx-" + mb, settings(mb), m, to());
                        return null;
                    }));
                }
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(greenMail.waitForIncomingEmail(10_000, 100)).isTrue();
        List<String> received = receivedIds(greenMail);
        assertThat(received).hasSize(100).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        // one connection per mailbox: each mailbox's sends were serial on its own transport
        assertThat(proxy.accepted()).isEqualTo(4);
        assertThat(pool.openCount()).isEqualTo(4);
        for (int mb = 0; mb < 4; mb++) {
            int count = 0;
            for (MimeMessage m : greenMail.getReceivedMessages()) {
                if (((InternetAddress) m.getFrom()[0]).getAddress().equals(sender(mb))) {
                    count++;
                }
            }
            assertThat(count).as("messages from mailbox %d", mb).isEqualTo(25);
        }
    }

    @Test
    void theIdleSweepClosesTransportsIdleLongerThanIdleClose() throws Exception {
        pool.send("mbx-0", settings(0), message(0, "a"), to());
        pool.send("mbx-1", settings(1), message(1, "b"), to());
        assertThat(pool.openCount()).isEqualTo(2);

        clock.addAndGet(Duration.ofMinutes(4).toNanos());
        pool.send("mbx-1", settings(1), message(1, "c"), to()); // mbx-1 stays fresh
        assertThat(pool.closeIdle()).isZero();

        clock.addAndGet(Duration.ofMinutes(2).toNanos()); // mbx-0 idle 6 min, mbx-1 idle 2 min
        assertThat(pool.closeIdle()).isEqualTo(1);
        assertThat(pool.openCount()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.active() == 1); // QUIT sent, socket closed
        assertThat(proxy.clientBytes(0)).endsWith("QUIT\r\n");

        clock.addAndGet(Duration.ofMinutes(10).toNanos());
        assertThat(pool.closeIdle()).isEqualTo(1);
        assertThat(pool.openCount()).isZero();

        pool.send("mbx-0", settings(0), message(0, "d"), to()); // reconnects on demand
        assertThat(proxy.accepted()).isEqualTo(3);
        assertThat(greenMail.waitForIncomingEmail(5_000, 4)).isTrue();
    }

    @Test
    void resetClosesTheTransportAndTheNextSendReconnects() throws Exception {
        pool.send("mbx-0", settings(0), message(0, "a"), to());
        pool.reset("mbx-0");
        pool.reset("never-used");
        assertThat(pool.openCount()).isZero();
        pool.send("mbx-0", settings(0), message(0, "b"), to());
        assertThat(proxy.accepted()).isEqualTo(2);
    }

    @Test
    void closeClosesEverythingAndRefusesLaterSends() throws Exception {
        pool.send("mbx-0", settings(0), message(0, "a"), to());
        pool.send("mbx-1", settings(1), message(1, "b"), to());
        pool.close();
        assertThat(pool.openCount()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.active() == 0);
        assertThatThrownBy(() -> pool.send("mbx-0", settings(0), message(0, "c"), to()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSignedMessageSentThroughThePoolStillVerifies() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        var kp = g.generateKeyPair();
        String record = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(kp.getPublic().getEncoded());
        MimeMessage signed = OutgoingMessage.sign(message(0, "signed"), "outreach.test", "s1", (RSAPrivateKey) kp.getPrivate());

        pool.send("mbx-0", settings(0), signed, to());
        assertThat(greenMail.waitForIncomingEmail(5_000, 1)).isTrue();
        MimeMessage received = greenMail.getReceivedMessages()[0];
        assertThat(received.getMessageID()).isEqualTo("<signed@outreach.test>");
        assertThat(new DKIMVerifier((m, s, t) -> List.of(record))
                .verify(new ByteArrayInputStream(OutgoingMessage.bytes(received)))).hasSize(1);
    }

    @Test
    void settingsNeverPrintThePassword() {
        assertThat(settings(0).toString()).doesNotContain(PASSWORD).contains("***");
        assertThatThrownBy(() -> new SmtpSettings("h", 25, "tls13", "u", "p")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new SmtpSettings("h", 25, "STARTTLS", "u", "p").security()).isEqualTo("starttls");
    }

    static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A loopback TCP proxy that counts the connections it accepts and records what clients send. */
    static final class CountingProxy implements AutoCloseable {
        private final ServerSocket server;
        private volatile int targetPort;
        private final AtomicInteger accepted = new AtomicInteger();
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private final List<ByteArrayOutputStream> clientBytes = new CopyOnWriteArrayList<>();
        private final ConcurrentLinkedQueue<Socket> all = new ConcurrentLinkedQueue<>();
        private final AtomicInteger active = new AtomicInteger();

        CountingProxy(int targetPort) throws IOException {
            this.targetPort = targetPort;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofPlatform().daemon().name("smtp-proxy-accept").start(this::acceptLoop);
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        int active() {
            return active.get();
        }

        void retarget(int port) {
            targetPort = port;
        }

        String clientBytes(int connection) {
            ByteArrayOutputStream b = clientBytes.get(connection);
            synchronized (b) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
        }

        /** Kills every proxied connection abruptly. */
        void cutAll() {
            for (Socket s : new HashSet<>(open)) {
                closeQuietly(s);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> active.get() == 0);
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    return;
                }
                accepted.incrementAndGet();
                ByteArrayOutputStream record = new ByteArrayOutputStream();
                clientBytes.add(record);
                Socket upstream;
                try {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                } catch (IOException e) {
                    closeQuietly(client);
                    continue;
                }
                active.incrementAndGet();
                open.add(client);
                open.add(upstream);
                all.add(client);
                all.add(upstream);
                AtomicInteger pipes = new AtomicInteger(2);
                Runnable done = () -> {
                    if (pipes.decrementAndGet() == 0) {
                        active.decrementAndGet();
                    }
                };
                Thread.ofVirtual().start(() -> pipe(client, upstream, record, done));
                Thread.ofVirtual().start(() -> pipe(upstream, client, null, done));
            }
        }

        private void pipe(Socket from, Socket to, ByteArrayOutputStream record, Runnable done) {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (record != null) {
                        synchronized (record) {
                            record.write(buf, 0, n);
                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // one side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
                done.run();
            }
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
            for (Socket s : all) {
                closeQuietly(s);
            }
        }
    }
}
