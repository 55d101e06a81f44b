package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.delivery.SmtpOutcome.Bounced;
import dev.outreach2day.delivery.SmtpOutcome.Deferred;
import dev.outreach2day.delivery.SmtpOutcome.Failed;
import dev.outreach2day.delivery.SmtpOutcome.Outcome;
import dev.outreach2day.delivery.SmtpOutcome.Sent;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.util.MailConnectException;
import org.eclipse.angus.mail.util.SocketConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Realistic SMTP replies, wrapped the way Angus Mail 2.0 reports them: RCPT TO failures as a
 * {@code SendFailedException("Invalid Addresses")} with a nested {@code
 * SMTPAddressFailedException}; MAIL FROM and end-of-DATA failures as {@code
 * SMTPSendFailedException} naming the command; authentication as {@code
 * AuthenticationFailedException} carrying the server's reply; connection trouble as a {@code
 * MessagingException} around an {@code IOException} or a {@code MailConnectException}.
 */
class SmtpOutcomeTest {

    static final String TO = "ada@example.org";
    static final String FROM = "john@outreach.test";

    enum Kind { SENT, DEFERRED, FAILED, BOUNCED }

    static Stream<Arguments> replies() throws Exception {
        return Stream.of(
                row("success", null, Kind.SENT, null, null),

                // ---- recipient rejected: hard bounce ----
                row("Gmail 550-5.1.1 no such user (RCPT)", rcpt(550, """
                        550-5.1.1 The email account that you tried to reach does not exist. Please try
                        550-5.1.1 double-checking the recipient's email address for typos or
                        550-5.1.1 unnecessary spaces. For more information, go to
                        550 5.1.1  https://support.google.com/mail/?p=NoSuchUser d2e1a72fcca58-7 - gsmtp"""),
                        Kind.BOUNCED, null, TO),
                row("Gmail 550-5.2.1 account disabled (RCPT)", rcpt(550, """
                        550-5.2.1 The email account that you tried to reach is disabled. Learn more at
                        550 5.2.1  https://support.google.com/mail/?p=DisabledUser a1si - gsmtp"""),
                        Kind.BOUNCED, null, TO),
                row("Outlook 550 5.1.10 recipient not found (RCPT)", rcpt(550,
                        "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient ada@example.org not found by SMTP address lookup"),
                        Kind.BOUNCED, null, TO),
                row("Exchange 550 5.4.1 recipient access denied (RCPT)", rcpt(550,
                        "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com]"),
                        Kind.BOUNCED, null, TO),
                row("Postfix 550 5.1.1 user unknown (RCPT)", rcpt(550,
                        "550 5.1.1 <ada@example.org>: Recipient address rejected: User unknown in virtual mailbox table"),
                        Kind.BOUNCED, null, TO),
                row("Exim 550 unrouteable address (RCPT, no enhanced code)", rcpt(550, "550 Unrouteable address"),
                        Kind.BOUNCED, null, TO),
                row("553 5.1.3 bad address syntax (RCPT)", rcpt(553, "553 5.1.3 The recipient address <ada@example..org> is not a valid RFC-5321 address."),
                        Kind.BOUNCED, null, TO),
                row("551 user not local (RCPT)", rcpt(551, "551 User not local; please try <ada@elsewhere.example>"),
                        Kind.BOUNCED, null, TO),
                row("554 mailbox unavailable (RCPT)", rcpt(554, "554 5.0.0 Mailbox unavailable"),
                        Kind.BOUNCED, null, TO),
                row("Yahoo 554 user doesn't have an account (end of DATA)", data(554,
                        "554 delivery error: dd This user doesn't have a yahoo.com account (ada@example.org) [0] - mta1047.mail.ir2.yahoo.com"),
                        Kind.BOUNCED, null, TO),
                row("5.1.1 after DATA names the address", data(550,
                        "550 5.1.1 <bob@example.org>: Recipient address rejected: no such user"),
                        Kind.BOUNCED, null, "bob@example.org"),
                row("SendFailedException with invalid addresses, no reply code",
                        new SendFailedException("Invalid Addresses", null, new Address[0], new Address[0], new Address[] {to()}),
                        Kind.BOUNCED, null, TO),

                // ---- temporary: deferred ----
                row("Gmail 552-5.2.2 mailbox full (RCPT): soft bounce", rcpt(552, """
                        552-5.2.2 The email account that you tried to reach is over quota. Please direct
                        552 5.2.2 the recipient to https://support.google.com/mail/?p=OverQuotaPerm - gsmtp"""),
                        Kind.DEFERRED, false, null),
                row("Gmail 452-4.2.2 over quota", rcpt(452,
                        "452-4.2.2 The email account that you tried to reach is over quota. - gsmtp"),
                        Kind.DEFERRED, false, null),
                row("450 greylisting (RCPT)", rcpt(450,
                        "450 4.2.0 <ada@example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.org.html"),
                        Kind.DEFERRED, false, null),
                row("451 4.7.1 please try again later (RCPT)", rcpt(451, "451 4.7.1 Please try again later"),
                        Kind.DEFERRED, false, null),
                row("451 4.4.1 no answer from host (end of DATA)", data(451, "451 4.4.1 No answer from host"),
                        Kind.DEFERRED, false, null),
                row("452 4.5.3 too many recipients", rcpt(452, "452 4.5.3 Too many recipients"),
                        Kind.DEFERRED, false, null),
                row("Gmail 421-4.7.0 rate limit, closing connection (MAIL FROM)", mail(421, """
                        421-4.7.0 Try again later, closing connection. (MAIL) For more information, go to
                        421 4.7.0  https://support.google.com/a/answer/3221692 - gsmtp"""),
                        Kind.DEFERRED, true, null),
                row("Yahoo 421 4.7.0 [TSS04] deferred for volume", data(421,
                        "421 4.7.0 [TSS04] Messages from 203.0.113.7 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1"),
                        Kind.DEFERRED, true, null),
                row("454 4.7.0 too many login attempts (AUTH)", new AuthenticationFailedException(
                        "454 4.7.0 Too many login attempts, please try again later. - gsmtp"),
                        Kind.DEFERRED, true, null),
                row("Gmail 550 5.4.5 daily sending limit (mailbox quota, not the recipient)", mail(550,
                        "550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 - gsmtp"),
                        Kind.DEFERRED, true, null),
                row("503 5.5.1 bad sequence on RCPT", rcpt(503, "503 5.5.1 RCPT first. - gsmtp"),
                        Kind.DEFERRED, true, null),
                row("503 5.5.1 bad sequence at DATA", data(503, "503 5.5.1 Error: need RCPT command"),
                        Kind.DEFERRED, true, null),

                // ---- connection problems ----
                row("connection refused", new MailConnectException(new SocketConnectException(
                        "Using SocketFactory", new ConnectException("Connection refused"), "smtp.example.org", 587, 10_000)),
                        Kind.DEFERRED, true, null),
                row("read timeout", new MessagingException("Exception reading response", new SocketTimeoutException("Read timed out")),
                        Kind.DEFERRED, true, null),
                row("broken pipe while sending", new MessagingException("IOException while sending message",
                        new SocketException("Broken pipe")), Kind.DEFERRED, true, null),
                row("server closed the connection ([EOF])", new SMTPSendFailedException("MAIL FROM:<john@outreach.test>", -1,
                        "[EOF]", null, null, new Address[] {to()}, null), Kind.DEFERRED, true, null),
                row("transport not connected", new IllegalStateException("Not connected"), Kind.DEFERRED, true, null),
                row("unknown host", new MessagingException("Unknown SMTP host: smtp.nowhere.invalid",
                        new java.net.UnknownHostException("smtp.nowhere.invalid")), Kind.DEFERRED, true, null),

                // ---- sender / mailbox problems ----
                row("Gmail 535-5.7.8 bad credentials", new AuthenticationFailedException("""
                        535-5.7.8 Username and Password not accepted. For more information, go to
                        535 5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp"""),
                        Kind.FAILED, true, null),
                row("Gmail 534-5.7.9 app password required", new AuthenticationFailedException(
                        "534-5.7.9 Application-specific password required. - gsmtp"), Kind.FAILED, true, null),
                row("530 5.7.0 authentication required (MAIL FROM)", mail(530,
                        "530-5.7.0 Authentication Required. For more information, go to - gsmtp"), Kind.FAILED, true, null),
                row("Angus: no common auth mechanism", new AuthenticationFailedException(
                        "No authentication mechanisms supported by both server and client"), Kind.FAILED, true, null),
                row("Outlook 550 5.7.708 traffic from this IP refused", data(550,
                        "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(7230) [AM0PR01MB5906.eurprd01.prod.exchangelabs.com]"),
                        Kind.FAILED, true, null),
                row("Office 365 550 5.7.60 send-as denied (MAIL FROM)", mail(550,
                        "550 5.7.60 SMTP; Client does not have permissions to send as this sender"), Kind.FAILED, true, null),
                row("Outlook 554 5.2.0 OutboundSpamException (account blocked)", data(554,
                        "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process message due to a permanent exception with message [BeginDiagnosticData]WASCL UserAction verdict is not None."),
                        Kind.FAILED, true, null),
                row("Postfix 553 sender address rejected (reported on RCPT)", rcpt(553,
                        "553 5.7.1 <john@outreach.test>: Sender address rejected: not owned by user john@outreach.test"),
                        Kind.FAILED, true, null),
                row("Postfix 554 relay access denied (RCPT)", rcpt(554, "554 5.7.1 <ada@example.org>: Relay access denied"),
                        Kind.FAILED, true, null),
                row("Postfix 554 client host blocked by Spamhaus (RCPT)", rcpt(554,
                        "554 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.7"),
                        Kind.FAILED, true, null),
                row("Gmail 550-5.7.26 unauthenticated sender (DMARC)", data(550, """
                        550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail
                        550-5.7.26 requires all senders to authenticate with either SPF or DKIM.
                        550 5.7.26  https://support.google.com/mail/answer/81126#authentication - gsmtp"""),
                        Kind.FAILED, true, null),
                row("553 5.1.8 sender domain does not exist (MAIL FROM)", mail(553,
                        "553 5.1.8 <john@outreach.test>: Sender address rejected: Domain not found"), Kind.FAILED, true, null),
                row("bad greeting 554", new MessagingException(
                        "Got bad greeting from SMTP host: mx.example.org, port: 25, response: 554 mx.example.org ESMTP not accepting messages"),
                        Kind.FAILED, true, null),

                // ---- message rejected: permanent, not the mailbox ----
                row("Gmail 550-5.7.1 likely unsolicited mail (end of DATA)", data(550, """
                        550-5.7.1 [203.0.113.7      12] Our system has detected that this message is
                        550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail,
                        550 5.7.1 this message has been blocked. - gsmtp"""),
                        Kind.FAILED, false, null),
                row("554 5.7.1 rejected as spam (end of DATA)", data(554,
                        "554 5.7.1 Message rejected as spam by Content Filtering."), Kind.FAILED, false, null),
                row("552 5.3.4 message too big (end of DATA)", data(552,
                        "552 5.3.4 Message size exceeds fixed limit"), Kind.FAILED, false, null),
                row("550 administrative prohibition (end of DATA)", data(550, "550 Administrative prohibition"),
                        Kind.FAILED, false, null),

                // ---- the message could not even be built ----
                row("unparsable recipient address", new AddressException("Missing final '@domain'", "ada.example.org"),
                        Kind.BOUNCED, null, "ada.example.org"),
                row("message could not be built", new IllegalArgumentException("to is not a valid address: x"),
                        Kind.FAILED, false, null),

                // ---- not understood ----
                row("an unexpected bug", new RuntimeException("something odd"), Kind.DEFERRED, false, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replies")
    void classifiesRealisticReplies(String name, Exception e, Kind kind, Boolean mailboxProblem, String recipient) {
        Outcome outcome = SmtpOutcome.classify(e);
        switch (kind) {
            case SENT -> assertThat(outcome).isInstanceOf(Sent.class);
            case DEFERRED -> {
                assertThat(outcome).isInstanceOf(Deferred.class);
                assertThat(((Deferred) outcome).mailboxProblem()).as("mailboxProblem").isEqualTo(mailboxProblem);
                assertThat(((Deferred) outcome).reason()).isNotBlank();
            }
            case FAILED -> {
                assertThat(outcome).isInstanceOf(Failed.class);
                assertThat(((Failed) outcome).mailboxProblem()).as("mailboxProblem").isEqualTo(mailboxProblem);
                assertThat(((Failed) outcome).reason()).isNotBlank();
            }
            case BOUNCED -> {
                assertThat(outcome).isInstanceOf(Bounced.class);
                assertThat(((Bounced) outcome).recipient()).isEqualTo(recipient);
                assertThat(((Bounced) outcome).reason()).isNotBlank();
            }
        }
    }

    @Test
    void theReasonCarriesTheServersReplyAndIsBounded() {
        Outcome o = SmtpOutcome.classify(rcptUnchecked(550, "550 5.1.1 <ada@example.org>: Recipient address rejected: User unknown"));
        assertThat(((Bounced) o).reason()).isEqualTo("550 5.1.1 <ada@example.org>: Recipient address rejected: User unknown");

        Outcome longOne = SmtpOutcome.classify(new RuntimeException("x".repeat(5000)));
        assertThat(((Deferred) longOne).reason()).hasSizeLessThanOrEqualTo(300);

        Outcome nested = SmtpOutcome.classify(new MessagingException("Exception reading response", new SocketTimeoutException("Read timed out")));
        assertThat(((Deferred) nested).reason()).contains("Exception reading response").contains("Read timed out");
    }

    @Test
    void backoffFollowsTheLadderAndCapsAtSixHours() {
        // nextLong = MIN_VALUE → nextDouble() = 0.5 → no jitter
        java.util.random.RandomGenerator middle = () -> Long.MIN_VALUE;
        assertThat(SmtpOutcome.backoff(1, middle)).isEqualTo(Duration.ofMinutes(5));
        assertThat(SmtpOutcome.backoff(2, middle)).isEqualTo(Duration.ofMinutes(15));
        assertThat(SmtpOutcome.backoff(3, middle)).isEqualTo(Duration.ofHours(1));
        assertThat(SmtpOutcome.backoff(4, middle)).isEqualTo(Duration.ofHours(3));
        assertThat(SmtpOutcome.backoff(5, middle)).isEqualTo(Duration.ofHours(6));
        assertThat(SmtpOutcome.backoff(50, middle)).isEqualTo(Duration.ofHours(6));
        assertThat(SmtpOutcome.backoff(Integer.MAX_VALUE, middle)).isEqualTo(Duration.ofHours(6));
        assertThat(SmtpOutcome.backoff(0, middle)).isEqualTo(Duration.ofMinutes(5));
        assertThat(SmtpOutcome.backoff(-3, middle)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void backoffJitterStaysWithinTenPercent() {
        java.util.random.RandomGenerator lowest = () -> 0L;
        java.util.random.RandomGenerator highest = () -> -1L;
        assertThat(SmtpOutcome.backoff(1, lowest)).isEqualTo(Duration.ofSeconds(270));
        assertThat(SmtpOutcome.backoff(1, highest)).isBetween(Duration.ofSeconds(329), Duration.ofSeconds(330));

        var random = new SplittableRandom(42);
        boolean below = false;
        boolean above = false;
        for (int i = 0; i < 2_000; i++) {
            Duration d = SmtpOutcome.backoff(3, random);
            assertThat(d).isBetween(Duration.ofMinutes(54), Duration.ofMinutes(66));
            below |= d.compareTo(Duration.ofHours(1)) < 0;
            above |= d.compareTo(Duration.ofHours(1)) > 0;
        }
        assertThat(below && above).as("jitter goes both ways").isTrue();
        assertThat(SmtpOutcome.backoff(2)).isBetween(Duration.ofMinutes(13).plusSeconds(30), Duration.ofMinutes(16).plusSeconds(30));
    }

    // ---- how Angus reports each stage ----

    private static Arguments row(String name, Exception e, Kind kind, Boolean mailboxProblem, String recipient) {
        return Arguments.of(name, e, kind, mailboxProblem, recipient);
    }

    private static InternetAddress to() throws AddressException {
        return new InternetAddress(TO);
    }

    /** RCPT TO refused: Angus throws SendFailedException("Invalid Addresses") around the address failure. */
    private static SendFailedException rcpt(int code, String reply) throws AddressException {
        InternetAddress a = to();
        var failure = new SMTPAddressFailedException(a, "RCPT TO:<" + TO + ">", code, reply);
        boolean invalid = code >= 500 && code != 552;
        return new SendFailedException("Invalid Addresses", failure, new Address[0],
                invalid ? new Address[0] : new Address[] {a}, invalid ? new Address[] {a} : new Address[0]);
    }

    private static SendFailedException rcptUnchecked(int code, String reply) {
        try {
            return rcpt(code, reply);
        } catch (AddressException e) {
            throw new IllegalStateException(e);
        }
    }

    /** MAIL FROM refused. */
    private static SMTPSendFailedException mail(int code, String reply) throws AddressException {
        return new SMTPSendFailedException("MAIL FROM:<" + FROM + ">", code, reply, null, null, new Address[] {to()}, null);
    }

    /** The reply to the final "." of DATA. */
    private static SMTPSendFailedException data(int code, String reply) throws AddressException {
        return new SMTPSendFailedException(".", code, reply, null, new Address[] {to()}, null, null);
    }
}
