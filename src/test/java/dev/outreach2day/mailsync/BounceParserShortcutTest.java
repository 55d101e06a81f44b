package dev.outreach2day.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** BounceParser.parse with the already parsed message, and its early exit for a person's reply. */
class BounceParserShortcutTest {

    static final String REPLY_WITH_BOUNCE_WORDING = """
            From: Dana <dana@example.com>
            To: alice@sender.test
            Subject: Re: Quick question
            Message-ID: <r1@example.com>
            Content-Type: text/plain; charset=utf-8

            Your mail to bob@example.org could not be delivered: address not found, 550 5.1.1 user unknown.
            """;

    @Test
    void theParsedMessageGivesTheSameResult() {
        for (String raw : new String[] {BounceParserTest.POSTFIX_DSN, REPLY_WITH_BOUNCE_WORDING}) {
            var m = BounceParserTest.message(raw);
            assertThat(BounceParser.parse(m, MimeContent.parse(m))).isEqualTo(BounceParser.parse(BounceParserTest.message(raw)));
        }
        assertThat(BounceParser.parse(BounceParserTest.message(BounceParserTest.POSTFIX_DSN), null)).isPresent();
    }

    @Test
    void aPersonsReplyIsNoBounceWhateverItsTextSays() {
        assertThat(BounceParser.parse(BounceParserTest.message(REPLY_WITH_BOUNCE_WORDING))).isEmpty();
        // the same text from a daemon is one
        assertThat(BounceParser.parse(BounceParserTest.message(
                REPLY_WITH_BOUNCE_WORDING.replace("Dana <dana@example.com>", "MAILER-DAEMON@mx.example.com")))).isPresent();
    }
}
