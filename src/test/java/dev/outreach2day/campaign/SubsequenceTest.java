package dev.outreach2day.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.Inboxes;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.TestClock;
import dev.outreach2day.delivery.Sending;
import dev.outreach2day.mailserver.MailServer;
import dev.outreach2day.mailsync.Syncing;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Subsequences end to end over real protocols: a prospect answers a campaign email over SMTP, the
 * inbox sync classifies the answer "interested", the contact leaves the main sequence and gets
 * the interested subsequence's emails from the same mailbox, threaded under the first one; the
 * others keep getting the main sequence. Also: no-reply triggers, manual outcomes, sync, routing
 * and bad input.
 */
class SubsequenceTest extends IntegrationTest {

    @Autowired ApplicationContext context;
    @Autowired MailServer mailServer;
    @Autowired TestClock clock;
    @Autowired Subsequences subsequences;

    static final String ALWAYS = """
            {"timezone":"UTC","windows":[{"days":["mon","tue","wed","thu","fri","sat","sun"],"start":"00:00","end":"23:59"}],
             "minGapSeconds":0,"maxGapSeconds":0}""";

    record Setup(Api api, String campaignId, String mailbox, List<String> prospects) {
        String base() {
            return "/campaigns/" + campaignId;
        }
    }

    Setup campaign(int contacts, String prefix) {
        clock.awayFromTheDayEnd(); // the all-day window ends at 23:59
        var tenant = newTenant();
        Api api = api(tenant);
        String domain = dev.outreach2day.SendingDomains.buy(api, anonymous(), tenant.workspaceId(), prefix);
        String mailbox = "anna@" + domain;
        assertThat(api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"" + mailbox + "\",\"firstName\":\"Anna\"}]}").status())
                .isEqualTo(201);
        String id = api.post("/campaigns", "{\"name\":\"Subsequences\"}").json().get("id").asString();
        assertThat(api.post("/campaigns/" + id + "/steps", "{\"subject\":\"A question, {{firstName}}\","
                + "\"bodyHtml\":\"<p>Hi {{firstName}}, worth a chat?</p>\"}").status()).isEqualTo(201);
        assertThat(api.post("/campaigns/" + id + "/steps", "{\"subject\":\"\",\"bodyHtml\":\"<p>Main follow-up, {{firstName}}</p>\","
                + "\"delayDays\":1}").status()).isEqualTo(201);
        api.post("/campaigns/" + id + "/mailboxes", "{\"mailboxes\":[\"" + mailbox + "\"]}");
        assertThat(api.put("/campaigns/" + id + "/schedule", ALWAYS).status()).isEqualTo(200);
        var prospects = new ArrayList<String>();
        var body = new StringBuilder("{\"contacts\":[");
        for (int i = 0; i < contacts; i++) {
            String email = "p" + i + "." + Long.toString(System.nanoTime(), 36) + "@buyer.example";
            prospects.add(email);
            body.append(i == 0 ? "" : ",").append("{\"email\":\"").append(email).append("\",\"firstName\":\"P").append(i).append("\"}");
        }
        assertThat(api.post("/campaigns/" + id + "/contacts", body.append("]}").toString()).status()).isEqualTo(200);
        return new Setup(api, id, mailbox, prospects);
    }

    static void launch(Setup s) {
        var r = s.api().post(s.base() + "/launch", "{\"confirm\":true}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static String create(Setup s, String json) {
        var r = s.api().post(s.base() + "/subsequences", json);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("subsequence").get("id").asString();
    }

    static JsonNode contact(Setup s, String email) {
        for (JsonNode c : s.api().get(s.base() + "/contacts?limit=200").json().get("contacts")) {
            if (c.get("email").asString().equals(email)) return c;
        }
        throw new AssertionError("no contact " + email);
    }

    static JsonNode subsequence(Setup s, String id) {
        var r = s.api().get(s.base() + "/subsequences/" + id);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("subsequence");
    }

    void smtpReply(String prospect, String to, MimeMessage original, String text) throws Exception {
        var m = new MimeMessage(Session.getInstance(new Properties()));
        m.setFrom(new InternetAddress(prospect));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        m.setSubject("Re: " + original.getSubject());
        m.setHeader("In-Reply-To", original.getMessageID());
        m.setHeader("References", original.getMessageID());
        m.setText(text, "UTF-8");
        var p = new Properties();
        p.put("mail.smtp.auth", "true");
        try (Transport t = Session.getInstance(p).getTransport("smtp")) {
            t.connect(mailServer.host(), mailServer.smtpPort(), prospect, prospect);
            m.saveChanges();
            t.sendMessage(m, m.getAllRecipients());
        }
    }

    @Test
    void anInterestedReplyMovesTheContactIntoItsSubsequenceThreadedFromTheSameMailbox() throws Exception {
        var s = campaign(3, "sub");
        String interested = create(s, """
                {"name":"Interested","trigger":{"replyIntents":["interested"]},
                 "steps":[{"subject":"","bodyHtml":"<p>Great, {{firstName}}! Here is my calendar.</p>","delayHours":1},
                          {"subject":"","bodyHtml":"<p>Did you find a slot, {{firstName}}?</p>","delayDays":1}]}""");
        String away = create(s, """
                {"name":"Out of office","trigger":{"replyIntents":["out_of_office"]},
                 "steps":[{"bodyHtml":"<p>Welcome back!</p>","delayDays":3}]}""");
        var routing = s.api().get(s.base() + "/subsequences/routing").json().get("routes");
        assertThat(routing.get("interested").asString()).isEqualTo(interested);
        assertThat(routing.get("out_of_office").asString()).isEqualTo(away);
        launch(s);
        Sending.drain(context);
        String p0 = s.prospects().get(0);
        var firstEmails = Inboxes.read(mailServer, p0);
        assertThat(firstEmails).hasSize(1);
        MimeMessage first = firstEmails.getFirst();

        // p0 answers over SMTP; the sync reads it, classifies it interested and routes it
        smtpReply(p0, s.mailbox(), first, "Yes, I'm interested. Can we talk next week?\n\n> Hi P0, worth a chat?");
        assertThat(Syncing.runOnce(context)).isGreaterThanOrEqualTo(1);
        var c0 = contact(s, p0);
        assertThat(c0.get("replyIntent").asString()).isEqualTo("interested");
        assertThat(c0.get("status").asString()).as("the main sequence stopped").isEqualTo("replied");
        var sub = subsequence(s, interested);
        assertThat(sub.get("stats").get("enrolled").asInt()).isEqualTo(1);
        assertThat(sub.get("stats").get("active").asInt()).isEqualTo(1);

        // nothing before the step's delay, then the first subsequence email, threaded under the first email, from the same mailbox
        Sending.drain(context);
        assertThat(Inboxes.read(mailServer, p0)).hasSize(1);
        clock.advance(Duration.ofHours(1).plusMinutes(1));
        Sending.drain(context);
        var mails = Inboxes.read(mailServer, p0);
        assertThat(mails).hasSize(2);
        MimeMessage followUp = mails.get(1);
        assertThat(followUp.getFrom()[0].toString()).contains(s.mailbox());
        assertThat(followUp.getSubject()).isEqualTo("Re: " + first.getSubject());
        assertThat(followUp.getHeader("In-Reply-To")[0]).isEqualTo(first.getMessageID());
        assertThat(followUp.getHeader("References")[0]).contains(first.getMessageID());
        assertThat(body(followUp)).contains("Here is my calendar");

        // a day later: the others get the main step 2, p0 the subsequence's step 2 (not the main one)
        clock.advance(Duration.ofDays(1).plusMinutes(1));
        Sending.drain(context);
        mails = Inboxes.read(mailServer, p0);
        assertThat(mails).hasSize(3);
        assertThat(body(mails.get(2))).contains("Did you find a slot").doesNotContain("Main follow-up");
        assertThat(mails.get(2).getHeader("In-Reply-To")[0]).isEqualTo(followUp.getMessageID());
        assertThat(mails.get(2).getHeader("References")[0]).contains(first.getMessageID(), followUp.getMessageID());
        for (String other : s.prospects().subList(1, 3)) {
            var theirs = Inboxes.read(mailServer, other);
            assertThat(theirs).hasSize(2);
            assertThat(body(theirs.get(1))).contains("Main follow-up");
        }
        sub = subsequence(s, interested);
        assertThat(sub.get("stats").get("completed").asInt()).isEqualTo(1);
        assertThat(sub.get("stats").get("steps").get(0).get("sent").asInt()).isEqualTo(1);
        assertThat(sub.get("stats").get("steps").get(1).get("sent").asInt()).isEqualTo(1);
        int subsequenceSends = 0;
        for (JsonNode send : s.api().get(s.base() + "/sends?limit=200").json().get("sends")) {
            if (interested.equals(send.get("step").get("subsequenceId").asString(null))) {
                subsequenceSends++;
                assertThat(send.get("status").asString()).isEqualTo("sent");
            }
        }
        assertThat(subsequenceSends).isEqualTo(2);
        var mainStats = s.api().get(s.base() + "/stats").json().get("sends");
        assertThat(mainStats.get("sent").asInt()).as("the main sequence's own counters: 3 + 2").isEqualTo(5);
        assertThat(mainStats.get("replied").asInt()).isEqualTo(1);

        // an intent already routed elsewhere is a conflict; the routing call moves it, and never leaves a subsequence without a trigger
        var conflict = s.api().post(s.base() + "/subsequences", """
                {"name":"Also interested","trigger":{"replyIntents":["interested"]},"steps":[{"bodyHtml":"<p>x</p>"}]}""");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().get("code").asString()).isEqualTo("ROUTE_CONFLICT");
        var orphan = s.api().patch(s.base() + "/subsequences/routing", "{\"routes\":{\"out_of_office\":null}}");
        assertThat(orphan.status()).as(orphan.body()).isEqualTo(422);
        var moved = s.api().patch(s.base() + "/subsequences/routing", "{\"routes\":{\"neutral\":\"" + interested + "\"}}");
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        assertThat(moved.json().get("changed").valueStream().map(JsonNode::asString).toList()).containsExactly("neutral");
        assertThat(subsequence(s, interested).get("trigger").get("replyIntents").valueStream().map(JsonNode::asString).toList())
                .containsExactlyInAnyOrder("interested", "neutral");
    }

    @Test
    void noReplyTriggersManualOutcomesAndSyncMoveContactsOnceEach() throws Exception {
        var s = campaign(3, "nrp");
        String quiet = create(s, """
                {"name":"No reply","trigger":{"noReplyAfterStep":1,"waitDays":2},
                 "steps":[{"subject":"Another angle, {{firstName}}","bodyHtml":"<p>Another angle for you.</p>"},
                          {"bodyHtml":"<p>Last try.</p>","delayDays":5}]}""");
        launch(s);
        Sending.drain(context);
        String p0 = s.prospects().get(0);
        String p1 = s.prospects().get(1);
        String p2 = s.prospects().get(2);

        // p2 answers neutrally before there is a neutral subsequence
        var neutral = s.api().post(s.base() + "/replies/classify", "{\"contactEmail\":\"" + p2 + "\",\"text\":\"Who are you? What is this about?\"}");
        assertThat(neutral.status()).as(neutral.body()).isEqualTo(200);
        String intent = neutral.json().get("intent").asString();

        assertThat(subsequences.enrollNoReplies()).as("the wait is not over").isZero();
        clock.advance(Duration.ofDays(2).plusMinutes(1));
        assertThat(subsequences.enrollNoReplies()).as("p0 and p1 have not replied; p2 has").isEqualTo(2);
        assertThat(subsequences.enrollNoReplies()).as("once each").isZero();
        assertThat(contact(s, p0).get("status").asString()).isEqualTo("stopped");
        Sending.drain(context);
        for (String p : List.of(p0, p1)) {
            var mails = Inboxes.read(mailServer, p);
            assertThat(mails).as("step 1 and the subsequence's email, not the main step 2").hasSize(2);
            assertThat(mails.get(1).getSubject()).startsWith("Another angle");
            assertThat(mails.get(1).getHeader("In-Reply-To")[0]).isEqualTo(mails.get(0).getMessageID());
        }

        // a manual outcome routes like a classified reply: p1 moves from the no-reply subsequence to the interested one
        String hot = create(s, """
                {"name":"Hot","trigger":{"replyIntents":["interested"]},"steps":[{"bodyHtml":"<p>Booking link</p>","delayHours":2}]}""");
        String p1Id = contact(s, p1).get("id").asString();
        assertThat(s.api().post(s.base() + "/contacts/" + p1Id + "/outcome", "{\"replyIntent\":\"interested\"}").status()).isEqualTo(200);
        assertThat(subsequence(s, hot).get("stats").get("active").asInt()).isEqualTo(1);
        assertThat(subsequence(s, quiet).get("stats").get("moved").asInt()).isEqualTo(1);

        // sync takes contacts already classified with the new subsequence's intent
        String later = create(s, "{\"name\":\"Later\",\"trigger\":{\"replyIntents\":[\"" + intent + "\"]},"
                + "\"steps\":[{\"bodyHtml\":\"<p>Happy to explain</p>\"}]}");
        String p2Id = contact(s, p2).get("id").asString();
        var sync = s.api().post(s.base() + "/subsequences/" + later + "/sync", "{\"contactIds\":[\"" + p2Id + "\",\"ctc_nobody\"]}");
        assertThat(sync.status()).as(sync.body()).isEqualTo(200);
        assertThat(sync.json().get("enrolled").asInt()).isEqualTo(1);
        assertThat(sync.json().get("skipped").get(0).get("contactId").asString()).isEqualTo("ctc_nobody");
        var again = s.api().post(s.base() + "/subsequences/" + later + "/sync", "{}").json();
        assertThat(again.get("enrolled").asInt()).as("never twice").isZero();
        Sending.drain(context);
        assertThat(body(Inboxes.read(mailServer, p2).getLast())).contains("Happy to explain");

        // deleting a subsequence stops the contacts in it: p1's planned email is skipped
        var deleted = s.api().delete(s.base() + "/subsequences/" + hot);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("stoppedContacts").asInt()).isEqualTo(1);
        clock.advance(Duration.ofHours(3));
        Sending.drain(context);
        assertThat(Inboxes.read(mailServer, p1)).hasSize(2);
        assertThat(s.api().get(s.base() + "/subsequences/" + hot).status()).isEqualTo(404);
        assertThat(s.api().get(s.base() + "/subsequences").json().get("subsequences")).hasSize(2);
    }

    @Test
    void badInputIsRefusedAndOtherWorkspacesSeeNothing() {
        var s = campaign(1, "bad");
        String base = s.base() + "/subsequences";
        var noTrigger = s.api().post(base, "{\"name\":\"x\",\"steps\":[{\"bodyHtml\":\"<p>x</p>\"}]}");
        assertThat(noTrigger.status()).isEqualTo(422);
        assertThat(noTrigger.body()).contains("trigger");
        var unsubscribe = s.api().post(base, "{\"name\":\"x\",\"trigger\":{\"replyIntents\":[\"unsubscribe\"]},\"steps\":[{\"bodyHtml\":\"<p>x</p>\"}]}");
        assertThat(unsubscribe.status()).isEqualTo(422);
        assertThat(unsubscribe.body()).contains("replyIntents");
        var noSteps = s.api().post(base, "{\"name\":\"x\",\"trigger\":{\"replyIntents\":[\"interested\"]},\"steps\":[]}");
        assertThat(noSteps.status()).isEqualTo(422);
        var noBody = s.api().post(base, "{\"name\":\"x\",\"trigger\":{\"replyIntents\":[\"interested\"]},\"steps\":[{\"subject\":\"s\"}]}");
        assertThat(noBody.status()).isEqualTo(422);
        assertThat(noBody.body()).contains("bodyHtml");
        var badSpintax = s.api().post(base, "{\"name\":\"x\",\"trigger\":{\"replyIntents\":[\"interested\"]},"
                + "\"steps\":[{\"bodyHtml\":\"<p>{Hi|Hello</p>\"}]}");
        assertThat(badSpintax.status()).isEqualTo(422);
        var noSuchStep = s.api().post(base, "{\"name\":\"x\",\"trigger\":{\"noReplyAfterStep\":9},\"steps\":[{\"bodyHtml\":\"<p>x</p>\"}]}");
        assertThat(noSuchStep.status()).isEqualTo(422);
        assertThat(noSuchStep.body()).contains("noReplyAfterStep");
        assertThat(s.api().get(base).json().get("subsequences")).as("nothing was written").isEmpty();
        var badRoute = s.api().patch(base + "/routing", "{\"routes\":{\"maybe\":null}}");
        assertThat(badRoute.status()).isEqualTo(422);

        String id = create(s, "{\"name\":\"Ok\",\"trigger\":{\"replyIntents\":[\"interested\"]},\"steps\":[{\"bodyHtml\":\"<p>x</p>\"}]}");
        var badStatus = s.api().patch(base + "/" + id, "{\"status\":\"sleeping\"}");
        assertThat(badStatus.status()).isEqualTo(422);
        var paused = s.api().patch(base + "/" + id, "{\"status\":\"paused\",\"name\":\"Renamed\"}");
        assertThat(paused.status()).as(paused.body()).isEqualTo(200);
        assertThat(paused.json().get("subsequence").get("status").asString()).isEqualTo("paused");
        assertThat(paused.json().get("subsequence").get("name").asString()).isEqualTo("Renamed");

        var other = api(newTenant());
        assertThat(other.get(base).status()).isEqualTo(404);
        assertThat(other.get(base + "/" + id).status()).isEqualTo(404);
        assertThat(other.patch(base + "/" + id, "{\"name\":\"mine\"}").status()).isEqualTo(404);
        assertThat(other.delete(base + "/" + id).status()).isEqualTo(404);
        assertThat(other.post(base + "/" + id + "/sync", "{}").status()).isEqualTo(404);
        assertThat(s.api().get(s.base() + "/subsequences/sub_nope").status()).isEqualTo(404);

        var capabilities = s.api().get("/campaigns/capabilities").json();
        assertThat(capabilities.get("features").get("subsequences").asBoolean()).isTrue();
        assertThat(capabilities.get("features").get("subsequenceIntents").valueStream().map(JsonNode::asString).toList())
                .containsExactly("interested", "not_interested", "neutral", "out_of_office");
        assertThat(capabilities.get("providers").get("sequencers").valueStream().map(JsonNode::asString).toList())
                .containsExactly("instantly", "smartlead");
    }

    static String body(MimeMessage m) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        m.writeTo(out);
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
