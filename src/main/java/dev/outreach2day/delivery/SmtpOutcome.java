package dev.outreach2day.delivery;

import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressSucceededException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.util.MailConnectException;

/**
 * Classifies the result of one SMTP send into what the send row becomes. Pure: no I/O, no state.
 *
 * <ul>
 *   <li>{@link Sent} – no exception (or a 2xx reply).
 *   <li>{@link Deferred} – try again later with {@link #backoff(int)}: every 4xx, mailbox full
 *       (x.2.2, a soft bounce), 503 (bad sequence), the mailbox's own sending limit, connection
 *       problems and anything not understood. {@code mailboxProblem} = the transport or the
 *       mailbox is in trouble (connection lost, 421, 503, 454, sending limit): reset the
 *       transport and count it against the mailbox's health.
 *   <li>{@link Bounced} – a permanent (5xx) rejection of the recipient: unknown user, disabled
 *       mailbox, bad domain, bad address syntax. The address is the rejected one when the reply
 *       names it (null when it cannot be told; the caller knows its recipient).
 *   <li>{@link Failed} – any other permanent rejection, and an {@code IllegalArgumentException}
 *       (the message could not be built; an unparsable recipient {@code AddressException} is a
 *       {@link Bounced}). {@code mailboxProblem} = the rejection is
 *       about the sender: authentication, the sender address, relaying, send-as permission,
 *       SPF/DKIM/DMARC, an account blocked for spam, the sending IP refused or blocklisted.
 *       Content rejections (spam, size, policy) have {@code mailboxProblem} = false.
 * </ul>
 */
final class SmtpOutcome {

    sealed interface Outcome permits Sent, Deferred, Failed, Bounced {}

    record Sent() implements Outcome {}

    record Deferred(String reason, boolean mailboxProblem) implements Outcome {}

    record Failed(String reason, boolean mailboxProblem) implements Outcome {}

    record Bounced(String recipient, String reason) implements Outcome {}

    private static final int MAX_REASON_CHARS = 300;

    /** Deferral delays by attempt (1-based); the last one repeats. */
    private static final List<Duration> BACKOFF = List.of(
            Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(3), Duration.ofHours(6));

    private static final double JITTER = 0.10;

    /** A reply code at the start of a text, or after "response: " (Angus' bad-greeting message). */
    private static final Pattern LEADING_CODE = Pattern.compile("^\\s*([2-5]\\d\\d)(?:[ \\-]|$)");
    private static final Pattern RESPONSE_CODE = Pattern.compile("response: ([2-5]\\d\\d)(?:[ \\-]|$)");
    /** RFC 3463 enhanced status code, e.g. 5.1.1 or 4.7.0. */
    private static final Pattern ENHANCED = Pattern.compile("(?<![\\d.])([245])\\.(\\d{1,3})\\.(\\d{1,3})(?![\\d.])");
    private static final Pattern ANGLE_ADDRESS = Pattern.compile("<([^<>\\s@]+@[^<>\\s@]+)>");

