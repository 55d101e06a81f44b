package dev.outreach2day.platform;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.regex.Pattern;

/**
 * Prefixed, URL-safe, time-sortable ids ({@code cmp_01jq7w…}): a ULID (48-bit milliseconds +
 * 80 random bits) in lower-case Crockford base32, so ids sort by creation time as strings.
 */
public final class Ids {

    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern BODY = Pattern.compile("[0-9a-hjkmnp-tv-z]{26}");

    private Ids() {}

    public static String next(String prefix) {
        return next(prefix, Clock.systemUTC().millis());
    }

    public static String next(String prefix, long epochMillis) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        char[] out = new char[26];
        long time = epochMillis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        // 80 random bits → 16 chars of 5 bits.
        long hi = 0;
        for (int i = 0; i < 5; i++) hi = (hi << 8) | (random[i] & 0xff);
        long lo = 0;
        for (int i = 5; i < 10; i++) lo = (lo << 8) | (random[i] & 0xff);
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        return prefix + "_" + new String(out);
    }

    /** True when {@code id} has the given prefix and a well-formed body. */
    public static boolean isValid(String prefix, String id) {
        return id != null
                && id.length() == prefix.length() + 27
                && id.startsWith(prefix + "_")
                && BODY.matcher(id.substring(prefix.length() + 1)).matches();
    }
}
