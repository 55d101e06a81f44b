package dev.outreach2day.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void idsArePrefixedUrlSafeAndSortByCreationTime() {
        List<String> ids = new ArrayList<>();
        for (long t = 1_700_000_000_000L; t < 1_700_000_000_000L + 50_000; t += 1_000) {
            ids.add(Ids.next("cmp", t));
        }
        assertThat(ids).isSorted();
        assertThat(ids).allSatisfy(id -> {
            assertThat(id).matches("cmp_[0-9a-z]{26}");
            assertThat(Ids.isValid("cmp", id)).isTrue();
        });
    }

    @Test
    void idsAreUniqueWithinTheSameMillisecond() {
        var seen = new java.util.HashSet<String>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(Ids.next("snd", 42L))).isTrue();
        }
    }

    @Test
    void validationRejectsWrongPrefixAndShape() {
        String id = Ids.next("cmp");
        assertThat(Ids.isValid("stp", id)).isFalse();
        assertThat(Ids.isValid("cmp", id + "x")).isFalse();
        assertThat(Ids.isValid("cmp", "cmp_" + "u".repeat(26))).isFalse(); // 'u' is not Crockford
        assertThat(Ids.isValid("cmp", null)).isFalse();
    }
}
