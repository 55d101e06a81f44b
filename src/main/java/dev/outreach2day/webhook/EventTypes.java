package dev.outreach2day.webhook;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The events a subscription can ask for, each with what it means and an example of its {@code data}. */
final class EventTypes {

    record Type(String name, String description, Map<String, Object> example) {}

    static final List<Type> ALL = List.of(
            new Type("email_sent", "A campaign email was accepted by the mailbox's SMTP server.",
                    example("campaignId", "cmp_…", "contactId", "ctc_…", "sendId", "snd_…", "mailboxId", "mbx_…", "step", 1,
                            "messageId", "<snd_….1a2b@acme.com>")),
            new Type("email_bounced", "A campaign email bounced: refused by SMTP for the recipient, or reported by a bounce message.",
                    example("campaignId", "cmp_…", "contactId", "ctc_…", "sendId", "snd_…", "mailboxId", "mbx_…", "step", 1, "hard", true)),
            new Type("email_opened", "A prospect opened a campaign email (first counted open; scanners and prefetches are not counted).",
                    example("campaignId", "cmp_…", "contactId", "ctc_…", "sendId", "snd_…")),
            new Type("link_clicked", "A prospect clicked a link of a campaign email (first counted click).",
                    example("campaignId", "cmp_…", "contactId", "ctc_…", "sendId", "snd_…", "url", "https://acme.com/pricing")),
            new Type("reply_received", "A reply to a campaign email arrived (also auto-replies and bounce reports).",
                    example("campaignId", "cmp_…", "contactId", "ctc_…", "threadId", "thr_…", "messageId", "msg_…",
                            "from", "prospect@company.com", "replyIntent", "interested")),
            new Type("reply_classified", "A reply was classified: the intent and the classifier's confidence.",
                    example("campaignId", "cmp_…", "contactId", "ctc_…", "threadId", "thr_…", "replyIntent", "interested",
                            "confidence", 0.93)),
            new Type("lead_interested", "A prospect's reply reads as interested.",
                    example("campaignId", "cmp_…", "contactId", "ctc_…", "threadId", "thr_…", "from", "prospect@company.com")),
            new Type("lead_not_interested", "A prospect's reply reads as a no.",
                    example("campaignId", "cmp_…", "contactId", "ctc_…", "threadId", "thr_…", "from", "prospect@company.com")),
            new Type("lead_out_of_office", "An out-of-office auto-reply, with the return date when it states one.",
                    example("campaignId", "cmp_…", "contactId", "ctc_…", "threadId", "thr_…", "returnDate", "2026-12-15")),
            new Type("lead_unsubscribed", "A prospect unsubscribed: the link, one-click, or a reply asking for it.",
                    example("campaignId", "cmp_…", "contactId", "ctc_…", "email", "prospect@company.com", "via", "one_click")),
            new Type("contact_completed", "A contact was sent the last step of the sequence (nothing more is planned for it).",
                    example("campaignId", "cmp_…", "contactId", "ctc_…", "lastStep", 3, "lastSendId", "snd_…")),
            new Type("campaign_launched", "A campaign was launched (its first contacts are enrolled and sending starts).",
                    example("campaignId", "cmp_…", "name", "Q4 outreach")),
            new Type("campaign_paused", "A campaign was paused: nothing is sent until it is resumed.",
                    example("campaignId", "cmp_…", "name", "Q4 outreach")),
            new Type("campaign_completed", "Every contact of a campaign is done and nothing is left to send.",
                    example("campaignId", "cmp_…", "name", "Q4 outreach")),
            new Type("mailbox_error", "A mailbox's SMTP or IMAP login stopped working (or works again).",
                    example("mailboxId", "mbx_…", "address", "john@acme.com", "status", "error", "error", "535 authentication failed")));

    static final Map<String, Type> BY_NAME = byName();

    private EventTypes() {}

    private static Map<String, Object> example(Object... kv) {
        var m = new LinkedHashMap<String, Object>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static Map<String, Type> byName() {
        var m = new LinkedHashMap<String, Type>();
        for (Type t : ALL) m.put(t.name(), t);
        return Map.copyOf(m);
    }
}
