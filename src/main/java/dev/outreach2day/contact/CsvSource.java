package dev.outreach2day.contact;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads uploaded contact files (CSV as Excel, Apollo, Clay and friends write it) without ever
 * holding the whole file: {@link #sniff} looks at the first {@value #SNIFF_BYTES} bytes to find the
 * charset, the delimiter and the header, {@link #read} then streams every data row to a handler.
 *
 * <p>Parsing is forgiving, never fatal: quoted fields may hold delimiters, line breaks and doubled
 * quotes; a quote inside an unquoted field is a literal character; text after a closing quote on
 * the same line is kept ({@code "Bob" Jr} → {@code Bob Jr}); records end at LF, CRLF or a lone CR
 * (old Mac Excel). A row with the wrong number of fields, an unterminated quote or an oversized
 * field is still delivered, with a problem code. An opening quote that is never closed (or runs
 * away over more than {@value #MAX_QUOTED_LINE_BREAKS} line breaks / {@value #MAX_FIELD_CHARS}
 * characters, or is "closed" lines later by a quote followed by more text) is taken for a stray
 * quote: its row is flagged {@link #UNTERMINATED_QUOTE} and the lines it swallowed are read again
 * as rows of their own, so one bad quote costs one row, not the rest of the file. Undecodable bytes
 * become U+FFFD. Excel's {@code sep=;} first line is honoured and skipped, and its leading-zero
 * form {@code ="0049…"} is read as the text inside. Otherwise field values are delivered as
 * written (not trimmed).
 */
final class CsvSource {

    /** How much of the file {@link #sniff} looks at. */
    static final int SNIFF_BYTES = 64 * 1024;
    /** How many data rows {@link Sniffed#sampleRows} holds at most. */
    static final int SAMPLE_ROWS = 20;
    /** Longer unquoted fields are cut (problem {@link #FIELD_TOO_LONG}); longer quoted ones count as a stray quote. */
    static final int MAX_FIELD_CHARS = 100_000;
    /** Fields beyond this many in one row are dropped (the row is {@link #RAGGED_ROW} anyway). */
    static final int MAX_FIELDS = 5_000;
    /** A quoted field with more line-break characters than this counts as a stray (unterminated) quote. */
    static final int MAX_QUOTED_LINE_BREAKS = 1_000;

    /** The row has more or fewer fields than the header (extra trailing empty fields do not count). */
    static final String RAGGED_ROW = "RAGGED_ROW";
    /** The row holds a quote that was never closed; its fields are read as if the quote were not there. */
    static final String UNTERMINATED_QUOTE = "UNTERMINATED_QUOTE";
    /** A field was longer than {@value #MAX_FIELD_CHARS} characters and was cut. */
    static final String FIELD_TOO_LONG = "FIELD_TOO_LONG";

    static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private static final char[] DELIMITERS = {',', ';', '\t', '|'};
    private static final int SNIFF_RECORDS = 200;
    private static final Pattern EMAIL = Pattern.compile("[^\\s@,;<>\"]+@[^\\s@,;<>\"]+\\.[A-Za-z]{2,}");
    private static final Pattern SEP_LINE = Pattern.compile("(?i)sep=([^\\r\\n])[ \\t]*(?:\\r\\n|\\r|\\n|$)");
    private static final Pattern NUMERIC = Pattern.compile("[\\s+\\-()0-9.,/:%$€£#]*[0-9][\\s+\\-()0-9.,/:%$€£#]*");

    private CsvSource() {}

    /**
     * What {@link #sniff} found out about a file.
     *
     * @param charset    how the bytes are decoded
     * @param delimiter  one of {@code , ; \t |}
     * @param hasHeader  whether the first (non-blank) row holds column names
     * @param headers    one unique, non-blank name per column (from the header row, or {@code column_1…n})
     * @param sampleRows up to {@value #SAMPLE_ROWS} data rows as parsed
     * @param bomBytes   length of the byte-order mark at the start of the file (0 if none); {@link #read}
     *                   also skips a BOM itself, so 0 is always safe
     */
    record Sniffed(Charset charset, char delimiter, boolean hasHeader, List<String> headers, List<List<String>> sampleRows,
            int bomBytes) {
        Sniffed {
            if (charset == null) throw new IllegalArgumentException("charset is required");
            if (headers == null) throw new IllegalArgumentException("headers are required");
            if (sampleRows == null) sampleRows = List.of();
            if (bomBytes < 0) bomBytes = 0;
        }
    }

    /** Receives the data rows of a file, in order. */
    @FunctionalInterface
    interface RowHandler {
        /**
         * @param rowNumber 1-based number of the row among the records after the header; blank
         *                  rows are counted (so numbers match a spreadsheet's rows) but not delivered
         * @param fields    the row's fields (a fresh list the handler may keep)
         * @param problem   null, or {@link #RAGGED_ROW}, {@link #UNTERMINATED_QUOTE}, {@link #FIELD_TOO_LONG}
         * @return false to stop reading (cancel)
         */
        boolean row(long rowNumber, List<String> fields, String problem);
    }

    /** The file cannot be read as CSV; {@code code} is EMPTY_FILE, BINARY_FILE or NO_COLUMNS. */
    static final class Unreadable extends RuntimeException {
        private final String code;

        Unreadable(String code, String message) {
            super(message);
            this.code = code;
        }

        String code() {
            return code;
        }
    }

    // ------------------------------------------------------------------------------------------
    // sniffing
    // ------------------------------------------------------------------------------------------

    /** Detects charset, delimiter and header from the first {@value #SNIFF_BYTES} bytes of {@code file}. */
    static Sniffed sniff(Path file) {
        return sniff(file, null, null, null);
    }

    /**
     * Like {@link #sniff(Path)}, with any of charset, delimiter and header presence given (null =
     * detect) — for when the user corrects a guess on the preview.
     */
    static Sniffed sniff(Path file, Charset charset, Character delimiter, Boolean hasHeader) {
        byte[] bytes;
        long size;
        try (InputStream in = Files.newInputStream(file)) {
            size = Files.size(file);
            bytes = in.readNBytes(SNIFF_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.getFileName(), e);
        }
        if (bytes.length == 0) {
            throw new Unreadable("EMPTY_FILE", "The file is empty.");
        }
        boolean truncated = size > bytes.length;
        refuseKnownBinary(bytes);

        // charset
        int bom = 0;
        Charset cs;
        Charset bomCharset = bomCharset(bytes);
        if (bomCharset != null && (charset == null || charset.equals(bomCharset))) {
            cs = bomCharset;
            bom = bomLength(bomCharset);
        } else if (charset != null) {
            cs = charset;
        } else {
            cs = detectCharset(bytes, truncated);
        }

        String text = decode(bytes, bom, cs);
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') text = text.substring(1);
        if (text.isBlank()) {
            throw new Unreadable("EMPTY_FILE", "The file is empty.");
        }
        if (looksBinary(text)) {
            throw new Unreadable("BINARY_FILE", "The file does not look like text: upload a CSV file (in Excel: Save As → CSV UTF-8).");
        }

        // Excel's "sep=;" first line names the delimiter (and is no row)
        var sep = SEP_LINE.matcher(text);
        if (sep.lookingAt()) {
            char named = sep.group(1).charAt(0);
            if (delimiter == null && named != '"') delimiter = named;
            text = text.substring(sep.end());
        }

        // delimiter: the candidate with the most consistent field count > 1
        char delim;
        Sample sample;
        if (delimiter != null) {
            delim = delimiter;
            sample = sampleRecords(text, delim, truncated);
        } else {
            delim = DELIMITERS[0];
            sample = null;
            double bestScore = -1;
            int bestCount = 0;
            for (char d : DELIMITERS) {
                var candidate = sampleRecords(text, d, truncated);
                // empty lines aside, blank records (Excel's ";;;;") count: they show the delimiter too
                int[] mode = modeFieldCount(candidate.lines());
                double score = mode[0] > 1 ? (double) mode[1] / candidate.lines().size() : 0;
                boolean tie = Math.abs(score - bestScore) < 1e-9;
                if (sample == null || (!tie && score > bestScore) || (tie && mode[0] > bestCount)) {
                    delim = d;
                    sample = candidate;
                    bestScore = score;
                    bestCount = mode[0];
                }
            }
        }
        List<List<String>> records = sample.records();
        if (records.isEmpty()) {
            throw new Unreadable("NO_COLUMNS", "The file has no columns with any content.");
        }

        // header
        List<String> first = records.getFirst();
        List<List<String>> data = records.subList(1, records.size());
        boolean header = hasHeader != null ? hasHeader : looksLikeHeader(first, data);
        List<List<String>> dataRows = header ? data : records;

        List<String> headers = new ArrayList<>();
        if (header) {
            var raw = new ArrayList<>(first);
            if (!dataRows.isEmpty()) {
                var content = new ArrayList<Integer>(dataRows.size());
                int filled = 0;
                for (List<String> r : dataRows) {
                    int w = trimTrailingBlanks(r, 0).size();
                    content.add(w);
                    filled = Math.max(filled, w);
                }
                // unnamed trailing header columns that no sample row fills (Excel's ";;;;"): drop them
                while (raw.size() > Math.max(1, filled) && cleanHeader(raw.getLast()).isEmpty()) raw.removeLast();
                // most rows wider than the header: name the extra columns (column_<n>)
                int width = majorityWidth(content);
                while (raw.size() < width) raw.add("");
            }
            headers = uniqueHeaders(raw);
        } else {
            var widths = new ArrayList<Integer>(dataRows.size());
            for (List<String> r : dataRows) widths.add(r.size());
            int width = majorityWidth(widths);
            for (int i = 1; i <= Math.max(1, width); i++) headers.add("column_" + i);
        }

        var sampleRows = new ArrayList<List<String>>();
        for (List<String> r : dataRows) {
            if (sampleRows.size() == SAMPLE_ROWS) break;
            sampleRows.add(List.copyOf(trimTrailingBlanks(r, headers.size())));
        }
        return new Sniffed(cs, delim, header, List.copyOf(headers), List.copyOf(sampleRows), bom);
    }

    private static void refuseKnownBinary(byte[] b) {
        String kind = null;
        if (startsWith(b, 0x50, 0x4B, 0x03, 0x04)) kind = "an Excel workbook (.xlsx) or a ZIP archive";
        else if (startsWith(b, 0xD0, 0xCF, 0x11, 0xE0)) kind = "an old Excel workbook (.xls)";
        else if (startsWith(b, 0x25, 0x50, 0x44, 0x46)) kind = "a PDF document";
        else if (startsWith(b, 0x1F, 0x8B)) kind = "a gzip archive";
        else if (startsWith(b, 0x89, 0x50, 0x4E, 0x47) || startsWith(b, 0xFF, 0xD8, 0xFF) || startsWith(b, 0x47, 0x49, 0x46, 0x38)) {
            kind = "an image";
        }
        if (kind != null) {
            throw new Unreadable("BINARY_FILE", "The file is " + kind + ", not CSV: open it in Excel or Google Sheets and save it as CSV (UTF-8).");
        }
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xFF) != prefix[i]) return false;
        }
        return true;
    }

    private static Charset bomCharset(byte[] b) {
        if (startsWith(b, 0xEF, 0xBB, 0xBF)) return StandardCharsets.UTF_8;
        if (startsWith(b, 0xFF, 0xFE)) return StandardCharsets.UTF_16LE;
        if (startsWith(b, 0xFE, 0xFF)) return StandardCharsets.UTF_16BE;
        return null;
    }

    private static int bomLength(Charset cs) {
        return cs.equals(StandardCharsets.UTF_8) ? 3 : 2;
    }

    /** No BOM: UTF-16 by its zero bytes, else UTF-8 if the bytes are valid UTF-8, else windows-1252. */
    private static Charset detectCharset(byte[] b, boolean truncated) {
        int zeroEven = 0;
        int zeroOdd = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                if ((i & 1) == 0) zeroEven++;
                else zeroOdd++;
            }
        }
        if (zeroEven + zeroOdd > 0) {
            int pairs = Math.max(1, b.length / 2);
            if (zeroOdd > pairs * 0.3 && zeroEven < pairs * 0.05) return StandardCharsets.UTF_16LE;
            if (zeroEven > pairs * 0.3 && zeroOdd < pairs * 0.05) return StandardCharsets.UTF_16BE;
            if (zeroEven + zeroOdd > b.length / 100) {
                throw new Unreadable("BINARY_FILE", "The file does not look like text: upload a CSV file (in Excel: Save As → CSV UTF-8).");
            }
        }
        return validUtf8(b, truncated) ? StandardCharsets.UTF_8 : WINDOWS_1252;
    }

    private static boolean validUtf8(byte[] b, boolean truncated) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        CharBuffer out = CharBuffer.allocate(b.length + 1);
        CoderResult r = d.decode(in, out, !truncated);
        if (r.isError()) return false;
        if (truncated) return in.remaining() < 4; // a character cut at the sample's end is fine
        return !d.flush(out).isError();
    }

    private static String decode(byte[] b, int offset, Charset cs) {
        try {
            return cs.newDecoder().onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(b, offset, b.length - offset)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(e); // cannot happen with REPLACE
        }
    }

    /** More than 2% control characters (other than tab, CR, LF, VT, FF) or undecodable ones: not a text file. */
    private static boolean looksBinary(String text) {
        int bad = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x0B && c != 0x0C) || c == 0x7F || c == '\uFFFD') bad++;
        }
        return bad > 0 && bad * 50 > text.length();
    }

    /** The sample parsed with one delimiter: its non-empty lines and, of those, the non-blank records. */
    private record Sample(List<List<String>> lines, List<List<String>> records) {}

    /** Up to {@value #SNIFF_RECORDS} records of the sample (the last one dropped when the sample cuts the file). */
    private static Sample sampleRecords(String text, char delim, boolean truncated) {
        var lines = new ArrayList<List<String>>();
        var records = new ArrayList<List<String>>();
        try {
            Parser p = new Parser(new StringReader(text), delim);
            while (records.size() < SNIFF_RECORDS + 1 && p.next()) {
                List<String> f = p.fields;
                if (f.size() == 1 && f.getFirst().isBlank()) continue;
                lines.add(f);
                if (!isBlank(f)) records.add(f);
            }
            // the record at the cut may be incomplete (unless it is all there is)
            if (truncated && !p.more() && lines.size() > 1) {
                List<String> last = lines.removeLast();
                if (!records.isEmpty() && records.getLast() == last && records.size() > 1) records.removeLast();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        }
        return new Sample(lines, records.size() > SNIFF_RECORDS ? records.subList(0, SNIFF_RECORDS) : records);
    }

    /** {most frequent field count, how many records have it}; ties go to the larger count. */
    private static int[] modeFieldCount(List<List<String>> records) {
        Map<Integer, Integer> freq = new HashMap<>();
        for (List<String> r : records) freq.merge(r.size(), 1, Integer::sum);
        int best = 0;
        int bestFreq = 0;
        for (var e : freq.entrySet()) {
            if (e.getValue() > bestFreq || (e.getValue() == bestFreq && e.getKey() > best)) {
                best = e.getKey();
                bestFreq = e.getValue();
            }
        }
        return new int[] {best, bestFreq};
    }

    /** The largest width that more than half of the rows reach. */
    private static int majorityWidth(List<Integer> widths) {
        if (widths.isEmpty()) return 0;
        var sorted = new ArrayList<>(widths);
        sorted.sort(java.util.Comparator.reverseOrder());
        return sorted.get(sorted.size() / 2);
    }

    /**
     * Labels, not data: no email address, no URL, mostly non-numeric, short and distinct values;
     * a header word we know (Email, Vorname, …) settles it.
     */
    static boolean looksLikeHeader(List<String> first, List<List<String>> rest) {
        var nonBlank = new ArrayList<String>();
        for (String f : first) {
            String s = cleanHeader(f);
            if (!s.isEmpty()) nonBlank.add(s);
        }
        if (nonBlank.isEmpty()) return false;
        int numeric = 0;
        Set<String> distinct = new HashSet<>();
        boolean known = false;
        for (String s : nonBlank) {
            if (EMAIL.matcher(s).find() || s.contains("://") || s.toLowerCase(Locale.ROOT).startsWith("www.") || s.length() > 100) {
                return false;
            }
            if (NUMERIC.matcher(s).matches()) numeric++;
            distinct.add(s.toLowerCase(Locale.ROOT));
            known |= ImportMapping.isKnownHeader(s);
        }
        if (known) return true;
        if (numeric > nonBlank.size() / 5) return false;
        return distinct.size() == nonBlank.size();
    }

    private static String cleanHeader(String h) {
        return h == null ? "" : h.replace("\uFEFF", "").replaceAll("\\s+", " ").strip();
    }

    /** Trimmed names, {@code column_<n>} for blank ones, {@code _2}, {@code _3} … for repeats (ignoring case). */
    static List<String> uniqueHeaders(List<String> raw) {
        var out = new ArrayList<String>(raw.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < raw.size(); i++) {
            String h = cleanHeader(raw.get(i));
            if (h.isEmpty()) h = "column_" + (i + 1);
            String name = h;
            for (int n = 2; !seen.add(name.toLowerCase(Locale.ROOT)); n++) name = h + "_" + n;
            out.add(name);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // reading
    // ------------------------------------------------------------------------------------------

    /**
     * Streams every data row of {@code file} (the header row skipped when {@code s.hasHeader()}) to
     * {@code handler} until the end or until it returns false. Blank rows (nothing but delimiters and
     * whitespace) are counted but not delivered. Rows whose field count differs from
     * {@code s.headers().size()} come with {@link #RAGGED_ROW} — after dropping extra trailing empty
     * fields, which are harmless.
     */
    static void read(Path file, Sniffed s, RowHandler handler) {
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = new BufferedInputStream(raw, 1 << 16);
            if (s.bomBytes() > 0) in.skipNBytes(Math.min(s.bomBytes(), Files.size(file)));
            Reader reader = new InputStreamReader(in, s.charset().newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
            Parser p = new Parser(reader, s.delimiter());
            p.skipBom();
            int width = s.headers().size();
            p.expectedFields = Math.max(4, width);
            boolean headerPending = s.hasHeader();
            boolean first = true;
            long rowNumber = 0;
            while (p.next()) {
                List<String> fields = p.fields;
                if (first && isSepLine(fields)) continue;
                first = false;
                if (isBlank(fields)) {
                    if (!headerPending) rowNumber++;
                    continue;
                }
                if (headerPending) {
                    headerPending = false;
                    continue;
                }
                rowNumber++;
                fields = trimTrailingBlanks(fields, width);
                String problem = p.problem;
                if (problem == null && fields.size() != width) problem = RAGGED_ROW;
                if (!handler.row(rowNumber, fields, problem)) return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.getFileName(), e);
        }
    }

    /** Excel's {@code sep=;} line as parsed with its own delimiter ({@code ["sep=", ""]}) or another one. */
    private static boolean isSepLine(List<String> f) {
        return (f.size() == 2 && f.get(0).equalsIgnoreCase("sep=") && f.get(1).isEmpty())
                || (f.size() == 1 && f.get(0).length() == 5 && f.get(0).regionMatches(true, 0, "sep=", 0, 4));
    }

    private static boolean isBlank(List<String> fields) {
        for (String f : fields) {
            if (!f.isBlank()) return false;
        }
        return true;
    }

    /** Drops empty/blank fields beyond {@code keep} from the end. */
    private static List<String> trimTrailingBlanks(List<String> fields, int keep) {
        int n = fields.size();
        while (n > keep && fields.get(n - 1).isBlank()) n--;
        return n == fields.size() ? fields : new ArrayList<>(fields.subList(0, n));
    }

    /**
     * The record parser: a hand-written state machine over a 64 KB char buffer (FastCSV could not
     * tell an unterminated quote apart, and fails on a runaway one at its buffer limit).
     */
    static final class Parser {
        private static final int START = 0;      // at the start of a field (maybe after blanks)
        private static final int UNQUOTED = 1;   // in unquoted data; quotes are literal
        private static final int QUOTED = 2;     // inside quotes
        private static final int QUOTE_SEEN = 3; // a quote inside quotes: closing, or the first of ""
        private static final int CLOSED_BLANKS = 4; // blanks after a closing quote

        private final Reader in;
        private final char delim;
        private final char[] main = new char[1 << 16];
        private char[] buf = main;
        private int pos;
        private int len;
        private boolean eof;
        private boolean swallowLf;
        private final StringBuilder sb = new StringBuilder(256);
        private final StringBuilder blanks = new StringBuilder();
        private boolean cut;
        int expectedFields = 8;

        /** The last record's fields and problem (null if none), valid after {@link #next} returned true. */
        List<String> fields = List.of();
        String problem;

        Parser(Reader in, char delim) {
            if (delim == '"' || delim == '\n' || delim == '\r') throw new IllegalArgumentException("bad delimiter");
            this.in = in;
            this.delim = delim;
        }

        /** Whether any input is left. */
        boolean more() throws IOException {
            return pos < len || fill();
        }

        void skipBom() throws IOException {
            if ((pos < len || fill()) && buf[pos] == '\uFEFF') pos++;
        }

        private boolean fill() throws IOException {
            if (buf != main) buf = main; // the pushed-back text is used up
            pos = 0;
            len = 0;
            if (eof) return false;
            int n;
            do {
                n = in.read(main, 0, main.length);
            } while (n == 0);
            if (n < 0) {
                eof = true;
                return false;
            }
            len = n;
            return true;
        }

        /** Reads the next record into {@link #fields}; false at the end of the input. */
        boolean next() throws IOException {
            problem = null;
            cut = false;
            sb.setLength(0);
            if (swallowLf) {
                swallowLf = false;
                if (pos >= len && !fill()) return false;
                if (buf[pos] == '\n') pos++;
            }
            if (pos >= len && !fill()) return false;
            List<String> out = new ArrayList<>(expectedFields);
            fields = out;
            int state = START;
            int breaks = 0;
            for (;;) {
                if (pos >= len && !fill()) {
                    // end of input
                    switch (state) {
                        case QUOTED -> {
                            recover(false, "");
                            state = UNQUOTED;
                            continue;
                        }
                        case CLOSED_BLANKS -> {
                            sb.append(blanks);
                            endField(out);
                            return true;
                        }
                        default -> {
                            endField(out);
                            return true;
                        }
                    }
                }
                final char[] b = buf;
                final int l = len;
                switch (state) {
                    case START -> {
                        char c = b[pos];
                        if (c == '"') {
                            pos++;
                            sb.setLength(0); // blanks before an opening quote are not data
                            state = QUOTED;
                            breaks = 0;
                        } else if (c == ' ' || (c == '\t' && delim != '\t')) {
                            sb.append(c);
                            pos++;
                        } else {
                            state = UNQUOTED;
                        }
                    }
                    case UNQUOTED -> {
                        int start = pos;
                        int p = pos;
                        char c = 0;
                        while (p < l) {
                            c = b[p];
                            if (c == delim || c == '\n' || c == '\r') break;
                            p++;
                        }
                        pos = p;
                        if (p == l) {
                            append(b, start, p - start);
                            continue; // need more input
                        }
                        pos++;
                        if (sb.isEmpty() && !cut && p - start <= MAX_FIELD_CHARS) {
                            add(out, new String(b, start, p - start));
                        } else {
                            append(b, start, p - start);
                            endField(out);
                        }
                        if (c == delim) {
                            state = START;
                        } else {
                            swallowLf = c == '\r';
                            return true;
                        }
                    }
                    case QUOTED -> {
                        int start = pos;
                        int p = pos;
                        while (p < l) {
                            char c = b[p];
                            if (c == '"') break;
                            if (c == '\n' || c == '\r') breaks++;
                            p++;
                        }
                        sb.append(b, start, p - start);
                        pos = p;
                        if (sb.length() > MAX_FIELD_CHARS || breaks > MAX_QUOTED_LINE_BREAKS) {
                            recover(false, "");
                            state = UNQUOTED;
                        } else if (p < l) {
                            pos++;
                            state = QUOTE_SEEN;
                        }
                    }
                    case QUOTE_SEEN -> {
                        char c = b[pos];
                        if (c == '"') {
                            sb.append('"');
                            pos++;
                            state = QUOTED;
                        } else if (c == delim) {
                            pos++;
                            endField(out);
                            state = START;
                        } else if (c == '\n' || c == '\r') {
                            pos++;
                            endField(out);
                            swallowLf = c == '\r';
                            return true;
                        } else {
                            blanks.setLength(0);
                            state = CLOSED_BLANKS;
                        }
                    }
                    default -> { // CLOSED_BLANKS: text after a closing quote, blanks first
                        char c = b[pos];
                        if (c == ' ' || (c == '\t' && delim != '\t')) {
                            blanks.append(c);
                            pos++;
                        } else if (c == delim || c == '\n' || c == '\r') {
                            sb.append(blanks); // "Acme"  , → "Acme  "
                            state = UNQUOTED;
                        } else if (breaks > 0) {
                            // "closed" lines later by a quote that is followed by more text: the
                            // opening quote was a stray one
                            recover(true, blanks);
                            state = UNQUOTED;
                        } else {
                            sb.append(blanks); // "Bob" Jr → Bob Jr
                            state = UNQUOTED;
                        }
                    }
                }
            }
        }

        /**
         * The quoted field since the opening quote was not a quoted field: put its text back (as it
         * was written: quotes doubled again, plus the closing quote if one was consumed) and read it
         * again as unquoted data, which ends this record at its first line break.
         */
        private void recover(boolean closingQuoteConsumed, CharSequence consumedAfter) {
            problem = UNTERMINATED_QUOTE;
            var raw = new StringBuilder(sb.length() + 16);
            for (int i = 0; i < sb.length(); i++) {
                char c = sb.charAt(i);
                raw.append(c);
                if (c == '"') raw.append('"');
            }
            if (closingQuoteConsumed) raw.append('"');
            raw.append(consumedAfter);
            int rest = len - pos;
            char[] pushed = new char[raw.length() + rest];
            raw.getChars(0, raw.length(), pushed, 0);
            System.arraycopy(buf, pos, pushed, raw.length(), rest);
            buf = pushed;
            pos = 0;
            len = pushed.length;
            sb.setLength(0);
        }

        private void append(char[] b, int off, int n) {
            int room = MAX_FIELD_CHARS - sb.length();
            if (n > room) {
                if (room > 0) sb.append(b, off, room);
                cut = true;
            } else {
                sb.append(b, off, n);
            }
        }

        private void endField(List<String> out) {
            add(out, sb.toString());
            sb.setLength(0);
            if (cut) {
                cut = false;
                if (problem == null) problem = FIELD_TOO_LONG;
            }
        }

        private static void add(List<String> out, String v) {
            if (out.size() < MAX_FIELDS) out.add(v.isEmpty() || v.charAt(0) != '=' ? v : excelText(v));
        }

        /** Excel's way to keep leading zeros, {@code ="0049301234"}, is the text inside. */
        static String excelText(String v) {
            return v.length() >= 3 && v.charAt(1) == '"' && v.charAt(v.length() - 1) == '"' && v.indexOf('"', 2) == v.length() - 1
                    ? v.substring(2, v.length() - 1) : v;
        }
    }
}
