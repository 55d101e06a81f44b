package dev.outreach2day.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.outreach2day.mailbox.MailLoginVerifier.Result;
import dev.outreach2day.mailbox.MailLoginVerifier.Security;
import dev.outreach2day.mailbox.MailLoginVerifier.ServerSettings;
import dev.outreach2day.mailbox.MailLoginVerifier.SideResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real logins against GreenMail as the "foreign" provider, plus tiny scripted servers for the odd cases. */
class MailLoginVerifierTest {

    static final String USER = "alice@example.test";
    static final String PASSWORD = "correct-horse-battery";
    static final String SPECIAL_USER = "bob@example.test";
    static final String SPECIAL_PASSWORD = "p@ss:w\"rd;é";
    static final String CYRILLIC_USER = "ivan@example.test";
    static final String CYRILLIC_PASSWORD = "пароль ✓ 密码";
    static final String WRONG_PASSWORD = "Wr0ng-Pa55word!";
    static final String LOCALHOST = "127.0.0.1";

    static GreenMail greenMail;
    static int smtpPort, imapPort, smtpsPort, imapsPort;

    /** Short timeouts, certificates validated (as in production). */
    final MailLoginVerifier verifier = new MailLoginVerifier(Duration.ofSeconds(2), Duration.ofSeconds(2), false);
    /** Short timeouts, GreenMail's self-signed certificate accepted. */
    final MailLoginVerifier trusting = new MailLoginVerifier(Duration.ofSeconds(2), Duration.ofSeconds(2), true);

    @BeforeAll
    static void startGreenMail() {
        greenMail = new GreenMail(new ServerSetup[] {
            new ServerSetup(0, LOCALHOST, ServerSetup.PROTOCOL_SMTP).dynamicPort(),
            new ServerSetup(0, LOCALHOST, ServerSetup.PROTOCOL_IMAP).dynamicPort(),
            new ServerSetup(0, LOCALHOST, ServerSetup.PROTOCOL_SMTPS).dynamicPort(),
            new ServerSetup(0, LOCALHOST, ServerSetup.PROTOCOL_IMAPS).dynamicPort(),
        });
        greenMail.start();
        greenMail.setUser(USER, USER, PASSWORD);
        greenMail.setUser(SPECIAL_USER, SPECIAL_USER, SPECIAL_PASSWORD);
        greenMail.setUser(CYRILLIC_USER, CYRILLIC_USER, CYRILLIC_PASSWORD);
        smtpPort = greenMail.getSmtp().getPort();
        imapPort = greenMail.getImap().getPort();
        smtpsPort = greenMail.getSmtps().getPort();
        imapsPort = greenMail.getImaps().getPort();
    }

    @AfterAll
    static void stopGreenMail() {
        greenMail.stop();
    }

    static ServerSettings smtp(String password) {
        return new ServerSettings(LOCALHOST, smtpPort, Security.none, USER, password);
    }

    static ServerSettings imap(String password) {
        return new ServerSettings(LOCALHOST, imapPort, Security.none, USER, password);
    }

    // ---------------------------------------------------------------------------------------------
    // GreenMail: real logins

    @Test
    void goodCredentialsPassOnBothSides() {
        Result result = verifier.verify(smtp(PASSWORD), imap(PASSWORD));

        assertThat(result.ok()).isTrue();
        assertThat(result.smtp()).isEqualTo(new SideResult(true, null, "SMTP login to 127.0.0.1:" + smtpPort + " succeeded"));
        assertThat(result.imap()).isEqualTo(new SideResult(true, null, "IMAP login to 127.0.0.1:" + imapPort + " succeeded"));
        assertThat(greenMail.getReceivedMessages()).as("no message is sent").isEmpty();
    }

