package dev.outreach2day.delivery;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import dev.outreach2day.domain.DkimSignatures;
import dev.outreach2day.platform.FrozenMessage;

/**
 * Builds, signs and serialises the MIME message one campaign send puts on the wire.
 *
 * <p>Life of a message in the engine: {@link #write} (the message's bytes, written directly) →
 * {@link #sign(Session, byte[], String, String, RSAPrivateKey)} (DKIM computed once over those
 * bytes) or {@link #freeze(Session, byte[])} → {@code transport.sendMessage(message, recipients)}.
 * {@link #build} makes the same message through Jakarta Mail (headers set, {@code saveChanges()}
 * done, Message-ID kept exactly as given); it is the reference {@code write} is tested against byte
 * for byte ({@code OutgoingMessageTest}). Never {@code Transport.send}: it calls {@code
 * saveChanges()}, which would regenerate the Message-ID; the signed and frozen messages ignore
 * {@code saveChanges()} anyway, so their bytes cannot change after signing.
 */
final class OutgoingMessage {

    /**
     * What one send needs. Both bodies → multipart/alternative (text, then HTML); {@code
     * htmlBody} null → text/plain; {@code textBody} null → text/html alone. Nothing is derived
     * from the other body: the caller passes both. Message ids are {@code <local@domain>} (the
     * angle brackets are added when missing). {@code listUnsubscribeUrl} / {@code
     * listUnsubscribeMailto} may each be null. {@code extraHeaders} may be null; it cannot
     * override the headers this class writes.
     */
    record Spec(
            String fromAddress,
            String fromName,
            String to,
            String toName,
            String subject,
            String textBody,
            String htmlBody,
            String messageId,
            String inReplyTo,
            List<String> references,
            String listUnsubscribeUrl,
            String listUnsubscribeMailto,
            Map<String, String> extraHeaders) {}

    /** Headers covered by the DKIM signature (when present). */
    static final List<String> SIGNED_HEADERS = DkimSignatures.SIGNED_HEADERS;

    private static final String UTF8 = "UTF-8";

    /** Headers this class owns; {@code extraHeaders} cannot set them. */
    private static final Set<String> RESERVED = reserved();

