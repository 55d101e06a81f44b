package dev.outreach2day.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    // The official test vector of Standard Webhooks, as used by the reference libraries in
    // github.com/standard-webhooks/standard-webhooks:
    //   libraries/java/src/test/java/com/standardwebhooks/WebhookTest.java (verifyWebhookSignWorks),
    //   libraries/python/tests/test_webhooks.py (test_sign_function),
    //   libraries/php/tests/WebhookTest.php (testSignFunctionWorks).
    // The signed content "{msg_id}.{timestamp}.{payload}" is from spec/standard-webhooks.md.
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long TIMESTAMP = 1614265330;
    static final String BODY = "{\"test\": 2432232314}";
    static final String EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    // A well-formed v1 signature that matches nothing, from the multiple-signature tests of the
    // same libraries (test_multi_sig_payload_is_valid and friends).
    static final String OTHER = "Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";

    static final long TOLERANCE = 300;

    static boolean verify(String secret, String body, String header, long now) {
        return WebhookSignature.verify(secret, MSG_ID, TIMESTAMP, body, header, now, TOLERANCE);
    }

    @Test
    void signReproducesTheOfficialTestVector() {
        assertThat(WebhookSignature.sign(SECRET, MSG_ID, TIMESTAMP, BODY)).isEqualTo(EXPECTED);
    }

    @Test
    void verifyAcceptsTheOfficialTestVector() {
        assertThat(verify(SECRET, BODY, EXPECTED, TIMESTAMP)).isTrue();
    }

    @Test
    void theSecretWorksWithAndWithoutItsPrefix() {
        String bare = SECRET.substring("whsec_".length());
        assertThat(WebhookSignature.sign(bare, MSG_ID, TIMESTAMP, BODY)).isEqualTo(EXPECTED);
        assertThat(verify(bare, BODY, EXPECTED, TIMESTAMP)).isTrue();
        assertThat(verify(SECRET, BODY, EXPECTED, TIMESTAMP)).isTrue();
    }

    @Test
    void anyMatchingV1EntryOfSeveralIsEnough() {
        // The header of the libraries' multiple-signature test: the valid one is third.
        String header = String.join(" ", "v1," + OTHER, "v2," + OTHER, EXPECTED, "v1," + OTHER);
        assertThat(verify(SECRET, BODY, header, TIMESTAMP)).isTrue();
        assertThat(verify(SECRET, BODY, "v1," + OTHER + " v1," + OTHER, TIMESTAMP)).isFalse();
    }

    @Test
    void entriesOfOtherVersionsAreIgnoredEvenWhenTheirValueMatches() {
        String value = EXPECTED.substring("v1,".length());
        assertThat(verify(SECRET, BODY, "v2," + value, TIMESTAMP)).isFalse();
        assertThat(verify(SECRET, BODY, "v1a," + value, TIMESTAMP)).isFalse();
        assertThat(verify(SECRET, BODY, "V1," + value, TIMESTAMP)).isFalse();
        assertThat(verify(SECRET, BODY, "v1a," + value + " " + EXPECTED, TIMESTAMP)).isTrue();
    }

    @Test
    void aWrongSecretFails() {
        assertThat(verify(WebhookSignature.newSecret(), BODY, EXPECTED, TIMESTAMP)).isFalse();
    }

    @Test
    void aChangedBodyIdOrTimestampFails() {
        assertThat(verify(SECRET, "{\"test\": 2432232315}", EXPECTED, TIMESTAMP)).isFalse();
        assertThat(verify(SECRET, BODY + " ", EXPECTED, TIMESTAMP)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, "msg_other", TIMESTAMP, BODY, EXPECTED, TIMESTAMP, TOLERANCE))
                .isFalse();
        assertThat(WebhookSignature.verify(SECRET, MSG_ID, TIMESTAMP + 1, BODY, EXPECTED, TIMESTAMP, TOLERANCE))
                .isFalse();
    }

    @Test
    void theTimestampMustBeWithinTheToleranceEitherWay() {
        assertThat(verify(SECRET, BODY, EXPECTED, TIMESTAMP + TOLERANCE)).isTrue();
        assertThat(verify(SECRET, BODY, EXPECTED, TIMESTAMP - TOLERANCE)).isTrue();
        assertThat(verify(SECRET, BODY, EXPECTED, TIMESTAMP + TOLERANCE + 1)).as("too old").isFalse();
        assertThat(verify(SECRET, BODY, EXPECTED, TIMESTAMP - TOLERANCE - 1)).as("too new").isFalse();
        assertThat(WebhookSignature.verify(SECRET, MSG_ID, TIMESTAMP, BODY, EXPECTED, TIMESTAMP, -1)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, MSG_ID, TIMESTAMP, BODY, EXPECTED, Long.MIN_VALUE, Long.MAX_VALUE))
                .isFalse();
        assertThat(WebhookSignature.verify(SECRET, MSG_ID, Long.MIN_VALUE, BODY, EXPECTED, Long.MAX_VALUE, TOLERANCE))
                .isFalse();
    }

    @Test
    void malformedHeadersFailWithoutThrowing() {
        String value = EXPECTED.substring("v1,".length());
        for (String header : new String[] {
                null, "", "   ", "v1", "v1,", ",", ",,,", "invalid_signature", "v1,invalid_signature",
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", value, "v1 ," + value, "v1;" + value,
                "v1,," + value, "v1," + value + "x", "v1,ü" + value}) {
            assertThat(verify(SECRET, BODY, header, TIMESTAMP)).as("header %s", header).isFalse();
        }
        // Surrounding and repeated whitespace does not hide a valid entry.
        assertThat(verify(SECRET, BODY, "  v1,x   " + EXPECTED + "  ", TIMESTAMP)).isTrue();
    }

    @Test
    void malformedSecretsAndArgumentsFailWithoutThrowing() {
        for (String secret : new String[] {null, "", "whsec_", "whsec_not base64!", "whsec_MfKQ9r8GKYq"}) {
            assertThat(verify(secret, BODY, EXPECTED, TIMESTAMP)).as("secret %s", secret).isFalse();
        }
        assertThat(verify(SECRET, null, EXPECTED, TIMESTAMP)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, null, TIMESTAMP, BODY, EXPECTED, TIMESTAMP, TOLERANCE)).isFalse();
    }

    @Test
    void signRefusesWhatCannotBeSignedSafely() {
        assertThatThrownBy(() -> WebhookSignature.sign("whsec_not base64!", MSG_ID, TIMESTAMP, BODY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebhookSignature.sign("whsec_", MSG_ID, TIMESTAMP, BODY))
                .isInstanceOf(IllegalArgumentException.class);
        // A full stop in the id would make "a.1" + "2" + body sign the same as "a" + "1" + "2." + body.
        assertThatThrownBy(() -> WebhookSignature.sign(SECRET, "msg.1", TIMESTAMP, BODY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebhookSignature.sign(SECRET, MSG_ID, -1, BODY))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void headersCarryTheIdTheTimestampAndTheSignature() {
        var headers = WebhookSignature.headers(List.of(SECRET), MSG_ID, TIMESTAMP, BODY);
        assertThat(headers).containsExactly(
                entry("webhook-id", MSG_ID),
                entry("webhook-timestamp", "1614265330"),
                entry("webhook-signature", EXPECTED));
    }

    @Test
    void duringARotationTheHeaderHasOneSignaturePerSecretAndEitherSecretVerifies() {
        String current = WebhookSignature.newSecret();
        var headers = WebhookSignature.headers(List.of(current, SECRET), MSG_ID, TIMESTAMP, BODY);
        String header = headers.get("webhook-signature");

        assertThat(header).isEqualTo(WebhookSignature.sign(current, MSG_ID, TIMESTAMP, BODY) + " " + EXPECTED);
        assertThat(verify(current, BODY, header, TIMESTAMP)).isTrue();
        assertThat(verify(SECRET, BODY, header, TIMESTAMP)).isTrue();
        assertThat(verify(WebhookSignature.newSecret(), BODY, header, TIMESTAMP)).isFalse();
        assertThatThrownBy(() -> WebhookSignature.headers(List.of(), MSG_ID, TIMESTAMP, BODY))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void newSecretsArePrefixedBase64Of32RandomBytes() {
        String secret = WebhookSignature.newSecret();
        assertThat(secret).matches("whsec_[A-Za-z0-9+/]{43}=");
        assertThat(Base64.getDecoder().decode(secret.substring("whsec_".length()))).hasSize(32);
        assertThat(WebhookSignature.newSecret()).isNotEqualTo(secret);

        String signature = WebhookSignature.sign(secret, MSG_ID, TIMESTAMP, BODY);
        assertThat(signature).matches("v1,[A-Za-z0-9+/]{43}=");
        assertThat(verify(secret, BODY, signature, TIMESTAMP)).isTrue();
    }
}
