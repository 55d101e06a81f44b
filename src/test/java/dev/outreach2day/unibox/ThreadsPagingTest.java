package dev.outreach2day.unibox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Paging through /threads while mail keeps arriving: every thread that existed is seen exactly once. */
class ThreadsPagingTest extends IntegrationTest {

    @Autowired Unibox unibox;

    InboundMessage message(String id, String inReplyTo, String from, String subject, String text) {
        return new InboundMessage(id, inReplyTo, inReplyTo == null ? List.of() : List.of(inReplyTo), subject, from, null,
                List.of("me@paging.example"), List.of(), Instant.now(), text, "<p>" + text + "</p>", List.of(), Map.of(), null, false, false);
    }

    @Test
    void noThreadIsRepeatedOrSkippedWhileNewMailArrives() {
        var tenant = newTenant();
        Api api = api(tenant);
        long ws = tenant.workspaceId();
        String mailbox = "mbx_paging" + Long.toString(System.nanoTime(), 36);
        var firstMessages = new ArrayList<String>();
        var existing = new HashSet<String>();
        for (int i = 0; i < 120; i++) {
            String id = "<first-" + i + "-" + System.nanoTime() + "@lead.example>";
            firstMessages.add(id);
            existing.add(unibox.ingest(ws, mailbox, "me@paging.example", "inbox",
                    message(id, null, "lead" + i + "@lead.example", "Question " + i, "Hello " + i)).threadId());
        }
        assertThat(existing).hasSize(120);

        var seen = new ArrayList<String>();
        String cursor = null;
        int round = 0;
        do {
            var page = api.get("/threads?limit=25" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            for (JsonNode t : page.json().get("threads")) seen.add(t.get("id").asString());
            cursor = page.json().get("next_cursor").isNull() ? null : page.json().get("next_cursor").asString();
            // meanwhile: replies land in old and new threads alike, and brand-new conversations start
            for (int k = 0; k < 5; k++) {
                int target = (round * 37 + k * 11) % 120;
                unibox.ingest(ws, mailbox, "me@paging.example", "inbox", message("<more-" + round + "-" + k + "-" + System.nanoTime()
                        + "@lead.example>", firstMessages.get(target), "lead" + target + "@lead.example", "Re: Question " + target, "More"));
                unibox.ingest(ws, mailbox, "me@paging.example", "inbox", message("<new-" + round + "-" + k + "-" + System.nanoTime()
                        + "@other.example>", null, "new" + round + k + "@other.example", "New topic", "Hi"));
            }
            round++;
        } while (cursor != null && round < 50);

        var seenExisting = seen.stream().filter(existing::contains).toList();
        assertThat(seenExisting).as("each thread that existed when paging started, exactly once").hasSize(120)
                .doesNotHaveDuplicates();
        assertThat(seen).doesNotHaveDuplicates();
        // the replies went into their threads (no new thread per reply)
        var again = api.get("/threads?limit=200&mode=full").json().get("threads");
        int replies = 0;
        for (JsonNode t : again) {
            if (existing.contains(t.get("id").asString())) replies += t.get("message_count").asInt() - 1;
        }
        assertThat(replies).isEqualTo(5 * round);
    }
}