    // Texts, lower case. Sender-side checks run before recipient-side ones: Postfix, for one,
    // reports "Sender address rejected" on RCPT TO, naming the recipient.
    private static final List<String> AUTH_TEXTS = List.of(
            "authentication required", "authentication failed", "authentication unsuccessful", "auth failed",
            "username and password not accepted", "invalid credentials", "authentication credentials invalid",
            "application-specific password", "must issue a starttls", "login denied", "smtp auth",
            "please log in", "authentication is required", "client was not authenticated");
    private static final List<String> RELAY_TEXTS = List.of(
            "relay access denied", "relaying denied", "relay not permitted", "relaying not allowed",
            "unable to relay", "relay denied", "we do not relay", "not permitted to relay");
    private static final List<String> SENDING_LIMIT_TEXTS = List.of(
            "sending limit", "sending quota", "send limit", "daily user sending", "message limit exceeded",
            "too many messages", "rate limit", "ratelimit", "rate-limit", "exceeded the rate",
            "submission quota", "outbound quota", "recipient rate limit", "too many login attempts",
            "too many connections", "too many concurrent");
    /** Explicitly about the sender address or account: checked before the recipient texts. */
    private static final List<String> SENDER_TEXTS = List.of(
            "sender address rejected", "sender rejected", "sender verify failed", "sender not authorized",
            "sender is not authorized", "sender not allowed", "sender domain", "sender address domain",
            "bad sender", "invalid sender", "sender unknown", "unknown sender", "mail from address",
            "not authorized to send", "not allowed to send", "permission to send", "permissions to send",
            "send as this sender", "on behalf of", "sendasdenied", "outboundspamexception",
            "account has been blocked", "account is blocked", "account blocked", "account suspended",
            "account has been suspended", "disabled for sending", "unusual sending activity",
            "sending has been disabled", "sender is unauthenticated", "sender is not authenticated");
    /** About the sending host, IP or domain authentication: checked after the recipient texts. */
    private static final List<String> SENDER_INFRASTRUCTURE_TEXTS = List.of(
            "client host rejected", "blocked using", "blacklist", "blocklist", "block list", "black list",
            "listed at", "listed on", "spamhaus", "spamcop", "barracuda", "traffic not accepted from this ip",
            "not accepted from this ip", "your ip", "ip address is", "ip has been", "from your ip",
            "poor reputation", "low reputation", "bad reputation", "unauthenticated", "dmarc", "spf", "dkim",
            "reverse dns", "ptr record", "helo command rejected", "ehlo command rejected", "helo rejected",
            "bad greeting");
    private static final List<String> RECIPIENT_TEXTS = List.of(
            "user unknown", "unknown user", "no such user", "no such recipient", "no such mailbox",
            "mailbox unavailable", "mailbox not found", "mailbox does not exist", "mailbox is disabled",
            "mailbox disabled", "mailbox has been disabled", "recipient not found", "recipient unknown",
            "unknown recipient", "invalid recipient", "recipient address rejected", "recipient rejected",
            "address rejected", "does not exist", "doesn't exist", "not exist", "user not found",
            "account that you tried to reach", "account disabled", "account has been disabled",
            "account is disabled", "not a valid mailbox", "invalid mailbox", "no mailbox", "unrouteable address",
            "unroutable address", "undeliverable address", "address unknown", "bad destination", "no longer available",
            "user doesn't have", "addressee unknown", "recipient address invalid", "invalid address",
            "mailbox name not allowed", "rejected recipient", "resolver.adr.recipientnotfound",
            "recipientnotfound", "not our customer", "inactive user", "user disabled", "domain not found",
            "host not found", "no mx", "null mx");
    private static final List<String> MAILBOX_FULL_TEXTS = List.of(
            "mailbox full", "mailbox is full", "over quota", "overquota", "quota exceeded", "exceeded storage",
            "insufficient storage", "storage allocation", "out of storage", "mailbox size limit",
            "inbox is full", "user is over", "disk quota");
    private static final List<String> CONNECTION_TEXTS = List.of(
            "connection closed", "connection reset", "connection refused", "connection timed out",
            "broken pipe", "could not connect", "couldn't connect", "unknown smtp host", "not connected",
            "[eof]", "exception reading response", "read timed out", "connect timed out", "socket closed",
            "closing connection", "connection dropped", "lost connection", "ioexception while sending");

    private SmtpOutcome() {}

