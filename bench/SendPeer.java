// The peer of `bench send`: a bare loop that sends pre-rendered campaign messages with Angus Mail
// over kept-open SMTP transports, optionally DKIM-signing each one first (inside the timed loop).
// Run by bench/send.sh as a single-file program, with the mail jars taken from the server's jar:
//
//   java -cp <angus-mail, jakarta.mail-api, activation, utils-mail-dkim and its deps> bench/SendPeer.java \
//     --port <smtp port> --mailboxes mailboxes.tsv --contacts contacts.tsv --subject subject.txt \
//     --body body.html --base-url http://127.0.0.1:<http port> --dkim true|false --concurrency 64 --warmup 500
//
// mailboxes.tsv: address, password, firstName, lastName (tab-separated, one per line)
// contacts.tsv:  email, firstName, lastName, company
// Contact i is sent by mailbox i % mailboxes (so each mailbox gets contacts/mailboxes messages).
//
// Rendering (untimed, before the loop) uses the same template and values as the campaign:
// {{var}} / {{var|fallback}} from the contact and the mailbox, {{unsubscribeUrl}} (a link of the
// same shape and length as the server's), spintax {a|b|c} (nested), chosen per contact. Each
// message is multipart/alternative (text derived from the HTML, and the HTML) with the headers a
// campaign send has (From with name, To with name, Subject, Date, Message-ID, List-Unsubscribe,
// List-Unsubscribe-Post). The DKIM case signs each message with DkimSigner (rsa-sha256,
// relaxed/relaxed, a fresh RSA-2048 key made at start) right before sending it.
//
// Timed: only the send loop. `--concurrency` virtual threads take messages in order; a mailbox's
// transport is used by one thread at a time (a lock per mailbox). All transports are connected
// (and authenticated) before the loop, and an untimed warm-up of `--warmup` messages runs first so
// the JIT of this JVM and of the receiving server is warm. The warm-up goes to the contacts
// themselves (from the first, round again when it is longer than the run): the receiving server
// makes a recipient's account on its first mail, and the server under test sends to accounts that
// exist (this loop made them), so this loop should too.
//
// Prints progress on stderr and one result line on stdout:
//   peer: messages=<n> seconds=<s> rate=<msg/s> avg_bytes=<bytes> failed=<n>
// Exit code 0 when every message was accepted, else 1.

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;
import org.simplejavamail.utils.mail.dkim.SigningAlgorithm;

public class SendPeer {

    record Mailbox(String address, String password, String firstName, String lastName) {
        String domain() {
            return address.substring(address.indexOf('@') + 1);
        }
    }

    record Contact(String email, String firstName, String lastName, String company) {}

    /** One pre-rendered message: who sends it, to whom. */
    record Outgoing(int mailbox, MimeMessage message, Address[] recipients) {}

    private static final String STREAM_PROVIDER = "jakarta.mail.util.StreamProvider";

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        String host = a.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(required(a, "port"));
        List<Mailbox> mailboxes = readTsv(required(a, "mailboxes")).stream()
                .map(f -> new Mailbox(f[0], f[1], f[2], f[3])).toList();
        List<Contact> contacts = readTsv(required(a, "contacts")).stream()
                .map(f -> new Contact(f[0], f[1], f[2], f[3])).toList();
        String subjectTemplate = Files.readString(Path.of(required(a, "subject")), StandardCharsets.UTF_8).strip();
        String bodyTemplate = Files.readString(Path.of(required(a, "body")), StandardCharsets.UTF_8);
        String baseUrl = required(a, "base-url");
        boolean dkim = Boolean.parseBoolean(a.getOrDefault("dkim", "false"));
        int concurrency = Integer.parseInt(a.getOrDefault("concurrency", "64"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "500")); // round the contacts again when longer than the run
        if (mailboxes.isEmpty() || contacts.isEmpty()) throw new IllegalArgumentException("no mailboxes or no contacts");

        Session session = Session.getInstance(sessionProperties(host, port, mailboxes.getFirst().domain()));

