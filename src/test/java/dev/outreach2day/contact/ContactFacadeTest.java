package dev.outreach2day.contact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.platform.ApiException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The facade the campaign capability uses for launch, preflight and sending progress. */
class ContactFacadeTest extends IntegrationTest {

    @Autowired
    Contacts contacts;

    static String add(List<Map<String, Object>> list) {
        return Api.JSON.writeValueAsString(Map.of("contacts", list));
    }

    @Test
    void missingTemplateVariablesAreCountedInTheDatabase() {
        var t = newTenant();
        long ws = t.workspaceId();
        String campaign = TestCampaigns.create(ws);
        var r = api(t).post("/campaigns/" + campaign + "/contacts", add(List.of(
                Map.of("email", "a@miss.example", "firstName", "Ann", "customFields", Map.of("Industry", "SaaS")),
                Map.of("email", "b@miss.example", "company", "Beta", "customFields", Map.of("industry", "   ")),
                Map.of("email", "c@miss.example", "firstName", "Cid", "company", "Gamma", "timezone", "Asia/Tokyo"),
                Map.of("email", "d@miss.example", "customFields", Map.of("other", "x")))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        // another campaign and another workspace are never counted
        api(t).post("/campaigns/" + TestCampaigns.create(ws) + "/contacts", add(List.of(Map.of("email", "z@miss.example"))));

        assertThat(contacts.countMissing(ws, campaign, "firstName")).isEqualTo(2);
        assertThat(contacts.sampleMissing(ws, campaign, "firstName", 10)).containsExactly("b@miss.example", "d@miss.example");
        assertThat(contacts.countMissing(ws, campaign, "FIRSTNAME")).as("built-ins ignore case").isEqualTo(2);
        assertThat(contacts.countMissing(ws, campaign, "company")).isEqualTo(2);
        assertThat(contacts.countMissing(ws, campaign, "email")).isZero();
        assertThat(contacts.countMissing(ws, campaign, "timezone")).isEqualTo(3);
        assertThat(contacts.countMissing(ws, campaign, "title")).isEqualTo(4);
        // custom keys ignore case; blank values are missing
        assertThat(contacts.countMissing(ws, campaign, "industry")).isEqualTo(3);
        assertThat(contacts.sampleMissing(ws, campaign, "INDUSTRY", 10))
                .containsExactly("b@miss.example", "c@miss.example", "d@miss.example");
        assertThat(contacts.sampleMissing(ws, campaign, "industry", 1)).containsExactly("b@miss.example");
        assertThat(contacts.countMissing(ws, campaign, "Other")).isEqualTo(3);
        assertThat(contacts.countMissing(ws, campaign, "nowhere")).isEqualTo(4);
        assertThat(contacts.countMissing(ws + 100_000, campaign, "nowhere")).isZero();

        // the view resolves variables by the same rule
        var a = contacts.page(ws, campaign, null, 1).getFirst();
        assertThat(a.variable("firstname")).isEqualTo("Ann");
        assertThat(a.variable("INDUSTRY")).isEqualTo("SaaS");
        assertThat(a.variable("company")).isNull();
    }

    @Test
    void enrolmentAndProgressAreChangesOfTheFeed() {
        var t = newTenant();
        long ws = t.workspaceId();
        String campaign = TestCampaigns.create(ws);
        api(t).post("/campaigns/" + campaign + "/contacts", add(List.of(
                Map.of("email", "e1@enrol.example", "firstName", "E1", "customFields", Map.of("k", "v")),
                Map.of("email", "e2@enrol.example"), Map.of("email", "e3@enrol.example"))));
        var all = contacts.page(ws, campaign, null, 10);
        assertThat(all).hasSize(3);
        assertThat(all.getFirst().customFields()).isEqualTo(Map.of("k", "v"));
        assertThat(contacts.page(ws, campaign, all.getFirst().id(), 10)).extracting(ContactView::id)
                .containsExactly(all.get(1).id(), all.get(2).id());
        long maxBefore = all.stream().mapToLong(ContactView::changeSeq).max().orElseThrow();
        assertThat(contacts.countByStatus(ws, campaign, "not_started")).isEqualTo(3);

        Instant at = Instant.parse("2030-05-01T08:00:00Z");
        int enrolled = contacts.markEnrolled(ws, campaign, List.of(all.get(0).id(), all.get(1).id(), all.get(1).id(), "ctc_nope"), at);
        assertThat(enrolled).isEqualTo(2);
        assertThat(contacts.markEnrolled(ws, campaign, List.of(all.get(0).id()), at)).as("only not_started ones").isZero();
        assertThat(contacts.markEnrolled(ws + 100_000, campaign, List.of(all.get(2).id()), at)).as("other workspace").isZero();
        assertThat(contacts.countByStatus(ws, campaign, "in_progress")).isEqualTo(2);
        assertThat(contacts.countByStatus(ws, campaign, "not_started")).isEqualTo(1);
        assertThat(contacts.countByStatus(ws, campaign, null)).isEqualTo(3);
        var e1 = contacts.find(ws, all.get(0).id()).orElseThrow();
        assertThat(e1.status()).isEqualTo("in_progress");
        assertThat(e1.nextSendAt()).isEqualTo(at);
        assertThat(e1.changeSeq()).isGreaterThan(maxBefore);

        Instant sent = Instant.parse("2030-05-01T08:03:00Z");
        contacts.updateProgress(ws, e1.id(), "in_progress", 1, at.plusSeconds(86400), sent);
        var e1b = contacts.find(ws, e1.id()).orElseThrow();
        assertThat(e1b.currentStep()).isEqualTo(1);
        assertThat(e1b.lastSentAt()).isEqualTo(sent);
        assertThat(e1b.changeSeq()).isGreaterThan(e1.changeSeq());
        contacts.updateProgress(ws, e1.id(), "in_progress", 1, at.plusSeconds(86400), null);
        assertThat(contacts.find(ws, e1.id()).orElseThrow().changeSeq()).as("nothing changed, no new number")
                .isEqualTo(e1b.changeSeq());
        contacts.updateProgress(ws, e1.id(), "completed", 2, null, null);
        var e1c = contacts.find(ws, e1.id()).orElseThrow();
        assertThat(e1c.status()).isEqualTo("completed");
        assertThat(e1c.nextSendAt()).isNull();
        assertThat(e1c.lastSentAt()).as("null keeps the last send time").isEqualTo(sent);

        // the same people in another campaign of the workspace see who is already in progress here
        String second = TestCampaigns.create(ws);
        assertThat(contacts.inProgressElsewhere(ws, second, List.of("e1@enrol.example", "e2@enrol.example", "e3@enrol.example")))
                .containsExactly("e2@enrol.example");
        assertThat(contacts.inProgressElsewhere(ws, campaign, List.of("e2@enrol.example"))).isEmpty();
        assertThat(contacts.inProgressElsewhere(ws + 100_000, second, List.of("e2@enrol.example"))).isEmpty();

        assertThatThrownBy(() -> contacts.updateProgress(ws + 100_000, e1.id(), "completed", 2, null, null))
                .isInstanceOf(ApiException.NotFound.class);
        assertThatThrownBy(() -> contacts.updateProgress(ws, e1.id(), "asleep", 2, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> contacts.countByStatus(ws, campaign, "asleep")).isInstanceOf(IllegalArgumentException.class);
    }
}
