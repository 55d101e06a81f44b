package dev.outreach2day.mailsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import dev.outreach2day.mailsync.MimeContent.Attachment;
import dev.outreach2day.mailsync.MimeContent.Parsed;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MimeContentTest {

    static final Charset CP1252 = Charset.forName("windows-1252");

    static MimeMessage message(byte[] raw) {
        try {
            return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static MimeMessage message(String raw) {
        return message(raw.getBytes(StandardCharsets.UTF_8));
    }

    static Parsed parse(String raw) {
        return MimeContent.parse(message(raw));
    }

    /** Bytes of a message whose parts use different charsets: segments are (text, charset) pairs. */
    static byte[] bytes(Object... textAndCharset) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < textAndCharset.length; i += 2) {
            out.writeBytes(((String) textAndCharset[i]).getBytes((Charset) textAndCharset[i + 1]));
        }
        return out.toByteArray();
    }

    static String base64Lines(byte[] data) {
        return Base64.getMimeEncoder(76, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(data);
    }

    // ------------------------------------------------------------------------------------------

    /** A reply with nested multipart/mixed → alternative → related, an inline logo and two attachments. */
    static String nestedReply() {
        byte[] pdf = new byte[1234];
        for (int i = 0; i < pdf.length; i++) pdf[i] = (byte) (i * 31);
        return """
                Return-Path: <juergen.mueller@example.de>
                Received: from mx.example.de (mx.example.de [198.51.100.2])
                    by mx.sender.test with ESMTPS id 4Yabc; Wed, 15 Jan 2025 08:30:04 +0000
                From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <Juergen.Mueller@Example.DE>
                To: Alice <ALICE@sender.test>, "Doe, John" <john@example.com>
                Cc: Team: carol@example.com, Dave <dave@example.com>;
                Subject: Re: =?UTF-8?Q?Ihr_Angebot_f=C3=BCr?= 2025
                Date: Wed, 15 Jan 2025 09:30:00 +0100
                Message-ID: <reply.1@example.de>
                In-Reply-To: <o2d.1@sender.test>
                References: <o2d.0@sender.test>
                 <o2d.1@sender.test>
                X-Mailer: Apple Mail (2.3774)
                X-Mailer: second value is ignored
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="mixed-boundary"

                This is a multi-part message in MIME format.

                --mixed-boundary
                Content-Type: multipart/alternative; boundary="alt-boundary"

                --alt-boundary
                Content-Type: text/plain; charset=utf-8
                Content-Transfer-Encoding: quoted-printable

                Hallo Alice,

                gerne, schicken Sie mir bitte die Unterlagen. Gr=C3=BC=C3=9Fe, J=C3=BCrgen

                > Am 14.01.2025 schrieb Alice:
                > Haben Sie kurz Zeit?
                --alt-boundary
                Content-Type: multipart/related; boundary="rel-boundary"; type="text/html"

                --rel-boundary
                Content-Type: text/html; charset=utf-8

                <html><body><p>Hallo <b>Alice</b>,</p><img src="cid:logo@example.de"></body></html>
                --rel-boundary
                Content-Type: image/png; name="logo.png"
                Content-Disposition: inline; filename="logo.png"
                Content-ID: <logo@example.de>
                Content-Transfer-Encoding: base64

                iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
                --rel-boundary--

                --alt-boundary--

                --mixed-boundary
                Content-Type: application/pdf; name="Angebot.pdf"
                Content-Disposition: attachment; filename="Angebot.pdf"
                Content-Transfer-Encoding: base64

                {{PDF}}
                --mixed-boundary
                Content-Type: text/plain; charset=utf-8; name="notes.txt"
                Content-Disposition: attachment;
                 filename*=UTF-8''Notizen%20f%C3%BCr%20Alice.txt

                some notes.
                --mixed-boundary--
                """.replace("{{PDF}}", base64Lines(pdf));
    }

    @Test
    void nestedMultipartsGiveTextHtmlAddressesAndAttachmentMetadata() {
        Parsed p = parse(nestedReply());

        assertThat(p.messageId()).isEqualTo("<reply.1@example.de>");
        assertThat(p.inReplyTo()).isEqualTo("<o2d.1@sender.test>");
        assertThat(p.references()).containsExactly("<o2d.0@sender.test>", "<o2d.1@sender.test>");
        assertThat(p.subject()).isEqualTo("Re: Ihr Angebot für 2025");
        assertThat(p.from()).isEqualTo("juergen.mueller@example.de");
        assertThat(p.fromName()).isEqualTo("Jürgen Müller");
        assertThat(p.to()).containsExactly("alice@sender.test", "john@example.com");
        assertThat(p.cc()).containsExactly("carol@example.com", "dave@example.com");
        assertThat(p.date()).isEqualTo(Instant.parse("2025-01-15T08:30:00Z"));
        assertThat(p.text()).isEqualTo("""
                Hallo Alice,

                gerne, schicken Sie mir bitte die Unterlagen. Grüße, Jürgen

                > Am 14.01.2025 schrieb Alice:
                > Haben Sie kurz Zeit?""");
        assertThat(p.html()).contains("<p>Hallo <b>Alice</b>,</p>");
        // the logo the HTML embeds is no attachment; the PDF and the text file are
        assertThat(p.attachments()).containsExactly(
                new Attachment("Angebot.pdf", "application/pdf", 1234),
                new Attachment("Notizen für Alice.txt", "text/plain", 11));
        assertThat(p.headers())
                .containsEntry("subject", "Re: Ihr Angebot für 2025")
                .containsEntry("from", "Jürgen Müller <Juergen.Mueller@Example.DE>")
                .containsEntry("x-mailer", "Apple Mail (2.3774)")
                .containsEntry("references", "<o2d.0@sender.test> <o2d.1@sender.test>")
                .containsKey("content-type");
        assertThat(p.headers().keySet()).startsWith("return-path", "received", "from");
    }

    @Test
    void imapMessagesParseLikeLocalOnesAndAClosedFolderIsNoEmptyMessage() throws Exception {
        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort());
        greenMail.start();
        try {
            GreenMailUser user = greenMail.setUser("alice@sender.test", "alice@sender.test", "secret-pw");
            user.deliver(message(nestedReply()));
            user.deliver(message(BounceParserTest.POSTFIX_DSN));

            Properties props = new Properties();
            props.put("mail.imap.connectiontimeout", "5000");
            props.put("mail.imap.timeout", "5000");
            try (Store store = Session.getInstance(props).getStore("imap")) {
                store.connect("127.0.0.1", greenMail.getImap().getPort(), "alice@sender.test", "secret-pw");
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                Message[] messages = inbox.getMessages();
                assertThat(messages).hasSize(2);

                // lazily fetched parts (IMAPMessage / IMAPBodyPart) give the same result
                Parsed local = parse(nestedReply());
                Parsed remote = MimeContent.parse((MimeMessage) messages[0]);
                assertThat(remote.messageId()).isEqualTo(local.messageId());
                assertThat(remote.subject()).isEqualTo(local.subject());
                assertThat(remote.from()).isEqualTo(local.from());
                assertThat(remote.fromName()).isEqualTo(local.fromName());
                assertThat(remote.cc()).isEqualTo(local.cc());
                assertThat(remote.references()).isEqualTo(local.references());
                assertThat(remote.date()).isEqualTo(local.date());
                assertThat(remote.text()).isEqualTo(local.text());
                assertThat(remote.html()).isEqualTo(local.html());
                assertThat(remote.headers()).isEqualTo(local.headers());
                assertThat(remote.attachments()).extracting(Attachment::filename, Attachment::contentType)
                        .containsExactly(tuple("Angebot.pdf", "application/pdf"),
                                tuple("Notizen für Alice.txt", "text/plain"));
                // sizes of IMAP parts are estimated from BODYSTRUCTURE instead of downloading them
                // (GreenMail's part sizes run a little large, real servers give the encoded octets)
                assertThat(remote.attachments().getFirst().size()).isCloseTo(1234L, withinPercentage(10));

                assertThat(BounceParser.parse((MimeMessage) messages[1]))
                        .isEqualTo(BounceParser.parse(message(BounceParserTest.POSTFIX_DSN)));

                // connection gone before the message was read: an error, not an empty message
                MimeMessage unread = (MimeMessage) inbox.getMessage(1);
                inbox.close(false);
                assertThatThrownBy(() -> MimeContent.parse(unread))
                        .isInstanceOf(MimeContent.MessageUnavailableException.class);
                assertThatThrownBy(() -> BounceParser.parse(unread))
                        .isInstanceOf(MimeContent.MessageUnavailableException.class);
            }
        } finally {
            greenMail.stop();
        }
    }

    @Test
    void isoLatin1QuotedPrintableAnd8bitBodiesAreDecoded() {
        Parsed qp = parse("""
                From: a@example.com
                Subject: qp
                Content-Type: text/plain; charset=ISO-8859-1
                Content-Transfer-Encoding: quoted-printable

                Gr=FC=DFe aus K=F6ln, das kostet 5 =80 pro Monat und ist eine sehr lange Ze=
                ile mit weichem Umbruch. 1+1=3D2, a=b bleibt.
                """);
        // windows-1252 superset: 0x80 is the euro sign rather than a C1 control
        assertThat(qp.text()).isEqualTo(
                "Grüße aus Köln, das kostet 5 € pro Monat und ist eine sehr lange Zeile mit weichem Umbruch. 1+1=2, a=b bleibt.");

        byte[] raw = bytes("""
                From: a@example.com
                Subject: 8bit
                Content-Type: text/plain; charset="iso-8859-1"
                Content-Transfer-Encoding: 8bit

                """, StandardCharsets.US_ASCII, "Grüße, Zoë – ça va?\n", CP1252);
        assertThat(MimeContent.parse(message(raw)).text()).isEqualTo("Grüße, Zoë – ça va?");
    }

    @Test
    void unknownOrWrongCharsetsFallBackToWindows1252OrUtf8() {
        String head = "From: a@example.com\nSubject: charset\nContent-Transfer-Encoding: 8bit\n";
        // an unknown charset with windows-1252 bytes
        byte[] unknown = bytes(head + "Content-Type: text/plain; charset=x-user-defined-garbage\n\n",
                StandardCharsets.US_ASCII, "café – 10 €", CP1252);
        assertThat(MimeContent.parse(message(unknown)).text()).isEqualTo("café – 10 €");
        // an illegal charset name
        byte[] illegal = bytes(head + "Content-Type: text/plain; charset=\"utf 8 / latin?\"\n\n",
                StandardCharsets.US_ASCII, "naïve", CP1252);
        assertThat(MimeContent.parse(message(illegal)).text()).isEqualTo("naïve");
        // declared UTF-8 but really Latin-1
        byte[] lying = bytes(head + "Content-Type: text/plain; charset=utf-8\n\n",
                StandardCharsets.US_ASCII, "Müller & Söhne", CP1252);
        assertThat(MimeContent.parse(message(lying)).text()).isEqualTo("Müller & Söhne");
        // no charset declared, UTF-8 bytes
        byte[] undeclared = bytes(head + "Content-Type: text/plain\n\n",
                StandardCharsets.US_ASCII, "Łódź, 東京 ✓", StandardCharsets.UTF_8);
        assertThat(MimeContent.parse(message(undeclared)).text()).isEqualTo("Łódź, 東京 ✓");
        // "us-ascii" label on UTF-8 content
        byte[] ascii = bytes(head + "Content-Type: text/plain; charset=us-ascii\n\n",
                StandardCharsets.US_ASCII, "Grüße", StandardCharsets.UTF_8);
        assertThat(MimeContent.parse(message(ascii)).text()).isEqualTo("Grüße");
        // a charset Java knows under another name
        byte[] koi8 = bytes(head + "Content-Type: text/plain; charset=KOI8-R\n\n",
                StandardCharsets.US_ASCII, "Привет", Charset.forName("KOI8-R"));
        assertThat(MimeContent.parse(message(koi8)).text()).isEqualTo("Привет");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "=?UTF-8?B?4pyTIENow6J0ZWF1?= =?UTF-8?Q?_und_M=C3=BCnchen?=   | ✓ Château und München",
        "Re: =?ISO-8859-1?Q?Gr=FC=DFe?= aus Berlin                      | Re: Grüße aus Berlin",
        "=?UTF-8?B?ww==?= =?UTF-8?B?pA==?=                              | ä",
        "=?x-bogus-charset?Q?caf=E9?=                                   | café",
        "=?utf-8?q?Mehrere_W=C3=B6rter?=\t=?utf-8?q?_getrennt?=         | Mehrere Wörter getrennt",
        "=?iso-8859-15?Q?Preis:_100_=A4?=                               | Preis: 100 €",
        "=?UTF-8*de?Q?Sprache?=                                         | Sprache",
        "Kein =?UTF-8?Q?encoded?=word                                   | Kein encodedword",
        "=?UTF-8?Q?broken                                               | =?UTF-8?Q?broken",
    })
    void encodedWordSubjectsAreDecoded(String header, String expected) {
        Parsed p = parse("From: a@example.com\nSubject: " + header.strip() + "\nContent-Type: text/plain\n\nx\n");
        assertThat(p.subject()).isEqualTo(expected);
    }

    @Test
    void raw8bitUtf8HeadersAreRecovered() {
        byte[] raw = bytes("""
                From: Jürgen Müller <jm@example.de>
                Subject: Grüße aus Köln
                Content-Type: text/plain; charset=utf-8

                Hallo
                """, StandardCharsets.UTF_8);
        Parsed p = MimeContent.parse(message(raw));
        assertThat(p.subject()).isEqualTo("Grüße aus Köln");
        assertThat(p.fromName()).isEqualTo("Jürgen Müller");
        assertThat(p.from()).isEqualTo("jm@example.de");
    }

    @Test
    void missingMessageIdBecomesAStableSyntheticOne() {
        String raw = """
                From: someone@example.com
                To: alice@sender.test
                Subject: no id
                Date: Thu, 16 Jan 2025 12:00:00 +0000
                Content-Type: text/plain

                hello
                """;
        Parsed first = parse(raw);
        Parsed again = parse(raw);
        assertThat(first.messageId()).matches("<[0-9a-f]{64}@o2d\\.synthetic>");
        assertThat(again.messageId()).isEqualTo(first.messageId());
        assertThat(parse(raw.replace("no id", "other subject")).messageId()).isNotEqualTo(first.messageId());
        assertThat(parse(raw.replace("12:00:00", "12:00:01")).messageId()).isNotEqualTo(first.messageId());
        // an empty id is no id; a bare one gets its brackets
        assertThat(parse("Message-ID: <>\n" + raw).messageId()).isEqualTo(first.messageId());
        assertThat(parse("Message-ID: abc.123@mail.example.com\n" + raw).messageId())
                .isEqualTo("<abc.123@mail.example.com>");
        assertThat(parse("Message-ID:\n <folded@example.com>\n" + raw).messageId()).isEqualTo("<folded@example.com>");
    }

    @Test
    void htmlOnlyMessagesGetTextDerivedFromTheHtml() {
        Parsed p = parse("""
                From: Prospect <p@example.com>
                Subject: html only
                Content-Type: text/html; charset=windows-1252
                Content-Transfer-Encoding: quoted-printable

                <!DOCTYPE html><html><head><title>ignored title</title>
                <style>p { color: red; }</style><script>alert("x")</script></head>
                <body><!-- a comment --><div>Hi&nbsp;Alice,</div>
                <p>yes, let&#39;s   talk &amp; meet =96 Tuesday&nbsp;works.<br>Best,<br/>Paul</p>
                <ul><li>one</li><li>two &lt;3</li></ul>
                <table><tr><td>a</td><td>b</td></tr></table>
                <p>5 < 6 &unknown; &#x1F600;</p><img src=3D"x.png" alt=3D"[logo]">
                </body></html>
                """);
        assertThat(p.html()).contains("<div>Hi&nbsp;Alice,</div>", "– Tuesday");
        assertThat(p.text()).isEqualTo("""
                Hi Alice,

                yes, let's talk & meet – Tuesday works.
                Best,
                Paul

                - one
                - two <3

                a b

                5 < 6 &unknown; 😀

                [logo]""");
    }

    @Test
    void htmlCharsetIsTakenFromTheMetaTagWhenTheHeaderHasNone() {
        byte[] raw = bytes("""
                From: p@example.com
                Content-Type: text/html
                Content-Transfer-Encoding: 8bit

                <html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>
                <body>""", StandardCharsets.US_ASCII, "Grüße</body></html>\n", StandardCharsets.ISO_8859_1);
        assertThat(MimeContent.parse(message(raw)).text()).isEqualTo("Grüße");
    }

    @Test
    void formatFlowedIsUnwrapped() {
        Parsed p = parse("From: a@example.com\nContent-Type: text/plain; charset=utf-8; format=flowed; delsp=no\n\n"
                + "This is a long line that the client \nwrapped for transport.\n"
                + "> quoted and \n> wrapped too\n"
                + " >not a quote (space-stuffed)\n"
                + "-- \nsignature\n");
        assertThat(p.text()).isEqualTo("""
                This is a long line that the client wrapped for transport.
                > quoted and wrapped too
                >not a quote (space-stuffed)
                --\s
                signature""");
    }

    @Test
    void inlineTextPartsAroundAnImageAreJoinedAndOtherPartsListed() {
        Parsed p = parse("""
                From: a@example.com
                Subject: apple mail style
                Content-Type: multipart/mixed; boundary=b1

                --b1
                Content-Type: text/plain; charset=us-ascii

                Before the picture.
                --b1
                Content-Type: image/jpeg; name=photo.jpg
                Content-Disposition: inline; filename=photo.jpg
                Content-Transfer-Encoding: base64

                /9j/4AAQSkZJRg==
                --b1
                Content-Type: text/plain; charset=us-ascii

                After the picture.
                --b1
                Content-Type: message/rfc822

                From: x@example.com
                Subject: forwarded

                inner body
                --b1
                Content-Type: multipart/alternative; boundary=b2

                --b2
                Content-Type: text/calendar; method=REQUEST; charset=utf-8

                BEGIN:VCALENDAR
                END:VCALENDAR
                --b2--
                --b1
                Content-Type: application/octet-stream
                Content-Disposition: attachment; filename="=?UTF-8?B?UmVjaG51bmcgw4RwZmVsLnBkZg==?="

                x
                --b1
                Content-Type: application/pdf
                Content-Disposition: attachment; filename*0*=UTF-8''Sehr%20langer%20;
                 filename*1="Name.pdf"

                y
                --b1
                Content-Type: application/zip; name="C:\\\\Users\\\\bob\\\\files.zip"

                z
                --b1--
                """);
        assertThat(p.text()).isEqualTo("Before the picture.\n\nAfter the picture.");
        assertThat(p.html()).isNull();
        assertThat(p.attachments()).containsExactly(
                new Attachment("photo.jpg", "image/jpeg", 10),
                new Attachment(null, "message/rfc822", 50),
                new Attachment(null, "text/calendar", 29),
                new Attachment("Rechnung Äpfel.pdf", "application/octet-stream", 1),
                new Attachment("Sehr langer Name.pdf", "application/pdf", 1),
                new Attachment("files.zip", "application/zip", 1));
    }

    @Test
    void multipartSignedKeepsTheContentAndDropsTheSignature() {
        Parsed p = parse("""
                From: a@example.com
                Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="s"

                --s
                Content-Type: text/plain; charset=utf-8

                Signed hello.
                --s
                Content-Type: application/pkcs7-signature; name=smime.p7s
                Content-Disposition: attachment; filename=smime.p7s
                Content-Transfer-Encoding: base64

                MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCAMIIE
                --s--
                """);
        assertThat(p.text()).isEqualTo("Signed hello.");
        assertThat(p.attachments()).isEmpty();
    }

    @Test
    void brokenMimeNeverThrowsAndKeepsWhatCanBeRead() {
        // no closing boundary
        assertThat(parse("""
                From: a@example.com
                Content-Type: multipart/alternative; boundary="x"

                --x
                Content-Type: text/plain

                unterminated text
                --x
                Content-Type: text/html

                <p>unterminated html
                """).text()).isEqualTo("unterminated text");

        // no boundary parameter at all
        assertThat(parse("""
                From: a@example.com
                Content-Type: multipart/mixed

                --guess-me
                Content-Type: text/plain

                found anyway
                --guess-me--
                """).text()).isEqualTo("found anyway");

        // unknown transfer encodings, on the multipart and on a part
        assertThat(parse("""
                From: a@example.com
                Content-Type: multipart/mixed; boundary="u"
                Content-Transfer-Encoding: 8-bit

                --u
                Content-Type: text/plain; charset=utf-8
                Content-Transfer-Encoding: x-something

                raw is better than nothing
                --u--
                """).text()).isEqualTo("raw is better than nothing");

        // corrupt base64: junk characters, missing padding, a truncated tail
        String good = Base64.getEncoder().encodeToString("The quick brown fox".getBytes(StandardCharsets.UTF_8));
        Parsed b64 = parse("From: a@example.com\nContent-Type: text/plain; charset=utf-8\n"
                + "Content-Transfer-Encoding: base64\n\n" + good.substring(0, 8) + "!!*\n" + good.substring(8) + "\n");
        assertThat(b64.text()).isEqualTo("The quick brown fox");
        Parsed truncated = parse("From: a@example.com\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
                + good.substring(0, 13) + "\n");
        assertThat(truncated.text()).isEqualTo("The quick");

        // an unterminated quote in Content-Type, a missing semicolon, a bare "text" type
        assertThat(parse("From: a@example.com\nContent-Type: text/plain; charset=\"utf-8\n\nquote\n").text())
                .isEqualTo("quote");
        assertThat(parse("From: a@example.com\nContent-Type: text/html charset=utf-8\n\n<b>semi</b>\n").text())
                .isEqualTo("semi");
        assertThat(parse("From: a@example.com\nContent-Type: text\n\nbare\n").text()).isEqualTo("bare");

        // an empty boundary with no delimiter lines: the body is returned as text
        assertThat(parse("From: a@example.com\nContent-Type: multipart/mixed; boundary=\"\"\n\njust text\n").text())
                .isEqualTo("just text");

        // garbage everywhere
        assertThatCode(() -> parse("""
                From: <<<@@@>>>
                To: ;;;,,,"
                Cc: =?utf-8?B?!!!?=
                Date: yesterday-ish
                References: not an id
                Content-Type: multipart/related; boundary=z; start="<nope>"

                --z
                Content-Type: ;;;
                Content-Transfer-Encoding: base64

                ====
                --z
                """)).doesNotThrowAnyException();
        Parsed garbage = parse("From: <<<@@@>>>\nTo: ;;;\nDate: yesterday-ish\n\nbody\n");
        assertThat(garbage.text()).isEqualTo("body");
        assertThat(garbage.date()).isNull();
        assertThat(garbage.to()).isEmpty();
        assertThat(garbage.messageId()).endsWith("@o2d.synthetic>");
    }

    @Test
    void datesAreReadLeniently() {
        assertThat(MimeContent.parseDate("Thu, 16 Jan 2025 12:00:00 +0100 (CET)"))
                .isEqualTo(Instant.parse("2025-01-16T11:00:00Z"));
        assertThat(MimeContent.parseDate("16 Jan 25 12:00 EST")).isEqualTo(Instant.parse("2025-01-16T17:00:00Z"));
        assertThat(MimeContent.parseDate("Thursday, 16-January-2025 12:00:00 GMT"))
                .isEqualTo(Instant.parse("2025-01-16T12:00:00Z"));
        assertThat(MimeContent.parseDate("2025-01-16T12:00:00+02:00")).isEqualTo(Instant.parse("2025-01-16T10:00:00Z"));
        assertThat(MimeContent.parseDate("never")).isNull();

        // no usable Date header: the newest Received timestamp
        Parsed p = parse("""
                Received: from a by b; Fri, 17 Jan 2025 08:00:00 +0000
                Received: from c by d; Fri, 17 Jan 2025 07:59:00 +0000
                From: a@example.com
                Date: garbage

                x
                """);
        assertThat(p.date()).isEqualTo(Instant.parse("2025-01-17T08:00:00Z"));
    }

    @Test
    void referencesAndInReplyToAreTokenised() {
        Parsed p = parse("""
                From: a@example.com
                In-Reply-To: Your message of "Tue, 14 Jan 2025" <o2d.1@sender.test>
                References: <a@x> <b@x>
                 <c@x>,<a@x>
                Content-Type: text/plain

                x
                """);
        assertThat(p.inReplyTo()).isEqualTo("<o2d.1@sender.test>");
        assertThat(p.references()).containsExactly("<a@x>", "<b@x>", "<c@x>");
        assertThat(parse("From: a@example.com\nReferences: id1@host id2@host\n\nx\n").references())
                .containsExactly("<id1@host>", "<id2@host>");
    }

    @Test
    void messageWithoutAnyBodyHasEmptyText() {
        Parsed p = parse("From: a@example.com\nSubject: empty\n\n");
        assertThat(p.text()).isEmpty();
        assertThat(p.html()).isNull();
        assertThat(p.attachments()).isEmpty();
        assertThat(p.fromName()).isNull();
        assertThat(p.inReplyTo()).isNull();
    }
}