        // ---- untimed: render and build every message ----
        // Jakarta Mail 2.1 looks its StreamProvider up through ServiceLoader for every body part it
        // creates; naming the provider skips that scan. Only while building: the timed loop below
        // runs with the library's defaults.
        System.setProperty(STREAM_PROVIDER, "org.eclipse.angus.mail.util.MailStreamProvider");
        long t0 = System.nanoTime();
        List<Outgoing> measured = IntStream.range(0, contacts.size()).parallel()
                .mapToObj(i -> build(session, i, mailboxes, contacts.get(i), "peer-", subjectTemplate, bodyTemplate,
                        baseUrl))
                .toList();
        List<Outgoing> warm = IntStream.range(0, warmup).parallel()
                .mapToObj(i -> build(session, i, mailboxes, contacts.get(i % contacts.size()), "peer-warmup-", subjectTemplate,
                        bodyTemplate, baseUrl))
                .toList();
        long bytes = measured.parallelStream().mapToLong(o -> size(o.message())).sum();
        long avgBytes = bytes / measured.size();
        System.clearProperty(STREAM_PROVIDER);
        log("rendered %d messages (avg %d bytes before signing) and %d warm-up messages in %.2fs", measured.size(), avgBytes,
                warm.size(), (System.nanoTime() - t0) / 1e9);

        DkimSigner[] signers = null;
        if (dkim) {
            var gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            var key = (RSAPrivateKey) gen.generateKeyPair().getPrivate();
            // DkimSigner keeps a Signature and a MessageDigest: one per mailbox, used under its lock.
            signers = new DkimSigner[mailboxes.size()];
            for (int m = 0; m < mailboxes.size(); m++) {
                signers[m] = signer(mailboxes.get(m).domain(), key);
            }
        }

        // ---- untimed: open and authenticate one transport per mailbox ----
        t0 = System.nanoTime();
        Transport[] transports = new Transport[mailboxes.size()];
        ReentrantLock[] locks = new ReentrantLock[mailboxes.size()];
        var connectErrors = new ConcurrentLinkedQueue<String>();
        var connecting = new ArrayList<Thread>();
        for (int m = 0; m < mailboxes.size(); m++) {
            final int mb = m;
            locks[m] = new ReentrantLock();
            connecting.add(Thread.ofVirtual().start(() -> {
                try {
                    Transport t = session.getTransport("smtp");
                    t.connect(host, port, mailboxes.get(mb).address(), mailboxes.get(mb).password());
                    transports[mb] = t;
                } catch (MessagingException e) {
                    connectErrors.add(mailboxes.get(mb).address() + ": " + e.getMessage());
                }
            }));
        }
        for (Thread t : connecting) t.join();
        if (!connectErrors.isEmpty()) {
            log("could not log in: %s", connectErrors.peek());
            System.exit(1);
        }
        log("%d transports connected in %.2fs", transports.length, (System.nanoTime() - t0) / 1e9);

