package dev.outreach2day.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiKeyFormatTest {

    @Test
    void generatedKeysHaveThePrefixEnoughEntropyAndAValidChecksum() {
        String key = ApiKeyFormat.generate();
        assertThat(key).startsWith("ot2d_").hasSize(ApiKeyFormat.LENGTH);
        assertThat(key.substring(5, 48)).matches("[A-Za-z0-9_-]{43}"); // 32 random bytes
        assertThat(ApiKeyFormat.wellFormed(key)).isTrue();
        assertThat(ApiKeyFormat.generate()).isNotEqualTo(key);
    }

    @Test
    void aSingleMistypedCharacterIsCaughtByTheChecksum() {
        String key = ApiKeyFormat.generate();
        for (int i = 5; i < key.length(); i++) {
            char c = key.charAt(i);
            char other = c == 'A' ? 'B' : 'A';
            String typo = key.substring(0, i) + other + key.substring(i + 1);
            assertThat(ApiKeyFormat.wellFormed(typo)).as("typo at %d", i).isFalse();
        }
    }

    @Test
    void truncatedOrForeignTokensAreNotWellFormed() {
        String key = ApiKeyFormat.generate();
        assertThat(ApiKeyFormat.wellFormed(key.substring(0, key.length() - 1))).isFalse();
        assertThat(ApiKeyFormat.wellFormed("sk_live_" + key.substring(8))).isFalse();
        assertThat(ApiKeyFormat.wellFormed(key.replace('_', '/'))).isFalse();
        assertThat(ApiKeyFormat.wellFormed(null)).isFalse();
    }
}
