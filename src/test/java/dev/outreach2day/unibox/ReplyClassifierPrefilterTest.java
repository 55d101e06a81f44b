package dev.outreach2day.unibox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The quick tests that spare the classifier regex runs: they must agree with the regexes they stand for. */
class ReplyClassifierPrefilterTest {

    @Test
    void phraseProgramRejectsOnlyWhereTheRegexCannotMatch() {
        List<String> phrases = List.of("i'm in", "no, thanks", "remove my email", "not interested", "désinscri*", "d'accord", "are you around");
        List<String> texts = List.of("i'm in", "im  in!", "i'm interested", "i m in", "no thanks", "no , thanks", "no,,thanks", "no,thanks",
                "remove my e-mail", "remove my e mail", "remove my emails", "not-interested", "not\tinterested.", "notinterested",
                "desinscrire", "desinscri", "daccord", "d'accord1", "are you around?", "are  you-around\u00B2", "are you around\uD835\uDC00");
        for (String phrase : phrases) {
            Pattern p = ReplyClassifier.compile(phrase);
            int[] program = ReplyClassifier.program(phrase);
            assertThat(program).as(phrase).isNotNull();
            for (String text : texts) {
                Matcher m = p.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
                for (int at = 0; at < text.length(); at++) {
                    m.region(at, text.length());
                    if (m.lookingAt()) assertThat(ReplyClassifier.mayMatchAt(program, 0, text, at)).as(phrase + " in " + text + " at " + at).isTrue();
                }
            }
        }
        assertThat(ReplyClassifier.mayMatchAt(ReplyClassifier.program("i'm in"), 0, "i shared", 0)).isFalse();
        assertThat(ReplyClassifier.mayMatchAt(ReplyClassifier.program("i'm in"), 0, "i'm interested", 0)).isFalse();
        assertThat(ReplyClassifier.program("re:\\bfoo")).isNull();
    }

    @Test
    void wordAtFindsWhatTheWordRegexFinds() {
        Pattern word = Pattern.compile("[\\p{L}\\p{N}]+(?:'[\\p{L}]+)*'?");
        for (String text : List.of("don't stop", "rock'n'roll's", "dogs' 12'", "x\uD835\uDC00y \uD835", "caf\u00E9 \u00B2\u2162", "'a''b'")) {
            for (int to = 0; to <= text.length(); to++) {
                List<String> expected = new ArrayList<>(), got = new ArrayList<>();
                for (Matcher m = word.matcher(text).region(0, to); m.find(); ) expected.add(m.start() + ":" + m.group());
                for (int i = 0; i < to; ) {
                    int end = ReplyClassifier.wordAt(text, i, to);
                    if (end < 0) { i++; continue; }
                    got.add(i + ":" + text.substring(i, end));
                    i = end;
                }
                assertThat(got).as(text + " to " + to).isEqualTo(expected);
            }
        }
    }
}
