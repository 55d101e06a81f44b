package dev.outreach2day.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.mailsync.BounceParser.Bounce;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Raw notices modelled on what the real MTAs send (headers, wording and layout), with the
 * addresses changed: alice@sender.test is our sending mailbox.
 */
class BounceParserTest {

    static MimeMessage message(String raw) {
        return message(raw.getBytes(StandardCharsets.UTF_8));
    }

    static MimeMessage message(byte[] raw) {
        try {
            return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Bounce bounce(String raw) {
        Optional<Bounce> b = BounceParser.parse(message(raw));
        assertThat(b).as("a bounce").isPresent();
        return b.orElseThrow();
    }

    static void notABounce(String raw) {
        assertThat(BounceParser.parse(message(raw))).as("not a bounce").isEmpty();
    }

    // ------------------------------------------------------------------------------------------
    // RFC 3464 reports
    // ------------------------------------------------------------------------------------------

    static final String POSTFIX_DSN = """
            Return-Path: <>
            X-Original-To: alice@sender.test
            Delivered-To: alice@sender.test
            Received: by mail.sender.test (Postfix)
                id 4YXZ1b2QxLz9; Tue, 14 Jan 2025 10:00:05 +0000 (UTC)
            Date: Tue, 14 Jan 2025 10:00:05 +0000 (UTC)
            From: MAILER-DAEMON@mail.sender.test (Mail Delivery System)
            Subject: Undelivered Mail Returned to Sender
            To: alice@sender.test
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status;
                boundary="4YXZ1b2QxLz9.1736848805/mail.sender.test"
            Content-Transfer-Encoding: 8bit
            Message-Id: <20250114100005.4YXZ1b2QxLz9@mail.sender.test>

            This is a MIME-encapsulated message.

            --4YXZ1b2QxLz9.1736848805/mail.sender.test
            Content-Description: Notification
            Content-Type: text/plain; charset=us-ascii

            This is the mail system at host mail.sender.test.

            I'm sorry to have to inform you that your message could not
            be delivered to one or more recipients. It's attached below.

            For further assistance, please send mail to postmaster.

            If you do so, please include this problem report. You can
            delete your own text from the attached returned message.

                               The mail system

            <nobody@example.com>: host mx.example.com[203.0.113.25] said: 550 5.1.1
                <nobody@example.com>: Recipient address rejected: User unknown in virtual
                mailbox table (in reply to RCPT TO command)

            --4YXZ1b2QxLz9.1736848805/mail.sender.test
            Content-Description: Delivery report
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mail.sender.test
            X-Postfix-Queue-ID: 4YXZ1b2QxLz9
            X-Postfix-Sender: rfc822; alice@sender.test
            Arrival-Date: Tue, 14 Jan 2025 10:00:03 +0000 (UTC)

            Final-Recipient: rfc822; nobody@example.com
            Original-Recipient: rfc822;Nobody@Example.com
            Action: failed
            Status: 5.1.1
            Remote-MTA: dns; mx.example.com
            Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.com>: Recipient address
                rejected: User unknown in virtual mailbox table

            --4YXZ1b2QxLz9.1736848805/mail.sender.test
            Content-Description: Undelivered Message
            Content-Type: message/rfc822
            Content-Transfer-Encoding: 8bit

            Return-Path: <alice@sender.test>
            Received: from localhost (localhost [127.0.0.1])
                by mail.sender.test (Postfix) with ESMTPSA id 4YXZ1b2QxLz9
                for <nobody@example.com>; Tue, 14 Jan 2025 10:00:03 +0000 (UTC)
            DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.test; s=o2d;
                h=from:to:subject:date:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=abc
            From: Alice Sender <alice@sender.test>
            To: nobody@example.com
            Subject: Quick question about Example Co
            Date: Tue, 14 Jan 2025 10:00:02 +0000
            Message-ID: <o2d.7f3a9c.1@sender.test>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=UTF-8

            Hi there, do you have 10 minutes this week?

            --4YXZ1b2QxLz9.1736848805/mail.sender.test--
            """;

    @Test
    void postfixRfc3464Report() {
        Bounce b = bounce(POSTFIX_DSN);
        assertThat(b.recipient()).isEqualTo("nobody@example.com");
        assertThat(b.status()).isEqualTo("5.1.1");
        assertThat(b.hard()).isTrue();
        assertThat(b.diagnostic()).isEqualTo(
                "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table");
        assertThat(b.originalMessageId()).isEqualTo("<o2d.7f3a9c.1@sender.test>");
        assertThat(b.reporter()).isEqualTo("mail.sender.test");

        MimeMessage m = message(POSTFIX_DSN);
        assertThat(BounceParser.isSystemMail(m)).isTrue();
        assertThat(BounceParser.isAutoReply(m)).as("Auto-Submitted: auto-replied on a DSN").isFalse();
    }

    @Test
    void gmailReportWithRfc822HeadersPart() {
        Bounce b = bounce("""
                Delivered-To: alice@sender.test
                Return-Path: <>
                Received: by mail-sor-f69.google.com with SMTP id 2adb3069b0e04-50e7a6a5b8dsor1234567e87.2
                        for <alice@sender.test>; Wed, 15 Jan 2025 02:13:44 -0800 (PST)
                From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
                To: alice@sender.test
                Auto-Submitted: auto-replied
                Subject: Delivery Status Notification (Failure)
                References: <o2d.gm.7@sender.test>
                In-Reply-To: <o2d.gm.7@sender.test>
                X-Failed-Recipients: no.such.user@gmail.com
                Message-ID: <65a5064a.050a0220.6d2c7.0a1c.GMR@mx.google.com>
                Date: Wed, 15 Jan 2025 02:13:44 -0800 (PST)
                MIME-Version: 1.0
                Content-Type: multipart/report; boundary="000000000000d9a2d4060ef3a4b1"; report-type=delivery-status

                --000000000000d9a2d4060ef3a4b1
                Content-Type: multipart/related; boundary="000000000000d9a9ca060ef3a4b2"

                --000000000000d9a9ca060ef3a4b2
                Content-Type: multipart/alternative; boundary="000000000000d9a9d3060ef3a4b3"

                --000000000000d9a9d3060ef3a4b3
                Content-Type: text/plain; charset="UTF-8"


                ** Address not found **

                Your message wasn't delivered to no.such.user@gmail.com because the address couldn't be found, or is unable to receive mail.

                Learn more here: https://support.google.com/mail/?p=NoSuchUser

                The response was:

                The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser

                --000000000000d9a9d3060ef3a4b3
                Content-Type: text/html; charset="UTF-8"

                <html><body><p><b>Address not found</b></p><p>Your message wasn't delivered to <a style=3D"color:#212121" href=3D"mailto:no.such.user@gmail.com">no.such.user@gmail.com</a> because the address couldn't be found.</p></body></html>

                --000000000000d9a9d3060ef3a4b3--
                --000000000000d9a9ca060ef3a4b2--
                --000000000000d9a2d4060ef3a4b1
                Content-Type: message/delivery-status

                Reporting-MTA: dns; googlemail.com
                Received-From-MTA: dns; alice@sender.test
                Arrival-Date: Wed, 15 Jan 2025 02:13:43 -0800 (PST)
                X-Original-Message-ID: <o2d.gm.7@sender.test>

                Final-Recipient: rfc822; no.such.user@gmail.com
                Action: failed
                Status: 5.1.1
                Diagnostic-Code: smtp; The email account that you tried to reach does not exist. Please try
                 double-checking the recipient's email address for typos or
                 unnecessary spaces. For more information, go to
                 https://support.google.com/mail/?p=NoSuchUser a1-20020a05600c000000b0040e0000000si1234567wmb.12 - gsmtp
                Last-Attempt-Date: Wed, 15 Jan 2025 02:13:44 -0800 (PST)

                --000000000000d9a2d4060ef3a4b1
                Content-Type: text/rfc822-headers

                DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.test; s=o2d; t=1705313623; x=1705918423
                From: Alice Sender <alice@sender.test>
                Date: Wed, 15 Jan 2025 11:13:42 +0100
                Message-ID: <o2d.gm.7@sender.test>
                Subject: Quick question
                To: no.such.user@gmail.com
                Content-Type: multipart/alternative; boundary="000000000000c8f1b9060ef3a4a0"

                --000000000000d9a2d4060ef3a4b1--
                """);
        assertThat(b.recipient()).isEqualTo("no.such.user@gmail.com");
        assertThat(b.status()).isEqualTo("5.1.1");
        assertThat(b.hard()).isTrue();
        assertThat(b.diagnostic()).startsWith("The email account that you tried to reach does not exist. Please try double-checking")
                .endsWith("- gsmtp");
        assertThat(b.originalMessageId()).isEqualTo("<o2d.gm.7@sender.test>");
        assertThat(b.reporter()).isEqualTo("googlemail.com");
    }

    @Test
    void finalFailureWithA4xxStatusIsASoftBounce() {
        Bounce b = bounce("""
                From: postmaster@outlook.example
                To: alice@sender.test
                Subject: Undeliverable: Follow-up
                Content-Type: multipart/report; report-type=delivery-status; boundary="soft"

                --soft
                Content-Type: text/plain; charset=us-ascii

                Delivery has failed to these recipients or groups:

                carol@busy.example
                The recipient's mailbox is full and can't accept messages now.

                --soft
                Content-Type: message/delivery-status

                Reporting-MTA: dns;DM6PR01MB1234.prod.outlook.example
                Received-From-MTA: dns;mail.sender.test
                Arrival-Date: Wed, 15 Jan 2025 08:00:00 +0000

                Final-Recipient: rfc822;carol@busy.example
                Action: failed
                Status: 4.4.7
                Diagnostic-Code: smtp;452 4.2.2 Mailbox full; retry timeout exceeded

                --soft
                Content-Type: message/rfc822

                From: alice@sender.test
                To: carol@busy.example
                Subject: Follow-up
                Message-ID: <o2d.soft.8@sender.test>

                Hello Carol
                --soft--
                """);
        assertThat(b.recipient()).isEqualTo("carol@busy.example");
        assertThat(b.status()).isEqualTo("4.4.7");
        assertThat(b.hard()).isFalse();
        assertThat(b.diagnostic()).isEqualTo("452 4.2.2 Mailbox full; retry timeout exceeded");
        assertThat(b.originalMessageId()).isEqualTo("<o2d.soft.8@sender.test>");
        assertThat(b.reporter()).isEqualTo("dm6pr01mb1234.prod.outlook.example");
    }

    @Test
    void delayedReportIsNotABounce() {
        String raw = """
                Return-Path: <>
                Date: Wed, 15 Jan 2025 14:00:05 +0000 (UTC)
                From: MAILER-DAEMON@mail.sender.test (Mail Delivery System)
                Subject: Delayed Mail (still being retried)
                To: alice@sender.test
                Auto-Submitted: auto-replied
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status;
                    boundary="9A1B2C3D.1736949605/mail.sender.test"

                --9A1B2C3D.1736949605/mail.sender.test
                Content-Description: Notification
                Content-Type: text/plain; charset=us-ascii

                This is the mail system at host mail.sender.test.

                ####################################################################
                # THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
                ####################################################################

                Your message could not be delivered for more than 4 hour(s).
                It will be retried until it is 5 day(s) old.

                <slow@greylist.example>: host mx.greylist.example[198.51.100.9] said: 451 4.7.1
                    Greylisted, try again later (in reply to RCPT TO command)

                --9A1B2C3D.1736949605/mail.sender.test
                Content-Description: Delivery report
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mail.sender.test
                X-Postfix-Queue-ID: 9A1B2C3D
                Arrival-Date: Wed, 15 Jan 2025 10:00:01 +0000 (UTC)

                Final-Recipient: rfc822; slow@greylist.example
                Original-Recipient: rfc822;slow@greylist.example
                Action: delayed
                Status: 4.7.1
                Remote-MTA: dns; mx.greylist.example
                Diagnostic-Code: smtp; 451 4.7.1 Greylisted, try again later
                Will-Retry-Until: Mon, 20 Jan 2025 10:00:01 +0000 (UTC)

                --9A1B2C3D.1736949605/mail.sender.test
                Content-Description: Undelivered Message Headers
                Content-Type: text/rfc822-headers

                From: alice@sender.test
                To: slow@greylist.example
                Message-ID: <o2d.delay.9@sender.test>

                --9A1B2C3D.1736949605/mail.sender.test--
                """;
        notABounce(raw);
        assertThat(BounceParser.isSystemMail(message(raw))).isTrue();
        assertThat(BounceParser.isAutoReply(message(raw))).isFalse();
    }

    @Test
    void reportWithOneDelayedAndOneFailedRecipientReportsTheFailedOne() {
        Bounce b = bounce("""
                From: MAILER-DAEMON@relay.example.net
                To: alice@sender.test
                Subject: Undelivered Mail Returned to Sender
                Content-Type: multipart/report; report-type="delivery-status"; boundary=rb

                --rb
                Content-Type: text/plain

                Some recipients failed.
                --rb
                Content-Type: message/delivery-status
                Content-Transfer-Encoding: base64

                {{DSN}}
                --rb--
                """.replace("{{DSN}}", Base64.getMimeEncoder().encodeToString("""
                Reporting-MTA: dns; relay.example.net

                Final-Recipient: rfc822; later@example.org
                Action: delayed
                Status: 4.4.1

                Final-Recipient: rfc822; gone@example.org
                Action: failed (bad destination mailbox address)
                Status: 5.0.0 (permanent failure)
                Diagnostic-Code: smtp; 550 5.1.1 mailbox "gone" does not exist
                """.getBytes(StandardCharsets.US_ASCII))));
        assertThat(b.recipient()).isEqualTo("gone@example.org");
        assertThat(b.status()).as("the precise status of the diagnostic beats 5.0.0").isEqualTo("5.1.1");
        assertThat(b.hard()).isTrue();
        assertThat(b.originalMessageId()).isNull();
        assertThat(b.reporter()).isEqualTo("relay.example.net");
    }

    @Test
    void longDiagnosticsAreCutAt500Characters() {
        String longText = "550 5.7.1 " + "Message rejected by policy. ".repeat(40);
        Bounce b = bounce("""
                From: postmaster@strict.example
                To: alice@sender.test
                Subject: Delivery Status Notification (Failure)
                Content-Type: multipart/report; report-type=delivery-status; boundary=x

                --x
                Content-Type: text/plain

                Your message was rejected.
                --x
                Content-Type: message/delivery-status

                Reporting-MTA: dns; strict.example

                Final-Recipient: rfc822; someone@strict.example
                Action: failed
                Status: 5.7.1
                Diagnostic-Code: smtp; {{LONG}}
                --x--
                """.replace("{{LONG}}", longText));
        assertThat(b.diagnostic()).hasSize(500).startsWith("550 5.7.1 Message rejected by policy.");
        assertThat(b.status()).isEqualTo("5.7.1");
    }

    // ------------------------------------------------------------------------------------------
    // Non-standard notices
    // ------------------------------------------------------------------------------------------

    static final String EXIM = """
            Return-path: <>
            Envelope-to: alice@sender.test
            Delivery-date: Tue, 14 Jan 2025 10:00:06 +0000
            Received: from mailnull by mx.sender.test with local (Exim 4.96.2)
                id 1tXabc-000123-AB
                for alice@sender.test;
                Tue, 14 Jan 2025 10:00:05 +0000
            X-Failed-Recipients: nobody@example.com
            Auto-Submitted: auto-replied
            From: Mail Delivery System <Mailer-Daemon@mx.sender.test>
            To: alice@sender.test
            References: <o2d.exim.1@sender.test>
            Content-Type: text/plain; charset=us-ascii
            Subject: Mail delivery failed: returning message to sender
            Message-Id: <E1tXabc-000123-AB@mx.sender.test>
            Date: Tue, 14 Jan 2025 10:00:05 +0000

            This message was created automatically by mail delivery software.

            A message that you sent could not be delivered to one or more of its
            recipients. This is a permanent error. The following address(es) failed:

              nobody@example.com
                host mx.example.com [203.0.113.25]
                SMTP error from remote mail server after RCPT TO:<nobody@example.com>:
                550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown

            ------ This is a copy of the message, including all the headers. ------

            Return-path: <alice@sender.test>
            Received: from [198.51.100.1] (helo=client)
                by mx.sender.test with esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384
                (Exim 4.96.2)
                (envelope-from <alice@sender.test>)
                id 1tXabb-000122-9Z
                for nobody@example.com;
                Tue, 14 Jan 2025 10:00:04 +0000
            From: Alice Sender <alice@sender.test>
            To: nobody@example.com
            Subject: Quick question
            Message-ID: <o2d.exim.1@sender.test>
            Date: Tue, 14 Jan 2025 10:00:03 +0000
            MIME-Version: 1.0
            Content-Type: text/plain; charset=UTF-8

            Hi, do you have a minute? Reply to alice@sender.test.
            """;

    @Test
    void eximMailDeliveryFailed() {
        Bounce b = bounce(EXIM);
        assertThat(b.recipient()).isEqualTo("nobody@example.com");
        assertThat(b.status()).isEqualTo("5.1.1");
        assertThat(b.hard()).isTrue();
        assertThat(b.diagnostic()).isEqualTo("550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown");
        assertThat(b.originalMessageId()).isEqualTo("<o2d.exim.1@sender.test>");
        assertThat(b.reporter()).isEqualTo("mailer-daemon@mx.sender.test");
        assertThat(BounceParser.isAutoReply(message(EXIM))).isFalse();
        assertThat(BounceParser.isSystemMail(message(EXIM))).isTrue();
    }

    @Test
    void eximWithoutXFailedRecipientsFindsTheRecipientInTheText() {
        Bounce b = bounce(EXIM.replace("X-Failed-Recipients: nobody@example.com\n", ""));
        assertThat(b.recipient()).isEqualTo("nobody@example.com");
        assertThat(b.status()).isEqualTo("5.1.1");
    }

    @Test
    void postfixWithoutReportParts() {
        Bounce b = bounce("""
                Return-Path: <>
                Date: Thu, 16 Jan 2025 09:12:44 +0100 (CET)
                From: MAILER-DAEMON@mail.partner.example (Mail Delivery System)
                Subject: Undelivered Mail Returned to Sender
                To: alice@sender.test
                Content-Type: text/plain; charset=us-ascii

                This is the mail system at host mail.partner.example.

                I'm sorry to have to inform you that your message could not
                be delivered to one or more recipients. It's attached below.

                For further assistance, please send mail to postmaster.

                                   The mail system

                <jane.doe@example.org>: host mx1.example.org[198.51.100.7] said: 552 5.2.2
                    <jane.doe@example.org>: Mailbox full (in reply to RCPT TO command)

                ------ Original message ------

                Return-Path: <alice@sender.test>
                From: Alice Sender <alice@sender.test>
                To: Jane Doe <jane.doe@example.org>
                Subject: Partnership
                Message-ID: <o2d.pf.2@sender.test>

                Dear Jane, write back to alice@sender.test
                """);
        assertThat(b.recipient()).isEqualTo("jane.doe@example.org");
        assertThat(b.status()).isEqualTo("5.2.2");
        assertThat(b.hard()).isTrue();
        assertThat(b.diagnostic()).isEqualTo(
                "host mx1.example.org[198.51.100.7] said: 552 5.2.2 <jane.doe@example.org>: Mailbox full (in reply to RCPT TO command)");
        assertThat(b.originalMessageId()).isEqualTo("<o2d.pf.2@sender.test>");
    }

    @Test
    void qmailFailureNotice() {
        Bounce b = bounce("""
                Return-Path: <>
                Received: (qmail 12345 invoked for bounce); 14 Jan 2025 10:00:05 -0000
                Date: 14 Jan 2025 10:00:05 -0000
                From: MAILER-DAEMON@mail.example.net
                To: alice@sender.test
                Subject: failure notice

                Hi. This is the qmail-send program at mail.example.net.
                I'm afraid I wasn't able to deliver your message to the following addresses.
                This is a permanent error; I've given up. Sorry it didn't work out.

                <bob@example.net>:
                203.0.113.9 does not like recipient.
                Remote host said: 550 5.1.1 <bob@example.net>... User unknown
                Giving up on 203.0.113.9.

                --- Below this line is a copy of the message.

                Return-Path: <alice@sender.test>
                Received: (qmail 12340 invoked from network); 14 Jan 2025 10:00:04 -0000
                From: Alice <alice@sender.test>
                To: bob@example.net
                Subject: Hello Bob
                Message-ID: <o2d.qmail.3@sender.test>
                Date: Tue, 14 Jan 2025 10:00:03 +0000

                Hi Bob
                """);
        assertThat(b.recipient()).isEqualTo("bob@example.net");
        assertThat(b.status()).isEqualTo("5.1.1");
        assertThat(b.hard()).isTrue();
        assertThat(b.diagnostic()).isEqualTo("Remote host said: 550 5.1.1 <bob@example.net>... User unknown");
        assertThat(b.originalMessageId()).isEqualTo("<o2d.qmail.3@sender.test>");
        assertThat(b.reporter()).isEqualTo("mailer-daemon@mail.example.net");
    }

    @Test
    void qmailLocalFailureWithoutSmtpCode() {
        Bounce b = bounce("""
                Return-Path: <>
                From: MAILER-DAEMON@mail.example.net
                To: alice@sender.test
                Subject: failure notice

                Hi. This is the qmail-send program at mail.example.net.
                I'm afraid I wasn't able to deliver your message to the following addresses.
                This is a permanent error; I've given up. Sorry it didn't work out.

                <carl@example.net>:
                Sorry, no mailbox here by that name. (#5.1.1)

                --- Below this line is a copy of the message.

                From: alice@sender.test
                To: carl@example.net
                Message-ID: <o2d.qmail.4@sender.test>
                """);
        assertThat(b.recipient()).isEqualTo("carl@example.net");
        assertThat(b.status()).isEqualTo("5.1.1");
        assertThat(b.hard()).isTrue();
        assertThat(b.diagnostic()).isEqualTo("Sorry, no mailbox here by that name. (#5.1.1)");
    }

    @Test
    void exchangeUndeliverableNdr() {
        Bounce b = bounce("""
                Received: from EXCH01.corp.example.com (10.0.0.5) by EXCH01.corp.example.com
                 (10.0.0.5) with Microsoft SMTP Server id 15.1.2507.39; Wed, 15 Jan 2025 10:20:01 +0100
                From: postmaster@corp.example.com
                To: alice@sender.test
                Date: Wed, 15 Jan 2025 10:20:01 +0100
                Subject: Undeliverable: Quick question about Example Co
                Thread-Topic: Quick question about Example Co
                Message-ID: <4b6f5c2e-1f5a-4a7e-9d1c-ndr@EXCH01.corp.example.com>
                Auto-Submitted: auto-replied
                X-MS-Exchange-Message-Is-Ndr:
                Content-Language: en-US
                Content-Type: multipart/mixed; boundary="_000_ndr_"
                MIME-Version: 1.0

                --_000_ndr_
                Content-Type: text/plain; charset="us-ascii"

                Delivery has failed to these recipients or groups:

                John Smith (john.smith@corp.example.com)
                The e-mail address you entered couldn't be found. Please check the recipient's e-mail address and try to resend the message. If the problem continues, please contact your helpdesk.

                Diagnostic information for administrators:

                Generating server: EXCH01.corp.example.com

                john.smith@corp.example.com
                #550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##

                Original message headers:

                Received: from mail.sender.test (203.0.113.5) by EXCH01.corp.example.com
                 (10.0.0.5) with Microsoft SMTP Server id 15.1.2507.39; Wed, 15 Jan 2025 10:20:00 +0100
                From: Alice Sender <alice@sender.test>
                To: John Smith <john.smith@corp.example.com>
                Subject: Quick question about Example Co
                Date: Wed, 15 Jan 2025 09:19:58 +0000
                Message-ID: <o2d.exch.4@sender.test>
                MIME-Version: 1.0

                --_000_ndr_--
                """);
        assertThat(b.recipient()).isEqualTo("john.smith@corp.example.com");
        assertThat(b.status()).isEqualTo("5.1.1");
        assertThat(b.hard()).isTrue();
        assertThat(b.diagnostic()).isEqualTo("550 5.1.1 RESOLVER.ADR.RecipNotFound; not found");
        assertThat(b.originalMessageId()).isEqualTo("<o2d.exch.4@sender.test>");
        assertThat(b.reporter()).isEqualTo("postmaster@corp.example.com");
    }

    @Test
    void exchangeOnlineHtmlOnlyNdr() {
        Bounce b = bounce("""
                From: Microsoft Outlook
                 <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@tenant.example>
                To: <alice@sender.test>
                Subject: Undeliverable: Intro
                Content-Type: text/html; charset="utf-8"
                Content-Transfer-Encoding: quoted-printable

                <html><body><p><b><font color=3D"#000000" size=3D"3">Your message to =
                <a href=3D"mailto:dana@tenant.example">dana@tenant.example</a> couldn't b=
                e delivered.</font></b></p>
                <p>dana wasn't found at tenant.example.</p>
                <p><b>Diagnostic information for administrators:</b></p>
                <p>Generating server: AM0PR01MB1234.eurprd01.prod.outlook.example<br>
                dana@tenant.example<br>
                Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'</p>
                </body></html>
                """);
        assertThat(b.recipient()).isEqualTo("dana@tenant.example");
        assertThat(b.status()).isEqualTo("5.1.10");
        assertThat(b.hard()).isTrue();
        assertThat(b.diagnostic()).isEqualTo(
                "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup");
    }

    @Test
    void gmailDeliveryStatusNotificationWithoutReportPart() {
        Bounce b = bounce("""
                From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
                To: alice@sender.test
                Subject: Delivery Status Notification (Failure)
                Date: Wed, 15 Jan 2025 02:13:44 -0800 (PST)
                MIME-Version: 1.0
                Content-Type: multipart/alternative; boundary="000000000000abc"

                --000000000000abc
                Content-Type: text/plain; charset="UTF-8"

                ** Address not found **

                Your message wasn't delivered to Nobody@Example.com because the address couldn't be found, or is unable to receive mail.

                Learn more here: https://support.google.com/mail/?p=NoSuchUser

                The response was:

                550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser d2-20020a170902cec200b001d4b7cd1e9bsi1234567plg.330 - gsmtp

                --000000000000abc
                Content-Type: text/html; charset="UTF-8"

                <html><body><b>Address not found</b></body></html>
                --000000000000abc--
                """);
        assertThat(b.recipient()).isEqualTo("nobody@example.com");
        assertThat(b.status()).isEqualTo("5.1.1");
        assertThat(b.hard()).isTrue();
        assertThat(b.diagnostic()).startsWith("550 5.1.1 The email account that you tried to reach does not exist.")
                .endsWith("- gsmtp");
        assertThat(b.originalMessageId()).isNull();
        assertThat(b.reporter()).isEqualTo("mailer-daemon@googlemail.com");
    }

    @Test
    void germanUnzustellbar() {
        Bounce b = bounce("""
                From: Microsoft Outlook <postmaster@firma.example.de>
                To: Alice Sender <alice@sender.test>
                Subject: =?iso-8859-1?Q?Unzustellbar:_Kurze_Frage_zu_Ihrem_Angebot?=
                Date: Thu, 16 Jan 2025 11:02:13 +0100
                MIME-Version: 1.0
                Content-Type: text/plain; charset="iso-8859-1"
                Content-Transfer-Encoding: quoted-printable

                Ihre Nachricht hat folgende Empf=E4nger nicht erreicht:

                Max Mustermann (max.mustermann@firma.example.de)
                Die eingegebene E-Mail-Adresse wurde nicht gefunden. =DCberpr=FCfen Sie d=
                ie E-Mail-Adresse des Empf=E4ngers, und versuchen Sie erneut, die Nachrich=
                t zu senden.

                Diagnoseinformationen f=FCr Administratoren:

                Generierender Server: MAIL01.firma.example.de

                max.mustermann@firma.example.de
                Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'

                Urspr=FCngliche Nachrichtenkopfzeilen:

                Received: from mail.sender.test (203.0.113.5) by MAIL01.firma.example.de
                From: Alice Sender <alice@sender.test>
                To: Max Mustermann <max.mustermann@firma.example.de>
                Subject: Kurze Frage zu Ihrem Angebot
                Message-ID: <o2d.de.5@sender.test>
                """);
        assertThat(b.recipient()).isEqualTo("max.mustermann@firma.example.de");
        assertThat(b.status()).isEqualTo("5.1.1");
        assertThat(b.hard()).isTrue();
        assertThat(b.diagnostic()).isEqualTo("550 5.1.1 RESOLVER.ADR.RecipNotFound; not found");
        assertThat(b.originalMessageId()).isEqualTo("<o2d.de.5@sender.test>");
    }

    @Test
    void frenchNonRemis() {
        String body = """
                La remise aux destinataires ou groupes suivants a échoué :

                Claire Dupont (claire.dupont@societe.example.fr)
                L'adresse de messagerie que vous avez entrée est introuvable. Vérifiez l'adresse du destinataire et renvoyez le message.

                Informations de diagnostic pour les administrateurs :

                Serveur de génération : SRV-MAIL.societe.example.fr

                claire.dupont@societe.example.fr
                #550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##

                En-têtes de message d'origine :

                From: Alice Sender <alice@sender.test>
                To: <claire.dupont@societe.example.fr>
                Subject: Votre demande
                Message-ID: <o2d.fr.6@sender.test>
                """;
        Bounce b = bounce("""
                From: postmaster@societe.example.fr
                To: alice@sender.test
                Subject: =?utf-8?B?Tm9uIHJlbWlzIDogVm90cmUgZGVtYW5kZQ==?=
                MIME-Version: 1.0
                Content-Type: text/plain; charset=utf-8
                Content-Transfer-Encoding: base64

                """ + Base64.getMimeEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)) + "\n");
        assertThat(b.recipient()).isEqualTo("claire.dupont@societe.example.fr");
        assertThat(b.status()).isEqualTo("5.1.1");
        assertThat(b.hard()).isTrue();
        assertThat(b.originalMessageId()).isEqualTo("<o2d.fr.6@sender.test>");
    }