    /** The outcome of one send: {@code null} means the server accepted the message. */
    static Outcome classify(Exception e) {
        if (e == null) {
            return new Sent();
        }
        if (e instanceof IllegalArgumentException) {
            // The message could not be built (bad address, header, id): retrying cannot help.
            return new Failed(reason(null, e), false);
        }
        List<Throwable> chain = chain(e);
        Reply reply = reply(chain);
        String text = allText(chain);
        String lower = text.toLowerCase(Locale.ROOT);
        String reason = reason(reply, e);

        boolean auth = chain.stream().anyMatch(t -> t instanceof AuthenticationFailedException);
        boolean connection = chain.stream().anyMatch(t -> t instanceof IOException || t instanceof MailConnectException
                || t instanceof IllegalStateException)
                || containsAny(lower, CONNECTION_TEXTS);

        if (reply == null) {
            for (Throwable t : chain) {
                if (t instanceof AddressException ae) {
                    // A recipient address that does not parse: permanent, about the recipient.
                    return new Bounced(ae.getRef(), reason);
                }
            }
            if (auth) {
                // Angus' own "No authentication mechanisms supported…", or a reply it kept no code for.
                return new Failed(reason, true);
            }
            if (connection) {
                return new Deferred(reason, true);
            }
            if (chain.stream().anyMatch(t -> t instanceof SMTPAddressSucceededException)) {
                return new Sent();
            }
            for (Throwable t : chain) {
                if (t instanceof SendFailedException sf && single(sf.getInvalidAddresses()) != null) {
                    // Invalid addresses without a reply code: a recipient the server refused.
                    return new Bounced(single(sf.getInvalidAddresses()), reason);
                }
            }
            return new Deferred(reason, false);
        }

        int code = reply.code();
        int klass = code / 100;
        String replyLower = reply.text().toLowerCase(Locale.ROOT);
        Enhanced enhanced = Enhanced.of(reply.text());

        if (klass == 2) {
            return new Sent();
        }
        if (code == 503) {
            // Bad sequence of commands: the transport's state is broken, not the recipient.
            return new Deferred(reason, true);
        }
        if (klass == 4) {
            boolean mailbox = code == 421 || code == 454 || auth || connection
                    || containsAny(replyLower, SENDING_LIMIT_TEXTS) || containsAny(replyLower, AUTH_TEXTS)
                    || (enhanced != null && enhanced.subject() == 7 && enhanced.detail() >= 8 && enhanced.detail() <= 9);
            return new Deferred(reason, mailbox);
        }
        if (klass != 5) {
            return new Deferred(reason, connection);
        }

        // ---- permanent (5xx) ----
        if (auth || code == 530 || code == 534 || code == 535 || code == 538
                || (enhanced != null && enhanced.subject() == 7
                        && (enhanced.detail() == 8 || enhanced.detail() == 9 || enhanced.detail() == 11))
                || containsAny(replyLower, AUTH_TEXTS)) {
            return new Failed(reason, true);
        }
        if (containsAny(replyLower, RELAY_TEXTS)) {
            // Relaying refused: the server did not take us for an authenticated sender.
            return new Failed(reason, true);
        }
        if ((enhanced != null && enhanced.subject() == 4 && enhanced.detail() == 5)
                || containsAny(replyLower, SENDING_LIMIT_TEXTS)) {
            // The mailbox's own quota (Gmail "550 5.4.5 Daily user sending limit exceeded"): the
            // recipient is fine, the mailbox must rest. Retried later, not failed.
            return new Deferred(reason, true);
        }
        if ((enhanced != null && enhanced.subject() == 2 && enhanced.detail() == 2)
                || containsAny(replyLower, MAILBOX_FULL_TEXTS)
                || (code == 552 && reply.recipientStage() && (enhanced == null || enhanced.subject() != 3))) {
            // Mailbox full is a soft bounce: it clears when the owner cleans up.
            return new Deferred(reason, false);
        }
        if (reply.senderStage()
                || (enhanced != null && enhanced.subject() == 1 && (enhanced.detail() == 7 || enhanced.detail() == 8))
                || containsAny(replyLower, SENDER_TEXTS)) {
            if (code == 552 || (enhanced != null && enhanced.subject() == 3)) {
                return new Failed(reason, false); // MAIL FROM … SIZE= too large: about the message
            }
            return new Failed(reason, true);
        }
        boolean aboutRecipient = (enhanced != null && isRecipientStatus(enhanced))
                || containsAny(replyLower, RECIPIENT_TEXTS);
        if (aboutRecipient && !isContentRejection(enhanced, replyLower, reply)) {
            return new Bounced(recipient(chain, reply), reason);
        }
        if ((enhanced != null && enhanced.subject() == 7 && isSenderPolicy(enhanced.detail()))
                || containsAny(replyLower, SENDER_INFRASTRUCTURE_TEXTS)) {
            return new Failed(reason, true);
        }
        if (reply.recipientStage()) {
            // Any other permanent refusal of RCPT TO names the recipient.
            return new Bounced(recipient(chain, reply), reason);
        }
        return new Failed(reason, false);
    }

