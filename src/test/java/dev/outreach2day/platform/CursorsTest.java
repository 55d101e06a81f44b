package dev.outreach2day.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outreach2day.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class CursorsTest extends IntegrationTest {

    @Autowired
    Cursors cursors;

    @Test
    void aCursorRoundTripsItsValues() {
        String c = cursors.encode("campaigns", 7, "cmp_01abc", "2026-03-09T14:30:00Z");
        assertThat(c).doesNotContain("cmp_01abc"); // opaque to the eye: base64url
        assertThat(cursors.decode("campaigns", 7, c)).containsExactly("cmp_01abc", "2026-03-09T14:30:00Z");
        assertThat(cursors.decode("campaigns", 7, null)).isNull();
    }

    @Test
    void aForgedOrAlteredCursorIs422() {
        String c = cursors.encode("campaigns", 7, "cmp_01abc");
        String altered = (c.charAt(0) == 'A' ? 'B' : 'A') + c.substring(1);
        for (String bad : new String[] {altered, "garbage", c + "x", "a.b", "."}) {
            assertThatThrownBy(() -> cursors.decode("campaigns", 7, bad))
                    .as(bad)
                    .isInstanceOfSatisfying(ApiException.Invalid.class,
                            e -> assertThat(e.problems().getFirst().loc()).containsExactly("query", "cursor"));
        }
    }

    @Test
    void aCursorOfAnotherWorkspaceOrListIs422() {
        String c = cursors.encode("campaigns", 7, "cmp_01abc");
        assertThatThrownBy(() -> cursors.decode("campaigns", 8, c)).isInstanceOf(ApiException.Invalid.class);
        assertThatThrownBy(() -> cursors.decode("threads", 7, c)).isInstanceOf(ApiException.Invalid.class);
    }
}
