package dev.outreach2day.workspace;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * {@code ot2d_} + 32 random bytes (43 URL-safe base64 chars) + a 6-char CRC32 checksum. The
 * checksum lets a mistyped or truncated key be refused without a database lookup; the first 16
 * characters are the lookup prefix; only a SHA-256 of the whole key is stored.
 */
final class ApiKeyFormat {

    static final String PREFIX = "ot2d_";
    private static final int SECRET_CHARS = 43;
    private static final int CHECKSUM_CHARS = 6;
    static final int LENGTH = PREFIX.length() + SECRET_CHARS + CHECKSUM_CHARS;
    private static final int LOOKUP_CHARS = PREFIX.length() + 11;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private ApiKeyFormat() {}

    static String generate() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String body = PREFIX + B64.encodeToString(secret);
        return body + checksum(body);
    }

    /** True when the key has the right shape and its checksum matches. */
    static boolean wellFormed(String key) {
        if (key == null || key.length() != LENGTH || !key.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            char c = key.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) return false;
        }
        String body = key.substring(0, LENGTH - CHECKSUM_CHARS);
        return MessageDigest.isEqual(checksum(body).getBytes(StandardCharsets.US_ASCII),
                key.substring(LENGTH - CHECKSUM_CHARS).getBytes(StandardCharsets.US_ASCII));
    }

    static String lookupPrefix(String key) {
        return key.substring(0, LOOKUP_CHARS);
    }

    static String last4(String key) {
        return key.substring(key.length() - 4);
    }

    static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String checksum(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        long v = crc.getValue();
        byte[] bytes = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        return B64.encodeToString(bytes); // 4 bytes → 6 chars
    }
}
