package dev.outreach2day.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;

/** Shared setup for campaign tests: a sending domain with local mailboxes, through the API. */
final class CampaignFixtures {

    private CampaignFixtures() {}

    /** Buys a domain for the workspace and creates {@code n} local mailboxes on it; returns their addresses. */
    static java.util.List<String> mailboxes(Api api, Api anonymous, long workspaceId, int n) {
        String domain = dev.outreach2day.SendingDomains.buy(api, anonymous, workspaceId, "cmp");
        var body = new StringBuilder("{\"mailboxes\":[");
        var out = new java.util.ArrayList<String>();
        for (int i = 0; i < n; i++) {
            String address = "sender" + i + "@" + domain;
            out.add(address);
            body.append(i == 0 ? "" : ",").append("{\"address\":\"").append(address)
                    .append("\",\"firstName\":\"John").append(i).append("\",\"lastName\":\"Doe\",\"signature\":\"-- John\"}");
        }
        var created = api.post("/mailboxes", body.append("]}").toString());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return out;
    }

    static String createCampaign(Api api, String name) {
        var r = api.post("/campaigns", "{\"name\":\"" + name + "\",\"priority\":\"HIGH\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    static String contacts(int n, String company) {
        var sb = new StringBuilder("{\"contacts\":[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"email\":\"lead").append(i).append("@prospect").append(i % 7)
                    .append(".example\",\"firstName\":\"Lead").append(i).append("\"");
            if (company != null) sb.append(",\"company\":\"").append(company).append(i).append("\"");
            sb.append("}");
        }
        return sb.append("]}").toString();
    }
}
