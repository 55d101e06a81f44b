package dev.outreach2day.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.TestClock;
import dev.outreach2day.delivery.Sending;
import dev.outreach2day.mailserver.MailServer;
import dev.outreach2day.unibox.InboxSending;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * End to end over real protocols: a campaign email goes out over SMTP into the prospect's
 * mailbox on the built-in server; the prospect answers over SMTP; the inbox sync reads the
 * sending mailbox over IMAP; the reply shows up in /threads linked to the campaign and
 * classified, the contact's sequence stops and the stats count it. A bounce (RFC 3464 report)
 * and an out-of-office (RFC 3834) are classified and acted on; syncing again stores nothing twice.
 */
class UniboxFlowTest extends IntegrationTest {

    @Autowired ApplicationContext context;
    @Autowired MailSync sync;
    @Autowired MailServer mailServer;
    @Autowired TestClock clock;
    @Autowired org.springframework.jdbc.core.simple.JdbcClient jdbc;

    static final String ALWAYS = """
            {"timezone":"UTC","windows":[{"days":["mon","tue","wed","thu","fri","sat","sun"],"start":"00:00","end":"23:59"}],
             "minGapSeconds":0,"maxGapSeconds":0}""";

    record Setup(Api api, String campaignId, String mailbox, List<String> prospects) {}

