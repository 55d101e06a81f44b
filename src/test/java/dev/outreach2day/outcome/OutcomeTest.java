package dev.outreach2day.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Reply outcomes: a reply classified through the API counts as the contact's reply (stop rules,
 * events, outcome), a manual outcome wins over later classifications, repeats change nothing, an
 * unsubscribe outcome suppresses the address, and bad input is refused before anything is written.
 */
class OutcomeTest extends IntegrationTest {

    record Setup(Api api, String campaignId, String ada, String bob, String carol) {}

    Setup campaign() {
        var tenant = newTenant();
        Api api = api(tenant);
        String id = api.post("/campaigns", "{\"name\":\"Outcomes\"}").json().get("id").asString();
        String tag = Long.toString(System.nanoTime(), 36);
        String ada = "ada." + tag + "@lovelace.example";
        String bob = "bob." + tag + "@builder.example";
        String carol = "carol." + tag + "@example.org";
        var added = api.post("/campaigns/" + id + "/contacts", "{\"contacts\":[{\"email\":\"" + ada + "\",\"firstName\":\"Ada\"},"
                + "{\"email\":\"" + bob + "\"},{\"email\":\"" + carol + "\"}]}");
        assertThat(added.status()).as(added.body()).isEqualTo(200);
        return new Setup(api, id, ada, bob, carol);
    }

    static JsonNode contact(Api api, String campaignId, String email) {
        for (JsonNode c : api.get("/campaigns/" + campaignId + "/contacts?limit=50").json().get("contacts")) {
            if (c.get("email").asString().equals(email)) return c;
        }
        throw new AssertionError("no contact " + email);
    }

    static List<String> eventTypes(Api api, String contactId) {
        var out = new ArrayList<String>();
        for (JsonNode e : api.get("/campaigns/webhooks/events?limit=200").json().get("events")) {
            JsonNode data = e.get("payload").get("data");
            if (data.has("contactId") && data.get("contactId").asString().equals(contactId)) out.add(e.get("type").asString());
        }
        return out;
    }

