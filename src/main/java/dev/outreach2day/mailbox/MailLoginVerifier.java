package dev.outreach2day.mailbox;

import dev.outreach2day.platform.MailSessions;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.IDN;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.eclipse.angus.mail.util.MailLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Proves that the SMTP and IMAP settings of an existing mailbox (Gmail, Outlook, any host) work, by
 * logging in to both servers for real: SMTP connects and authenticates (no message is sent), IMAP
 * logs in and opens INBOX read-only.
 *
 * <p>Failures are classified into a short {@code code} and a human message naming the side, the
 * server and the reason. The password never appears in a result, an exception or a log line: no
 * exception leaves this class, server replies are scrubbed of the password (and of its base64 and
 * quoted forms, because servers sometimes echo input), and Jakarta Mail debugging is off.
 *
 * <p>Certificates are always validated (chain and host name). The only way to turn that off is
 * the package-private test constructor; no configuration property reaches it.
 */
@Component
class MailLoginVerifier {

    enum Security { ssl, starttls, none }

    /** Settings of one side. {@link #toString()} masks the password. */
    record ServerSettings(String host, int port, Security security, String username, String password) {
        @Override
        public String toString() {
            return "ServerSettings[host=" + host + ", port=" + port + ", security=" + security
                    + ", username=" + username + ", password=" + (password == null ? "null" : "***") + "]";
        }
    }

    /** Outcome of one side; {@code code} is null when ok. The message never contains the password. */
    record SideResult(boolean ok, String code, String message) {
        static SideResult success(String message) {
            return new SideResult(true, null, message);
        }

        static SideResult failure(String code, String message) {
            return new SideResult(false, code, message);
        }
    }

    record Result(SideResult smtp, SideResult imap) {
        boolean ok() {
            return smtp.ok() && imap.ok();
        }
    }

    static final String INVALID_SETTINGS = "invalid_settings";
    static final String AUTH_FAILED = "auth_failed";
    static final String CONNECTION_REFUSED = "connection_refused";
    static final String TIMEOUT = "timeout";
    static final String UNKNOWN_HOST = "unknown_host";
    static final String TLS_ERROR = "tls_error";
    static final String PROTOCOL_ERROR = "protocol_error";

