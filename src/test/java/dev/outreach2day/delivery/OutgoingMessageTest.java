package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.outreach2day.delivery.OutgoingMessage.Spec;
import jakarta.mail.Address;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.PublicKeyRecordRetriever;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.FailException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OutgoingMessageTest {

    static final String DOMAIN = "outreach.test";
    static final String SELECTOR = "o2d2025";
    static final Instant DATE = Instant.parse("2025-03-04T09:15:30Z");

    static KeyPair keys;
    static PublicKeyRecordRetriever dns;
    static final AtomicInteger lookups = new AtomicInteger();
    static Session session = Session.getInstance(new Properties());

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        keys = g.generateKeyPair();
        String record = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
        dns = (method, selector, token) -> {
            lookups.incrementAndGet();
            return selector.toString().equals(SELECTOR) && token.toString().equals(DOMAIN) ? List.of(record) : List.of();
        };
    }

    static Spec spec() {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("X-O2D-Send", "snd_42");
        return new Spec(
                "john@" + DOMAIN, "John Smith", "ada@example.org", "Ada Lovelace",
                "Quick question about your engines",
                "Hi Ada,\nworth a chat?\n\nJohn",
                "<p>Hi Ada,</p><p>worth a chat?</p><p>John</p>",
                "<a1b2c3.step2@" + DOMAIN + ">",
                "<step1.xyz@" + DOMAIN + ">",
                List.of("<step1.xyz@" + DOMAIN + ">"),
                "https://links." + DOMAIN + "/u/abc123",
                "unsubscribe@" + DOMAIN + "?subject=unsubscribe",
                extra);
    }

    @Test
    void theTransferEncodingSetUpFrontIsTheOneJakartaMailWouldChoose() throws Exception {
        String longLine = "x".repeat(999);
        List<String> texts = List.of("", "plain ascii\r\nline two\ttab", "Grüße aus Köln, schöne Grüße", "Привет, как дела?",
                "ab\u00e9", "a\u00e9", "\u00e9\u00e9 abcd", "emoji \uD83D\uDE80 rocket", "lone \uD83D surrogate", "lone \uDE80 low",
                "bell\u0007", "del\u007f", longLine, "x".repeat(998), longLine + "é".repeat(10), "日本語のテキスト abc",
                "mixed\r\n" + "é".repeat(600) + "\r\n" + "a".repeat(400));
        for (String text : texts) {
            MimeBodyPart reference = new MimeBodyPart();
            reference.setText(text, "UTF-8", "plain");
            String expected = MimeUtility.getEncoding(reference.getDataHandler());
            assertThat(OutgoingMessage.transferEncoding(text)).as("encoding of %s", text.length() > 40 ? text.substring(0, 40) : text)
                    .isEqualTo(expected);
        }
        // and a built message carries it (saveChanges did not have to look)
        MimeMessage m = OutgoingMessage.build(session, spec(), DATE);
        MimeMultipart alt = (MimeMultipart) m.getContent();
        assertThat(alt.getBodyPart(0).getHeader("Content-Transfer-Encoding")).containsExactly("7bit");
        assertThat(alt.getBodyPart(1).getHeader("Content-Transfer-Encoding")).containsExactly("7bit");
        Spec s = spec();
        MimeMessage german = OutgoingMessage.build(session, new Spec(s.fromAddress(), null, s.to(), null, "Hallo", "Schöne Grüße", null,
                s.messageId(), null, null, null, null, null), DATE);
        assertThat(german.getHeader("Content-Transfer-Encoding")).containsExactly("quoted-printable");
        assertThat(new String(OutgoingMessage.bytes(german), StandardCharsets.US_ASCII)).contains("Sch=C3=B6ne Gr=C3=BC=C3=9Fe");
    }

    @Test
    void everyKindOfLineBreakBecomesCrlfAndTextWithoutOneIsReturnedAsIs() {
        String plain = "no breaks here";
        assertThat(OutgoingMessage.crlf(plain)).isSameAs(plain);
        assertThat(OutgoingMessage.crlf("a\r\nb")).isEqualTo("a\r\nb");
        assertThat(OutgoingMessage.crlf("a\nb\rc\r\nd")).isEqualTo("a\r\nb\r\nc\r\nd");
        assertThat(OutgoingMessage.crlf("\n\n\r\r")).isEqualTo("\r\n\r\n\r\n\r\n");
        assertThat(OutgoingMessage.crlf("end\r")).isEqualTo("end\r\n");
        assertThat(OutgoingMessage.crlf("")).isEmpty();
        // the byte version the writer uses gives the same, UTF-8 included
        for (String t : List.of(plain, "a\r\nb", "a\nb\rc\r\nd", "\n\n\r\r", "end\r", "", "\r", "\n", "é\nü\r\n🚀\r日本")) {
            byte[] utf8 = t.getBytes(StandardCharsets.UTF_8);
            assertThat(OutgoingMessage.crlf(utf8)).as(t).isEqualTo(OutgoingMessage.crlf(t).getBytes(StandardCharsets.UTF_8));
        }
        assertThat(OutgoingMessage.crlf(plain.getBytes(StandardCharsets.UTF_8))).hasSize(plain.length());
    }

    @Test
    void headersArePresentAndExact() throws Exception {
        MimeMessage m = OutgoingMessage.build(session, spec(), DATE);

        assertThat(m.getHeader("Message-ID", null)).isEqualTo("<a1b2c3.step2@outreach.test>");
        assertThat(m.getHeader("In-Reply-To", null)).isEqualTo("<step1.xyz@outreach.test>");
        assertThat(m.getHeader("References", null)).isEqualTo("<step1.xyz@outreach.test>");
        assertThat(m.getHeader("List-Unsubscribe", null))
                .isEqualTo("<https://links.outreach.test/u/abc123>, <mailto:unsubscribe@outreach.test?subject=unsubscribe>");
        assertThat(m.getHeader("List-Unsubscribe-Post", null)).isEqualTo("List-Unsubscribe=One-Click");
        assertThat(m.getHeader("MIME-Version", null)).isEqualTo("1.0");
        assertThat(m.getHeader("X-O2D-Send", null)).isEqualTo("snd_42");
        assertThat(m.getHeader("X-Mailer")).isNull();
        assertThat(m.getHeader("From", null)).isEqualTo("John Smith <john@outreach.test>");
        assertThat(m.getHeader("To", null)).isEqualTo("Ada Lovelace <ada@example.org>");
        assertThat(m.getSubject()).isEqualTo("Quick question about your engines");
        assertThat(m.getSentDate().toInstant()).isEqualTo(DATE);

        // multipart/alternative: text first, then HTML, both UTF-8, CRLF line ends
        assertThat(m.getContentType()).startsWith("multipart/alternative");
        MimeMultipart mp = (MimeMultipart) m.getContent();
        assertThat(mp.getCount()).isEqualTo(2);
        assertThat(mp.getBodyPart(0).getContentType()).isEqualToIgnoringCase("text/plain; charset=UTF-8");
        assertThat(mp.getBodyPart(0).getContent()).isEqualTo("Hi Ada,\r\nworth a chat?\r\n\r\nJohn");
        assertThat(mp.getBodyPart(1).getContentType()).isEqualToIgnoringCase("text/html; charset=UTF-8");

        // on the wire: the same headers, nothing regenerated, no fingerprint
        String wire = new String(OutgoingMessage.bytes(m), StandardCharsets.US_ASCII);
        assertThat(wire).startsWith("Date: Tue, 4 Mar 2025 09:15:30 +0000\r\n")
                .doesNotContain("_Part_") // no Jakarta Mail boundary pattern
                .contains("\r\nMessage-ID: <a1b2c3.step2@outreach.test>\r\n")
                .contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
                .contains("\r\nMIME-Version: 1.0\r\n")
                .doesNotContainIgnoringCase("X-Mailer")
                .doesNotContainIgnoringCase("JavaMail")
                .doesNotContain("\n\n"); // no bare LF anywhere
        assertThat(wire.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");

        // saveChanges again (what Transport.send would do) keeps the Message-ID
        m.saveChanges();
        assertThat(m.getMessageID()).isEqualTo("<a1b2c3.step2@outreach.test>");
        MimeMessage reparsed = new MimeMessage(session, new ByteArrayInputStream(OutgoingMessage.bytes(m)));
        assertThat(reparsed.getMessageID()).isEqualTo("<a1b2c3.step2@outreach.test>");
    }

    @Test
    void nonAsciiSubjectAndNamesAreEncodedWordsOverAsciiBytes() throws Exception {
        Spec s = spec();
        Spec intl = new Spec(s.fromAddress(), "Jörg Müller", s.to(), "Zoë Ångström", "Grüße aus Köln — kurze Frage 🚀",
                "Hallo Zoë,\nschöne Grüße!", null, s.messageId(), null, null, null, null, null);
        MimeMessage m = OutgoingMessage.build(session, intl, DATE);
        byte[] wire = OutgoingMessage.bytes(m);

        for (byte b : wire) {
            assertThat(b & 0xff).as("7-bit clean").isLessThan(0x80);
        }
        String ascii = new String(wire, StandardCharsets.US_ASCII);
        assertThat(ascii).contains("Subject: =?UTF-8?").contains("From: =?UTF-8?").contains("To: =?UTF-8?");

        MimeMessage back = new MimeMessage(session, new ByteArrayInputStream(wire));
        assertThat(back.getSubject()).isEqualTo("Grüße aus Köln — kurze Frage 🚀");
        assertThat(((InternetAddress) back.getFrom()[0]).getPersonal()).isEqualTo("Jörg Müller");
        assertThat(((InternetAddress) back.getRecipients(jakarta.mail.Message.RecipientType.TO)[0]).getPersonal())
                .isEqualTo("Zoë Ångström");
        assertThat(back.getContent()).isEqualTo("Hallo Zoë,\r\nschöne Grüße!");
        assertThat(back.getContentType()).isEqualToIgnoringCase("text/plain; charset=UTF-8");
    }

    @Test
    void textOnlyWithoutThreadingOrUnsubscribe() throws Exception {
        Spec s = spec();
        Spec plain = new Spec(s.fromAddress(), null, s.to(), null, "Hello", "Just text.", null,
                "step1.xyz@" + DOMAIN, null, List.of(), null, null, Map.of());
        MimeMessage m = OutgoingMessage.build(session, plain, DATE);

        assertThat(m.getContentType()).isEqualToIgnoringCase("text/plain; charset=UTF-8");
        assertThat(m.getContent()).isEqualTo("Just text.");
        assertThat(m.getMessageID()).isEqualTo("<step1.xyz@outreach.test>"); // brackets added
        assertThat(m.getHeader("In-Reply-To")).isNull();
        assertThat(m.getHeader("References")).isNull();
        assertThat(m.getHeader("List-Unsubscribe")).isNull();
        assertThat(m.getHeader("List-Unsubscribe-Post")).isNull();
        assertThat(m.getHeader("From", null)).isEqualTo("john@outreach.test");

        // mailto only: List-Unsubscribe without the one-click header (RFC 8058 needs an HTTP URI)
        Spec mailtoOnly = new Spec(s.fromAddress(), null, s.to(), null, "Hello", "Just text.", null,
                "<m2@" + DOMAIN + ">", null, null, null, "mailto:unsub@" + DOMAIN, null);
        MimeMessage m2 = OutgoingMessage.build(session, mailtoOnly, DATE);
        assertThat(m2.getHeader("List-Unsubscribe", null)).isEqualTo("<mailto:unsub@outreach.test>");
        assertThat(m2.getHeader("List-Unsubscribe-Post")).isNull();
    }

    @Test
    void htmlOnlyWhenNoTextIsGiven() throws Exception {
        Spec s = spec();
        MimeMessage m = OutgoingMessage.build(session, new Spec(s.fromAddress(), null, s.to(), null, "Hi", null,
                "<p>Only HTML</p>", s.messageId(), null, null, null, null, null), DATE);
        assertThat(m.getContentType()).isEqualToIgnoringCase("text/html; charset=UTF-8");
        assertThat(m.getContent()).isEqualTo("<p>Only HTML</p>");
        assertThatThrownBy(() -> OutgoingMessage.build(session, new Spec(s.fromAddress(), null, s.to(), null, "Hi", null,
                null, s.messageId(), null, null, null, null, null), DATE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void longReferencesAreFoldedAndKeptInOrder() throws Exception {
        Spec s = spec();
        List<String> refs = List.of("<one.aaaaaaaaaaaaaaaa@outreach.test>", "<two.bbbbbbbbbbbbbbbb@outreach.test>",
                "<three.cccccccccccccccc@outreach.test>", "<four.dddddddddddddddd@outreach.test>");
        Spec threaded = new Spec(s.fromAddress(), s.fromName(), s.to(), s.toName(), "Re: hi", "text", null,
                s.messageId(), refs.getLast(), refs, null, null, null);
        MimeMessage m = OutgoingMessage.build(session, threaded, DATE);
        String wire = new String(OutgoingMessage.bytes(m), StandardCharsets.US_ASCII);
        String refsLine = wire.substring(wire.indexOf("References:"), wire.indexOf("\r\n", wire.indexOf("References:") + 78) + 2);
        assertThat(refsLine).contains("\r\n "); // folded
        assertThat(MimeUtility.unfold(m.getHeader("References", null))).isEqualTo(String.join(" ", refs));
    }

    @Test
    void rejectsHeaderInjectionAndOverridingOwnedHeaders() {
        Spec s = spec();
        assertThatThrownBy(() -> OutgoingMessage.build(session, withExtra(s, Map.of("X-Campaign", "a\r\nBcc: evil@x")), DATE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutgoingMessage.build(session, withExtra(s, Map.of("Message-ID", "<x@y>")), DATE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutgoingMessage.build(session, withExtra(s, Map.of("DKIM-Signature", "v=1")), DATE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutgoingMessage.build(session, withExtra(s, Map.of("Bad Name", "v")), DATE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutgoingMessage.build(session, new Spec(s.fromAddress(), "Evil\r\nBcc: x@y", s.to(), null,
                "s", "t", null, s.messageId(), null, null, null, null, null), DATE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutgoingMessage.build(session, new Spec(s.fromAddress(), null, s.to(), null,
                "s", "t", null, "<no-at-sign>", null, null, null, null, null), DATE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutgoingMessage.build(session, new Spec(s.fromAddress(), null, s.to(), null,
                "s", "t", null, s.messageId(), null, null, "javascript:alert(1)", null, null), DATE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSubjectWithLineBreaksBecomesOneLine() throws Exception {
        Spec s = spec();
        MimeMessage m = OutgoingMessage.build(session, new Spec(s.fromAddress(), null, s.to(), null,
                "Hello\r\nBcc: evil@example.com", "t", null, s.messageId(), null, null, null, null, null), DATE);
        assertThat(m.getSubject()).isEqualTo("Hello Bcc: evil@example.com");
        assertThat(m.getHeader("Bcc")).isNull();
    }

    @Test
    void aSignedMessageVerifiesWithJdkim() throws Exception {
        MimeMessage signed = sign(OutgoingMessage.build(session, spec(), DATE));
        byte[] wire = OutgoingMessage.bytes(signed);

        List<SignatureRecord> results = new DKIMVerifier(dns).verify(new ByteArrayInputStream(wire));
        assertThat(results).hasSize(1);
        SignatureRecord r = results.getFirst();
        assertThat(r.getDToken().toString()).isEqualTo(DOMAIN);
        assertThat(r.getSelector().toString()).isEqualTo(SELECTOR);
        assertThat(r.getHashAlgo().toString()).isEqualToIgnoringCase("sha-256");
        assertThat(r.getHeaderCanonicalisationMethod()).isEqualTo("relaxed");
        assertThat(r.getBodyCanonicalisationMethod()).isEqualTo("relaxed");
        assertThat(r.getHeaders()).map(h -> h.toString().toLowerCase())
                .contains("from", "to", "subject", "date", "message-id", "in-reply-to", "references", "list-unsubscribe",
                        "list-unsubscribe-post", "mime-version", "content-type");

        // the signature header comes first; the Message-ID survived; the bytes are stable
        String ascii = new String(wire, StandardCharsets.US_ASCII);
        assertThat(ascii).startsWith("DKIM-Signature: v=1; a=rsa-sha256; ")
                .contains("\r\nMessage-ID: <a1b2c3.step2@outreach.test>\r\n");
        assertThat(OutgoingMessage.bytes(signed)).isEqualTo(wire);
        signed.saveChanges(); // a careless Transport.send: the signed bytes do not change
        assertThat(OutgoingMessage.bytes(signed)).isEqualTo(wire);
        assertThat(signed.getMessageID()).isEqualTo("<a1b2c3.step2@outreach.test>");
    }

    /** The engine's path: written bytes, signed or frozen as they are; headers read back from the bytes. */
    @Test
    void writtenBytesSignAndFreezeAsTheyAre() throws Exception {
        byte[] written = OutgoingMessage.write(spec(), DATE);
        MimeMessage signed = OutgoingMessage.sign(session, written, DOMAIN, SELECTOR, (RSAPrivateKey) keys.getPrivate());
        byte[] wire = OutgoingMessage.bytes(signed);
        assertThat(new DKIMVerifier(dns).verify(new ByteArrayInputStream(wire))).hasSize(1);
        assertThat(new String(wire, StandardCharsets.US_ASCII)).startsWith("DKIM-Signature: v=1; a=rsa-sha256; ")
                .endsWith(new String(written, StandardCharsets.US_ASCII));
        assertThat(signed.getMessageID()).isEqualTo("<a1b2c3.step2@outreach.test>");
        assertThat(signed.getHeader("DKIM-Signature")).hasSize(1);
        assertThat(((InternetAddress) signed.getFrom()[0]).getAddress()).isEqualTo("john@" + DOMAIN);
        assertThat(((MimeMultipart) signed.getContent()).getCount()).isEqualTo(2);

        MimeMessage frozen = OutgoingMessage.freeze(session, written);
        assertThat(OutgoingMessage.bytes(frozen)).isEqualTo(written);
        frozen.saveChanges();
        assertThat(OutgoingMessage.bytes(frozen)).isEqualTo(written);
        assertThat(frozen.getSubject()).isEqualTo("Quick question about your engines");
        assertThat(frozen.getHeader("List-Unsubscribe-Post")).containsExactly("List-Unsubscribe=One-Click");
        assertThat(((MimeBodyPart) ((MimeMultipart) frozen.getContent()).getBodyPart(0)).getContent().toString())
                .isEqualTo("Hi Ada,\r\nworth a chat?\r\n\r\nJohn");
    }

    @Test
    void aTextOnlyNonAsciiMessageVerifiesToo() throws Exception {
        Spec s = spec();
        MimeMessage signed = sign(OutgoingMessage.build(session, new Spec(s.fromAddress(), "Jörg", s.to(), "Zoë",
                "Grüße 🚀", "Hallo Zoë,\nschöne Grüße!\n", null, s.messageId(), null, null, s.listUnsubscribeUrl(), null, null),
                DATE));
        assertThat(new DKIMVerifier(dns).verify(new ByteArrayInputStream(OutgoingMessage.bytes(signed)))).hasSize(1);
    }

    @Test
    void tamperingBreaksVerification() throws Exception {
        String wire = new String(OutgoingMessage.bytes(sign(OutgoingMessage.build(session, spec(), DATE))),
                StandardCharsets.US_ASCII);
        assertThat(wire).contains("Quick question about your engines").contains("worth a chat?");

        for (String tampered : List.of(
                wire.replace("Quick question about your engines", "Quick question about your engine!"), // signed header
                wire.replace("worth a chat?", "worth a call?"), // body
                wire.replace("https://links.outreach.test/u/abc123", "https://evil.example/u/abc123"), // unsubscribe
                wire.replace("Message-ID: <a1b2c3.step2@", "Message-ID: <zzzzzz.step2@"))) {
            assertThat(tampered).isNotEqualTo(wire);
            assertThatThrownBy(() -> new DKIMVerifier(dns).verify(
                    new ByteArrayInputStream(tampered.getBytes(StandardCharsets.US_ASCII))))
                    .isInstanceOf(FailException.class);
        }
        // a different key (a rotated DNS record) fails too
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        String other = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(g.generateKeyPair().getPublic().getEncoded());
        assertThatThrownBy(() -> new DKIMVerifier((m, s, t) -> List.of(other))
                .verify(new ByteArrayInputStream(wire.getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(FailException.class);
    }

    @Test
    void aSignedMessageStillVerifiesAfterSendMessageThroughGreenMail() throws Exception {
        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", "smtp").dynamicPort());
        greenMail.start();
        try {
            Spec s = spec();
            // a line starting with "." is dot-stuffed on the wire and must come back intact
            Spec dotted = new Spec(s.fromAddress(), s.fromName(), s.to(), s.toName(), s.subject(),
                    "Hi Ada,\n.this line starts with a dot\n.\nend", s.htmlBody(), s.messageId(), s.inReplyTo(),
                    s.references(), s.listUnsubscribeUrl(), s.listUnsubscribeMailto(), s.extraHeaders());
            MimeMessage signed = sign(OutgoingMessage.build(session, dotted, DATE));
            Properties props = new Properties();
            props.put("mail.smtp.host", "127.0.0.1");
            props.put("mail.smtp.port", Integer.toString(greenMail.getSmtp().getPort()));
            Session smtp = Session.getInstance(props);
            try (Transport t = smtp.getTransport("smtp")) {
                t.connect();
                t.sendMessage(signed, new Address[] {new InternetAddress("ada@example.org")});
            }
            assertThat(greenMail.waitForIncomingEmail(5_000, 1)).isTrue();
            MimeMessage received = greenMail.getReceivedMessages()[0];
            byte[] receivedBytes = OutgoingMessage.bytes(received);

            assertThat(received.getMessageID()).isEqualTo("<a1b2c3.step2@outreach.test>");
            assertThat(new String(receivedBytes, StandardCharsets.US_ASCII)).contains("\r\n.this line starts with a dot\r\n.\r\nend");
            List<SignatureRecord> results = new DKIMVerifier(dns).verify(new ByteArrayInputStream(receivedBytes));
            assertThat(results).hasSize(1);
            assertThat(results.getFirst().getDToken().toString()).isEqualTo(DOMAIN);
        } finally {
            greenMail.stop();
        }
    }

    /**
     * The direct writer the engine uses gives, byte for byte, what the Jakarta Mail message gives:
     * for the usual spec, text-only, HTML-only, non-ASCII names and subjects (encoded words),
     * quoted-printable and base64 bodies, long lines, long folded references and extra headers,
     * then for 500 specs mixed at random from such pieces.
     */
    @Test
    void theDirectWriterGivesExactlyTheBytesOfTheBuiltMessage() throws Exception {
        String boundary = "=_abcdefghijklmnopqrstuvwx";
        Spec s = spec();
        List<Spec> specs = new java.util.ArrayList<>(List.of(s,
                new Spec(s.fromAddress(), null, s.to(), null, "Hallo", "Schöne Grüße", null, s.messageId(), null, null, null, null, null),
                new Spec(s.fromAddress(), "José Müller", s.to(), "Zoë \"Z\" O'Brien, PhD", "Привет 🚀 " + "long subject ".repeat(12),
                        null, "<p>日本語のテキスト</p>\n".repeat(30), s.messageId(), null, null, s.listUnsubscribeUrl(), null, Map.of())));
        String[] subjects = {"", "Quick question", "Grüße aus Köln", "Привет, как дела? Привет, как дела? Привет, как дела?",
                "a".repeat(200), "emoji \uD83D\uDE80 and \"quotes\", commas; semicolons", "Re: earlier \t tabbed"};
        String[] names = {null, "", "Sam", "Sam Miller", "Miller, Sam", "José Müller", "Łukasz \"Lu\" Żółw", "名前"};
        String[] bodies = {null, "", "plain ascii\nline two\ttab", "Grüße aus Köln,\r\nschöne Grüße", "Привет, как дела?\n".repeat(20),
                "x".repeat(999), "x".repeat(998), "trailing space \nand tab\t\n", ".starts with a dot\n.\nend", "=equals= and ?=\n",
                "mixed\r\n" + "é".repeat(600) + "\r\n" + "a".repeat(400), "<p>Hi {{firstName}}</p>\n<p>" + "word ".repeat(300) + "</p>"};
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 500; i++) {
            String text = bodies[random.nextInt(bodies.length)];
            String html = bodies[random.nextInt(bodies.length)];
            if (text == null && html == null) text = "fallback";
            int refs = random.nextInt(12);
            List<String> references = new java.util.ArrayList<>();
            for (int r = 0; r < refs; r++) references.add("<ref" + r + "." + "x".repeat(random.nextInt(40)) + "@" + DOMAIN + ">");
            Map<String, String> extra = new LinkedHashMap<>();
            if (random.nextBoolean()) extra.put("X-O2D-Send", "snd_" + i);
            if (random.nextInt(4) == 0) extra.put("X-Note", subjects[random.nextInt(subjects.length)].replace("\t", " "));
            specs.add(new Spec("sender" + i + "@" + DOMAIN, names[random.nextInt(names.length)], "to" + i + "@example.org",
                    names[random.nextInt(names.length)], subjects[random.nextInt(subjects.length)], text, html,
                    "<m" + i + "@" + DOMAIN + ">", refs > 0 ? references.getLast() : null, references,
                    random.nextBoolean() ? "https://links." + DOMAIN + "/u/" + "t".repeat(random.nextInt(900)) : null,
                    random.nextBoolean() ? "unsubscribe@" + DOMAIN + "?subject=unsubscribe" : null, extra));
        }
        for (Spec spec : specs) {
            byte[] expected = OutgoingMessage.bytes(OutgoingMessage.build(session, spec, DATE, boundary));
            assertThat(new String(OutgoingMessage.write(spec, DATE, boundary), StandardCharsets.ISO_8859_1))
                    .as("%s / %s", spec.subject(), spec.fromName())
                    .isEqualTo(new String(expected, StandardCharsets.ISO_8859_1));
        }
    }

    private static MimeMessage sign(MimeMessage m) throws Exception {
        return OutgoingMessage.sign(m, DOMAIN, SELECTOR, (RSAPrivateKey) keys.getPrivate());
    }

    private static Spec withExtra(Spec s, Map<String, String> extra) {
        return new Spec(s.fromAddress(), s.fromName(), s.to(), s.toName(), s.subject(), s.textBody(), s.htmlBody(),
                s.messageId(), s.inReplyTo(), s.references(), s.listUnsubscribeUrl(), s.listUnsubscribeMailto(), extra);
    }
}
