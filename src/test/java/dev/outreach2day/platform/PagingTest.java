package dev.outreach2day.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PagingTest {

    @Test
    void limitDefaultsTo50() {
        assertThat(Paging.limit(null)).isEqualTo(50);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 50, 200})
    void limitsWithinBoundsPass(int limit) {
        assertThat(Paging.limit(limit)).isEqualTo(limit);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 201, 10_000})
    void limitsOutsideBoundsAre422OnQueryLimit(int limit) {
        assertThatThrownBy(() -> Paging.limit(limit))
                .isInstanceOfSatisfying(ApiException.Invalid.class,
                        e -> assertThat(e.problems().getFirst().loc()).containsExactly("query", "limit"));
    }
}
