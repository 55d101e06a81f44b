package dev.outreach2day.webhook;

import dev.outreach2day.delivery.ContactUnsubscribed;
import dev.outreach2day.delivery.SendCompleted;
import dev.outreach2day.delivery.SendsCompleted;
import dev.outreach2day.mailbox.MailboxHealthChanged;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.outcome.OutcomeOverridden;
import dev.outreach2day.outcome.ReplyOutcomes;
import dev.outreach2day.unibox.ReplyReceived;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.ObjectMapper;

/**
 * Turns what the other capabilities publish into webhook events: each event is stored with its
 * deliveries to the subscriptions that want it in one statement, in the transaction of the change
 * that caused it when that change runs in one (replies, unsubscribes); the delivery worker sends
 * them.
 */
@Component
class WebhookOutbox {

    /** The event and one pending delivery per matching subscription (a paused one gets its backlog on resume), in one statement. */
    private static final String PUBLISH = """
            WITH e AS (
                INSERT INTO webhook_events (workspace_id, id, type, campaign_id, payload, created_at)
                VALUES (:workspaceId, :id, :type, :campaignId, CAST(:payload AS jsonb), :now)
                RETURNING workspace_id, id, type, campaign_id, seq)
            INSERT INTO webhook_deliveries (workspace_id, id, subscription_id, event_id, event_seq, status, next_attempt_at, created_at)
            SELECT s.workspace_id, 'dlv_' || substr(e.id, 5) || '_' || s.id, s.id, e.id, e.seq, 'pending', :now, :now
              FROM webhook_subscriptions s, e
             WHERE s.workspace_id = e.workspace_id AND s.status IN ('active', 'paused') AND e.type = ANY(s.event_types)
               AND (cardinality(s.campaign_ids) = 0 OR e.campaign_id = ANY(s.campaign_ids))
            """;

    private final JdbcClient jdbc;
    private final ObjectMapper json;
    private final Clock clock;
    private final WebhookDispatcher dispatcher;