    @Test
    void wrongPasswordIsAuthFailedOnEachSideAndNeverEchoed() {
        Result result = verifier.verify(smtp(WRONG_PASSWORD), imap(WRONG_PASSWORD));

        assertThat(result.ok()).isFalse();
        assertThat(result.smtp().code()).isEqualTo("auth_failed");
        assertThat(result.smtp().message())
                .startsWith("SMTP login to 127.0.0.1:" + smtpPort + " failed: the server rejected the username or password (535");
        assertThat(result.imap().code()).isEqualTo("auth_failed");
        assertThat(result.imap().message())
                .startsWith("IMAP login to 127.0.0.1:" + imapPort + " failed: the server rejected the username or password");
        assertThat(result.toString()).doesNotContain(WRONG_PASSWORD).doesNotContain(base64(WRONG_PASSWORD));
    }

    @Test
    void onlyTheFailingSideFails() {
        Result result = verifier.verify(smtp(PASSWORD), imap(WRONG_PASSWORD));

        assertThat(result.ok()).isFalse();
        assertThat(result.smtp().ok()).isTrue();
        assertThat(result.imap().code()).isEqualTo("auth_failed");
    }

    @Test
    void passwordWithSpecialCharactersWorksOnBothSides() {
        Result result = verifier.verify(
                new ServerSettings(LOCALHOST, smtpPort, Security.none, SPECIAL_USER, SPECIAL_PASSWORD),
                new ServerSettings(LOCALHOST, imapPort, Security.none, SPECIAL_USER, SPECIAL_PASSWORD));

        assertThat(result.smtp().message()).isEqualTo("SMTP login to 127.0.0.1:" + smtpPort + " succeeded");
        assertThat(result.imap().message()).isEqualTo("IMAP login to 127.0.0.1:" + imapPort + " succeeded");
        assertThat(result.ok()).isTrue();
    }

    @Test
    void passwordOutsideLatin1WorksOnBothSides() {
        Result result = verifier.verify(
                new ServerSettings(LOCALHOST, smtpPort, Security.none, CYRILLIC_USER, CYRILLIC_PASSWORD),
                new ServerSettings(LOCALHOST, imapPort, Security.none, CYRILLIC_USER, CYRILLIC_PASSWORD));

        assertThat(result.smtp().ok()).as(result.smtp().message()).isTrue();
        assertThat(result.imap().ok()).as(result.imap().message()).isTrue();
    }

    @Test
    void implicitTlsWithSelfSignedCertificateIsTlsErrorUnlessTrusted() {
        ServerSettings smtps = new ServerSettings(LOCALHOST, smtpsPort, Security.ssl, USER, PASSWORD);
        ServerSettings imaps = new ServerSettings(LOCALHOST, imapsPort, Security.ssl, USER, PASSWORD);

        Result strict = verifier.verify(smtps, imaps);
        assertThat(strict.smtp().code()).isEqualTo("tls_error");
        assertThat(strict.smtp().message()).startsWith("SMTP login to 127.0.0.1:" + smtpsPort + " failed: ")
                .contains("certificate is not trusted");
        assertThat(strict.imap().code()).isEqualTo("tls_error");
        assertThat(strict.imap().message()).startsWith("IMAP login to 127.0.0.1:" + imapsPort + " failed: ")
                .contains("certificate is not trusted");

        Result trusted = trusting.verify(smtps, imaps);
        assertThat(trusted.smtp().ok()).as(trusted.smtp().message()).isTrue();
        assertThat(trusted.imap().ok()).as(trusted.imap().message()).isTrue();
    }

    @Test
    void wrongPasswordOverImplicitTlsIsAuthFailed() {
        Result result = trusting.verify(
                new ServerSettings(LOCALHOST, smtpsPort, Security.ssl, USER, WRONG_PASSWORD),
                new ServerSettings(LOCALHOST, imapsPort, Security.ssl, USER, WRONG_PASSWORD));

        assertThat(result.smtp().code()).isEqualTo("auth_failed");
        assertThat(result.imap().code()).isEqualTo("auth_failed");
        assertThat(result.toString()).doesNotContain(WRONG_PASSWORD);
    }

