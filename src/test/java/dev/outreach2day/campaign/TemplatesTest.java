package dev.outreach2day.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.outreach2day.campaign.Templates.Context;
import dev.outreach2day.campaign.Templates.Rendered;
import dev.outreach2day.campaign.Templates.SpintaxError;
import dev.outreach2day.campaign.Templates.Variable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TemplatesTest {

    /** A values map from pairs; a null value is kept (HashMap), as contact data may have it. */
    static Map<String, String> values(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    static Rendered text(String template, Map<String, String> values) {
        return Templates.render(template, values, 42, Context.TEXT);
    }

    // ------------------------------------------------------------------ variables

    static Stream<Arguments> variableCases() {
        return Stream.of(
                arguments("Hi {{firstName}},", values("firstName", "Ann"), "Hi Ann,", Set.of()),
                arguments("Hi {{ firstName }},", values("firstName", "Ann"), "Hi Ann,", Set.of()),
                arguments("Hi {{FIRSTNAME}},", values("firstName", "Ann"), "Hi Ann,", Set.of()),
                arguments("Hi {{firstname}},", values("FirstName", "Ann"), "Hi Ann,", Set.of()),
                arguments("Hi {{ firstName | there }},", values(), "Hi there,", Set.of()),
                arguments("Hi {{firstName|there}},", values("firstName", "Ann"), "Hi Ann,", Set.of()),
                arguments("Hi {{firstName|my friend}},", values("firstName", "   "), "Hi my friend,", Set.of()),
                arguments("Hi {{firstName|there}},", values("firstName", ""), "Hi there,", Set.of()),
                arguments("Hi {{firstName|there}},", values("firstName", null), "Hi there,", Set.of()),
                arguments("Hi {{firstName}},", values("firstName", null), "Hi ,", Set.of("firstName")),
                arguments("Hi {{firstName}},", values("firstName", " \t"), "Hi ,", Set.of("firstName")),
                arguments("Hi {{firstName}},", values(), "Hi ,", Set.of("firstName")),
                arguments("at {{company|}}.", values(), "at .", Set.of()),
                arguments("at {{ company | }}.", values("company", ""), "at .", Set.of()),
                arguments("{{a}}{{A}}{{b}}", values(), "", Set.of("a", "b")),
                arguments("{{pain_point}} / {{Deal.Size}} / {{lead-source}}",
                        values("Pain_Point", "churn", "deal.size", "5k", "LEAD-SOURCE", "web"), "churn / 5k / web", Set.of()),
                arguments("{{ x | a|b }}", values(), "a|b", Set.of()), // the fallback is all after the first '|'
                arguments("{{signature}}", values("signature", "<b>Bo</b>"), "<b>Bo</b>", Set.of()),
                arguments("{{email}} <{{senderEmail}}>", values("email", "a@x.io", "senderEmail", "b@y.io"), "a@x.io <b@y.io>", Set.of()),
                arguments("no variables at all", values(), "no variables at all", Set.of()),
                arguments("", values(), "", Set.of()));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {2}")
    @MethodSource("variableCases")
    void substitutesVariables(String template, Map<String, String> values, String expected, Set<String> unresolved) {
        Rendered r = text(template, values);
        assertThat(r.text()).isEqualTo(expected);
        assertThat(r.unresolved()).containsExactlyInAnyOrderElementsOf(unresolved);
        assertThat(r.spintaxErrors()).isEmpty();
    }

    @Test
    void aNullValuesMapIsNoValues() {
        assertThat(Templates.render("Hi {{firstName|there}}", null, 1, Context.TEXT).text()).isEqualTo("Hi there");
    }

    @Test
    void unresolvedKeepsTheFirstSpellingInOrderOfUse() {
        Rendered r = text("{{LastName}} {{firstName}} {{lastname}}", values());
        assertThat(r.unresolved()).containsExactly("LastName", "firstName");
    }

    @Test
    void anExactKeyWinsOverACaseVariantAndABlankExactKeyFallsThrough() {
        assertThat(text("{{firstName}}", values("firstName", "Exact", "FIRSTNAME", "Other")).text()).isEqualTo("Exact");
        assertThat(text("{{firstName}}", values("firstName", " ", "FIRSTNAME", "Other")).text()).isEqualTo("Other");
    }

    // ------------------------------------------------------------------ spintax

    @Test
    void theSameSeedGivesTheSameText() {
        String t = "{Hi|Hello|Hey} {{firstName}}, {quick|short} {question|note} {about|re} {{company}}{.|!|?}";
        var v = values("firstName", "Ann", "company", "Acme");
        for (long seed = 0; seed < 200; seed++) {
            String a = Templates.render(t, v, seed, Context.TEXT).text();
            assertThat(Templates.render(t, v, seed, Context.TEXT).text()).isEqualTo(a);
            assertThat(Templates.render(new String(t), new HashMap<>(v), seed, Context.TEXT).text()).isEqualTo(a);
        }
        Set<String> distinct = LongStream.range(0, 200).mapToObj(s -> Templates.render(t, v, s, Context.TEXT).text())
                .collect(Collectors.toSet());
        assertThat(distinct.size()).as("different seeds spread over the %d combinations", 3 * 2 * 2 * 2 * 3).isGreaterThan(50);
    }

    static Stream<Arguments> distributions() {
        return Stream.of(
                arguments("{a|b|c}", Map.of("a", 1 / 3.0, "b", 1 / 3.0, "c", 1 / 3.0)),
                arguments("{a|b}", Map.of("a", 0.5, "b", 0.5)),
                arguments("{Hi|Hello {there|friend}}", Map.of("Hi", 0.5, "Hello there", 0.25, "Hello friend", 0.25)),
                arguments("{x|{y|{z|w}}}", Map.of("x", 0.5, "y", 0.25, "z", 0.125, "w", 0.125)),
                arguments("{a|b} {c|d}", Map.of("a c", 0.25, "a d", 0.25, "b c", 0.25, "b d", 0.25)),
                arguments("{really |}good", Map.of("really good", 0.5, "good", 0.5)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("distributions")
    void optionsAreChosenEvenlyOverSeeds(String template, Map<String, Double> expected) {
        int n = 1_000;
        Map<String, Long> seen = LongStream.range(0, n)
                .mapToObj(seed -> Templates.render(template, Map.of(), seed, Context.TEXT).text())
                .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
        assertThat(seen.keySet()).isEqualTo(expected.keySet());
        expected.forEach((text, p) -> assertThat(seen.get(text) / (double) n)
                .as("share of '%s' in %s", text, seen).isBetween(p * 0.8, p * 1.2));
    }

    @Test
    void randomSeedsAlsoSpreadEvenly() {
        var rnd = new java.util.SplittableRandom(7);
        int[] counts = new int[3];
        for (int i = 0; i < 3_000; i++) {
            counts["abc".indexOf(Templates.render("{a|b|c}", Map.of(), rnd.nextLong(), Context.TEXT).text())]++;
        }
        assertThat(java.util.Arrays.stream(counts).boxed()).allSatisfy(c -> assertThat(c).isBetween(850, 1150));
    }

    @Test
    void twoTemplatesWithTheSameSeedChooseIndependently() {
        Map<String, Long> pairs = LongStream.range(0, 1_000)
                .mapToObj(seed -> Templates.render("{a|b}", Map.of(), seed, Context.TEXT).text()
                        + Templates.render("{x|y} ", Map.of(), seed, Context.TEXT).text().strip())
                .collect(Collectors.groupingBy(s -> s, Collectors.counting()));
        assertThat(pairs).containsOnlyKeys("ax", "ay", "bx", "by");
        assertThat(pairs.values()).allSatisfy(c -> assertThat(c).isBetween(180L, 320L));
    }

    static Stream<Arguments> spintaxWithVariables() {
        return Stream.of(
                arguments("{Hi {{firstName}}|Hello {{ firstName }}}!", Set.of("Hi Ann!", "Hello Ann!")),
                arguments("{{{firstName}}|there}", Set.of("Ann", "there")),
                arguments("{Hi|Hey} {{firstName|there}}", Set.of("Hi Ann", "Hey Ann")),
                arguments("{a|{b|{{firstName}}}}", Set.of("a", "b", "Ann")),
                arguments("{{{{firstName}}|x}|y}", Set.of("Ann", "x", "y")),
                arguments("{{{firstName}}}", Set.of("{Ann}"))); // one option: literal braces around the variable
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("spintaxWithVariables")
    void spintaxOptionsMayHoldVariables(String template, Set<String> outcomes) {
        Set<String> seen = new HashSet<>();
        for (long seed = 0; seed < 300; seed++) {
            Rendered r = Templates.render(template, values("firstName", "Ann"), seed, Context.TEXT);
            assertThat(r.spintaxErrors()).isEmpty();
            seen.add(r.text());
        }
        assertThat(seen).isEqualTo(outcomes);
    }

    @Test
    void onlyVariablesOfTheChosenOptionAreUnresolved() {
        for (long seed = 0; seed < 50; seed++) {
            Rendered r = Templates.render("{{{a}}|{{b}}}", Map.of(), seed, Context.TEXT);
            assertThat(r.text()).isEmpty();
            assertThat(r.unresolved()).hasSize(1).containsAnyOf("a", "b");
        }
    }

    static Stream<Arguments> literalBraces() {
        return Stream.of(
                arguments("p { color: red; }", "p { color: red; }"),
                arguments("<style>a{color:#00f} @media (max-width:600px){.x{padding:0}}</style>",
                        "<style>a{color:#00f} @media (max-width:600px){.x{padding:0}}</style>"),
                arguments("{\"json\": true}", "{\"json\": true}"),
                arguments("a | b", "a | b"),
                arguments("{single}", "{single}"),
                arguments("{ {a|a} }", "{ a }"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("literalBraces")
    void bracesWithoutAlternativesStayLiteral(String template, String expected) {
        Rendered r = text(template, values());
        assertThat(r.text()).isEqualTo(expected);
        assertThat(r.spintaxErrors()).isEmpty();
        assertThat(Templates.validate(template)).isEmpty();
    }

    // ------------------------------------------------------------------ injection safety and escaping

    static Stream<Arguments> hostileValues() {
        return Stream.of("{Bob}", "{Bob|Alice}", "|", "}", "{", "{{lastName}}", "{{lastName|x}}", "{}", "}}{{", "{a|{b|c}}",
                "Ann $1 \\0 $", "%s %n").map(Arguments::of);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("hostileValues")
    void valuesAreInsertedLiterallyNeverParsed(String value) {
        for (long seed = 0; seed < 20; seed++) {
            Rendered r = Templates.render("Hi {{firstName}}, {a|b}", values("firstName", value, "lastName", "LEAK"), seed, Context.TEXT);
            assertThat(r.text()).isIn("Hi " + value + ", a", "Hi " + value + ", b");
            assertThat(r.spintaxErrors()).isEmpty();
            assertThat(r.unresolved()).isEmpty();
        }
    }

    static Stream<Arguments> escaping() {
        return Stream.of(
                arguments(Context.HTML, "<p>Hi {{firstName}}</p>", values("firstName", "<script>alert(1)</script>"),
                        "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>"),
                arguments(Context.HTML, "<a title=\"{{company}}\">x</a>", values("company", "A\"B' & C"),
                        "<a title=\"A&quot;B&#39; &amp; C\">x</a>"),
                arguments(Context.HTML, "<a href=\"{{unsubscribeUrl}}\">stop</a>", values("unsubscribeUrl", "https://x.io/u?a=1&b=2"),
                        "<a href=\"https://x.io/u?a=1&amp;b=2\">stop</a>"),
                arguments(Context.HTML, "<p>Hi</p>{{signature}}", values("signature", "<p>Bo <i>&amp;</i> Co</p>"),
                        "<p>Hi</p><p>Bo <i>&amp;</i> Co</p>"),
                arguments(Context.HTML, "{{ Signature }}", values("signature", "<br>Bo"), "<br>Bo"),
                arguments(Context.HTML, "<b>{{firstName|<i>friend</i>}}</b>", values(), "<b><i>friend</i></b>"), // fallback is template
                arguments(Context.HTML, "{<b>Hi</b>|<i>Hi</i>} {{firstName}}", values("firstName", "A&B"), "<b>Hi</b> A&amp;B"),
                arguments(Context.TEXT, "Hi {{firstName}}", values("firstName", "<script>x</script> & co"), "Hi <script>x</script> & co"),
                arguments(Context.TEXT, "{{signature}}", values("signature", "<b>Bo</b>"), "<b>Bo</b>"));
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @MethodSource("escaping")
    void valuesAreEscapedInHtmlExceptTheSignature(Context ctx, String template, Map<String, String> values, String expected) {
        Set<String> seen = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) seen.add(Templates.render(template, values, seed, ctx).text());
        assertThat(seen).contains(expected);
        if (!template.startsWith("{<b>")) assertThat(seen).containsExactly(expected);
    }

    // ------------------------------------------------------------------ errors

    static Stream<Arguments> errors() {
        return Stream.of(
                arguments("Hi {there|friend", List.of(3), Set.of("Hi {there|friend")),
                arguments("Hi there|friend}", List.of(15), Set.of("Hi there|friend}")),
                arguments("a {} b", List.of(2), Set.of("a {} b")),
                arguments("{a|b}}", List.of(5), Set.of("a}", "b}")),
                arguments("}{a|b}{", List.of(0, 6), Set.of("}a{", "}b{")),
                arguments("{a|{b|c}", List.of(0), Set.of("{a|b", "{a|c")),
                arguments("ok {a|b} {x", List.of(9), Set.of("ok a {x", "ok b {x")),
                arguments("{x|{}}", List.of(3), Set.of("x", "{}")),
                arguments("Hi {{firstName", List.of(3), Set.of("Hi {{firstName")),
                arguments("Hi {{firstName}", List.of(3, 14), Set.of("Hi {{firstName}")),
                arguments("{{first name}} ok", List.of(0), Set.of("{{first name}} ok")),
                arguments("{{}} ok", List.of(0), Set.of("{{}} ok")),
                arguments("{{ | x}}", List.of(0), Set.of("{{ | x}}")),
                arguments("{{a {{firstName}}", List.of(0), Set.of("{{a Ann")),
                arguments("line\n{a|b\nline", List.of(5), Set.of("line\n{a|b\nline")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("errors")
    void brokenSyntaxIsReportedWithPositionsAndRenderedLiterally(String template, List<Integer> positions, Set<String> outcomes) {
        assertThat(Templates.validate(template)).extracting(SpintaxError::position).containsExactlyElementsOf(positions);
        assertThat(Templates.validate(template)).allSatisfy(e -> assertThat(e.message()).isNotBlank());
        Set<String> seen = new HashSet<>();
        for (long seed = 0; seed < 100; seed++) {
            Rendered r = Templates.render(template, values("firstName", "Ann"), seed, Context.TEXT);
            assertThat(r.spintaxErrors()).isEqualTo(Templates.validate(template));
            seen.add(r.text());
        }
        assertThat(seen).isEqualTo(outcomes);
    }

    @Test
    void errorMessagesSayWhatIsWrong() {
        assertThat(Templates.validate("{a|b").getFirst().message()).contains("'{'");
        assertThat(Templates.validate("a}").getFirst().message()).contains("'}'");
        assertThat(Templates.validate("{}").getFirst().message()).containsIgnoringCase("empty");
        assertThat(Templates.validate("{{a b}}").getFirst().message()).contains("a b");
        assertThat(Templates.validate("{{a").getFirst().message()).contains("}}");
    }

    @Test
    void wellFormedTemplatesValidate() {
        assertThat(Templates.validate("{Hi|Hello} {{firstName|there}}, {a|{b|c}|} {{signature}} {x}")).isEmpty();
        assertThat(Templates.validate("")).isEmpty();
    }

    // ------------------------------------------------------------------ variables()

    static Stream<Arguments> variableListings() {
        return Stream.of(
                arguments("Hi {{firstName}}", List.of(new Variable("firstName", false))),
                arguments("Hi {{ firstName | there }}", List.of(new Variable("firstName", true))),
                arguments("{{company|}}", List.of(new Variable("company", true))),
                arguments("{{firstName|x}} {{FIRSTNAME}}", List.of(new Variable("firstName", false))),
                arguments("{{firstName}} {{FIRSTNAME|x}}", List.of(new Variable("firstName", false))),
                arguments("{{firstName|a}} {{FirstName|b}}", List.of(new Variable("firstName", true))),
                arguments("{Hi {{firstName}}|Hello} at {a|{{company|}}} {{signature}}\n{{unsubscribeUrl}}",
                        List.of(new Variable("firstName", false), new Variable("company", true),
                                new Variable("signature", false), new Variable("unsubscribeUrl", false))),
                arguments("{{first name}} {{ok}} {{broken", List.of(new Variable("ok", false))),
                arguments("no variables {a|b}", List.of()));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("variableListings")
    void listsEveryVariableWithWhetherItAlwaysHasAFallback(String template, List<Variable> expected) {
        assertThat(Templates.variables(template)).containsExactlyElementsOf(expected);
    }

    // ------------------------------------------------------------------ htmlToText

    static Stream<Arguments> html() {
        return Stream.of(
                arguments("<p>Hello</p><p>World</p>", "Hello\n\nWorld"),
                arguments("Line1<br>Line2<br/>Line3<BR />Line4", "Line1\nLine2\nLine3\nLine4"),
                arguments("<div>One</div><div>Two</div>", "One\nTwo"),
                arguments("<div>  Hello\n   big\tworld  </div>", "Hello big world"),
                arguments("<h1>Title</h1>Text", "Title\n\nText"),
                arguments("<a href=\"https://x.io/p?a=1&amp;b=2\">Read more</a>.", "Read more (https://x.io/p?a=1&b=2)."),
                arguments("See <a href=\"https://x.io/\">x.io</a>", "See x.io"),
                arguments("<a href='https://x.io'>https://x.io</a>", "https://x.io"),
                arguments("<a href=\"mailto:ann@x.io?subject=Hi\">Email me</a>", "Email me (ann@x.io)"),
                arguments("<a href=\"https://x.io\"><img src=\"logo.png\"></a>", "https://x.io"),
                arguments("<a href=\"#top\">Top</a>", "Top"),
                arguments("<a title=\"a>b\" href=\"https://x.io\">X</a>", "X (https://x.io)"),
                arguments("<img src=\"a.png\" alt=\"Acme logo\"> Inc", "Acme logo Inc"),
                arguments("Caf&eacute; &amp; cr&egrave;me &lt;3 &#8364;5 &#x2019; &quot;q&quot; &hellip;", "Café & crème <3 €5 ’ \"q\" …"),
                arguments("&szlig;&yuml;&Agrave;&copy;&nbsp;x &unknown; & AT&T", "ßÿÀ© x &unknown; & AT&T"),
                arguments("&#150; &#146;", "– ’"),
                arguments("a < b and c > d", "a < b and c > d"),
                arguments("Hi<!-- hidden <p>x</p> -->there", "Hithere"),
                arguments("<html><head><style>p{color:red}</style><title>T</title></head><body><p>Hi</p><script>x('<p>')</script></body></html>",
                        "Hi"),
                arguments("<head><meta charset=utf-8><body>Hi", "Hi"),
                arguments("<!DOCTYPE html><html><body>Hi</body></html>", "Hi"),
                arguments("<ul><li>One</li><li>Two</li></ul>", "- One\n- Two"),
                arguments("<ol><li>One<li>Two</ol>After", "1. One\n2. Two\n\nAfter"),
                arguments("<ul><li>A<ul><li>B</li></ul></li></ul>", "- A\n  - B"),
                arguments("<table><tr><td>A</td><td>B</td></tr><tr><td>C</td></tr></table>", "A B\nC"),
                arguments("<pre>a\n  b</pre>", "a\n  b"),
                arguments("<p>Hi {{firstName}},</p><p>{a|b}</p>", "Hi {{firstName}},\n\n{a|b}"),
                arguments("<p></p><p></p><div><br><br><br>x</div>", "x"),
                arguments("<b>bold</b> and <i>it</i>alic", "bold and italic"),
                arguments("", ""),
                arguments(null, ""));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("html")
    void convertsHtmlToText(String html, String expected) {
        assertThat(Templates.htmlToText(html)).isEqualTo(expected);
    }

    @Test
    void withoutLinkTargetsOnlyTheVisibleTextRemains() {
        assertThat(Templates.htmlToText("<a href=\"https://free.example\">Book a demo</a>", false)).isEqualTo("Book a demo");
    }

    @Test
    void aRenderedHtmlBodyConvertsToItsTextPart() {
        String body = "<p>Hi {{firstName}},</p><p>Visit <a href=\"{{unsubscribeUrl}}\">this page</a>.</p>{{signature}}";
        Rendered r = Templates.render(body, values("firstName", "Ann & Bo", "unsubscribeUrl", "https://x.io/u?a=1&b=2",
                "signature", "<p>--<br>Cy</p>"), 1, Context.HTML);
        assertThat(Templates.htmlToText(r.text())).isEqualTo("Hi Ann & Bo,\n\nVisit this page (https://x.io/u?a=1&b=2).\n\n--\nCy");
    }

    @Test
    void hugeNumericEntitiesDoNotOverflow() {
        assertThat(Templates.htmlToText("&#xFFFFFFFF; &#99999999999; &#0; &#xD800;")).doesNotContain("&#").contains("\uFFFD");
    }

    // ------------------------------------------------------------------ robustness

    @Test
    void randomInputNeverThrowsAndRendersDeterministically() {
        var rnd = new java.util.SplittableRandom(2024);
        String[] pieces = {"{", "}", "|", "{{", "}}", "a", " ", "{{x}}", "{{ y | z }}", "<", ">", "&", "&amp;", "&#", ";", "<p>",
                "</p>", "<a href='u'>", "</a>", "<!--", "-->", "<br>", "\"", "'", "=", "\n", "é", "<script>", "<li>", "<ol>"};
        for (int i = 0; i < 5_000; i++) {
            var sb = new StringBuilder();
            int n = rnd.nextInt(30);
            for (int k = 0; k < n; k++) sb.append(pieces[rnd.nextInt(pieces.length)]);
            String t = sb.toString();
            for (Context ctx : Context.values()) {
                Rendered a = Templates.render(t, values("x", "{v|w}", "y", "<&>"), i, ctx);
                assertThat(Templates.render(t, values("x", "{v|w}", "y", "<&>"), i, ctx)).as(t).isEqualTo(a);
                assertThat(a.spintaxErrors()).isEqualTo(Templates.validate(t));
                assertThat(a.spintaxErrors()).allSatisfy(e -> assertThat(e.position()).isBetween(0, t.length() - 1));
            }
            Templates.variables(t);
            assertThat(Templates.htmlToText(t)).isNotNull();
        }
    }

    // ------------------------------------------------------------------ cache, concurrency, speed

    @Test
    void theCacheIsBounded() {
        for (int i = 0; i < Templates.CACHE_SIZE + 500; i++) {
            Templates.render("t" + i + " {a|b}", Map.of(), i, Context.TEXT);
        }
        assertThat(Templates.cacheSize()).isLessThanOrEqualTo(Templates.CACHE_SIZE);
    }

    @Test
    void renderingIsThreadSafe() {
        String t = "{Hi|Hello|Hey} {{firstName}}, {a|{b|c}} {{company|your team}}";
        var v = values("firstName", "Ann");
        Map<Long, String> expected = LongStream.range(0, 2_000).boxed()
                .collect(Collectors.toMap(s -> s, s -> Templates.render(t, v, s, Context.TEXT).text()));
        IntStream.range(0, 20_000).parallel().forEach(i -> {
            long seed = i % 2_000;
            String tpl = i % 3 == 0 ? t : "x" + (i % 1_500) + t; // churn the cache meanwhile
            String out = Templates.render(tpl, v, seed, Context.TEXT).text();
            if (i % 3 == 0) assertThat(out).isEqualTo(expected.get(seed));
        });
    }

    @Test
    void renderingATwoKilobyteTemplateIsCheap() {
        String paragraph = "<p>{Hi|Hello|Hey} {{firstName|there}}, I noticed {{company}} is {growing|hiring|expanding} "
                + "in {{city|your area}}. {Would|Could} a {short|quick} call {next week|this week} {make sense|be useful}? "
                + "{{signature}}</p>\n";
        String template = paragraph.repeat(2_048 / paragraph.length() + 1);
        assertThat(template.length()).isGreaterThan(2_000);
        var v = values("firstName", "Ann", "company", "Acme <Labs>", "signature", "<p>Bo</p>");
        long t0 = System.nanoTime();
        int chars = 0;
        for (int i = 0; i < 100_000; i++) chars += Templates.render(template, v, i, Context.HTML).text().length();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(chars).isPositive();
        assertThat(ms).as("100k renders of a 2 KB template took %d ms", ms).isLessThan(20_000);
    }
}
