package dev.outreach2day.unibox;

import java.text.Normalizer;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies a reply to a cold email into the Unibox intents {@value #INTERESTED}, {@value #NOT_INTERESTED},
 * {@value #OUT_OF_OFFICE}, {@value #UNSUBSCRIBE} and {@value #NEUTRAL} (plus {@value #BOUNCED} for text that is
 * plainly a non-delivery notice). Pure Java: rules and weighted phrase lists in English, German, French and
 * Spanish; no model, no network, no state.
 *
 * <p>Pipeline:
 * <ol>
 *   <li>Non-delivery notices (subject words such as "Undeliverable", "Unzustellbar", "Non remis", DSN headers,
 *       SMTP 5.x.x codes) are {@value #BOUNCED}.</li>
 *   <li>RFC 3834 auto-reply headers ({@code Auto-Submitted} other than {@code no}, {@code X-Autoreply},
 *       {@code X-Autorespond}, {@code Precedence: auto_reply}; Exchange's generated-message headers together with
 *       auto-reply subject words) make it {@value #OUT_OF_OFFICE}.</li>
 *   <li>Only the newest part of the text is read: lines quoted with {@code >}, the quoted history after
 *       "On … wrote:" / "Am … schrieb …:" / "Le … a écrit :" / "El … escribió:" / "-----Original Message-----" /
 *       Outlook "From: … Sent: …" header blocks, signatures after "-- " or "Sent from my iPhone", and a closing
 *       ("Best regards", "Mit freundlichen Grüßen", "Cordialement", "Saludos"…) near the end are dropped.</li>
 *   <li>Weighted phrases are found on a folded copy (lower case, accents removed, ß → ss, typographic
 *       apostrophes made ASCII), whole words only; a phrase lying inside a longer phrase found is not counted
 *       ("not interested" hides "interested"). An interest phrase preceded in its clause by a negator
 *       ("not", "nicht", "kein", "pas", "no", "sin"…) or followed by "nicht"/"pas" counts as not interested; one
 *       preceded by a condition ("if", "falls", "si", "bei"…) is ignored.</li>
 *   <li>Decision: out-of-office wording that outweighs every intent wins; then unsubscribe &gt; not interested &gt;
 *       interested whenever the stronger class has a clear signal (score ≥ {@value #STRONG}); otherwise the
 *       highest score ≥ {@value #MIN_SCORE}; an interest weaker than referral/identity wording ("forwarding
 *       to my colleague", "who are you?") is {@value #NEUTRAL}; nothing clear is {@value #NEUTRAL}.</li>
 * </ol>
 * For out-of-office replies the return date is parsed when stated ("back on March 12", "until 04/21/2025",
 * "bis zum 12.03.", "jusqu'au 12 mars", "hasta el 12 de marzo", ISO dates, "back on Monday", "ab Oktober");
 * a date without a year is the next one not before {@code today}. Numeric dates are day-first except in English,
 * where they are month-first (US) unless only day-first is possible or the text looks British.
 */
public final class ReplyClassifier {

    public static final String INTERESTED = "interested";
    public static final String NOT_INTERESTED = "not_interested";
    public static final String OUT_OF_OFFICE = "out_of_office";
    public static final String UNSUBSCRIBE = "unsubscribe";
    public static final String NEUTRAL = "neutral";
    public static final String BOUNCED = "bounced";

    /** The classification: one of the intent constants, a confidence in [0.5, 0.99], the return date of an
     *  out-of-office reply when stated (else null), and the signals that led to it, for display and debugging. */
    public record Result(String intent, double confidence, LocalDate returnDate, List<String> signals) {
        public Result {
            Objects.requireNonNull(intent, "intent");
            signals = signals == null ? List.of() : List.copyOf(signals);
        }
    }

    static final double MIN_SCORE = 1.0;
    static final double STRONG = 1.5;

    private ReplyClassifier() {}

    /** Classifies with today's UTC date as the reference for return dates without a year. */
    public static Result classify(String subject, String text, Map<String, String> headers) {
        return classify(subject, text, headers, LocalDate.now(ZoneOffset.UTC));
    }

    /**
     * Classifies a reply.
     *
     * @param subject the reply's subject (may be null)
     * @param text    the reply's plain-text body, quoted history included (may be null; simple HTML is tolerated)
     * @param headers the message headers, names case-insensitive (may be null or empty)
     * @param today   the reference date for return dates stated without a year
     */
    public static Result classify(String subject, String text, Map<String, String> headers, LocalDate today) {
        Objects.requireNonNull(today, "today");
        String subj = subject == null ? "" : subject.strip();
        String raw = text == null ? "" : text;
        String[] h = headerValues(headers);
        List<String> signals = new ArrayList<>();

        if (looksLikeHtml(raw)) {
            raw = htmlToText(raw);
            signals.add("html-converted");
        }
        String subjectLead = foldText(subjectLead(subj));

        // 1. bounces
        Bounce bounce = bounce(subjectLead, raw, h);
        if (bounce.score() >= 2.5 && !bounce.delay()) {
            signals.addAll(bounce.signals());
            double conf = Math.min(0.99, 0.8 + 0.04 * bounce.score());
            return new Result(BOUNCED, round(conf), null, signals);
        }

        // 2. the newest part of the text
        Stripped stripped = strip(raw);
        signals.addAll(stripped.signals());
        String body = stripped.text();
        Folded fb = fold(body);
        String lang = detectLanguage(fb.text());
        signals.add("lang:" + lang);

        if (bounce.delay()) {
            signals.addAll(bounce.signals());
            signals.add("delivery-delay-notice");
            return new Result(NEUTRAL, 0.9, null, signals);
        }

        // 3. RFC 3834 / vendor auto-reply headers
        List<String> headerSignals = autoReplyHeaders(h, subjectLead);

        // 4. phrases
        EnumMap<Kind, Double> score = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) score.put(k, 0.0);
        List<Hit> hits = findHits(fb, lang);
        Set<String> counted = new LinkedHashSet<>();
        for (Hit hit : hits) {
            if (hit.kind() == Kind.IGNORE) {
                if (hit.note() != null) signals.add(hit.describe());
                continue;
            }
            String key = hit.kind() + "|" + hit.label();
            if (!counted.add(key)) continue;
            score.merge(hit.kind(), hit.weight(), Double::sum);
            signals.add(hit.describe());
        }
        for (Hit hit : wholeMessageHits(body)) {
            score.merge(hit.kind(), hit.weight(), Double::sum);
            signals.add(hit.describe());
        }
        for (Rule rule : SUBJECT_RULES) {
            if (rule.pattern().matcher(subjectLead).find()) {
                score.merge(rule.kind(), rule.weight(), Double::sum);
                signals.add("subject:" + rule.kind().intent + " '" + rule.label() + "'");
            }
        }
        if (fb.text().isBlank()) { // an empty reply: the subject alone may say it
            String subjectOnly = SPACES.matcher(NOT_WORD_OR_SPACE.matcher(foldText(stripReplyPrefixes(subj))).replaceAll(" ").strip())
                    .replaceAll(" ");
            if (SUBJECT_UNSUBSCRIBE.matcher(subjectOnly).matches()) {
                score.merge(Kind.UNSUBSCRIBE, 2.5, Double::sum);
                signals.add("subject:unsubscribe '" + subjectOnly + "'");
            }
        }

        double un = score.get(Kind.UNSUBSCRIBE), ni = score.get(Kind.NOT_INTERESTED), in = score.get(Kind.INTERESTED);
        double ooo = score.get(Kind.OUT_OF_OFFICE), neu = score.get(Kind.NEUTRAL);
        boolean shortReply = atMostWords(fb.text(), 4);

        LocalDate returnDate = null;
        if (!headerSignals.isEmpty() || ooo >= STRONG) {
            DateFinding found = ReturnDates.find(fb.text(), lang, today);
            if (found != null) {
                returnDate = found.date();
                ooo += 0.5;
                signals.add("return-date:" + found.date() + " ('" + found.source().strip() + "')");
            }
        }

        if (!headerSignals.isEmpty()) {
            signals.addAll(0, headerSignals);
            double conf = ooo >= STRONG ? 0.99 : 0.95;
            return new Result(OUT_OF_OFFICE, conf, returnDate, signals);
        }
        double maxIntent = Math.max(un, Math.max(ni, in));
        if (ooo >= 2.0 && ooo > maxIntent) {
            return new Result(OUT_OF_OFFICE, confidence(ooo, maxIntent, false), returnDate, signals);
        }
        if (un >= STRONG) return new Result(UNSUBSCRIBE, confidence(un, Math.max(ni, in), shortReply), null, signals);
        if (ni >= STRONG) return new Result(NOT_INTERESTED, confidence(ni, Math.max(in, un), shortReply), null, signals);
        if (maxIntent >= MIN_SCORE) {
            if (un == maxIntent) return new Result(UNSUBSCRIBE, confidence(un, Math.max(ni, in), shortReply), null, signals);
            if (ni == maxIntent) return new Result(NOT_INTERESTED, confidence(ni, Math.max(in, un), shortReply), null, signals);
            if (in >= neu) return new Result(INTERESTED, confidence(in, Math.max(Math.max(ni, un), neu), shortReply), null, signals);
            signals.add("interest-outweighed-by-neutral");
        }
        if (ooo >= STRONG) {
            return new Result(OUT_OF_OFFICE, confidence(ooo, maxIntent, false), returnDate, signals);
        }
        double conf = neu > 0 ? 0.6 + 0.3 * (1 - Math.exp(-neu / 2)) : 0.6;
        if (Math.max(maxIntent, ooo) >= 0.5) conf -= 0.1;
        return new Result(NEUTRAL, round(Math.max(0.5, conf)), null, signals);
    }

    /** The newest part of a reply: quoted history, signatures and closings removed (see the class comment). */
    public static String latestReply(String text) {
        String raw = text == null ? "" : text;
        if (looksLikeHtml(raw)) raw = htmlToText(raw);
        return strip(raw).text();
    }

    /** The headers read, by index in the array {@link #headerValues} gives. */
    private static final String[] HEADER_NAMES = {"Content-Type", "X-Failed-Recipients", "From", "Auto-Submitted",
            "X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply", "X-Vacation", "Precedence",
            "X-MS-Exchange-Generated-Message-Source", "X-MS-Exchange-Inbox-Rules-Loop", "X-Autogenerated", "X-Auto-Response-Suppress"};
    private static final int CONTENT_TYPE = 0, X_FAILED_RECIPIENTS = 1, FROM = 2, AUTO_SUBMITTED = 3, FIRST_X_AUTOREPLY = 4,
            LAST_X_AUTOREPLY = 8, PRECEDENCE = 9, FIRST_EXCHANGE = 10, LAST_EXCHANGE = 13;

    /**
     * The values of the {@link #HEADER_NAMES} in {@code headers} (null: absent; a null value as ""), names compared as
     * {@link String#CASE_INSENSITIVE_ORDER} does, the last of equal names winning: what a case-insensitive TreeMap copy
     * of the map would give for them, without building one. (A name equal to one of these ASCII names, ignoring case,
     * has its length: no char folds to a different number of chars there.)
     */
    private static String[] headerValues(Map<String, String> headers) {
        String[] values = new String[HEADER_NAMES.length];
        if (headers == null) return values;
        headers.forEach((k, v) -> {
            if (k == null) return;
            for (int i = 0; i < HEADER_NAMES.length; i++) {
                String name = HEADER_NAMES[i];
                if (name.length() == k.length() && String.CASE_INSENSITIVE_ORDER.compare(k, name) == 0) values[i] = v == null ? "" : v;
            }
        });
        return values;
    }

    private static final Pattern NOT_WORD_OR_SPACE = Pattern.compile("[^\\p{L}\\p{N}' ]");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private static double confidence(double score, double runnerUp, boolean shortReply) {
        double strength = 1 - Math.exp(-score / 2.0);
        double margin = score / (score + Math.max(0, runnerUp));
        double c = 0.5 + 0.49 * strength * (0.5 + 0.5 * margin);
        if (shortReply) c += 0.05;
        return round(Math.max(0.5, Math.min(0.99, c)));
    }

    private static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Folding: lower case, accents removed, compatibility forms, ß → ss, typographic punctuation made ASCII.
    // The origin of every folded char is kept so that the original spelling can be consulted ("sí" vs "si").
    // ------------------------------------------------------------------------------------------------------------

    record Folded(String text, int[] origin, String original) {
        char originalAt(int foldedIndex) {
            return foldedIndex < origin.length ? original.charAt(origin[foldedIndex]) : ' ';
        }
    }

    static Folded fold(String s) {
        char[] folded = new char[s.length() * 2 + 4];
        int[] origin = new int[folded.length];
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            char single = FOLDED_SINGLE[s.charAt(i)]; // 0 for a surrogate: its code point is looked up below
            if (single != 0 && n < origin.length) {
                origin[n] = i++;
                folded[n++] = single;
                continue;
            }
            int cp = s.codePointAt(i);
            String piece = foldChar(cp);
            for (int j = 0; j < piece.length(); j++) {
                if (n == origin.length) {
                    origin = Arrays.copyOf(origin, n * 2);
                    folded = Arrays.copyOf(folded, n * 2);
                }
                origin[n] = i;
                folded[n++] = piece.charAt(j);
            }
            i += Character.charCount(cp);
        }
        return new Folded(new String(folded, 0, n), Arrays.copyOf(origin, n), s);
    }

    /** {@code fold(s).text()}, without the origins. */
    static String foldText(String s) {
        int len = s.length();
        char[] folded = new char[len * 2 + 4];
        int n = 0;
        for (int i = 0; i < len; ) {
            char single = FOLDED_SINGLE[s.charAt(i)]; // 0 for a surrogate: its code point is looked up below
            if (single != 0 && n < folded.length) {
                i++;
                folded[n++] = single;
                continue;
            }
            int cp = s.codePointAt(i);
            String piece = foldChar(cp);
            for (int j = 0; j < piece.length(); j++) {
                if (n == folded.length) folded = Arrays.copyOf(folded, n * 2);
                folded[n++] = piece.charAt(j);
            }
            i += Character.charCount(cp);
        }
        return new String(folded, 0, n);
    }

    /**
     * {@link #foldCodePoint} of each BMP char, filled in as met (its Normalizer call is slow). A pure function, so a
     * thread that misses another's entry just computes the same String again; Strings are safe to share unsynchronised.
     */
    private static final String[] FOLDED_CHARS = new String[Character.MAX_VALUE + 1];
    /** The same for the BMP non-surrogate chars whose folding is one char, as a char; 0 when not (yet) known. */
    private static final char[] FOLDED_SINGLE = new char[Character.MAX_VALUE + 1];

    private static String foldChar(int cp) {
        if (cp > Character.MAX_VALUE) return foldCodePoint(cp);
        String piece = FOLDED_CHARS[cp];
        if (piece == null) {
            FOLDED_CHARS[cp] = piece = foldCodePoint(cp);
            if (piece.length() == 1 && !Character.isSurrogate((char) cp)) FOLDED_SINGLE[cp] = piece.charAt(0);
        }
        return piece;
    }

    private static String foldCodePoint(int cp) {
        switch (cp) {
            case '\r', '\u200B', '\u200C', '\u200D', '\uFEFF', '\u00AD' -> { return ""; }
            case '\n' -> { return "\n"; }
            case '\u2019', '\u2018', '\u201B', '\u02BC', '`', '\u00B4' -> { return "'"; }
            case '\u201C', '\u201D', '\u201E', '\u00AB', '\u00BB' -> { return "\""; }
            case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212' -> { return "-"; }
            case '\u00DF', '\u1E9E' -> { return "ss"; }
            case '\u00E6', '\u00C6' -> { return "ae"; }
            case '\u0153', '\u0152' -> { return "oe"; }
            case '\u00F8', '\u00D8' -> { return "o"; }
            default -> { }
        }
        if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) return " ";
        if (cp < 128) return String.valueOf((char) Character.toLowerCase(cp));
        String d = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKD);
        StringBuilder out = new StringBuilder(d.length());
        d.codePoints().filter(c -> Character.getType(c) != Character.NON_SPACING_MARK
                        && Character.getType(c) != Character.COMBINING_SPACING_MARK
                        && Character.getType(c) != Character.ENCLOSING_MARK)
                .map(Character::toLowerCase)
                .forEach(out::appendCodePoint);
        if (out.isEmpty()) return "";
        String r = out.toString();
        return r.equals("\u00DF") ? "ss" : r;
    }

    private static boolean isWordChar(char c) {
        return c < 128 ? isAsciiLetterOrDigit(c) : Character.isLetterOrDigit(c);
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** Whether the text has at most {@code max} words (it stops counting after that). */
    private static boolean atMostWords(String folded, int max) {
        int count = 0;
        boolean in = false;
        for (int i = 0; i < folded.length(); i++) {
            boolean w = isWordChar(folded.charAt(i));
            if (w && !in && ++count > max) return false;
            in = w;
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Quote, signature and closing stripping
    // ------------------------------------------------------------------------------------------------------------

    record Stripped(String text, List<String> signals) {}

    private static final Pattern REPLY_HEADER = Pattern.compile(
            "^(?:on|am|le|el|em|op|il)\\b.{0,300}?\\b(?:wrote|schrieb|a ecrit|escribio|escreveu|schreef|ha scritto)\\b.{0,200}:\\s*$");
    private static final Pattern REPLY_HEADER_TAIL = Pattern.compile(
            "^.{0,300}(?:[@\\d]).{0,300}\\b(?:wrote|schrieb|a ecrit|escribio)\\s*:\\s*$");
    private static final Pattern REPLY_HEADER_START = Pattern.compile("^(?:on|am|le|el)\\s.*");
    private static final Pattern ORIGINAL_MESSAGE = Pattern.compile(
            "^[-_=*\\s]*(?:original message|urspr[u]ngliche nachricht|originalnachricht|message d'origine|message original"
                    + "|mensaje original|forwarded message|weitergeleitete nachricht|message transfere|mensaje reenviado"
                    + "|begin forwarded message|debut du message reexpedie)[-_=*:\\s]*$");
    private static final Pattern FROM_LINE = Pattern.compile("^\\*?(?:from|von|de|da|van)\\s?\\*?\\s?:\\s*\\S.*");
    private static final Pattern SENT_LINE = Pattern.compile(
            "^\\*?(?:sent|date|gesendet|datum|envoye|date d'envoi|enviado|enviado el|fecha|inviato|verzonden)\\s?\\*?\\s?:.*");
    private static final Pattern UNDERSCORES = Pattern.compile("^_{10,}\\s*$");
    private static final Pattern MOBILE_SIGNATURE = Pattern.compile(
            "^(?:sent from my|sent from outlook|sent from mail for|sent from yahoo|sent from samsung|sent via|get outlook for"
                    + "|von meinem|gesendet von meinem|gesendet mit|envoye de mon|envoye depuis|envoye a partir|obtenir outlook"
                    + "|telecharger outlook|enviado desde|enviado con|obtener outlook|descargar outlook)\\b.*");
    private static final Pattern DISCLAIMER = Pattern.compile(
            "^(?:this e ?mail and any|this message and any|this message (?:is|may be) confidential|confidentiality notice"
                    + "|disclaimer\\s*:|diese e ?mail enthalt|diese nachricht enthalt|ce message et|ce courriel|ce message est confidentiel"
                    + "|este mensaje y|este correo electronico y|este correo y|aviso de confidencialidad|aviso legal\\s*:).*");
    /** Multi-word closings may be followed by a name on the same line. */
    private static final Pattern CLOSING = Pattern.compile(
            "^(?:(?:best|kind|warm|warmest|many|with kind|with best|all the best|kindest)\\s+regards|best wishes|yours truly|yours sincerely"
                    + "|talk soon|mit freundlichen grussen|mit freundlichem gruss|freundliche grusse|viele grusse|beste grusse|liebe grusse"
                    + "|herzliche grusse|schone grusse|bien cordialement|tres cordialement|bien a vous|sinceres salutations|bonne journee"
                    + "|belle journee|bonne soiree|un saludo|saludos cordiales|un cordial saludo|un abrazo)"
                    + "\\s*[,.!]*(?:\\s+[\\p{L}.'-]+){0,4}\\s*$");
    /** Single-word closings: alone on the line, or followed by a comma and a name ("Best, John"). */
    private static final Pattern CLOSING_WORD = Pattern.compile(
            "^(?:regards|best|cheers|sincerely|yours|gruss|grusse|lg|vg|mfg|bg|cordialement|salutations|saludos|atentamente|abrazos)"
                    + "(?:\\s*[.!]*|\\s*,(?:\\s*[\\p{L}.'-]+){0,3})\\s*$");
    private static final Pattern CLOSING_THANKS = Pattern.compile(
            "^(?:thanks|thank you|many thanks|thanks again|thx|danke|vielen dank|danke schon|merci|merci beaucoup|gracias|muchas gracias)\\s*[,.!]*\\s*$");

    static Stripped strip(String text) {
        String[] lines = text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
        List<String> kept = new ArrayList<>();
        List<String> signals = new ArrayList<>();
        boolean quotedLines = false, keptContent = false;
        String cut = null;
        for (int i = 0; i < lines.length && cut == null; i++) {
            String line = lines[i];
            String t = line.strip();
            if (t.startsWith(">")) { quotedLines = true; continue; }
            String f = foldText(t);
            if (isReplyHeader(lines, i, f)) cut = "quoted-history";
            else if (mayBeOriginalMessage(f) && ORIGINAL_MESSAGE.matcher(f).matches()) cut = "quoted-history";
            else if (t.startsWith("__________") && UNDERSCORES.matcher(t).matches() && headerBlockFollows(lines, i + 1)) cut = "quoted-history";
            else if (mayBeFromLine(f) && FROM_LINE.matcher(f).matches() && headerBlockFollows(lines, i)) cut = "quoted-history";
            else if (line.equals("-- ") || t.equals("--") || t.equals("\u2014") || t.equals("-- ")) cut = "signature";
            else if (startsWithOneOf(f, 0, "sgveotd") && MOBILE_SIGNATURE.matcher(f).matches()) cut = "signature";
            else if (keptContent && startsWithOneOf(f, 0, "tcdea") && DISCLAIMER.matcher(f).matches()) cut = "signature";
            else {
                kept.add(line);
                keptContent |= !line.isBlank();
            }
        }
        if (quotedLines) signals.add("quoted-lines-stripped");
        if (cut != null) signals.add(cut + "-stripped");
        // A closing ("Best regards", "Mit freundlichen Grüßen", "Thanks,") near the end ends the message.
        int contentLines = 0;
        int remaining = 0; // non-blank lines after line i
        for (String k : kept) if (!k.isBlank()) remaining++;
        for (int i = 0; i < kept.size(); i++) {
            String t = kept.get(i).strip();
            if (t.isEmpty()) continue;
            remaining--;
            if (contentLines > 0 && remaining <= 12 && t.length() <= 60 && isClosing(foldText(t))) {
                kept = new ArrayList<>(kept.subList(0, i));
                signals.add("closing-stripped");
                break;
            }
            contentLines++;
        }
        return new Stripped(String.join("\n", kept).strip(), signals);
    }

    private static boolean isClosing(String folded) {
        return CLOSING.matcher(folded).matches() || CLOSING_WORD.matcher(folded).matches() || CLOSING_THANKS.matcher(folded).matches();
    }

    // Quick tests that only rule out lines that the regexes named cannot match (each alternative of those regexes
    // begins with a letter of the string given), so that the regexes run on few lines.

    /** Whether {@code s} has at {@code i} one of the chars {@code chars}. */
    private static boolean startsWithOneOf(String s, int i, String chars) {
        return i < s.length() && chars.indexOf(s.charAt(i)) >= 0;
    }

    /** False when {@link #ORIGINAL_MESSAGE} cannot match: its words begin after [-_=*\s]*. */
    private static boolean mayBeOriginalMessage(String f) {
        int i = 0;
        while (i < f.length() && ("-_=*".indexOf(f.charAt(i)) >= 0 || isRegexSpace(f.charAt(i)))) i++;
        return startsWithOneOf(f, i, "oumfwbd");
    }

    /** False when {@link #FROM_LINE} cannot match: its words begin after an optional '*'. */
    private static boolean mayBeFromLine(String f) {
        return startsWithOneOf(f, f.startsWith("*") ? 1 : 0, "fvd");
    }

    /** False when {@link #REPLY_HEADER_START} cannot match: a two-letter word and \s. */
    private static boolean mayBeReplyHeaderStart(String f) {
        return f.length() >= 3 && isRegexSpace(f.charAt(2))
                && (f.startsWith("on") || f.startsWith("am") || f.startsWith("le") || f.startsWith("el"));
    }

    /** Whether line {@code i} (folded: {@code f}) starts the quoted history. */
    private static boolean isReplyHeader(String[] lines, int i, String f) {
        if (f.isEmpty()) return false;
        if (endsWithColon(f) && (REPLY_HEADER.matcher(f).matches() || REPLY_HEADER_TAIL.matcher(f).matches())) return true;
        if (mayBeReplyHeaderStart(f) && REPLY_HEADER_START.matcher(f).matches()) { // Gmail wraps long attributions over two or three lines
            String joined = f;
            for (int j = i + 1; j < Math.min(lines.length, i + 3); j++) {
                joined = joined + " " + foldText(lines[j].strip());
                if (endsWithColon(joined) && REPLY_HEADER.matcher(joined).matches()) return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code s} ends with ':' and then only regex {@code \s} characters: true of every string that
     * {@link #REPLY_HEADER} or {@link #REPLY_HEADER_TAIL} matches (both end in {@code :\s*$}), so the regexes, slow
     * on long lines, are skipped for all the others.
     */
    private static boolean endsWithColon(String s) {
        int end = s.length();
        while (end > 0 && " \t\n\u000B\f\r".indexOf(s.charAt(end - 1)) >= 0) end--;
        return end > 0 && s.charAt(end - 1) == ':';
    }

    private static boolean headerBlockFollows(String[] lines, int from) {
        boolean sawFrom = false;
        for (int j = from; j < Math.min(lines.length, from + 6); j++) {
            String f = foldText(lines[j].strip());
            if (FROM_LINE.matcher(f).matches()) sawFrom = true;
            else if (SENT_LINE.matcher(f).matches() && (sawFrom || j > from)) return sawFrom;
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------------------
    // HTML (a tolerated input; the mail pipeline normally hands over text/plain)
    // ------------------------------------------------------------------------------------------------------------

    private static final Pattern HTML_HINT = Pattern.compile("(?i)<(?:html|body|div|p|br|span|table|blockquote)\\b");

    private static boolean looksLikeHtml(String s) {
        return s.indexOf('<') >= 0 && HTML_HINT.matcher(s).find(); // every match starts with '<'
    }

    private static final Pattern HTML_HIDDEN = Pattern.compile("(?is)<(script|style|head)\\b.*?</\\1\\s*>");
    private static final Pattern HTML_BLOCKQUOTE = Pattern.compile("(?is)<blockquote\\b.*?</blockquote\\s*>");
    private static final Pattern HTML_QUOTE_DIV = Pattern.compile(
            "(?is)<div[^>]*(?:gmail_quote|divRplyFwdMsg|appendonsend|moz-cite-prefix|yahoo_quoted)[^>]*>.*");
    private static final Pattern HTML_BR = Pattern.compile("(?i)<br\\s*/?>");
    private static final Pattern HTML_BLOCK_END = Pattern.compile("(?i)</(?:p|div|tr|li|h[1-6]|table)\\s*>");
    private static final Pattern HTML_COMMENT = Pattern.compile("(?s)<!--.*?-->");
    private static final Pattern HTML_TAG = Pattern.compile("(?s)<[^>]+>");
    private static final Pattern HTML_NUMERIC_ENTITY = Pattern.compile("&#(x?)([0-9a-fA-F]+);");
    private static final Pattern TRAILING_BLANKS = Pattern.compile("[ \\t]+\\n");
    private static final Pattern BLANK_LINES = Pattern.compile("\\n{3,}");

    static String htmlToText(String html) {
        String s = html;
        s = HTML_HIDDEN.matcher(s).replaceAll(" ");
        s = HTML_BLOCKQUOTE.matcher(s).replaceAll("\n");
        s = HTML_QUOTE_DIV.matcher(s).replaceAll("\n");
        s = HTML_BR.matcher(s).replaceAll("\n");
        s = HTML_BLOCK_END.matcher(s).replaceAll("\n");
        s = HTML_COMMENT.matcher(s).replaceAll("");
        s = HTML_TAG.matcher(s).replaceAll("");
        s = s.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&apos;", "'");
        Matcher m = HTML_NUMERIC_ENTITY.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            int cp;
            try {
                cp = Integer.parseInt(m.group(2), m.group(1).isEmpty() ? 10 : 16);
            } catch (NumberFormatException e) {
                cp = '?';
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : "?"));
        }
        m.appendTail(sb);
        return BLANK_LINES.matcher(TRAILING_BLANKS.matcher(sb.toString().replace("&amp;", "&")).replaceAll("\n")).replaceAll("\n\n");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Subjects
    // ------------------------------------------------------------------------------------------------------------

    private static final Pattern REPLY_PREFIX = Pattern.compile(
            "(?i)^\\s*(?:re|aw|antw|antwort|rv|r|sv|vs|tr|wg|fw|fwd|enc|rif|odp)\\s*(?:\\[\\d+\\])?\\s*:\\s*");

    private static String stripReplyPrefixes(String subject) {
        String s = subject;
        for (int i = 0; i < 5; i++) {
            Matcher m = REPLY_PREFIX.matcher(s);
            if (!m.find()) break;
            s = s.substring(m.end());
        }
        return s;
    }

    private static final Pattern EMBEDDED_REPLY_PREFIX = Pattern.compile("(?i)(?:^|\\s|:)(?:re|aw|antw|rv|tr|wg|fw|fwd)\\s*:");

    /** The part of the subject before an embedded "Re:" (our own campaign subject is not the sender's wording). */
    private static String subjectLead(String subject) {
        if (REPLY_PREFIX.matcher(subject).find()) return "";
        Matcher m = EMBEDDED_REPLY_PREFIX.matcher(subject);
        return m.find() ? subject.substring(0, m.start()) : subject;
    }

    private record Rule(Kind kind, double weight, String label, Pattern pattern) {}

    private static final List<Rule> SUBJECT_RULES = List.of(
            new Rule(Kind.OUT_OF_OFFICE, 2.5, "auto-reply subject", Pattern.compile(
                    "(?:^auto\\s*:|\\b(?:automatic reply|auto ?matic ?reply|auto[ -]?reply|autoreply|auto[ -]?response|automatic response"
                            + "|out of (?:the )?office|ooo|abwesen\\w*|automatische antwort|reponse automatique|respuesta automatica"
                            + "|fuera de (?:la )?oficina|absence|absent|vacation|on leave|\\w*urlaub|vacances|conges?|vacaciones|ausente)\\b)")));

    private static final Pattern SUBJECT_UNSUBSCRIBE = Pattern.compile(
            "(?:please )?(?:unsubscribe(?: me)?|remove(?: me)?|stop|opt out|abmelden|austragen|abbestellen|desinscription|desinscrire"
                    + "|desabonnement|desabonner|baja|darme de baja|dar de baja)(?: please| bitte| svp| por favor)?");

    // ------------------------------------------------------------------------------------------------------------
    // Bounces
    // ------------------------------------------------------------------------------------------------------------

    private record Bounce(double score, boolean delay, List<String> signals) {}

    private static final Pattern BOUNCE_SUBJECT = Pattern.compile(
            "delivery status notification|undeliverable|undelivered mail|undelivered message|mail delivery failed|delivery failure"
                    + "|failure notice|returned mail|returned to sender|delivery has failed|message not delivered|mail delivery system"
                    + "|unzustellbar|nicht zustellbar|non remis|echec de (?:la )?remise|message non distribue|non distribuable"
                    + "|no se puede entregar|mensaje no entregado|no entregado|error de entrega|entrega fallida|notificacion de estado de entrega");
    private static final Pattern BOUNCE_BODY = Pattern.compile(
            "could ?n[o']?t be delivered|was ?n[o']?t delivered|was not delivered|address not found|address could ?n[o']?t be found"
                    + "|user unknown|unknown user|recipient not found|recipientnotfound|mailbox unavailable|mailbox not found|no such user"
                    + "|does not exist|recipient address rejected|permanent error|permanent fatal error|mail delivery software"
                    + "|mail delivery subsystem|the following address(?:\\(es\\))? failed|delivery to the following recipient"
                    + "|konnte nicht zugestellt|nicht zugestellt werden|empfanger nicht erreicht|zustellung an folgende|benutzer unbekannt"
                    + "|unbekannter empfanger|existiert nicht|permanenter fehler|n'a pas pu etre (?:remis|distribue|delivre)|n'a pas ete distribue"
                    + "|adresse introuvable|utilisateur inconnu|destinataire inconnu|no se pudo entregar|no se ha podido entregar"
                    + "|no pudo ser entregado|no se ha entregado|direccion no encontrada|destinatario no encontrado"
                    + "|no se encontro el destinatario|usuario desconocido|error permanente");
    private static final Pattern SMTP_PERMANENT = Pattern.compile("(?<![\\d.])5\\d\\d[ -]#?5\\.\\d{1,3}\\.\\d{1,3}(?![\\d.])|(?<![\\d.])5\\.[1-7]\\.\\d{1,3}(?![\\d.])");
    private static final Pattern DELAY = Pattern.compile("\\(delay\\)|\\bdelayed\\b|\\bwill (?:continue to )?retry\\b|still trying|verzogert|retarde|retrasad");

    /** The leading literals of BOUNCE_BODY's alternatives (ids 0…n-1) and "5." (id n) in one automaton. */
    private static final Needles BOUNCE_NEEDLES;
    private static final int[] BOUNCE_BODY_STARTS;
    private static final int BOUNCE_FIVE_DOT;

    static {
        List<String> starts = Objects.requireNonNull(leadingLiterals(BOUNCE_BODY.pattern()), "BOUNCE_BODY starts with literals");
        BOUNCE_BODY_STARTS = java.util.stream.IntStream.range(0, starts.size()).toArray();
        BOUNCE_FIVE_DOT = starts.size();
        List<String> needles = new ArrayList<>(starts);
        needles.add("5.");
        BOUNCE_NEEDLES = new Needles(needles.toArray(String[]::new));
    }

    private static Bounce bounce(String subjectLead, String raw, String[] h) {
        List<String> signals = new ArrayList<>();
        double score = 0;
        String contentType = Objects.requireNonNullElse(h[CONTENT_TYPE], "").toLowerCase(Locale.ROOT);
        if (contentType.contains("multipart/report") && contentType.contains("delivery-status")) {
            score += 3;
            signals.add("header:content-type=multipart/report; delivery-status");
        }
        if (h[X_FAILED_RECIPIENTS] != null) {
            score += 3;
            signals.add("header:x-failed-recipients");
        }
        String from = Objects.requireNonNullElse(h[FROM], "").toLowerCase(Locale.ROOT);
        if (from.contains("mailer-daemon") || from.contains("postmaster@")) {
            score += 2;
            signals.add("header:from=" + (from.contains("mailer-daemon") ? "mailer-daemon" : "postmaster"));
        }
        Matcher sm = BOUNCE_SUBJECT.matcher(subjectLead);
        if (sm.find()) {
            score += 2.5;
            signals.add("subject:bounce '" + sm.group() + "'");
        }
        String f = foldText(raw.length() > 6000 ? raw.substring(0, 6000) : raw);
        // BOUNCE_BODY tried only where one of its alternatives' leading literals occurs: the same matches as find()
        Needles.Found found = BOUNCE_NEEDLES.scan(f);
        var bodyMatches = new Needles.AtStarts(BOUNCE_BODY, f, found.starts(BOUNCE_BODY_STARTS));
        Set<String> seen = new LinkedHashSet<>();
        for (Matcher bm; seen.size() < 3 && (bm = bodyMatches.find()) != null; ) seen.add(bm.group());
        for (String s : seen) {
            score += 1.5;
            signals.add("bounce:'" + s + "'");
        }
        Matcher code = SMTP_PERMANENT.matcher(f);
        if (found.contains(BOUNCE_FIVE_DOT) && code.find()) { // every SMTP_PERMANENT match contains "5."
            score += 1.5;
            signals.add("bounce:smtp " + code.group());
        }
        boolean delay = score > 0 && DELAY.matcher(subjectLead + "\n" + f).find() && !f.contains("permanent") && !subjectLead.contains("failure");
        return new Bounce(score, delay, signals);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Auto-reply headers (RFC 3834 and vendors)
    // ------------------------------------------------------------------------------------------------------------

    private static final Pattern AUTO_SUBJECT = Pattern.compile(
            "automatic reply|auto[ -]?reply|autoreply|auto[ -]?response|automatic response|out of (?:the )?office|\\booo\\b|abwesen"
                    + "|automatische antwort|reponse automatique|absence|respuesta automatica|fuera de (?:la )?oficina|^auto\\s*:");

    private static List<String> autoReplyHeaders(String[] h, String subjectLead) {
        List<String> out = new ArrayList<>();
        String autoSubmitted = h[AUTO_SUBMITTED];
        if (autoSubmitted != null) {
            String v = autoSubmitted.strip().toLowerCase(Locale.ROOT);
            if (!v.isEmpty() && !v.startsWith("no")) out.add("header:auto-submitted=" + v);
        }
        for (int i = FIRST_X_AUTOREPLY; i <= LAST_X_AUTOREPLY; i++) {
            String name = HEADER_NAMES[i];
            String v = h[i];
            if (v != null) {
                String lv = v.strip().toLowerCase(Locale.ROOT);
                if (!lv.equals("no") && !lv.equals("false") && !lv.equals("0")) out.add("header:" + name.toLowerCase(Locale.ROOT) + (lv.isEmpty() ? "" : "=" + lv));
            }
        }
        String precedence = h[PRECEDENCE];
        if (precedence != null && precedence.strip().equalsIgnoreCase("auto_reply")) out.add("header:precedence=auto_reply");
        Boolean autoSubject = null; // looked up at the first of these headers
        for (int i = FIRST_EXCHANGE; i <= LAST_EXCHANGE; i++) {
            if (h[i] == null) continue;
            if (autoSubject == null) autoSubject = AUTO_SUBJECT.matcher(subjectLead).find();
            if (autoSubject) out.add("header:" + HEADER_NAMES[i].toLowerCase(Locale.ROOT) + "+auto-reply subject");
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Language (only needed to order numeric dates, and reported as a signal)
    // ------------------------------------------------------------------------------------------------------------

    private static final Map<String, Set<String>> STOPWORDS = Map.of(
            "en", Set.of("the", "and", "i", "you", "we", "to", "is", "are", "for", "of", "on", "in", "this", "that", "with", "my",
                    "your", "thanks", "please", "not", "be", "will", "it", "me", "am", "our", "us", "yes", "no", "out", "back", "office",
                    "would", "can", "what", "who", "how", "let's", "i'm", "we're", "sure", "sounds", "call", "thank"),
            "de", Set.of("ich", "und", "die", "der", "das", "nicht", "sie", "wir", "ist", "bin", "mit", "zu", "ein", "eine", "fur",
                    "bitte", "danke", "ihr", "ihre", "ihrer", "uns", "es", "im", "bis", "auf", "haben", "kein", "keine", "gerne", "ja",
                    "nein", "mich", "mir", "sind", "wer", "was", "wie", "aber", "schon", "bereits", "hallo", "vielen", "dank"),
            "fr", Set.of("je", "et", "le", "les", "des", "du", "pas", "vous", "nous", "est", "suis", "pour", "un", "une", "merci",
                    "ne", "ce", "avec", "au", "mon", "ma", "mes", "sur", "oui", "non", "bonjour", "qui", "quoi", "c'est", "ca", "cela",
                    "votre", "vos", "plus", "tres", "m'interesse", "j'ai", "n'est", "jusqu'au"),
            "es", Set.of("el", "los", "las", "y", "que", "estoy", "por", "para", "gracias", "con", "mi", "su", "hasta", "muy",
                    "favor", "nos", "usted", "hola", "si", "pero", "ya", "tenemos", "estamos", "como", "quien", "mas", "esta", "este",
                    "sus", "lo", "al", "del", "una", "un", "es", "no", "de", "la", "en", "me"));


    private static final List<String> LANGUAGES = List.of("en", "de", "fr", "es");
    /** Stop word → bit i set when it is one of {@code LANGUAGES.get(i)}'s (one lookup per token instead of four). */
    private static final Map<String, Integer> STOPWORD_LANGUAGES = new HashMap<>();

    static {
        for (int i = 0; i < LANGUAGES.size(); i++) {
            int bit = 1 << i;
            for (String w : STOPWORDS.get(LANGUAGES.get(i))) STOPWORD_LANGUAGES.merge(w, bit, (a, b) -> a | b);
        }
    }

    private static final int LONGEST_STOPWORD = STOPWORD_LANGUAGES.keySet().stream().mapToInt(String::length).max().orElseThrow();

    /** {@link #STOPWORD_LANGUAGES} as an open-addressing table, looked up with a token's chars (no substring). */
    private static final String[] STOPWORD_KEYS;
    private static final int[] STOPWORD_BITS;

    static {
        int size = Integer.highestOneBit(STOPWORD_LANGUAGES.size() * 4);
        STOPWORD_KEYS = new String[size];
        STOPWORD_BITS = new int[size];
        STOPWORD_LANGUAGES.forEach((w, bits) -> {
            int slot = stopwordSlot(w.hashCode());
            while (STOPWORD_KEYS[slot] != null) slot = (slot + 1) & (STOPWORD_KEYS.length - 1);
            STOPWORD_KEYS[slot] = w;
            STOPWORD_BITS[slot] = bits;
        });
    }

    private static int stopwordSlot(int hash) {
        return (hash ^ (hash >>> 16)) & (STOPWORD_KEYS.length - 1);
    }

    /** {@code STOPWORD_LANGUAGES.get(s.substring(start, end))}, 0 for none. */
    private static int stopwordLanguages(String s, int start, int end) {
        int hash = 0; // String.hashCode of the substring
        for (int k = start; k < end; k++) hash = 31 * hash + s.charAt(k);
        int len = end - start;
        for (int slot = stopwordSlot(hash); STOPWORD_KEYS[slot] != null; slot = (slot + 1) & (STOPWORD_KEYS.length - 1)) {
            String key = STOPWORD_KEYS[slot];
            if (key.length() == len && s.regionMatches(start, key, 0, len)) return STOPWORD_BITS[slot];
        }
        return 0;
    }

    /** A char of a token: regex {@code [\p{L}\p{N}']}, by code point. */
    private static boolean isTokenChar(int cp) {
        if (cp < 128) return cp == '\'' || isAsciiLetterOrDigit((char) cp);
        int type = Character.getType(cp);
        return Character.isLetter(cp) || type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    static String detectLanguage(String folded) {
        int[] counts = new int[LANGUAGES.size()];
        // the tokens are the maximal runs of token chars (what splitting at [^\p{L}\p{N}']+ gives, less empty strings)
        for (int i = 0; i < folded.length(); ) {
            int cp = folded.codePointAt(i);
            if (!isTokenChar(cp)) { i += Character.charCount(cp); continue; }
            int start = i;
            while (i < folded.length() && isTokenChar(cp = folded.codePointAt(i))) i += Character.charCount(cp);
            if (i - start > LONGEST_STOPWORD) continue; // cannot be a stop word
            int langs = stopwordLanguages(folded, start, i);
            if (langs == 0) continue;
            for (int l = 0; l < counts.length; l++) if ((langs & (1 << l)) != 0) counts[l]++;
        }
        String best = "und"; // ties go to the first of en, de, fr, es
        int bestCount = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > bestCount) { best = LANGUAGES.get(i); bestCount = counts[i]; }
        }
        return best;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Phrases
    // ------------------------------------------------------------------------------------------------------------

    enum Kind {
        UNSUBSCRIBE(ReplyClassifier.UNSUBSCRIBE), NOT_INTERESTED(ReplyClassifier.NOT_INTERESTED), INTERESTED(ReplyClassifier.INTERESTED),
        OUT_OF_OFFICE(ReplyClassifier.OUT_OF_OFFICE), NEUTRAL(ReplyClassifier.NEUTRAL),
        /** Blocks shorter phrases it contains ("don't hesitate" is not "please don't"). */
        IGNORE("ignore"),
        /** A word that means nothing alone but is a refusal when negated ("we don't need", "kein Thema", "pas d'actualité"). */
        CUE("cue");

        final String intent;

        Kind(String intent) {
            this.intent = intent;
        }
    }

    /** {@code required}: pieces of text every match contains (empty: none known), so most phrases skip the regex. */
    /**
     * {@code anchor}: the literal text every match starts with (null when unknown), so the regex is
     * tried only where it occurs instead of at every position of the text.
     */
    private record Phrase(Kind kind, double weight, String label, Pattern pattern, int order, List<String> required, String anchor) {}

    /**
     * A phrase's {@code required} pieces as ids of {@link #PHRASE_NEEDLES}, and the ids of the literals every match
     * starts with (null when unknown): its {@code anchor}, or for a raw pattern its {@link #leadingLiterals}.
     */
    private record PhraseNeedles(int[] required, int[] starts) {}

    /** A phrase found; {@code kind} may differ from the phrase's when negated. */
    record Hit(Kind kind, double weight, String label, int start, int end, String note) {
        String describe() {
            String k = kind == Kind.NEUTRAL ? "neutral" : kind.intent;
            return (note == null ? "" : note + "\u2192") + k + ":'" + label + "'";
        }
    }

    private static final List<Phrase> PHRASES = new ArrayList<>();
    /** Per phrase: its {@link #program} (null for a raw one). */
    private static final List<int[]> PHRASE_PROGRAMS = new ArrayList<>();

    private static void p(Kind kind, double weight, String... phrases) {
        for (String phrase : phrases) PHRASES.add(new Phrase(kind, weight, raw(phrase) != null ? raw(phrase) : phrase,
                compile(phrase), PHRASES.size(), required(phrase), anchor(phrase)));
        for (String phrase : phrases) PHRASE_PROGRAMS.add(program(phrase));
    }

    /**
     * Every run of two or more word characters of a (folded) phrase, longest first: {@link #compile}
     * matches each literally (a run with "email" in it only as "mail", since "e-mail" matches too),
     * so a text without one of them cannot match and the regex is not run. Empty for raw
     * {@code re:} patterns.
     */
    static List<String> required(String phrase) {
        if (raw(phrase) != null) { // a raw pattern: what every match contains is written before it, re{a,b}:…
            return phrase.startsWith("re{") ? List.of(phrase.substring(3, phrase.indexOf("}:")).split(",")) : List.of();
        }
        String f = fold(phrase).text().strip();
        var runs = new ArrayList<String>();
        int i = 0;
        while (i < f.length()) {
            while (i < f.length() && !isWordChar(f.charAt(i))) i++;
            int start = i;
            while (i < f.length() && isWordChar(f.charAt(i))) i++;
            if (i - start >= 2) {
                String run = f.substring(start, i);
                if (run.contains("email")) run = "mail";
                if (!runs.contains(run)) runs.add(run);
            }
        }
        runs.sort(Comparator.comparingInt(String::length).reversed());
        return List.copyOf(runs);
    }

    /**
     * The word characters a (non-raw) phrase's matches begin with: the folded phrase up to its
     * first non-word character, when it starts with a word character and has no leading wildcard
     * ({@link #compile} matches that prefix literally, except "email", which may be spelled "e-mail").
     */
    static String anchor(String phrase) {
        if (raw(phrase) != null) return null;
        String f = fold(phrase).text().strip();
        if (f.isEmpty() || f.startsWith("*") || !isWordChar(f.charAt(0))) return null;
        int end = 0;
        while (end < f.length() && isWordChar(f.charAt(end))) end++;
        String word = f.substring(0, end);
        int email = word.indexOf("email");
        if (email >= 0) word = word.substring(0, email + 1); // "e" of e-mail / email / e mail
        return word.isEmpty() ? null : word;
    }

    /** The regex of a raw phrase ({@code re:…}, or {@code re{a,b}:…} naming pieces every match contains), else null. */
    static String raw(String phrase) {
        if (phrase.startsWith("re:")) return phrase.substring(3);
        if (phrase.startsWith("re{") && phrase.contains("}:")) return phrase.substring(phrase.indexOf("}:") + 2);
        return null;
    }

    static Pattern compile(String phrase) {
        if (raw(phrase) != null) return Pattern.compile(raw(phrase));
        String f = fold(phrase).text().strip();
        boolean lead = f.startsWith("*"), trail = f.endsWith("*");
        String body = f.substring(lead ? 1 : 0, f.length() - (trail ? 1 : 0));
        StringBuilder re = new StringBuilder();
        if (lead) re.append("\\p{L}*");
        else if (isWordChar(body.charAt(0))) re.append("(?<![\\p{L}\\p{N}])");
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == ' ' || c == '-') {
                while (i + 1 < body.length() && (body.charAt(i + 1) == ' ' || body.charAt(i + 1) == '-')) i++;
                re.append("[\\s\\-]+");
            } else if (c == '\'') {
                re.append("'?");
            } else if (c == ',') {
                re.append("\\s*,?");
            } else if (isWordChar(c)) {
                re.append(c);
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (trail) re.append("\\p{L}*");
        else if (isWordChar(body.charAt(body.length() - 1))) re.append("(?![\\p{L}\\p{N}])");
        return Pattern.compile(re.toString().replace("email", "e[\\s\\-]?mail"));
    }

    static {
        Kind U = Kind.UNSUBSCRIBE, N = Kind.NOT_INTERESTED, I = Kind.INTERESTED, O = Kind.OUT_OF_OFFICE, Z = Kind.NEUTRAL, X = Kind.IGNORE;
        Kind C = Kind.CUE;

        // ---------------- cues: refusals when negated ("not a need", "kein Thema", "pas d'actualité", "no lo vemos necesario") ----
        p(C, 0, "need", "needed", "want", "consider", "looking for", "relevant", "useful", "necessary", "a priority", "the right time",
                "something we", "budget", "brauchen", "benötigen", "bedarf", "relevant", "sinnvoll", "thema", "notwendig", "nötig",
                "in frage", "besoin", "pertinent", "d'actualité", "utile", "nécessaire", "prioritaire", "le moment", "necesitamos",
                "necesitemos", "necesario", "necesidad", "encaja", "relevante", "útil", "prioridad", "el momento", "interés", "bon moment",
                "right moment", "good time", "richtige zeitpunkt", "buen momento", "preneur*", "a good fit", "bandwidth", "capacity",
                "kapazität*", "capacité*", "capacidad");

        // ---------------- blockers: phrases whose words would otherwise read as a signal ----------------
        p(X, 0, "don't hesitate", "do not hesitate", "please don't hesitate", "n'hésitez pas", "n'hesitez pas à", "no dude en", "no dudes en",
                "zögern sie nicht", "no problem", "no worries", "no rush", "not a problem", "kein problem", "keine sorge", "pas de problème",
                "pas de souci", "sans problème", "no hay problema", "sin problema", "not only", "nicht nur", "pas seulement", "no solo",
                "no sólo", "no está claro", "not sure", "not too sure", "nicht sicher", "pas sûr", "pas certain", "no estoy seguro",
                "no estoy segura", "no sé si");

        // ---------------- unsubscribe ----------------
        p(U, 2.5, "unsubscrib*", "unsub", "remove me", "remove us", "remove my email", "remove my address", "remove my contact", "remove my name",
                "remove this email", "remove this address", "remove our email", "take me off", "take us off", "take my email off", "opt me out",
                "opt out", "opt us out", "stop emailing", "stop email", "stop sending", "stop contacting", "stop messaging", "stop writing",
                "stop spamming", "stop reaching out", "quit emailing", "do not contact", "don't contact", "do not email", "don't email",
                "do not send", "don't send me", "don't write", "never contact", "never email", "never write to me", "don't reach out",
                "do not reach out", "no more emails", "no further emails", "no further contact", "off your list", "off your mailing list",
                "from your list", "from your mailing list", "from your database", "from your contact list", "delete my data",
                "delete my details", "delete my information", "delete my email", "delete my contact", "erase my data", "gdpr",
                "leave me alone", "cease and desist", "reported as spam", "report you", "mark as spam", "marking this as spam",
                "this is spam", "lose my email", "lose my number", "please stop");
        p(U, 2.5, "abmelden", "abmeldung", "abbestellen", "austragen", "tragen sie mich", "trag mich", "tragt mich", "aus dem verteiler",
                "aus ihrem verteiler", "aus eurem verteiler", "aus ihrer liste", "aus der liste", "aus ihrer datenbank", "aus ihren listen",
                "von ihrer liste", "von der liste", "re{nehmen sie }:nehmen sie (?:mich|uns) .{0,40}?(?:raus|heraus|aus|von)\\b", "mailingliste", "streichen sie mich", "keine weiteren email*",
                "keine weiteren mails", "keine weiteren nachrichten", "keine weitere kontaktaufnahme", "re{keine ,mail, mehr}:keine (?:e[\\s-]?)?mails? mehr",
                "keine nachrichten mehr", "keine werbung", "nicht mehr kontaktieren", "nicht mehr anschreiben", "nicht mehr schreiben",
                "nicht mehr zu kontaktieren", "nicht mehr zu schreiben", "nicht mehr anzuschreiben", "kontaktieren sie mich nicht",
                "kontaktieren sie uns nicht", "schreiben sie mir nicht", "hören sie auf", "hört auf", "unterlassen sie", "löschen sie meine",
                "löschen sie bitte meine", "löschung meiner daten", "datenlöschung", "dsgvo", "widerspreche", "widerspruch", "werbewiderspruch",
                "stopp", "bitte aufhören");
        p(U, 2.5, "désinscri*", "desinscri*", "désabonn*", "desabonn*", "retirez moi", "retirez nous", "me retirer de", "nous retirer de",
                "retirer mon adresse", "retirez mon adresse", "supprimez moi", "supprimer mon adresse", "supprimez mon adresse",
                "supprimer mes données", "supprimez mes données", "suppression de mes données", "effacer mes données", "de votre liste",
                "de vos listes", "de votre fichier", "plus recevoir", "ne plus me contacter", "ne me contactez plus", "ne me contactez pas",
                "ne m'écrivez plus", "ne plus m'écrire", "arrêtez de m'écrire", "arrêtez de m'envoyer", "arrêtez de me contacter",
                "arrêtez de nous", "arrêtez", "cessez de", "merci de ne plus", "rgpd", "c'est du spam", "laissez moi tranquille");
        p(U, 2.5, "darme de baja", "dame de baja", "denme de baja", "deme de baja", "darnos de baja", "dar de baja", "darse de baja",
                "eliminar mi correo", "elimine mi correo", "eliminen mi correo", "eliminar mis datos", "elimine mis datos", "eliminen mis datos",
                "eliminación de mis datos", "borrar mis datos", "borren mis datos", "borre mis datos", "sáquenme", "sáqueme", "sacarme de",
                "quítenme", "quíteme", "de su lista", "de sus listas", "de su base de datos", "no me escriba", "no me escriban",
                "no me escribas", "no me contacte", "no me contacten", "no me contactes", "no me vuelva a", "no me vuelvan a", "no vuelvan a",
                "no vuelva a contact*", "dejen de", "deje de escribir*", "deja de escribir*", "deje de enviar*", "deja de enviar*",
                "no quiero recibir", "no deseo recibir", "no queremos recibir", "no quiero más correos", "lopd", "esto es spam", "es spam");
        p(U, 2.5, "re{ne }:ne (?:plus|jamais) (?:m'|nous |me |rien )?(?:envoyer|ecrire|contacter|solliciter|relancer)", "retirez mon", "retirer mon",
                "de votre base", "re{no , mas}:\\bno (?:me|nos) (?:envi|mand|escrib|contact|molest)\\w*(?: \\w+)? mas\\b");
        p(U, 2.0, "entfernen sie meine", "entfernen sie mich", "entfernen sie uns", "löschen sie mich", "aus ihrem system", "aus ihrer kartei",
                "veuillez cesser", "cesser tout", "cessez tout", "borrad", "quitadme", "sacadme", "dejad de", "vuestra lista", "vuestra base",
                "re{no me vuelv}:no me vuelv\\w* a (?:escribir|contactar|enviar|mandar|molestar)", "no me molesten", "no me molestes");
        p(U, 1.2, "spam", "harassment", "belästigung", "harcèlement", "acoso");

        // ---------------- not interested ----------------
        p(N, 2.0, "re{fit}:\\b(?:not|isn'?t|is not|wouldn'?t be|won'?t be|never) (?:a |the |really a )?(?:good |great |right |strong )?fit\\b",
                "not interested", "no interest", "not a fit", "not a good fit", "not the right fit", "not a match", "not for us",
                "not for me", "not relevant", "no thanks", "no, thanks", "no thank you", "no, thank you", "thanks but no", "thanks, but no",
                "we're all set", "we are all set", "i'm all set", "already use", "already using", "already have", "already work with",
                "already working with", "already partner*", "already signed", "signed with", "went with", "decided to go with",
                "chose another", "happy with our current", "happy with what we", "satisfied with our", "not looking", "not in the market",
                "don't need", "do not need", "doesn't need", "no budget", "not in the budget", "not a priority", "not at this time",
                "not right now", "not now", "not at the moment", "not this year", "not this quarter",
                "re{ pass}:\\b(?:i'?ll|we'?ll|i will|we will|going to|gonna|have to|must|will|i'?d|we'?d|i'?m going to|we'?re going to) pass\\b(?! (?:this|it|that|your|the|along|on to|you|him|her))",
                "pass on this", "pass for now", "decline", "respectfully decline", "won't be moving forward", "not moving forward",
                "not be moving forward", "no capacity", "too expensive", "don't follow up", "no need to follow up", "stop following up",
                "we're covered", "we are covered", "not something we", "not something i", "nope");
        p(N, 2.0, "hard pass", "re{pass}:^\\W*pass\\W*$", "renewed with", "just renewed", "under contract", "locked in with", "not a need",
                "no need for", "not worth it", "we'll stick with", "sticking with", "stick with our");
        p(N, 1.0, "next year", "nächstes jahr", "nächsten jahr", "l'année prochaine", "l'an prochain", "el año que viene", "el próximo año",
                "año que viene");
        p(N, 1.5, "all set", "another vendor", "another provider", "another agency", "another solution", "no need", "please don't",
                "we're good", "we are good", "in house", "nah");
        p(N, 1.2, "maybe next year", "maybe later", "reach out next year", "let you know if", "reach out if", "get in touch if",
                "if anything changes", "if that changes", "keep you in mind", "i'm good");
        p(N, 2.0, "re{in}:\\b(?:handle|handles|do|does|manage|build|built|building|solve|solved|cover|covered|run|done)\\b.{0,25}\\b(?:internally|in[ -]house)",
                "not in a position", "nothing for us", "the answer is no", "re:\\b(?:but|aber|mais|pero),? (?:no|nein|non|nope)\\W*$",
                "die antwort ist nein", "la réponse est non", "la respuesta es no", "nichts für uns", "nichts für mich", "rien pour nous",
                "vamos a pasar", "re{ya }:\\bya (?:estamos |lo )?(?:trabaj|usa|utiliz|cont|tenemos)\\w*", "re{intern}:(?:machen|regeln|lösen|losen|gelost|gelöst)\\b.{0,20}\\bintern|\\bintern\\b.{0,20}\\b(?:gelost|geregelt|gelöst)",
                "re{en interne}:(?:gerons|gere|faisons|fait|gerer|traitons)\\b.{0,25}\\ben interne", "lo hacemos internamente", "lo hacemos nosotros");
        p(N, 1.5, "re{with our }:\\bwith our (?:current|existing) (?:setup|provider|vendor|solution|tool|tools|agency|stack|process)", "fine with our",
                "vertraglich gebunden", "gebunden", "sous contrat", "bajo contrato", "tenemos contrato", "concurrent");
        p(N, 0.6, "internally");
        p(N, 0.7, "unfortunately");
        p(N, 2.5, "kein interesse", "keinerlei interesse");
        p(N, 2.0, "keinen bedarf", "kein bedarf", "nein danke", "nein, danke", "danke nein", "danke, nein", "nicht interessiert",
                "nicht interessant", "uninteressant", "passt nicht", "passt leider nicht", "nicht relevant", "nicht das richtige",
                "haben bereits", "nutzen bereits", "arbeiten bereits", "verwenden bereits", "haben schon", "nutzen schon", "arbeiten schon",
                "sind gut aufgestellt", "kein budget", "keine kapazität*", "verzicht*", "lehnen ab", "brauchen wir nicht", "brauchen das nicht",
                "nicht der richtige zeitpunkt",
                "brauchen keine", "benötigen wir nicht", "benötigen keine", "kein thema für uns", "zu teuer");
        p(N, 1.5, "re{ nicht}:(?:aktuell|derzeit|momentan|zurzeit|im moment|gerade|jetzt)(?: \\w+)? nicht\\b(?! (?:im|am|in|erreichbar|da)\\b)",
                "anderen anbieter", "anderen dienstleister", "für einen anderen", "andere lösung", "gut versorgt");
        p(N, 1.5, "gut aufgestellt", "versorgt", "zufrieden mit", "sind zufrieden", "sehr zufrieden", "im moment nicht", "momentan nicht",
                "absagen");
        p(N, 1.3, "re{melden }:melden (?:uns|mich) (?:gerne |dann |ggf\\.? |bei ihnen |wieder )?(?:bei|falls|wenn|sobald)");
        p(N, 1.2, "derzeit nicht", "aktuell nicht", "zurzeit nicht", "keine zeit", "bei bedarf", "falls bedarf");
        p(N, 0.6, "intern");
        p(N, 0.7, "leider");
        p(N, 2.0, "pas intéress*", "aucun intérêt", "pas d'intérêt", "non merci", "non, merci", "merci non", "merci, non", "pas besoin",
                "aucun besoin", "pas pour nous", "pas pour moi", "pas pertinent", "nous avons déjà", "on a déjà", "j'ai déjà",
                "utilisons déjà", "travaillons déjà", "déjà équipé*", "déjà un prestataire", "déjà un fournisseur", "déjà une solution",
                "satisfaits de", "pas de budget", "pas le moment", "pas pour le moment", "pas pour l'instant", "pas maintenant",
                "pas à l'ordre du jour", "pas une priorité", "ne correspond pas", "ne nous concerne pas", "ne me concerne pas",
                "re{pass, tour}:pass\\w* (?:mon|notre) tour", "décliner", "déclinons", "décline", "trop cher");
        p(N, 1.3, "re{reviendr, vers vous }:reviendr\\w+ vers vous (?:si|en cas)");
        p(N, 1.5, "autre prestataire", "autre fournisseur", "autre solution", "autre agence", "avons choisi", "déjà bien", "bien outillé*",
                "bien équipé*", "ça ira", "ca ira", "re{pas }:pas (?:pour |a )?(?:l'instant|le moment|maintenant)");
        p(N, 1.2, "en cas de besoin");
        p(N, 0.6, "en interne");
        p(N, 0.7, "malheureusement");
        p(N, 2.0, "no estamos interesad*", "no estoy interesad*", "no me interesa", "no nos interesa", "no interesa", "sin interés",
                "no gracias", "no, gracias", "no es para nosotros", "no es para mí", "no es relevante", "no encaja", "no aplica",
                "no necesitamos", "no lo necesitamos", "no tenemos necesidad", "ya tenemos", "ya contamos con", "ya trabajamos con",
                "ya usamos", "ya utilizamos", "estamos contentos", "estamos satisfechos", "satisfechos con", "contentos con",
                "sin presupuesto", "no tenemos presupuesto", "no es el momento", "ahora no", "por ahora no", "de momento no",
                "en este momento no", "no por ahora", "no es una prioridad", "no es prioridad", "declinamos", "declinar", "demasiado caro");
        p(N, 1.8, "re{paso}:^\\W*paso\\b(?!\\s+(?:a|el|la|los|las|por|de)\\b)");
        p(N, 1.5, "otro proveedor", "otra empresa", "otra solución", "hemos elegido", "elegimos otro", "estamos bien así", "estamos bien",
                "re{ no}:(?:por el momento|por ahora|de momento|ahora mismo|en este momento),? no\\b", "re{no}:\\bno,? (?:por ahora|de momento|por el momento)");
        p(N, 1.3, "nos pondremos en contacto si", "le contactaremos si");
        p(N, 1.2, "te aviso si", "le aviso si", "les aviso si", "si cambia algo", "en caso de necesitar");
        p(N, 0.6, "internamente");
        p(N, 0.7, "lamentablemente", "desafortunadamente");

        // ---------------- interested ----------------
        p(I, 2.5, "re:(?:calendly\\.com|cal\\.com/|meetings\\.hubspot\\.com|savvycal\\.com|zcal\\.co|tidycal\\.com|youcanbook\\.me"
                + "|calendar\\.app\\.google|calendar\\.google\\.com/calendar/(?:appointments|u/\\d/appointments)|outlook\\.office365\\.com/(?:owa/calendar|book)"
                + "|doodle\\.com|chilipiper\\.com|koalendar\\.com|calendar\\.notion\\.so)");
        p(I, 2.0, "very interested", "definitely interested", "i'm interested", "i am interested", "we're interested", "we are interested",
                "let's talk", "let's chat", "let's connect", "let's meet", "let's schedule", "let's find a time", "let's do it", "let's hop",
                "let's jump", "let's book", "tell me more", "send me more", "send more info", "book a call", "book a demo", "book a meeting",
                "schedule a call", "set up a call", "set up a meeting", "hop on a call", "jump on a call", "call me", "give me a call",
                "give me a ring", "happy to chat", "happy to talk", "happy to connect", "happy to hop", "happy to jump", "happy to meet",
                "happy to learn", "love to chat", "love to learn", "love to hear more", "count me in", "sign me up", "yes please");
        p(I, 1.8, "would be interested", "might be interested", "could be interested", "happy to take a look", "let's set",
                "re{how }:how (?:about|does|is) (?:monday|tuesday|wednesday|thursday|friday|tomorrow|next week|this week)",
                "re{does , work}:does (?:monday|tuesday|wednesday|thursday|friday|tomorrow|next week) work", "what times work", "what time works",
                "when are you free", "when can we", "can we talk", "can we chat", "can we meet", "can we schedule", "set something up");
        p(I, 1.5, "interested", "sounds interesting", "sounds good", "sounds great", "sounds perfect", "more info", "more information",
                "more details", "share more", "love to see", "i'd love", "would love", "open to", "keen to", "works for me", "times that work",
                "when works", "find a time", "my calendar", "my availability", "a demo", "free trial", "pricing", "how much",
                "what does it cost", "send it over", "please send", "great timing", "good timing", "perfect timing", "timing is perfect",
                "been looking for");
        p(I, 1.2, "learn more", "quick call", "i'm in", "work for me", "available on", "i'm available", "i am available", "demo",
                "proposal", "case studies", "case study", "send over", "can you send", "could you send", "can you share", "could you share",
                "why not", "go ahead", "next steps", "looks good");
        p(I, 1.0, "trial", "price", "deck", "send me", "yes", "sure", "absolutely", "please do", "we need", "i'd like to", "we'd like to",
                "take a look", "yep", "yeah");
        p(I, 1.5, "re{timing}:timing(?:'?s| is)? (?:\\w+ )?(?:great|perfect|good|right)", "walkthrough", "walk me through", "walk us through",
                "we're looking for", "we are looking for", "looking for something like");
        p(I, 1.0, "curious", "onboarding");
        p(I, 1.2, "not bad", "nicht schlecht", "pas mal", "no está mal", "no suena mal", "nada mal");
        p(I, 1.5, "are you around", "are you free", "are you available", "take a call", "i'll call you", "ich rufe sie an", "je vous appelle",
                "te llamo", "le llamo");
        p(I, 1.2, "happy to", "my cell is", "my number is", "my phone number", "meine nummer", "mon numéro", "mi número", "mi móvil");
        p(I, 0.8, "interesting", "definitely", "of course", "cost", "makes sense", "could we");
        p(I, 2.0, "habe interesse", "haben interesse", "großes interesse", "grundsätzlich interesse", "bin interessiert", "sind interessiert",
                "rufen sie mich", "ruf mich", "erzählen sie mir mehr", "erzählen sie mehr", "erzähl mir mehr", "terminvorschlag");
        p(I, 1.8, "klingt interessant", "klingt gut", "hört sich gut an", "hört sich spannend an", "hört sich interessant an",
                "klingt spannend", "klingt vielversprechend", "sehr gerne", "ja gerne", "ja, gerne", "ja bitte", "wann haben sie zeit",
                "wann hätten sie zeit", "wann passt es");
        p(I, 1.5, "interess*", "lassen sie uns", "lass uns", "lasst uns", "rufen sie an", "mehr informationen", "mehr infos",
                "weitere informationen", "weitere infos", "mehr erfahren", "mehr details", "schicken sie mir", "senden sie mir", "was kostet",
                "passt mir", "hätte zeit", "habe zeit", "melden sie sich gerne");
        p(I, 1.2, "gerne", "telefonieren", "telefonat", "termin", "unterlagen", "preise", "warum nicht", "einverstanden", "passt gut",
                "kalender");
        p(I, 1.0, "gern", "ja", "gespräch", "termine", "schicken sie", "preis", "angebot", "spannend", "referenzen", "zeit für ein");
        p(I, 0.8, "kosten", "passt", "sprechen", "super", "perfekt");
        p(I, 1.8, "re{wir}:können wir\\b.{0,40}\\b(?:sprechen|telefonieren|reden|treffen)", "re{kost}:(?:was|wie ?viel|wie hoch)\\b.{0,40}\\bkost\\w*");
        p(I, 1.2, "offen dafür", "offen für", "auf der suche", "trifft sich gut");
        p(I, 2.0, "je suis intéressé*", "nous sommes intéressés", "ça m'intéresse", "ca m'interesse", "cela m'intéresse", "parlons en",
                "appelez moi", "appelle moi", "rappelez moi", "m'en dire plus", "dites m'en plus", "dites moi en plus");
        p(I, 1.8, "serions intéressés", "serais intéressé*", "m'intéresse", "nous intéresse", "pourrait nous intéresser",
                "pourrait m'intéresser", "m'intéresserait", "nous intéresserait", "très intéressant", "avec plaisir", "volontiers",
                "discutons", "échangeons", "quel créneau", "partant*", "je suis partant*");
        p(I, 1.5, "parlons", "s'appeler", "un rendez vous", "plus d'informations", "plus d'infos", "plus d'info", "plus de détails",
                "en savoir plus", "envoyez moi", "quel est le prix", "quels sont vos tarifs", "vos tarifs", "ça me va", "me convient",
                "me conviendrait", "ok pour", "je veux bien", "ça me parle", "ça tombe bien", "tombe à pic", "cherche justement");
        p(I, 1.2, "un appel", "un échange", "échanger", "rendez vous", "rdv", "démonstration", "tarif*", "combien", "créneau",
                "d'accord", "pourquoi pas", "prochaines étapes");
        p(I, 1.0, "m'envoyer", "prix", "disponible", "dispo", "bonne idée", "oui", "un point");
        p(I, 1.5, "re{cherch, justement}:cherch\\w* justement", "caler un", "un call", "on peut s'appeler", "vos disponibilités", "quand êtes vous disponible");
        p(I, 2.0, "me interesa", "nos interesa", "me interesaría", "nos interesaría", "hablemos", "llámame", "llámeme", "llámenme",
                "cuéntame más", "cuénteme más", "cuéntenme más");
        p(I, 1.8, "me parece interesante", "suena interesante", "suena bien", "suena genial", "podemos hablar", "conversemos", "charlemos",
                "agendemos");
        p(I, 1.5, "interesa*", "me parece bien", "me parece genial", "hablamos", "una llamada", "una reunión", "agendar", "coordinemos",
                "más información", "más info", "más detalles", "saber más", "conocer más", "cuánto cuesta", "con gusto", "te viene bien",
                "le viene bien", "qué horario", "cuándo tienes", "cuándo tiene", "me encantaría", "nos encantaría");
        p(I, 1.2, "llamada", "reunión", "coordinar", "envíame", "envíeme", "envíenme", "mándame", "mándeme", "precio*", "tarifas",
                "por supuesto", "un hueco", "siguientes pasos", "próximos pasos", "casos de éxito");
        p(I, 1.0, "interesante", "propuesta", "cuánto", "claro", "vale");
        p(I, 0.8, "perfecto");
        p(I, 1.5, "me llamas", "me llamáis", "buscando algo así", "estamos buscando", "agenda algo", "qué disponibilidad", "me cuadra");
        p(I, 1.2, "dale", "agenda");

        // ---------------- out of office ----------------
        p(O, 2.5, "automatic reply", "auto reply", "autoreply", "limited access to email", "limited access to my email", "automatische antwort",
                "réponse automatique", "respuesta automática");
        p(O, 2.0, "out of office", "out of the office", "ooo", "on vacation", "on holiday", "on holidays", "on annual leave", "on leave",
                "parental leave", "maternity leave", "paternity leave", "sick leave", "out sick", "away from the office", "away from my desk",
                "away from email", "currently away", "currently out", "limited email access", "intermittent access", "no access to email",
                "back in the office", "return to the office", "returning to the office", "upon my return", "automated response",
                "automatic response", "auto response", "emails will not be forwarded", "will not be forwarded");
        p(O, 1.5, "limited access", "will be back", "be back on", "will return", "returning on", "when i return", "on my return",
                "respond when i", "reply when i", "urgent matters", "if your matter is urgent", "for urgent", "at a conference", "business trip",
                "delays in my response", "delayed response");
        p(O, 1.2, "when i'm back", "if urgent");
        p(O, 2.0, "i am away", "i'm away", "away until", "limited connectivity", "no access to my email", "wieder im haus", "estaré fuera",
                "fuera hasta", "vuelvo el", "me incorporo", "je reviendrai le", "hors ligne");
        p(O, 1.5, "limited availability", "back on");
        p(O, 2.0, "on pto", "pto until", "on paid time off");
        p(O, 1.0, "automated message", "is urgent", "traveling", "travelling");
        p(O, 2.0, "abwesen*", "*abwesend", "nicht im büro", "nicht im hause", "nicht im haus", "außer haus", "ausser haus", "nicht am platz",
                "*urlaub*", "nicht erreichbar", "eingeschränkt erreichbar", "eingeschränkt zugriff", "eingeschränkten zugriff",
                "wieder im büro", "wieder erreichbar", "wieder für sie da", "zurück im büro", "nach meiner rückkehr", "ab meiner rückkehr",
                "in dringenden fällen", "in dringenden angelegenheiten", "elternzeit", "mutterschutz", "wird nicht weitergeleitet",
                "werden nicht weitergeleitet");
        p(O, 1.5, "nur eingeschränkt", "keinen zugriff", "wieder da", "dringende anliegen", "dringenden anliegen", "krankheitsbedingt",
                "dienstreise", "geschäftsreise", "auf reisen", "auf einer messe", "nicht weitergeleitet");
        p(O, 1.2, "rückkehr", "krank");
        p(O, 1.0, "automatische nachricht");
        p(O, 2.0, "absent*", "hors du bureau", "en congé*", "en vacances", "de retour le", "serai de retour", "à mon retour", "dès mon retour",
                "retour prévu", "accès limité", "en déplacement", "en cas d'urgence", "pour toute urgence", "pour les urgences",
                "congé maternité", "congé parental", "congé paternité", "arrêt maladie", "ne sera pas transféré", "ne seront pas transférés");
        p(O, 1.5, "de retour", "mon retour", "sans accès", "pas accès", "pas d'accès", "indisponible", "en formation", "ne sera pas lu",
                "ne pourrai pas vous répondre", "en séminaire", "en conférence");
        p(O, 1.0, "message automatique");
        p(O, 2.0, "fuera de la oficina", "fuera de oficina", "de vacaciones", "ausente", "estaré de vuelta", "regresaré", "regreso el",
                "mi regreso", "a mi regreso", "me reincorporo", "me reincorporaré", "acceso limitado", "en caso de urgencia",
                "baja por maternidad", "baja por paternidad", "baja médica", "no estoy en la oficina", "no estaré en la oficina",
                "no será reenviado", "no serán reenviados");
        p(O, 1.5, "vacaciones", "ausencia", "de vuelta", "volveré", "sin acceso", "asuntos urgentes", "temas urgentes", "si es urgente",
                "de baja", "de permiso", "de viaje", "viaje de negocios", "en un congreso", "no estoy disponible", "no estaré disponible",
                "no podré responder", "no será leído");
        p(O, 1.0, "mensaje automático");

        // ---------------- neutral: identity questions, referrals, left the company ----------------
        p(Z, 1.5, "who are you", "who is this", "who's this", "what is this about", "what's this about", "what is this regarding",
                "what company", "which company", "how did you get my", "where did you get my", "how did you find my", "do i know you",
                "remind me", "is this automated", "is this a bot", "forwarding", "forwarded", "i'll forward", "will forward", "forward this",
                "forward your", "passing this", "pass this along", "pass it along", "pass this on", "cc'd", "cc'ed", "cc'ing", "copied",
                "copying", "looping in", "looped in", "loop in", "right person", "right contact", "best person", "person to talk to",
                "no longer work*", "no longer with", "left the company", "not with the company", "try reaching out");
        p(Z, 1.5, "who you are", "how you found", "how you got my", "please direct", "erinnern sie mich", "recuérdame", "me puedes recordar",
                "me puede recordar", "wenden sie sich an", "anfragen bitte an", "richten sie");
        p(Z, 1.0, "the decision maker", "handles", "responsible for", "in charge of", "reach out to", "my colleague", "what is this");
        p(Z, 1.5, "wer sind sie", "wer ist da", "worum geht es", "worum geht's", "um was geht es", "welcher firma", "welche firma",
                "woher haben sie", "wie sind sie auf mich", "kennen wir uns", "weitergeleitet", "weiterleiten", "re{leite,weiter}:leite\\w* .{0,60}?weiter\\b",
                "ansprechpartner*", "nicht mehr in unserem unternehmen", "nicht mehr im unternehmen", "nicht mehr bei uns",
                "nicht mehr für uns tätig", "in kopie", "automatische email");
        p(Z, 1.2, "zuständig*");
        p(Z, 1.0, "kollege*", "kollegin*", "was ist das");
        p(Z, 1.5, "qui êtes vous", "c'est qui", "de quoi s'agit il", "de quoi il s'agit", "c'est à quel sujet", "quelle société",
                "quelle entreprise", "comment avez vous eu", "comment avez vous obtenu", "où avez vous trouvé", "je transfère", "je transmets",
                "transféré", "transmis", "transférer", "transmettre", "la bonne personne", "le bon interlocuteur", "le bon contact",
                "en copie", "ne fait plus partie", "a quitté", "un message automatique");
        p(Z, 1.0, "mon collègue", "ma collègue", "mes collègues", "s'occupe", "en charge");
        p(Z, 1.5, "quién es usted", "quién eres", "quiénes son", "quiénes sois", "de qué se trata", "de qué va", "qué empresa",
                "de qué empresa", "cómo consiguió", "cómo obtuvo", "cómo consiguieron", "cómo obtuvieron", "de dónde sacó", "de dónde sacaron",
                "reenvío", "reenvié", "reenviado", "reenviar", "le paso tu", "le paso su", "la persona adecuada", "la persona indicada",
                "la persona correcta", "en copia", "ya no trabaja", "ya no forma parte", "ya no está en", "un correo automático");
        p(Z, 1.0, "mi compañero", "mi compañera", "mi colega", "se encarga", "encargad*");
    }

    private static final Pattern SI = Pattern.compile("(?<![\\p{L}\\p{N}])si(?![\\p{L}\\p{N}])");

    /** Every required piece and anchor of {@link #PHRASES} (and "si"), found in one pass over a text. */
    private static final Needles PHRASE_NEEDLES;
    /** Per phrase (same index as {@link #PHRASES}): its pieces and anchor in {@link #PHRASE_NEEDLES}. */
    private static final PhraseNeedles[] PHRASE_IDS;
    /** Per needle of {@link #PHRASE_NEEDLES}: the phrases that require it (see {@link PhraseNeedles#required}). */
    private static final int[][] PHRASES_REQUIRING;
    /** Per phrase: how many distinct needles it requires. */
    private static final int[] REQUIRED_COUNT;
    private static final int SI_NEEDLE;

    static {
        Map<String, Integer> ids = new java.util.LinkedHashMap<>();
        PHRASE_IDS = new PhraseNeedles[PHRASES.size()];
        REQUIRED_COUNT = new int[PHRASES.size()];
        for (int p = 0; p < PHRASES.size(); p++) {
            Phrase ph = PHRASES.get(p);
            int[] required = ph.required().stream().mapToInt(r -> ids.computeIfAbsent(r, k -> ids.size())).distinct().toArray();
            REQUIRED_COUNT[p] = required.length;
            List<String> starts = ph.anchor() != null ? List.of(ph.anchor()) : leadingLiterals(ph.pattern().pattern());
            int[] startIds = starts == null ? null : starts.stream().mapToInt(r -> ids.computeIfAbsent(r, k -> ids.size())).toArray();
            PHRASE_IDS[p] = new PhraseNeedles(required, startIds);
        }
        SI_NEEDLE = ids.computeIfAbsent("si", k -> ids.size());
        // a needle that is only an anchor (and "si": SI starts with (?<![\p{L}\p{N}])), no required piece nor raw
        // phrase's leading literal, is only wanted where it is not right after a letter or digit: "a" or "i" occur at
        // many other places
        boolean[] wordStartOnly = new boolean[ids.size()];
        for (int p = 0; p < PHRASES.size(); p++) {
            if (PHRASES.get(p).anchor() != null) for (int id : PHRASE_IDS[p].starts()) wordStartOnly[id] = true;
        }
        wordStartOnly[SI_NEEDLE] = true;
        for (int p = 0; p < PHRASES.size(); p++) {
            for (int id : PHRASE_IDS[p].required()) wordStartOnly[id] = false;
            if (PHRASES.get(p).anchor() == null && PHRASE_IDS[p].starts() != null) for (int id : PHRASE_IDS[p].starts()) wordStartOnly[id] = false;
        }
        // a needle that is only a required piece (no phrase starts with it, not "si") is only looked up for whether it
        // occurs: its first occurrence is enough ("no", "on", "in" occur inside many words)
        boolean[] presenceOnly = new boolean[ids.size()];
        for (int p = 0; p < PHRASES.size(); p++) for (int id : PHRASE_IDS[p].required()) presenceOnly[id] = true;
        for (int p = 0; p < PHRASES.size(); p++) {
            if (PHRASE_IDS[p].starts() != null) for (int id : PHRASE_IDS[p].starts()) presenceOnly[id] = false;
        }
        presenceOnly[SI_NEEDLE] = false;
        PHRASE_NEEDLES = new Needles(ids.keySet().toArray(String[]::new), wordStartOnly, presenceOnly);
        List<List<Integer>> requiring = new ArrayList<>();
        for (int id = 0; id < ids.size(); id++) requiring.add(new ArrayList<>());
        for (int p = 0; p < PHRASES.size(); p++) for (int id : PHRASE_IDS[p].required()) requiring.get(id).add(p);
        PHRASES_REQUIRING = requiring.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    }

    /** Per phrase: its {@link #program}, or null. */
    private static final int[][] PROGRAMS = PHRASE_PROGRAMS.toArray(int[][]::new);

    private static final int OPTIONAL_APOSTROPHE = -1, SEPARATORS = -2, OPTIONAL_SEPARATOR = -3, COMMA = -4, LETTERS = -5,
            NO_WORD_AFTER = -6;

    /**
     * The regex {@link #compile} makes of a (non-raw) phrase without a leading wildcard, as a list of steps for
     * {@link #mayMatchAt}: a char (itself), {@code '?} ({@link #OPTIONAL_APOSTROPHE}), {@code [\s\-]+}
     * ({@link #SEPARATORS}), {@code [\s\-]?} (of "e[\s\-]?mail", {@link #OPTIONAL_SEPARATOR}), {@code \s*,?}
     * ({@link #COMMA}), a trailing {@code \p{L}*} ({@link #LETTERS}) or {@code (?![\p{L}\p{N}])}
     * ({@link #NO_WORD_AFTER}); the leading {@code (?<![\p{L}\p{N}])} is left out. Null for the other phrases.
     */
    static int[] program(String phrase) {
        if (raw(phrase) != null) return null;
        String f = fold(phrase).text().strip();
        if (f.startsWith("*")) return null;
        boolean trail = f.endsWith("*");
        String body = f.substring(0, f.length() - (trail ? 1 : 0));
        if (body.isEmpty()) return null;
        List<Integer> steps = new ArrayList<>();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (Character.isSurrogate(c)) return null;
            if (c == ' ' || c == '-') {
                while (i + 1 < body.length() && (body.charAt(i + 1) == ' ' || body.charAt(i + 1) == '-')) i++;
                steps.add(SEPARATORS);
            } else if (c == '\'') {
                steps.add(OPTIONAL_APOSTROPHE);
            } else if (c == ',') {
                steps.add(COMMA);
            } else if (body.startsWith("email", i)) { // compile's regex has "email" as e[\s\-]?mail
                steps.addAll(List.of((int) 'e', OPTIONAL_SEPARATOR, (int) 'm', (int) 'a', (int) 'i', (int) 'l'));
                i += 4;
            } else {
                steps.add((int) c); // a word char as such, any other quoted
            }
        }
        if (trail) steps.add(LETTERS);
        else if (isWordChar(body.charAt(body.length() - 1))) steps.add(NO_WORD_AFTER);
        return steps.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean isRegexSpace(char c) { // \s without UNICODE_CHARACTER_CLASS
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /**
     * Whether the steps {@code k…} of a {@link #program} can match {@code f} from {@code pos}: false only when the
     * phrase's regex cannot match there (its leading lookbehind is not checked), so the regex is not tried.
     */
    static boolean mayMatchAt(int[] program, int k, String f, int pos) {
        int len = f.length();
        for (; k < program.length; k++) {
            int step = program[k];
            if (step >= 0) {
                if (pos >= len || f.charAt(pos) != step) return false;
                pos++;
                continue;
            }
            switch (step) {
                case OPTIONAL_APOSTROPHE -> {
                    return (pos < len && f.charAt(pos) == '\'' && mayMatchAt(program, k + 1, f, pos + 1)) || mayMatchAt(program, k + 1, f, pos);
                }
                case OPTIONAL_SEPARATOR -> {
                    if (pos < len && (isRegexSpace(f.charAt(pos)) || f.charAt(pos) == '-') && mayMatchAt(program, k + 1, f, pos + 1)) return true;
                    return mayMatchAt(program, k + 1, f, pos);
                }
                case SEPARATORS -> {
                    int end = pos;
                    while (end < len && (isRegexSpace(f.charAt(end)) || f.charAt(end) == '-')) end++;
                    for (int e = end; e > pos; e--) if (mayMatchAt(program, k + 1, f, e)) return true;
                    return false;
                }
                case COMMA -> {
                    int end = pos;
                    while (end < len && isRegexSpace(f.charAt(end))) end++;
                    for (int e = end; e >= pos; e--) {
                        if (e < len && f.charAt(e) == ',' && mayMatchAt(program, k + 1, f, e + 1)) return true;
                        if (mayMatchAt(program, k + 1, f, e)) return true;
                    }
                    return false;
                }
                case LETTERS -> {
                    return true;
                }
                case NO_WORD_AFTER -> {
                    if (pos >= len) return true;
                    int cp = f.codePointAt(pos);
                    int type = Character.getType(cp);
                    return !(Character.isLetter(cp) || type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                            || type == Character.OTHER_NUMBER);
                }
                default -> throw new IllegalStateException("step " + step);
            }
        }
        return true;
    }

    /** Whole-message rules, run on the reply without greeting and sign-off name. */
    private static final List<Rule> WHOLE = List.of(
            new Rule(Kind.INTERESTED, 2.5, "whole reply is a yes", Pattern.compile(
                    "^\\W*(?:yes|yep|yeah|yup|sure|sure thing|ja|jawohl|jep|oui|ouais|si|claro|vale|dale|gerne|gern|volontiers|absolutely|definitely"
                            + "|of course|bien sur|por supuesto|d'accord|einverstanden|yes please|ja bitte|oui merci|si gracias)(?:\\W+(?:thanks|thank you|danke"
                            + "|merci|gracias))?\\W*$")),
            new Rule(Kind.INTERESTED, 2.0, "whole reply is a thumbs-up", Pattern.compile("^\\s*(?:\uD83D\uDC4D|\uD83D\uDC4C|\uD83D\uDE4C|\u2705)+[\\s!.]*$")),
            new Rule(Kind.NOT_INTERESTED, 2.5, "whole reply is a no", Pattern.compile(
                    "^\\W*(?:no|nope|nah|nein|non|no no|no thanks|nein danke|non merci|no gracias)\\W*$")),
            new Rule(Kind.NOT_INTERESTED, 1.2, "reply opens with a no", Pattern.compile("^\\W*(?:no|nein|non|nope)\\s*[.!]")),
            new Rule(Kind.NOT_INTERESTED, 1.0, "reply opens with 'no,'", Pattern.compile("^\\W*(?:no|nein|non|nope)\\s*,")),
            new Rule(Kind.UNSUBSCRIBE, 3.0, "whole reply is stop/unsubscribe", Pattern.compile(
                    "^\\W*(?:stop+|stopp|unsubscribe|remove|remove me|opt out|desinscription|desinscrire|desabonnement|abmelden|austragen"
                            + "|baja|darme de baja|alto)(?:\\W+(?:please|bitte|svp|merci|por favor|thanks|danke|gracias))?\\W*$")),
            new Rule(Kind.UNSUBSCRIBE, 2.0, "reply opens with stop", Pattern.compile("^\\W*stop+\\b(?!\\s+(?:by|in|at))")));

    private static final Pattern GREETING_LINE = Pattern.compile(
            "^(?:hi|hello|hey|dear|good morning|good afternoon|hallo|guten tag|guten morgen|moin|servus|liebe|lieber|sehr geehrte\\w*|bonjour"
                    + "|bonsoir|salut|cher|chere|madame|monsieur|hola|buenos dias|buenas tardes|buenas|estimad[oa]s?|querid[oa])\\b.{0,50}$");

    private static final Pattern NAME_LINE = Pattern.compile("\\p{Lu}[\\p{L}.'-]*(?:\\s+\\p{Lu}[\\p{L}.'-]*){0,2}");

    private static final Pattern LEADING_GREETING = Pattern.compile("^(?:hi|hello|hey|hallo|bonjour|hola)(?:\\s+[\\p{L}-]+)?\\s*[,!]\\s*");

    private static List<Hit> wholeMessageHits(String body) {
        List<String> lines = new ArrayList<>();
        for (String l : body.split("\n")) if (!l.isBlank()) lines.add(l.strip());
        if (lines.size() > 1 && GREETING_LINE.matcher(foldText(lines.getFirst())).matches()) lines.removeFirst();
        if (lines.size() > 1 && NAME_LINE.matcher(lines.getLast()).matches()) lines.removeLast();
        String core = foldText(String.join("\n", lines));
        core = LEADING_GREETING.matcher(core).replaceFirst("");
        List<Hit> out = new ArrayList<>();
        for (Rule r : WHOLE) {
            Matcher m = r.pattern().matcher(core);
            // a pattern starting with ^ (no MULTILINE) can only match at 0: lookingAt() then finds what find() does
            if (r.pattern().pattern().startsWith("^") ? m.lookingAt() : m.find()) out.add(new Hit(r.kind(), r.weight(), r.label(), 0, 0, null));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Matching, overlap, negation and condition handling
    // ------------------------------------------------------------------------------------------------------------

    private static final Set<String> NEGATORS = Set.of("not", "no", "never", "nor", "neither", "without", "hardly", "cannot",
            "nicht", "kein", "keine", "keinen", "keinem", "keiner", "keinerlei", "nie", "niemals", "ohne",
            "pas", "ne", "jamais", "aucun", "aucune", "sans", "guere",
            "nunca", "ni", "tampoco", "jamas", "sin", "ningun", "ninguna");
    private static final Set<String> EN_NEGATORS = Set.of("dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "wouldnt",
            "cant", "couldnt", "shouldnt", "havent", "hasnt");
    private static final Set<String> FOLLOWING_NEGATORS = Set.of("nicht", "pas", "kein", "keine", "keinen", "jamais");
    /** An interest phrase after one of these ("if we're interested…") is at most a polite brush-off. */
    private static final Set<String> CONDITIONS = Set.of("if", "whether", "unless", "case", "falls", "wenn", "ob", "sofern", "sobald",
            "caso", "lorsque");
    /** "Why would I be interested?" carries no interest. */
    private static final Set<String> RHETORICAL = Set.of("why", "warum", "wieso", "weshalb", "pourquoi");

    /** Whether {@code pos} lies inside one of {@code spans} other than {@code self}. */
    private static boolean insideAny(List<Hit> spans, Hit self, int pos) {
        for (Hit h : spans) if (h != self && h.start() <= pos && pos < h.end()) return true;
        return false;
    }
    private static final Set<String> CLAUSE_WORDS = Set.of("but", "however", "though", "although", "yet", "aber", "jedoch", "doch",
            "sondern", "allerdings", "trotzdem", "mais", "cependant", "pourtant", "pero", "sino", "aunque", "sin embargo");

    private static List<Hit> findHits(Folded fb, String lang) {
        String f = fb.text();
        List<Hit> all = new ArrayList<>();
        List<Integer> orders = new ArrayList<>();
        // one pass finds every required piece and anchor of every phrase: each phrase's check is then a lookup
        Needles.Found found = PHRASE_NEEDLES.scan(f);
        int[] requiredFound = new int[PHRASES.size()]; // per phrase: how many of its required needles occur
        for (int id : found.present()) for (int p : PHRASES_REQUIRING[id]) requiredFound[p]++;
        for (int p = 0; p < PHRASES.size(); p++) {
            if (requiredFound[p] < REQUIRED_COUNT[p]) continue; // a required piece is missing, no match: skip the regex
            Phrase ph = PHRASES.get(p);
            PhraseNeedles ids = PHRASE_IDS[p];
            if (ids.starts() != null) {
                // every match starts where one of the phrase's leading literals occurs: try the regex only there
                // (the same leftmost, non-overlapping matches as find(), without running it at every position)
                int[] starts = found.starts(ids.starts());
                Matcher m = null; // made at the first start worth trying
                boolean wordStart = ph.anchor() != null;
                int[] program = PROGRAMS[p];
                int from = 0;
                for (int at : starts) {
                    if (at < from) continue;
                    // a phrase with an anchor begins with (?<![\p{L}\p{N}]) (see compile): no match right after a letter or digit
                    if (wordStart && at > 0 && isAsciiLetterOrDigit(f.charAt(at - 1))) continue;
                    if (program != null && !mayMatchAt(program, 0, f, at)) continue; // the regex cannot match here
                    if (m == null) m = ph.pattern().matcher(f).useTransparentBounds(true).useAnchoringBounds(false);
                    m.region(at, f.length());
                    if (m.lookingAt() && m.end() > m.start()) {
                        all.add(new Hit(ph.kind(), ph.weight(), ph.label(), m.start(), m.end(), null));
                        orders.add(ph.order());
                        from = m.end();
                    }
                }
                continue;
            }
            Matcher m = ph.pattern().matcher(f);
            while (m.find()) {
                if (m.end() == m.start()) continue;
                all.add(new Hit(ph.kind(), ph.weight(), ph.label(), m.start(), m.end(), null));
                orders.add(ph.order());
            }
        }
        // Spanish "sí" (yes): accented, or followed by punctuation ("Si, me interesa"); unaccented "si" is "if".
        var siMatches = new Needles.AtStarts(SI, f, found.starts(new int[] {SI_NEEDLE})); // every match starts with "si"
        for (Matcher si; (si = siMatches.find()) != null; ) {
            boolean accented = fb.originalAt(si.start() + 1) == '\u00ED' || fb.originalAt(si.start() + 1) == '\u00CD';
            boolean punct = si.end() < f.length() && ",.!".indexOf(f.charAt(si.end())) >= 0;
            if (accented || punct) {
                all.add(new Hit(Kind.INTERESTED, 1.0, "s\u00ED", si.start(), si.end(), null));
                orders.add(Integer.MAX_VALUE);
            }
        }
        // Longest first; equal spans keep the phrase defined first. A hit inside a kept hit is dropped.
        Integer[] idx = new Integer[all.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, Comparator.<Integer>comparingInt(i -> -(all.get(i).end() - all.get(i).start())).thenComparingInt(orders::get));
        List<Hit> kept = new ArrayList<>();
        for (int i : idx) {
            Hit h = all.get(i);
            boolean inside = false;
            for (Hit k : kept) if (k.start() <= h.start() && h.end() <= k.end()) { inside = true; break; }
            if (!inside) kept.add(h);
        }
        kept.sort(Comparator.comparingInt(Hit::start));
        List<Hit> out = new ArrayList<>(kept.size());
        for (Hit h : kept) {
            if (h.kind() != Kind.INTERESTED && h.kind() != Kind.CUE) { out.add(h); continue; }
            List<Token> before = tokensBefore(fb, h.start(), 4);
            List<Token> after = tokensAfter(f, h.end(), 3);
            boolean negated = false, conditional = false, rhetorical = false;
            for (int i = 0; i < before.size(); i++) {
                Token t = before.get(i);
                String w = t.word();
                if (insideAny(kept, h, t.start())) continue;
                if (RHETORICAL.contains(w)) rhetorical = true;
                if (NEGATORS.contains(w) || w.endsWith("n't") || (w.startsWith("n'") && !w.equals("n'hesitez"))
                        || (lang.equals("en") && EN_NEGATORS.contains(w))) negated = true;
                if (CONDITIONS.contains(w) || (w.equals("bei") && i == before.size() - 1)
                        || (w.equals("si") && !t.yes())) conditional = true;
            }
            for (Token t : after) if (FOLLOWING_NEGATORS.contains(t.word()) && !insideAny(kept, h, t.start())) negated = true;
            if (h.kind() == Kind.CUE) {
                // "need", "Bedarf", "besoin", "necesario"…: nothing by themselves, a refusal when negated
                if (negated && !conditional && !rhetorical) out.add(new Hit(Kind.NOT_INTERESTED, 1.5, h.label(), h.start(), h.end(), "negated"));
            } else if (rhetorical) out.add(new Hit(Kind.IGNORE, 0, h.label(), h.start(), h.end(), "rhetorical"));
            else if (conditional) out.add(new Hit(Kind.NOT_INTERESTED, 1.0, h.label(), h.start(), h.end(), "conditional"));
            else if (negated) out.add(new Hit(Kind.NOT_INTERESTED, Math.max(h.weight(), 1.5), h.label(), h.start(), h.end(), "negated"));
            else out.add(h);
        }
        return out;
    }

    private record Token(String word, boolean yes, int start) {}

    private static boolean isClauseBreak(char c) {
        return ".!?;:,()[]\"".indexOf(c) >= 0;
    }

    /** Up to {@code max} words before {@code pos} in the same clause, nearest last. */
    private static List<Token> tokensBefore(Folded fb, int pos, int max) {
        String f = fb.text();
        int from = pos;
        while (from > 0 && pos - from < 120) {
            char c = f.charAt(from - 1);
            if (isClauseBreak(c) || (c == '\n' && from >= 2 && f.charAt(from - 2) == '\n')) break;
            from--;
        }
        List<Token> toks = new ArrayList<>();
        for (int i = from; i < pos; ) {
            int end = wordAt(f, i, pos);
            if (end < 0) { i++; continue; }
            String word = f.substring(i, end);
            boolean yes = false;
            if (word.equals("si")) {
                char o = fb.originalAt(i + 1);
                yes = o == '\u00ED' || o == '\u00CD';
            }
            toks.add(new Token(word, yes, i));
            i = end;
        }
        int cut = 0;
        for (int i = 0; i < toks.size(); i++) if (CLAUSE_WORDS.contains(toks.get(i).word())) cut = i + 1;
        List<Token> clause = toks.subList(cut, toks.size());
        return new ArrayList<>(clause.subList(Math.max(0, clause.size() - max), clause.size()));
    }

    private static List<Token> tokensAfter(String f, int pos, int max) {
        int to = pos;
        while (to < f.length() && to - pos < 80) {
            char c = f.charAt(to);
            if (isClauseBreak(c) || c == '\n') break;
            to++;
        }
        List<Token> toks = new ArrayList<>();
        for (int i = pos; i < to && toks.size() < max; ) {
            int end = wordAt(f, i, to);
            if (end < 0) { i++; continue; }
            String word = f.substring(i, end);
            if (CLAUSE_WORDS.contains(word)) break;
            toks.add(new Token(word, false, i));
            i = end;
        }
        return toks;
    }

    /**
     * Where a match of {@link #WORD} starting at {@code i} ends when the text ends at {@code to} (as in a region with
     * opaque bounds), or -1: what {@code WORD.matcher(f).region(i, to).lookingAt()} gives, each of its greedy parts
     * taken in turn (none needs to give anything back: all that follows it may match nothing).
     */
    static int wordAt(String f, int i, int to) {
        int end = codePointIn(f, i, to, true);
        if (end < 0) return -1;
        for (int k; (k = codePointIn(f, end, to, true)) >= 0; ) end = k;
        while (end < to && f.charAt(end) == '\'') { // (?:'[\p{L}]+)*
            int k = codePointIn(f, end + 1, to, false);
            if (k < 0) break;
            end = k;
            while ((k = codePointIn(f, end, to, false)) >= 0) end = k;
        }
        if (end < to && f.charAt(end) == '\'') end++; // '?
        return end;
    }

    /** The index after the code point at {@code i} when it ends by {@code to} and is [\p{L}\p{N}] (or \p{L}), else -1. */
    private static int codePointIn(String f, int i, int to, boolean numbersToo) {
        if (i >= to) return -1;
        char c = f.charAt(i);
        if (c < 128) return (numbersToo ? isAsciiLetterOrDigit(c) : (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ? i + 1 : -1;
        int cp = f.codePointAt(i);
        int next = i + Character.charCount(cp);
        if (next > to) return -1;
        if (Character.isLetter(cp)) return next;
        if (!numbersToo) return -1;
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER ? next : -1;
    }

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+(?:'[\\p{L}]+)*'?");

    // ------------------------------------------------------------------------------------------------------------
    // Multi-string search
    // ------------------------------------------------------------------------------------------------------------

    /**
     * An Aho–Corasick automaton over a fixed set of non-empty strings: {@link #scan} finds every occurrence of every
     * one of them (overlapping ones included) in one pass over a text, so "does the text contain X" and "where is
     * the next X at or after i" need no further search. Immutable and thread-safe; the {@link Found} of a scan is not.
     */
    static final class Needles {
        private final int[] length;
        /** Character → column of {@link #table}; 0 for every character no needle contains. */
        private final char[] column = new char[Character.MAX_VALUE + 1];
        private final int columns;
        /**
         * The automaton as a table: state * columns + column → next state (failure links already followed), with
         * {@link #HAS_OUT} set when needles end there. States are numbered breadth first, so the shallow states a scan
         * spends most of its time in share a few kilobytes at the start (the scan runs between other work, with the
         * caches cold); chars keep the table half the size of ints.
         */
        private final char[] table;
        private static final int HAS_OUT = 0x8000;
        /** The needles that end in each state (its own and its suffixes'), null when none. */
        private final int[][] out;

        /** Per needle: only its occurrences not right after an ASCII letter or digit are recorded (and counted). */
        private final boolean[] wordStartOnly;

        /** Per needle: only whether it occurs is looked up, so only its first occurrence is recorded. */
        private final boolean[] presenceOnly;

        Needles(String... needles) {
            this(needles, new boolean[needles.length], new boolean[needles.length]);
        }

        Needles(String[] needles, boolean[] wordStartOnly, boolean[] presenceOnly) {
            this.wordStartOnly = wordStartOnly.clone();
            this.presenceOnly = presenceOnly.clone();
            length = new int[needles.length];
            int cols = 1;
            for (String n : needles) {
                if (n.isEmpty()) throw new IllegalArgumentException("empty needle");
                for (int i = 0; i < n.length(); i++) if (column[n.charAt(i)] == 0) column[n.charAt(i)] = (char) cols++;
            }
            columns = cols;
            // trie
            List<int[]> children = new ArrayList<>();
            List<List<Integer>> ends = new ArrayList<>();
            children.add(new int[columns]);
            ends.add(new ArrayList<>());
            for (int id = 0; id < needles.length; id++) {
                String n = needles[id];
                length[id] = n.length();
                int state = 0;
                for (int i = 0; i < n.length(); i++) {
                    int c = column[n.charAt(i)];
                    if (children.get(state)[c] == 0) {
                        children.get(state)[c] = children.size();
                        children.add(new int[columns]);
                        ends.add(new ArrayList<>());
                    }
                    state = children.get(state)[c];
                }
                ends.get(state).add(id);
            }
            // failure links, breadth first, turned into a complete transition table
            int states = children.size();
            if (states >= HAS_OUT) throw new IllegalArgumentException("too many needles for one automaton: " + states + " states");
            int[] delta = new int[states * columns];
            int[][] outs = new int[states][];
            int[] fail = new int[states];
            int[] queue = new int[states];
            int head = 0, tail = 0;
            for (int c = 0; c < columns; c++) {
                int child = children.get(0)[c];
                delta[c] = child;
                if (child != 0) queue[tail++] = child;
            }
            while (head < tail) {
                int state = queue[head++];
                List<Integer> own = new ArrayList<>(ends.get(state));
                if (outs[fail[state]] != null) for (int id : outs[fail[state]]) own.add(id);
                outs[state] = own.isEmpty() ? null : own.stream().mapToInt(Integer::intValue).toArray();
                for (int c = 0; c < columns; c++) {
                    int child = children.get(state)[c];
                    if (child == 0) {
                        delta[state * columns + c] = delta[fail[state] * columns + c];
                    } else {
                        fail[child] = delta[fail[state] * columns + c];
                        delta[state * columns + c] = child;
                        queue[tail++] = child;
                    }
                }
            }
            // breadth-first numbering (the root, then the queue's order): old state → new state
            int[] renamed = new int[states];
            for (int k = 0; k < tail; k++) renamed[queue[k]] = k + 1;
            table = new char[states * columns];
            out = new int[states][];
            for (int old = 0; old < states; old++) {
                int now = renamed[old];
                out[now] = outs[old];
                for (int c = 0; c < columns; c++) {
                    int next = delta[old * columns + c];
                    table[now * columns + c] = (char) (renamed[next] | (outs[next] != null ? HAS_OUT : 0));
                }
            }
        }

        /** Every occurrence of every needle in {@code text}. */
        Found scan(String text) {
            Found found = new Found(length.length);
            int state = 0;
            for (int i = 0; i < text.length(); i++) {
                state = table[(state & ~HAS_OUT) * columns + column[text.charAt(i)]];
                if (state < HAS_OUT) continue;
                int[] ids = out[state & ~HAS_OUT];
                for (int id : ids) {
                    if (presenceOnly[id] && found.count[id] > 0) continue;
                    int start = i + 1 - length[id];
                    if (wordStartOnly[id] && start > 0 && isAsciiLetterOrDigit(text.charAt(start - 1))) continue;
                    found.add(id, start);
                }
            }
            found.groupByNeedle();
            return found;
        }

        /**
         * The occurrences found by one scan, per needle in increasing order of start: {@code first(id)} gives the
         * handle of the first one (-1: none), {@code next(handle)} the following one, {@code start(handle)} where it is.
         */
        static final class Found {
            private static final int[] NONE = {};
            /** Per needle: how many occurrences, and (once grouped) the index in {@link #at} of the first. */
            private final int[] count, begin;
            /** The needles found, in the order first found. */
            private int[] present = new int[16];
            private int presentSize;
            /** The occurrences: needle and start, in the order found; grouped by needle, each in increasing order, by {@link #groupByNeedle}. */
            private int[] id, at;
            private int size;

            private Found(int needles) {
                count = new int[needles];
                begin = new int[needles];
                id = new int[32]; // a reply holds a few dozen occurrences at most; add grows them
                at = new int[32];
            }

            private void add(int needle, int start) {
                if (size == at.length) {
                    id = Arrays.copyOf(id, size * 2);
                    at = Arrays.copyOf(at, size * 2);
                }
                id[size] = needle;
                at[size++] = start;
                if (count[needle]++ == 0) {
                    if (presentSize == present.length) present = Arrays.copyOf(present, presentSize * 2);
                    present[presentSize++] = needle;
                }
            }

            /** A counting sort: the occurrences of each needle together, still in the order found (increasing start). */
            private void groupByNeedle() {
                int offset = 0;
                for (int k = 0; k < presentSize; k++) {
                    begin[present[k]] = offset;
                    offset += count[present[k]];
                }
                int[] byNeedle = new int[size], needleOf = new int[size];
                for (int k = 0; k < size; k++) {
                    int slot = begin[id[k]]++;
                    byNeedle[slot] = at[k];
                    needleOf[slot] = id[k];
                }
                for (int k = 0; k < presentSize; k++) begin[present[k]] -= count[present[k]];
                at = byNeedle;
                id = needleOf;
            }

            boolean contains(int needle) {
                return count[needle] > 0;
            }

            /** The needles that occur, each once. */
            int[] present() {
                return Arrays.copyOf(present, presentSize);
            }

            int first(int needle) {
                return count[needle] > 0 ? begin[needle] : -1;
            }

            /** Where the needles {@code ids} occur, in increasing order, each position once. */
            int[] starts(int[] ids) {
                if (ids.length == 1) { // one needle's occurrences are in order already
                    int needle = ids[0];
                    return count[needle] == 0 ? NONE : Arrays.copyOfRange(at, begin[needle], begin[needle] + count[needle]);
                }
                int n = 0;
                for (int needle : ids) n += count[needle];
                int[] out = new int[n];
                n = 0;
                for (int needle : ids) {
                    System.arraycopy(at, begin[needle], out, n, count[needle]);
                    n += count[needle];
                }
                Arrays.sort(out);
                int distinct = 0;
                for (int i = 0; i < out.length; i++) if (i == 0 || out[i] != out[i - 1]) out[distinct++] = out[i];
                return Arrays.copyOf(out, distinct);
            }

            int next(int handle) {
                return handle + 1 < size && id[handle + 1] == id[handle] ? handle + 1 : -1;
            }

            int start(int handle) {
                return at[handle];
            }
        }

        /**
         * {@link Matcher#find()} for a pattern every match of which starts at one of {@code starts} (increasing,
         * distinct) and is not empty: the same matches, the pattern tried only there. Transparent bounds let
         * lookbehinds and {@code \b} see the text before a start.
         */
        static final class AtStarts {
            private final Matcher m;
            private final int[] starts;
            private final int end;
            private int next, from;

            AtStarts(Pattern p, String text, int[] starts) {
                this.m = p.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
                this.starts = starts;
                this.end = text.length();
            }

            /** The matcher at the next match, or null when there is none. */
            Matcher find() {
                while (next < starts.length) {
                    int at = starts[next++];
                    if (at < from) continue;
                    m.region(at, end);
                    if (m.lookingAt()) {
                        from = m.end();
                        return m;
                    }
                }
                return null;
            }
        }
    }

    /**
     * Literal strings one of which every match of {@code regex} starts with, or null when that cannot be told: the
     * literal text at the start of each top-level alternative (after an optional {@code \\b}), or of each alternative
     * of a leading {@code (?:…)} group. Knows only the regex syntax the patterns here use; any other construct at the
     * start (a flag, class, lookaround, {@code ^}, a quoted or quantified group…) gives null.
     */
    static List<String> leadingLiterals(String regex) {
        if (regex.contains("\\Q")) return null;
        List<String> alternatives = splitTopLevel(regex);
        if (alternatives == null) return null;
        List<String> out = new ArrayList<>();
        for (String alt : alternatives) {
            String a = alt.startsWith("\\b") ? alt.substring(2) : alt;
            if (a.startsWith("(?:")) {
                int close = closingParen(a, 0);
                if (close < 0 || (close + 1 < a.length() && "?*+{".indexOf(a.charAt(close + 1)) >= 0)) return null;
                List<String> inner = leadingLiterals(a.substring(3, close));
                if (inner == null) return null;
                out.addAll(inner);
            } else {
                String prefix = literalPrefix(a);
                if (prefix.isEmpty()) return null;
                out.add(prefix);
            }
        }
        return out;
    }

    /** The literal text {@code regex} starts with: up to the first metacharacter, less a char a quantifier applies to. */
    private static String literalPrefix(String regex) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if ("?*+{".indexOf(c) >= 0) {
                if (!sb.isEmpty()) sb.setLength(sb.length() - 1); // "could ?n…": the space is optional
                break;
            }
            if (c == '\\' && i + 1 < regex.length() && !Character.isLetterOrDigit(regex.charAt(i + 1))) {
                sb.append(regex.charAt(++i)); // an escaped punctuation char: "\\."
            } else if (c == '\\' || "[]().^$|".indexOf(c) >= 0) {
                break;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** {@code regex} split at its top-level '|', or null when its parentheses or classes are not balanced. */
    private static List<String> splitTopLevel(String regex) {
        List<String> out = new ArrayList<>();
        int depth = 0, from = 0;
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') i++;
            else if (inClass) inClass = c != ']';
            else if (c == '[') inClass = true;
            else if (c == '(') depth++;
            else if (c == ')' && --depth < 0) return null;
            else if (c == '|' && depth == 0) {
                out.add(regex.substring(from, i));
                from = i + 1;
            }
        }
        if (depth != 0 || inClass) return null;
        out.add(regex.substring(from));
        return out;
    }

    /** The index of the ')' closing the '(' at {@code open}, or -1. */
    private static int closingParen(String regex, int open) {
        int depth = 0;
        boolean inClass = false;
        for (int i = open; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') i++;
            else if (inClass) inClass = c != ']';
            else if (c == '[') inClass = true;
            else if (c == '(') depth++;
            else if (c == ')' && --depth == 0) return i;
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Return dates
    // ------------------------------------------------------------------------------------------------------------

    record DateFinding(LocalDate date, String source) {}

    /** Return-date parsing for out-of-office replies; package-private for tests. */
    static final class ReturnDates {

        private static final Map<String, Integer> MONTHS = new HashMap<>();
        private static final Map<String, DayOfWeek> WEEKDAYS = new HashMap<>();

        static {
            String[][] months = {
                    {"january", "jan", "januar", "janner", "jaenner", "janvier", "janv", "enero", "ene"},
                    {"february", "feb", "februar", "fevrier", "fevr", "fev", "febrero"},
                    {"march", "mar", "marz", "maerz", "mars", "marzo"},
                    {"april", "apr", "avril", "avr", "abril", "abr"},
                    {"may", "mai", "mayo"},
                    {"june", "jun", "juni", "juin", "junio"},
                    {"july", "jul", "juli", "juillet", "juil", "julio"},
                    {"august", "aug", "aout", "agosto", "ago"},
                    {"september", "sept", "sep", "septembre", "septiembre", "setiembre"},
                    {"october", "oct", "oktober", "okt", "octobre", "octubre"},
                    {"november", "nov", "novembre", "noviembre"},
                    {"december", "dec", "dezember", "dez", "decembre", "diciembre", "dic"}};
            for (int m = 0; m < 12; m++) for (String name : months[m]) MONTHS.put(name, m + 1);
            String[][] days = {
                    {"monday", "montag", "lundi", "lunes"}, {"tuesday", "dienstag", "mardi", "martes"},
                    {"wednesday", "mittwoch", "mercredi", "miercoles"}, {"thursday", "donnerstag", "jeudi", "jueves"},
                    {"friday", "freitag", "vendredi", "viernes"}, {"saturday", "samstag", "samedi", "sabado"},
                    {"sunday", "sonntag", "dimanche", "domingo"}};
            for (int d = 0; d < 7; d++) for (String name : days[d]) WEEKDAYS.put(name, DayOfWeek.of(d + 1));
        }

        private static final String MONTH = MONTHS.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed())
                .reduce((a, b) -> a + "|" + b).orElseThrow();
        private static final String FULL_MONTH = MONTHS.keySet().stream().filter(s -> s.length() > 4
                        || Set.of("marz", "mars", "may", "mai", "juni", "juli", "juin", "mayo", "june", "july", "aout").contains(s))
                .sorted(Comparator.comparingInt(String::length).reversed()).reduce((a, b) -> a + "|" + b).orElseThrow();
        private static final String WEEKDAY = String.join("|", WEEKDAYS.keySet()) + "|tomorrow|demain";
        /** The words that qualify a month in {@link #MONTH_ONLY}. */
        private static final String MONTH_QUALIFIER = "end of|ende|fin|fin de|finales de|late|early|anfang|debut|principios de|inicios de"
                + "|mid|mitte|mi|mediados de|in|im|en|ab|bis|until|till|hasta|jusqu'en|a partir de|desde|back in|de retour en";

        private static final Pattern ISO = Pattern.compile("(?<![\\d.])(\\d{4})-(\\d{1,2})-(\\d{1,2})(?![\\d])");
        private static final Pattern DAY_MONTH = Pattern.compile(
                "(?<![\\d.:/])(\\d{1,2})(?:st|nd|rd|th|er|ro|o|\u00BA|\u00B0)?\\.?\\s*(?:de\\s+|of\\s+|-)?(" + MONTH + ")(?![\\p{L}])\\.?"
                        + "(?:\\s*,?\\s*(?:de\\s+|del\\s+)?(\\d{4})(?!\\d))?");
        private static final Pattern MONTH_DAY = Pattern.compile(
                "(?<![\\p{L}])(" + MONTH + ")\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?(?![\\d:])(?:\\s*,?\\s*(\\d{4})(?!\\d))?");
        private static final Pattern DOTTED = Pattern.compile("(?<![\\d./])(\\d{1,2})\\.(\\d{1,2})\\.(?:(\\d{4}|\\d{2})(?![\\d.]))?");
        private static final Pattern SLASHED = Pattern.compile("(?<![\\d/.])(\\d{1,2})/(\\d{1,2})(?:/(\\d{4}|\\d{2}))?(?![\\d/])");
        private static final Pattern DASHED = Pattern.compile("(?<![\\d-])(\\d{1,2})-(\\d{1,2})-(\\d{4})(?![\\d-])");
        private static final Pattern DAY_ONLY = Pattern.compile("\\b(?:on|the)\\s+(\\d{1,2})(?:st|nd|rd|th)\\b(?!\\s*(?:of\\s+)?(?:" + MONTH + ")\\b)");
        private static final Pattern WEEKDAY_REF = Pattern.compile("(?<![\\p{L}])(" + WEEKDAY + ")(?![\\p{L}])");
        private static final Pattern MONTH_ONLY = Pattern.compile(
                "(?<![\\p{L}])(" + MONTH_QUALIFIER + ")[\\s-]+(" + FULL_MONTH + ")(?![\\p{L}])");

        /**
         * The alternatives of {@link #MONTH}, {@link #WEEKDAY} and {@link #MONTH_QUALIFIER} (ids in that order), found in
         * one pass: every match of MONTH_DAY, WEEKDAY_REF and MONTH_ONLY starts with one of its group 1's words, and
         * every match of DAY_MONTH contains a month, so these regexes are tried only where those words occur.
         */
        private static final Needles DATE_WORDS;
        private static final int[] MONTH_IDS, WEEKDAY_IDS, QUALIFIER_IDS;

        static {
            List<String> words = new ArrayList<>();
            MONTH_IDS = addWords(words, MONTH);
            WEEKDAY_IDS = addWords(words, WEEKDAY);
            QUALIFIER_IDS = addWords(words, MONTH_QUALIFIER);
            DATE_WORDS = new Needles(words.toArray(String[]::new));
        }

        /** Adds the alternatives of {@code alternation} (words, no regex syntax) to {@code words}; returns their ids. */
        private static int[] addWords(List<String> words, String alternation) {
            int from = words.size();
            words.addAll(List.of(alternation.split("\\|")));
            return java.util.stream.IntStream.range(from, words.size()).toArray();
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        /**
         * The positions of {@code starts} not right after an ASCII letter: MONTH_DAY, WEEKDAY_REF and MONTH_ONLY start with
         * (?<![\p{L}]), so cannot match at the others ("in" of "within", "mai" of "email").
         */
        private static int[] notAfterLetter(String s, int[] starts) {
            int[] out = new int[starts.length];
            int n = 0;
            for (int at : starts) {
                char before = at > 0 ? s.charAt(at - 1) : ' ';
                if ((before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z')) continue;
                out[n++] = at;
            }
            return Arrays.copyOf(out, n);
        }

        /**
         * False when {@link #DAY_ONLY} cannot match: each of its matches has "on" or "the", then \s+, then a run of digits
         * (a run's start: only \s before it). The regex, tried at every position, is not run for the others.
         */
        private static boolean mayHaveDayOnly(String s, int[] numbers) {
            for (int p : numbers) {
                int q = p;
                while (q > 0 && isRegexSpace(s.charAt(q - 1))) q--;
                if (q < p && (s.startsWith("on", q - 2) || s.startsWith("the", q - 3))) return true;
            }
            return false;
        }

        /** Where the runs of digits [0-9] begin. */
        private static int[] numberStarts(String s) {
            int[] out = new int[8];
            int n = 0;
            for (int i = 0; i < s.length(); i++) {
                if (!isDigit(s.charAt(i)) || (i > 0 && isDigit(s.charAt(i - 1)))) continue;
                if (n == out.length) out = Arrays.copyOf(out, n * 2);
                out[n++] = i;
            }
            return Arrays.copyOf(out, n);
        }
        private static final Pattern KEYWORD_BEFORE = Pattern.compile(
                "\\b(?:back|return\\w*|until|till|til|through|thru|bis|zuruck\\w*|ab|wieder|jusqu\\w*|retour|reprise|avant|hasta|regres\\w*"
                        + "|vuelta|volver\\w*|volvere|reincorpor\\w*|a partir|respond\\w*|reply|repondr\\w*|melde mich|antworte\\w*|respondere|contestare)"
                        + "\\W*(?:\\w+\\W+){0,3}$");
        private static final Pattern KEYWORD_AFTER = Pattern.compile("^\\W*(?:\\w+\\W+){0,4}(?:wieder|zuruck|back|de retour|de vuelta|return)");
        private static final Pattern UK_HINTS = Pattern.compile("\\+44|\\.co\\.uk\\b|\\.ie\\b|\\+353|\\+61|\\.com\\.au|\\+64|\\bannual leave\\b|\\bwhilst\\b|\\bbank holiday\\b");

        private record Cand(LocalDate date, int tier, boolean keyword, String source) {}

        static DateFinding find(String folded, String lang, LocalDate today) {
            List<Cand> cands = new ArrayList<>();
            List<int[]> used = new ArrayList<>();
            Boolean monthFirst = null; // looked up at the first slashed or dashed date
            // ISO, DAY_MONTH, DOTTED, SLASHED and DASHED start with (?<![\d…])\d (\d is [0-9]): a match starts where a run
            // of digits does, so they are tried only there; DAY_ONLY needs a digit too. The word patterns are tried where
            // their words occur.
            int[] numbers = numberStarts(folded);
            boolean digits = numbers.length > 0;
            Needles.Found words = DATE_WORDS.scan(folded);
            int[] months = words.starts(MONTH_IDS);

            Matcher m;
            for (var iso = new Needles.AtStarts(ISO, folded, numbers); (m = iso.find()) != null; ) {
                add(cands, used, folded, m, date(today, i(m, 1), i(m, 2), i(m, 3)), 1);
            }
            int[] dayMonthStarts = months.length > 0 ? numbers : new int[0]; // a DAY_MONTH match contains a month
            for (var dayMonth = new Needles.AtStarts(DAY_MONTH, folded, dayMonthStarts); (m = dayMonth.find()) != null; ) {
                if (overlaps(used, m)) continue;
                add(cands, used, folded, m, date(today, m.group(3) == null ? null : i(m, 3), MONTHS.get(m.group(2)), i(m, 1)), 1);
            }
            for (var monthDay = new Needles.AtStarts(MONTH_DAY, folded, notAfterLetter(folded, months)); (m = monthDay.find()) != null; ) {
                if (overlaps(used, m)) continue;
                add(cands, used, folded, m, date(today, m.group(3) == null ? null : i(m, 3), MONTHS.get(m.group(1)), i(m, 2)), 1);
            }
            for (var dotted = new Needles.AtStarts(DOTTED, folded, numbers); (m = dotted.find()) != null; ) {
                if (overlaps(used, m)) continue;
                add(cands, used, folded, m, date(today, year(m.group(3)), i(m, 2), i(m, 1)), 1);
            }
            for (Pattern p : List.of(SLASHED, DASHED)) {
                for (var numeric = new Needles.AtStarts(p, folded, numbers); (m = numeric.find()) != null; ) {
                    if (overlaps(used, m)) continue;
                    if (m.group().equals("24/7") || m.group().equals("7/24")) continue;
                    int a = i(m, 1), b = i(m, 2);
                    Integer y = year(m.groupCount() >= 3 ? m.group(3) : null);
                    if (monthFirst == null) monthFirst = lang.equals("en") && !UK_HINTS.matcher(folded).find();
                    boolean mf = monthFirst ? a <= 12 : b > 12 && a <= 12;
                    add(cands, used, folded, m, mf ? date(today, y, a, b) : date(today, y, b, a), 1);
                }
            }
            if (digits && mayHaveDayOnly(folded, numbers)) {
                m = DAY_ONLY.matcher(folded);
                while (m.find()) {
                    if (overlaps(used, m)) continue;
                    int day = i(m, 1);
                    LocalDate d = null;
                    for (int k = 0; k < 3 && d == null; k++) {
                        LocalDate month = today.withDayOfMonth(1).plusMonths(k);
                        if (day <= month.lengthOfMonth()) {
                            LocalDate c = month.withDayOfMonth(day);
                            if (!c.isBefore(today)) d = c;
                        }
                    }
                    add(cands, used, folded, m, d, 2);
                }
            }
            for (var weekday = new Needles.AtStarts(WEEKDAY_REF, folded, notAfterLetter(folded, words.starts(WEEKDAY_IDS))); (m = weekday.find()) != null; ) {
                if (overlaps(used, m) || !keywordNear(folded, m.start(), m.end())) continue;
                String w = m.group(1);
                LocalDate d = w.equals("tomorrow") || w.equals("demain") ? today.plusDays(1)
                        : today.with(TemporalAdjusters.next(WEEKDAYS.get(w)));
                add(cands, used, folded, m, d, 2);
            }
            // (FULL_MONTH: some of MONTH; any month anywhere, "mai" of "email" too, lets the qualifiers be tried)
            int[] qualifiers = months.length > 0 ? notAfterLetter(folded, words.starts(QUALIFIER_IDS)) : new int[0];
            for (var monthOnly = new Needles.AtStarts(MONTH_ONLY, folded, qualifiers); (m = monthOnly.find()) != null; ) {
                if (overlaps(used, m)) continue;
                String q = m.group(1);
                int month = MONTHS.get(m.group(2));
                int year = today.getYear();
                if (month < today.getMonthValue()) year++;
                LocalDate first = LocalDate.of(year, month, 1);
                LocalDate d = switch (q) {
                    case "end of", "ende", "fin", "fin de", "finales de", "late" ->
                            first.withDayOfMonth(first.lengthOfMonth());
                    case "mid", "mitte", "mi", "mediados de" -> first.withDayOfMonth(15);
                    default -> first;
                };
                if (d.isBefore(today)) d = null;
                add(cands, used, folded, m, d, 3);
            }
            if (cands.isEmpty()) return null;
            int bestTier = cands.stream().mapToInt(Cand::tier).min().orElseThrow();
            List<Cand> pool = cands.stream().filter(c -> c.tier() == bestTier).toList();
            if (pool.stream().anyMatch(Cand::keyword)) pool = pool.stream().filter(Cand::keyword).toList();
            Cand best = pool.stream().max(Comparator.comparing(Cand::date)).orElseThrow();
            return new DateFinding(best.date(), best.source());
        }

        private static int i(Matcher m, int g) {
            return Integer.parseInt(m.group(g));
        }

        private static Integer year(String s) {
            if (s == null) return null;
            int y = Integer.parseInt(s);
            return s.length() == 2 ? 2000 + y : y;
        }

        private static boolean overlaps(List<int[]> used, Matcher m) {
            for (int[] u : used) if (m.start() < u[1] && u[0] < m.end()) return true;
            return false;
        }

        private static boolean keywordNear(String f, int start, int end) {
            String before = f.substring(Math.max(0, start - 30), start);
            String after = f.substring(end, Math.min(f.length(), end + 40));
            return KEYWORD_BEFORE.matcher(before).find() || KEYWORD_AFTER.matcher(after).find();
        }

        private static void add(List<Cand> cands, List<int[]> used, String f, Matcher m, LocalDate d, int tier) {
            used.add(new int[] {m.start(), m.end()});
            if (d == null) return;
            cands.add(new Cand(d, tier, keywordNear(f, m.start(), m.end()), m.group()));
        }

        /** A calendar date; without a year, the next one not before today. Null when impossible. */
        private static LocalDate date(LocalDate today, Integer year, Integer month, Integer day) {
            if (month == null || day == null || month < 1 || month > 12 || day < 1 || day > 31) return null;
            if (year != null) {
                try {
                    return LocalDate.of(year, month, day);
                } catch (java.time.DateTimeException e) {
                    return null;
                }
            }
            for (int y = today.getYear(); y <= today.getYear() + 4; y++) {
                try {
                    LocalDate d = LocalDate.of(y, month, day);
                    if (!d.isBefore(today)) return d;
                } catch (java.time.DateTimeException e) {
                    // Feb 29 of a non-leap year: try the next
                }
            }
            return null;
        }
    }
}