    @Test
    void requiredStartTlsAgainstAServerWithoutItIsTlsError() {
        // GreenMail's plain SMTP and IMAP servers do not offer STARTTLS.
        Result result = trusting.verify(
                new ServerSettings(LOCALHOST, smtpPort, Security.starttls, USER, PASSWORD),
                new ServerSettings(LOCALHOST, imapPort, Security.starttls, USER, PASSWORD));

        assertThat(result.smtp().code()).isEqualTo("tls_error");
        assertThat(result.smtp().message()).contains("STARTTLS is required but the server does not offer it");
        assertThat(result.imap().code()).isEqualTo("tls_error");
        assertThat(result.imap().message()).contains("STARTTLS is required but the server does not offer it");
    }

    @Test
    void implicitTlsAgainstAPlainPortIsTlsError() {
        SideResult result = verifier.verifySmtp(new ServerSettings(LOCALHOST, smtpPort, Security.ssl, USER, PASSWORD));

        assertThat(result.code()).isEqualTo("tls_error");
    }

    // ---------------------------------------------------------------------------------------------
    // Network failures

    @Test
    void closedPortIsConnectionRefusedFast() throws IOException {
        MailLoginVerifier patient = new MailLoginVerifier(Duration.ofSeconds(10), Duration.ofSeconds(10), false);
        int closed = closedPort();
        long start = System.nanoTime();

        Result result = patient.verify(
                new ServerSettings(LOCALHOST, closed, Security.starttls, USER, PASSWORD), imap(PASSWORD));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no waiting for a timeout").isLessThan(Duration.ofSeconds(3));
        assertThat(result.smtp().code()).isEqualTo("connection_refused");
        assertThat(result.smtp().message()).startsWith("SMTP login to 127.0.0.1:" + closed + " failed: the connection was refused");
        assertThat(result.imap().ok()).isTrue();
    }

    @Test
    void silentServerTimesOutAfterTheReadTimeoutOnBothSidesConcurrently() throws IOException {
        MailLoginVerifier quick = new MailLoginVerifier(Duration.ofSeconds(1), Duration.ofMillis(1_500), false);
        try (ScriptedServer silent = ScriptedServer.silent()) {
            ServerSettings s = new ServerSettings(LOCALHOST, silent.port(), Security.none, USER, PASSWORD);
            long start = System.nanoTime();

            Result result = quick.verify(s, s);

            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            // About one read timeout: the sides run concurrently (sequential would be 3 s or more).
            assertThat(elapsed).isBetween(Duration.ofMillis(1_450), Duration.ofMillis(2_700));
            assertThat(result.smtp().code()).isEqualTo("timeout");
            assertThat(result.smtp().message()).isEqualTo(
                    "SMTP login to 127.0.0.1:" + silent.port() + " failed: the server did not answer within 1500 ms");
            assertThat(result.imap().code()).isEqualTo("timeout");
            assertThat(result.imap().message()).startsWith("IMAP login to 127.0.0.1:" + silent.port() + " failed: ");
        }
    }

    @Test
    void trickleServerIsCutOffByTheOverallBudget() throws IOException {
        // Answers every 300 ms with another continuation line, so no single read ever times out.
        MailLoginVerifier quick = new MailLoginVerifier(Duration.ofMillis(500), Duration.ofMillis(500), false);
        try (ScriptedServer trickle = ScriptedServer.start(out -> {
            for (int i = 0; i < 100; i++) {
                out.println("220-still greeting " + i);
                out.flush();
                sleep(300);
            }
            return null;
        })) {
            long start = System.nanoTime();
            SideResult result = quick.verifySmtp(new ServerSettings(LOCALHOST, trickle.port(), Security.none, USER, PASSWORD));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
            assertThat(result.code()).isEqualTo("timeout");
            assertThat(result.message()).endsWith("failed: the check did not finish within 1500 ms");
        }
    }

