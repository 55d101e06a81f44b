package dev.outreach2day.unibox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The classifier's search shortcuts: a regex is only tried where one of its leading literals occurs. */
class ReplyClassifierShortcutsTest {

    static final LocalDate TODAY = LocalDate.of(2025, 3, 1);

    @Test
    void leadingLiteralsOfEachAlternative() {
        assertThat(ReplyClassifier.leadingLiterals("could ?n[o']?t be delivered|the following address(?:\\(es\\))? failed|n'a pas pu"))
                .containsExactly("could", "the following address", "n'a pas pu");
        assertThat(ReplyClassifier.leadingLiterals("\\b(?:i'?ll|wie ?viel|calendly\\.com)\\b.{0,5}x|\\bintern\\b"))
                .containsExactly("i", "wie", "calendly.com", "intern");
        assertThat(ReplyClassifier.leadingLiterals("(?:a|b(?:c|d))e")).containsExactly("a", "b");
    }

    @Test
    void noLeadingLiteralsWhenAMatchMayStartAnywhere() {
        assertThat(ReplyClassifier.leadingLiterals("^\\W*pass\\W*$")).isNull();
        assertThat(ReplyClassifier.leadingLiterals("\\p{L}*urlaub")).isNull();
        assertThat(ReplyClassifier.leadingLiterals("(?:no|nein)?x")).isNull(); // optional group
        assertThat(ReplyClassifier.leadingLiterals("a|x?y")).isNull(); // one alternative may start with y
        assertThat(ReplyClassifier.leadingLiterals("(?i)stop")).isNull();
        assertThat(ReplyClassifier.leadingLiterals("(?<![\\d.])5\\d\\d")).isNull();
        assertThat(ReplyClassifier.leadingLiterals("\\Qa|b\\E")).isNull();
    }

    @Test
    void needlesFindEveryOccurrenceOverlappingOnesIncluded() {
        var needles = new ReplyClassifier.Needles("he", "she", "hers", "s", "xyz");
        var found = needles.scan("ushers and she");
        assertThat(starts(found, 0)).containsExactly(2, 12);
        assertThat(starts(found, 1)).containsExactly(1, 11);
        assertThat(starts(found, 2)).containsExactly(2);
        assertThat(starts(found, 3)).containsExactly(1, 5, 11);
        assertThat(found.contains(4)).isFalse();
        assertThat(found.starts(new int[] {0, 1, 3})).containsExactly(1, 2, 5, 11, 12);
    }

    static List<Integer> starts(ReplyClassifier.Needles.Found found, int id) {
        var out = new java.util.ArrayList<Integer>();
        for (int k = found.first(id); k >= 0; k = found.next(k)) out.add(found.start(k));
        return out;
    }

    @Test
    void phrasesAndBounceWordingAreFoundAnywhereInTheText() {
        // raw phrases tried at their leading literals only (not at position 0)
        assertThat(ReplyClassifier.classify("Re: x", "Thanks for the offer. We handle all of that in-house.", Map.of(), TODAY).signals())
                .anyMatch(s -> s.startsWith("not_interested:") && s.contains("in[ -]house"));
        assertThat(ReplyClassifier.classify("Re: x", "Sure - grab a slot: https://calendly.com/dana/30min", Map.of(), TODAY).signals())
                .anyMatch(s -> s.contains("calendly"));
        // BOUNCE_BODY tried at its alternatives' leading literals; a repeated wording counts once, at most three
        var r = ReplyClassifier.classify("Undeliverable: hi", "x user unknown. user unknown. no such user, does not exist; "
                + "address not found. 550 5.1.1", Map.of(), TODAY);
        assertThat(r.intent()).isEqualTo(ReplyClassifier.BOUNCED);
        assertThat(r.signals()).containsExactly("subject:bounce 'undeliverable'", "bounce:'user unknown'", "bounce:'no such user'",
                "bounce:'does not exist'", "bounce:smtp 550 5.1.1");
    }
}