    @Test
    void aClassifiedReplyCountsAsTheContactsReplyAndAManualOutcomeWins() {
        var s = campaign();
        Api api = s.api();
        String base = "/campaigns/" + s.campaignId();

        var r = api.post(base + "/replies/classify", "{\"contactEmail\":\"" + s.ada().toUpperCase() + "\",\"subject\":\"Re: Quick question\","
                + "\"text\":\"Yes, this sounds interesting. Could we schedule a call next Tuesday?\\n\\nOn Mon, Ada wrote:\\n> Hi\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("intent").asString()).isEqualTo("interested");
        assertThat(r.json().get("confidence").asDouble()).isBetween(0.0, 1.0);
        String ada = r.json().get("contactId").asString();
        assertThat(r.json().get("events").valueStream().map(JsonNode::asString).toList())
                .containsExactly("reply_received", "reply_classified", "lead_interested");
        assertThat(eventTypes(api, ada)).containsExactlyInAnyOrder("reply_received", "reply_classified", "lead_interested");
        var adaContact = contact(api, s.campaignId(), s.ada());
        assertThat(adaContact.get("status").asString()).as("the campaign stops on a reply").isEqualTo("replied");
        assertThat(adaContact.get("replyIntent").asString()).isEqualTo("interested");

        var listed = api.get(base + "/outcomes").json().get("outcomes");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("replyIntent").asString()).isEqualTo("interested");
        assertThat(listed.get(0).get("source").asString()).isEqualTo("classifier");
        assertThat(listed.get(0).get("replies").asInt()).isEqualTo(1);

        // a manual outcome wins, now and over later classifications
        var o = api.post(base + "/contacts/" + ada + "/outcome", "{\"replyIntent\":\"not_interested\",\"note\":\"said no on the phone\"}");
        assertThat(o.status()).as(o.body()).isEqualTo(200);
        assertThat(o.json().get("outcome").get("replyIntent").asString()).isEqualTo("not_interested");
        assertThat(o.json().get("outcome").get("source").asString()).isEqualTo("manual");
        assertThat(eventTypes(api, ada)).contains("lead_not_interested");
        int before = eventTypes(api, ada).size();
        var again = api.post(base + "/contacts/" + ada + "/outcome", "{\"replyIntent\":\"not_interested\",\"note\":\"said no on the phone\"}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(eventTypes(api, ada)).as("the same outcome again announces nothing").hasSize(before);

        var later = api.post(base + "/replies/classify", "{\"contactEmail\":\"" + s.ada() + "\",\"text\":\"Sounds great, let's talk, "
                + "I'm interested. Send me a calendar link.\"}").json();
        assertThat(later.get("intent").asString()).isEqualTo("interested");
        assertThat(later.get("outcome").asString()).isEqualTo("not_interested");
        var kept = api.get(base + "/outcomes?source=manual").json().get("outcomes").get(0);
        assertThat(kept.get("replyIntent").asString()).isEqualTo("not_interested");
        assertThat(kept.get("classifierIntent").asString()).isEqualTo("interested");
        assertThat(kept.get("note").asString()).isEqualTo("said no on the phone");
        assertThat(kept.get("replies").asInt()).isEqualTo(2);
        assertThat(contact(api, s.campaignId(), s.ada()).get("replyIntent").asString()).isEqualTo("not_interested");

        // an unsubscribe outcome stops the sequence and suppresses the address
        String bob = contact(api, s.campaignId(), s.bob()).get("id").asString();
        assertThat(api.post(base + "/contacts/" + bob + "/outcome", "{\"replyIntent\":\"unsubscribe\"}").status()).isEqualTo(200);
        assertThat(contact(api, s.campaignId(), s.bob()).get("status").asString()).isEqualTo("unsubscribed");
        assertThat(api.get("/campaigns/suppressions/status?email=" + s.bob()).json().get("status").get("suppressed").asBoolean()).isTrue();
        assertThat(eventTypes(api, bob)).containsExactlyInAnyOrder("reply_classified", "lead_unsubscribed");

        // an auto-reply after a person's answer does not replace it
        var no = api.post(base + "/replies/classify", "{\"contactEmail\":\"" + s.carol() + "\",\"text\":\"No thanks, we are not "
                + "interested. Please don't contact us again about this.\"}").json();
        assertThat(no.get("intent").asString()).isIn("not_interested", "unsubscribe");
        var ooo = api.post(base + "/replies/classify", "{\"contactEmail\":\"" + s.carol() + "\",\"subject\":\"Automatic reply: Hello\","
                + "\"text\":\"I am out of the office until 15 December 2026 with limited access to email.\"}").json();
        assertThat(ooo.get("intent").asString()).isEqualTo("out_of_office");
        assertThat(ooo.get("events").valueStream().map(JsonNode::asString).toList()).contains("lead_out_of_office");
        assertThat(ooo.get("outcome").asString()).isEqualTo(no.get("intent").asString());

        // filters and paging
        assertThat(api.get(base + "/outcomes?replyIntent=not_interested").json().get("outcomes")).hasSize(1);
        var page1 = api.get(base + "/outcomes?limit=2").json();
        assertThat(page1.get("outcomes")).hasSize(2);
        var page2 = api.get(base + "/outcomes?limit=2&cursor=" + page1.get("next_cursor").asString()).json();
        assertThat(page2.get("outcomes")).hasSize(1);
        assertThat(page2.get("next_cursor").isNull()).isTrue();
    }

    @Test
    void badInputIsRefusedAndNothingIsWritten() {
        var s = campaign();
        Api api = s.api();
        String base = "/campaigns/" + s.campaignId();
        String ada = contact(api, s.campaignId(), s.ada()).get("id").asString();
        assertThat(api.post("/campaigns/cmp_nope/replies/classify", "{\"contactEmail\":\"" + s.ada() + "\",\"text\":\"yes\"}").status())
                .isEqualTo(404);
        assertThat(api.post(base + "/replies/classify", "{\"contactEmail\":\"stranger@else.example\",\"text\":\"yes\"}").status())
                .isEqualTo(404);
        var invalid = api.post(base + "/replies/classify", "{\"contactEmail\":\"not an address\",\"text\":\"yes\"}");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.body()).contains("contactEmail");
        assertThat(api.post(base + "/replies/classify", "{\"contactEmail\":\"" + s.ada() + "\",\"text\":\"\"}").status()).isEqualTo(422);
        assertThat(api.post(base + "/replies/classify", "{\"contactEmail\":\"" + s.ada() + "\"}").status()).isEqualTo(422);
        var badIntent = api.post(base + "/contacts/" + ada + "/outcome", "{\"replyIntent\":\"maybe\"}");
        assertThat(badIntent.status()).isEqualTo(422);
        assertThat(badIntent.body()).contains("replyIntent");
        assertThat(api.post(base + "/contacts/ctc_nope/outcome", "{\"replyIntent\":\"interested\"}").status()).isEqualTo(404);
        String other = api.post("/campaigns", "{\"name\":\"Other\"}").json().get("id").asString();
        assertThat(api.post("/campaigns/" + other + "/contacts/" + ada + "/outcome", "{\"replyIntent\":\"interested\"}").status())
                .as("a contact of another campaign").isEqualTo(404);
        assertThat(api.get(base + "/outcomes?replyIntent=maybe").status()).isEqualTo(422);
        assertThat(api.get(base + "/outcomes?source=robot").status()).isEqualTo(422);
        assertThat(api.get(base + "/outcomes").json().get("outcomes")).isEmpty();
        assertThat(contact(api, s.campaignId(), s.ada()).get("status").asString()).isEqualTo("not_started");
        assertThat(eventTypes(api, ada)).isEmpty();
    }
}
