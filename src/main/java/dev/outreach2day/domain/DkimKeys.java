package dev.outreach2day.domain;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/** RSA-2048 DKIM keys: one fresh pair per domain; the public half goes into the DNS record. */
final class DkimKeys {

    private DkimKeys() {}

    /** A new pair: (base64 PKCS#8 private key, base64 SubjectPublicKeyInfo for {@code p=}). */
    record Pair(String privateKeyPkcs8, String publicKeyBase64) {}

    static Pair generate() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            KeyPair pair = gen.generateKeyPair();
            return new Pair(Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()),
                    Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static PrivateKey privateKey(String pkcs8Base64) {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8Base64)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key that belongs to a private key (to check a stored pair is consistent). */
    static String publicOf(String pkcs8Base64) {
        try {
            RSAPrivateCrtKey key = (RSAPrivateCrtKey) privateKey(pkcs8Base64);
            var pub = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
            return Base64.getEncoder().encodeToString(pub.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The TXT value published at {@code <selector>._domainkey.<domain>}. */
    static String txtValue(String publicKeyBase64) {
        return "v=DKIM1; k=rsa; p=" + publicKeyBase64;
    }
}
