package dev.outreach2day.unibox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.IntegrationTest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A synced batch is stored with a few set-based statements ({@link Unibox#ingestAll}); the threads,
 * messages and flags it leaves must be what storing the same messages one at a time leaves.
 */
class UniboxBatchTest extends IntegrationTest {

    @Autowired Unibox unibox;
    @Autowired JdbcClient jdbc;

    static final String ME = "me@batch.example";
    static final Instant T0 = Instant.now().minus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

    static InboundMessage mail(String id, String from, String subject, String text, int minute, List<String> refs, Map<String, String> headers) {
        String inReplyTo = refs.isEmpty() ? null : refs.getLast();
        return new InboundMessage(id, inReplyTo, refs, subject, from, null, List.of(ME), List.of(), T0.plus(minute, ChronoUnit.MINUTES),
                text, "<p>" + text + "</p><script>alert(1)</script>", List.of(), headers, null, false, false);
    }

    /** Threads started, answered within the batch and across batches, by References only, by subject only, out of order, duplicated, system and warmup mail. */
    static List<InboundMessage> conversation(String tag) {
        var out = new ArrayList<InboundMessage>();
        String a = "<a-" + tag + "@lead.example>", b = "<b-" + tag + "@lead.example>", c = "<c-" + tag + "@lead.example>";
        out.add(mail(a, "ann@lead.example", "Pricing question", "Could you send the pricing?", 0, List.of(), Map.of()));
        out.add(mail(b, "bob@lead.example", "Meeting", "Can we meet on Tuesday?", 1, List.of(), Map.of()));
        out.add(mail("<a2-" + tag + "@batch.example>", ME, "Re: Pricing question", "Here it is.", 2, List.of(a), Map.of()));
        out.add(mail("<a3-" + tag + "@lead.example>", "ann@lead.example", "Re: Pricing question",
                "Sounds great, I am interested. Let's set up a call.", 30, List.of(a, "<a2-" + tag + "@batch.example>"), Map.of()));
        // older than the thread's newest message: counted, but not the last message
        out.add(mail("<a0-" + tag + "@lead.example>", "ann@lead.example", "Re: Pricing question", "Sorry, one more thing.", -5, List.of(a),
                Map.of()));
        out.add(mail(b, "bob@lead.example", "Meeting", "Can we meet on Tuesday?", 1, List.of(), Map.of())); // the same message again
        out.add(mail(c, "mailer-daemon@mx.lead.example", "Delivery Status Notification", "Delivery failed", 3, List.of(), Map.of()));
        out.add(mail("<c2-" + tag + "@lead.example>", "carol@lead.example", "Re: Delivery Status Notification",
                "Please remove me from your list.", 40, List.of(c), Map.of()));
        out.add(mail("<w-" + tag + "@warm.example>", "warm@warm.example", "Quick hello", "Just checking in", 4, List.of(),
                Map.of("x-o2d-warmup", "token")));
        out.add(mail("<w2-" + tag + "@warm.example>", "warm@warm.example", "Re: Quick hello", "Thanks!", 5, List.of("<w-" + tag + "@warm.example>"),
                Map.of()));
        for (int i = 0; i < 40; i++) {
            String id = "<n" + i + "-" + tag + "@lead.example>";
            out.add(mail(id, "lead" + i + "@lead.example", "Topic " + i, "Hello number " + i, 10 + i, List.of(), Map.of()));
            if (i % 3 == 2) { // a reply to an earlier one, by References only
                String parent = "<n" + (i - 2) + "-" + tag + "@lead.example>";
                out.add(new InboundMessage("<r" + i + "-" + tag + "@lead.example>", null, List.of(parent), "Re: Topic " + (i - 2),
                        "lead" + (i - 2) + "@lead.example", null, List.of(ME), List.of(), T0.plus(60 + i, ChronoUnit.MINUTES),
                        "I am out of the office until Monday.", null, List.of(), Map.of(), null, false, false));
            }
        }
        // no reply headers at all: threaded by subject and the other party (needs what the batch wrote so far)
        out.add(mail("<s-" + tag + "@lead.example>", "bob@lead.example", "RE: Meeting", "Tuesday works, not interested in Monday though.", 90,
                List.of(), Map.of()));
        out.add(mail("<d-" + tag + "@lead.example>", "dave@lead.example", "Fwd: Topic 5", "Forwarding this to you.", 91, List.of(), Map.of()));
        return out;
    }

    /** Each thread as stored, by its first message: count, flags, intent, its last message and all its messages; sorted. */
    List<String> threadsOf(long ws, String mailbox) {
        return jdbc.sql("""
                SELECT t.external_thread_id || ' count=' || t.message_count || ' last=' || lm.message_id
                       || ' at=' || t.last_at || ' in=' || t.has_incoming || ' pm=' || t.is_postmaster || ' warm=' || t.is_warming
                       || ' intent=' || coalesce(t.reply_intent, '-') || ' conf=' || coalesce(t.intent_confidence::text, '-')
                       || ' ret=' || coalesce(t.return_date::text, '-') || ' subj=' || t.subject_display || ' who=' || coalesce(t.participant, '-')
                       || ' msgs=' || (SELECT string_agg(m.message_id, ',' ORDER BY m.date_received, m.message_id)
                                         FROM unibox_messages m WHERE m.workspace_id = t.workspace_id AND m.thread_id = t.id)
                  FROM unibox_threads t JOIN unibox_messages lm ON lm.workspace_id = t.workspace_id AND lm.id = t.last_message_id
                 WHERE t.workspace_id = :ws AND t.mailbox_id = :mailbox
                 ORDER BY 1
                """).param("ws", ws).param("mailbox", mailbox).query(String.class).list();
    }

    @Test
    void aBatchLeavesWhatOneMessageAtATimeLeaves() {
        var tenant = newTenant();
        long ws = tenant.workspaceId();
        String one = "mbx_one" + Long.toString(System.nanoTime(), 36), many = "mbx_many" + Long.toString(System.nanoTime(), 36);
        // the same Message-IDs in both mailboxes (a Message-ID is stored once per mailbox): tags differ only by mailbox
        var messages = conversation("x");
        var single = new ArrayList<Boolean>();
        for (var m : messages) single.add(unibox.ingest(ws, one, ME, "inbox", m).stored());
        var batched = new ArrayList<Boolean>();
        for (int i = 0; i < messages.size(); i += 25) {
            for (var r : unibox.ingestAll(ws, many, ME, "inbox", messages.subList(i, Math.min(messages.size(), i + 25)))) batched.add(r.stored());
        }
        assertThat(batched).isEqualTo(single);
        assertThat(single).containsOnlyOnce(false); // the repeated message

        var a = threadsOf(ws, one);
        var b = threadsOf(ws, many);
        assertThat(b).isEqualTo(a);
        // and what that is: the reply in-batch joined its thread, the older reply is not the last, subject-only threading found "Meeting"
        assertThat(a).anySatisfy(t -> assertThat(t).startsWith("a-x@lead.example count=4 last=<a3-x@lead.example>").contains("in=true"));
        assertThat(a).anySatisfy(t -> assertThat(t).startsWith("b-x@lead.example count=2 last=<s-x@lead.example>"));
        assertThat(a).anySatisfy(t -> assertThat(t).startsWith("c-x@lead.example count=2").contains("pm=false", "intent=unsubscribe"));
        assertThat(a).anySatisfy(t -> assertThat(t).startsWith("w-x@warm.example count=2").contains("warm=true"));
        assertThat(a).anySatisfy(t -> assertThat(t).startsWith("n3-x@lead.example count=2").contains("intent=out_of_office"));
        assertThat(a).hasSize(2 + 1 + 1 + 40 + 1); // a, b, c, w, the 40 topics, dave's forward (no thread "Topic 5" with dave)
        // stored as received; served sanitised
        assertThat(jdbc.sql("SELECT count(*) FROM unibox_messages WHERE workspace_id = :ws AND mailbox_id = :m AND body_html LIKE '%<script>%'")
                .param("ws", ws).param("m", many).query(Long.class).single()).isPositive();
    }

    @Test
    void aBatchAgainStoresNothingAndAManualIntentStays() {
        var tenant = newTenant();
        long ws = tenant.workspaceId();
        String mailbox = "mbx_again" + Long.toString(System.nanoTime(), 36);
        var messages = conversation("y");
        var first = unibox.ingestAll(ws, mailbox, ME, "inbox", messages.subList(0, 4));
        String thread = first.getFirst().threadId();
        assertThat(first.get(3).threadId()).isEqualTo(thread);
        jdbc.sql("UPDATE unibox_threads SET reply_intent = 'not_interested', intent_manual = true WHERE workspace_id = :ws AND id = :id")
                .param("ws", ws).param("id", thread).update();
        var before = threadsOf(ws, mailbox);
        var again = unibox.ingestAll(ws, mailbox, ME, "inbox", messages.subList(0, 4));
        assertThat(again).allSatisfy(r -> assertThat(r.stored()).isFalse());
        assertThat(again.stream().map(Unibox.Ingested::threadId).toList()).isEqualTo(first.stream().map(Unibox.Ingested::threadId).toList());
        assertThat(threadsOf(ws, mailbox)).isEqualTo(before);
        // a later interested reply in a batch leaves the manual intent alone but counts the message
        unibox.ingestAll(ws, mailbox, ME, "inbox", List.of(mail("<y-more@lead.example>", "ann@lead.example", "Re: Pricing question",
                "Yes, interested, let's talk.", 50, List.of("<a3-y@lead.example>"), Map.of())));
        assertThat(threadsOf(ws, mailbox)).anySatisfy(t -> assertThat(t).startsWith("a-y@lead.example count=4 last=<y-more@lead.example>")
                .contains("intent=not_interested"));
    }
}
