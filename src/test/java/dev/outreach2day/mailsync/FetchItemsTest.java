package dev.outreach2day.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Flags;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import org.eclipse.angus.mail.iap.ByteArray;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.junit.jupiter.api.Test;

/**
 * {@link MailSync#items}: what a FETCH answer holds per message of the batch, when a server splits a
 * message's items over several responses, leaves a message out, or mixes in other messages' flag
 * changes and other responses (those stay for the folder's handlers).
 */
class FetchItemsTest {

    @Test
    void aMessagesItemsAreMergedAcrossResponsesAndTheRestIsLeftForTheFolder() throws Exception {
        // an answer as it comes over the wire (literals included), read by Angus's own response reader
        Response[] r = read("""
                * 3 FETCH (UID 17 FLAGS (\\Seen))\r
                * 3 FETCH (BODY[] {10}\r
                Subject: a)\r
                * 4 FETCH (UID 18 FLAGS (\\Deleted) BODY[] {10}\r
                Subject: b)\r
                * 9 FETCH (FLAGS (\\Flagged))\r
                * 10 EXISTS\r
                A7 OK FETCH completed\r
                """, 6);
        Response split1 = r[0], other = r[3], exists = r[4], done = r[5];
        assertThat(r[0]).isInstanceOf(FetchResponse.class);
        assertThat(done.isTagged()).isTrue();

        MailSync.Items[] items = MailSync.items(new int[] {3, 4, 5}, r);

        assertThat(items[0].uid).isEqualTo(17L);
        assertThat(items[0].flags.contains(Flags.Flag.SEEN)).isTrue();
        assertThat(text(items[0].bytes)).isEqualTo("Subject: a");
        assertThat(items[1].uid).isEqualTo(18L);
        assertThat(items[1].flags.contains(Flags.Flag.DELETED)).isTrue();
        assertThat(text(items[1].bytes)).isEqualTo("Subject: b");
        // message 5 had no answer: everything is asked for again the usual way
        assertThat(items[2].uid).isNull();
        assertThat(items[2].flags).isNull();
        assertThat(items[2].bytes).isNull();
        // the responses that brought bytes are taken out; the others go to the folder's handlers
        assertThat(r).containsExactly(split1, null, null, other, exists, done);
    }

    private static Response[] read(String wire, int count) throws Exception {
        var p = new IMAPProtocol(new ByteArrayInputStream(wire.getBytes(StandardCharsets.US_ASCII)),
                new PrintStream(OutputStream.nullOutputStream()), new Properties(), false);
        Response[] out = new Response[count];
        for (int k = 0; k < count; k++) out[k] = p.readResponse();
        return out;
    }

    private static String text(ByteArray b) {
        return new String(Arrays.copyOfRange(b.getBytes(), b.getStart(), b.getStart() + b.getCount()), StandardCharsets.US_ASCII);
    }
}