    /** Delay before deferred attempt {@code attempt} (1-based): 5 min, 15 min, 1 h, 3 h, then 6 h; ±10 %. */
    static Duration backoff(int attempt) {
        return backoff(attempt, ThreadLocalRandom.current());
    }

    static Duration backoff(int attempt, RandomGenerator random) {
        int index = Math.clamp(attempt - 1L, 0, BACKOFF.size() - 1);
        long base = BACKOFF.get(index).toMillis();
        double factor = 1.0 + random.nextDouble(-JITTER, JITTER);
        return Duration.ofMillis(Math.round(base * factor));
    }

    // ---------------------------------------------------------------------------------------------

    /** The SMTP reply that decided the failure, with the command it answered when known. */
    private record Reply(int code, String text, String command, String address) {
        boolean recipientStage() {
            return command != null && command.regionMatches(true, 0, "RCPT", 0, 4);
        }

        /** MAIL FROM, or the greeting / EHLO: a refusal there is about the sender, never a recipient. */
        boolean senderStage() {
            return command != null && (command.regionMatches(true, 0, "MAIL", 0, 4)
                    || command.regionMatches(true, 0, "CONNECT", 0, 7)
                    || command.regionMatches(true, 0, "EHLO", 0, 4) || command.regionMatches(true, 0, "HELO", 0, 4));
        }
    }

