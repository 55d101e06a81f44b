package dev.outreach2day.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.outreach2day.campaign.SpamWords.Entry;
import dev.outreach2day.campaign.SpamWords.Hit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpamWordsTest {

    static Hit hit(String phrase, String language, int count) {
        return new Hit(phrase, language, count);
    }

    static Stream<Arguments> texts() {
        return Stream.of(
                // English, boundaries and counts
                arguments("Get it FREE today", List.of(hit("free", "en", 1))),
                arguments("Free, free and free!", List.of(hit("free", "en", 3))),
                arguments("Enjoy the freedom of a carefree, freely given freebie", List.of()),
                arguments("It's 100% FREE. No risk.", List.of(hit("100% free", "en", 1), hit("no risk", "en", 1))),
                arguments("It is risk-free.", List.of(hit("risk-free", "en", 1))),
                arguments("A risk-free trial", List.of(hit("risk-free", "en", 1), hit("free trial", "en", 1))), // overlapping, not nested
                arguments("Act now! Please act   NOW.\nACT\tnow", List.of(hit("act now", "en", 3))),
                arguments("Click\u00A0here to learn more", List.of(hit("click here", "en", 1))),
                arguments("fr\u200Bee stuff", List.of(hit("free", "en", 1))),
                arguments("Don\u2019t delete this", List.of(hit("don't delete", "en", 1))),
                arguments("We are #1 in town", List.of(hit("#1", "en", 1))),
                arguments("Ranked #10 in town", List.of()),
                arguments("Guaranteed results, no obligation", List.of(hit("guaranteed", "en", 1), hit("no obligation", "en", 1))),
                arguments("Earn money fast", List.of(hit("earn money", "en", 1))),
                // German
                arguments("Jetzt kaufen und kostenlose Lieferung", List.of(hit("kostenlos*", "de", 1), hit("jetzt kaufen", "de", 1))),
                arguments("KOSTENLOS und kostenloses Zubehör", List.of(hit("kostenlos*", "de", 2))),
                arguments("Herzlichen Glückwunsch, Sie haben gewonnen!",
                        List.of(hit("herzlichen glückwunsch", "de", 1), hit("sie haben gewonnen", "de", 1))),
                arguments("HERZLICHEN GLUECKWUNSCH", List.of()), // ue is not ü
                arguments("Schnäppchen! Garantiert ohne Risiko", List.of(hit("schnäppchen", "de", 1), hit("garantiert", "de", 1),
                        hit("ohne risiko", "de", 1))),
                // French
                arguments("C'est GRATUIT, cliquez ici", List.of(hit("gratuit*", "fr", 1), hit("cliquez ici", "fr", 1))),
                arguments("Essai gratuit, offres gratuites", List.of(hit("essai gratuit", "fr", 1), hit("gratuit*", "fr", 1))),
                arguments("N\u2019attendez pas : satisfait ou remboursé", List.of(hit("n'attendez pas", "fr", 1),
                        hit("satisfait ou remboursé", "fr", 1))),
                arguments("FÉLICITATIONS", List.of(hit("félicitations", "fr", 1))),
                arguments("felicitations", List.of(hit("félicitations", "fr", 1))),
                // Spanish
                arguments("Haga clic aquí", List.of(hit("haga clic aquí", "es", 1))),
                arguments("HAGA CLIC AQUI ahora", List.of(hit("haga clic aquí", "es", 1))),
                arguments("Envío sin costo y sin compromiso", List.of(hit("sin costo", "es", 1), hit("sin compromiso", "es", 1))),
                arguments("¡Felicidades! Usted ha ganado", List.of(hit("felicidades", "es", 1), hit("usted ha ganado", "es", 1))),
                // a phrase of several lists is one hit
                arguments("Gratis!", List.of(hit("gratis", "de,es,it,pt,nl", 1))),
                // full-width letters fold to ASCII
                arguments("ＦＲＥＥ", List.of(hit("free", "en", 1))),
                // clean business text in each language
                arguments("Hi Anna, I noticed Acme is hiring SDRs. Would a short call next week make sense?", List.of()),
                arguments("Hallo Anna, ich habe gesehen, dass Acme Vertriebler sucht. Passt ein kurzes Telefonat nächste Woche?", List.of()),
                arguments("Bonjour Anna, j'ai vu qu'Acme recrute des commerciaux. Un court appel la semaine prochaine ?", List.of()),
                arguments("Hola Ana, vi que Acme está contratando vendedores. ¿Tendría sentido una llamada la próxima semana?", List.of()),
                arguments("", List.of()),
                arguments(null, List.of()));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("texts")
    void findsSpamPhrasesOnWholeWordsAcrossLanguages(String text, List<Hit> expected) {
        assertThat(SpamWords.find(text)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void mostFrequentComeFirst() {
        assertThat(SpamWords.find("Click here. Free! Free! Free! Click here. Act now"))
                .containsExactly(hit("free", "en", 3), hit("click here", "en", 2), hit("act now", "en", 1));
    }

    static Stream<Arguments> htmls() {
        return Stream.of(
                arguments("<p>Click <b>here</b> for a <a href='https://free.example/act-now'>demo</a></p>",
                        List.of(hit("click here", "en", 1))),
                arguments("<style>.free{color:red}</style><p title=\"free\">Hello</p><!-- free -->", List.of()),
                arguments("<p>Cliquez&nbsp;ici</p><p>100&#37; gratuit</p>", List.of(hit("cliquez ici", "fr", 1), hit("100% gratuit", "fr", 1))),
                arguments("<p>free</p><p>dom</p>", List.of(hit("free", "en", 1))),
                arguments("<div>Jetzt</div><div>kaufen</div>", List.of(hit("jetzt kaufen", "de", 1))), // a line break is whitespace
                arguments("<p>Haga clic aqu&iacute;</p>", List.of(hit("haga clic aquí", "es", 1))),
                arguments("<p>Hi {{firstName}}, {quick|short} question</p>", List.of()));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("htmls")
    void findsSpamPhrasesInTheVisibleTextOfHtml(String html, List<Hit> expected) {
        assertThat(SpamWords.findInHtml(html)).containsExactlyInAnyOrderElementsOf(expected);
    }

    static Stream<Arguments> folds() {
        return Stream.of(
                arguments("GRATUIT", "gratuit"),
                arguments("Aquí Está", "aqui esta"),
                arguments("Straße  Œuvre\tÆsop", "strasse oeuvre aesop"),
                arguments("  a \u00A0\u2009 b  ", "a b"),
                arguments("don\u2019t risk\u2011free", "don't risk-free"),
                arguments("ﬁnal ＡＢＣ", "final abc"),
                arguments("İstanbul", "istanbul"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("folds")
    void foldsTextForMatching(String in, String folded) {
        assertThat(SpamWords.fold(in)).isEqualTo(folded);
    }

    @Test
    void theBuiltInListCoversFourLanguagesWithSixtyToOneHundredFiftyEntriesEach() throws IOException {
        String list;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(SpamWords.RESOURCE)) {
            assertThat(in).isNotNull();
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, Long> perLanguage = SpamWords.parse(list).stream()
                .collect(Collectors.groupingBy(Entry::language, Collectors.counting()));
        for (String lang : List.of("en", "de", "fr", "es")) {
            assertThat(perLanguage.get(lang)).as(lang).isBetween(60L, 160L);
        }
        assertThat(SpamWords.parse(list)).allSatisfy(e -> {
            assertThat(e.language()).matches("[a-z]{2}");
            assertThat(e.phrase()).isEqualTo(e.phrase().strip()).isEqualTo(e.phrase().toLowerCase(java.util.Locale.ROOT));
        });
        assertThat(SpamWords.builtIn().size()).isGreaterThan(400);
        assertThat(SpamWords.builtIn()).isSameAs(SpamWords.builtIn());
    }

    @ParameterizedTest
    @ValueSource(strings = {"free", "act now", "100% free", "risk-free", "guaranteed", "click here", "earn money", "no obligation",
            "kostenlos", "gratis", "jetzt kaufen", "gratuit", "cliquez ici", "sin costo", "haga clic aquí"})
    void theClassicsAreListed(String phrase) {
        assertThat(SpamWords.find(phrase)).hasSize(1).first().satisfies(h -> assertThat(h.count()).isEqualTo(1));
    }

    @Test
    void aCustomListMergesLanguagesAndSupportsPrefixes() {
        SpamWords list = SpamWords.of(List.of(new Entry("en", "promo"), new Entry("FR", "Promo"), new Entry("de", "rabatt*"),
                new Entry("en", "promo")));
        assertThat(list.size()).isEqualTo(2);
        assertThat(list.scan("PROMO: Rabattaktion, promos"))
                .containsExactly(hit("promo", "en,fr", 1), hit("rabatt*", "de", 1));
    }

    @Test
    void aMalformedListLineIsRefused() {
        assertThatThrownBy(() -> SpamWords.parse("# ok\nen|free\nno language here\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 3");
        assertThatThrownBy(() -> SpamWords.parse("en|")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SpamWords.of(List.of(new Entry("en", " * ")))).isInstanceOf(IllegalArgumentException.class);
    }
}
