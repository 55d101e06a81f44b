package dev.outreach2day.campaign;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The one template engine: used by preview and by sending, so what a user previews for a
 * contact is byte for byte what that contact receives.
 *
 * <p>Syntax:
 * <ul>
 *   <li>Variables {@code {{name}}} and {@code {{name|fallback}}}, whitespace allowed inside the
 *       braces ({@code {{ firstName | there }}}). Names are letters, digits, {@code _ . -},
 *       looked up case-insensitively. A null or blank value is missing: the fallback is used if
 *       there is one (it may be empty: {@code {{company|}}}), otherwise the variable renders as
 *       nothing and is reported as unresolved. The fallback is template text (author's own),
 *       so it is never escaped.</li>
 *   <li>Spintax {@code {a|b|c}}, nestable, single braces only: {@code {{} always starts a
 *       variable (in a run of three or more braces the last two start the variable, so
 *       {@code {{{firstName}}|there}} is a group whose first option is a variable). A brace pair
 *       without a {@code |} at its own level is not spintax and stays literal (CSS rules and JSON
 *       in a body survive). {@code {}} and unbalanced braces are errors, reported with their
 *       0-based position; the broken brace then renders literally.</li>
 * </ul>
 *
 * <p>A template is parsed once into a tree (text, variable, group of alternatives) and cached;
 * rendering walks the tree, so values are inserted as plain text and are never read as
 * syntax: a contact named {@code {Bob}} or {@code {{x}}} renders literally. In {@link
 * Context#HTML} every value is HTML-escaped except {@code signature}, the sender's own HTML.
 *
 * <p>Choices are deterministic: the alternative of each group is a hash of (seed, template,
 * group index), so the same contact seed always gets the same text for a template, different
 * seeds spread evenly over the options, and two templates (subject and body) rendered with
 * the same seed do not pick correlated options.
 */
final class Templates {

    enum Context { TEXT, HTML }

    /** A rendering: the text, the variables that had neither a value nor a fallback (as first written), the template's errors. */
    record Rendered(String text, Set<String> unresolved, List<SpintaxError> spintaxErrors) {}

    /** A syntax problem at a 0-based character offset of the template. */
    record SpintaxError(int position, String message) {}

    /** A variable used by a template; {@code hasFallback} only if every use of it has one. */
    record Variable(String name, boolean hasFallback) {}

    /** The variable rendered as HTML in an HTML context instead of escaped. */
    static final String SIGNATURE = "signature";

    static final int CACHE_SIZE = 1_000;
    /** Longer templates are parsed on every call rather than pinned in memory. */
    static final int MAX_CACHED_LENGTH = 256 * 1024;

    private static final Map<String, Parsed> CACHE = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Parsed> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    private Templates() {}

    static Rendered render(String template, Map<String, String> values, long seed, Context ctx) {
        Objects.requireNonNull(ctx, "ctx");
        Parsed parsed = parse(template);
        Renderer r = new Renderer(values == null ? Map.of() : values, mix(seed ^ parsed.salt), ctx);
        StringBuilder out = new StringBuilder(parsed.sizeHint);
        r.render(parsed.nodes, out);
        Set<String> unresolved = r.unresolved == null
                ? Set.of()
                : Collections.unmodifiableSet(new LinkedHashSet<>(r.unresolved.values()));
        return new Rendered(out.toString(), unresolved, parsed.errors);
    }

    /** Every variable the template uses (in any alternative), in order of first use, de-duplicated case-insensitively. */
    static Set<Variable> variables(String template) {
        return parse(template).variables;
    }

    /** The template's syntax errors, by position; empty when it is well formed. */
    static List<SpintaxError> validate(String template) {
        return parse(template).errors;
    }

    /** Plain text of an HTML body: blocks and {@code <br>} become line breaks, links "text (url)", entities decoded. */
    static String htmlToText(String html) {
        return HtmlText.convert(html, true);
    }

    /** Plain text of an HTML body without link targets (what a reader sees; used for content checks). */
    static String htmlToText(String html, boolean withLinkTargets) {
        return HtmlText.convert(html, withLinkTargets);
    }

    // ---------------------------------------------------------------- cache

    private static Parsed parse(String template) {
        Objects.requireNonNull(template, "template");
        if (template.length() > MAX_CACHED_LENGTH) {
            return new Parser(template).parse();
        }
        Parsed p;
        synchronized (CACHE) {
            p = CACHE.get(template);
        }
        if (p == null) {
            p = new Parser(template).parse();
            synchronized (CACHE) {
                CACHE.put(template, p);
            }
        }
        return p;
    }

    static int cacheSize() {
        synchronized (CACHE) {
            return CACHE.size();
        }
    }

    // ---------------------------------------------------------------- tree

    private sealed interface Node permits Text, Var, Group {}

    private record Text(String text) implements Node {}

    /** {@code key} is the lower-cased name; {@code fallback} null when there is none. */
    private record Var(String name, String key, String fallback, boolean html) implements Node {}

    private record Group(int ordinal, Node[][] options) implements Node {}

    private record Parsed(Node[] nodes, List<SpintaxError> errors, Set<Variable> variables, long salt, int sizeHint) {}

    // ---------------------------------------------------------------- parser

    private static final class Parser {

        private static final int TEXT = 0, VAR = 1, OPEN = 2, CLOSE = 3, PIPE = 4;

        private final String s;
        private final List<SpintaxError> errors = new ArrayList<>();
        private final Map<String, Variable> variables = new LinkedHashMap<>();
        // tokens: kind, start, end (source range) and for VAR the node
        private int[] kind = new int[16], start = new int[16], end = new int[16];
        private Var[] vars = new Var[16];
        private int count;
        private int[] match;
        private int ordinal;

        Parser(String s) {
            this.s = s;
        }

        Parsed parse() {
            tokenize();
            matchBraces();
            Node[] nodes = build(0, count);
            errors.sort(Comparator.comparingInt(SpintaxError::position));
            long salt = s.hashCode() * 0x9E3779B97F4A7C15L + s.length();
            return new Parsed(nodes, List.copyOf(errors), Collections.unmodifiableSet(new LinkedHashSet<>(variables.values())),
                    salt, s.length() + 64);
        }

        private void add(int k, int from, int to, Var v) {
            if (count == kind.length) {
                int n = count * 2;
                kind = Arrays.copyOf(kind, n);
                start = Arrays.copyOf(start, n);
                end = Arrays.copyOf(end, n);
                vars = Arrays.copyOf(vars, n);
            }
            kind[count] = k;
            start[count] = from;
            end[count] = to;
            vars[count] = v;
            count++;
        }

        private void text(int from, int to) {
            if (to > from) add(TEXT, from, to, null);
        }

        private void tokenize() {
            int n = s.length();
            int i = 0, textStart = 0;
            while (i < n) {
                char c = s.charAt(i);
                if (c == '{') {
                    int run = 1;
                    while (i + run < n && s.charAt(i + run) == '{') run++;
                    text(textStart, i);
                    if (run == 1) {
                        add(OPEN, i, i + 1, null);
                        i++;
                    } else {
                        for (int k = 0; k < run - 2; k++) add(OPEN, i + k, i + k + 1, null);
                        i = variable(i + run - 2);
                    }
                    textStart = i;
                } else if (c == '}' || c == '|') {
                    text(textStart, i);
                    add(c == '}' ? CLOSE : PIPE, i, i + 1, null);
                    textStart = ++i;
                } else {
                    i++;
                }
            }
            text(textStart, n);
        }

        /** Tokenizes the variable starting with "{{" at {@code at}; returns the index after it. */
        private int variable(int at) {
            int close = s.indexOf("}}", at + 2);
            int nextOpen = s.indexOf("{{", at + 2);
            if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
                errors.add(new SpintaxError(at, "Unclosed variable: '{{' without a matching '}}'"));
                text(at, at + 2);
                return at + 2;
            }
            String inner = s.substring(at + 2, close);
            int bar = inner.indexOf('|');
            String name = (bar < 0 ? inner : inner.substring(0, bar)).strip();
            if (!validName(name)) {
                errors.add(new SpintaxError(at, name.isEmpty()
                        ? "Empty variable name in '{{" + inner + "}}'"
                        : "Invalid variable name '" + name + "': use letters, digits, '_', '.' or '-'"));
                text(at, close + 2);
                return close + 2;
            }
            String fallback = bar < 0 ? null : inner.substring(bar + 1).strip();
            String key = name.toLowerCase(Locale.ROOT);
            Var v = new Var(name, key, fallback, key.equals(SIGNATURE));
            add(VAR, at, close + 2, v);
            Variable seen = variables.get(key);
            if (seen == null) {
                variables.put(key, new Variable(name, fallback != null));
            } else if (seen.hasFallback() && fallback == null) {
                variables.put(key, new Variable(seen.name(), false));
            }
            return close + 2;
        }

        private static boolean validName(String name) {
            if (name.isEmpty()) return false;
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (!(Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-')) return false;
            }
            return true;
        }

        private void matchBraces() {
            match = new int[count];
            Arrays.fill(match, -1);
            ArrayDeque<Integer> open = new ArrayDeque<>();
            for (int t = 0; t < count; t++) {
                if (kind[t] == OPEN) {
                    open.push(t);
                } else if (kind[t] == CLOSE) {
                    if (open.isEmpty()) {
                        errors.add(new SpintaxError(start[t], "Unbalanced '}': no '{' opens it"));
                    } else {
                        int o = open.pop();
                        match[o] = t;
                        match[t] = o;
                    }
                }
            }
            for (int o : open) {
                errors.add(new SpintaxError(start[o], "Unbalanced '{': no '}' closes it"));
            }
        }

        private Node[] build(int from, int to) {
            List<Node> nodes = new ArrayList<>();
            StringBuilder pending = new StringBuilder();
            for (int t = from; t < to; t++) {
                switch (kind[t]) {
                    case TEXT, PIPE -> pending.append(s, start[t], end[t]);
                    case CLOSE -> pending.append('}'); // a matched '}' is consumed with its '{'
                    case VAR -> {
                        flush(pending, nodes);
                        nodes.add(vars[t]);
                    }
                    default -> { // OPEN
                        int c = match[t];
                        if (c < 0) {
                            pending.append('{');
                            continue;
                        }
                        if (c == t + 1) {
                            errors.add(new SpintaxError(start[t], "Empty spintax '{}': give at least two options, as in {a|b}"));
                            pending.append("{}");
                        } else {
                            List<Integer> bars = new ArrayList<>();
                            for (int k = t + 1; k < c; k++) {
                                if (kind[k] == OPEN && match[k] >= 0) k = match[k];
                                else if (kind[k] == PIPE) bars.add(k);
                            }
                            if (bars.isEmpty()) { // not spintax: literal braces around parsed content
                                pending.append('{');
                                Node[] inner = build(t + 1, c);
                                for (Node node : inner) {
                                    if (node instanceof Text(String text)) {
                                        pending.append(text);
                                    } else {
                                        flush(pending, nodes);
                                        nodes.add(node);
                                    }
                                }
                                pending.append('}');
                            } else {
                                int ord = ordinal++;
                                Node[][] options = new Node[bars.size() + 1][];
                                int a = t + 1;
                                for (int i = 0; i < bars.size(); i++) {
                                    options[i] = build(a, bars.get(i));
                                    a = bars.get(i) + 1;
                                }
                                options[bars.size()] = build(a, c);
                                flush(pending, nodes);
                                nodes.add(new Group(ord, options));
                            }
                        }
                        t = c;
                    }
                }
            }
            flush(pending, nodes);
            return nodes.toArray(Node[]::new);
        }

        private static void flush(StringBuilder pending, List<Node> nodes) {
            if (!pending.isEmpty()) {
                nodes.add(new Text(pending.toString()));
                pending.setLength(0);
            }
        }
    }

    // ---------------------------------------------------------------- renderer

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** SplitMix64's finalizer: a well-spread 64-bit hash. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static final class Renderer {

        private final Map<String, String> values;
        private final long base;
        private final boolean html;
        private Map<String, String> folded;
        Map<String, String> unresolved;

        Renderer(Map<String, String> values, long base, Context ctx) {
            this.values = values;
            this.base = base;
            this.html = ctx == Context.HTML;
        }

        void render(Node[] nodes, StringBuilder out) {
            for (Node node : nodes) {
                switch (node) {
                    case Text t -> out.append(t.text());
                    case Var v -> variable(v, out);
                    case Group g -> {
                        long h = mix(base + (g.ordinal() + 1L) * GOLDEN);
                        int choice = (int) Math.unsignedMultiplyHigh(h, g.options().length);
                        render(g.options()[choice], out);
                    }
                }
            }
        }

        private void variable(Var v, StringBuilder out) {
            String value = values.get(v.name());
            if (blank(value)) value = folded().get(v.key());
            if (blank(value)) {
                if (v.fallback() != null) {
                    out.append(v.fallback());
                } else {
                    if (unresolved == null) unresolved = new LinkedHashMap<>();
                    unresolved.putIfAbsent(v.key(), v.name());
                }
            } else if (html && !v.html()) {
                escapeHtml(value, out);
            } else {
                out.append(value);
            }
        }

        private Map<String, String> folded() {
            if (folded == null) {
                folded = new HashMap<>(values.size() * 2);
                for (Map.Entry<String, String> e : values.entrySet()) {
                    if (e.getKey() == null) continue;
                    String k = e.getKey().toLowerCase(Locale.ROOT);
                    String old = folded.get(k);
                    if (old == null || (old.isBlank() && !blank(e.getValue()))) folded.put(k, e.getValue());
                }
            }
            return folded;
        }

        private static boolean blank(String s) {
            return s == null || s.isBlank();
        }
    }

    static void escapeHtml(String value, StringBuilder out) {
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
    }

    // ---------------------------------------------------------------- HTML → text

    private static final class HtmlText {

        private static final Set<String> SKIP = Set.of("script", "style", "head", "title", "template");
        private static final Set<String> PARAGRAPH = Set.of("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                "pre", "hr", "table", "dl", "figure", "form");
        private static final Set<String> BLOCK = Set.of("div", "tr", "dt", "dd", "section", "article", "header",
                "footer", "nav", "aside", "main", "address", "center", "fieldset", "figcaption", "caption",
                "body", "html", "legend", "details", "summary", "tbody", "thead", "tfoot");
        private static final Map<String, Character> ENTITIES = entities();

        private final String h;
        private final boolean links;
        private final StringBuilder out;
        private boolean pendingSpace;
        private int pre;
        private final ArrayDeque<int[]> lists = new ArrayDeque<>(); // {ordered?1:0, counter}
        private String href;
        private int linkStart = -1;

        private HtmlText(String h, boolean links) {
            this.h = h;
            this.links = links;
            this.out = new StringBuilder(h.length());
        }

        static String convert(String html, boolean links) {
            if (html == null || html.isEmpty()) return "";
            HtmlText c = new HtmlText(html, links);
            c.run();
            return c.finish();
        }

        private void run() {
            int n = h.length();
            int i = 0;
            while (i < n) {
                char c = h.charAt(i);
                if (c == '<') {
                    int next = tag(i);
                    if (next > i) {
                        i = next;
                        continue;
                    }
                    emit('<');
                    i++;
                } else if (c == '&') {
                    i = entity(i);
                } else {
                    emit(c);
                    i++;
                }
            }
            closeLink();
        }

        /** Handles markup at {@code i}; returns the index after it, or {@code i} if it is a literal '<'. */
        private int tag(int i) {
            int n = h.length();
            if (i + 1 >= n) return i;
            char c = h.charAt(i + 1);
            if (h.startsWith("<!--", i)) {
                int e = h.indexOf("-->", i + 4);
                return e < 0 ? n : e + 3;
            }
            if (c == '!' || c == '?') {
                int e = h.indexOf('>', i);
                return e < 0 ? n : e + 1;
            }
            boolean closing = c == '/';
            int p = closing ? i + 2 : i + 1;
            if (p >= n || !isAsciiLetter(h.charAt(p))) return i;
            int nameStart = p;
            while (p < n && (Character.isLetterOrDigit(h.charAt(p)) || h.charAt(p) == '-' || h.charAt(p) == ':')) p++;
            String name = h.substring(nameStart, p).toLowerCase(Locale.ROOT);
            Map<String, String> attrs = null;
            // attributes (quoted values may contain '>')
            while (p < n && h.charAt(p) != '>') {
                char a = h.charAt(p);
                if (Character.isWhitespace(a) || a == '/') {
                    p++;
                    continue;
                }
                int an = p;
                while (p < n && !Character.isWhitespace(h.charAt(p)) && "/>=".indexOf(h.charAt(p)) < 0) p++;
                String attr = h.substring(an, p).toLowerCase(Locale.ROOT);
                while (p < n && Character.isWhitespace(h.charAt(p))) p++;
                String value = "";
                if (p < n && h.charAt(p) == '=') {
                    p++;
                    while (p < n && Character.isWhitespace(h.charAt(p))) p++;
                    if (p < n && (h.charAt(p) == '"' || h.charAt(p) == '\'')) {
                        char q = h.charAt(p);
                        int e = h.indexOf(q, p + 1);
                        if (e < 0) e = n;
                        value = h.substring(p + 1, e);
                        p = Math.min(n, e + 1);
                    } else {
                        int vs = p;
                        while (p < n && !Character.isWhitespace(h.charAt(p)) && h.charAt(p) != '>') p++;
                        value = h.substring(vs, p);
                    }
                }
                if (!closing && (attr.equals("href") || attr.equals("alt"))) {
                    if (attrs == null) attrs = new HashMap<>(4);
                    attrs.putIfAbsent(attr, decode(value));
                }
            }
            int after = Math.min(n, p + 1);
            if (closing) {
                endTag(name);
                return after;
            }
            if (SKIP.contains(name)) {
                int e = indexOfEndTag(name, after);
                if (e >= 0) {
                    int gt = h.indexOf('>', e);
                    return gt < 0 ? n : gt + 1;
                }
                if (!name.equals("head")) return n; // an unclosed script/style runs to the end, as in a browser
                int body = indexOfIgnoreCase("<body", after); // </head> is optional
                return body < 0 ? after : body;
            }
            startTag(name, attrs == null ? Map.of() : attrs);
            return after;
        }

        private int indexOfEndTag(String name, int from) {
            int n = h.length();
            for (int i = h.indexOf("</", from); i >= 0 && i < n; i = h.indexOf("</", i + 2)) {
                if (h.regionMatches(true, i + 2, name, 0, name.length())) {
                    int k = i + 2 + name.length();
                    if (k >= n || !Character.isLetterOrDigit(h.charAt(k))) return i;
                }
            }
            return -1;
        }

        private int indexOfIgnoreCase(String needle, int from) {
            for (int i = h.indexOf('<', from); i >= 0; i = h.indexOf('<', i + 1)) {
                if (h.regionMatches(true, i, needle, 0, needle.length())) return i;
            }
            return -1;
        }

        private void startTag(String name, Map<String, String> attrs) {
            switch (name) {
                case "br" -> {
                    trimTrailingSpaces();
                    out.append('\n');
                    pendingSpace = false;
                }
                case "li" -> {
                    newline(1);
                    int depth = Math.max(1, lists.size());
                    out.append("  ".repeat(depth - 1));
                    int[] list = lists.peek();
                    if (list != null && list[0] == 1) out.append(++list[1]).append(". ");
                    else out.append("- ");
                }
                case "ul", "ol" -> {
                    newline(lists.isEmpty() ? 2 : 1);
                    lists.push(new int[] {name.equals("ol") ? 1 : 0, 0});
                }
                case "td", "th" -> pendingSpace = true;
                case "img" -> {
                    String alt = attrs.get("alt");
                    if (alt != null && !alt.isBlank()) {
                        for (int k = 0; k < alt.length(); k++) emit(alt.charAt(k));
                    }
                }
                case "a" -> {
                    closeLink();
                    href = attrs.get("href");
                    linkStart = out.length();
                }
                default -> {
                    if (name.equals("pre")) pre++;
                    if (PARAGRAPH.contains(name)) newline(2);
                    else if (BLOCK.contains(name)) newline(1);
                }
            }
        }

        private void endTag(String name) {
            switch (name) {
                case "a" -> closeLink();
                case "ul", "ol" -> {
                    if (!lists.isEmpty()) lists.pop();
                    newline(lists.isEmpty() ? 2 : 1);
                }
                case "li" -> newline(1);
                case "td", "th" -> pendingSpace = true;
                case "br" -> {
                    trimTrailingSpaces();
                    out.append('\n');
                }
                default -> {
                    if (name.equals("pre") && pre > 0) pre--;
                    if (PARAGRAPH.contains(name)) newline(2);
                    else if (BLOCK.contains(name)) newline(1);
                }
            }
        }

        private void closeLink() {
            if (linkStart < 0) return;
            int from = Math.min(linkStart, out.length());
            String url = href;
            linkStart = -1;
            href = null;
            if (!links || url == null) return;
            url = url.strip();
            String lower = url.toLowerCase(Locale.ROOT);
            if (url.isEmpty() || url.startsWith("#") || lower.startsWith("javascript:") || url.contains("{{")) return;
            String shown = url;
            if (lower.startsWith("mailto:") || lower.startsWith("tel:")) {
                shown = url.substring(url.indexOf(':') + 1);
                int q = shown.indexOf('?');
                if (q >= 0) shown = shown.substring(0, q);
            }
            String text = out.substring(from).strip();
            if (text.isEmpty()) {
                emitWord(shown);
            } else if (!comparable(text).contains(comparable(shown))) {
                emitWord("(" + shown + ")");
            }
        }

        private static String comparable(String s) {
            String t = s.toLowerCase(Locale.ROOT).strip();
            if (t.startsWith("https://")) t = t.substring(8);
            else if (t.startsWith("http://")) t = t.substring(7);
            if (t.startsWith("www.")) t = t.substring(4);
            while (t.endsWith("/")) t = t.substring(0, t.length() - 1);
            return t;
        }

        private void emitWord(String w) {
            if (!out.isEmpty() && !Character.isWhitespace(out.charAt(out.length() - 1))) pendingSpace = true;
            for (int k = 0; k < w.length(); k++) emit(w.charAt(k));
        }

        private void emit(char c) {
            if (pre > 0) {
                out.append(c);
                pendingSpace = false;
                return;
            }
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                pendingSpace = true;
                return;
            }
            if (pendingSpace) {
                if (!out.isEmpty()) {
                    char last = out.charAt(out.length() - 1);
                    if (last != '\n' && last != ' ') out.append(' ');
                }
                pendingSpace = false;
            }
            out.append(c);
        }

        private void trimTrailingSpaces() {
            int l = out.length();
            while (l > 0 && out.charAt(l - 1) == ' ') l--;
            out.setLength(l);
        }

        private void newline(int n) {
            pendingSpace = false;
            trimTrailingSpaces();
            if (out.isEmpty()) return;
            int have = 0;
            for (int k = out.length() - 1; k >= 0 && out.charAt(k) == '\n'; k--) have++;
            for (; have < n; have++) out.append('\n');
        }

        private int entity(int i) {
            int n = h.length();
            int semi = -1;
            for (int k = i + 1; k < n && k <= i + 33; k++) {
                char c = h.charAt(k);
                if (c == ';') {
                    semi = k;
                    break;
                }
                if (!Character.isLetterOrDigit(c) && c != '#') break;
            }
            if (i + 1 < n && h.charAt(i + 1) == '#') {
                int k = i + 2;
                boolean hex = k < n && (h.charAt(k) == 'x' || h.charAt(k) == 'X');
                if (hex) k++;
                int ds = k;
                while (k < n && (hex ? Character.digit(h.charAt(k), 16) >= 0 : Character.isDigit(h.charAt(k))) && k - ds < (hex ? 6 : 7)) k++;
                if (k == ds) {
                    emit('&');
                    return i + 1;
                }
                int cp = Integer.parseInt(h.substring(ds, k), hex ? 16 : 10);
                emitCodePoint(numeric(cp));
                return k < n && h.charAt(k) == ';' ? k + 1 : k;
            }
            if (semi > 0) {
                Character ch = ENTITIES.get(h.substring(i + 1, semi));
                if (ch != null) {
                    emit(ch);
                    return semi + 1;
                }
            }
            emit('&');
            return i + 1;
        }

        private void emitCodePoint(int cp) {
            if (Character.isBmpCodePoint(cp)) {
                emit((char) cp);
            } else {
                emit(Character.highSurrogate(cp));
                emit(Character.lowSurrogate(cp));
            }
        }

        private static final String CP1252 = "€\uFFFD‚ƒ„…†‡ˆ‰Š‹Œ\uFFFDŽ\uFFFD\uFFFD‘’“”•–—˜™š›œ\uFFFDžŸ";

        private static int numeric(int cp) {
            if (cp >= 0x80 && cp <= 0x9F) return CP1252.charAt(cp - 0x80);
            if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
            return cp;
        }

        /** Entities decoded in attribute values (href, alt). */
        private static String decode(String s) {
            if (s.indexOf('&') < 0) return s;
            HtmlText t = new HtmlText(s, false);
            t.pre = 1; // keep whitespace as is
            int i = 0;
            while (i < s.length()) {
                if (s.charAt(i) == '&') i = t.entity(i);
                else t.emit(s.charAt(i++));
            }
            return t.out.toString();
        }

        private String finish() {
            String s = out.toString().replace('\u00A0', ' ').replace("\u200B", "").replace("\u00AD", "");
            StringBuilder r = new StringBuilder(s.length());
            int blank = 0;
            // line by line ("\r\n" or "\n"; a CR before the LF goes with the trailing whitespace)
            for (int start = 0; start <= s.length(); ) {
                int nl = s.indexOf('\n', start);
                int end = nl < 0 ? s.length() : nl;
                while (end > start && Character.isWhitespace(s.charAt(end - 1))) end--;
                if (end == start) {
                    blank++;
                } else {
                    if (!r.isEmpty()) r.append(blank > 0 ? "\n\n" : "\n");
                    blank = 0;
                    r.append(s, start, end);
                }
                if (nl < 0) break;
                start = nl + 1;
            }
            return r.toString();
        }

        private static boolean isAsciiLetter(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }

        private static Map<String, Character> entities() {
            Map<String, Character> m = new HashMap<>(512);
            String latin1 = "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn "
                    + "sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute "
                    + "Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde "
                    + "Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave "
                    + "aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth "
                    + "ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml";
            String[] names = latin1.split(" ");
            if (names.length != 96) throw new IllegalStateException("Latin-1 entity table has " + names.length + " names");
            for (int k = 0; k < names.length; k++) m.put(names[k], (char) (0xA0 + k));
            Object[] more = {
                "amp", '&', "lt", '<', "gt", '>', "quot", '"', "apos", '\'',
                "OElig", 'Œ', "oelig", 'œ', "Scaron", 'Š', "scaron", 'š', "Yuml", 'Ÿ', "fnof", 'ƒ',
                "circ", 'ˆ', "tilde", '˜', "ensp", '\u2002', "emsp", '\u2003', "thinsp", '\u2009',
                "zwnj", '\u200C', "zwj", '\u200D', "lrm", '\u200E', "rlm", '\u200F',
                "ndash", '–', "mdash", '—', "lsquo", '‘', "rsquo", '’', "sbquo", '‚', "ldquo", '“',
                "rdquo", '”', "bdquo", '„', "dagger", '†', "Dagger", '‡', "bull", '•', "hellip", '…',
                "permil", '‰', "prime", '′', "Prime", '″', "lsaquo", '‹', "rsaquo", '›', "oline", '‾',
                "euro", '€', "trade", '™', "larr", '←', "uarr", '↑', "rarr", '→', "darr", '↓', "harr", '↔',
                "check", '✓', "hearts", '♥', "star", '☆', "starf", '★', "hyphen", '‐', "dash", '‐',
                "NewLine", '\n', "Tab", '\t', "colon", ':', "comma", ',', "period", '.', "excl", '!',
                "quest", '?', "num", '#', "dollar", '$', "percnt", '%', "lpar", '(', "rpar", ')',
                "ast", '*', "plus", '+', "sol", '/', "lowbar", '_', "verbar", '|', "lbrace", '{',
                "rbrace", '}', "lsqb", '[', "rsqb", ']', "equals", '=', "commat", '@', "Hat", '^',
                "grave", '`', "semi", ';', "bsol", '\\', "minus", '−', "infin", '∞', "ne", '≠',
                "le", '≤', "ge", '≥', "asymp", '≈', "alpha", 'α', "beta", 'β', "mu", 'μ', "pi", 'π',
                "Omega", 'Ω', "omega", 'ω', "loz", '◊', "spades", '♠', "clubs", '♣', "diams", '♦',
            };
            for (int k = 0; k < more.length; k += 2) m.put((String) more[k], (Character) more[k + 1]);
            return Map.copyOf(m);
        }
    }
}