    private static final Logger log = LoggerFactory.getLogger(MailLoginVerifier.class);

    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(15);
    private static final int MAX_REPLY_CHARS = 200;

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}");
    private static final Pattern NUMERIC_LABEL = Pattern.compile("(?:\\d+|0x[0-9A-Fa-f]*)");
    private static final Pattern REPLY_CODE_PREFIX = Pattern.compile("^\\d{3}[ -]?");
    private static final Pattern ENHANCED_STATUS = Pattern.compile("^([245]\\.\\d{1,3}\\.\\d{1,3})\\b\\s*");
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1F\\x7F]");
    private static final Pattern UNPRINTABLE = Pattern.compile("[\\p{Cntrl}\\u0085\\u2028\\u2029]");

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final SSLSocketFactory trustAllSocketFactory; // null in production: certificates are validated

    MailLoginVerifier() {
        this(DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, false);
    }

    /** For tests only: short timeouts, and {@code trustAllCertificates} for self-signed test servers. */
    MailLoginVerifier(Duration connectTimeout, Duration readTimeout, boolean trustAllCertificates) {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.trustAllSocketFactory = trustAllCertificates ? trustAllSocketFactory() : null;
    }

    // ---------------------------------------------------------------------------------------------
    // API

    /** Checks both sides concurrently, each on its own virtual thread and bounded in time. */
    Result verify(ServerSettings smtp, ServerSettings imap) {
        FutureTask<SideResult> smtpTask = new FutureTask<>(() -> verifySmtp(smtp));
        FutureTask<SideResult> imapTask = new FutureTask<>(() -> verifyImap(imap));
        Thread.ofVirtual().name("mail-verify").start(smtpTask);
        Thread.ofVirtual().name("mail-verify").start(imapTask);
        return new Result(await(smtpTask, Side.SMTP, smtp), await(imapTask, Side.IMAP, imap));
    }

    SideResult verifySmtp(ServerSettings s) {
        return check(Side.SMTP, s);
    }

    SideResult verifyImap(ServerSettings s) {
        return check(Side.IMAP, s);
    }

    // ---------------------------------------------------------------------------------------------
    // Orchestration

    private enum Side {
        SMTP, IMAP
    }

    /** Validated settings: {@code host} is the ASCII (punycode) form to connect to. */
    private record Target(String host, int port, Security security, String username, String password) {
        String display() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** What an attempt observed besides the exception: the SMTP transport, for its last reply. */
    private static final class Attempt {
        volatile SMTPTransport smtp;
    }

    private SideResult check(Side side, ServerSettings s) {
        String invalid = validate(s);
        if (invalid != null) {
            String where = s == null || s.host() == null ? "" : " to " + printable(s.host()) + ":" + s.port();
            return logged(side, s, SideResult.failure(INVALID_SETTINGS,
                    scrub(side + " settings" + where + " are invalid: " + invalid, s)));
        }
        Target target = new Target(asciiHost(s.host()), s.port(), s.security(), s.username(), s.password());
        Attempt attempt = new Attempt();
        FutureTask<SideResult> task = new FutureTask<>(() -> {
            try {
                SideResult refused = checkResolvedAddresses(side, target);
                if (refused != null) {
                    return refused;
                }
                if (side == Side.SMTP) {
                    smtpLogin(target, attempt);
                } else {
                    imapLogin(target);
                }
                return SideResult.success(side + " login to " + target.display() + " succeeded");
            } catch (Exception e) {
                return classify(side, target, e, attempt);
            }
        });
        Thread.ofVirtual().name("mail-verify-" + side.name().toLowerCase(Locale.ROOT)).start(task);
        SideResult result;
        try {
            result = task.get(budget().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true); // interrupting a virtual thread closes its blocked socket
            result = SideResult.failure(TIMEOUT, prefix(side, target) + "the check did not finish within "
                    + seconds(budget()) + portHint(target));
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            result = SideResult.failure(PROTOCOL_ERROR, prefix(side, target) + "the check was interrupted");
        } catch (ExecutionException | CancellationException e) {
            result = SideResult.failure(PROTOCOL_ERROR, prefix(side, target) + "internal error during the check");
        }
        return logged(side, s, scrubbed(result, s));
    }

    private SideResult await(FutureTask<SideResult> task, Side side, ServerSettings s) {
        try {
            // check() bounds itself; the extra margin only guards against a bug there.
            return task.get(budget().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            return SideResult.failure(PROTOCOL_ERROR, side + " login check was interrupted");
        } catch (TimeoutException e) {
            task.cancel(true);
            return SideResult.failure(TIMEOUT, side + " login check did not finish in time");
        } catch (ExecutionException | CancellationException e) {
            return SideResult.failure(PROTOCOL_ERROR, side + " login check failed with an internal error");
        }
    }

    /** Upper bound for one side: connect, then a handful of exchanges each limited by the read timeout. */
    private Duration budget() {
        return connectTimeout.plus(readTimeout.multipliedBy(2));
    }

    // ---------------------------------------------------------------------------------------------
    // Protocol checks

    private void smtpLogin(Target t, Attempt attempt) throws MessagingException {
        String protocol = t.security() == Security.ssl ? "smtps" : "smtp";
        Properties props = baseProperties(protocol, t.security());
        props.put("mail." + protocol + ".auth", "true");
        props.put("mail." + protocol + ".quitwait", "false");
        Session session = MailSessions.of(props);
        Transport transport = session.getTransport(protocol);
        if (transport instanceof SMTPTransport smtp) {
            attempt.smtp = smtp;
        }
        try {
            transport.connect(t.host(), t.port(), t.username(), t.password());
            // Angus skips authentication silently when the server offers no AUTH: that is no proof.
            if (transport instanceof SMTPTransport smtp
                    && !smtp.supportsExtension("AUTH") && !smtp.supportsExtension("AUTH=LOGIN")) {
                throw new NoAuthOffered();
            }
        } finally {
            closeQuietly(transport);
        }
    }

    private void imapLogin(Target t) throws MessagingException {
        String protocol = t.security() == Security.ssl ? "imaps" : "imap";
        Properties props = baseProperties(protocol, t.security());
        Session session = MailSessions.of(props);
        Store store = new Utf8LoginImapStore(session, protocol, t.security() == Security.ssl);
        try {
            store.connect(t.host(), t.port(), t.username(), t.password());
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            inbox.close(false);
        } finally {
            closeQuietly(store);
        }
    }

    private Properties baseProperties(String protocol, Security security) {
        String p = "mail." + protocol + ".";
        Properties props = new Properties();
        props.put("mail.debug", "false");
        props.put("mail.debug.auth", "false");
        props.put("mail.debug.auth.username", "false");
        props.put("mail.debug.auth.password", "false");
        props.put(p + "connectiontimeout", Long.toString(connectTimeout.toMillis()));
        props.put(p + "timeout", Long.toString(readTimeout.toMillis()));
        if (security == Security.starttls) {
            props.put(p + "starttls.enable", "true");
            props.put(p + "starttls.required", "true");
        }
        if (security == Security.ssl) {
            props.put(p + "ssl.enable", "true");
        }
        if (trustAllSocketFactory == null) {
            props.put(p + "ssl.checkserveridentity", "true");
        } else {
            props.put(p + "ssl.checkserveridentity", "false");
            props.put(p + "ssl.socketFactory", trustAllSocketFactory);
        }
        return props;
    }

    private static void closeQuietly(AutoCloseable service) {
        try {
            service.close();
        } catch (Exception ignored) {
            // the verdict is already decided; a failing QUIT/LOGOUT changes nothing
        }
    }

    /**
     * Angus writes the arguments of the IMAP {@code LOGIN} command one byte per char (ISO-8859-1),
     * so a password like {@code é} or {@code ж} would not reach a server the way the user typed it.
     * Servers compare UTF-8 (IMAP4rev2 says so; Dovecot, Courier, GreenMail do), as Angus already
     * does for {@code AUTHENTICATE PLAIN/LOGIN}. This store hands {@code LOGIN} the UTF-8 bytes.
     */
    private static final class Utf8LoginImapStore extends IMAPStore {
        private final String protocol;
        private final boolean ssl;

        Utf8LoginImapStore(Session session, String protocol, boolean ssl) {
            super(session, null, protocol, ssl);
            this.protocol = protocol;
            this.ssl = ssl;
        }

        @Override
        protected IMAPProtocol newIMAPProtocol(String host, int port) throws IOException, ProtocolException {
            MailLogger logger = new MailLogger(IMAPStore.class, "DEBUG IMAP", false, System.out);
            return new IMAPProtocol(protocol, host, port, session.getProperties(), ssl, logger) {
                @Override
                public void login(String user, String password) throws ProtocolException {
                    super.login(utf8BytesAsLatin1(user), utf8BytesAsLatin1(password));
                }
            };
        }
    }

    /** The server completed EHLO but offered no authentication. */
    private static final class NoAuthOffered extends MessagingException {
        NoAuthOffered() {
            super("no AUTH offered");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Validation

    /** Returns why the settings are unusable, or null. Never mentions the password's value. */
    private static String validate(ServerSettings s) {
        if (s == null) {
            return "settings are missing";
        }
        if (s.host() == null || s.host().isBlank()) {
            return "host is required";
        }
        if (!isValidHost(s.host())) {
            return "host must be a host name (like smtp.example.com) or an IP address";
        }
        InetAddress literal = ipLiteral(s.host());
        if (literal != null && forbidden(literal) != null) {
            return "host " + forbidden(literal);
        }
        if (s.port() < 1 || s.port() > 65535) {
            return "port must be between 1 and 65535";
        }
        if (s.security() == null) {
            return "security must be one of ssl, starttls, none";
        }
        if (s.username() == null || s.username().isBlank()) {
            return "username is required";
        }
        if (CONTROL.matcher(s.username()).find()) {
            return "username must not contain control characters or line breaks";
        }
        if (s.password() == null || s.password().isEmpty()) {
            return "password is required";
        }
        if (CONTROL.matcher(s.password()).find()) {
            return "password must not contain control characters or line breaks";
        }
        return null;
    }

    /** User input made safe for a message or a log line: no control characters, bounded length. */
    private static String printable(String raw) {
        String text = UNPRINTABLE.matcher(raw).replaceAll("?");
        return text.length() <= 100 ? text : text.substring(0, 99) + "…";
    }

    static boolean isValidHost(String raw) {
        String host = raw.strip();
        if (host.startsWith("[") && host.endsWith("]")) {
            return ipLiteral(host) instanceof Inet6Address;
        }
        if (host.indexOf(':') >= 0) {
            return ipLiteral(host) instanceof Inet6Address;
        }
        if (DOTTED_QUAD.matcher(host).matches()) {
            return ipLiteral(host) instanceof Inet4Address;
        }
        String ascii;
        try {
            ascii = IDN.toASCII(host, IDN.USE_STD3_ASCII_RULES);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (ascii.endsWith(".")) {
            ascii = ascii.substring(0, ascii.length() - 1);
        }
        if (ascii.isEmpty() || ascii.length() > 253) {
            return false;
        }
        String[] labels = ascii.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        // A name whose last label is numeric would be taken for a (shorthand) IP address.
        return !NUMERIC_LABEL.matcher(labels[labels.length - 1]).matches();
    }

    /** The address of an IP literal (without DNS), or null for a host name. */
    private static InetAddress ipLiteral(String raw) {
        String host = raw.strip();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.indexOf(':') < 0 && !DOTTED_QUAD.matcher(host).matches()) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String asciiHost(String raw) {
        String host = raw.strip();
        InetAddress literal = ipLiteral(host);
        if (literal != null) {
            return literal.getHostAddress(); // unbracketed, canonical
        }
        String ascii = IDN.toASCII(host, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        return ascii.endsWith(".") ? ascii.substring(0, ascii.length() - 1) : ascii;
    }

    /** Why an address must not be connected to, or null. */
    private static String forbidden(InetAddress a) {
        if (a.isAnyLocalAddress()) {
            return "is the unspecified address (" + a.getHostAddress() + ")";
        }
        if (a.isMulticastAddress()) {
            return "is a multicast address (" + a.getHostAddress() + ")";
        }
        if (a.isLinkLocalAddress()) {
            return "is a link-local address (" + a.getHostAddress() + ")";
        }
        if (a instanceof Inet4Address) {
            byte[] b = a.getAddress();
            if (b[0] == 0) {
                return "is in 0.0.0.0/8 (" + a.getHostAddress() + ")";
            }
            if ((b[0] & 0xFF) == 255 && (b[1] & 0xFF) == 255 && (b[2] & 0xFF) == 255 && (b[3] & 0xFF) == 255) {
                return "is the broadcast address";
            }
        }
        return null;
    }

    /** Resolves the host (DNS failures become unknown_host) and refuses forbidden addresses. */
    private static SideResult checkResolvedAddresses(Side side, Target t) throws UnknownHostException {
        InetAddress[] addresses = InetAddress.getAllByName(t.host());
        for (InetAddress a : addresses) {
            String why = forbidden(a);
            if (why != null) {
                return SideResult.failure(INVALID_SETTINGS,
                        side + " settings to " + t.display() + " are invalid: the host resolves to an address that " + why);
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------
    // Classification

    private SideResult classify(Side side, Target t, Throwable error, Attempt attempt) {
        List<Throwable> chain = chain(error);
        String prefix = prefix(side, t);
        SMTPTransport smtp = attempt.smtp;
        int smtpCode = smtp == null ? -1 : smtp.getLastReturnCode();
        String smtpReply = smtp == null ? null : smtp.getLastServerResponse();

        if (find(chain, UnknownHostException.class) != null) {
            return SideResult.failure(UNKNOWN_HOST, prefix + "the host name " + t.host()
                    + " could not be resolved (DNS); check the spelling");
        }
        SocketTimeoutException timeout = find(chain, SocketTimeoutException.class);
        if (timeout != null || anyMessageContains(chain, "Read timed out", "Connect timed out", "SocketTimeoutException")) {
            boolean connecting = (timeout != null && containsIgnoreCase(timeout.getMessage(), "connect"))
                    || anyMessageContains(chain, "Connect timed out");
            String reason = connecting
                    ? "could not connect within " + seconds(connectTimeout) + " (a firewall may be dropping the connection)"
                    : "the server did not answer within " + seconds(readTimeout);
            return SideResult.failure(TIMEOUT, prefix + reason + portHint(t));
        }
        if (find(chain, NoRouteToHostException.class) != null) {
            return SideResult.failure(CONNECTION_REFUSED, prefix + "the host is unreachable (no route to host)");
        }
        if (find(chain, ConnectException.class) != null) {
            return SideResult.failure(CONNECTION_REFUSED, prefix + "the connection was refused; nothing accepts "
                    + "connections on port " + t.port() + " (check the host and port)");
        }
        String tls = tlsReason(chain, t);
        if (tls != null) {
            return SideResult.failure(TLS_ERROR, prefix + tls);
        }
        if (error instanceof NoAuthOffered) {
            return SideResult.failure(PROTOCOL_ERROR, prefix + "the server does not offer authentication (AUTH) on "
                    + "this connection" + (t.security() == Security.none
                            ? "; most servers only allow login over SSL or STARTTLS" : ""));
        }
        boolean authException = find(chain, AuthenticationFailedException.class) != null;
        if (side == Side.SMTP && (smtpCode == 530 || smtpCode == 534 || smtpCode == 535)) {
            String reason = switch (smtpCode) {
                case 535 -> "the server rejected the username or password";
                case 534 -> "the server refused this login mechanism (the account may need an app password, "
                        + "or SMTP authentication enabled)";
                default -> "the server requires encryption or a different login method first";
            };
            return SideResult.failure(AUTH_FAILED, prefix + reason + smtpDetails(smtpCode, smtpReply, t));
        }
        if (authException) {
            if (side == Side.SMTP && smtpCode >= 400) {
                return SideResult.failure(AUTH_FAILED, prefix + "the server rejected the login"
                        + smtpDetails(smtpCode, smtpReply, t));
            }
            if (side == Side.SMTP) {
                return SideResult.failure(AUTH_FAILED, prefix + "no authentication method offered by the server "
                        + "could be used" + serverSaid(error.getMessage(), t));
            }
            return SideResult.failure(AUTH_FAILED, prefix + "the server rejected the username or password"
                    + serverSaid(error.getMessage(), t));
        }
        if (side == Side.IMAP && anyMessageContains(chain, "No login methods supported")) {
            return SideResult.failure(PROTOCOL_ERROR, prefix + "the server does not allow login on this connection "
                    + "(LOGINDISABLED)" + (t.security() == Security.none ? "; use SSL or STARTTLS" : ""));
        }
        if (find(chain, SocketException.class) != null || anyMessageContains(chain, "[EOF]", "EOF on socket")) {
            return SideResult.failure(PROTOCOL_ERROR, prefix + "the server closed the connection unexpectedly"
                    + portHint(t));
        }
        if (side == Side.SMTP && smtpCode >= 400) {
            return SideResult.failure(PROTOCOL_ERROR, prefix + "the server returned an error"
                    + smtpDetails(smtpCode, smtpReply, t));
        }
        return SideResult.failure(PROTOCOL_ERROR, prefix + "unexpected response"
                + serverSaid(firstMessage(chain), t));
    }

    /** A TLS explanation, or null when the failure is not about TLS. */
    private static String tlsReason(List<Throwable> chain, Target t) {
        if (anyMessageContains(chain, "STARTTLS is required", "STARTTLS required")) {
            return "STARTTLS is required but the server does not offer it"
                    + (t.port() == 465 || t.port() == 993 ? " (port " + t.port() + " normally uses security \"ssl\")" : "");
        }
        boolean certificate = find(chain, CertificateException.class) != null
                || find(chain, CertPathValidatorException.class) != null
                || find(chain, CertPathBuilderException.class) != null;
        boolean ssl = find(chain, SSLException.class) != null;
        boolean identity = anyMessageContains(chain, "identity of server", "Server identity does not match",
                "No subject alternative", "No name matching");
        if (!certificate && !ssl && !identity) {
            return null;
        }
        if (find(chain, CertificateExpiredException.class) != null) {
            return "the TLS handshake failed: the server's certificate has expired";
        }
        if (find(chain, CertificateNotYetValidException.class) != null) {
            return "the TLS handshake failed: the server's certificate is not valid yet";
        }
        if (identity) {
            return "the TLS handshake failed: the server's certificate does not match the host name " + t.host();
        }
        if (certificate || anyMessageContains(chain, "PKIX", "certification path", "unable to find valid")) {
            return "the TLS handshake failed: the server's certificate is not trusted (self-signed or unknown "
                    + "certificate authority)";
        }
        if (anyMessageContains(chain, "Unsupported or unrecognized SSL message", "plaintext connection")) {
            return "the server did not answer with TLS; this port probably expects security \"starttls\" or \"none\"";
        }
        if (anyMessageContains(chain, "protocol_version", "No appropriate protocol", "handshake_failure",
                "no cipher suites in common")) {
            return "the TLS handshake failed: no TLS version or cipher in common with the server";
        }
        return "the TLS handshake failed";
    }

    private static String prefix(Side side, Target t) {
        return side + " login to " + t.display() + " failed: ";
    }

    private static String portHint(Target t) {
        if (t.security() != Security.ssl && (t.port() == 465 || t.port() == 993)) {
            return " (port " + t.port() + " normally uses security \"ssl\")";
        }
        return "";
    }

    private static String smtpDetails(int code, String reply, Target t) {
        String text = replyText(reply, t);
        String status = null;
        if (text != null) {
            Matcher m = ENHANCED_STATUS.matcher(text);
            if (m.find()) {
                status = m.group(1);
                text = text.substring(m.end());
            }
        }
        String codes = " (" + code + (status == null ? "" : " " + status) + ")";
        return codes + (text == null || text.isBlank() ? "" : ". Server said: \"" + truncate(text) + "\"");
    }

    private static String serverSaid(String message, Target t) {
        String text = replyText(message, t);
        return text == null || text.isBlank() ? "" : ". Server said: \"" + truncate(text) + "\"";
    }

    /** One line: reply codes stripped from every line, whitespace collapsed, password scrubbed. */
    private static String replyText(String reply, Target t) {
        if (reply == null) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String line : reply.split("\\R")) {
            String stripped = REPLY_CODE_PREFIX.matcher(line.strip()).replaceFirst("");
            if (!parts.isEmpty()) {
                // Continuation lines repeat the enhanced status code; keep it only once.
                stripped = ENHANCED_STATUS.matcher(stripped).replaceFirst("");
            }
            if (!stripped.isBlank()) {
                parts.add(stripped.strip());
            }
        }
        // Scrub before and after collapsing whitespace, and before truncating: no partial password survives.
        String text = scrub(String.join(" ", parts), t.username(), t.password()).replaceAll("\\s+", " ");
        return scrub(text, t.username(), t.password());
    }

    private static String truncate(String text) {
        return text.length() <= MAX_REPLY_CHARS ? text : text.substring(0, MAX_REPLY_CHARS - 1) + "…";
    }

    private static String firstMessage(List<Throwable> chain) {
        for (Throwable t : chain) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return chain.getFirst().getClass().getSimpleName();
    }

    private static List<Throwable> chain(Throwable error) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> chain = new ArrayList<>();
        List<Throwable> todo = new ArrayList<>(List.of(error));
        while (!todo.isEmpty() && chain.size() < 20) {
            Throwable t = todo.removeFirst();
            if (t == null || !seen.add(t)) {
                continue;
            }
            chain.add(t);
            todo.add(t.getCause());
            if (t instanceof MessagingException me) {
                todo.add(me.getNextException());
            }
            for (Throwable s : t.getSuppressed()) {
                todo.add(s);
            }
        }
        return chain;
    }

    private static <T extends Throwable> T find(List<Throwable> chain, Class<T> type) {
        for (Throwable t : chain) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static boolean anyMessageContains(List<Throwable> chain, String... needles) {
        for (Throwable t : chain) {
            for (String needle : needles) {
                if (containsIgnoreCase(t.getMessage(), needle)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean containsIgnoreCase(String haystack, String needle) {
        return haystack != null && haystack.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT));
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    // ---------------------------------------------------------------------------------------------
    // Password hygiene

    /**
     * Replaces the password with {@code ***} in {@code text}: as typed, quoted the way IMAP quotes
     * it, and base64-encoded alone or as an AUTH PLAIN blob (servers sometimes echo their input).
     */
    static String scrub(String text, String username, String password) {
        if (text == null || password == null || password.isEmpty()) {
            return text;
        }
        Set<String> forms = new LinkedHashSet<>();
        String user = username == null ? "" : username;
        Base64.Encoder b64 = Base64.getEncoder();
        for (var charset : List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1)) {
            forms.add(b64.encodeToString(("\0" + user + "\0" + password).getBytes(charset)));
            forms.add(b64.encodeToString((user + "\0" + user + "\0" + password).getBytes(charset)));
            forms.add(b64.encodeToString(password.getBytes(charset)));
        }
        forms.add(password.replace("\\", "\\\\").replace("\"", "\\\""));
        forms.add(utf8BytesAsLatin1(password)); // how a server's echo of UTF-8 bytes is decoded by Angus
        forms.add(password);
        String out = text;
        for (String form : forms.stream().sorted((a, b) -> b.length() - a.length()).toList()) {
            if (!form.isEmpty()) {
                out = out.replace(form, "***");
                String unpadded = form.replaceAll("=+$", "");
                if (unpadded.length() >= 4 && !unpadded.equals(form)) {
                    out = out.replace(unpadded, "***");
                }
            }
        }
        return out;
    }

    /** The UTF-8 bytes of {@code s} as one char per byte (identical to {@code s} when it is ASCII). */
    static String utf8BytesAsLatin1(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static String scrub(String text, ServerSettings s) {
        return s == null ? text : scrub(text, s.username(), s.password());
    }

    private static SideResult scrubbed(SideResult r, ServerSettings s) {
        return new SideResult(r.ok(), r.code(), scrub(r.message(), s));
    }

    private static SideResult logged(Side side, ServerSettings s, SideResult r) {
        if (r.ok()) {
            log.info("{} login check to {}:{} succeeded", side, s.host(), s.port());
        } else if (log.isInfoEnabled()) {
            // Only the already scrubbed message; never the exception, whose text came from the server.
            log.info("{} login check failed [{}]: {}", side, r.code(), r.message());
        }
        return r;
    }

    // ---------------------------------------------------------------------------------------------
    // Test-only TLS

    private static SSLSocketFactory trustAllSocketFactory() {
        TrustManager trustAll = new X509ExtendedTrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkClientTrusted(X509Certificate[] c, String a, java.net.Socket s) { }
            @Override public void checkServerTrusted(X509Certificate[] c, String a, java.net.Socket s) { }
            @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) { }
            @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) { }
            @Override public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustAll}, null);
            return context.getSocketFactory();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the test TLS context", e);
        }
    }
}
