package dev.outreach2day.unibox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Return dates with their regexes tried only at digits and month/weekday words, and the language detection tokeniser. */
class ReplyClassifierDateShortcutsTest {

    static final LocalDate TODAY = LocalDate.of(2025, 3, 1);

    static LocalDate returnDate(String text, String lang) {
        var found = ReplyClassifier.ReturnDates.find(ReplyClassifier.fold(text).text(), lang, TODAY);
        return found == null ? null : found.date();
    }

    @Test
    void datesAreFoundWhereverTheyStand() {
        assertThat(returnDate("I'm out of the office until 2025-03-10.", "en")).isEqualTo(LocalDate.of(2025, 3, 10));
        assertThat(returnDate("Out of office, back on March 3rd", "en")).isEqualTo(LocalDate.of(2025, 3, 3));
        assertThat(returnDate("Out of office, back on 4 March", "en")).isEqualTo(LocalDate.of(2025, 3, 4));
        assertThat(returnDate("Out of office until 04/21/2025", "en")).isEqualTo(LocalDate.of(2025, 4, 21));
        assertThat(returnDate("Out of office, back on the 5th", "en")).isEqualTo(LocalDate.of(2025, 3, 5));
        assertThat(returnDate("Out of office, back on Monday", "en")).isEqualTo(LocalDate.of(2025, 3, 3));
        assertThat(returnDate("Ich bin bis zum 12.03. im Urlaub", "de")).isEqualTo(LocalDate.of(2025, 3, 12));
        assertThat(returnDate("Ich bin im Urlaub, ab Oktober wieder da", "de")).isEqualTo(LocalDate.of(2025, 10, 1));
        assertThat(returnDate("Je suis absent jusqu'au 1er avril", "fr")).isEqualTo(LocalDate.of(2025, 4, 1));
        assertThat(returnDate("Je suis absent, de retour demain", "fr")).isEqualTo(LocalDate.of(2025, 3, 2));
        assertThat(returnDate("Estoy de vacaciones hasta el 12 de marzo", "es")).isEqualTo(LocalDate.of(2025, 3, 12));
        assertThat(returnDate("Estoy de vacaciones hasta finales de mayo", "es")).isEqualTo(LocalDate.of(2025, 5, 31));
        // no digit, no month, no weekday: nothing to find
        assertThat(returnDate("I'm out of the office next week", "en")).isNull();
        // "24/7" is no date; a month word inside another word is none either
        assertThat(returnDate("24/7 support. Marketing team", "en")).isNull();
    }

    @Test
    void findAtStartsGivesTheMatchesOfFind() {
        Pattern p = Pattern.compile("(?<![\\d.])(\\d{1,2})\\.(\\d{1,2})\\.");
        String text = "a 1.2. b 11.12.13. c 3.4.";
        List<String> expected = new ArrayList<>();
        for (Matcher m = p.matcher(text); m.find(); ) expected.add(m.start() + ":" + m.group());
        List<String> got = new ArrayList<>();
        // every start of a run of digits, including those the lookbehind rules out
        var at = new ReplyClassifier.Needles.AtStarts(p, text, new int[] {2, 9, 12, 15, 21, 23});
        for (Matcher m; (m = at.find()) != null; ) got.add(m.start() + ":" + m.group());
        assertThat(got).isEqualTo(expected).containsExactly("2:1.2.", "9:11.12.", "21:3.4.");
    }

    @Test
    void languageFromStopWordTokens() {
        assertThat(ReplyClassifier.detectLanguage("je suis absent jusqu'au 3 mars")).isEqualTo("fr");
        assertThat(ReplyClassifier.detectLanguage("ich bin nicht im buro")).isEqualTo("de");
        assertThat(ReplyClassifier.detectLanguage("i'm out, back on monday")).isEqualTo("en");
        assertThat(ReplyClassifier.detectLanguage("estoy fuera hasta el lunes")).isEqualTo("es");
        assertThat(ReplyClassifier.detectLanguage("12345 ... !!")).isEqualTo("und");
    }
}
