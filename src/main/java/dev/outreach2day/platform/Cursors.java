package dev.outreach2day.platform;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * Opaque, tamper-evident pagination cursors. A cursor names the list it belongs to and the
 * workspace it was issued for, and carries an HMAC under a server secret shared by every
 * process through the database; a forged, altered or foreign cursor is a 422 on
 * {@code query.cursor}, never another workspace's rows.
 */
@Component
public class Cursors {

    private static final char SEP = '\u001f';
    private static final int MAC_BYTES = 16;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    public Cursors(PlatformSecrets secrets) {
        this.key = new SecretKeySpec(secrets.get("cursor-hmac"), "HmacSHA256");
    }

    public String encode(String list, long workspaceId, String... values) {
        var sb = new StringBuilder(list).append(SEP).append(workspaceId);
        for (String v : values) {
            sb.append(SEP).append(v);
        }
        byte[] payload = sb.toString().getBytes(StandardCharsets.UTF_8);
        byte[] mac = Arrays.copyOf(mac(payload), MAC_BYTES);
        return B64.encodeToString(payload) + "." + B64.encodeToString(mac);
    }

    /** The values encoded in {@code cursor}, or null for a null/blank cursor (first page). */
    public List<String> decode(String list, long workspaceId, String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        int dot = cursor.indexOf('.');
        try {
            if (dot <= 0) throw new IllegalArgumentException();
            byte[] payload = B64D.decode(cursor.substring(0, dot));
            byte[] mac = B64D.decode(cursor.substring(dot + 1));
            if (!MessageDigest.isEqual(mac, Arrays.copyOf(mac(payload), MAC_BYTES))) throw new IllegalArgumentException();
            String[] parts = new String(payload, StandardCharsets.UTF_8).split(String.valueOf(SEP), -1);
            if (parts.length < 2 || !parts[0].equals(list) || !parts[1].equals(Long.toString(workspaceId))) {
                throw new IllegalArgumentException();
            }
            return List.of(parts).subList(2, parts.length);
        } catch (IllegalArgumentException e) {
            throw ApiException.Invalid.query("cursor",
                    "Invalid cursor: pass the next_cursor value of a previous page of this list unchanged", "value_error");
        }
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