    private record Enhanced(int klass, int subject, int detail) {
        static Enhanced of(String text) {
            Matcher m = ENHANCED.matcher(text);
            return m.find()
                    ? new Enhanced(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)))
                    : null;
        }
    }

    /** x.7.y details that are about the sender (RFC 3463, RFC 7372, Microsoft 5.7.5xx/6xx/7xx). */
    private static boolean isSenderPolicy(int detail) {
        return switch (detail) {
            // 7.7 integrity? no; 20-27: DKIM/SPF/DMARC (RFC 7372); 23 SPF; 25 reverse DNS;
            // 57 client not authenticated to send anonymous mail; 60 send-as denied;
            // 501 banned sender / spam abuse; 508-510 sender limits; 606-649, 700-750: tenant/IP blocked
            case 8, 9, 11, 20, 21, 22, 23, 24, 25, 26, 27, 57, 60, 64, 124, 501, 502, 503, 504, 508, 509, 510 -> true;
            default -> (detail >= 606 && detail <= 649) || (detail >= 700 && detail <= 750);
        };
    }

    /** Enhanced codes that are about the recipient's address or mailbox (x.1.x except the sender's, x.2.1, x.4.1). */
    private static boolean isRecipientStatus(Enhanced e) {
        if (e.subject() == 1) {
            return e.detail() != 7 && e.detail() != 8;
        }
        if (e.subject() == 2) {
            return e.detail() == 0 || e.detail() == 1;
        }
        if (e.subject() == 4) {
            return e.detail() == 1 || e.detail() == 4; // 5.4.1 Exchange recipient access denied; 5.4.4 unable to route
        }
        return false;
    }

    /** A content verdict (spam, virus, size, policy) that happens to mention the recipient or "not exist". */
    private static boolean isContentRejection(Enhanced e, String lower, Reply reply) {
        if (reply.recipientStage()) {
            return false;
        }
        if (e != null && (e.subject() == 6 || e.subject() == 3)) {
            return true;
        }
        return lower.contains("spam") || lower.contains("unsolicited") || lower.contains("virus")
                || lower.contains("content rejected") || lower.contains("message rejected");
    }

    private static List<Throwable> chain(Throwable root) {
        List<Throwable> out = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayList<Throwable> todo = new ArrayList<>();
        todo.add(root);
        while (!todo.isEmpty() && out.size() < 32) {
            Throwable t = todo.removeFirst();
            if (t == null || !seen.add(t)) {
                continue;
            }
            out.add(t);
            if (t instanceof MessagingException me && me.getNextException() != null) {
                todo.add(me.getNextException());
            }
            todo.add(t.getCause());
            for (Throwable s : t.getSuppressed()) {
                todo.add(s);
            }
        }
        return out;
    }

    /**
     * The deciding reply: a typed Angus exception with a code (RCPT failures first: they are the
     * most specific), else a code parsed from a message text.
     */
    private static Reply reply(List<Throwable> chain) {
        Reply sender = null;
        Reply send = null;
        for (Throwable t : chain) {
            if (t instanceof SMTPAddressFailedException af && af.getReturnCode() > 0) {
                return new Reply(af.getReturnCode(), text(af), af.getCommand(),
                        af.getAddress() == null ? null : af.getAddress().getAddress());
            }
            if (t instanceof SMTPSenderFailedException sf && sf.getReturnCode() > 0 && sender == null) {
                sender = new Reply(sf.getReturnCode(), text(sf), "MAIL FROM", null);
            }
            if (t instanceof SMTPSendFailedException sf && sf.getReturnCode() > 0 && send == null) {
                send = new Reply(sf.getReturnCode(), text(sf), sf.getCommand(), null);
            }
        }
        if (sender != null) {
            return sender;
        }
        if (send != null) {
            return send;
        }
        for (Throwable t : chain) {
            String m = t.getMessage();
            if (m == null) {
                continue;
            }
            Matcher lead = LEADING_CODE.matcher(m);
            if (lead.find()) {
                return new Reply(Integer.parseInt(lead.group(1)), m.strip(), null, null);
            }
            Matcher resp = RESPONSE_CODE.matcher(m);
            if (resp.find()) {
                // "Got bad greeting from SMTP host: …, response: 554 …": refused before any command.
                String command = m.contains("greeting") ? "CONNECT" : null;
                return new Reply(Integer.parseInt(resp.group(1)), m.substring(resp.start() + "response: ".length()).strip(),
                        command, null);
            }
        }
        return null;
    }

    private static String text(MessagingException e) {
        return e.getMessage() == null ? "" : e.getMessage().strip();
    }

    private static String recipient(List<Throwable> chain, Reply reply) {
        if (reply.address() != null) {
            return reply.address();
        }
        for (Throwable t : chain) {
            if (t instanceof SMTPAddressFailedException af && af.getAddress() != null) {
                return af.getAddress().getAddress();
            }
        }
        for (Throwable t : chain) {
            if (t instanceof SendFailedException sf) {
                String a = single(sf.getInvalidAddresses());
                if (a != null) {
                    return a;
                }
            }
        }
        Matcher m = ANGLE_ADDRESS.matcher(reply.text());
        if (m.find()) {
            return m.group(1);
        }
        for (Throwable t : chain) {
            if (t instanceof SendFailedException sf) {
                String a = single(sf.getValidUnsentAddresses());
                if (a == null) {
                    a = single(sf.getValidSentAddresses()); // a refusal after DATA: RCPT had passed
                }
                if (a != null) {
                    return a;
                }
            }
        }
        return null;
    }

    private static String single(Address[] addresses) {
        if (addresses != null && addresses.length >= 1 && addresses[0] instanceof InternetAddress ia) {
            return ia.getAddress();
        }
        return null;
    }

    private static String allText(List<Throwable> chain) {
        StringBuilder b = new StringBuilder();
        for (Throwable t : chain) {
            if (t.getMessage() != null) {
                b.append(t.getMessage()).append('\n');
            }
        }
        return b.toString();
    }

    private static String reason(Reply reply, Exception e) {
        String r;
        if (reply != null && !reply.text().isBlank()) {
            r = reply.text();
            if (!r.startsWith(Integer.toString(reply.code()))) {
                r = reply.code() + " " + r;
            }
        } else {
            Throwable deepest = e;
            for (Throwable t : chain(e)) {
                if (t.getMessage() != null && !t.getMessage().isBlank()) {
                    deepest = t;
                }
            }
            String m = deepest.getMessage();
            r = deepest.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
            if (deepest != e && e.getMessage() != null && !e.getMessage().isBlank()) {
                r = e.getMessage().strip() + " (" + r + ")";
            }
        }
        r = r.replaceAll("\\s+", " ").strip();
        return r.length() <= MAX_REASON_CHARS ? r : r.substring(0, MAX_REASON_CHARS - 1) + "…";
    }

    private static boolean containsAny(String haystack, List<String> needles) {
        for (String n : needles) {
            if (haystack.contains(n)) {
                return true;
            }
        }
        return false;
    }
}