    @Test
    void eximDelayWarningIsNotABounce() {
        notABounce("""
                Return-path: <>
                From: Mail Delivery System <Mailer-Daemon@mx.sender.test>
                To: alice@sender.test
                Auto-Submitted: auto-replied
                Subject: Warning: message 1tXabc-000123-AB delayed 24 hours
                Content-Type: text/plain; charset=us-ascii

                This message was created automatically by mail delivery software.
                A message that you sent has not yet been delivered to one or more of its
                recipients after more than 24 hours on the queue on mx.sender.test.

                The message identifier is:     1tXabc-000123-AB
                The subject of the message is: Quick question

                The address to which the message has not yet been delivered is:

                  slow@greylist.example
                    host mx.greylist.example [198.51.100.9]
                    Delay reason: SMTP error from remote mail server after RCPT TO:<slow@greylist.example>:
                    451 4.7.1 Greylisted, please try again later

                No action is required on your part. Delivery attempts will continue for
                some time, and this warning may be repeated at intervals if the message
                remains undelivered. Eventually the mail delivery software will give up,
                and when that happens, the message will be returned to you.
                """);
    }

    @Test
    void gmailDelayIsNotABounce() {
        notABounce("""
                From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
                To: alice@sender.test
                Subject: Delivery Status Notification (Delay)
                Content-Type: text/plain; charset="UTF-8"

                ** Message not delivered yet **

                There was a temporary problem delivering your message to slow@example.com. Gmail will retry for 46 more hours. You'll be notified if the delivery fails permanently.

                The response was:

                The recipient server did not accept our requests to connect.
                """);
    }

