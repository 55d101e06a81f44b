package dev.outreach2day.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outreach2day.warmup.WarmupCorpus.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class WarmupCorpusTest {

    static final long SEED = 0x1234_5678_9ABCL;

    static final Pattern SPAM_WORD = Pattern.compile("\\b(?:free|offer|offers|click|buy|discount|guarantee|guaranteed|winner)\\b");
    static final Pattern URL = Pattern.compile("(?i)https?:|www\\.|\\b[a-z0-9-]+\\.(?:com|net|org|io|co|de)\\b|@");
    static final Pattern SHOUTED = Pattern.compile("\\b[A-Z]{2,}\\b");

    static List<Message> messages(long seed, int count) {
        return IntStream.range(0, count).mapToObj(n -> WarmupCorpus.compose(seed, n, "Tom", "Ann")).toList();
    }

    static List<Message> replies(long seed, int count) {
        return IntStream.range(0, count).mapToObj(n -> WarmupCorpus.reply(seed, n, "Ann", "Tom")).toList();
    }

    static int words(String s) {
        return s.strip().split("\\s+").length;
    }

    /** Sentences of a text's paragraphs between the greeting and the sign-off. */
    static int sentences(String text) {
        String[] paragraphs = text.split("\n\n");
        int count = 0;
        for (int i = 1; i < paragraphs.length - 1; i++) count += paragraphs[i].split("(?<=[.?!])\\s+").length;
        return count;
    }

    @Test
    void theSameSeedAndNumberGiveTheSameMessage() {
        for (int n : new int[] {0, 1, 17, 9_999, 12_519, 12_520, 50_000}) {
            assertThat(WarmupCorpus.compose(SEED, n, "Tom", "Ann")).isEqualTo(WarmupCorpus.compose(SEED, n, "Tom", "Ann"));
            assertThat(WarmupCorpus.reply(SEED, n, "Ann", "Tom")).isEqualTo(WarmupCorpus.reply(SEED, n, "Ann", "Tom"));
        }
    }

    @Test
    void tenThousandMessagesOfOneSeedHaveDistinctSubjectsAndBodies() {
        for (long seed : new long[] {SEED, 0L, -1L}) {
            List<Message> messages = messages(seed, 10_000);
            assertThat(messages.stream().map(Message::subject).distinct().count()).as("seed %d", seed).isEqualTo(10_000);
            assertThat(messages.stream().map(Message::text).distinct().count()).as("seed %d", seed).isEqualTo(10_000);
        }
    }

    @Test
    void everyCombinationOfOneSeedHasItsOwnSubjectAndBody() {
        List<Message> messages = messages(SEED, WarmupCorpus.COMBINATIONS);
        assertThat(messages.stream().map(Message::subject).distinct().count()).isEqualTo(WarmupCorpus.COMBINATIONS);
        assertThat(messages.stream().map(Message::text).distinct().count()).isEqualTo(WarmupCorpus.COMBINATIONS);
    }

    @Test
    void differentSeedsGiveDifferentSequences() {
        List<Message> a = messages(SEED, 50);
        List<Message> b = messages(SEED + 1, 50);
        assertThat(a).isNotEqualTo(b);
        assertThat(IntStream.range(0, 50).filter(i -> !a.get(i).subject().equals(b.get(i).subject())).count()).isGreaterThan(40);
        assertThat(replies(SEED, 50)).isNotEqualTo(replies(SEED + 1, 50));
    }

    @Test
    void messagesHaveShortSubjectsAndBodiesOfTwoToFiveSentences() {
        for (Message m : messages(SEED, WarmupCorpus.COMBINATIONS)) {
            assertThat(words(m.subject())).as(m.subject()).isBetween(3, 9);
            assertThat(m.text().length()).as(m.text()).isBetween(200, 900);
            assertThat(sentences(m.text())).as(m.text()).isBetween(2, 5);
            assertThat(m.text()).doesNotContain("null").endsWith("\nTom");
            assertThat(m.text().split("\n\n")[0]).endsWith("Ann,");
            assertThat(m.html()).startsWith("<p>").endsWith("<br>Tom</p>");
        }
    }

    @Test
    void repliesAreOneToThreeSentencesWithGreetingAndSignOff() {
        List<Message> replies = replies(SEED, 1_000);
        for (Message r : replies) {
            assertThat(sentences(r.text())).as(r.text()).isBetween(1, 3);
            assertThat(r.text().length()).as(r.text()).isBetween(20, 300);
            assertThat(r.text().split("\n\n")[0]).endsWith("Tom,");
            assertThat(r.text()).endsWith("\nAnn").doesNotContain("null");
            assertThat(r.html()).startsWith("<p>").endsWith("<br>Ann</p>");
        }
        assertThat(replies.stream().map(Message::text).distinct().count()).isEqualTo(1_000);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", "\t\n"})
    void missingNamesLeaveTheGreetingAndSignOffWithoutAName(String name) {
        for (int n = 0; n < 200; n++) {
            for (Message m : List.of(WarmupCorpus.compose(SEED, n, name, name), WarmupCorpus.reply(SEED, n, name, name))) {
                String[] paragraphs = m.text().split("\n\n");
                assertThat(paragraphs[0]).matches("(Hi|Hello|Hey|Good morning|Good afternoon|Morning)( there)?,");
                assertThat(paragraphs[paragraphs.length - 1]).matches("[A-Z][a-z ]+,");
                assertThat(m.text() + m.html()).doesNotContain("null").doesNotContain("  ").doesNotContain("<br>");
            }
        }
        for (int n = 0; n < 5_000; n++) {
            assertThat(WarmupCorpus.compose(SEED, n, name, name).text().length()).isBetween(200, 900);
        }
    }

    @Test
    void namesAreEscapedInHtmlAndVerbatimInText() {
        String name = "<b>Ann & Co</b>";
        String escaped = "&lt;b&gt;Ann &amp; Co&lt;/b&gt;";
        for (int n = 0; n < 50; n++) {
            for (Message m : List.of(WarmupCorpus.compose(SEED, n, name, name), WarmupCorpus.reply(SEED, n, name, name))) {
                String[] paragraphs = m.text().split("\n\n");
                assertThat(paragraphs[0]).contains(name);
                assertThat(m.text()).endsWith("\n" + name);
                assertThat(m.html()).contains(escaped + ",</p>").endsWith("<br>" + escaped + "</p>").doesNotContain("<b>");
            }
        }
        assertThat(WarmupCorpus.compose(SEED, 0, "O'Neil \"Jo\"", "Ann").html()).contains("O&#39;Neil &quot;Jo&quot;");
    }

    @Test
    void namesAreKeptOnOneLine() {
        Message m = WarmupCorpus.compose(SEED, 3, "Tom\n\nSmith", "  Ann \r\n Lee ");
        assertThat(m.text().split("\n\n")[0]).endsWith(" Ann Lee,");
        assertThat(m.text()).endsWith("\nTom Smith");
    }

    @Test
    void nothingReadsLikeSpamOrCarriesALink() {
        var all = new ArrayList<Message>(messages(SEED, 1_000));
        all.addAll(messages(42L, 1_000));
        all.addAll(replies(SEED, 1_000));
        Set<String> shouted = new HashSet<>();
        for (Message m : all) {
            for (String part : List.of(m.subject(), m.text())) {
                assertThat(SPAM_WORD.matcher(part.toLowerCase(Locale.ROOT)).find()).as(part).isFalse();
                assertThat(part).as(part).doesNotContain("$", "€", "£", "!!", "%").doesNotContainPattern("\\d");
                assertThat(URL.matcher(part).find()).as(part).isFalse();
                var matcher = SHOUTED.matcher(part);
                while (matcher.find()) shouted.add(matcher.group());
            }
            assertThat(m.text().chars().filter(c -> c == '!').count()).as(m.text()).isLessThanOrEqualTo(1);
            assertThat(m.html()).doesNotContain("<a", "href", "<img");
        }
        assertThat(shouted).isEmpty();
    }

    @Test
    void negativeNumbersAreRejected() {
        assertThatThrownBy(() -> WarmupCorpus.compose(SEED, -1, "Tom", "Ann")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WarmupCorpus.reply(SEED, -1, "Ann", "Tom")).isInstanceOf(IllegalArgumentException.class);
    }
}
