package dev.outreach2day.platform;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class FrozenMessageTest {

    static final Session SESSION = Session.getInstance(new Properties());

    static MimeMessage built() throws Exception {
        MimeMessage m = new MimeMessage(SESSION) {
            @Override
            protected void updateMessageID() throws jakarta.mail.MessagingException {
                setHeader("Message-ID", "<fixed@o2d.test>");
            }
        };
        m.setFrom(new InternetAddress("sam@o2d.test"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("ada@example.org"));
        m.setSubject("Grüße", "UTF-8");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Hallo Zoë,\r\n.a line with a dot\r\n", "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText("<p>Hallo</p>", "UTF-8", "html");
        MimeMultipart alt = new MimeMultipart("alternative");
        alt.addBodyPart(text);
        alt.addBodyPart(html);
        m.setContent(alt);
        m.saveChanges();
        return m;
    }

    static byte[] written(MimeMessage m, String... ignore) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out, ignore.length == 0 ? null : ignore);
        return out.toByteArray();
    }

    @Test
    void writesWhatTheMessageWroteAndReadsLikeIt() throws Exception {
        MimeMessage m = built();
        byte[] original = written(m);
        FrozenMessage f = FrozenMessage.of(m);

        assertThat(written(f)).isEqualTo(original);
        assertThat(f.bytes()).isEqualTo(original);
        assertThat(FrozenMessage.bytesOf(m)).isEqualTo(original);
        assertThat(FrozenMessage.of(f)).isSameAs(f);
        f.saveChanges(); // what Transport.send would do: nothing changes
        assertThat(written(f)).isEqualTo(original);

        assertThat(f.getMessageID()).isEqualTo("<fixed@o2d.test>");
        assertThat(f.getSubject()).isEqualTo("Grüße");
        MimeMultipart parts = (MimeMultipart) f.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContent()).isEqualTo("Hallo Zoë,\r\n.a line with a dot\r\n");
        assertThat(written(f, "Bcc")).isEqualTo(original); // no such header: the same bytes
    }

    /** Frozen from bytes, the headers read as Jakarta Mail parses those bytes: folded, 8-bit, repeated, a lone CR or LF. */
    @Test
    void headersFrozenFromBytesReadAsJakartaMailParsesThem() throws Exception {
        String head = "X-First: one\r\n\ttwo\r\n three\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nX-Raw: caf\u00e9\r\n"
                + "Received: a\r\nReceived: b\r\nX-Lone: cr\rX-Lf: lf\nX-Empty:\r\n";
        for (String message : new String[] {head + "\r\nbody\r\n", head + "\r\n", "X-Only: header\r\n", "\r\nno headers\r\n"}) {
            byte[] raw = message.getBytes(StandardCharsets.ISO_8859_1);
            MimeMessage parsed = new MimeMessage(SESSION, new java.io.ByteArrayInputStream(raw));
            FrozenMessage f = FrozenMessage.of(SESSION, raw);
            assertThat(java.util.Collections.list(f.getAllHeaderLines()))
                    .isEqualTo(java.util.Collections.list(parsed.getAllHeaderLines()));
            assertThat(written(f)).isEqualTo(raw);
        }
    }

    @Test
    void aHeaderPutInFrontComesFirstAndIsReadable() throws Exception {
        MimeMessage m = built();
        byte[] unsigned = FrozenMessage.bytesOf(m);
        FrozenMessage f = FrozenMessage.withHeader(m, unsigned, "X-Test: one\r\n\ttwo");

        String text = new String(written(f), StandardCharsets.UTF_8);
        assertThat(text).startsWith("X-Test: one\r\n\ttwo\r\n").endsWith(new String(unsigned, StandardCharsets.UTF_8));
        assertThat(f.getHeader("X-Test")).containsExactly("one\r\n\ttwo");
        assertThat(((MimeMultipart) f.getContent()).getCount()).isEqualTo(2);
        // leaving a header out writes the message again without it
        assertThat(new String(written(f, "X-Test"), StandardCharsets.UTF_8)).doesNotContain("X-Test").contains("Subject: ");
    }
}
