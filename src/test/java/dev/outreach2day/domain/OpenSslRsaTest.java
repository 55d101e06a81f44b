package dev.outreach2day.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * DKIM's RSA signatures through OpenSSL: byte for byte what the JDK's SHA256withRSA gives (PKCS#1
 * v1.5 is deterministic), for several keys and data sizes, from many threads at once, and for a
 * key object that is equal to, but not the same as, one already loaded.
 */
class OpenSslRsaTest {

    /** This project's machines have OpenSSL 3; a silent fall-back to the JDK there would hide a regression. */
    @Test
    void openSslIsUsedWhereLibcrypto3IsInstalled() {
        boolean installed = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libcrypto.so.3"))
                || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libcrypto.so.3"));
        if (installed && System.getenv("O2D_DKIM_OPENSSL") == null) {
            assertThat(OpenSslRsa.instance()).isPresent();
        }
    }

    @Test
    void signaturesEqualTheJdks() throws Exception {
        var openSsl = OpenSslRsa.instance();
        Random random = new Random(42);
        for (int bits : new int[] {1024, 2048, 3072}) {
            RSAPrivateCrtKey key = (RSAPrivateCrtKey) keyPair(bits).getPrivate();
            for (int size : new int[] {0, 1, 55, 64, 1000, 70_000}) {
                byte[] data = new byte[size];
                random.nextBytes(data);
                byte[] jdk = jdk(key, data);
                assertThat(DkimSignatures.rsaSha256(key, data)).as("%d-bit key, %d bytes", bits, size).isEqualTo(jdk);
                if (openSsl.isPresent()) {
                    assertThat(openSsl.get().sign(key, data)).isEqualTo(jdk);
                }
            }
        }
    }

    @Test
    void manyThreadsAndEqualKeyObjectsGiveTheJdksSignatures() throws Exception {
        var openSsl = OpenSslRsa.instance();
        if (openSsl.isEmpty()) return; // nothing native to share between threads
        KeyPair pair = keyPair(2048);
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) pair.getPrivate();
        byte[] encoded = key.getEncoded();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int seed = t;
            tasks.add(() -> {
                Random random = new Random(seed);
                for (int i = 0; i < 20; i++) {
                    // a fresh, equal key object now and then: it may find another object's native key
                    RSAPrivateCrtKey k = i % 5 == 0
                            ? (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(encoded))
                            : key;
                    byte[] data = new byte[random.nextInt(4000)];
                    random.nextBytes(data);
                    assertThat(openSsl.get().sign(k, data)).isEqualTo(jdk(k, data));
                }
                if (seed % 4 == 0) System.gc(); // lets weakly held native keys go while others sign
                return null;
            });
        }
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Void> f : pool.invokeAll(tasks)) f.get();
        }
    }

    private static KeyPair keyPair(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return g.generateKeyPair();
    }

    private static byte[] jdk(RSAPrivateCrtKey key, byte[] data) throws Exception {
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(data);
        return s.sign();
    }
}
