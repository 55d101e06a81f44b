package dev.outreach2day.unibox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SubjectsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Re: Partnership opportunity|Partnership opportunity",
            "RE: RE: Partnership opportunity|Partnership opportunity",
            "AW: Partnership opportunity|Partnership opportunity",
            "Aw: WG: Partnership opportunity|Partnership opportunity",
            "Fwd: Re: Partnership opportunity|Partnership opportunity",
            "FW: Partnership opportunity|Partnership opportunity",
            "TR: Partnership opportunity|Partnership opportunity",
            "RV: Partnership opportunity|Partnership opportunity",
            "Re[2]: Partnership opportunity|Partnership opportunity",
            "SV: Partnership opportunity|Partnership opportunity",
            "Antw: Partnership opportunity|Partnership opportunity",
            "RIF: Partnership opportunity|Partnership opportunity",
            "Odp: Partnership opportunity|Partnership opportunity",
            "回复：Partnership opportunity|Partnership opportunity",
            "[EXTERNAL] Re: Partnership opportunity|Partnership opportunity",
            "  Re:   Partnership   opportunity  |Partnership opportunity",
            "Reply needed: budget|Reply needed: budget",
            "Regarding our call|Regarding our call",
            "Tri: options|Tri: options"})
    void prefixesOfCommonClientsAndLanguagesAreRemoved(String subject, String display) {
        assertThat(Subjects.display(subject)).isEqualTo(display);
    }

    @Test
    void theKeyFoldsCaseAccentsAndSpaces() {
        assertThat(Subjects.key("Re: Café   Meeting")).isEqualTo(Subjects.key("cafe meeting"));
        assertThat(Subjects.key(null)).isEmpty();
        // plain ASCII skips the decomposition; the key is the same either way
        assertThat(Subjects.key("Re:  Q3\tBudget  REVIEW ")).isEqualTo("q3 budget review");
        assertThat(Subjects.key("AW: Überprüfung Q3")).isEqualTo("uberprufung q3");
        assertThat(Subjects.keyOfDisplay(Subjects.display("Fwd: Résumé"))).isEqualTo(Subjects.key("Fwd: Résumé")).isEqualTo("resume");
        assertThat(Subjects.isReplyOrForward("AW: Termin")).isTrue();
        assertThat(Subjects.isReplyOrForward("Termin")).isFalse();
    }
}