    WebhookOutbox(JdbcClient jdbc, ObjectMapper json, Clock clock, WebhookDispatcher dispatcher) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.dispatcher = dispatcher;
    }

    /** New deliveries are due now: this process's dispatcher starts on them once they are committed (others poll). */
    private void wakeAfterCommit() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    dispatcher.wake();
                }
            });
        } else {
            dispatcher.wake();
        }
    }

    /** Stores one event (and its deliveries); returns its id. */
    String publish(long workspaceId, String type, String campaignId, Map<String, Object> data, Instant at) {
        if (!EventTypes.BY_NAME.containsKey(type) && !type.equals("test")) throw new IllegalArgumentException("unknown event type " + type);
        Instant now = clock.instant();
        String id = Ids.next("evt", now.toEpochMilli());
        var body = new LinkedHashMap<String, Object>();
        body.put("type", type);
        body.put("timestamp", (at == null ? now : at).toString());
        body.put("data", data);
        jdbc.sql(PUBLISH).param("workspaceId", workspaceId).param("id", id).param("type", type).param("campaignId", campaignId)
                .param("payload", json.writeValueAsString(body)).param("now", Timestamp.from(now)).update();
        wakeAfterCommit();
        return id;
    }

    /** A test event, delivered to one subscription only (whatever its event types). */
    String publishTo(long workspaceId, String subscriptionId, String type, Map<String, Object> data) {
        Instant now = clock.instant();
        String id = Ids.next("evt", now.toEpochMilli());
        var body = new LinkedHashMap<String, Object>();
        body.put("type", type);
        body.put("timestamp", now.toString());
        body.put("data", data);
        jdbc.sql("""
                WITH e AS (
                    INSERT INTO webhook_events (workspace_id, id, type, campaign_id, payload, created_at)
                    VALUES (:workspaceId, :id, :type, NULL, CAST(:payload AS jsonb), :now)
                    RETURNING seq)
                INSERT INTO webhook_deliveries (workspace_id, id, subscription_id, event_id, event_seq, status, next_attempt_at, created_at)
                SELECT :workspaceId, 'dlv_' || substr(:id, 5) || '_' || :sub, :sub, :id, e.seq, 'pending', :now, :now FROM e
                """).param("workspaceId", workspaceId).param("id", id).param("type", type).param("payload", json.writeValueAsString(body))
                .param("sub", subscriptionId).param("now", Timestamp.from(now)).update();
        wakeAfterCommit();
        return id;
    }

    /**
     * The events of a group of sends (email_sent, contact_completed), all in one statement. The
     * payload is built by PostgreSQL (jsonb_build_object) from the sends' fields: the same
     * document {@link #publish} writes, {"type","timestamp","data":{…}} with null fields left out,
     * without a JSON text made and parsed again per event.
     */
    private static final String PUBLISH_SENDS = """
            WITH e AS (
                INSERT INTO webhook_events (workspace_id, id, type, campaign_id, payload, created_at)
                SELECT i.workspace_id, i.id, i.type, i.campaign_id,
                       jsonb_build_object('type', i.type, 'timestamp', i.at, 'data', jsonb_strip_nulls(
                           CASE WHEN i.type = 'email_sent'
                                THEN jsonb_build_object('campaignId', i.campaign_id, 'contactId', i.contact_id, 'sendId', i.send_id,
                                                        'mailboxId', i.mailbox_id, 'step', i.step, 'messageId', i.message_id)
                                ELSE jsonb_build_object('campaignId', i.campaign_id, 'contactId', i.contact_id, 'lastStep', i.step,
                                                        'lastSendId', i.send_id) END)),
                       :now
                  FROM unnest(CAST(:types AS text[]), CAST(:workspaceIds AS bigint[]), CAST(:ids AS text[]), CAST(:campaignIds AS text[]),
                              CAST(:contactIds AS text[]), CAST(:sendIds AS text[]), CAST(:mailboxIds AS text[]),
                              CAST(:steps AS integer[]), CAST(:messageIds AS text[]), CAST(:ats AS text[]))
                       WITH ORDINALITY AS i(type, workspace_id, id, campaign_id, contact_id, send_id, mailbox_id, step, message_id, at, ord)
                 ORDER BY i.ord
                RETURNING workspace_id, id, type, campaign_id, seq)
            INSERT INTO webhook_deliveries (workspace_id, id, subscription_id, event_id, event_seq, status, next_attempt_at, created_at)
            SELECT s.workspace_id, 'dlv_' || substr(e.id, 5) || '_' || s.id, s.id, e.id, e.seq, 'pending', :now, :now
              FROM webhook_subscriptions s JOIN e ON s.workspace_id = e.workspace_id
             WHERE s.status IN ('active', 'paused') AND e.type = ANY(s.event_types)
               AND (cardinality(s.campaign_ids) = 0 OR e.campaign_id = ANY(s.campaign_ids))
            """;

    /** The group's email_sent events, then its contact_completed ones, all in one statement. */
    @EventListener
    void on(SendsCompleted group) {
        int sent = group.sends().size();
        int n = sent + group.lastSteps().size();
        if (n == 0) return;
        Instant now = clock.instant();
        var types = new String[n];
        var ws = new Long[n];
        var ids = new String[n];
        var campaigns = new String[n];
        var contacts = new String[n];
        var sendIds = new String[n];
        var mailboxes = new String[n];
        var steps = new Integer[n];
        var messageIds = new String[n];
        var ats = new String[n];
        for (int i = 0; i < n; i++) {
            SendCompleted e = i < sent ? group.sends().get(i) : group.lastSteps().get(i - sent);
            types[i] = i < sent ? "email_sent" : "contact_completed";
            ws[i] = e.workspaceId();
            ids[i] = Ids.next("evt", now.toEpochMilli());
            campaigns[i] = e.campaignId();
            contacts[i] = e.contactId();
            sendIds[i] = e.sendId();
            mailboxes[i] = e.mailboxId();
            steps[i] = e.stepOrder();
            messageIds[i] = e.messageId();
            ats[i] = e.at().toString();
        }
        jdbc.sql(PUBLISH_SENDS).param("types", types).param("workspaceIds", ws).param("ids", ids).param("campaignIds", campaigns)
                .param("contactIds", contacts).param("sendIds", sendIds).param("mailboxIds", mailboxes).param("steps", steps)
                .param("messageIds", messageIds).param("ats", ats).param("now", Timestamp.from(now)).update();
        wakeAfterCommit();
    }

    @EventListener
    void on(SendCompleted e) {
        if (!e.status().equals("sent") && !e.status().equals("bounced")) return;
        publish(e.workspaceId(), e.status().equals("sent") ? "email_sent" : "email_bounced", e.campaignId(),
                data("campaignId", e.campaignId(), "contactId", e.contactId(), "sendId", e.sendId(), "mailboxId", e.mailboxId(),
                        "step", e.stepOrder(), "messageId", e.messageId(), "hard", e.status().equals("bounced") ? Boolean.TRUE : null),
                e.at());
    }

    @EventListener
    void on(dev.outreach2day.delivery.EmailEngaged e) {
        publish(e.workspaceId(), e.kind().equals("open") ? "email_opened" : "link_clicked", e.campaignId(),
                data("campaignId", e.campaignId(), "contactId", e.contactId(), "sendId", e.sendId(), "url", e.url()), e.at());
    }

    @EventListener
    void on(ContactUnsubscribed e) {
        publish(e.workspaceId(), "lead_unsubscribed", e.campaignId(),
                data("campaignId", e.campaignId(), "contactId", e.contactId(), "email", e.email(), "via", "link"), e.at());
    }

    @EventListener
    void on(ReplyReceived r) {
        var base = data("campaignId", r.campaignId(), "contactId", r.contactId(), "threadId", r.threadId(), "messageId", r.messageId(),
                "from", r.fromEmail(), "replyIntent", r.replyIntent());
        publish(r.workspaceId(), "reply_received", r.campaignId(), base, r.receivedAt());
        var classified = new LinkedHashMap<>(base);
        classified.put("confidence", r.confidence());
        publish(r.workspaceId(), "reply_classified", r.campaignId(), classified, r.receivedAt());
        String lead = ReplyOutcomes.leadEvent(r.replyIntent());
        if (lead == null) return;
        var data = new LinkedHashMap<>(base);
        if (r.returnDate() != null) data.put("returnDate", r.returnDate().toString());
        if (lead.equals("lead_unsubscribed")) data.put("via", "reply");
        if (lead.equals("email_bounced")) {
            data.put("hard", r.hardBounce());
            data.put("sendId", r.sendId());
        }
        publish(r.workspaceId(), lead, r.campaignId(), data, r.receivedAt());
    }

    @EventListener
    void on(OutcomeOverridden o) {
        var base = data("campaignId", o.campaignId(), "contactId", o.contactId(), "email", o.email(), "replyIntent", o.replyIntent(),
                "confidence", 1.0, "source", "manual", "previousIntent", o.previousIntent(), "note", o.note());
        publish(o.workspaceId(), "reply_classified", o.campaignId(), base, o.at());
        String lead = ReplyOutcomes.leadEvent(o.replyIntent());
        if (lead == null) return;
        var data = new LinkedHashMap<>(base);
        if (lead.equals("lead_unsubscribed")) data.put("via", "manual");
        if (lead.equals("email_bounced")) data.put("hard", true);
        publish(o.workspaceId(), lead, o.campaignId(), data, o.at());
    }

    @EventListener
    void on(dev.outreach2day.campaign.CampaignStatusChanged e) {
        String type = e.from().equals("draft") && e.to().equals("active") ? "campaign_launched"
                : e.to().equals("paused") ? "campaign_paused" : e.to().equals("completed") ? "campaign_completed" : null;
        if (type == null) return;
        publish(e.workspaceId(), type, e.campaignId(), data("campaignId", e.campaignId(), "name", e.name(), "from", e.from()), e.at());
    }

    @EventListener
    void on(MailboxHealthChanged e) {
        publish(e.workspaceId(), "mailbox_error", null,
                data("mailboxId", e.mailboxId(), "address", e.address(), "status", e.status(), "error", e.error()), null);
    }

    private static Map<String, Object> data(Object... kv) {
        var m = new LinkedHashMap<String, Object>();
        for (int i = 0; i < kv.length; i += 2) if (kv[i + 1] != null) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