    @Test
    void unknownHostIsUnknownHost() {
        Result result = verifier.verify(
                new ServerSettings("smtp.no-such-provider.invalid", 587, Security.starttls, USER, PASSWORD),
                new ServerSettings("imap.no-such-provider.invalid", 993, Security.ssl, USER, PASSWORD));

        assertThat(result.smtp().code()).isEqualTo("unknown_host");
        assertThat(result.smtp().message()).isEqualTo("SMTP login to smtp.no-such-provider.invalid:587 failed: "
                + "the host name smtp.no-such-provider.invalid could not be resolved (DNS); check the spelling");
        assertThat(result.imap().code()).isEqualTo("unknown_host");
        assertThat(result.imap().message()).startsWith("IMAP login to imap.no-such-provider.invalid:993 failed: ");
    }

    // ---------------------------------------------------------------------------------------------
    // Scripted SMTP servers: reply parsing and scrubbing

    @Test
    void serverEchoingThePasswordIsScrubbed() throws IOException {
        try (ScriptedServer echo = ScriptedServer.smtp("250-AUTH PLAIN", blob -> {
            String[] parts = new String(Base64.getDecoder().decode(blob), StandardCharsets.UTF_8).split("\0");
            String password = parts[parts.length - 1];
            return "535-5.7.8 Username and Password not accepted: " + password + " (" + blob + ")\r\n"
                    + "535 5.7.8 https://support.example.test/?p=BadCredentials";
        })) {
            SideResult result = verifier.verifySmtp(new ServerSettings(LOCALHOST, echo.port(), Security.none, USER, SPECIAL_PASSWORD));

            assertThat(result.code()).isEqualTo("auth_failed");
            assertThat(result.message()).isEqualTo("SMTP login to 127.0.0.1:" + echo.port() + " failed: the server rejected "
                    + "the username or password (535 5.7.8). Server said: \"Username and Password not accepted: *** (***) "
                    + "https://support.example.test/?p=BadCredentials\"");
            assertThat(result.toString()).doesNotContain(SPECIAL_PASSWORD).doesNotContain("p@ss");
        }
    }

    @Test
    void appPasswordRequiredIsAuthFailed() throws IOException {
        try (ScriptedServer gmailLike = ScriptedServer.smtp("250-AUTH LOGIN PLAIN",
                blob -> "534-5.7.9 Application-specific password required.\r\n534 5.7.9 Learn more at https://example.test")) {
            SideResult result = verifier.verifySmtp(new ServerSettings(LOCALHOST, gmailLike.port(), Security.none, USER, PASSWORD));

            assertThat(result.code()).isEqualTo("auth_failed");
            assertThat(result.message()).contains("(534 5.7.9)").contains("Application-specific password required.");
        }
    }

    @Test
    void serverWithoutAuthIsNotTakenAsProof() throws IOException {
        try (ScriptedServer openRelay = ScriptedServer.smtp("250-PIPELINING", blob -> "500 unexpected")) {
            SideResult result = verifier.verifySmtp(new ServerSettings(LOCALHOST, openRelay.port(), Security.none, USER, PASSWORD));

            assertThat(result.ok()).isFalse();
            assertThat(result.code()).isEqualTo("protocol_error");
            assertThat(result.message()).contains("does not offer authentication (AUTH)");
        }
    }

    @Test
    void badGreetingIsProtocolError() throws IOException {
        try (ScriptedServer rejecting = ScriptedServer.start(out -> {
            out.print("554 5.3.2 No SMTP service here\r\n");
            out.flush();
            return null;
        })) {
            SideResult result = verifier.verifySmtp(new ServerSettings(LOCALHOST, rejecting.port(), Security.none, USER, PASSWORD));

            assertThat(result.code()).isEqualTo("protocol_error");
            assertThat(result.message()).contains("(554 5.3.2)").contains("No SMTP service here");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Validation

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "smtp example.com", "-smtp.example.com", "smtp..example.com", "smtp_example.com",
        "smtp.example.com:587", "user@smtp.example.com", "http://smtp.example.com", "256.1.1.1", "1.2.3", "10.1",
        "0x7f.1", "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "255.255.255.255", "::", "[::]", "ff02::1",
        "169.254.169.254", "fe80::1", "[not:an:ip]"})
    void invalidHostIsRejectedWithoutConnecting(String host) {
        SideResult result = verifier.verifySmtp(new ServerSettings(host, 587, Security.starttls, USER, PASSWORD));

        assertThat(result.code()).isEqualTo("invalid_settings");
        assertThat(result.message()).startsWith("SMTP settings").contains("are invalid: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"smtp.gmail.com", "SMTP.Office365.com", "localhost", "mail.xn--bcher-kva.example",
        "mail.bücher.example", "smtp.example.com.", "127.0.0.1", "::1", "[::1]", "2001:db8::25"})
    void validHostNames(String host) {
        assertThat(MailLoginVerifier.isValidHost(host)).isTrue();
    }