    // ------------------------------------------------------------------------------------------
    // Auto-replies, system mail and ordinary replies
    // ------------------------------------------------------------------------------------------

    @Test
    void vacationAutoReply() {
        String raw = """
                From: Bob Prospect <bob@prospect.example>
                To: alice@sender.test
                Subject: Out of Office: Quick question
                Date: Wed, 15 Jan 2025 10:00:00 +0100
                Message-ID: <vacation.1@prospect.example>
                In-Reply-To: <o2d.1@sender.test>
                Auto-Submitted: auto-replied (vacation)
                Content-Type: text/plain; charset=utf-8

                I am out of the office until 20 January with limited access to email.
                Your message was not delivered to my colleagues; for urgent matters call +49 30 1234567.
                """;
        MimeMessage m = message(raw);
        assertThat(BounceParser.isAutoReply(m)).isTrue();
        assertThat(BounceParser.parse(m)).isEmpty();
        assertThat(BounceParser.isSystemMail(m)).isFalse();
    }

    @Test
    void autoReplySignals() {
        String base = """
                From: Bob <bob@prospect.example>
                To: alice@sender.test
                Subject: {{SUBJECT}}
                {{HEADER}}
                Content-Type: text/plain

                Thanks for your email.
                """;
        // Exchange out-of-office: auto-generated plus an auto-reply subject
        assertThat(BounceParser.isAutoReply(message(base.replace("{{SUBJECT}}", "Automatic reply: Intro")
                .replace("{{HEADER}}", "Auto-Submitted: auto-generated\nX-Auto-Response-Suppress: All")))).isTrue();
        assertThat(BounceParser.isAutoReply(message(base.replace("{{SUBJECT}}", "Re: Intro")
                .replace("{{HEADER}}", "X-Autoreply: yes")))).isTrue();
        assertThat(BounceParser.isAutoReply(message(base.replace("{{SUBJECT}}", "Re: Intro")
                .replace("{{HEADER}}", "X-Autorespond: Re: Intro")))).isTrue();
        assertThat(BounceParser.isAutoReply(message(base.replace("{{SUBJECT}}", "Re: Intro")
                .replace("{{HEADER}}", "Precedence: auto_reply")))).isTrue();
        assertThat(BounceParser.isAutoReply(message(base.replace("{{SUBJECT}}", "Abwesenheitsnotiz: Intro")
                .replace("{{HEADER}}", "X-Nothing: 1")))).isTrue();
        assertThat(BounceParser.isAutoReply(message(base.replace("{{SUBJECT}}", "=?UTF-8?Q?R=C3=A9ponse_automatique_:_Intro?=")
                .replace("{{HEADER}}", "X-Nothing: 1")))).isTrue();
        // explicitly not automatic
        assertThat(BounceParser.isAutoReply(message(base.replace("{{SUBJECT}}", "Re: Intro")
                .replace("{{HEADER}}", "Auto-Submitted: no")))).isFalse();
        // a notification is auto-generated but no response: system mail, not an auto-reply
        MimeMessage notification = message(base.replace("{{SUBJECT}}", "Your invoice is ready")
                .replace("{{HEADER}}", "Auto-Submitted: auto-generated"));
        assertThat(BounceParser.isAutoReply(notification)).isFalse();
        assertThat(BounceParser.isSystemMail(notification)).isTrue();
    }

