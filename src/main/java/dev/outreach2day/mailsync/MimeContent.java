package dev.outreach2day.mailsync;

import jakarta.activation.DataSource;
import jakarta.mail.FolderClosedException;
import jakarta.mail.Header;
import jakarta.mail.MessageRemovedException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.StoreClosedException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.SharedByteArrayInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an inbound message into plain values: ids, addresses, date, the best text and HTML
 * bodies and attachment metadata. Built for mail from the wild: it never throws on broken MIME
 * (bad charsets, unknown transfer encodings, missing boundaries, truncated base64, raw 8-bit
 * headers) and returns whatever can be read.
 *
 * <p>Bodies are read from the raw (still transfer-encoded) stream and decoded here, leniently,
 * so Jakarta Mail's content handlers (and their exceptions) are never involved. Charset rules:
 * the declared charset is used when Java knows it, except that ISO-8859-1 / US-ASCII are read as
 * windows-1252 (a superset, as browsers do); an undeclared, unknown or illegal charset — or
 * declared UTF-8 that is not — is read as UTF-8 when the bytes are (mostly) valid UTF-8, else as
 * windows-1252.
 */
final class MimeContent {

    private MimeContent() {}

    /**
     * One parsed message. {@code messageId} is never null ({@code <…>}; synthetic when the message
     * has none, see {@link #parse}); {@code inReplyTo} is the first {@code <id>} of In-Reply-To
     * (null when none); {@code references} the {@code <id>} tokens of References in order (possibly
     * empty); addresses are lower-case; {@code fromName}, {@code subject}, {@code date}, {@code
     * inReplyTo} and {@code html} may be null; {@code text} is never null ("" when the message has no
     * readable text; derived from the HTML when there is no text part). {@code headers}: the
     * first value of each header, keyed by lower-case name, unfolded and RFC 2047-decoded, in
     * message order.
     */
    record Parsed(
            String messageId,
            String inReplyTo,
            List<String> references,
            String subject,
            String from,
            String fromName,
            List<String> to,
            List<String> cc,
            Instant date,
            String text,
            String html,
            List<Attachment> attachments,
            Map<String, String> headers) {}

    /** Metadata of one attachment; {@code filename} may be null, {@code size} is -1 when unknown. */
    record Attachment(String filename, String contentType, long size) {}

    /**
     * The message cannot be read any more: its folder or store was closed (connection lost) or it
     * was expunged. Unlike broken MIME this is not swallowed — a half-read message must not be
     * stored as if it were complete; reconnect and retry, or skip the message.
     */
    static final class MessageUnavailableException extends RuntimeException {
        MessageUnavailableException(Throwable cause) {
            super("message no longer readable: " + cause, cause);
        }
    }

