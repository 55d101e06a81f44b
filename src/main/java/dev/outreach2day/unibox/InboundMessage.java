package dev.outreach2day.unibox;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One message read from a mailbox folder, as the inbox sync hands it to the Unibox: ids
 * ({@code <…>}), lower-case addresses, the best text and (raw, unsanitised) HTML body, attachment
 * metadata, the first value of each header by lower-case name, and what the sync's bounce and
 * auto-reply detection found.
 *
 * @param bounce the failed delivery this message reports (a DSN or bounce notice), or null
 * @param autoReply an RFC 3834 auto-response (out-of-office and the like)
 * @param systemMail machine-generated mail that is not a reply (notifications, delay notices, bulk mail)
 */
public record InboundMessage(
        String messageId,
        String inReplyTo,
        List<String> references,
        String subject,
        String from,
        String fromName,
        List<String> to,
        List<String> cc,
        Instant date,
        String text,
        String html,
        List<Attachment> attachments,
        Map<String, String> headers,
        Bounce bounce,
        boolean autoReply,
        boolean systemMail) {

    public InboundMessage {
        references = references == null ? List.of() : List.copyOf(references);
        to = to == null ? List.of() : List.copyOf(to);
        cc = cc == null ? List.of() : List.copyOf(cc);
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
        headers = headers == null ? Map.of() : headers;
        text = text == null ? "" : text;
    }

    /** Metadata of one attachment; {@code filename} may be null, {@code size} is -1 when unknown. */
    public record Attachment(String filename, String contentType, long size) {}

    /** A failed delivery: the recipient (may be null), RFC 3463 status, hard or soft, and the bounced message's id. */
    public record Bounce(String recipient, String status, boolean hard, String diagnostic, String originalMessageId) {}
}