    @Test
    void systemMailSignals() {
        String base = """
                From: {{FROM}}
                To: alice@sender.test
                Subject: News
                {{HEADER}}
                Content-Type: text/plain

                Hello.
                """;
        assertThat(BounceParser.isSystemMail(message(base.replace("{{FROM}}", "Example News <news@example.com>")
                .replace("{{HEADER}}", "Precedence: bulk")))).isTrue();
        assertThat(BounceParser.isSystemMail(message(base.replace("{{FROM}}", "list@example.com")
                .replace("{{HEADER}}", "Precedence: list")))).isTrue();
        assertThat(BounceParser.isSystemMail(message(base.replace("{{FROM}}", "Example <no-reply@example.com>")
                .replace("{{HEADER}}", "X-Nothing: 1")))).isTrue();
        assertThat(BounceParser.isSystemMail(message(base.replace("{{FROM}}", "donotreply@example.com")
                .replace("{{HEADER}}", "X-Nothing: 1")))).isTrue();
        assertThat(BounceParser.isSystemMail(message(base.replace("{{FROM}}", "postmaster@example.com")
                .replace("{{HEADER}}", "X-Nothing: 1")))).isTrue();
        assertThat(BounceParser.isSystemMail(message(base.replace("{{FROM}}", "someone@example.com")
                .replace("{{HEADER}}", "Return-Path: <>")))).isTrue();
        assertThat(BounceParser.isSystemMail(message(base.replace("{{FROM}}", "Jane <jane@example.com>")
                .replace("{{HEADER}}", "X-Nothing: 1")))).isFalse();
        // Precedence: bulk is system mail, not an auto-reply
        assertThat(BounceParser.isAutoReply(message(base.replace("{{FROM}}", "news@example.com")
                .replace("{{HEADER}}", "Precedence: bulk")))).isFalse();
    }

