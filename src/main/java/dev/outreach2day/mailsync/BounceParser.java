package dev.outreach2day.mailsync;

import dev.outreach2day.mailsync.MimeContent.Ct;
import dev.outreach2day.mailsync.MimeContent.Mailbox;
import jakarta.mail.Header;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises bounces (non-delivery reports), auto-replies and other machine-generated mail
 * among inbound messages.
 *
 * <p>Intended order for the sync: {@link #parse} (a bounce: mark the recipient) → {@link
 * #isAutoReply} (out-of-office and other RFC 3834 responses: not a real reply) → {@link
 * #isSystemMail} (DSNs, notifications, bulk mail: ignore). A delayed-delivery notice is not a
 * bounce ({@code parse} is empty) but is system mail.
 *
 * <p>Bounce formats: RFC 3464 {@code multipart/report; report-type=delivery-status} (also RFC
 * 6533 {@code message/global-delivery-status}), read from the per-recipient fields; and, when
 * there is no usable report part, the text of the common non-standard notices: Exim ("Mail
 * delivery failed: returning message to sender"), Postfix without report parts ("Undelivered Mail
 * Returned to Sender"), qmail ("Hi. This is the qmail-send program…"), sendmail, Microsoft
 * Exchange / Outlook.com ("Undeliverable:", "Remote Server returned '550 5.1.1 …'", "#550 5.1.1
 * RESOLVER.ADR.RecipNotFound"), Gmail ("Delivery Status Notification (Failure)", "Address not
 * found"), German ("Unzustellbar") and French ("Non remis") Exchange NDRs. None of the methods
 * throws on broken mail.
 */
final class BounceParser {

    private BounceParser() {}

    /**
     * One failed delivery.
     *
     * @param recipient the failed address, lower-case; null only when the notice names no
     *     recipient but {@code originalMessageId} identifies the bounced message
     * @param status RFC 3463 status, e.g. {@code 5.1.1}; {@code 5.0.0} / {@code 4.0.0} when only
     *     an SMTP reply code or wording was available
     * @param hard permanent failure: a 5.x.x status or, without any code, permanent wording
     *     ("user unknown", "does not exist", …). A final failure with a 4.x.x status (e.g. 4.4.7,
     *     retries expired) is a soft bounce. Note that 5.x.x includes policy blocks (5.7.x) and
     *     full mailboxes (5.2.2): callers that care look at {@code status}.
     * @param diagnostic the remote server's text (Diagnostic-Code or the SMTP reply quoted in the
     *     notice), whitespace collapsed, at most 500 chars; may be null
     * @param originalMessageId Message-ID of the bounced message ({@code <…>}) from the attached
     *     original or its quoted headers; may be null
     * @param reporter who reported it: the Reporting-MTA of a DSN, else the From address of the
     *     notice; may be null
     */
    record Bounce(
            String recipient,
            String status,
            boolean hard,
            String diagnostic,
            String originalMessageId,
            String reporter) {}

    static final int MAX_DIAGNOSTIC = 500;
    private static final int MAX_DEPTH = 20;
    private static final int MAX_TEXT = 256 * 1024;

    // ------------------------------------------------------------------------------------------
    // Patterns
    // ------------------------------------------------------------------------------------------

    private static final String ADDR = MimeContent.ADDRESS.pattern();

    /** RFC 3463 status in a Status field. */
    private static final Pattern STATUS_FIELD = Pattern.compile("(?<![\\d.])([245])\\.(\\d{1,3})\\.(\\d{1,3})(?![\\d.])");
    /** RFC 3463 status in free text (single-digit subject, so "Exim 4.96.2" is no status). */
    private static final Pattern STATUS_TEXT = Pattern.compile("(?<![\\d.])([245])\\.(\\d)\\.(\\d{1,3})(?![\\d.])");
    /** SMTP reply code. */
    private static final Pattern SMTP_CODE = Pattern.compile("(?<![\\d.\\[])([45])\\d\\d(?=[ -]|$)");

    private static final Pattern BOUNCE_SUBJECT = Pattern.compile(
            "(?i)^(?:undeliver(?:able|ed)|not delivered|mail delivery (?:failed|failure|problem)|delivery status notification"
                    + "|delivery (?:notification|report|failure|failed|has failed)|returned mail|returned to sender|failure notice"
                    + "|non[- ]?deliver|nondeliverable|mail system error|message (?:not delivered|undeliverable|delivery failed)"
                    + "|unable to deliver|could not send|warning: message|delayed mail|delivery delayed|unzustellbar"
                    + "|nicht zustellbar|nicht zugestellt|non remis|non distribuable|impossible de remettre|non délivré"
                    + "|échec de (?:la )?(?:remise|distribution)|rapport de non-remise|onbestelbaar|no entregado|non recapitabile)");

    private static final Pattern FAILURE_BODY = Pattern.compile(
            "(?i)mail delivery software|could ?n[o']t be delivered|could not be delivered|wasn'?t delivered|was not delivered"
                    + "|delivery has failed|delivery to the following recipients? failed|failed permanently"
                    + "|following address(?:es|\\(es\\))? (?:failed|had permanent fatal errors)|permanent (?:fatal )?error"
                    + "|qmail-send program|wasn'?t able to deliver|could ?n[o']t deliver|unable to deliver|undeliverable"
                    + "|delivery (?:status notification|failed)|address not found|message not delivered"
                    + "|konnte nicht (?:an folgende empfänger )?(?:zugestellt|übermittelt)|nicht zugestellt|unzustellbar"
                    + "|nicht erreicht|n'a pas pu être (?:remis|distribué)|a échoué|non remis|impossible de remettre");

    private static final Pattern DELAY_SUBJECT = Pattern.compile(
            "(?i)\\bdelay(?:ed)?\\b|still being retried|verzögert|différée?|retardée?|retard de remise");
    private static final Pattern DELAY_BODY = Pattern.compile(
            "(?i)this is a warning message only|still being retried|will (?:continue (?:to try|trying)|keep trying|retry|try again)"
                    + "|has not (?:yet )?been delivered|not (?:been )?delivered yet|no action is required on your part"
                    + "|delivery (?:has been|is) delayed|has been delayed|wird weiterhin versucht|verzögert"
                    + "|n'a pas encore (?:pu )?être remis|remise différée");

    private static final Pattern PERMANENT = Pattern.compile(
            "(?i)\\bpermanent(?:ly)?\\b|user unknown|unknown user|no such (?:user|mailbox|recipient|address|person)"
                    + "|(?:does not|doesn'?t) exist|address not found|could ?n[o']t be found|could not be found|cannot be found"
                    + "|invalid (?:recipient|address|mailbox)|recipient (?:address )?rejected|mailbox (?:not found|does not exist)"
                    + "|unrouteable address|unknown recipient|recipnotfound|user not found|account (?:has been )?disabled"
                    + "|nicht gefunden|existiert nicht|unbekannt|introuvable|n'existe pas|inconnu|given up");

    /** Where the copy of the original message starts in a text notice. */
    private static final Pattern COPY_MARKER = Pattern.compile(
            "(?im)^[ \\t]*(?:-{2,}[ \\t]*(?:this is a copy of the message|below this line is a copy of the message"
                    + "|(?:the )?original message|original message headers|forwarded message|message (?:body )?follows)"
                    + "|original message headers[ \\t]*:|ursprüngliche nachrichtenkopfzeilen[ \\t]*:"
                    + "|en-têtes de message d'origine[ \\t]*:)");

    private static final Pattern ANGLE_RECIPIENT_LINE = Pattern.compile("(?m)^[ \\t]*<(" + ADDR + ")>[ \\t]*:");
    private static final Pattern RECIPIENT_PHRASE = Pattern.compile(
            "(?i)(?:(?:wasn'?t|was not|could ?n[o']t be|could not be|cannot be|can'?t be) delivered to|delivery to)"
                    + "[ \\t]+<?(" + ADDR + ")"
                    + "|your message to[ \\t]+<?(" + ADDR + ")>?[ \\t]+(?:could ?n[o']t|could not|can'?t|cannot) be delivered"
                    + "|ihre nachricht an[ \\t]+<?(" + ADDR + ")>?[ \\t]+konnte nicht"
                    + "|votre message (?:à|a|pour)[ \\t]+<?(" + ADDR + ")>?[ \\t]+n'a pas pu");
    private static final Pattern RECIPIENT_MARKER = Pattern.compile(
            "(?i)following address(?:es|\\(es\\))?(?: failed| had permanent fatal errors)?|following recipients?"
                    + "|these recipients or groups|failed permanently|delivery has failed to"
                    + "|folgenden? empfänger(?: oder gruppen)?|destinataires (?:ou groupes )?suivants"
                    + "|could ?n[o']t deliver your message to|wasn'?t able to deliver your message to");
    private static final Pattern RCPT_TO = Pattern.compile("(?i)RCPT TO:?[ \\t]*<(" + ADDR + ")>");
    private static final Pattern ANY_ADDRESS = Pattern.compile(ADDR);

    private static final Pattern QUOTED_REPLY = Pattern.compile(
            "'[ \\t]*(<?[ \\t]*#?[245]\\.\\d\\.\\d{1,3}[^'\\n]*|[45]\\d\\d[ -][^'\\n]*)'");
    private static final Pattern HASH_REPLY = Pattern.compile("#([45]\\d\\d[ -][245]\\.\\d\\.\\d{1,3}[^#\\n]*)");
    private static final Pattern QMAIL_STATUS = Pattern.compile("\\(#([245]\\.\\d\\.\\d{1,3})\\)");
    private static final Pattern SMTP_LINE = Pattern.compile(
            "(?:^|[\\s:(\\[])([45]\\d\\d)[ -](?=[245]\\.\\d\\.\\d{1,3}|[A-Za-z<#\"'(\\[])");

    private static final Pattern MESSAGE_ID_LINE =
            Pattern.compile("(?im)^[ \\t]*Message-ID[ \\t]*:\\s*(<[^<>\\s]+>)");

    private static final Pattern DAEMON_LOCAL = Pattern.compile(
            "(?i)mailer[-_.]?daemon|postmaster|mail[-_.]?daemon|mail[-_.]?delivery(?:[-_.]?(?:sub)?system)?"
                    + "|microsoftexchange[0-9a-f]*|mdaemon");
    private static final Pattern DAEMON_NAME = Pattern.compile(
            "(?i).*(?:mail delivery (?:sub)?system|mailer[- ]daemon|postmaster|mail administrator).*");
    private static final Pattern NO_REPLY_LOCAL = Pattern.compile(
            "(?i)no[-_.]?reply.*|do[-_.]?not[-_.]?reply.*|dont[-_.]?reply.*|bounces?(?:[-+=._].*)?|notifications?"
                    + "|notify|auto[-_.]?mailer|daemon|nobody|root");

    private static final Pattern AUTO_REPLY_SUBJECT = Pattern.compile(
            "(?i)^(?:automatic reply|auto[- ]?reply|auto[- ]?response|autoresponse|auto|out of (?:the )?office(?: auto ?reply)?"
                    + "|abwesenheitsnotiz|automatische antwort|abwesend|réponse automatique|risposta automatica"
                    + "|respuesta automática|automatisch antwoord|autosvar|automaattinen vastaus|resposta automática"
                    + "|odpowiedź automatyczna|автоответ)[ \\t]*:");

    // ------------------------------------------------------------------------------------------
    // Bounces
    // ------------------------------------------------------------------------------------------

    /**
     * The failed delivery {@code m} reports, or empty when it is no bounce (delays included).
     *
     * @throws MimeContent.MessageUnavailableException when the message can no longer be read from
     *     its store (as do {@link #isAutoReply} and {@link #isSystemMail})
     */
    static Optional<Bounce> parse(MimeMessage m) {
        return parse(m, null);
    }

    /**
     * As {@link #parse(MimeMessage)}, reusing {@code parsed}, the result of {@link MimeContent#parse} for {@code m}
     * (null: parse it here).
     */
    static Optional<Bounce> parse(MimeMessage m, MimeContent.Parsed parsed) {
        try {
            return Optional.ofNullable(bounce(m, parsed != null ? parsed : MimeContent.parse(m)));
        } catch (MimeContent.MessageUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            return Optional.empty(); // never let one odd message stop a sync
        }
    }

    private static Bounce bounce(MimeMessage m, MimeContent.Parsed parsed) {
        Scan scan = new Scan();
        scan(m, scan, 0);

        String subject = parsed.subject() == null ? "" : parsed.subject().strip();
        boolean systemSender = isDaemon(parsed.from(), parsed.fromName()) || nullReturnPath(m);
        boolean bounceSubject = BOUNCE_SUBJECT.matcher(subject).lookingAt();
        // A person's reply, the common case: no delivery-status part (fromDeliveryStatus has nothing to read), no
        // DSN report, neither a daemon / null return path nor a bounce subject. Then "candidate" below is false
        // whatever the text says: skip reading the text.
        if (scan.deliveryStatus.isEmpty() && !scan.dsnReport && !systemSender && !bounceSubject) return null;

        String text = parsed.text() == null ? "" : parsed.text().replace("\r\n", "\n");
        if (text.length() > MAX_TEXT) text = text.substring(0, MAX_TEXT); // notices are short
        Matcher copy = COPY_MARKER.matcher(text);
        String region = copy.find() ? text.substring(0, copy.start()) : text;
        String tail = text.substring(region.length());
        Map<String, List<String>> original = scan.originalHeaders != null ? scan.originalHeaders : headersIn(tail);
        String originalMessageId = originalMessageId(original, tail, text);

        // RFC 3464 report
        Bounce fromReport = fromDeliveryStatus(scan, parsed, region, originalMessageId);
        if (fromReport == NOT_A_BOUNCE) return null;
        if (fromReport != null) return fromReport;

        // non-standard notice
        boolean failureBody = FAILURE_BODY.matcher(region).find();
        boolean delay = DELAY_SUBJECT.matcher(subject).find() && (systemSender || bounceSubject)
                || DELAY_BODY.matcher(region).find();
        boolean candidate = scan.dsnReport
                || bounceSubject && (systemSender || failureBody)
                || systemSender && (failureBody || delay);
        if (!candidate) return null;

        String diagnostic = diagnosticIn(region);
        String status = statusFrom(diagnostic, STATUS_TEXT);
        if (status == null) {
            Matcher qmail = QMAIL_STATUS.matcher(region); // "Sorry, no mailbox here by that name. (#5.1.1)"
            if (qmail.find()) status = statusFrom(qmail.group(1), STATUS_TEXT);
        }
        if (delay && (status == null || !status.startsWith("5"))) return null; // a delay notice
        if (status == null) status = PERMANENT.matcher(diagnostic != null ? diagnostic : region).find() ? "5.0.0" : "4.0.0";

        Set<String> own = ownAddresses(parsed, original);
        String recipient = null;
        for (Mailbox mb : MimeContent.mailboxes(MimeContent.header(m, "X-Failed-Recipients"))) { // Exim
            recipient = usable(mb.address(), own);
            if (recipient != null) break;
        }
        if (recipient == null) recipient = recipientIn(region, own);
        if (recipient == null) recipient = singleRecipientOf(original, own);
        if (recipient == null && originalMessageId == null) return null;
        return new Bounce(recipient, status, status.startsWith("5"), clip(diagnostic), originalMessageId, parsed.from());
    }

    /** Marker: the report says "no failure" (delayed, delivered, relayed, expanded). */
    private static final Bounce NOT_A_BOUNCE = new Bounce(null, null, false, null, null, null);

    private static Bounce fromDeliveryStatus(Scan scan, MimeContent.Parsed parsed, String region, String originalMessageId) {
        if (scan.deliveryStatus.isEmpty()) return null;
        Map<String, String> perMessage = null;
        List<Map<String, String>> recipients = new ArrayList<>();
        for (byte[] bytes : scan.deliveryStatus) {
            for (Map<String, String> group : fieldGroups(MimeContent.decodeBytes(bytes, "utf-8"))) {
                if (group.containsKey("final-recipient") || group.containsKey("original-recipient")
                        || group.containsKey("action") || group.containsKey("status")) {
                    recipients.add(group);
                } else if (perMessage == null) {
                    perMessage = group;
                }
            }
        }
        if (recipients.isEmpty()) return null;

        Map<String, String> failed = null;
        boolean explicitNonFailure = false;
        for (Map<String, String> r : recipients) {
            String action = firstWord(r.get("action"));
            String status = statusFrom(r.get("status"), STATUS_FIELD);
            if (action.equals("failed") || action.isEmpty() && status != null && status.startsWith("5")) {
                failed = r;
                break;
            }
            if (!action.isEmpty() || status != null) explicitNonFailure = true;
        }
        if (failed == null) return explicitNonFailure ? NOT_A_BOUNCE : null;

        String diagnostic = stripType(failed.get("diagnostic-code"));
        if (diagnostic == null || diagnostic.isBlank()) diagnostic = diagnosticIn(region);
        String status = statusFrom(failed.get("status"), STATUS_FIELD);
        String fromDiagnostic = statusFrom(diagnostic, STATUS_TEXT);
        if (status == null) {
            status = fromDiagnostic;
        } else if (status.endsWith(".0.0") && fromDiagnostic != null && !fromDiagnostic.endsWith(".0.0")
                && fromDiagnostic.charAt(0) == status.charAt(0)) {
            status = fromDiagnostic; // "Status: 5.0.0" + "550 5.1.1 …": keep the precise one
        }
        if (status == null) status = "5.0.0"; // "failed" is final by definition (RFC 3464 2.3.3)

        String recipient = address(failed.get("original-recipient"));
        if (recipient == null) recipient = address(failed.get("final-recipient"));
        if (recipient == null) recipient = address(failed.get("x-actual-recipient"));
        if (recipient == null) recipient = recipientIn(region, ownAddresses(parsed, scan.originalHeaders));
        if (recipient == null && originalMessageId == null) return null;

        String reporter = perMessage == null ? null : stripType(perMessage.get("reporting-mta"));
        if (reporter == null || reporter.isBlank()) reporter = parsed.from();
        else reporter = reporter.toLowerCase(Locale.ROOT);
        return new Bounce(recipient, status, status.startsWith("5"), clip(diagnostic), originalMessageId, reporter);
    }

    /** The blank-line separated field groups of a message/delivery-status body. */
    static List<Map<String, String>> fieldGroups(String body) {
        List<Map<String, String>> groups = new ArrayList<>();
        Map<String, String> cur = new LinkedHashMap<>();
        String lastName = null;
        for (String line : body.replace("\r\n", "\n").replace('\r', '\n').split("\n")) {
            if (line.isBlank()) {
                if (!cur.isEmpty()) groups.add(cur);
                cur = new LinkedHashMap<>();
                lastName = null;
                continue;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && lastName != null) {
                cur.put(lastName, cur.get(lastName) + " " + line.strip());
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) continue;
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (cur.containsKey(name)) { // a missing blank line between recipients
                groups.add(cur);
                cur = new LinkedHashMap<>();
            }
            cur.put(name, line.substring(colon + 1).strip());
            lastName = name;
        }
        if (!cur.isEmpty()) groups.add(cur);
        return groups;
    }

    private static final class Scan {
        boolean dsnReport;
        final List<byte[]> deliveryStatus = new ArrayList<>();
        Map<String, List<String>> originalHeaders;
    }

    private static void scan(Part p, Scan s, int depth) {
        if (depth > MAX_DEPTH) return;
        Ct ct = MimeContent.contentType(p, "text/plain");
        String type = ct.value();
        if (type.startsWith("multipart/")) {
            if (type.equals("multipart/report") && "delivery-status".equalsIgnoreCase(trim(ct.param("report-type")))) {
                s.dsnReport = true;
            }
            List<Part> children = MimeContent.children(p, ct);
            if (children != null) for (Part child : children) scan(child, s, depth + 1);
        } else if (type.equals("message/delivery-status") || type.equals("message/global-delivery-status")) {
            s.deliveryStatus.add(MimeContent.bytes(p, 1024 * 1024));
        } else if (s.originalHeaders == null && (type.equals("message/rfc822") || type.equals("message/global")
                || type.equals("text/rfc822-headers") || type.equals("message/rfc822-headers")
                || type.equals("message/global-headers"))) {
            Map<String, List<String>> headers = MimeContent.lazy(p) ? nestedHeaders(p) : Map.of();
            if (headers.isEmpty()) headers = parseHeaderBlock(MimeContent.bytes(p, 256 * 1024));
            if (!headers.isEmpty()) s.originalHeaders = headers;
        }
    }

    /**
     * Headers of an attached message read over IMAP: through the nested message (BODYSTRUCTURE
     * envelope, {@code BODY[n.HEADER]}) rather than its raw section, which not every server
     * returns with the headers.
     */
    private static Map<String, List<String>> nestedHeaders(Part p) {
        try {
            if (p.getContent() instanceof MimeMessage nested) {
                Map<String, List<String>> headers = MimeContent.rawHeaders(nested);
                String id = headers.containsKey("message-id") ? null : nested.getMessageID();
                if (id != null) headers.put("message-id", List.of(id));
                return headers;
            }
        } catch (Exception e) {
            MimeContent.failIfUnavailable(e);
        }
        return Map.of();
    }

    private static Map<String, List<String>> parseHeaderBlock(byte[] bytes) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        int start = 0;
        while (start < bytes.length && (bytes[start] == '\r' || bytes[start] == '\n' || bytes[start] == ' ')) start++;
        try {
            InternetHeaders h = new InternetHeaders(new ByteArrayInputStream(bytes, start, bytes.length - start));
            Enumeration<Header> e = h.getAllHeaders();
            while (e.hasMoreElements()) {
                Header header = e.nextElement();
                out.computeIfAbsent(header.getName().trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(MimeContent.unfold(header.getValue()));
            }
        } catch (Exception e) {
            // no readable headers
        }
        return out;
    }

    /** Headers of the original message quoted after the copy marker of a text notice. */
    private static Map<String, List<String>> headersIn(String tail) {
        if (tail.isEmpty()) return Map.of();
        String[] lines = tail.split("\n");
        int i = 1; // skip the marker line
        while (i < lines.length && !lines[i].matches("[A-Za-z][A-Za-z0-9-]*[ \\t]*:.*")) {
            if (i > 5) return Map.of();
            i++;
        }
        StringBuilder block = new StringBuilder();
        for (; i < lines.length && !lines[i].isBlank(); i++) block.append(lines[i]).append("\r\n");
        if (block.isEmpty()) return Map.of();
        return parseHeaderBlock(block.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String originalMessageId(Map<String, List<String>> original, String tail, String text) {
        List<String> values = original.get("message-id");
        if (values != null && !values.isEmpty()) {
            List<String> ids = MimeContent.messageIds(values.getFirst());
            if (!ids.isEmpty()) return ids.getFirst();
        }
        for (String t : List.of(tail, text)) {
            Matcher mt = MESSAGE_ID_LINE.matcher(t);
            if (mt.find()) return mt.group(1);
        }
        return null;
    }

    private static Set<String> ownAddresses(MimeContent.Parsed parsed, Map<String, List<String>> original) {
        Set<String> own = new LinkedHashSet<>();
        if (parsed.from() != null) own.add(parsed.from());
        own.addAll(parsed.to());
        own.addAll(parsed.cc());
        if (original != null) {
            for (String name : List.of("from", "sender", "reply-to", "return-path")) {
                for (String v : original.getOrDefault(name, List.of())) {
                    for (Mailbox mb : MimeContent.mailboxes(v)) own.add(mb.address());
                }
            }
        }
        return own;
    }

    private static String singleRecipientOf(Map<String, List<String>> original, Set<String> own) {
        if (original == null) return null;
        List<String> to = new ArrayList<>();
        for (String v : original.getOrDefault("to", List.of())) {
            for (Mailbox mb : MimeContent.mailboxes(v)) if (!own.contains(mb.address())) to.add(mb.address());
        }
        return to.size() == 1 ? to.getFirst() : null;
    }

    /** The failed address named in the text of a notice (never one of {@code own}). */
    static String recipientIn(String region, Set<String> own) {
        Matcher mt = ANGLE_RECIPIENT_LINE.matcher(region); // Postfix, qmail: "<user@host>: …"
        while (mt.find()) {
            String a = usable(mt.group(1), own);
            if (a != null) return a;
        }
        mt = RECIPIENT_PHRASE.matcher(region);
        while (mt.find()) {
            for (int g = 1; g <= mt.groupCount(); g++) {
                String a = usable(mt.group(g), own);
                if (a != null) return a;
            }
        }
        mt = RECIPIENT_MARKER.matcher(region);
        while (mt.find()) {
            Matcher addr = ANY_ADDRESS.matcher(region);
            addr.region(mt.end(), Math.min(region.length(), mt.end() + 600));
            while (addr.find()) {
                String a = usable(addr.group(), own);
                if (a != null) return a;
            }
        }
        mt = RCPT_TO.matcher(region);
        while (mt.find()) {
            String a = usable(mt.group(1), own);
            if (a != null) return a;
        }
        mt = ANY_ADDRESS.matcher(region);
        while (mt.find()) {
            String a = usable(mt.group(), own);
            if (a != null) return a;
        }
        return null;
    }

    private static String usable(String address, Set<String> own) {
        if (address == null) return null;
        String a = address.toLowerCase(Locale.ROOT).replaceAll("[.]+$", "");
        if (own.contains(a)) return null;
        String local = a.substring(0, a.indexOf('@'));
        if (DAEMON_LOCAL.matcher(local).matches()) return null;
        return a;
    }

    /** The remote server's reply quoted in the text of a notice, or null. */
    static String diagnosticIn(String region) {
        Matcher mt = QUOTED_REPLY.matcher(region); // Exchange: Remote Server returned '550 5.1.1 …'
        if (mt.find()) return mt.group(1).strip();
        mt = HASH_REPLY.matcher(region); // Exchange: #550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##
        if (mt.find()) return mt.group(1).strip();
        String[] lines = region.split("\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher code = SMTP_LINE.matcher(lines[i]);
            if (!code.find()) continue;
            StringBuilder d = new StringBuilder(lines[i].strip());
            String sameCode = code.group(1);
            for (int j = i + 1; j < lines.length; j++) {
                String next = lines[j];
                if (next.isBlank()) break;
                boolean continuation = Character.isWhitespace(next.charAt(0)) && !lines[i].isEmpty()
                        && !Character.isWhitespace(lines[i].charAt(0));
                boolean indentedBlock = Character.isWhitespace(next.charAt(0)) && Character.isWhitespace(lines[i].charAt(0));
                boolean multiLineReply = next.strip().matches(sameCode + "[ -].*");
                if (!(continuation || indentedBlock || multiLineReply)) break;
                String part = next.strip();
                if (multiLineReply) part = part.substring(4).replaceFirst("^[245]\\.\\d\\.\\d{1,3}\\s*", "");
                d.append(' ').append(part);
            }
            // Postfix: "<user@host>: host mx[…] said: 550 …" — the address prefix is not the diagnostic
            return d.toString().replaceFirst("^<[^>]*>:\\s*", "");
        }
        mt = QMAIL_STATUS.matcher(region);
        if (!mt.find()) mt = PERMANENT.matcher(region);
        if (mt.find(0)) {
            int start = region.lastIndexOf('\n', mt.start()) + 1;
            int end = region.indexOf('\n', mt.end());
            return region.substring(start, end < 0 ? region.length() : end).strip();
        }
        return null;
    }

    /** Status class.subject.detail from a Status field or a diagnostic, else from an SMTP code. */
    private static String statusFrom(String value, Pattern statusPattern) {
        if (value == null || value.isBlank()) return null;
        Matcher mt = statusPattern.matcher(value);
        if (mt.find()) return mt.group(1) + "." + Integer.parseInt(mt.group(2)) + "." + Integer.parseInt(mt.group(3));
        mt = SMTP_CODE.matcher(value);
        if (mt.find()) return mt.group(1) + ".0.0";
        return null;
    }

    private static String address(String field) {
        if (field == null) return null;
        Matcher mt = ANY_ADDRESS.matcher(stripType(field));
        return mt.find() ? mt.group().toLowerCase(Locale.ROOT) : null;
    }

    private static final Pattern TYPE_PREFIX = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]*[ \\t]*;[ \\t]*");

    /** "rfc822; x" → "x", "smtp; 550 …" → "550 …". */
    private static String stripType(String field) {
        if (field == null) return null;
        String f = field.strip();
        Matcher mt = TYPE_PREFIX.matcher(f);
        return mt.find() ? f.substring(mt.end()).strip() : f;
    }

    private static String firstWord(String value) {
        if (value == null) return "";
        String v = value.strip().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < v.length() && Character.isLetter(v.charAt(end))) end++;
        return v.substring(0, end);
    }

    private static String clip(String diagnostic) {
        if (diagnostic == null) return null;
        String d = diagnostic.replaceAll("\\s+", " ").strip();
        if (d.isEmpty()) return null;
        if (d.length() <= MAX_DIAGNOSTIC) return d;
        int end = MAX_DIAGNOSTIC;
        if (Character.isHighSurrogate(d.charAt(end - 1))) end--;
        return d.substring(0, end);
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }

    // ------------------------------------------------------------------------------------------
    // Auto-replies and system mail
    // ------------------------------------------------------------------------------------------

    /**
     * An automatic response to a message (RFC 3834): out-of-office, vacation, autoresponders.
     * Signals: {@code Auto-Submitted} other than {@code no} — except {@code auto-generated},
     * which RFC 3834 defines as "not a response" and which notifications use, so it counts only
     * with a reply hint (In-Reply-To/References or an auto-reply subject; Exchange's out-of-office
     * sends auto-generated); {@code X-Autoreply}, {@code X-Autorespond}, {@code X-Autoresponder};
     * {@code Precedence: auto_reply}; a subject such as "Automatic reply:", "Out of Office:",
     * "Abwesenheitsnotiz:", "Réponse automatique :". Delivery reports and mail from
     * mailer-daemon/postmaster are never auto-replies.
     */
    static boolean isAutoReply(MimeMessage m) {
        try {
            if (isReport(m) || isDaemon(m)) return false;
            String subject = MimeContent.decodeHeader(MimeContent.header(m, "Subject"));
            boolean autoSubject = subject != null && AUTO_REPLY_SUBJECT.matcher(subject.strip()).lookingAt();
            String autoSubmitted = token(MimeContent.header(m, "Auto-Submitted"));
            if (!autoSubmitted.isEmpty() && !autoSubmitted.equals("no")) {
                if (!autoSubmitted.equals("auto-generated")) return true;
                boolean replyHint = MimeContent.header(m, "In-Reply-To") != null
                        || MimeContent.header(m, "References") != null || autoSubject;
                if (replyHint) return true;
            }
            for (String name : List.of("X-Autoreply", "X-Autorespond", "X-Autoresponder")) {
                String v = MimeContent.header(m, name);
                if (v != null && !token(v).equals("no") && !token(v).equals("false")) return true;
            }
            String precedence = token(MimeContent.header(m, "Precedence"));
            if (precedence.equals("auto_reply") || precedence.equals("auto-reply")) return true;
            return autoSubject;
        } catch (MimeContent.MessageUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Machine-generated mail that is neither a person's reply nor (necessarily) a bounce:
     * delivery and disposition reports (any {@code multipart/report}), mail from
     * mailer-daemon/postmaster/no-reply/notification addresses, an empty Return-Path,
     * {@code Auto-Submitted: auto-generated}, {@code Precedence: bulk|list|junk}. Bounces are
     * system mail too; check {@link #parse} and {@link #isAutoReply} first.
     */
    static boolean isSystemMail(MimeMessage m) {
        try {
            if (isReport(m) || isDaemon(m) || nullReturnPath(m)) return true;
            List<Mailbox> from = MimeContent.mailboxes(MimeContent.header(m, "From"));
            List<Mailbox> sender = MimeContent.mailboxes(MimeContent.header(m, "Sender"));
            for (List<Mailbox> list : List.of(from, sender)) {
                for (Mailbox mb : list) {
                    String local = mb.address().substring(0, Math.max(0, mb.address().indexOf('@')));
                    if (NO_REPLY_LOCAL.matcher(local).matches()) return true;
                }
            }
            if (token(MimeContent.header(m, "Auto-Submitted")).equals("auto-generated")) return true;
            String precedence = token(MimeContent.header(m, "Precedence"));
            return precedence.equals("bulk") || precedence.equals("list") || precedence.equals("junk");
        } catch (MimeContent.MessageUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean isReport(MimeMessage m) {
        String ct = MimeContent.header(m, "Content-Type");
        if (ct == null) return false;
        String type = MimeContent.parseCt(ct, "text/plain").value();
        return type.equals("multipart/report") || type.equals("message/delivery-status");
    }

    private static boolean isDaemon(MimeMessage m) {
        for (String name : List.of("From", "Sender")) {
            for (Mailbox mb : MimeContent.mailboxes(MimeContent.header(m, name))) {
                if (isDaemon(mb.address(), mb.name())) return true;
            }
        }
        return false;
    }

    private static boolean isDaemon(String address, String name) {
        if (address != null && address.indexOf('@') > 0
                && DAEMON_LOCAL.matcher(address.substring(0, address.indexOf('@'))).matches()) {
            return true;
        }
        if (address != null && address.indexOf('@') < 0 && DAEMON_LOCAL.matcher(address).matches()) return true;
        return name != null && DAEMON_NAME.matcher(name).matches();
    }

    private static final Pattern RETURN_PATH_NOISE = Pattern.compile("[\\s<>]");
    private static final Pattern COMMENT = Pattern.compile("\\([^)]*\\)");

    private static boolean nullReturnPath(MimeMessage m) {
        String rp = MimeContent.header(m, "Return-Path");
        return rp != null && RETURN_PATH_NOISE.matcher(rp).replaceAll("").isEmpty();
    }

    /** First token of a header value, lower-case, without comments and parameters; "" if absent. */
    private static String token(String value) {
        if (value == null) return "";
        String v = COMMENT.matcher(value).replaceAll(" ").strip().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < v.length() && v.charAt(end) != ';' && !Character.isWhitespace(v.charAt(end))) end++;
        return v.substring(0, end);
    }
}