    /** Rethrows connection loss / expunge (in any cause chain) as {@link MessageUnavailableException}. */
    static void failIfUnavailable(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
            if (t instanceof MessageUnavailableException mu) throw mu;
            String name = t.getClass().getSimpleName();
            if (t instanceof FolderClosedException || t instanceof StoreClosedException
                    || t instanceof MessageRemovedException
                    || name.equals("FolderClosedIOException") || name.equals("MessageRemovedIOException")) {
                throw new MessageUnavailableException(e);
            }
        }
    }

    static final String SYNTHETIC_DOMAIN = "o2d.synthetic";
    static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private static final int MAX_DEPTH = 30;
    private static final int MAX_PARTS = 500;
    /** Text and HTML bodies are cut after this many decoded bytes. */
    static final int MAX_TEXT_BYTES = 4 * 1024 * 1024;

    // ------------------------------------------------------------------------------------------
    // Per-message memo
    // ------------------------------------------------------------------------------------------

    /**
     * Results of lookups that {@link #parse} and {@link BounceParser} repeat for the same message:
     * header values of a part, Content-Type readings, address lists, decoded header values and the
     * body parts of a multipart (split once, not once for the body walk and again for the bounce
     * scan). Every entry is a pure function of its key while one message is read, so a memoized
     * result is the one the lookup would give again. Active only inside {@link #memoized}.
     */
    private static final class Memo {
        final IdentityHashMap<Part, Map<String, String>> headers = new IdentityHashMap<>();
        final IdentityHashMap<Part, Children> children = new IdentityHashMap<>();
        final Map<String, Ct> cts = new HashMap<>();
        final Map<String, List<Mailbox>> mailboxes = new HashMap<>();
        final Map<String, String> decoded = new HashMap<>();
    }

    private record Children(Ct ct, List<Part> parts) {}

    private static final ThreadLocal<Memo> MEMO = new ThreadLocal<>();

    /**
     * Runs {@code body} (the reading of one message, which must not change while it runs) with a
     * memo of the repeated lookups; nested calls share the outer memo.
     */
    static <T> T memoized(Supplier<T> body) {
        if (MEMO.get() != null) return body.get();
        MEMO.set(new Memo());
        try {
            return body.get();
        } finally {
            MEMO.remove();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Entry point
    // ------------------------------------------------------------------------------------------

    /**
     * Parses {@code m}. A missing (or unusable) Message-ID is replaced by
     * {@code <sha256-hex@o2d.synthetic>}, the hash taken over the raw From, Sender, To, Cc,
     * Subject, Date, In-Reply-To, References and Content-Type headers (the latter carries the
     * MIME boundary) plus the resolved date, so that re-reading the same message yields the same
     * id.
     *
     * @throws MessageUnavailableException when the message can no longer be read from its store
     *     (never for broken content)
     */
    static Parsed parse(MimeMessage m) {
        Objects.requireNonNull(m, "message");
        Map<String, List<String>> raw = rawHeaders(m);

        Map<String, String> headers = new LinkedHashMap<>();
        raw.forEach((name, values) -> headers.put(name, decodeHeader(values.getFirst())));

        String subject = raw.containsKey("subject") ? decodeHeader(first(raw, "subject")) : null;

        List<Mailbox> fromList = mailboxes(first(raw, "from"));
        if (fromList.isEmpty()) fromList = mailboxes(first(raw, "sender"));
        String from = fromList.isEmpty() ? null : fromList.getFirst().address();
        String fromName = fromList.isEmpty() ? null : fromList.getFirst().name();

        List<String> to = addresses(all(raw, "to"));
        List<String> cc = addresses(all(raw, "cc"));

        Instant date = date(m, raw);

        List<String> inReplyToIds = messageIds(first(raw, "in-reply-to"));
        String inReplyTo = inReplyToIds.isEmpty() ? null : inReplyToIds.getFirst();
        List<String> references = messageIds(String.join(" ", all(raw, "references")));

        Collector body = new Collector();
        walk(m, body, 0, "text/plain", false);
        String text = join(body.texts);
        String html = body.htmls.isEmpty() ? null : String.join("\n", body.htmls);
        if (text.isEmpty() && html != null) text = htmlToText(html);

        List<String> ids = messageIds(first(raw, "message-id"));
        String messageId = ids.isEmpty() ? syntheticMessageId(raw, date) : ids.getFirst();

        return new Parsed(
                messageId,
                inReplyTo,
                List.copyOf(references),
                subject,
                from,
                fromName,
                List.copyOf(to),
                List.copyOf(cc),
                date,
                text,
                html,
                List.copyOf(body.attachments),
                Collections.unmodifiableMap(headers));
    }

    // ------------------------------------------------------------------------------------------
    // Headers
    // ------------------------------------------------------------------------------------------

    /** All headers of a part: lower-case name → unfolded raw values, in message order. */
    static Map<String, List<String>> rawHeaders(Part p) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try {
            Enumeration<Header> e = p.getAllHeaders();
            while (e.hasMoreElements()) {
                Header h = e.nextElement();
                if (h == null || h.getName() == null) continue;
                String name = h.getName().trim().toLowerCase(Locale.ROOT);
                if (name.isEmpty()) continue;
                out.computeIfAbsent(name, k -> new ArrayList<>()).add(unfold(h.getValue()));
            }
        } catch (Exception e) {
            failIfUnavailable(e);
            // headers we could not read are simply absent
        }
        return out;
    }

    /** First value of a header of a part, unfolded (not decoded); null when absent or unreadable. */
    static String header(Part p, String name) {
        Memo memo = MEMO.get();
        if (memo == null) return readHeader(p, name);
        Map<String, String> values = memo.headers.computeIfAbsent(p, k -> new HashMap<>());
        if (values.containsKey(name)) return values.get(name);
        String v = readHeader(p, name);
        values.put(name, v);
        return v;
    }

    private static String readHeader(Part p, String name) {
        try {
            String[] v = p.getHeader(name);
            return v == null || v.length == 0 || v[0] == null ? null : unfold(v[0]);
        } catch (Exception e) {
            failIfUnavailable(e);
            return null;
        }
    }

    private static String first(Map<String, List<String>> raw, String name) {
        List<String> v = raw.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    private static List<String> all(Map<String, List<String>> raw, String name) {
        return raw.getOrDefault(name, List.of());
    }

    /** Patterns used for every message, compiled once (String.replaceAll/split compile theirs on each call). */
    private static final Pattern FOLD = Pattern.compile("\\r?\\n(?=[ \\t])");
    private static final Pattern ID_SEPARATORS = Pattern.compile("[\\s,;]+");
    private static final Pattern ID_QUOTES = Pattern.compile("^[<\"']+|[>\"']+$");
    private static final Pattern COMMENT = Pattern.compile("\\([^)]*\\)");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern BLANKS = Pattern.compile("[ \\t\\x0B\\f]+");

    static String unfold(String value) {
        if (value == null) return "";
        if (value.indexOf('\n') < 0 && value.indexOf('\r') < 0) return value.trim(); // most values: one line
        return FOLD.matcher(value).replaceAll("").replace("\r", "").replace("\n", " ").trim();
    }

    private static final Pattern ENCODED_WORD =
            Pattern.compile("=\\?([^?\\s]+)\\?([BbQq])\\?([^?]*?)\\?=");

    /**
     * Unfolds a header value and decodes RFC 2047 encoded words leniently: adjacent words are
     * joined (also when a multi-byte character was split between them), unknown charsets fall
     * back as described on the class, and raw 8-bit (RFC 6532 UTF-8 or legacy) bytes are
     * recovered.
     */
    static String decodeHeader(String value) {
        if (value == null) return null;
        Memo memo = MEMO.get();
        if (memo == null) return decodeHeaderNow(value);
        String d = memo.decoded.get(value);
        if (d == null) {
            d = decodeHeaderNow(value);
            memo.decoded.put(value, d);
        }
        return d;
    }

    private static String decodeHeaderNow(String value) {
        String s = fixRaw8bit(unfold(value));
        if (!s.contains("=?")) return s;
        Matcher mt = ENCODED_WORD.matcher(s);
        StringBuilder out = new StringBuilder();
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        String pendingCharset = null;
        int last = 0;
        while (mt.find()) {
            String gap = s.substring(last, mt.start());
            String charset = mt.group(1);
            int star = charset.indexOf('*'); // RFC 2231 language suffix
            if (star >= 0) charset = charset.substring(0, star);
            boolean adjacent = pendingCharset != null && gap.isBlank();
            if (!adjacent || !pendingCharset.equalsIgnoreCase(charset)) {
                if (pendingCharset != null) out.append(decodeBytes(pending.toByteArray(), pendingCharset));
                pending.reset();
                if (!adjacent) out.append(gap);
            }
            pendingCharset = charset;
            byte[] bytes = mt.group(2).equalsIgnoreCase("B")
                    ? decodeBase64(mt.group(3).getBytes(StandardCharsets.ISO_8859_1))
                    : decodeQEncoding(mt.group(3));
            pending.writeBytes(bytes);
            last = mt.end();
        }
        if (pendingCharset != null) out.append(decodeBytes(pending.toByteArray(), pendingCharset));
        out.append(s.substring(last));
        return out.toString();
    }

    private static byte[] decodeQEncoding(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '_') {
                out.write(' ');
            } else if (c == '=' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0
                    && hex(text.charAt(i + 2)) >= 0) {
                out.write(hex(text.charAt(i + 1)) << 4 | hex(text.charAt(i + 2)));
                i += 2;
            } else if (c < 0x80) {
                out.write(c);
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /**
     * Headers read without {@code mail.mime.allowutf8} carry raw 8-bit bytes as ISO-8859-1 chars;
     * turn them back into UTF-8 (or windows-1252 when they are not valid UTF-8).
     */
    static String fixRaw8bit(String s) {
        boolean high = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xFF) return s;
            if (c >= 0x80) high = true;
        }
        if (!high) return s;
        return decodeBytes(s.getBytes(StandardCharsets.ISO_8859_1), null);
    }

    // ------------------------------------------------------------------------------------------
    // Addresses, ids, date
    // ------------------------------------------------------------------------------------------

    record Mailbox(String address, String name) {}

    static final Pattern ADDRESS = Pattern.compile(
            "(?<![\\p{L}\\p{N}._%+\\-=])[\\p{L}\\p{N}_][\\p{L}\\p{N}._%+\\-=]*+@[\\p{L}\\p{N}](?:[\\p{L}\\p{N}\\-]*[\\p{L}\\p{N}])?"
                    + "(?:\\.[\\p{L}\\p{N}](?:[\\p{L}\\p{N}\\-]*[\\p{L}\\p{N}])?)+");

    /** Mailboxes of an address header (groups flattened); never throws. */
    static List<Mailbox> mailboxes(String rawValue) {
        Memo memo = MEMO.get();
        if (memo == null || rawValue == null) return readMailboxes(rawValue);
        List<Mailbox> out = memo.mailboxes.get(rawValue);
        if (out == null) {
            out = Collections.unmodifiableList(readMailboxes(rawValue));
            memo.mailboxes.put(rawValue, out);
        }
        return out;
    }

    private static List<Mailbox> readMailboxes(String rawValue) {
        List<Mailbox> out = new ArrayList<>();
        if (rawValue == null || rawValue.isBlank()) return out;
        String value = fixRaw8bit(unfold(rawValue));
        try {
            for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
                if (a.isGroup()) {
                    for (InternetAddress member : a.getGroup(false)) add(out, member);
                } else {
                    add(out, a);
                }
            }
            if (!out.isEmpty() || !value.contains("@")) return out;
        } catch (Exception e) {
            out.clear();
        }
        Matcher mt = ADDRESS.matcher(value);
        while (mt.find()) out.add(new Mailbox(mt.group().toLowerCase(Locale.ROOT), null));
        return out;
    }

    private static void add(List<Mailbox> out, InternetAddress a) {
        String address = a.getAddress();
        if (address == null) return;
        address = address.trim();
        if (address.startsWith("<") && address.endsWith(">")) address = address.substring(1, address.length() - 1);
        if (address.isEmpty()) return;
        String name = null;
        try {
            name = a.getPersonal();
        } catch (Exception e) {
            // no display name
        }
        if (name != null) {
            name = decodeHeader(name).trim();
            if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                name = name.substring(1, name.length() - 1).trim();
            }
            if (name.isEmpty()) name = null;
        }
        out.add(new Mailbox(address.toLowerCase(Locale.ROOT), name));
    }

    private static List<String> addresses(List<String> rawValues) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : rawValues) for (Mailbox mb : mailboxes(v)) out.add(mb.address());
        return new ArrayList<>(out);
    }

    private static final Pattern MSG_ID_TOKEN = Pattern.compile("<([^<>\\s]+)>");

    /**
     * The {@code <id>} tokens of a Message-ID / In-Reply-To / References value, in order, without
     * duplicates. Bare {@code local@domain} tokens (no brackets) are accepted when the value has no
     * bracketed token at all.
     */
    static List<String> messageIds(String value) {
        Set<String> out = new LinkedHashSet<>();
        if (value == null || value.isBlank()) return new ArrayList<>(out);
        String v = unfold(value);
        Matcher mt = MSG_ID_TOKEN.matcher(v);
        while (mt.find()) {
            if (mt.group(1).length() > 1) out.add("<" + mt.group(1) + ">");
        }
        if (out.isEmpty()) {
            for (String token : ID_SEPARATORS.split(v)) {
                token = ID_QUOTES.matcher(token).replaceAll("");
                if (token.length() > 2 && token.indexOf('@') > 0 && token.indexOf('@') < token.length() - 1) {
                    out.add("<" + token + ">");
                }
            }
        }
        return new ArrayList<>(out);
    }

    private static Instant date(MimeMessage m, Map<String, List<String>> raw) {
        String dateHeader = first(raw, "date");
        if (dateHeader != null) {
            Instant d = parseDate(dateHeader);
            if (d != null) return d;
        }
        try {
            Date received = m.getReceivedDate(); // IMAP INTERNALDATE
            if (received != null) return received.toInstant();
        } catch (Exception e) {
            failIfUnavailable(e);
            // not available
        }
        for (String received : all(raw, "received")) {
            int semi = received.lastIndexOf(';');
            if (semi >= 0) {
                Instant d = parseDate(received.substring(semi + 1));
                if (d != null) return d;
            }
        }
        return null;
    }

    private static final Pattern LOOSE_DATE = Pattern.compile(
            "(\\d{1,2})[\\s-]+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?[\\s-]+(\\d{2,4})"
                    + "[\\s,T]+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?(?:\\.\\d+)?\\s*([+-]\\d{2}:?\\d{2}|[a-z]{1,5})?",
            Pattern.CASE_INSENSITIVE);
    private static final List<String> MONTHS =
            List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
    private static final Map<String, String> ZONES = Map.of(
            "ut", "Z", "utc", "Z", "gmt", "Z", "z", "Z",
            "est", "-05:00", "edt", "-04:00", "cst", "-06:00", "cdt", "-05:00",
            "pst", "-08:00", "pdt", "-07:00");

    /**
     * MailDateFormat is costly to make and not thread-safe; its parse keeps no state between calls
     * (the calendar is cleared and its time zone restored on each), so one per thread does.
     */
    private static final ThreadLocal<MailDateFormat> DATE_FORMAT = ThreadLocal.withInitial(MailDateFormat::new);

    /** RFC 5322 date (leniently: obsolete zones, missing seconds, comments, ISO 8601); null if unreadable. */
    static Instant parseDate(String value) {
        if (value == null || value.isBlank()) return null;
        String u = unfold(value);
        String v = (u.indexOf('(') < 0 ? u : COMMENT.matcher(u).replaceAll(" ")).trim();
        try {
            Date d = DATE_FORMAT.get().parse(v);
            if (d != null) return d.toInstant();
        } catch (Exception e) {
            // fall through to the looser forms
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            // not ISO 8601
        }
        Matcher mt = LOOSE_DATE.matcher(v);
        if (!mt.find()) return null;
        try {
            int day = Integer.parseInt(mt.group(1));
            int month = MONTHS.indexOf(mt.group(2).toLowerCase(Locale.ROOT)) + 1;
            int year = Integer.parseInt(mt.group(3));
            if (year < 50) year += 2000;
            else if (year < 1000) year += 1900;
            int hour = Integer.parseInt(mt.group(4));
            int minute = Integer.parseInt(mt.group(5));
            int second = mt.group(6) == null ? 0 : Integer.parseInt(mt.group(6));
            ZoneId zone = ZoneOffset.UTC;
            String z = mt.group(7);
            if (z != null) {
                String lower = z.toLowerCase(Locale.ROOT);
                if (lower.startsWith("+") || lower.startsWith("-")) {
                    String digits = lower.replace(":", "");
                    zone = ZoneOffset.of(digits.substring(0, 3) + ":" + digits.substring(3));
                } else if (ZONES.containsKey(lower)) {
                    zone = ZoneOffset.of(ZONES.get(lower));
                }
            }
            return ZonedDateTime.of(year, month, day, hour, minute, second, 0, zone).toInstant();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static final List<String> SYNTHETIC_ID_HEADERS = List.of(
            "from", "sender", "to", "cc", "subject", "date", "in-reply-to", "references", "content-type");

    private static String syntheticMessageId(Map<String, List<String>> raw, Instant date) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String name : SYNTHETIC_ID_HEADERS) {
                for (String v : all(raw, name)) {
                    sha.update((name + ":" + v.replaceAll("\\s+", " ").trim() + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            sha.update(("date-resolved:" + (date == null ? "" : date.getEpochSecond())).getBytes(StandardCharsets.UTF_8));
            return "<" + HexFormat.of().formatHex(sha.digest()) + "@" + SYNTHETIC_DOMAIN + ">";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Content-Type / Content-Disposition
    // ------------------------------------------------------------------------------------------

    /** A lenient reading of a Content-Type or Content-Disposition value; {@code value} lower-case. */
    record Ct(String value, Map<String, String> params) {
        String param(String name) {
            return params.get(name);
        }

        boolean is(String type) {
            return value.equals(type);
        }

        String charset() {
            String c = params.get("charset");
            return c == null || c.isBlank() ? null : c.trim();
        }
    }

    private static final Pattern PARAM_SECTION = Pattern.compile("^([^*]+)\\*(?:(\\d+)\\*?)?$");

    /** Parses {@code type/subtype; a=b; c*=utf-8''x} (RFC 2045/2231) without ever failing. */
    static Ct parseCt(String raw, String fallback) {
        if (raw == null || raw.isBlank()) return new Ct(fallback, Map.of());
        Memo memo = MEMO.get();
        if (memo == null) return parseCtNow(raw, fallback);
        String key = fallback + '\u0000' + raw;
        Ct ct = memo.cts.get(key);
        if (ct == null) {
            ct = parseCtNow(raw, fallback);
            memo.cts.put(key, ct);
        }
        return ct;
    }

    private static Ct parseCtNow(String raw, String fallback) {
        String v = fixRaw8bit(unfold(raw));
        List<String> pieces = new ArrayList<>(splitParams(v));
        // "text/html charset=utf-8" (a missing ';'): the first token is the value, the rest params
        String first = pieces.getFirst();
        String headValue = (first.indexOf('(') < 0 ? first : COMMENT.matcher(first).replaceAll(" ")).trim();
        String[] head = hasWhitespace(headValue) ? WHITESPACE.split(headValue) : new String[] {headValue};
        String value = head[0].toLowerCase(Locale.ROOT);
        for (int i = head.length - 1; i >= 1; i--) if (head[i].contains("=")) pieces.add(1, head[i]);
        // plain "name" / "value" parameters and RFC 2231 sections, grouped by base name
        Map<String, String> simple = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, String[]>> sections = new LinkedHashMap<>();
        for (int i = 1; i < pieces.size(); i++) {
            String piece = pieces.get(i);
            int eq = piece.indexOf('=');
            if (eq <= 0) continue;
            String name = piece.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String val = unquote(piece.substring(eq + 1).trim());
            Matcher sec = name.indexOf('*') < 0 ? null : PARAM_SECTION.matcher(name); // a section name has a '*'
            if (sec != null && (name.endsWith("*") || sec.matches())) {
                if (!sec.matches()) continue;
                String base = sec.group(1);
                int index = sec.group(2) == null ? 0 : Integer.parseInt(sec.group(2));
                boolean encoded = name.endsWith("*");
                sections.computeIfAbsent(base, k -> new TreeMap<>())
                        .putIfAbsent(index, new String[] {val, encoded ? "*" : ""});
            } else {
                simple.putIfAbsent(name, val);
            }
        }
        Map<String, String> params = new LinkedHashMap<>(simple);
        sections.forEach((base, parts) -> {
            String charset = null;
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            boolean firstSection = true;
            for (String[] part : parts.values()) {
                String val = part[0];
                boolean encoded = !part[1].isEmpty();
                if (encoded && firstSection) {
                    int q1 = val.indexOf('\'');
                    int q2 = q1 < 0 ? -1 : val.indexOf('\'', q1 + 1);
                    if (q2 > 0) {
                        charset = val.substring(0, q1);
                        val = val.substring(q2 + 1);
                    }
                }
                firstSection = false;
                bytes.writeBytes(encoded ? percentDecode(val) : val.getBytes(StandardCharsets.UTF_8));
            }
            params.put(base, decodeBytes(bytes.toByteArray(), charset == null || charset.isEmpty() ? "utf-8" : charset));
        });
        if (value.isEmpty()) value = fallback;
        return new Ct(value, params);
    }

    /** Whether {@code s} has a character {@code \\s} matches. */
    private static boolean hasWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r') return true;
        }
        return false;
    }

    private static List<String> splitParams(String v) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"') quoted = !quoted;
            if (c == '\\' && quoted && i + 1 < v.length()) {
                cur.append(c).append(v.charAt(++i));
                continue;
            }
            if (c == ';' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static final Pattern TRAILING_COMMENT = Pattern.compile("\\s*\\([^)]*\\)\\s*$");

    private static String unquote(String v) {
        if (v.startsWith("\"")) {
            StringBuilder out = new StringBuilder();
            for (int i = 1; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '\\' && i + 1 < v.length()) out.append(v.charAt(++i));
                else if (c == '"') break;
                else out.append(c);
            }
            return out.toString();
        }
        if (v.indexOf('(') < 0) return v.trim(); // no comment to remove
        return TRAILING_COMMENT.matcher(v).replaceAll("").trim();
    }

    private static byte[] percentDecode(String v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '%' && i + 2 < v.length() && hex(v.charAt(i + 1)) >= 0 && hex(v.charAt(i + 2)) >= 0) {
                out.write(hex(v.charAt(i + 1)) << 4 | hex(v.charAt(i + 2)));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /**
     * True for parts read lazily from an IMAP server: their MIME fields come from the
     * BODYSTRUCTURE already fetched (no round trip per part header; also some servers answer
     * {@code BODY[n.MIME]} wrongly for nested parts), everything else is read from its headers.
     */
    static boolean lazy(Part p) {
        return p.getClass().getName().startsWith("org.eclipse.angus.mail.imap.");
    }

    private interface Field {
        String get() throws Exception;
    }

    private static String field(Field f) {
        try {
            return f.get();
        } catch (Exception e) {
            failIfUnavailable(e);
            return null;
        }
    }

    /** The Content-Type of a part, leniently; {@code fallback} when missing or unusable. */
    static Ct contentType(Part p, String fallback) {
        String raw = lazy(p) ? field(p::getContentType) : header(p, "Content-Type");
        Ct ct = parseCt(raw, fallback);
        if (ct.value().indexOf('/') <= 0 || ct.value().endsWith("/")) {
            String v = ct.value();
            String type = v.equals("text") ? "text/plain" : v.startsWith("multipart") ? "multipart/mixed"
                    : "application/octet-stream";
            return new Ct(type, ct.params());
        }
        return ct;
    }

    /** The Content-Disposition of a part (value "" when absent), with its filename parameter. */
    static Ct disposition(Part p) {
        if (!lazy(p)) return parseCt(header(p, "Content-Disposition"), "");
        String value = field(p::getDisposition);
        String filename = field(p::getFileName);
        return new Ct(value == null ? "" : value.trim().toLowerCase(Locale.ROOT),
                filename == null ? Map.of() : Map.of("filename", filename));
    }

    static String contentId(Part p) {
        if (!lazy(p)) return header(p, "Content-ID");
        return p instanceof MimePart mp ? field(mp::getContentID) : null;
    }

    private static String filename(Ct ct, Ct disposition) {
        String name = disposition.param("filename");
        if (name == null || name.isBlank()) name = ct.param("name");
        if (name == null || name.isBlank()) return null;
        name = decodeHeader(name).trim();
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        if (slash >= 0) name = name.substring(slash + 1); // never keep a client-side path
        return name.isBlank() ? null : name;
    }

    // ------------------------------------------------------------------------------------------
    // Body walk
    // ------------------------------------------------------------------------------------------

    private static final class Collector {
        final List<String> texts = new ArrayList<>();
        final List<String> htmls = new ArrayList<>();
        final List<Attachment> attachments = new ArrayList<>();
        int[] parts;

        Collector() {
            this(new int[1]);
        }

        Collector(int[] sharedCounter) {
            parts = sharedCounter;
        }

        boolean hasText() {
            return texts.stream().anyMatch(t -> !t.isBlank());
        }

        boolean hasHtml() {
            return htmls.stream().anyMatch(h -> !h.isBlank());
        }
    }

    /**
     * @param defaultType the type of a part without Content-Type (message/rfc822 in a digest)
     * @param inlineResource true for the non-root parts of a multipart/related (images the HTML
     *     references): skipped unless they are explicitly attachments
     */
    private static void walk(Part p, Collector c, int depth, String defaultType, boolean inlineResource) {
        if (depth > MAX_DEPTH || ++c.parts[0] > MAX_PARTS) return;
        Ct ct = contentType(p, defaultType);
        Ct disposition = disposition(p);
        boolean attachment = disposition.is("attachment");
        String type = ct.value();

        if (type.startsWith("multipart/")) {
            List<Part> children = children(p, ct);
            if (children == null) { // unparseable multipart: keep its readable text
                String text = decodeText(bytes(p, MAX_TEXT_BYTES), null);
                if (!text.isBlank()) c.texts.add(normalizeText(text, ct));
                return;
            }
            String sub = type.substring("multipart/".length());
            switch (sub) {
                case "alternative" -> alternative(children, c, depth);
                case "related" -> {
                    int root = relatedRoot(children, ct.param("start"));
                    for (int i = 0; i < children.size(); i++) {
                        walk(children.get(i), c, depth + 1, "text/plain", i != root);
                    }
                }
                case "signed" -> {
                    for (int i = 0; i < children.size(); i++) {
                        Part child = children.get(i);
                        String childType = contentType(child, "text/plain").value();
                        if (i > 0 && childType.endsWith("signature")) continue; // the signature itself
                        walk(child, c, depth + 1, "text/plain", false);
                    }
                }
                default -> {
                    String childDefault = sub.equals("digest") ? "message/rfc822" : "text/plain";
                    for (Part child : children) walk(child, c, depth + 1, childDefault, false);
                }
            }
            return;
        }

        String filename = filename(ct, disposition);
        boolean bodyCandidate = !attachment && (filename == null || disposition.is("inline"));
        if (type.equals("text/plain") && bodyCandidate && !inlineResource) {
            c.texts.add(normalizeText(decodeText(bytes(p, MAX_TEXT_BYTES), ct.charset()), ct));
        } else if (type.equals("text/html") && bodyCandidate && !inlineResource) {
            c.htmls.add(decodeHtml(bytes(p, MAX_TEXT_BYTES), ct.charset()));
        } else if (inlineResource && !attachment) {
            // an image or stylesheet the HTML embeds: not an attachment
        } else {
            c.attachments.add(new Attachment(filename, type, decodedSize(p)));
        }
    }

    /** Of the alternatives, the last (most preferred) one that has text resp. HTML wins. */
    private static void alternative(List<Part> children, Collector c, int depth) {
        Collector textFrom = null;
        Collector htmlFrom = null;
        List<Collector> others = new ArrayList<>();
        for (Part child : children) {
            Collector sub = new Collector(c.parts);
            walk(child, sub, depth + 1, "text/plain", false);
            if (sub.hasText()) textFrom = sub;
            if (sub.hasHtml()) htmlFrom = sub;
            if (!sub.hasText() && !sub.hasHtml()) others.add(sub);
        }
        if (textFrom != null) c.texts.addAll(textFrom.texts);
        if (htmlFrom != null) c.htmls.addAll(htmlFrom.htmls);
        Collector richest = htmlFrom != null ? htmlFrom : textFrom;
        if (richest != null) c.attachments.addAll(richest.attachments);
        for (Collector o : others) c.attachments.addAll(o.attachments); // e.g. text/calendar
    }

    private static int relatedRoot(List<Part> children, String start) {
        if (start != null && !start.isBlank()) {
            String wanted = start.trim().replaceAll("^<|>$", "");
            for (int i = 0; i < children.size(); i++) {
                String cid = contentId(children.get(i));
                if (cid != null && cid.trim().replaceAll("^<|>$", "").equals(wanted)) return i;
            }
        }
        return 0;
    }

    /** The body parts of a multipart part, or null when it cannot be split at all. */
    static List<Part> children(Part p, Ct ct) {
        Memo memo = MEMO.get();
        if (memo == null) return readChildren(p, ct);
        Children known = memo.children.get(p);
        if (known != null && known.ct().equals(ct)) return known.parts();
        List<Part> parts = readChildren(p, ct);
        memo.children.put(p, new Children(ct, parts == null ? null : Collections.unmodifiableList(parts)));
        return parts == null ? null : memo.children.get(p).parts();
    }

    private static List<Part> readChildren(Part p, Ct ct) {
        List<Part> split = splitLocal(p, ct);
        if (split != null) return split;
        Multipart mp = multipart(p, ct);
        if (mp == null) return null;
        List<Part> out = new ArrayList<>();
        try {
            int n = mp.getCount();
            for (int i = 0; i < n && i < MAX_PARTS; i++) {
                try {
                    out.add(mp.getBodyPart(i));
                } catch (Exception e) {
                    failIfUnavailable(e);
                    // skip the unreadable part
                }
            }
        } catch (Exception e) {
            failIfUnavailable(e);
            return out.isEmpty() ? null : out;
        }
        return out;
    }

    /** A simple multipart Content-Type: the type and plain parameters only (no comments, RFC 2231 or escapes). */
    private static final Pattern SIMPLE_MULTIPART = Pattern.compile(
            "[ \\t]*multipart/[A-Za-z0-9.+_-]+[ \\t]*(?:;[ \\t]*[A-Za-z0-9_-]+=(?:\"[^\"\\\\\\r\\n]*\"|[A-Za-z0-9._+-]+)[ \\t]*)+");
    private static final Pattern SIMPLE_PARAM =
            Pattern.compile(";[ \\t]*([A-Za-z0-9_-]+)=(?:\"([^\"\\\\\\r\\n]*)\"|([A-Za-z0-9._+-]+))");

    /** The boundary of a {@link #SIMPLE_MULTIPART} value with exactly one boundary parameter (no spaces), else null. */
    private static String simpleBoundary(String contentType) {
        if (contentType == null || !SIMPLE_MULTIPART.matcher(contentType).matches()) return null;
        String boundary = null;
        Matcher mt = SIMPLE_PARAM.matcher(contentType);
        while (mt.find()) {
            if (!mt.group(1).equalsIgnoreCase("boundary")) continue;
            if (boundary != null) return null;
            boundary = mt.group(2) != null ? mt.group(2) : mt.group(3);
        }
        if (boundary == null || boundary.isEmpty()) return null;
        for (int i = 0; i < boundary.length(); i++) if (boundary.charAt(i) <= ' ' || boundary.charAt(i) > '~') return null;
        return boundary;
    }

    /**
     * The body parts of a multipart read by {@link MailSync#read} (its bytes are a {@link LocalBytes}), split here
     * exactly as {@link MimeMultipart} splits them — the same parts, made the same way ({@code new
     * MimeBodyPart(stream of the part's bytes)}) — but in one pass over the bytes. Only for plain cases: no
     * Content-Transfer-Encoding, a {@linkplain #simpleBoundary simple Content-Type}, no CR without LF, an opening
     * boundary line before any closing one, and every part's header block ended by an empty line. Null otherwise
     * (then {@link MimeMultipart} reads it).
     */
    private static List<Part> splitLocal(Part p, Ct ct) {
        if (p.getClass() != MimeMessage.class && p.getClass() != MimeBodyPart.class) return null;
        try {
            if (header(p, "Content-Transfer-Encoding") != null) return null;
            String boundary = simpleBoundary(header(p, "Content-Type"));
            if (boundary == null || !boundary.equals(ct.param("boundary"))) return null;
            InputStream raw = p instanceof MimeMessage mm ? mm.getRawInputStream() : ((MimeBodyPart) p).getRawInputStream();
            if (!(raw instanceof LocalBytes content)) return null;
            int[] bounds = splitBounds(content.array(), content.from(), content.to(), ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1));
            if (bounds == null) return null;
            List<Part> out = new ArrayList<>();
            for (int i = 0; i < bounds.length && out.size() < MAX_PARTS; i += 2) {
                out.add(new MimeBodyPart(content.newStream(bounds[i] - content.from(), bounds[i + 1] - content.from())));
            }
            return out;
        } catch (Exception e) {
            failIfUnavailable(e);
            return null;
        }
    }

    /**
     * [start, end) of each body part in {@code b[from, to)} (absolute indexes), as {@link MimeMultipart#parse}
     * finds them: the first line equal to {@code delimiter} (trailing blanks ignored) opens; a part starts after a
     * delimiter line's line break and ends before the line break that precedes the next delimiter — at the start of
     * the part's body, or after a LF (CRLF: both are left out), followed by "--" (the end), or by blanks and a line
     * break; the last part runs to the end when no closing delimiter follows. Null when the bytes are not plain
     * enough to be sure (see {@link #splitLocal}).
     */
    static int[] splitBounds(byte[] b, int from, int to, byte[] delimiter) {
        for (int i = from; i < to; i++) if (b[i] == '\r' && (i + 1 >= to || b[i + 1] != '\n')) return null; // a lone CR
        int bl = delimiter.length;
        // preamble: up to the opening delimiter line
        int pos = from;
        int start = -1;
        while (pos < to) {
            int eol = indexOf(b, (byte) '\n', pos, to);
            int lineEnd = eol < 0 ? to : eol;
            int e = lineEnd;
            if (e > pos && b[e - 1] == '\r') e--;
            while (e > pos && (b[e - 1] == ' ' || b[e - 1] == '\t')) e--;
            int len = e - pos;
            if (len >= bl && java.util.Arrays.equals(b, pos, pos + bl, delimiter, 0, bl)) {
                if (len == bl) {
                    if (eol < 0) return null; // the opening line at the very end: no part
                    start = eol + 1;
                    break;
                }
                if (len == bl + 2 && b[pos + bl] == '-' && b[pos + bl + 1] == '-') return null; // closing before opening
            }
            if (eol < 0) return null;
            pos = eol + 1;
        }
        if (start < 0) return null;
        List<Integer> out = new ArrayList<>();
        while (true) {
            // the part's header block ends with an empty line
            int bodyStart = -1;
            int line = start;
            while (line < to) {
                int eol = indexOf(b, (byte) '\n', line, to);
                if (eol < 0) break;
                int len = eol - line;
                if (len == 0 || len == 1 && b[line] == '\r') {
                    bodyStart = eol + 1;
                    break;
                }
                line = eol + 1;
            }
            if (bodyStart < 0) return null; // MimeMultipart drops such a part
            // the next delimiter
            int q = bodyStart;
            int end = -1;
            int next = -1;
            boolean closing = false;
            // only a delimiter at the start of the body or of a line counts: look there only
            for (; q >= 0 && q <= to - bl; q = nextLineStart(b, q, to)) {
                if (!java.util.Arrays.equals(b, q, q + bl, delimiter, 0, bl)) continue;
                int eolLen = 0;
                if (q > bodyStart && b[q - 1] == '\n') eolLen = q - 2 >= bodyStart - 1 && b[q - 2] == '\r' ? 2 : 1;
                if (q == bodyStart || eolLen > 0) {
                    int k = q + bl;
                    if (k + 1 < to && b[k] == '-' && b[k + 1] == '-') {
                        end = q - eolLen;
                        closing = true;
                        break;
                    }
                    while (k < to && (b[k] == ' ' || b[k] == '\t')) k++;
                    if (k < to && (b[k] == '\n' || b[k] == '\r')) {
                        end = q - eolLen;
                        next = b[k] == '\r' && k + 1 < to && b[k + 1] == '\n' ? k + 2 : k + 1;
                        break;
                    }
                }
            }
            if (end < 0) { // no closing delimiter: the part runs to the end
                out.add(start);
                out.add(to);
                break;
            }
            out.add(start);
            out.add(end);
            if (closing) break;
            start = next;
        }
        int[] bounds = new int[out.size()];
        for (int i = 0; i < bounds.length; i++) bounds[i] = out.get(i);
        return bounds;
    }

    private static int indexOf(byte[] b, byte c, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] == c) return i;
        return -1;
    }

    /** The start of the line after the one {@code from} is in (the index after the next LF at or after {@code from}); -1 if none. */
    private static int nextLineStart(byte[] b, int from, int to) {
        int eol = indexOf(b, (byte) '\n', from, to);
        return eol < 0 ? -1 : eol + 1;
    }

    private static Multipart multipart(Part p, Ct ct) {
        try {
            MimeMultipart mp = new MimeMultipart(p.getDataHandler().getDataSource());
            if (mp.getCount() > 0) return mp; // getCount() forces the parse
        } catch (Exception e) {
            failIfUnavailable(e);
            // unknown transfer encoding, unparseable Content-Type, …: split the bytes ourselves
        }
        try {
            byte[] body = bytes(p, Integer.MAX_VALUE);
            String boundary = ct.param("boundary");
            if (boundary == null || boundary.isBlank()) boundary = guessBoundary(body);
            if (boundary == null) return null;
            String type = ct.value().startsWith("multipart/") ? ct.value() : "multipart/mixed";
            String cleanCt = type + "; boundary=\"" + boundary.replace("\"", "").replace("\\", "") + "\"";
            MimeMultipart mp = new MimeMultipart(new BytesDataSource(body, cleanCt));
            return mp.getCount() > 0 ? mp : null;
        } catch (Exception e) {
            failIfUnavailable(e);
            return null;
        }
    }

    private static String guessBoundary(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 64 * 1024), StandardCharsets.ISO_8859_1);
        Matcher mt = Pattern.compile("(?m)^--([^\\s-][^\\r\\n]{0,69}?)\\s*$").matcher(s);
        return mt.find() ? mt.group(1) : null;
    }

    /**
     * The bytes of a message to be parsed by Jakarta Mail ({@code new MimeMessage(session, in)}): a
     * {@link SharedByteArrayInputStream} (parts share the array, nothing is copied) whose single-byte
     * reads are not synchronized — Jakarta Mail reads every header line byte by byte, and the
     * stream is only ever read by the thread that parses the message. Otherwise the same stream.
     */
    static InputStream localStream(byte[] bytes) {
        return localStream(bytes, 0, bytes.length);
    }

    /** {@link #localStream(byte[])} over {@code length} bytes of {@code bytes} from {@code offset}. */
    static InputStream localStream(byte[] bytes, int offset, int length) {
        return new LocalBytes(bytes, offset, length);
    }

    private static final class LocalBytes extends SharedByteArrayInputStream {
        LocalBytes(byte[] buf, int offset, int length) {
            super(buf, offset, length);
        }

        @Override
        public int read() {
            return pos < count ? buf[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            if (pos >= count) return -1;
            int n = Math.min(len, count - pos);
            if (n <= 0) return 0;
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long k = count - pos;
            if (n < k) k = n < 0 ? 0 : n;
            pos += (int) k;
            return k;
        }

        @Override
        public int available() {
            return count - pos;
        }

        byte[] array() {
            return buf;
        }

        /** Index in {@link #array} of the first byte of this stream. */
        int from() {
            return start;
        }

        /** Index in {@link #array} after the last byte of this stream. */
        int to() {
            return count;
        }

        @Override
        public InputStream newStream(long from, long to) {
            if (from < 0) throw new IllegalArgumentException("start < 0");
            if (to == -1) to = count - start;
            return new LocalBytes(buf, start + (int) from, (int) (to - from));
        }
    }

    private record BytesDataSource(byte[] bytes, String contentType) implements DataSource {
        @Override
        public InputStream getInputStream() {
            return new ByteArrayInputStream(bytes);
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            throw new IOException("read-only");
        }

        @Override
        public String getContentType() {
            return contentType;
        }

        @Override
        public String getName() {
            return "body";
        }
    }

    // ------------------------------------------------------------------------------------------
    // Transfer decoding
    // ------------------------------------------------------------------------------------------

    private static String transferEncoding(Part p) {
        String cte = lazy(p) && p instanceof MimePart mp ? field(mp::getEncoding) : header(p, "Content-Transfer-Encoding");
        if (cte == null) return "7bit";
        return COMMENT.matcher(cte).replaceAll("").split(";")[0].trim().toLowerCase(Locale.ROOT);
    }

    /**
     * The decoded content of a part, at most {@code limit} bytes; as much as could be read when
     * the content is broken, never null.
     */
    static byte[] bytes(Part p, int limit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            decodeContent(p, new Limited(out, limit));
        } catch (IOException | RuntimeException e) {
            failIfUnavailable(e);
            // limit reached or broken content: keep what we have
        }
        return out.toByteArray();
    }

    private static long decodedSize(Part p) {
        if (p.getClass() == MimeBodyPart.class || p.getClass() == MimeMessage.class) {
            Counting counter = new Counting();
            try {
                decodeContent(p, counter);
            } catch (IOException | RuntimeException e) {
                failIfUnavailable(e);
                // count what was readable
            }
            return counter.count;
        }
        // a lazily fetched part (IMAP): estimate from the encoded size instead of downloading it
        try {
            long size = p.getSize();
            if (size < 0) return -1;
            if (transferEncoding(p).equals("base64")) return (size - size / 78 * 2) * 3 / 4;
            return size;
        } catch (Exception e) {
            failIfUnavailable(e);
            return -1;
        }
    }

    private static void decodeContent(Part p, OutputStream out) throws IOException {
        InputStream raw = null;
        try {
            if (p instanceof MimeBodyPart b) raw = b.getRawInputStream();
            else if (p instanceof MimeMessage mm) raw = mm.getRawInputStream();
        } catch (Exception e) {
            failIfUnavailable(e);
            raw = null;
        }
        if (raw == null) { // not a parsed part (built in memory): Jakarta Mail decodes
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (Exception e) {
                failIfUnavailable(e);
                if (e instanceof IOException io) throw io;
            }
            return;
        }
        try (InputStream in = raw) {
            switch (transferEncoding(p)) {
                case "base64" -> decodeBase64(in, out);
                case "quoted-printable" -> decodeQuotedPrintable(in, out);
                case "x-uuencode", "uuencode", "x-uue" -> {
                    try (InputStream dec = MimeUtility.decode(in, "uuencode")) {
                        dec.transferTo(out);
                    } catch (jakarta.mail.MessagingException e) {
                        throw new IOException(e);
                    }
                }
                default -> in.transferTo(out); // 7bit, 8bit, binary and anything unknown
            }
        }
    }

    private static final int[] BASE64 = new int[256];

    static {
        java.util.Arrays.fill(BASE64, -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) BASE64[alphabet.charAt(i)] = i;
        BASE64['-'] = 62; // base64url, seen in the wild
        BASE64['_'] = 63;
    }

    /** Lenient base64: skips junk, restarts after padding (concatenated chunks), ignores a bad tail. */
    static void decodeBase64(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[8192];
        byte[] decoded = new byte[8192]; // 6 bits in per char: never more bytes out than chars in
        int acc = 0;
        int bits = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            int k = 0;
            for (int i = 0; i < n; i++) {
                int b = buf[i] & 0xFF;
                if (b == '=') {
                    acc = 0;
                    bits = 0;
                    continue;
                }
                int v = BASE64[b];
                if (v < 0) continue;
                acc = (acc << 6 | v) & 0xFFFFFF;
                bits += 6;
                if (bits >= 8) {
                    bits -= 8;
                    decoded[k++] = (byte) (acc >> bits);
                }
            }
            if (k > 0) out.write(decoded, 0, k); // a chunk at once: the same bytes as one by one
        }
    }

    static byte[] decodeBase64(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            decodeBase64(new ByteArrayInputStream(in), out);
        } catch (IOException e) {
            throw new IllegalStateException(e); // in-memory streams do not fail
        }
        return out.toByteArray();
    }

    /** Lenient quoted-printable: a '=' not followed by two hex digits or a line break stays literal. */
    static void decodeQuotedPrintable(InputStream input, OutputStream out) throws IOException {
        byte[] all = input.readAllBytes();
        int n = all.length;
        byte[] decoded = new byte[n]; // never longer than the input; written at once
        int k = 0;
        for (int i = 0; i < n; i++) {
            int b = all[i] & 0xFF;
            if (b != '=') {
                decoded[k++] = (byte) b;
                continue;
            }
            // soft line break: '=' [whitespace] (CRLF | LF | end)
            int j = i + 1;
            while (j < n && (all[j] == ' ' || all[j] == '\t')) j++;
            if (j >= n) {
                i = n;
                continue;
            }
            if (all[j] == '\r' || all[j] == '\n') {
                if (all[j] == '\r' && j + 1 < n && all[j + 1] == '\n') j++;
                i = j;
                continue;
            }
            if (i + 2 < n && hex(all[i + 1]) >= 0 && hex(all[i + 2]) >= 0) {
                decoded[k++] = (byte) (hex(all[i + 1]) << 4 | hex(all[i + 2]));
                i += 2;
            } else {
                decoded[k++] = '=';
            }
        }
        if (k > 0) out.write(decoded, 0, k);
    }

    private static int hex(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    }

    private static final class LimitReached extends IOException {
        LimitReached() {
            super("limit reached");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // control flow, not an error
        }
    }

    private static final class Limited extends OutputStream {
        private final OutputStream out;
        private long left;

        Limited(OutputStream out, long limit) {
            this.out = out;
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            if (left <= 0) throw new LimitReached();
            out.write(b);
            left--;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (left <= 0) throw new LimitReached();
            int n = (int) Math.min(len, left);
            out.write(b, off, n);
            left -= n;
            if (n < len) throw new LimitReached();
        }
    }

    private static final class Counting extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Charsets and text
    // ------------------------------------------------------------------------------------------

    private static final Map<String, String> CHARSET_ALIASES = Map.ofEntries(
            Map.entry("utf8", "UTF-8"),
            Map.entry("unicode-1-1-utf-8", "UTF-8"),
            Map.entry("unicode", "UTF-16"),
            Map.entry("iso-8859-1", "windows-1252"),
            Map.entry("iso8859-1", "windows-1252"),
            Map.entry("iso_8859-1", "windows-1252"),
            Map.entry("latin1", "windows-1252"),
            Map.entry("latin-1", "windows-1252"),
            Map.entry("us-ascii", "windows-1252"),
            Map.entry("ascii", "windows-1252"),
            Map.entry("ansi_x3.4-1968", "windows-1252"),
            Map.entry("iso-8859-8-i", "ISO-8859-8"),
            Map.entry("gb2312", "GB18030"),
            Map.entry("gbk", "GB18030"),
            Map.entry("x-gbk", "GB18030"),
            Map.entry("cp-850", "IBM850"),
            Map.entry("ks_c_5601-1987", "x-windows-949"),
            Map.entry("big5", "Big5-HKSCS"));

    private static final Pattern EDGE_QUOTES = Pattern.compile("^[\"']+|[\"']+$");

    /** Removes leading and trailing quote characters (most labels have none: no regex then). */
    private static String stripQuotes(String s) {
        if (s.indexOf('"') < 0 && s.indexOf('\'') < 0) return s;
        return EDGE_QUOTES.matcher(s).replaceAll("");
    }

    /** The Java charset for a MIME charset name, or null when unknown or unusable. */
    static Charset charset(String name) {
        if (name == null) return null;
        String n = stripQuotes(name.trim()).toLowerCase(Locale.ROOT);
        if (n.isEmpty()) return null;
        String alias = CHARSET_ALIASES.get(n);
        for (String candidate : alias != null ? List.of(alias) : List.of(n, MimeUtility.javaCharset(n))) {
            try {
                if (Charset.isSupported(candidate)) return Charset.forName(candidate);
            } catch (Exception e) {
                // illegal name: try the next
            }
        }
        return null;
    }

    /**
     * Decodes bytes: with the declared charset when known (UTF-8 only if the bytes really are),
     * else UTF-8 when the bytes are (mostly) valid UTF-8, else windows-1252. Never throws.
     */
    static String decodeBytes(byte[] bytes, String declared) {
        String label = declared == null ? "" : stripQuotes(declared.trim()).toLowerCase(Locale.ROOT);
        Charset cs = charset(label);
        if (cs != null && cs.equals(WINDOWS_1252) && (label.contains("ascii") || label.equals("ansi_x3.4-1968"))) {
            // "us-ascii" with 8-bit content: usually mislabelled UTF-8, else windows-1252
            String utf8 = hasMultiByte(bytes) ? strictUtf8(bytes) : null;
            return utf8 != null ? utf8 : new String(bytes, WINDOWS_1252);
        }
        if (cs != null && !cs.equals(StandardCharsets.UTF_8)) return new String(bytes, cs);
        // declared UTF-8, undeclared, unknown or illegal
        String strict = strictUtf8(bytes);
        if (strict != null) return strict;
        int[] stats = utf8Stats(bytes);
        return stats[0] > stats[1] ? new String(bytes, StandardCharsets.UTF_8) : new String(bytes, WINDOWS_1252);
    }

    private static String strictUtf8(byte[] bytes) {
        if (!hasMultiByte(bytes)) return new String(bytes, StandardCharsets.ISO_8859_1); // ASCII: valid, the same chars
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean hasMultiByte(byte[] bytes) {
        for (byte b : bytes) if (b < 0) return true;
        return false;
    }

    /** {valid multi-byte sequences, invalid bytes} of a byte array read as UTF-8. */
    private static int[] utf8Stats(byte[] b) {
        int valid = 0;
        int invalid = 0;
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            int len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
            if (len == 1) {
                i++;
                continue;
            }
            boolean ok = len > 0 && i + len <= b.length;
            for (int k = 1; ok && k < len; k++) ok = (b[i + k] & 0xC0) == 0x80;
            if (ok) {
                valid++;
                i += len;
            } else {
                invalid++;
                i++;
            }
        }
        return new int[] {valid, invalid};
    }

    /** Text of a text part: declared charset (see {@link #decodeBytes}), BOM removed. */
    static String decodeText(byte[] bytes, String charset) {
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            return new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8);
        }
        String s = decodeBytes(bytes, charset);
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    private static final Pattern META_CHARSET =
            Pattern.compile("<meta[^>]{0,200}?charset\\s*=\\s*[\"']?\\s*([A-Za-z0-9_.:\\-]+)", Pattern.CASE_INSENSITIVE);

    private static String decodeHtml(byte[] bytes, String charset) {
        if (charset == null) {
            String head = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.ISO_8859_1);
            Matcher mt = META_CHARSET.matcher(head);
            if (mt.find()) charset = mt.group(1);
        }
        return decodeText(bytes, charset).replace("\r\n", "\n").replace('\r', '\n');
    }

    private static String normalizeText(String text, Ct ct) {
        String t = text.replace("\r\n", "\n").replace('\r', '\n');
        String format = ct.param("format");
        if (format != null && format.equalsIgnoreCase("flowed")) {
            String delsp = ct.param("delsp");
            t = unflow(t, delsp != null && delsp.equalsIgnoreCase("yes"));
        }
        return t;
    }

    /** RFC 3676 format=flowed: joins soft-broken lines of equal quote depth, undoes space-stuffing. */
    static String unflow(String text, boolean delSp) {
        StringBuilder out = new StringBuilder();
        StringBuilder cur = null;
        int curDepth = 0;
        String[] lines = text.split("\n", -1);
        for (int li = 0; li < lines.length; li++) {
            String line = lines[li];
            if (li == lines.length - 1 && line.isEmpty()) break;
            int d = 0;
            while (d < line.length() && line.charAt(d) == '>') d++;
            String content = line.substring(d);
            if (content.startsWith(" ")) content = content.substring(1);
            if (cur != null && d != curDepth) {
                emitFlowed(out, cur, curDepth);
                cur = null;
            }
            boolean soft = content.endsWith(" ") && !content.equals("-- ");
            if (soft && delSp) content = content.substring(0, content.length() - 1);
            if (cur == null) {
                cur = new StringBuilder();
                curDepth = d;
            }
            cur.append(content);
            if (!soft) {
                emitFlowed(out, cur, curDepth);
                cur = null;
            }
        }
        if (cur != null) emitFlowed(out, cur, curDepth);
        return out.toString();
    }

    private static void emitFlowed(StringBuilder out, StringBuilder line, int depth) {
        if (depth > 0) out.append(">".repeat(depth)).append(' ');
        out.append(line).append('\n');
    }

    private static String join(List<String> texts) {
        StringBuilder out = new StringBuilder();
        for (String t : texts) {
            String s = t.strip();
            if (s.isEmpty()) continue;
            if (!out.isEmpty()) out.append("\n\n");
            out.append(s);
        }
        return out.toString();
    }

    // ------------------------------------------------------------------------------------------
    // HTML → text
    // ------------------------------------------------------------------------------------------

    private static final Set<String> SKIPPED_ELEMENTS = Set.of("script", "style", "head", "title", "template", "noscript");
    private static final Set<String> BLOCK_ELEMENTS = Set.of(
            "p", "div", "br", "tr", "table", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
            "hr", "pre", "section", "article", "header", "footer", "address", "dl", "dt", "dd", "form", "center",
            "tbody", "thead", "tfoot", "caption", "nav", "aside", "main", "figure", "figcaption", "body", "html");

    /**
     * A simple, linear-time HTML to text conversion: drops head/script/style and comments, turns
     * block elements into line breaks and list items into "- " lines, decodes entities and
     * collapses whitespace as a browser would. No markup is interpreted beyond that.
     */
    static String htmlToText(String html) {
        if (html == null || html.isEmpty()) return "";
        StringBuilder out = new StringBuilder(html.length() / 2);
        int n = html.length();
        int i = 0;
        int pre = 0;
        Set<String> neverClosed = new java.util.HashSet<>(); // keeps unclosed <script>s linear
        while (i < n) {
            char ch = html.charAt(i);
            if (ch == '<') {
                if (html.startsWith("<!--", i)) {
                    int end = html.indexOf("-->", i + 4);
                    i = end < 0 ? n : end + 3;
                    continue;
                }
                char next = i + 1 < n ? html.charAt(i + 1) : ' ';
                if (!(Character.isLetter(next) || next == '/' || next == '!' || next == '?')) {
                    out.append('<');
                    i++;
                    continue;
                }
                int end = tagEnd(html, i + 1);
                if (end < 0) break; // unterminated tag: drop the rest
                boolean closing = next == '/';
                int nameStart = closing ? i + 2 : i + 1;
                int nameEnd = nameStart;
                while (nameEnd < end && (Character.isLetterOrDigit(html.charAt(nameEnd)) || html.charAt(nameEnd) == '-')) {
                    nameEnd++;
                }
                String name = html.substring(nameStart, nameEnd).toLowerCase(Locale.ROOT);
                i = end + 1;
                if (!closing && SKIPPED_ELEMENTS.contains(name) && html.charAt(end - 1) != '/'
                        && !neverClosed.contains(name)) {
                    int after = skipElement(html, i, name);
                    if (after == i) neverClosed.add(name);
                    i = after;
                    continue;
                }
                if (name.equals("pre")) pre = Math.max(0, pre + (closing ? -1 : 1));
                if (name.equals("br")) {
                    out.append('\n');
                } else if (name.equals("li")) {
                    if (!closing) out.append("\n- ");
                } else if ((name.equals("td") || name.equals("th")) && closing) {
                    out.append(' ');
                } else if (name.equals("img") && !closing) {
                    String alt = attribute(html.substring(nameEnd, end), "alt");
                    if (alt != null && !alt.isBlank()) out.append(decodeEntities(alt));
                } else if (BLOCK_ELEMENTS.contains(name)) {
                    out.append(name.equals("p") || name.startsWith("h") && name.length() == 2 ? "\n\n" : "\n");
                }
            } else if (ch == '&') {
                int semi = html.indexOf(';', i);
                if (semi > i && semi - i <= 12) {
                    String decoded = entity(html.substring(i + 1, semi));
                    if (decoded != null) {
                        out.append(decoded);
                        i = semi + 1;
                        continue;
                    }
                }
                out.append('&');
                i++;
            } else if (pre == 0 && (ch == '\n' || ch == '\r' || ch == '\t')) {
                out.append(' ');
                i++;
            } else {
                out.append(ch);
                i++;
            }
        }
        return tidy(out.toString());
    }

    private static int tagEnd(String html, int from) {
        char quote = 0;
        for (int j = from; j < html.length(); j++) {
            char c = html.charAt(j);
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                // quotes only matter inside attribute values
                if (j > from && (html.charAt(j - 1) == '=' || Character.isWhitespace(html.charAt(j - 1)) && html.charAt(j - 2) == '=')) {
                    quote = c;
                }
            } else if (c == '>') {
                return j;
            }
        }
        return quote != 0 ? html.indexOf('>', from) : -1; // an unbalanced quote: the first '>' ends it
    }

    private static int skipElement(String html, int from, String name) {
        String closing = "</" + name;
        for (int j = from; j < html.length(); j++) {
            if (html.charAt(j) == '<' && html.regionMatches(true, j, closing, 0, closing.length())) {
                int end = html.indexOf('>', j);
                return end < 0 ? html.length() : end + 1;
            }
        }
        return from; // never closed: keep what follows rather than lose it
    }

    private static String attribute(String tagBody, String name) {
        Matcher mt = Pattern.compile("(?i)\\b" + name + "\\s*=\\s*(\"([^\"]*)\"|'([^']*)'|([^\\s>]+))").matcher(tagBody);
        if (!mt.find()) return null;
        return mt.group(2) != null ? mt.group(2) : mt.group(3) != null ? mt.group(3) : mt.group(4);
    }

    private static final Map<String, String> ENTITIES = Map.ofEntries(
            Map.entry("nbsp", " "), Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"),
            Map.entry("quot", "\""), Map.entry("apos", "'"), Map.entry("hellip", "…"), Map.entry("mdash", "—"),
            Map.entry("ndash", "–"), Map.entry("lsquo", "‘"), Map.entry("rsquo", "’"), Map.entry("ldquo", "“"),
            Map.entry("rdquo", "”"), Map.entry("laquo", "«"), Map.entry("raquo", "»"), Map.entry("bull", "•"),
            Map.entry("middot", "·"), Map.entry("euro", "€"), Map.entry("pound", "£"), Map.entry("copy", "©"),
            Map.entry("reg", "®"), Map.entry("trade", "™"), Map.entry("shy", ""), Map.entry("zwnj", ""),
            Map.entry("zwj", ""), Map.entry("ensp", " "), Map.entry("emsp", " "), Map.entry("thinsp", " "),
            Map.entry("auml", "ä"), Map.entry("ouml", "ö"), Map.entry("uuml", "ü"), Map.entry("Auml", "Ä"),
            Map.entry("Ouml", "Ö"), Map.entry("Uuml", "Ü"), Map.entry("szlig", "ß"), Map.entry("eacute", "é"),
            Map.entry("egrave", "è"), Map.entry("ecirc", "ê"), Map.entry("agrave", "à"), Map.entry("acirc", "â"),
            Map.entry("ccedil", "ç"), Map.entry("ocirc", "ô"), Map.entry("icirc", "î"), Map.entry("ugrave", "ù"),
            Map.entry("Eacute", "É"), Map.entry("ntilde", "ñ"), Map.entry("aacute", "á"), Map.entry("iacute", "í"),
            Map.entry("oacute", "ó"), Map.entry("uacute", "ú"), Map.entry("deg", "°"), Map.entry("times", "×"));

    private static String entity(String name) {
        if (name.startsWith("#")) {
            try {
                int cp = name.length() > 1 && (name.charAt(1) == 'x' || name.charAt(1) == 'X')
                        ? Integer.parseInt(name.substring(2), 16)
                        : Integer.parseInt(name.substring(1));
                if (cp == 0xA0) return " ";
                if (cp <= 0 || cp > 0x10FFFF || cp >= 0xD800 && cp <= 0xDFFF) return "\uFFFD";
                if (cp == 0xAD || cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0xFEFF || cp == 0x34F) return "";
                return new String(Character.toChars(cp));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return ENTITIES.get(name);
    }

    private static String decodeEntities(String s) {
        if (s.indexOf('&') < 0) return s;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int semi = c == '&' ? s.indexOf(';', i) : -1;
            String decoded = semi > i && semi - i <= 12 ? entity(s.substring(i + 1, semi)) : null;
            if (decoded != null) {
                out.append(decoded);
                i = semi;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Collapses runs of spaces, trims lines, keeps at most one empty line in a row. */
    private static String tidy(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int blank = 0;
        for (String line : s.replace('\u00A0', ' ').split("\n", -1)) {
            String l = BLANKS.matcher(line).replaceAll(" ").strip();
            if (l.isEmpty()) {
                blank++;
                continue;
            }
            if (!out.isEmpty()) out.append(blank > 0 ? "\n\n" : "\n");
            blank = 0;
            out.append(l);
        }
        return out.toString();
    }
}
