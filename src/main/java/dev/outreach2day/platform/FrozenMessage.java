package dev.outreach2day.platform;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.SharedByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Enumeration;

/**
 * A message frozen to its bytes: made once from a saved message (and, for a DKIM signature, a
 * header put in front), it writes exactly those bytes every time. {@code saveChanges()} and
 * Message-ID updates are no-ops, so a transport or a careless {@code Transport.send} cannot change
 * what was signed or sent. Headers and content read like the message it was made from (its parsed
 * headers are taken over, the content is read from the bytes, nothing is parsed again).
 *
 * <p>Writing a message through Jakarta Mail's content handlers goes a byte at a time through
 * several stream layers; a frozen message goes to the SMTP stream in one write.
 */
public final class FrozenMessage extends MimeMessage {

    private final byte[] raw;

    private FrozenMessage(MimeMessage from, String firstHeader, byte[] raw, int bodyStart) throws MessagingException {
        super(from.getSession());
        this.raw = raw;
        InternetHeaders copy = new InternetHeaders();
        if (firstHeader != null) copy.addHeaderLine(firstHeader);
        for (Enumeration<String> lines = from.getAllHeaderLines(); lines.hasMoreElements(); ) {
            copy.addHeaderLine(lines.nextElement());
        }
        headers = copy;
        contentStream = new SharedByteArrayInputStream(raw, bodyStart, raw.length - bodyStart);
        modified = false;
        saved = true;
    }

    /** A message frozen to {@code raw} (a whole serialised message, CRLF line ends), its headers parsed from those bytes. */
    private FrozenMessage(Session session, byte[] raw) throws MessagingException {
        super(session);
        this.raw = raw;
        int bodyStart = bodyStart(raw);
        headers = new InternetHeaders(new HeaderBytes(raw, bodyStart));
        contentStream = new SharedByteArrayInputStream(raw, bodyStart, raw.length - bodyStart);
        modified = false;
        saved = true;
    }

    /** The message {@code raw} holds (a whole serialised message, as a message writer made it), frozen to those bytes. */
    public static FrozenMessage of(Session session, byte[] raw) throws MessagingException {
        return new FrozenMessage(session, raw.clone());
    }

    /**
     * The message {@code unsigned} holds with {@code header} (a whole header field, folded lines
     * joined by CRLF, without the final CRLF) in front, frozen to those bytes.
     */
    public static FrozenMessage withHeader(Session session, byte[] unsigned, String header) throws MessagingException {
        return new FrozenMessage(session, prepend(header, unsigned));
    }

    /** {@code message} (saved) frozen to the bytes it writes now. */
    public static FrozenMessage of(MimeMessage message) throws MessagingException {
        if (message instanceof FrozenMessage f) return f;
        byte[] raw = bytesOf(message);
        return new FrozenMessage(message, null, raw, bodyStart(raw));
    }

    /**
     * {@code message} frozen to {@code unsigned} (the bytes it writes, from {@link #bytesOf}) with
     * {@code header} (a whole header field, folded lines joined by CRLF, without the final CRLF)
     * in front.
     */
    public static FrozenMessage withHeader(MimeMessage message, byte[] unsigned, String header) throws MessagingException {
        byte[] raw = prepend(header, unsigned);
        return new FrozenMessage(message, header, raw, raw.length - unsigned.length + bodyStart(unsigned));
    }

    private static byte[] prepend(String header, byte[] message) {
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        byte[] raw = Arrays.copyOf(h, h.length + 2 + message.length);
        raw[h.length] = '\r';
        raw[h.length + 1] = '\n';
        System.arraycopy(message, 0, raw, h.length + 2, message.length);
        return raw;
    }

    /** The bytes {@code message} writes (before SMTP dot-stuffing). */
    public static byte[] bytesOf(MimeMessage message) throws MessagingException {
        if (message instanceof FrozenMessage f) return f.raw.clone();
        Buffer out = new Buffer();
        try {
            message.writeTo(out);
        } catch (IOException e) {
            throw new MessagingException("cannot serialise the message", e);
        }
        return out.toByteArray();
    }

    /** The exact bytes this message writes. */
    public byte[] bytes() {
        return raw.clone();
    }

    @Override
    public void saveChanges() {
        // frozen
    }

    @Override
    protected void updateMessageID() {
        // frozen: keep the Message-ID
    }

    @Override
    public void writeTo(OutputStream os, String[] ignoreList) throws IOException, MessagingException {
        if (ignoreList == null || !hasAnyHeader(ignoreList)) {
            os.write(raw);
            os.flush();
            return;
        }
        super.writeTo(os, ignoreList);
    }

    private boolean hasAnyHeader(String[] names) throws MessagingException {
        for (String n : names) {
            if (getHeader(n) != null) return true;
        }
        return false;
    }

    /**
     * Index of the CRLF that ends the header section of a serialised message (the empty line;
     * the headers before it keep their last CRLF), or the length when there is none.
     */
    public static int headerEnd(byte[] m) {
        if (m.length >= 2 && m[0] == '\r' && m[1] == '\n') return 0;
        for (int i = 0; i + 3 < m.length; i++) {
            if (m[i] == '\r' && m[i + 1] == '\n' && m[i + 2] == '\r' && m[i + 3] == '\n') return i + 2;
        }
        return m.length;
    }

    /** Where the body starts: after the empty line (the end when there is none). */
    private static int bodyStart(byte[] m) {
        return Math.min(headerEnd(m) + 2, m.length);
    }

    /**
     * The header section for {@link InternetHeaders}, which reads it a byte at a time: without the
     * lock {@link java.io.ByteArrayInputStream} takes on every byte (in the send benchmark's profile
     * that read was the largest part of freezing a message).
     */
    private static final class HeaderBytes extends java.io.InputStream {
        private final byte[] b;
        private final int end;
        private int pos;

        HeaderBytes(byte[] b, int end) {
            this.b = b;
            this.end = end;
        }

        @Override
        public int read() {
            return pos < end ? b[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] into, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, into.length);
            if (len == 0) return 0;
            if (pos >= end) return -1;
            int n = Math.min(len, end - pos);
            System.arraycopy(b, pos, into, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return end - pos;
        }
    }

    /** An unsynchronised growable buffer: Jakarta Mail writes content a byte at a time. */
    private static final class Buffer extends OutputStream {
        private byte[] buf = new byte[8192];
        private int size;

        @Override
        public void write(int b) {
            if (size == buf.length) buf = Arrays.copyOf(buf, size * 2);
            buf[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (size + len > buf.length) buf = Arrays.copyOf(buf, Math.max(size + len, size * 2));
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }
}