        // ---- untimed warm-up, then the timed loop ----
        if (!warm.isEmpty()) {
            Result w = run(warm, transports, locks, signers, concurrency);
            log("warm-up: %d messages in %.2fs (%d failed)", warm.size(), w.seconds(), w.failed());
            if (w.failed() > 0) {
                log("first failure: %s", w.firstError());
                System.exit(1);
            }
        }
        Result r = run(measured, transports, locks, signers, concurrency);
        for (Transport t : transports) {
            try {
                t.close();
            } catch (MessagingException ignored) {
                // closing only
            }
        }
        if (r.firstError() != null) log("first failure: %s", r.firstError());
        double rate = (measured.size() - r.failed()) / r.seconds();
        System.out.printf("peer: messages=%d seconds=%.3f rate=%.1f avg_bytes=%d failed=%d%n", measured.size(), r.seconds(), rate,
                avgBytes, r.failed());
        System.exit(r.failed() == 0 ? 0 : 1);
    }

    record Result(double seconds, int failed, String firstError) {}

    /** Sends every message: `concurrency` virtual threads, one thread per mailbox transport at a time. */
    static Result run(List<Outgoing> messages, Transport[] transports, ReentrantLock[] locks, DkimSigner[] signers, int concurrency)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        var errors = new ConcurrentLinkedQueue<String>();
        var threads = new ArrayList<Thread>(concurrency);
        long start = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                int i;
                while ((i = next.getAndIncrement()) < messages.size()) {
                    Outgoing o = messages.get(i);
                    locks[o.mailbox()].lock();
                    try {
                        MimeMessage m = o.message();
                        if (signers != null) m = new DkimMessage(m, signers[o.mailbox()]); // signed as it is written
                        transports[o.mailbox()].sendMessage(m, o.recipients());
                    } catch (Exception | Error e) {
                        failed.incrementAndGet();
                        errors.add(e.toString());
                    } finally {
                        locks[o.mailbox()].unlock();
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        return new Result((System.nanoTime() - start) / 1e9, failed.get(), errors.peek());
    }

    // ---- building a message ----

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    static Outgoing build(Session session, int i, List<Mailbox> mailboxes, Contact c, String idPrefix, String subjectTemplate,
            String bodyTemplate, String baseUrl) {
        String to = c.email();
        try {
            return build0(session, i, mailboxes, c, to, idPrefix, subjectTemplate, bodyTemplate, baseUrl);
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("cannot build message " + i + " to " + to, e);
        }
    }

    static Outgoing build0(Session session, int i, List<Mailbox> mailboxes, Contact c, String to, String idPrefix,
            String subjectTemplate, String bodyTemplate, String baseUrl) throws MessagingException, IOException {
        int mb = i % mailboxes.size();
        Mailbox m = mailboxes.get(mb);
        // A link of the server's shape: base64url("<ws>.<contact id>.<campaign id>") "." base64url(16-byte MAC)
        String payload = "1.ctc_" + String.format("%026d", i) + ".cmp_01jbenchsendcampaign0001";
        byte[] mac = new byte[16];
        new SplittableRandom(i).nextBytes(mac);
        String unsubscribe = baseUrl + "/u/" + B64.encodeToString(payload.getBytes(StandardCharsets.US_ASCII)) + "."
                + B64.encodeToString(mac);
        Map<String, String> values = new HashMap<>();
        values.put("email", c.email());
        values.put("firstName", c.firstName());
        values.put("lastName", c.lastName());
        values.put("company", c.company());
        values.put("senderFirstName", m.firstName());
        values.put("senderLastName", m.lastName());
        values.put("senderEmail", m.address());
        values.put("unsubscribeUrl", unsubscribe);
        SplittableRandom spin = new SplittableRandom(31L * i + 7);
        String subject = CR_LF.matcher(render(subjectTemplate, values, spin, false)).replaceAll(" ").strip();
        String html = render(bodyTemplate, values, spin, true);
        String text = htmlToText(html);

        String messageId = "<" + idPrefix + i + "." + HexFormat.of().toHexDigits(i * 2654435761L) + "@" + m.domain() + ">";
        MimeMessage msg = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        msg.setFrom(new InternetAddress(m.address(), (m.firstName() + " " + m.lastName()).strip(), "UTF-8"));
        String toName = (c.firstName() + " " + c.lastName()).strip();
        msg.setRecipient(Message.RecipientType.TO, new InternetAddress(to, toName, "UTF-8"));
        msg.setSubject(subject, "UTF-8");
        msg.setSentDate(new Date());
        msg.setHeader("List-Unsubscribe", "<" + unsubscribe + ">, <mailto:" + m.address() + "?subject=unsubscribe>");
        msg.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        MimeBodyPart textPart = new MimeBodyPart();
        textPart.setText(crlf(text), "UTF-8", "plain");
        MimeBodyPart htmlPart = new MimeBodyPart();
        htmlPart.setText(crlf(html), "UTF-8", "html");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(textPart);
        alternative.addBodyPart(htmlPart);
        msg.setContent(alternative);
        msg.saveChanges();
        return new Outgoing(mb, msg, new Address[] {new InternetAddress(to)});
    }

    static DkimSigner signer(String domain, RSAPrivateKey key) throws Exception {
        DkimSigner s = new DkimSigner(domain, "o2d", key);
        s.setHeaderCanonicalization(Canonicalization.RELAXED);
        s.setBodyCanonicalization(Canonicalization.RELAXED);
        s.setSigningAlgorithm(SigningAlgorithm.SHA256_WITH_RSA);
        s.setCheckDomainKey(false);
        s.setLengthParam(false);
        return s;
    }

    static Properties sessionProperties(String host, int port, String ehloDomain) {
        Properties p = new Properties();
        p.put("mail.smtp.host", host);
        p.put("mail.smtp.port", Integer.toString(port));
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.connectiontimeout", "15000");
        p.put("mail.smtp.timeout", "30000");
        p.put("mail.smtp.quitwait", "false");
        p.put("mail.smtp.allow8bitmime", "false");
        p.put("mail.smtp.starttls.enable", "false");
        p.put("mail.smtp.localhost", ehloDomain);
        return p;
    }

    // ---- a small template renderer: {{var}}, {{var|fallback}}, spintax {a|b{c|d}} ----

    private static final Pattern VAR = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_]+)\\s*(?:\\|([^}]*))?\\}\\}");

    static String render(String template, Map<String, String> values, SplittableRandom spin, boolean html) {
        // variables first (their braces are doubled), then spintax on what is left
        Matcher m = VAR.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 256);
        int last = 0;
        List<String> literals = new ArrayList<>();
        while (m.find()) {
            out.append(template, last, m.start());
            String v = values.get(m.group(1));
            if (v == null || v.isEmpty()) v = m.group(2) == null ? "" : m.group(2);
            if (html) v = escapeHtml(v);
            literals.add(v);
            out.append('\u0000').append(literals.size() - 1).append('\u0000'); // protected from spintax
            last = m.end();
        }
        out.append(template, last, template.length());
        String spun = spintax(out.toString(), spin);
        StringBuilder done = new StringBuilder(spun.length() + 256);
        for (int i = 0; i < spun.length(); i++) {
            char ch = spun.charAt(i);
            if (ch == '\u0000') {
                int end = spun.indexOf('\u0000', i + 1);
                done.append(literals.get(Integer.parseInt(spun.substring(i + 1, end))));
                i = end;
            } else {
                done.append(ch);
            }
        }
        return done.toString();
    }

    static String spintax(String s, SplittableRandom spin) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (ch != '{') {
                out.append(ch);
                i++;
                continue;
            }
            // find the matching brace and the top-level options
            int depth = 0;
            int j = i;
            List<String> options = new ArrayList<>();
            int from = i + 1;
            for (; j < s.length(); j++) {
                char c = s.charAt(j);
                if (c == '{') depth++;
                else if (c == '}') {
                    depth--;
                    if (depth == 0) break;
                } else if (c == '|' && depth == 1) {
                    options.add(s.substring(from, j));
                    from = j + 1;
                }
            }
            if (j >= s.length()) { // unbalanced: literal
                out.append(s, i, s.length());
                break;
            }
            options.add(s.substring(from, j));
            out.append(spintax(options.get(spin.nextInt(options.size())), spin));
            i = j + 1;
        }
        return out.toString();
    }

    static String escapeHtml(String v) {
        StringBuilder b = new StringBuilder(v.length() + 16);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final Pattern LINK = Pattern.compile("(?is)<a\\s[^>]*href=['\"]([^'\"]*)['\"][^>]*>(.*?)</a>");
    private static final Pattern BR = Pattern.compile("(?i)<br\\s*/?>");
    private static final Pattern BLOCK_END = Pattern.compile("(?i)</(p|div|h[1-6]|li|tr)>");
    private static final Pattern TAG = Pattern.compile("(?s)<[^>]+>");
    private static final Pattern SPACES = Pattern.compile("[ \\t]+");
    private static final Pattern LINE_SPACES = Pattern.compile(" *\\n *");
    private static final Pattern BLANK_LINES = Pattern.compile("\\n{3,}");
    private static final Pattern LINE_BREAK = Pattern.compile("\\r\\n|\\r|\\n");
    private static final Pattern CR_LF = Pattern.compile("[\\r\\n]+");

    /** Paragraphs and line breaks become new lines; links keep their target; tags go; a few entities decode. */
    static String htmlToText(String html) {
        String t = LINK.matcher(html).replaceAll("$2 ($1)");
        t = BR.matcher(t).replaceAll("\n");
        t = BLOCK_END.matcher(t).replaceAll("\n\n");
        t = TAG.matcher(t).replaceAll("");
        t = t.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&amp;", "&");
        t = SPACES.matcher(t).replaceAll(" ");
        t = LINE_SPACES.matcher(t).replaceAll("\n");
        t = BLANK_LINES.matcher(t).replaceAll("\n\n");
        return t.strip() + "\n";
    }

    static String crlf(String s) {
        return LINE_BREAK.matcher(s).replaceAll("\r\n");
    }

    // ---- plumbing ----

    static long size(MimeMessage m) {
        long[] n = new long[1];
        try {
            writeCounting(m, n);
        } catch (IOException | MessagingException e) {
            throw new IllegalStateException(e);
        }
        return n[0];
    }

    static void writeCounting(MimeMessage m, long[] n) throws IOException, MessagingException {
        m.writeTo(new OutputStream() {
            @Override
            public void write(int b) {
                n[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                n[0] += len;
            }
        });
    }

    static List<String[]> readTsv(String path) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(path), StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            String[] f = line.split("\t", -1);
            if (f.length < 4) throw new IllegalArgumentException(path + ": expected 4 tab-separated fields: " + line);
            rows.add(f);
        }
        return rows;
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) throw new IllegalArgumentException("usage: --name value ...");
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }

    static String required(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) throw new IllegalArgumentException("--" + name + " is required");
        return v;
    }

    static void log(String format, Object... args) {
        System.err.printf("[peer] " + format + "%n", args);
    }
}
