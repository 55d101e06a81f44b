package dev.outreach2day.campaign;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Spam-trigger words and phrases found in a subject or body ("100% free", "act now",
 * "kostenlos", "cliquez ici", "haga clic aquí"…). The built-in multilingual list is the
 * classpath resource {@value #RESOURCE}, loaded once; see its header for the format.
 *
 * <p>Matching works on a folded copy of the text: lower case, accents and compatibility forms
 * removed ("GRATUIT", "gratuít" and full-width letters all match "gratuit"), typographic
 * apostrophes and hyphens made ASCII, zero-width characters dropped, whitespace runs made one
 * space. Phrases match whole words only ("free" is not in "freedom"); a trailing {@code *}
 * allows any word ending. A match lying inside a longer match is not counted again.
 */
final class SpamWords {

    /** A list entry found {@code count} times; {@code language} is a tag such as "en", or "de,es" for a phrase of several lists. */
    record Hit(String phrase, String language, int count) {}

    /** A list entry: language tag and phrase ("en", "act now"); a trailing '*' in the phrase allows any word ending. */
    record Entry(String language, String phrase) {}

    static final String RESOURCE = "campaign/spam-words.txt";

    private static final class BuiltIn {
        static final SpamWords LIST = load();

        private static SpamWords load() {
            try (InputStream in = SpamWords.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                if (in == null) throw new IllegalStateException("Missing classpath resource " + RESOURCE);
                return of(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private record Phrase(String shown, String languages, String folded, boolean prefix, boolean wordStart, boolean wordEnd) {}

    private final Phrase[] phrases;

    private SpamWords(Phrase[] phrases) {
        this.phrases = phrases;
    }

    /** The built-in list (loaded on first use, then shared). */
    static SpamWords builtIn() {
        return BuiltIn.LIST;
    }

    /** A list of the given entries; the same folded phrase in several languages becomes one entry. */
    static SpamWords of(List<Entry> entries) {
        Map<String, Phrase> byKey = new LinkedHashMap<>();
        for (Entry e : entries) {
            String raw = e.phrase().strip();
            boolean prefix = raw.endsWith("*");
            String body = prefix ? raw.substring(0, raw.length() - 1).strip() : raw;
            String folded = fold(body);
            if (folded.isEmpty()) throw new IllegalArgumentException("Empty spam phrase: '" + e.phrase() + "'");
            String lang = e.language().strip().toLowerCase(Locale.ROOT);
            String key = folded + (prefix ? "*" : "");
            Phrase old = byKey.get(key);
            if (old == null) {
                byKey.put(key, new Phrase(raw, lang, folded, prefix,
                        Character.isLetterOrDigit(folded.charAt(0)),
                        !prefix && Character.isLetterOrDigit(folded.charAt(folded.length() - 1))));
            } else if (!Arrays.asList(old.languages().split(",")).contains(lang)) {
                byKey.put(key, new Phrase(old.shown(), old.languages() + "," + lang, folded, prefix, old.wordStart(), old.wordEnd()));
            }
        }
        return new SpamWords(byKey.values().toArray(Phrase[]::new));
    }

    /** Entries of a list in the resource format: "language|phrase" a line, '#' comments, blank lines ignored. */
    static List<Entry> parse(String list) {
        List<Entry> entries = new ArrayList<>();
        String[] lines = list.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int bar = line.indexOf('|');
            if (bar <= 0 || bar == line.length() - 1) {
                throw new IllegalArgumentException("Spam word list line " + (i + 1) + ": expected 'language|phrase', got '" + line + "'");
            }
            entries.add(new Entry(line.substring(0, bar), line.substring(bar + 1)));
        }
        return entries;
    }

    /** Number of distinct phrases. */
    int size() {
        return phrases.length;
    }

    /** Built-in phrases found in plain text, most frequent first (then in list order). */
    static List<Hit> find(String text) {
        return builtIn().scan(text);
    }

    /** Built-in phrases found in the visible text of an HTML body (markup, styles and link targets ignored). */
    static List<Hit> findInHtml(String html) {
        return builtIn().scanHtml(html);
    }

    /** This list's phrases found in plain text, most frequent first (then in list order). */
    List<Hit> scan(String text) {
        if (text == null || text.isEmpty()) return List.of();
        String t = fold(text);
        List<int[]> matches = new ArrayList<>(); // {start, end, phrase}
        for (int p = 0; p < phrases.length; p++) {
            Phrase ph = phrases[p];
            String f = ph.folded();
            for (int i = t.indexOf(f); i >= 0; ) {
                int end = i + f.length();
                boolean startOk = !ph.wordStart() || i == 0 || !Character.isLetterOrDigit(t.charAt(i - 1));
                boolean endOk = !ph.wordEnd() || end == t.length() || !Character.isLetterOrDigit(t.charAt(end));
                if (startOk && endOk) {
                    if (ph.prefix()) {
                        while (end < t.length() && Character.isLetterOrDigit(t.charAt(end))) end++;
                    }
                    matches.add(new int[] {i, end, p});
                    i = t.indexOf(f, end);
                } else {
                    i = t.indexOf(f, i + 1);
                }
            }
        }
        if (matches.isEmpty()) return List.of();
        // a match inside a longer one ("free" in "100% free") is not counted again
        matches.sort(Comparator.<int[]>comparingInt(m -> m[0]).thenComparingInt(m -> -m[1]));
        int[] counts = new int[phrases.length];
        int coveredUntil = -1;
        for (int[] m : matches) {
            if (m[1] <= coveredUntil) continue;
            counts[m[2]]++;
            coveredUntil = m[1];
        }
        List<Hit> hits = new ArrayList<>();
        for (int p = 0; p < phrases.length; p++) {
            if (counts[p] > 0) hits.add(new Hit(phrases[p].shown(), phrases[p].languages(), counts[p]));
        }
        hits.sort(Comparator.comparingInt(Hit::count).reversed()); // stable: list order among equals
        return List.copyOf(hits);
    }

    /** This list's phrases found in the visible text of an HTML body (markup, styles and link targets ignored). */
    List<Hit> scanHtml(String html) {
        if (html == null || html.isEmpty()) return List.of();
        return scan(Templates.htmlToText(html, false));
    }

    /** The matching form of a text: lower case, no accents, ASCII apostrophes and hyphens, single spaces. */
    static String fold(String s) {
        Objects.requireNonNull(s);
        String d = Normalizer.normalize(s.toLowerCase(Locale.ROOT), Normalizer.Form.NFKD);
        StringBuilder out = new StringBuilder(d.length());
        boolean space = false;
        for (int i = 0; i < d.length(); i++) {
            char c = d.charAt(i);
            if (Character.getType(c) == Character.NON_SPACING_MARK) continue;
            switch (c) {
                case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD' -> {
                    continue; // invisible: spammers use them to split words
                }
                default -> {}
            }
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = true;
                continue;
            }
            if (space) {
                if (!out.isEmpty()) out.append(' ');
                space = false;
            }
            switch (c) {
                case 'ß' -> out.append("ss");
                case 'æ' -> out.append("ae");
                case 'œ' -> out.append("oe");
                case 'ø' -> out.append('o');
                case 'ł' -> out.append('l');
                case 'đ' -> out.append('d');
                case 'ı' -> out.append('i');
                case '\u2018', '\u2019', '\u02BC', '\u00B4', '`' -> out.append('\'');
                case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212' -> out.append('-');
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
