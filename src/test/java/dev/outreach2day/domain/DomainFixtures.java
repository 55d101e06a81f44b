package dev.outreach2day.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import java.util.regex.Pattern;

/** Shared steps of domain tests: a payment method, a purchase body, a bought domain. */
final class DomainFixtures {

    private DomainFixtures() {}

    static final String CONTACT = """
            {"firstName":"Ada","lastName":"Lovelace","organization":"Analytical Ltd","email":"ada@example.org",
             "phone":"+44.2079460000","address1":"1 Engine Street","city":"London","stateProvince":"London",
             "postalCode":"N1 9GU","country":"GB"}""";

    static String purchaseBody(String... domains) {
        var names = String.join("\",\"", domains);
        return "{\"domains\":[\"" + names + "\"],\"years\":1,\"redirectDomain\":\"https://www.acme-main.com\",\"whoisPrivacy\":true,"
                + "\"contactInfo\":" + CONTACT + "}";
    }

    /** Adds the sandbox test card the way a person would: open the setup URL and confirm. */
    static void addCard(Api api, Api anonymous, long workspaceId) {
        String url = api.post("/workspaces/" + workspaceId + "/setup_payment_method", null).json().get("setup_url").asString();
        String path = Pattern.compile("^https?://[^/]+").matcher(url).replaceFirst("");
        assertThat(anonymous.send("POST", path, "", "application/x-www-form-urlencoded").status()).isEqualTo(200);
    }

    static String unique(String prefix) {
        return prefix + Long.toString(System.nanoTime(), 36);
    }
}
