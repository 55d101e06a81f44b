package dev.outreach2day.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies webhooks the way the Standard Webhooks specification describes
 * (https://www.standardwebhooks.com), so that a receiver can check our deliveries with any of
 * the official libraries.
 *
 * <p>The rules:
 * <ul>
 *   <li>A secret is {@code whsec_} followed by the standard base64 encoding (with padding) of the
 *       key bytes. New secrets hold 32 random bytes. A secret without the {@code whsec_} prefix
 *       is accepted too, as the reference libraries do.</li>
 *   <li>The signed content is {@code msgId + "." + timestamp + "." + body}: the message id, the
 *       Unix timestamp in seconds as a decimal number, and the exact body that is sent, encoded
 *       as UTF-8. A message id must therefore not contain a full stop; {@link #sign} refuses one.</li>
 *   <li>A signature is {@code v1,} followed by the base64 encoding of the HMAC-SHA256 of that
 *       content, keyed with the decoded secret.</li>
 *   <li>The {@code webhook-signature} header holds one or more signatures separated by spaces.
 *       While a secret is being rotated, a delivery is signed with the new and the old secret,
 *       and the receiver accepts it when any one of them matches.</li>
 *   <li>A receiver accepts a delivery only when its timestamp is within a tolerance of its own
 *       clock, in either direction, which stops old deliveries from being replayed.</li>
 * </ul>
 */
final class WebhookSignature {

    static final String SECRET_PREFIX = "whsec_";
    static final String VERSION = "v1";
    static final String ID_HEADER = "webhook-id";
    static final String TIMESTAMP_HEADER = "webhook-timestamp";
    static final String SIGNATURE_HEADER = "webhook-signature";

    private static final int SECRET_BYTES = 32;
    private static final String HMAC = "HmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSignature() {}

    /** A new secret: {@code whsec_} and the base64 of 32 random bytes (44 characters). */
    static String newSecret() {
        byte[] key = new byte[SECRET_BYTES];
        RANDOM.nextBytes(key);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /**
     * The signature of one delivery, {@code v1,<base64 HMAC-SHA256>}.
     *
     * @throws IllegalArgumentException when the secret is not valid base64 or is empty, the message
     *     id is empty or contains a full stop, or the timestamp is negative
     */
    static String sign(String secret, String msgId, long timestampSeconds, String body) {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(msgId, "msgId");
        Objects.requireNonNull(body, "body");
        if (msgId.isEmpty() || msgId.indexOf('.') >= 0) {
            throw new IllegalArgumentException("a message id must be non-empty and must not contain '.'");
        }
        if (timestampSeconds < 0) {
            throw new IllegalArgumentException("the timestamp must not be negative");
        }
        return VERSION + "," + signature(key(secret), msgId, timestampSeconds, body);
    }

    /**
     * Whether a delivery is authentic and fresh: true when at least one {@code v1} entry of the
     * signature header matches the signature computed with {@code secret}, and the timestamp is at
     * most {@code toleranceSeconds} away from {@code nowSeconds} (before or after). Entries of other
     * versions (such as {@code v1a} or {@code v2}) and entries that are not {@code version,signature}
     * are ignored. Signatures are compared in constant time. Malformed input of any kind (a null
     * argument, a secret that is not base64, a negative tolerance) gives false, never an exception.
     */
    static boolean verify(String secret, String msgId, long timestampSeconds, String body,
                          String signatureHeader, long nowSeconds, long toleranceSeconds) {
        if (secret == null || msgId == null || body == null || signatureHeader == null || toleranceSeconds < 0) {
            return false;
        }
        long distance;
        try {
            distance = Math.absExact(Math.subtractExact(nowSeconds, timestampSeconds));
        } catch (ArithmeticException e) {
            return false;
        }
        if (distance > toleranceSeconds) {
            return false;
        }
        byte[] expected;
        try {
            expected = signature(key(secret), msgId, timestampSeconds, body).getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        boolean matched = false;
        for (String entry : signatureHeader.trim().split("\\s+")) {
            int comma = entry.indexOf(',');
            if (comma < 0 || !VERSION.equals(entry.substring(0, comma))) {
                continue;
            }
            byte[] given = entry.substring(comma + 1).getBytes(StandardCharsets.UTF_8);
            matched |= MessageDigest.isEqual(expected, given);
        }
        return matched;
    }

    /**
     * The three Standard Webhooks headers of one delivery, in the order {@code webhook-id},
     * {@code webhook-timestamp}, {@code webhook-signature}. The signature header holds one
     * {@code v1,…} entry per secret, in the order given, separated by single spaces: pass the
     * current secret and, while a rotation is in progress, the previous one.
     *
     * @throws IllegalArgumentException when there is no secret, or as {@link #sign} does
     */
    static Map<String, String> headers(List<String> secrets, String msgId, long timestampSeconds, String body) {
        return Collections.unmodifiableMap(new Signer(secrets).headers(msgId, timestampSeconds, body));
    }

    /**
     * {@link #headers} for many deliveries with the same secrets: the keys are decoded and the MACs
     * set up once. Not thread-safe: one per thread (a delivery lane).
     */
    static final class Signer {
        private final List<Mac> macs;

        Signer(List<String> secrets) {
            if (secrets.isEmpty()) {
                throw new IllegalArgumentException("at least one secret is needed to sign a webhook");
            }
            try {
                var list = new java.util.ArrayList<Mac>();
                for (String secret : secrets) {
                    Mac mac = Mac.getInstance(HMAC);
                    mac.init(new SecretKeySpec(key(secret), HMAC));
                    list.add(mac);
                }
                this.macs = List.copyOf(list);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC-SHA256 is not available", e);
            }
        }

        /** The same headers as {@link WebhookSignature#headers}. */
        Map<String, String> headers(String msgId, long timestampSeconds, String body) {
            byte[] content = (msgId + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8);
            var signatures = new StringBuilder();
            for (Mac mac : macs) {
                if (!signatures.isEmpty()) signatures.append(' ');
                signatures.append(VERSION).append(',').append(Base64.getEncoder().encodeToString(mac.doFinal(content)));
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(ID_HEADER, msgId);
            headers.put(TIMESTAMP_HEADER, Long.toString(timestampSeconds));
            headers.put(SIGNATURE_HEADER, signatures.toString());
            return headers;
        }
    }

    /** The key bytes of a secret, with or without its prefix. */
    private static byte[] key(String secret) {
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        byte[] key = Base64.getDecoder().decode(encoded);
        if (key.length == 0) {
            throw new IllegalArgumentException("the webhook secret is empty");
        }
        return key;
    }

    private static String signature(byte[] key, String msgId, long timestampSeconds, String body) {
        String content = msgId + "." + timestampSeconds + "." + body;
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
