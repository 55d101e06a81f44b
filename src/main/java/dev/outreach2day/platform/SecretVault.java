package dev.outreach2day.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * Encrypts secrets at rest (mailbox passwords, DKIM private keys, provider API keys) with
 * AES-256-GCM under the master key {@code O2D_MASTER_KEY} (base64 of 32 bytes). In sandbox mode
 * without one, a key is generated once into {@code $O2D_DATA_DIR/master-key} (0600). Each
 * ciphertext names the key that made it ({@code o2dv1:<keyId>:<base64>}), so older keys listed in
 * {@code O2D_MASTER_KEY_PREVIOUS} still decrypt while data is re-encrypted under the new one.
 */
@Component
public class SecretVault {

    private static final String VERSION = "o2dv1";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();

    public SecretVault(O2dProperties props) {
        byte[] current = props.vault().masterKey() == null || props.vault().masterKey().isBlank()
                ? sandboxKey(props)
                : decodeKey(props.vault().masterKey(), "O2D_MASTER_KEY");
        this.currentKeyId = keyId(current);
        keys.put(currentKeyId, new SecretKeySpec(current, "AES"));
        String previous = props.vault().previousKeys();
        if (previous != null && !previous.isBlank()) {
            for (String p : previous.split(",")) {
                byte[] k = decodeKey(p.trim(), "O2D_MASTER_KEY_PREVIOUS");
                keys.putIfAbsent(keyId(k), new SecretKeySpec(k, "AES"));
            }
        }
    }

    /** Encrypts {@code plaintext}; {@code context} (e.g. "dkim:dom_…") is bound as associated data. */
    public String encrypt(String plaintext, String context) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] ct = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + ct.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(ct, 0, out, nonce.length, ct.length);
            return VERSION + ":" + currentKeyId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    /** Decrypts a value made by {@link #encrypt} with the same {@code context}. */
    public String decrypt(String sealed, String context) {
        String[] parts = sealed.split(":", 3);
        if (parts.length != 3 || !parts[0].equals(VERSION)) {
            throw new IllegalArgumentException("not a vault ciphertext");
        }
        SecretKeySpec key = keys.get(parts[1]);
        if (key == null) {
            throw new IllegalStateException("ciphertext made with master key " + parts[1]
                    + ", which is neither O2D_MASTER_KEY nor in O2D_MASTER_KEY_PREVIOUS");
        }
        try {
            byte[] in = Base64.getDecoder().decode(parts[2]);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("decryption failed (wrong key or tampered ciphertext)", e);
        }
    }

    /** True when {@code sealed} was made with an older master key and should be re-encrypted. */
    public boolean needsRotation(String sealed) {
        String[] parts = sealed.split(":", 3);
        return parts.length == 3 && !parts[1].equals(currentKeyId);
    }

    public String currentKeyId() {
        return currentKeyId;
    }

    static String keyId(byte[] key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] decodeKey(String b64, String setting) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(b64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(setting + " must be base64 (e.g. openssl rand -base64 32)");
        }
        if (key.length != 32) {
            throw new IllegalStateException(setting + " must be 32 bytes (base64 of: openssl rand -base64 32), got " + key.length);
        }
        return key;
    }

    private static byte[] sandboxKey(O2dProperties props) {
        if (!props.sandbox()) {
            throw new IllegalStateException("O2D_MODE=production needs O2D_MASTER_KEY (openssl rand -base64 32)");
        }
        Path dir = props.dataDir().toAbsolutePath().normalize();
        Path file = dir.resolve("master-key");
        try {
            if (Files.exists(file)) {
                return decodeKey(Files.readString(file), file.toString());
            }
            Files.createDirectories(dir);
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            Path tmp = Files.createTempFile(dir, ".master-key", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, Base64.getEncoder().encodeToString(key) + "\n");
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                Files.deleteIfExists(tmp);
                return decodeKey(Files.readString(file), file.toString());
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the sandbox master key in " + dir, e);
        }
    }
}