    @Test
    void readReceiptIsSystemMailButNoBounce() {
        String raw = """
                From: Bob <bob@prospect.example>
                To: alice@sender.test
                Subject: Read: Quick question
                Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"

                --mdn
                Content-Type: text/plain

                Your message was read on Wednesday.
                --mdn
                Content-Type: message/disposition-notification

                Reporting-UA: prospect.example; Microsoft Outlook 16.0
                Final-Recipient: rfc822;bob@prospect.example
                Original-Message-ID: <o2d.1@sender.test>
                Disposition: manual-action/MDN-sent-manually; displayed
                --mdn--
                """;
        MimeMessage m = message(raw);
        assertThat(BounceParser.parse(m)).isEmpty();
        assertThat(BounceParser.isSystemMail(m)).isTrue();
        assertThat(BounceParser.isAutoReply(m)).isFalse();
    }

    @Test
    void anOrdinaryReplyIsNeitherBounceNorAutoReplyNorSystemMail() {
        String raw = """
                Return-Path: <john.doe@prospect.example>
                From: "Doe, John" <John.Doe@prospect.example>
                To: Alice Sender <alice@sender.test>
                Subject: Re: Quick question about Example Co
                Date: Wed, 15 Jan 2025 16:45:12 +0100
                Message-ID: <CAF=reply.42@mail.prospect.example>
                In-Reply-To: <o2d.7f3a9c.1@sender.test>
                References: <o2d.7f3a9c.1@sender.test>
                MIME-Version: 1.0
                Content-Type: text/plain; charset=utf-8

                Hi Alice,

                sure, let's talk on Thursday. By the way, your previous email could not be
                delivered to my colleague - the address was wrong, try jane.roe@prospect.example.
                Mail delivery failed for her old address, it was permanently disabled.

                John

                On Tue, 14 Jan 2025 at 10:00, Alice Sender <alice@sender.test> wrote:
                > Hi there, do you have 10 minutes this week?
                """;
        MimeMessage m = message(raw);
        assertThat(BounceParser.parse(m)).isEmpty();
        assertThat(BounceParser.isAutoReply(m)).isFalse();
        assertThat(BounceParser.isSystemMail(m)).isFalse();
    }