    @Test
    void otherInvalidSettings() {
        assertInvalid(new ServerSettings(LOCALHOST, 0, Security.none, USER, PASSWORD), "port must be between 1 and 65535");
        assertInvalid(new ServerSettings(LOCALHOST, 65536, Security.none, USER, PASSWORD), "port must be between 1 and 65535");
        assertInvalid(new ServerSettings(LOCALHOST, -1, Security.none, USER, PASSWORD), "port must be between 1 and 65535");
        assertInvalid(new ServerSettings(LOCALHOST, smtpPort, Security.none, " ", PASSWORD), "username is required");
        assertInvalid(new ServerSettings(LOCALHOST, smtpPort, Security.none, null, PASSWORD), "username is required");
        assertInvalid(new ServerSettings(LOCALHOST, smtpPort, Security.none, "a\r\nRSET", PASSWORD), "username must not contain");
        assertInvalid(new ServerSettings(LOCALHOST, smtpPort, Security.none, USER, ""), "password is required");
        assertInvalid(new ServerSettings(LOCALHOST, smtpPort, Security.none, USER, null), "password is required");
        assertInvalid(new ServerSettings(LOCALHOST, smtpPort, Security.none, USER, "secret\r\nQUIT"), "password must not contain");
        assertInvalid(new ServerSettings(LOCALHOST, smtpPort, null, USER, PASSWORD), "security must be one of");
        assertThat(verifier.verifySmtp(null).code()).isEqualTo("invalid_settings");
        assertThat(verifier.verifySmtp(new ServerSettings("smtp.example.com\r\n[ERROR] forged", 587, Security.none, USER, PASSWORD))
                .message()).isEqualTo("SMTP settings to smtp.example.com??[ERROR] forged:587 are invalid: "
                        + "host must be a host name (like smtp.example.com) or an IP address");

        Result result = verifier.verify(null, new ServerSettings(LOCALHOST, imapPort, Security.none, USER, "secret\nX"));
        assertThat(result.smtp().code()).isEqualTo("invalid_settings");
        assertThat(result.imap().code()).isEqualTo("invalid_settings");
        assertThat(result.imap().message()).startsWith("IMAP settings").doesNotContain("secret");
    }

    void assertInvalid(ServerSettings settings, String reason) {
        SideResult result = verifier.verifySmtp(settings);
        assertThat(result.ok()).isFalse();
        assertThat(result.code()).isEqualTo("invalid_settings");
        assertThat(result.message()).contains(reason);
    }

    @Test
    void forbiddenAddressIsNamedInTheMessage() {
        SideResult result = verifier.verifySmtp(new ServerSettings("[ff02::1]", 587, Security.none, USER, PASSWORD));
        assertThat(result.code()).isEqualTo("invalid_settings");
        assertThat(result.message()).contains("multicast");
    }

    // ---------------------------------------------------------------------------------------------
    // Password hygiene

    @Test
    void settingsToStringMasksThePassword() {
        assertThat(smtp(SPECIAL_PASSWORD).toString()).doesNotContain(SPECIAL_PASSWORD).contains("password=***");
    }