    private static final Pattern HEADER_NAME = Pattern.compile("[!-9;-~]+"); // printable ASCII except ':'
    private static final Pattern MSG_ID = Pattern.compile("<[^<>\\s\"@]+@[^<>\\s\"@]+>");
    private static final Pattern LINE_BREAK = Pattern.compile("\\r\\n|\\r|\\n");
    private static final DateTimeFormatter DATE_FORMAT =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.US);

    private OutgoingMessage() {}

    static MimeMessage build(Session session, Spec spec) throws MessagingException {
        return build(session, spec, Instant.now());
    }

    /** As {@link #build(Session, Spec)}, with the {@code Date} header given (tests, replays). */
    static MimeMessage build(Session session, Spec spec, Instant date) throws MessagingException {
        return build(session, spec, date, randomBoundary());
    }

    /** As {@link #build(Session, Spec, Instant)}, with the multipart boundary given (tests). */
    static MimeMessage build(Session session, Spec spec, Instant date, String boundary) throws MessagingException {
        List<String[]> headers = headers(spec, date);
        FixedIdMessage m = new FixedIdMessage(session, headers.get(MESSAGE_ID)[1]);
        for (String[] h : headers) {
            if (h != null) m.setHeader(h[0], h[1]);
        }
        if (spec.htmlBody() == null) {
            setText(m, crlf(spec.textBody()), "plain");
        } else if (spec.textBody() == null) {
            setText(m, crlf(spec.htmlBody()), "html");
        } else {
            MimeBodyPart textPart = new MimeBodyPart();
            setText(textPart, crlf(spec.textBody()), "plain");
            MimeBodyPart htmlPart = new MimeBodyPart();
            setText(htmlPart, crlf(spec.htmlBody()), "html");
            MimeMultipart alternative = new BoundaryMultipart("alternative", boundary);
            alternative.addBodyPart(textPart);
            alternative.addBodyPart(htmlPart);
            m.setContent(alternative);
        }
        // Fixes MIME-Version, Content-Type, Content-Transfer-Encoding; keeps our Message-ID.
        m.saveChanges();
        return m;
    }

    /**
     * The bytes {@link #build} then {@code writeTo} give, written directly: the same header values
     * (from {@link #headers}) in the order Jakarta Mail's {@code InternetHeaders} keeps, the same
     * content types and transfer encodings, the encoded bodies. About a tenth of the work: no
     * header parsing, no data handlers, no byte-at-a-time stream layers. {@code
     * OutgoingMessageTest} checks it against {@code build} byte for byte.
     */
    static byte[] write(Spec spec, Instant date) {
        return write(spec, date, randomBoundary());
    }

    /** As {@link #write(Spec, Instant)}, with the multipart boundary given (tests). */
    static byte[] write(Spec spec, Instant date, String boundary) {
        List<String[]> headers = headers(spec, date);
        Bytes out = new Bytes(spec.textBody() == null || spec.htmlBody() == null ? 4096 : 8192);
        // UTF-8 first, line ends after: CR and LF are single bytes in UTF-8, never inside a character
        byte[] text = spec.textBody() == null ? null : crlf(spec.textBody().getBytes(StandardCharsets.UTF_8));
        byte[] html = spec.htmlBody() == null ? null : crlf(spec.htmlBody().getBytes(StandardCharsets.UTF_8));
        boolean single = text == null || html == null;
        // InternetHeaders' order: Date, From, To, Message-ID, In-Reply-To, References, Subject, MIME-Version,
        // Content-Type, Content-Transfer-Encoding, then the others as they were added
        for (int i = 0; i <= SUBJECT; i++) {
            if (headers.get(i) != null) out.header(headers.get(i)[0], headers.get(i)[1]);
        }
        out.header("MIME-Version", "1.0");
        if (single) {
            byte[] body = text != null ? text : html;
            String encoding = transferEncoding(body);
            out.header("Content-Type", text != null ? TEXT_PLAIN : TEXT_HTML);
            out.header("Content-Transfer-Encoding", encoding);
            for (int i = SUBJECT + 1; i < headers.size(); i++) out.header(headers.get(i)[0], headers.get(i)[1]);
            out.crlf();
            out.body(body, encoding);
            return out.toByteArray();
        }
        out.header("Content-Type", multipartType("alternative", boundary));
        for (int i = SUBJECT + 1; i < headers.size(); i++) out.header(headers.get(i)[0], headers.get(i)[1]);
        out.crlf();
        out.part(boundary, TEXT_PLAIN, text);
        out.part(boundary, TEXT_HTML, html);
        out.ascii("--").ascii(boundary).ascii("--").crlf();
        return out.toByteArray();
    }

    private static final String TEXT_PLAIN = "text/plain; charset=UTF-8";
    private static final String TEXT_HTML = "text/html; charset=UTF-8";
    /** Indexes in {@link #headers}' list (the entries up to {@code SUBJECT} may be null). */
    private static final int MESSAGE_ID = 3;
    private static final int SUBJECT = 6;

    /**
     * The header fields a send sets, as (name, value) pairs, values encoded and folded as Jakarta
     * Mail's setters do: Date, From, To, Message-ID, In-Reply-To (or null), References (or null),
     * Subject, then List-Unsubscribe, List-Unsubscribe-Post and the extra headers when present.
     * Everything the spec holds is checked here, so {@link #build} and {@link #write} refuse alike.
     */
    static List<String[]> headers(Spec spec, Instant date) {
        require(spec.fromAddress(), "fromAddress");
        require(spec.to(), "to");
        if (spec.textBody() == null && spec.htmlBody() == null) {
            throw new IllegalArgumentException("textBody or htmlBody is required");
        }
        require(spec.messageId(), "messageId");
        List<String[]> h = new ArrayList<>(12);
        // RFC 5322 date in UTC, without Jakarta Mail's "(UTC)" comment.
        h.add(new String[] {"Date", date(date)});
        h.add(new String[] {"From", InternetAddress.toString(
                new Address[] {address(spec.fromAddress(), spec.fromName(), "fromAddress")}, "From".length() + 2)});
        h.add(new String[] {"To", InternetAddress.toString(new Address[] {address(spec.to(), spec.toName(), "to")}, "To".length() + 2)});
        h.add(new String[] {"Message-ID", messageId(spec.messageId(), "messageId")});
        h.add(spec.inReplyTo() != null && !spec.inReplyTo().isBlank()
                ? new String[] {"In-Reply-To", messageId(spec.inReplyTo(), "inReplyTo")} : null);
        String[] references = null;
        if (spec.references() != null && !spec.references().isEmpty()) {
            StringBuilder refs = new StringBuilder();
            for (String r : spec.references()) {
                if (r == null || r.isBlank()) {
                    continue;
                }
                if (!refs.isEmpty()) {
                    refs.append(' ');
                }
                refs.append(messageId(r, "references"));
            }
            if (!refs.isEmpty()) {
                references = new String[] {"References", MimeUtility.fold("References: ".length(), refs.toString())};
            }
        }
        h.add(references);
        try {
            h.add(new String[] {"Subject", MimeUtility.fold(9, MimeUtility.encodeText(
                    oneLine(spec.subject() == null ? "" : spec.subject()), UTF8, null))});
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
        String unsubscribe = listUnsubscribe(spec.listUnsubscribeUrl(), spec.listUnsubscribeMailto());
        if (unsubscribe != null) {
            // Kept on one line (some List-Unsubscribe parsers mishandle folding) unless it would
            // pass the 998-octet hard limit.
            h.add(new String[] {"List-Unsubscribe", "List-Unsubscribe: ".length() + unsubscribe.length() <= 998
                    ? unsubscribe
                    : MimeUtility.fold("List-Unsubscribe: ".length(), unsubscribe)});
            if (spec.listUnsubscribeUrl() != null && !spec.listUnsubscribeUrl().isBlank()) {
                // RFC 8058 one-click: a POST to the URL unsubscribes without a confirmation page.
                h.add(new String[] {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"});
            }
        }
        if (spec.extraHeaders() != null && !spec.extraHeaders().isEmpty()) { // the engine passes none: no set per message
            Set<String> seen = new TreeSet<>();
            for (Map.Entry<String, String> e : spec.extraHeaders().entrySet()) {
                String name = e.getKey();
                if (name == null || !HEADER_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("invalid header name: " + name);
                }
                if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("header " + name + " cannot be set through extraHeaders");
                }
                if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("header " + name + " is given twice");
                }
                String value = e.getValue() == null ? "" : e.getValue();
                if (hasLineBreak(value)) {
                    throw new IllegalArgumentException("header " + name + " contains a line break");
                }
                h.add(new String[] {name, MimeUtility.fold(name.length() + 2, encodeIfNeeded(value))});
            }
        }
        return h;
    }

    /** The last second formatted: sends in the same second share the Date text. */
    private static volatile FormattedSecond lastDate = new FormattedSecond(Long.MIN_VALUE, "");

    private record FormattedSecond(long epochSecond, String text) {}

    private static String date(Instant date) {
        FormattedSecond last = lastDate;
        if (last.epochSecond() == date.getEpochSecond()) return last.text();
        String text = DATE_FORMAT.format(date.atOffset(ZoneOffset.UTC));
        lastDate = new FormattedSecond(date.getEpochSecond(), text);
        return text;
    }

    /** {@code multipart/<subtype>} with the boundary, as Jakarta Mail's {@code ContentType} writes (and folds) it. */
    private static String multipartType(String subtype, String boundary) {
        ContentType ct = new ContentType("multipart", subtype, null);
        ct.setParameter("boundary", boundary);
        return ct.toString();
    }

    private static String randomBoundary() {
        byte[] random = new byte[18];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(random); // unique enough for a boundary; nothing secret
        return "=_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /**
     * UTF-8 text, with the Content-Transfer-Encoding Jakarta Mail would choose ({@link
     * #transferEncoding}) set up front: {@code saveChanges()} would otherwise find it by writing
     * the whole text through the content handler once more, only to look at its bytes.
     */
    private static void setText(jakarta.mail.internet.MimePart part, String text, String subtype) throws MessagingException {
        part.setText(text, UTF8, subtype); // (drops any Content-Transfer-Encoding)
        part.setHeader("Content-Transfer-Encoding", transferEncoding(text));
    }

    /**
     * What {@code MimeUtility.getEncoding} picks for {@code text} as UTF-8: "7bit" when every byte is
     * ASCII (no control characters but CR, LF and TAB) and no line passes 998 bytes;
     * "quoted-printable" when the ASCII bytes outnumber the others; else "base64".
     */
    static String transferEncoding(String text) {
        return transferEncoding(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@link #transferEncoding(String)} over the text's UTF-8 bytes (what is sent): a lone surrogate
     * is already the ASCII '?' there, each other character counts its UTF-8 bytes.
     */
    static String transferEncoding(byte[] utf8) {
        long other = 0;
        int line = 0;
        boolean longLine = false;
        for (byte b : utf8) {
            if (b == '\r' || b == '\n') {
                line = 0;
                continue;
            }
            if (++line > 998) longLine = true;
            if (b < 0x20 ? b != '\t' : b >= 0x7F) other++; // negative bytes: non-ASCII
        }
        if (other == 0) return longLine ? "quoted-printable" : "7bit";
        return utf8.length - other > other ? "quoted-printable" : "base64";
    }


    /** {@link DkimSignatures#sign}: the signed message writes exactly the signed bytes and ignores {@code saveChanges()}. */
    static MimeMessage sign(MimeMessage message, String domain, String selector, RSAPrivateKey key) throws MessagingException {
        return DkimSignatures.sign(message, domain, selector, key);
    }

    /** The message {@link #write} wrote, signed: {@link DkimSignatures#sign(Session, byte[], String, String, RSAPrivateKey)}. */
    static MimeMessage sign(Session session, byte[] written, String domain, String selector, RSAPrivateKey key) throws MessagingException {
        return DkimSignatures.sign(session, written, domain, selector, key);
    }

    /** The message {@link #write} wrote, as a message that writes exactly those bytes. */
    static MimeMessage freeze(Session session, byte[] written) throws MessagingException {
        return FrozenMessage.of(session, written);
    }

    /** The built message frozen to its bytes, so it goes to the SMTP stream in one write (what {@link #sign} returns is already). */
    static MimeMessage freeze(MimeMessage message) throws MessagingException {
        return FrozenMessage.of(message);
    }

    /** The bytes {@code message} puts on the wire (before SMTP dot-stuffing). */
    static byte[] bytes(MimeMessage message) {
        try {
            return FrozenMessage.bytesOf(message);
        } catch (MessagingException e) {
            throw new IllegalStateException("cannot serialise message", e);
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** A message whose Message-ID is the one given: {@code saveChanges()} does not replace it. */
    static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }

    /**
     * A multipart with the boundary given: random ({@link #randomBoundary}) rather than Jakarta
     * Mail's recognisable {@code ----=_Part_N_hash.millis} pattern.
     */
    static final class BoundaryMultipart extends MimeMultipart {
        BoundaryMultipart(String subtype, String boundary) {
            super(subtype);
            contentType = multipartType(subtype, boundary);
        }
    }

    /** An unsynchronised byte buffer that writes header fields, CRLFs and encoded bodies. */
    private static final class Bytes extends ByteArrayOutputStream {
        Bytes(int size) {
            super(size);
        }

        Bytes ascii(String s) {
            int n = s.length();
            ensure(count + n);
            for (int i = 0; i < n; i++) buf[count++] = (byte) s.charAt(i); // header values are ASCII once encoded
            return this;
        }

        Bytes crlf() {
            ensure(count + 2);
            buf[count++] = '\r';
            buf[count++] = '\n';
            return this;
        }

        void header(String name, String value) {
            ascii(name).ascii(": ").ascii(value).crlf();
        }

        /** One body part of a multipart: its boundary line, headers, encoded text and the CRLF after it. */
        void part(String boundary, String contentType, byte[] utf8) {
            String encoding = transferEncoding(utf8);
            ascii("--").ascii(boundary).crlf();
            header("Content-Type", contentType);
            header("Content-Transfer-Encoding", encoding);
            crlf();
            body(utf8, encoding);
            crlf();
        }

        /** UTF-8 text in the transfer encoding (7bit, quoted-printable or base64) Jakarta Mail uses. */
        void body(byte[] utf8, String encoding) {
            if (encoding.equals("7bit")) {
                write(utf8, 0, utf8.length);
                return;
            }
            try {
                var encoder = MimeUtility.encode(this, encoding);
                encoder.write(utf8);
                encoder.flush(); // as Jakarta Mail ends a part: flushed, not closed (closing base64 adds a CRLF)
            } catch (IOException | MessagingException e) {
                throw new IllegalStateException("cannot encode a body as " + encoding, e);
            }
        }

        @Override
        public void write(int b) {
            ensure(count + 1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(count + len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void ensure(int size) {
            if (size > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(size, buf.length * 2));
        }

        @Override
        public byte[] toByteArray() {
            return java.util.Arrays.copyOf(buf, count);
        }
    }

    private static Set<String> reserved() {
        Set<String> r = new TreeSet<>();
        for (String h : List.of("From", "Sender", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "In-Reply-To",
                "References", "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Content-Type",
                "Content-Transfer-Encoding", "Content-Disposition", "Content-ID", "DKIM-Signature", "Return-Path",
                "Received", "X-Mailer")) {
            r.add(h.toLowerCase(Locale.ROOT));
        }
        return r;
    }


    private static InternetAddress address(String address, String name, String field) {
        if (hasLineBreak(address) || (name != null && hasLineBreak(name))) {
            throw new IllegalArgumentException(field + " contains a line break");
        }
        try {
            InternetAddress parsed = new InternetAddress(address.strip(), true);
            if (parsed.isGroup() || parsed.getPersonal() != null) {
                throw new IllegalArgumentException(field + " must be a bare address: " + address);
            }
            return name == null || name.isBlank()
                    ? parsed
                    : new InternetAddress(parsed.getAddress(), name.strip(), UTF8);
        } catch (jakarta.mail.internet.AddressException | UnsupportedEncodingException e) {
            throw new IllegalArgumentException(field + " is not a valid address: " + address, e);
        }
    }

    private static String messageId(String id, String field) {
        String v = id.strip();
        if (!v.startsWith("<")) {
            v = "<" + v + ">";
        }
        if (!MSG_ID.matcher(v).matches()) {
            throw new IllegalArgumentException(field + " is not a message id (<local@domain>): " + id);
        }
        return v;
    }

    private static String listUnsubscribe(String url, String mailto) {
        StringBuilder b = new StringBuilder();
        if (url != null && !url.isBlank()) {
            String u = url.strip();
            if (!(u.regionMatches(true, 0, "https://", 0, 8) || u.regionMatches(true, 0, "http://", 0, 7))) {
                throw new IllegalArgumentException("listUnsubscribeUrl must be http(s): " + url);
            }
            b.append('<').append(checkUri(u, "listUnsubscribeUrl")).append('>');
        }
        if (mailto != null && !mailto.isBlank()) {
            String u = mailto.strip();
            if (!u.regionMatches(true, 0, "mailto:", 0, 7)) {
                u = "mailto:" + u;
            }
            if (!b.isEmpty()) {
                b.append(", ");
            }
            b.append('<').append(checkUri(u, "listUnsubscribeMailto")).append('>');
        }
        return b.isEmpty() ? null : b.toString();
    }

    private static String checkUri(String uri, String field) {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"') {
                throw new IllegalArgumentException(field + " must be an ASCII URI without spaces or <>\": " + uri);
            }
        }
        return uri;
    }

    private static boolean hasLineBreak(String s) {
        return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
    }

    /** Subjects are one line: line breaks become spaces. */
    private static String oneLine(String s) {
        return LINE_BREAK.matcher(s).replaceAll(" ");
    }

    /** Bodies go out with CRLF line ends, so what is signed is what is sent. */
    /** Every line break (CRLF, lone CR, lone LF) as CRLF; a plain loop, as it runs on every body of every send. */
    /** {@link #crlf(String)} over UTF-8 bytes. */
    static byte[] crlf(byte[] b) {
        int n = b.length;
        int lone = 0;
        for (int i = 0; i < n; i++) {
            if (b[i] == '\r') {
                if (i + 1 < n && b[i + 1] == '\n') i++;
                else lone++;
            } else if (b[i] == '\n') {
                lone++;
            }
        }
        if (lone == 0) return b;
        byte[] out = new byte[n + lone];
        int o = 0;
        int copied = 0;
        for (int i = 0; i < n; i++) {
            if (b[i] == '\r' && i + 1 < n && b[i + 1] == '\n') {
                i++;
            } else if (b[i] == '\r' || b[i] == '\n') {
                System.arraycopy(b, copied, out, o, i - copied);
                o += i - copied;
                out[o++] = '\r';
                out[o++] = '\n';
                copied = i + 1;
            }
        }
        System.arraycopy(b, copied, out, o, n - copied);
        return out;
    }

    static String crlf(String s) {
        int n = s.length();
        StringBuilder out = null;
        int copied = 0; // s[0, copied) is in out
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') {
                i++;
            } else if (c == '\r' || c == '\n') {
                if (out == null) out = new StringBuilder(n + 64);
                out.append(s, copied, i).append("\r\n");
                copied = i + 1;
            }
        }
        return out == null ? s : out.append(s, copied, n).toString();
    }

    private static String encodeIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x7f) {
                try {
                    return MimeUtility.encodeText(value, UTF8, null);
                } catch (UnsupportedEncodingException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return value;
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
    }
}