    @Test
    void aPersonReplyingAboutAnUndeliverableNoticeIsNoBounce() {
        notABounce("""
                From: Jane Roe <jane.roe@prospect.example>
                To: alice@sender.test
                Subject: Re: Undeliverable: Quick question
                Content-Type: text/plain

                I got an "Undeliverable" message when I wrote to you - the delivery has failed twice.
                Is alice@sender.test right?
                """);
    }

    @Test
    void textHelpersNeverPickOwnOrDaemonAddresses() {
        String text = """
                Mail from mailer-daemon@relay.example to alice@sender.test:
                The following address(es) failed:
                  alice@sender.test
                  target@example.com
                """;
        assertThat(BounceParser.recipientIn(text, Set.of("alice@sender.test"))).isEqualTo("target@example.com");
        assertThat(BounceParser.recipientIn("nothing here", Set.of())).isNull();
    }

    @Test
    void brokenInputNeverThrows() {
        assertThat(BounceParser.parse(message("Content-Type: multipart/report; report-type=delivery-status\n\ngarbage\n")))
                .isEmpty();
        assertThat(BounceParser.parse(message("""
                From: MAILER-DAEMON@x.example
                Subject: Undelivered Mail Returned to Sender
                Content-Type: multipart/report; report-type=delivery-status; boundary=q

                --q
                Content-Type: message/delivery-status

                :::
                no fields at all
                --q--
                """))).isEmpty();
        assertThat(BounceParser.isAutoReply(message("Auto-Submitted:\n\n"))).isFalse();
        assertThat(BounceParser.isSystemMail(message("From: <<<\n\n"))).isFalse();
    }
}