    @Test
    void scrubRemovesRawQuotedAndBase64Forms() {
        String plainBlob = base64("\0" + USER + "\0" + SPECIAL_PASSWORD);
        String text = "NO [AUTHENTICATIONFAILED] LOGIN " + USER + " \"p@ss:w\\\"rd;é\" raw=" + SPECIAL_PASSWORD
                + " b64=" + base64(SPECIAL_PASSWORD) + " plain=" + plainBlob;

        String mojibake = " echoed=" + new String(SPECIAL_PASSWORD.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);

        String scrubbed = MailLoginVerifier.scrub(text + mojibake, USER, SPECIAL_PASSWORD);

        assertThat(scrubbed).isEqualTo("NO [AUTHENTICATIONFAILED] LOGIN " + USER + " \"***\" raw=*** b64=*** plain=*** echoed=***");
        assertThat(MailLoginVerifier.scrub("nothing to hide", USER, "")).isEqualTo("nothing to hide");
        assertThat(MailLoginVerifier.scrub(null, USER, PASSWORD)).isNull();
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOCALHOST))) {
            return socket.getLocalPort();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A loopback server running a script per connection; the script may return null to hang up. */
    static final class ScriptedServer implements AutoCloseable {
        interface Script {
            Void run(PrintWriter out) throws IOException;
        }

        interface Conversation {
            void run(BufferedReader in, PrintWriter out) throws IOException;
        }

        final ServerSocket socket;
        final List<Socket> clients = new CopyOnWriteArrayList<>();

        private ScriptedServer(Conversation conversation) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getByName(LOCALHOST));
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket client = socket.accept();
                        clients.add(client);
                        Thread.ofVirtual().start(() -> {
                            try (client) {
                                var in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                                OutputStream raw = client.getOutputStream();
                                var out = new PrintWriter(new java.io.OutputStreamWriter(raw, StandardCharsets.UTF_8), false);
                                conversation.run(in, out);
                                out.flush();
                            } catch (IOException ignored) {
                                // client went away
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        /** Accepts connections and never says a word. */
        static ScriptedServer silent() throws IOException {
            return new ScriptedServer((in, out) -> {
                while (in.read() >= 0) {
                    // swallow whatever the client sends, answer nothing
                }
            });
        }

        static ScriptedServer start(Script script) throws IOException {
            return new ScriptedServer((in, out) -> script.run(out));
        }

        /**
         * A minimal ESMTP server: {@code ehloAuthLine} is advertised before "250 OK", and every
         * AUTH attempt is answered with {@code onAuth} applied to the base64 credentials.
         */
        static ScriptedServer smtp(String ehloAuthLine, Function<String, String> onAuth) throws IOException {
            return new ScriptedServer((in, out) -> {
                send(out, "220 scripted.example.test ESMTP");
                String line;
                while ((line = in.readLine()) != null) {
                    String upper = line.toUpperCase(java.util.Locale.ROOT);
                    if (upper.startsWith("EHLO")) {
                        send(out, "250-scripted.example.test\r\n" + ehloAuthLine + "\r\n250 OK");
                    } else if (upper.startsWith("HELO")) {
                        send(out, "250 scripted.example.test");
                    } else if (upper.startsWith("AUTH PLAIN")) {
                        String blob = line.length() > "AUTH PLAIN ".length() ? line.substring("AUTH PLAIN ".length()).trim() : "";
                        if (blob.isEmpty()) {
                            send(out, "334 ");
                            blob = in.readLine();
                        }
                        send(out, onAuth.apply(blob));
                    } else if (upper.startsWith("AUTH LOGIN")) {
                        send(out, "334 VXNlcm5hbWU6");
                        String user = in.readLine();
                        send(out, "334 UGFzc3dvcmQ6");
                        String pass = in.readLine();
                        String plain = base64("\0" + new String(Base64.getDecoder().decode(user), StandardCharsets.UTF_8)
                                + "\0" + new String(Base64.getDecoder().decode(pass), StandardCharsets.UTF_8));
                        send(out, onAuth.apply(plain));
                    } else if (upper.startsWith("QUIT")) {
                        send(out, "221 bye");
                        return;
                    } else {
                        send(out, "502 5.5.2 not implemented");
                    }
                }
            });
        }

        static void send(PrintWriter out, String reply) {
            out.print(reply + "\r\n");
            out.flush();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket client : clients) {
                client.close();
            }
        }
    }
}
