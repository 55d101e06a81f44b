package dev.outreach2day.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.unibox.InboundMessage;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.SharedByteArrayInputStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * {@link MailSync#read}'s shortcuts — the unsynchronized byte stream, the per-message memo and the multipart split
 * on the bytes — give what reading the message the plain way (Jakarta Mail's multipart parser, no memo) gives.
 */
class LocalReadTest {

    static final Session SESSION = Session.getInstance(new Properties());

    static final String ALTERNATIVE = """
            From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@example.de>
            To: alice@sender.test
            Subject: =?UTF-8?Q?Re:_Gr=C3=BC=C3=9Fe?=
            Date: Thu, 16 Jan 2025 12:00:00 +0100
            Message-ID: <r1@example.de>
            In-Reply-To: <m1@sender.test>
            References: <m0@sender.test> <m1@sender.test>
            MIME-Version: 1.0
            Content-Type: multipart/alternative;\s
            \tboundary="----=_Part_0_1.2"
            X-Mailer: Test

            ------=_Part_0_1.2
            Content-Type: text/plain; charset=UTF-8
            Content-Transfer-Encoding: quoted-printable

            Hallo Alice, sch=C3=B6ne Gr=C3=BC=C3=9Fe aus M=C3=BCnchen. Ein sehr langer S=
            atz.
            ------=_Part_0_1.2
            Content-Type: text/html; charset=UTF-8
            Content-Transfer-Encoding: quoted-printable

            <html><body><p>Hallo Alice, sch=C3=B6ne Gr=C3=BC=C3=9Fe</p></body></html>
            ------=_Part_0_1.2--
            """;

    /** The message as the sync reads it before these shortcuts: parsed from a plain stream, no memo. */
    static InboundMessage plain(byte[] raw) throws Exception {
        MimeMessage m = new MimeMessage(SESSION, new ByteArrayInputStream(raw));
        MimeContent.Parsed p = MimeContent.parse(m);
        var bounce = BounceParser.parse(m, p).map(b -> new InboundMessage.Bounce(b.recipient(), b.status(), b.hard(), b.diagnostic(),
                b.originalMessageId())).orElse(null);
        return new InboundMessage(p.messageId(), p.inReplyTo(), p.references(), p.subject(), p.from(), p.fromName(), p.to(), p.cc(),
                p.date(), p.text(), p.html(), p.attachments().stream()
                        .map(a -> new InboundMessage.Attachment(a.filename(), a.contentType(), a.size())).toList(),
                p.headers(), bounce, BounceParser.isAutoReply(m), BounceParser.isSystemMail(m));
    }

    static InboundMessage viaRead(byte[] raw) throws Exception {
        return MailSync.read(SESSION, new MimeMessage(SESSION, new ByteArrayInputStream(raw)));
    }

    static List<byte[]> messages() {
        List<String> raws = new ArrayList<>();
        raws.add(ALTERNATIVE);
        raws.add(MimeContentTest.nestedReply());
        raws.add(BounceParserTest.POSTFIX_DSN);
        raws.add(BounceParserShortcutTest.REPLY_WITH_BOUNCE_WORDING);
        // broken or unusual multiparts: no closing delimiter, a delimiter followed by text, blanks after a
        // delimiter, text and a closing delimiter before the opening one, a lone CR, a part without a blank line,
        // a delimiter at the start of a body, an epilogue
        raws.add(ALTERNATIVE.replace("------=_Part_0_1.2--\n", ""));
        raws.add(ALTERNATIVE.replaceFirst("------=_Part_0_1.2\nContent-Type: text/html", "------=_Part_0_1.2 x\nContent-Type: text/html"));
        raws.add(ALTERNATIVE.replaceFirst("------=_Part_0_1.2\nContent-Type: text/html", "------=_Part_0_1.2 \t\nContent-Type: text/html"));
        raws.add(ALTERNATIVE.replace("X-Mailer: Test\n\n", "X-Mailer: Test\n\npreamble\n------=_Part_0_1.2--\n"));
        raws.add(ALTERNATIVE.replace("Ein sehr", "Ein\r sehr"));
        raws.add(ALTERNATIVE.replace("<html><body>", "------=_Part_0_1.2\n<html><body>"));
        raws.add(ALTERNATIVE + "epilogue\n------=_Part_0_1.2\nContent-Type: text/plain\n\nnot a part\n");
        raws.add(ALTERNATIVE.replace("Content-Transfer-Encoding: quoted-printable\n\n<html>", "\n------=_Part_0_1.2\n\n<html>"));
        raws.add(ALTERNATIVE.replace("X-Mailer: Test", "Content-Transfer-Encoding: 7bit"));
        raws.add(ALTERNATIVE.replace("boundary=\"----=_Part_0_1.2\"", "boundary=\"----=_Part_0_1.2\"; Boundary=\"x\""));
        List<byte[]> out = new ArrayList<>();
        for (String raw : raws) {
            out.add(raw.getBytes(StandardCharsets.UTF_8));
            out.add(raw.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void readGivesWhatThePlainReadingGives() throws Exception {
        for (byte[] raw : messages()) {
            assertThat(viaRead(raw)).as(new String(raw, StandardCharsets.UTF_8)).isEqualTo(plain(raw));
            assertThat(MailSync.toInbound(new MimeMessage(SESSION, new ByteArrayInputStream(raw)))).isEqualTo(plain(raw));
        }
        assertThat(viaRead(ALTERNATIVE.getBytes(StandardCharsets.UTF_8)).html()).contains("schöne Grüße");
    }

    static List<String> describe(List<? extends Part> parts) throws Exception {
        List<String> out = new ArrayList<>();
        for (Part p : parts) {
            StringBuilder sb = new StringBuilder();
            for (Enumeration<String> e = ((MimeBodyPart) p).getAllHeaderLines(); e.hasMoreElements();) sb.append(e.nextElement()).append('|');
            sb.append(new String(((MimeBodyPart) p).getRawInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void theSplitFindsThePartsMimeMultipartFinds() throws Exception {
        String[] bodies = {
            "--B\r\nContent-Type: text/plain\r\n\r\none\r\n--B\r\n\r\ntwo\r\n--B--\r\n",
            "pre\n--Bx\n--B\t \nA: b\n\n--B\n\nx--B\n--B-\n--B \n\nlast",
            "--B\n\n\n--B\n\n--B--",
            "--B\n\n\r\n--B--\n",
            "--B\r\n\r\n--B\r\n\r\nx\r\n--B",
        };
        for (String body : bodies) {
            byte[] b = ("Content-Type: multipart/mixed; boundary=B\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1);
            MimeMessage local = new MimeMessage(SESSION, MimeContent.localStream(b));
            List<Part> split = MimeContent.children(local, MimeContent.parseCt(MimeContent.header(local, "Content-Type"), "text/plain"));
            MimeMessage plain = new MimeMessage(SESSION, new ByteArrayInputStream(b));
            MimeMultipart mp = new MimeMultipart(plain.getDataHandler().getDataSource());
            List<Part> expected = new ArrayList<>();
            for (int i = 0; i < mp.getCount(); i++) expected.add(mp.getBodyPart(i));
            assertThat(describe(split)).as(body).isEqualTo(describe(expected));
        }
    }

    @Test
    void theLocalStreamReadsLikeASharedByteArrayInputStream() throws Exception {
        byte[] b = "0123456789".getBytes(StandardCharsets.US_ASCII);
        InputStream local = MimeContent.localStream(b);
        SharedByteArrayInputStream shared = new SharedByteArrayInputStream(b);
        assertThat(local.read()).isEqualTo(shared.read());
        assertThat(local.skip(2)).isEqualTo(shared.skip(2));
        assertThat(local.available()).isEqualTo(shared.available());
        byte[] x = new byte[4];
        byte[] y = new byte[4];
        assertThat(local.read(x, 1, 3)).isEqualTo(shared.read(y, 1, 3));
        assertThat(x).isEqualTo(y);
        InputStream sub = ((SharedByteArrayInputStream) local).newStream(2, 5);
        assertThat(sub.readAllBytes()).isEqualTo(shared.newStream(2, 5).readAllBytes());
        assertThat(((SharedByteArrayInputStream) sub).newStream(1, -1).readAllBytes()).isEqualTo("34".getBytes(StandardCharsets.US_ASCII));
        assertThat(local.readAllBytes()).isEqualTo(shared.readAllBytes());
        assertThat(local.read()).isEqualTo(-1);
        assertThat(local.read(x, 0, 4)).isEqualTo(-1);
    }
}
