package dev.outreach2day;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;

/** For tests that send: the sandbox test card on file and a bought domain (with its DKIM key), through the API. */
public final class SendingDomains {

    private SendingDomains() {}

    /** Confirms the sandbox card, buys {@code <prefix><unique>.com} and returns the domain. */
    public static String buy(Api api, Api anonymous, long workspaceId, String prefix) {
        String setup = api.post("/workspaces/" + workspaceId + "/setup_payment_method", null).json().get("setup_url").asString();
        anonymous.send("POST", Pattern.compile("^https?://[^/]+").matcher(setup).replaceFirst(""), "", "application/x-www-form-urlencoded");
        String domain = prefix + Long.toString(System.nanoTime(), 36) + ".com";
        var bought = api.post("/domains/purchase", """
                {"domains":["%s"],"contactInfo":{"firstName":"A","lastName":"B","email":"a@b.org","phone":"+1.5555550100",
                 "address1":"1 St","city":"X","stateProvince":"Y","postalCode":"1","country":"US"}}""".formatted(domain));
        assertThat(bought.status()).as(bought.body()).isEqualTo(200);
        return domain;
    }
}