    Setup launch(int contacts) {
        clock.awayFromTheDayEnd();
        var tenant = newTenant();
        Api api = api(tenant);
        String domain = dev.outreach2day.SendingDomains.buy(api, anonymous(), tenant.workspaceId(), "ubx");
        String mailbox = "john@" + domain;
        assertThat(api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"" + mailbox + "\",\"firstName\":\"John\",\"lastName\":\"Doe\"}]}")
                .status()).isEqualTo(201);
        String id = api.post("/campaigns", "{\"name\":\"Unibox\"}").json().get("id").asString();
        assertThat(api.post("/campaigns/" + id + "/steps", "{\"subject\":\"Partnership idea, {{firstName}}\","
                + "\"bodyHtml\":\"<p>Hi {{firstName}}, worth a chat?</p><p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a></p>\"}")
                .status()).isEqualTo(201);
        assertThat(api.post("/campaigns/" + id + "/steps", "{\"subject\":\"\",\"bodyHtml\":\"<p>Following up, {{firstName}}</p>\","
                + "\"delayDays\":1}").status()).isEqualTo(201);
        api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"" + mailbox + "\"]}");
        assertThat(api.put("/campaigns/" + id + "/schedule", ALWAYS).status()).isEqualTo(200);
        var prospects = new ArrayList<String>();
        var body = new StringBuilder("{\"contacts\":[");
        for (int i = 0; i < contacts; i++) {
            String email = "q" + i + "." + Long.toString(System.nanoTime(), 36) + "@prospect.example";
            prospects.add(email);
            body.append(i == 0 ? "" : ",").append("{\"email\":\"").append(email).append("\",\"firstName\":\"P").append(i).append("\"}");
        }
        assertThat(api.post("/campaigns/" + id + "/contacts", body.append("]}").toString()).status()).isEqualTo(200);
        assertThat(api.post("/campaigns/" + id + "/launch", "{\"confirm\":true}").status()).isEqualTo(200);
        return new Setup(api, id, mailbox, prospects);
    }

    List<MimeMessage> all(String address) throws Exception {
        return dev.outreach2day.Inboxes.read(mailServer, address);
    }

    MimeMessage firstIn(String address) throws Exception {
        var p = new Properties();
        var store = Session.getInstance(p).getStore("imap");
        store.connect(mailServer.host(), mailServer.imapPort(), address, address);
        try (store) {
            Folder f = store.getFolder("INBOX");
            f.open(Folder.READ_ONLY);
            Message m = f.getMessages()[0];
            var bytes = new ByteArrayOutputStream();
            m.writeTo(bytes);
            f.close(false);
            return new MimeMessage(Session.getInstance(p), new ByteArrayInputStream(bytes.toByteArray()));
        }
    }

    /** Sends {@code message} over the built-in server's SMTP, logged in as {@code login} (its password is its address). */
    void smtp(String login, MimeMessage message) throws Exception {
        var p = new Properties();
        p.put("mail.smtp.auth", "true");
        Session s = Session.getInstance(p);
        try (Transport t = s.getTransport("smtp")) {
            t.connect(mailServer.host(), mailServer.smtpPort(), login, login);
            message.saveChanges();
            t.sendMessage(message, message.getAllRecipients());
        }
    }

    MimeMessage reply(String from, String to, MimeMessage original, String text, String html) throws Exception {
        var m = new MimeMessage(Session.getInstance(new Properties()));
        m.setFrom(new InternetAddress(from));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        m.setSubject("Re: " + original.getSubject());
        m.setHeader("In-Reply-To", original.getMessageID());
        m.setHeader("References", original.getMessageID());
        if (html == null) {
            m.setText(text, "UTF-8");
        } else {
            var alt = new MimeMultipart("alternative");
            var tp = new MimeBodyPart();
            tp.setText(text, "UTF-8");
            var hp = new MimeBodyPart();
            hp.setText(html, "UTF-8", "html");
            alt.addBodyPart(tp);
            alt.addBodyPart(hp);
            m.setContent(alt);
        }
        return m;
    }

    JsonNode thread(Api api, String campaignId, String contactEmail) {
        var list = api.get("/threads?mode=full&campaignId=" + campaignId);
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        for (JsonNode t : list.json().get("threads")) {
            if (t.get("last_message") != null && contactEmail.equals(t.get("last_message").get("from_email").asString())) return t;
        }
        return null;
    }

    @Test
    void aReplyIsThreadedLinkedClassifiedAndStopsTheSequence() throws Exception {
        var s = launch(3);
        Sending.drain(context);
        assertThat(s.api().get("/campaigns/" + s.campaignId() + "/sends?status=sent").json().get("sends")).hasSize(3);
        String interested = s.prospects().get(0);
        String bounced = s.prospects().get(1);
        String away = s.prospects().get(2);

        // the prospect answers over SMTP, with HTML that must not survive as it is
        MimeMessage sent = firstIn(interested);
        smtp(interested, reply(interested, s.mailbox(), sent, "Yes, I'm interested. Can we talk next week?\n\n> Hi P0, worth a chat?",
                "<p>Yes, I'm interested. Can we talk next week?</p><script>alert(1)</script><a href=\"javascript:alert(2)\">x</a>"
                        + "<img src=x onerror=alert(3)>"));
        // a bounce report for the second prospect's email, from the mailer daemon (RFC 3464)
        MimeMessage bouncedSent = firstIn(bounced);
        String daemon = "mailer-daemon@mx." + Long.toString(System.nanoTime(), 36) + ".example";
        mailServer.ensureAccount(daemon, daemon);
        smtp(daemon, dsn(s.mailbox(), bounced, bouncedSent));
        // an out-of-office from the third (RFC 3834)
        MimeMessage awaySent = firstIn(away);
        MimeMessage ooo = reply(away, s.mailbox(), awaySent, "I am out of the office until 15 December 2026 with limited access to email.", null);
        ooo.setSubject("Automatic reply: " + awaySent.getSubject());
        ooo.setHeader("Auto-Submitted", "auto-replied");
        smtp(away, ooo);

        assertThat(sync.runOnce(true)).isGreaterThanOrEqualTo(1);

        Api api = s.api();
        JsonNode t = thread(api, s.campaignId(), interested);
        assertThat(t).as("the reply's thread").isNotNull();
        assertThat(t.get("campaignId").asString()).isEqualTo(s.campaignId());
        assertThat(t.get("replyIntent").asString()).isEqualTo("interested");
        assertThat(t.get("subject_display").asString()).isEqualTo(sent.getSubject());
        assertThat(t.get("is_postmaster").asBoolean()).isFalse();
        assertThat(t.get("external_thread_id").asString()).isEqualTo(sent.getMessageID().replaceAll("[<>]", ""));
        var messages = api.get("/threads/" + t.get("id").asString() + "/messages");
        assertThat(messages.status()).isEqualTo(200);
        JsonNode msg = messages.json().get("messages").get(0);
        assertThat(msg.get("is_incoming").asBoolean()).isTrue();
        assertThat(msg.get("folder").asString()).isEqualTo("inbox");
        assertThat(msg.get("from_email").asString()).isEqualTo(interested);
        assertThat(msg.get("body_html").asString()).contains("interested").doesNotContain("<script", "javascript:", "onerror");

        // the relevant view (the default) shows the reply, and filters work
        assertThat(api.get("/threads?replyIntent=interested&campaignId=" + s.campaignId()).json().get("threads")).hasSize(1);
        assertThat(api.get("/threads?mailboxId=" + s.mailbox()).json().get("threads").size()).isGreaterThanOrEqualTo(1);

        // bounce and out of office
        JsonNode b = null;
        for (JsonNode x : api.get("/threads?mode=full&replyIntent=bounced").json().get("threads")) b = x;
        assertThat(b).as("the bounce's thread").isNotNull();
        assertThat(b.get("is_postmaster").asBoolean()).isTrue();
        assertThat(b.get("campaignId").asString()).isEqualTo(s.campaignId());
        assertThat(api.get("/threads?replyIntent=bounced").json().get("threads")).as("system mail is not relevant").isEmpty();
        JsonNode o = thread(api, s.campaignId(), away);
        assertThat(o.get("replyIntent").asString()).isEqualTo("out_of_office");

        // the campaign acted: the replier is replied (sequence stopped), the bounced one bounced; stats count them
        var contacts = api.get("/campaigns/" + s.campaignId() + "/contacts").json().get("contacts");
        for (JsonNode c : contacts) {
            String email = c.get("email").asString();
            if (email.equals(interested)) assertThat(c.get("status").asString()).isEqualTo("replied");
            if (email.equals(bounced)) assertThat(c.get("status").asString()).isEqualTo("bounced");
            if (email.equals(away)) assertThat(c.get("status").asString()).isEqualTo("in_progress"); // stopOnAutoReply is off by default
        }
        var stats = api.get("/campaigns/" + s.campaignId() + "/stats").json().get("sends");
        assertThat(stats.get("replied").asLong()).isEqualTo(1);
        assertThat(stats.get("interested").asLong()).isEqualTo(1);
        assertThat(stats.get("bounced").asLong()).isEqualTo(1);

        // a day later step 2 goes only to the one still in sequence
        clock.advance(Duration.ofDays(1).plusMinutes(1));
        Sending.drain(context);
        var followUps = api.get("/campaigns/" + s.campaignId() + "/sends?status=sent").json().get("sends");
        assertThat(followUps).hasSize(4);

        // syncing again stores nothing twice
        int before = t.get("message_count").asInt();
        sync.runOnce(true);
        assertThat(thread(api, s.campaignId(), interested).get("message_count").asInt()).isEqualTo(before);

        // a manual intent wins over the classifier, also when more mail arrives
        var patched = api.patch("/threads/" + t.get("id").asString() + "/reply-intent", "{\"replyIntent\":\"not_interested\"}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        smtp(interested, reply(interested, s.mailbox(), sent, "Sounds great, I am very interested!", null));
        clock.advance(Duration.ofMinutes(1));
        sync.runOnce(true);
        JsonNode after = thread(api, s.campaignId(), interested);
        assertThat(after.get("message_count").asInt()).isEqualTo(before + 1);
        assertThat(after.get("replyIntent").asString()).isEqualTo("not_interested");
        assertThat(api.get("/campaigns/" + s.campaignId() + "/stats").json().get("sends").get("replied").asLong())
                .as("a second reply in the thread is not a second replier").isEqualTo(1);
        // the campaign contact's outcome follows the thread's manual intent, also after the new reply
        var outcomes = api.get("/campaigns/" + s.campaignId() + "/outcomes?source=manual").json().get("outcomes");
        assertThat(outcomes).hasSize(1);
        assertThat(outcomes.get(0).get("email").asString()).isEqualTo(interested);
        assertThat(outcomes.get(0).get("replyIntent").asString()).isEqualTo("not_interested");
        assertThat(outcomes.get(0).get("classifierIntent").asString()).isEqualTo("interested");
        assertThat(outcomes.get(0).get("replies").asInt()).isEqualTo(2);

        // the server renumbered the folder (UIDVALIDITY changed): it is read again from the start, nothing is stored twice
        jdbc.sql("UPDATE mailsync_folders SET uidvalidity = uidvalidity + 1 WHERE mailbox_id = (SELECT id FROM mailboxes WHERE address = :a)")
                .param("a", s.mailbox()).update();
        clock.advance(Duration.ofMinutes(1));
        sync.runOnce(true);
        assertThat(thread(api, s.campaignId(), interested).get("message_count").asInt()).isEqualTo(before + 1);
        assertThat(jdbc.sql("SELECT count(*) FROM unibox_messages WHERE mailbox_id = (SELECT id FROM mailboxes WHERE address = :a)")
                .param("a", s.mailbox()).query(Long.class).single()).isEqualTo(4L);

        // answering from the inbox: queued at once, sent by the worker, threaded in the prospect's INBOX, copied to Sent
        var queued = api.post("/threads/" + t.get("id").asString() + "/reply",
                "{\"bodyText\":\"Great, how about Tuesday 10:00?\",\"bodyHtml\":\"<p>Great, how about <b>Tuesday 10:00</b>?</p>\","
                        + "\"fromMailboxAddress\":\"" + s.mailbox() + "\"}");
        assertThat(queued.status()).as(queued.body()).isEqualTo(202);
        assertThat(queued.json().get("status").asString()).isEqualTo("queued");
        String op = queued.json().get("operation_id").asString();
        String answerId = queued.json().get("message_id").asString();
        assertThat(api.get("/threads/outbound-operations/" + op).json().get("status").asString()).isEqualTo("queued");
        assertThat(InboxSending.runOnce(context)).isEqualTo(1);
        var done = api.get("/threads/outbound-operations/" + op).json();
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("sent");
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
        MimeMessage answer = null;
        for (MimeMessage m : all(interested)) if (answerId.equals(m.getMessageID())) answer = m;
        assertThat(answer).as("the answer in the prospect's INBOX").isNotNull();
        assertThat(answer.getSubject()).isEqualTo("Re: " + sent.getSubject());
        assertThat(answer.getHeader("In-Reply-To")[0]).isNotEqualTo(sent.getMessageID()); // the prospect's last reply
        assertThat(answer.getHeader("References")[0]).contains(sent.getMessageID());
        assertThat(answer.getFrom()[0].toString()).contains(s.mailbox());
        assertThat(answer.getHeader("DKIM-Signature")).as("signed with the domain's key, like campaign mail").isNotNull();
        assertThat(answer.getHeader("DKIM-Signature")[0]).contains("d=" + s.mailbox().substring(s.mailbox().indexOf('@') + 1));
        var all = api.get("/threads/" + t.get("id").asString() + "/messages").json().get("messages");
        JsonNode mine = all.get(all.size() - 1);
        assertThat(mine.get("is_incoming").asBoolean()).isFalse();
        assertThat(mine.get("folder").asString()).isEqualTo("sent");
        assertThat(mine.get("message_id").asString()).isEqualTo(answerId);
        // the Sent copy is read by the next sync round and recognised: not stored twice
        clock.advance(Duration.ofMinutes(1));
        sync.runOnce(true);
        assertThat(api.get("/threads/" + t.get("id").asString() + "/messages").json().get("messages")).hasSize(all.size());
        // a new conversation and a forward
        var fresh = api.post("/threads/new", "{\"toAddress\":\"" + away + "\",\"subject\":\"Another idea\",\"bodyText\":\"Hi\","
                + "\"fromMailboxAddress\":\"" + s.mailbox() + "\"}");
        assertThat(fresh.status()).as(fresh.body()).isEqualTo(202);
        assertThat(fresh.json().get("thread_id").asString()).startsWith("thr_");
        var fwd = api.post("/threads/" + t.get("id").asString() + "/forward", "{\"toAddress\":\"" + away + "\",\"bodyText\":\"FYI\","
                + "\"fromMailboxAddress\":\"" + s.mailbox() + "\"}");
        assertThat(fwd.status()).as(fwd.body()).isEqualTo(202);
        InboxSending.runOnce(context);
        assertThat(api.get("/threads/outbound-operations/" + fresh.json().get("operation_id").asString()).json().get("status").asString())
                .isEqualTo("sent");
        assertThat(api.get("/threads/outbound-operations/" + fwd.json().get("operation_id").asString()).json().get("status").asString())
                .isEqualTo("sent");
        assertThat(all(away).stream().map(m -> {
            try {
                return m.getSubject();
            } catch (Exception e) {
                return "";
            }
        }).toList()).contains("Another idea", "Fwd: " + sent.getSubject().replace("P0", "P0"));
        // a retried call with the same Idempotency-Key queues one message, not two
        Api once = api.withHeader("Idempotency-Key", "reply-" + System.nanoTime());
        String body = "{\"bodyText\":\"One more thing\",\"fromMailboxAddress\":\"" + s.mailbox() + "\"}";
        var r1 = once.post("/threads/" + t.get("id").asString() + "/reply", body);
        var r2 = once.post("/threads/" + t.get("id").asString() + "/reply", body);
        assertThat(r1.status()).isEqualTo(202);
        assertThat(r2.json().get("operation_id").asString()).isEqualTo(r1.json().get("operation_id").asString());
        assertThat(InboxSending.runOnce(context)).isEqualTo(1);

        // an operation a dead process left in SMTP is never sent again: it fails, saying why
        var stuck = api.post("/threads/new", "{\"toAddress\":\"" + away + "\",\"subject\":\"Stuck\",\"bodyText\":\"Hi\","
                + "\"fromMailboxAddress\":\"" + s.mailbox() + "\"}");
        String stuckOp = stuck.json().get("operation_id").asString();
        jdbc.sql("UPDATE unibox_operations SET status = 'sending', attempts = 1, locked_by = 'dead', locked_until = now() - interval '1 minute'"
                + " WHERE id = :id").param("id", stuckOp).update();
        assertThat(InboxSending.runOnce(context)).isZero();
        var failed = api.get("/threads/outbound-operations/" + stuckOp).json();
        assertThat(failed.get("status").asString()).isEqualTo("failed");
        assertThat(failed.get("error").asString()).contains("not sent again");

        // bad input for sending: a clear 4xx, nothing queued
        assertThat(api.post("/threads/" + t.get("id").asString() + "/reply", "{\"bodyText\":\"x\",\"fromMailboxAddress\":\"nobody@else.example\"}")
                .status()).isEqualTo(422);
        assertThat(api.post("/threads/" + t.get("id").asString() + "/reply", "{\"bodyText\":\" \",\"fromMailboxAddress\":\"" + s.mailbox() + "\"}")
                .status()).isEqualTo(422);
        assertThat(api.post("/threads/new", "{\"toAddress\":\"not-an-address\",\"subject\":\"x\",\"bodyText\":\"x\","
                + "\"fromMailboxAddress\":\"" + s.mailbox() + "\"}").status()).isEqualTo(422);
        assertThat(api.post("/threads/thr_nope/reply", "{\"bodyText\":\"x\",\"fromMailboxAddress\":\"" + s.mailbox() + "\"}").status())
                .isEqualTo(404);
        assertThat(api.get("/threads/outbound-operations/op_nope").status()).isEqualTo(404);
        assertThat(InboxSending.runOnce(context)).as("nothing was queued by the refused calls").isZero();

        // bad input: a clear 4xx
        assertThat(api.patch("/threads/" + t.get("id").asString() + "/reply-intent", "{\"replyIntent\":\"maybe\"}").status()).isEqualTo(422);
        assertThat(api.get("/threads?replyIntent=maybe").status()).isEqualTo(422);
        assertThat(api.get("/threads?updatedSince=yesterday").status()).isEqualTo(422);
        assertThat(api.get("/threads/thr_nope/messages").status()).isEqualTo(404);

        // the debug view shows the mailbox's sync state
        var debug = api.get("/threads/debug").json().get("mailboxes").get(0);
        assertThat(debug.get("address").asString()).isEqualTo(s.mailbox());
        assertThat(debug.get("status").asString()).isEqualTo("ok");
        assertThat(debug.get("folders").get(0).get("lastUid").asLong()).isGreaterThanOrEqualTo(4);
    }

    /** An RFC 3464 delivery-status report for {@code recipient}, carrying the original's headers. */
    MimeMessage dsn(String to, String recipient, MimeMessage original) throws Exception {
        String raw = """
                From: Mail Delivery System <mailer-daemon@%1$s>
                To: %2$s
                Subject: Undelivered Mail Returned to Sender
                Auto-Submitted: auto-replied
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

                --b1
                Content-Type: text/plain

                The mail system could not deliver your message to %3$s: user unknown.

                --b1
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mx.prospect.example

                Final-Recipient: rfc822; %3$s
                Action: failed
                Status: 5.1.1
                Diagnostic-Code: smtp; 550 5.1.1 <%3$s>: Recipient address rejected: User unknown

                --b1
                Content-Type: text/rfc822-headers

                Message-ID: %4$s
                From: %2$s
                To: %3$s
                Subject: %5$s

                --b1--
                """.formatted(to.substring(to.indexOf('@') + 1), to, recipient, original.getMessageID(), original.getSubject())
                .replace("\n", "\r\n");
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw.getBytes()));
    }
}
