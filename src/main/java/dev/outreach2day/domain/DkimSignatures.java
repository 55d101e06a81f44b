package dev.outreach2day.domain;

import dev.outreach2day.platform.FrozenMessage;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DKIM signatures (RFC 6376) for mail sent from the workspace's domains (campaign sends, replies
 * from the inbox, warmup): rsa-sha256, relaxed/relaxed, over {@link #SIGNED_HEADERS} where
 * present, computed once over the final bytes.
 *
 * <p>The message is serialised once; the body hash and the header canonicalisation run over those
 * bytes, and the signed message ({@link FrozenMessage}) writes them back verbatim behind its
 * {@code DKIM-Signature} header. Verified by Apache jDKIM in the tests (including what a receiving server stored).
 */
public final class DkimSignatures {

    private static final Logger log = LoggerFactory.getLogger(DkimSignatures.class);

    private DkimSignatures() {}

    /** Headers covered by the DKIM signature (when present). */
    public static final List<String> SIGNED_HEADERS = List.of(
            "From", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
            "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Content-Type", "Content-Transfer-Encoding");

    /** d= and s= values: DNS labels, nothing that could end a tag or a header. */
    private static final Pattern DNS_NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?");

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte TAB = '\t';
    /** Never used to digest: only cloned (every Java platform has SHA-256). */
    private static final MessageDigest SHA256 = sha256Prototype();

    private static MessageDigest sha256Prototype() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no SHA-256 in this Java", e);
        }
    }

    /**
     * Signs {@code message} (which must have been saved: the campaign builder does it) with
     * rsa-sha256, relaxed/relaxed, covering {@link #SIGNED_HEADERS}. The signature is computed
     * once; the returned {@link FrozenMessage} writes exactly the signed bytes every time and
     * ignores {@code saveChanges()}.
     */
    public static FrozenMessage sign(MimeMessage message, String domain, String selector, RSAPrivateKey key)
            throws MessagingException {
        checkNames(domain, selector); // before the message is serialised
        byte[] unsigned = FrozenMessage.bytesOf(message);
        return FrozenMessage.withHeader(message, unsigned, signatureField(unsigned, domain, selector, key));
    }

    /**
     * Signs the serialised message {@code unsigned} (CRLF line ends, as it will be sent) like
     * {@link #sign(MimeMessage, String, String, RSAPrivateKey)}; the result writes the signature
     * header and then exactly those bytes.
     */
    public static FrozenMessage sign(Session session, byte[] unsigned, String domain, String selector, RSAPrivateKey key)
            throws MessagingException {
        return FrozenMessage.withHeader(session, unsigned, signatureField(unsigned, domain, selector, key));
    }

    /** The whole {@code DKIM-Signature} field for {@code unsigned} (folded with CRLF, without the final one). */
    private static String signatureField(byte[] unsigned, String domain, String selector, RSAPrivateKey key) throws MessagingException {
        checkNames(domain, selector);
        int headerEnd = FrozenMessage.headerEnd(unsigned); // the body starts 2 bytes on
        int bodyStart = Math.min(headerEnd + 2, unsigned.length);
        List<int[]> fields = fields(unsigned, headerEnd);

        try {
            MessageDigest sha256 = sha256();
            String bodyHash = Base64.getEncoder().encodeToString(sha256.digest(relaxedBody(unsigned, bodyStart)));

            // which header instances are signed: for each name, its instances from the bottom up (RFC 6376 §5.4.2)
            StringBuilder h = new StringBuilder();
            Canonical signedHeaders = new Canonical(1024);
            for (String name : SIGNED_HEADERS) {
                for (int i = fields.size() - 1; i >= 0; i--) {
                    int[] f = fields.get(i);
                    if (nameIs(unsigned, f, name)) {
                        if (!h.isEmpty()) h.append(':');
                        h.append(name);
                        relaxedHeader(unsigned, f[0], f[1], signedHeaders);
                        signedHeaders.write(CR);
                        signedHeaders.write(LF);
                    }
                }
            }
            String value = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=" + domain + "; s=" + selector + ";\r\n\tt="
                    + Instant.now().getEpochSecond() + "; h=" + foldColons(h.toString(), "\tt=0000000000; h=".length())
                    + ";\r\n\tbh=" + bodyHash + ";\r\n\tb=";
            byte[] header = ("DKIM-Signature: " + value).getBytes(StandardCharsets.US_ASCII);
            relaxedHeader(header, 0, header.length, signedHeaders); // with b= empty and no CRLF (§3.7)

            String b = Base64.getEncoder().encodeToString(rsaSha256(key, signedHeaders.toByteArray()));

            StringBuilder field = new StringBuilder(header.length + b.length() + 16).append("DKIM-Signature: ").append(value);
            for (int i = 0; i < b.length(); i += 64) {
                if (i > 0) field.append("\r\n\t");
                field.append(b, i, Math.min(b.length(), i + 64));
            }
            return field.toString();
        } catch (GeneralSecurityException e) {
            throw new MessagingException("DKIM signing failed", e);
        }
    }

    /** A fresh SHA-256 digest, cloned from the one looked up once (the provider lookup cost more than the clone). */
    private static MessageDigest sha256() throws GeneralSecurityException {
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            return MessageDigest.getInstance("SHA-256");
        }
    }

    private static void checkNames(String domain, String selector) throws MessagingException {
        if (domain == null || !DNS_NAME.matcher(domain).matches() || selector == null || !DNS_NAME.matcher(selector).matches()) {
            throw new MessagingException("DKIM signing needs a domain and a selector that are DNS names: " + domain + ", " + selector);
        }
    }

    /**
     * SHA256withRSA over {@code data}: through OpenSSL when it is there ({@link OpenSslRsa}, about
     * four times less CPU), else, or if OpenSSL fails, with the JDK. Both give the same bytes.
     */
    static byte[] rsaSha256(RSAPrivateKey key, byte[] data) throws GeneralSecurityException {
        var openSsl = OpenSslRsa.instance();
        if (openSsl.isPresent() && key instanceof RSAPrivateCrtKey crt) {
            try {
                return openSsl.get().sign(crt, data);
            } catch (IllegalStateException e) {
                log.warn("DKIM: OpenSSL could not sign ({}); signing with the JDK", e.getMessage());
            }
        }
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(data);
        return rsa.sign();
    }

    // ---------------------------------------------------------------------------------------------

    /** The header fields before {@code end}: [start, end) of each, folded lines included, final CRLF excluded. */
    static List<int[]> fields(byte[] m, int end) {
        List<int[]> fields = new ArrayList<>(24);
        int start = 0;
        int i = 0;
        while (i < end) {
            int eol = i;
            while (eol < end && !(m[eol] == CR && eol + 1 < m.length && m[eol + 1] == LF)) eol++;
            int next = Math.min(eol + 2, end);
            boolean continues = next < end && (m[next] == SP || m[next] == TAB);
            if (!continues) {
                fields.add(new int[] {start, eol});
                start = next;
            }
            i = next;
        }
        return fields;
    }

    private static boolean nameIs(byte[] m, int[] f, String name) {
        int n = name.length();
        if (f[1] - f[0] <= n) return false;
        for (int i = 0; i < n; i++) {
            int c = m[f[0] + i];
            if (Character.toLowerCase(c) != Character.toLowerCase(name.charAt(i))) return false;
        }
        int j = f[0] + n;
        while (j < f[1] && (m[j] == SP || m[j] == TAB)) j++;
        return j < f[1] && m[j] == ':';
    }

    /**
     * Relaxed header canonicalisation (RFC 6376 §3.4.2) of the field in [start, end), without the
     * final CRLF: name lower-cased, unfolded, runs of WSP as one SP, no WSP at the ends of the value
     * or around the colon.
     */
    static void relaxedHeader(byte[] m, int start, int end, Canonical out) {
        int colon = start;
        while (colon < end && m[colon] != ':') colon++;
        int nameEnd = colon;
        while (nameEnd > start && (m[nameEnd - 1] == SP || m[nameEnd - 1] == TAB)) nameEnd--;
        for (int i = start; i < nameEnd; i++) {
            byte c = m[i];
            out.write(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        }
        out.write(':');
        boolean pendingSpace = false;
        boolean any = false;
        for (int i = colon + 1; i < end; i++) {
            byte c = m[i];
            if (c == CR || c == LF) continue; // unfolding
            if (c == SP || c == TAB) {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace && any) out.write(SP);
            pendingSpace = false;
            any = true;
            out.write(c);
        }
    }

    /**
     * Relaxed body canonicalisation (RFC 6376 §3.4.4): runs of WSP as one SP, no WSP at line ends,
     * no empty lines at the end, a CRLF after the last line; an empty body stays empty.
     */
    static byte[] relaxedBody(byte[] m, int start) {
        byte[] out = new byte[m.length - start + 2];
        int o = 0;
        int emptyLines = 0;
        int i = start;
        while (i < m.length) {
            int lineStart = o;
            boolean pendingSpace = false;
            int j = i;
            while (j < m.length && !(m[j] == CR && j + 1 < m.length && m[j + 1] == LF)) {
                byte c = m[j++];
                if (c == SP || c == TAB) {
                    pendingSpace = true;
                } else {
                    if (pendingSpace) out[o++] = SP;
                    pendingSpace = false;
                    out[o++] = c;
                }
            }
            i = j + 2; // past the CRLF (or past the end)
            if (o == lineStart) {
                emptyLines++;
                continue;
            }
            if (emptyLines > 0) { // empty lines inside the body are kept: put them before this line
                int len = o - lineStart;
                out = ensure(out, o + 2 * emptyLines + 2);
                System.arraycopy(out, lineStart, out, lineStart + 2 * emptyLines, len);
                for (int k = 0; k < emptyLines; k++) {
                    out[lineStart + 2 * k] = CR;
                    out[lineStart + 2 * k + 1] = LF;
                }
                o += 2 * emptyLines;
                emptyLines = 0;
            }
            out = ensure(out, o + 2);
            out[o++] = CR;
            out[o++] = LF;
        }
        return o == out.length ? out : java.util.Arrays.copyOf(out, o);
    }

    /**
     * The signed headers' canonical bytes, written a byte at a time: a growable buffer without the
     * lock {@link java.io.ByteArrayOutputStream} takes on every write (in the DKIM send benchmark's
     * profile that lock was the largest part of the headers' canonicalisation).
     */
    static final class Canonical {
        private byte[] b;
        private int size;

        Canonical(int capacity) {
            b = new byte[capacity];
        }

        void write(int c) {
            if (size == b.length) b = java.util.Arrays.copyOf(b, size * 2);
            b[size++] = (byte) c;
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(b, size);
        }
    }

    private static byte[] ensure(byte[] b, int size) {
        return size <= b.length ? b : java.util.Arrays.copyOf(b, Math.max(size, b.length * 2));
    }

    /** A colon-separated list folded (before a colon) so no line passes 76 characters. */
    private static String foldColons(String list, int firstLineUsed) {
        StringBuilder out = new StringBuilder(list.length() + 16);
        int line = firstLineUsed;
        String[] names = list.split(":");
        for (int i = 0; i < names.length; i++) {
            String piece = (i == 0 ? "" : ":") + names[i];
            if (i > 0 && line + piece.length() > 76) {
                out.append("\r\n\t");
                line = 1;
            }
            out.append(piece);
            line += piece.length();
        }
        return out.toString();
    }
}
