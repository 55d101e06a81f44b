package dev.outreach2day.domain;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RSA PKCS#1 v1.5 signatures over SHA-256 ({@code SHA256withRSA}) computed by the system's
 * OpenSSL 3 {@code libcrypto} through the Foreign Function and Memory API, for DKIM.
 *
 * <p>Why: a 2048-bit RSA signature is the largest single cost of a DKIM-signed send. The JDK's
 * {@code Signature} takes about 1.2 ms for one on this project's 2-core machines, OpenSSL about
 * 0.3 ms ({@code openssl speed rsa2048}). PKCS#1 v1.5 signing is deterministic, so both give the
 * same bytes for the same key and data; {@code OpenSslRsaTest} checks that they do.
 *
 * <p>{@link #instance()} is empty when libcrypto 3 cannot be loaded (another OS, no OpenSSL 3),
 * when native access is refused, or when {@code O2D_DKIM_OPENSSL=false} is set; callers then use
 * the JDK. A key is loaded into OpenSSL once per key object ({@link #sign} keeps it, weakly
 * keyed by the Java key, and frees the native key after the Java key is collected).
 */
final class OpenSslRsa {

    private static final Logger log = LoggerFactory.getLogger(OpenSslRsa.class);
    private static final Optional<OpenSslRsa> INSTANCE = load();
    private static final Cleaner CLEANER = Cleaner.create();

    private final MethodHandle mdCtxNew;
    private final MethodHandle mdCtxFree;
    private final MethodHandle digestSignInit;
    private final MethodHandle digestSign;
    private final MethodHandle pkeyFromDer;
    private final MethodHandle pkeyFree;
    private final MethodHandle pkeySize;
    private final MethodHandle errClear;
    private final MemorySegment sha256;
    /**
     * Native keys per Java key, weakly keyed: a key dropped from the engine's cache goes. The
     * EVP_PKEY is freed when its {@link NativeKey} is unreachable, which a signing thread prevents
     * by holding it (an equal key object may find another key object's entry).
     */
    private final Map<RSAPrivateCrtKey, NativeKey> keys = Collections.synchronizedMap(new WeakHashMap<>());

    /** One EVP_PKEY*, freed by the cleaner once this object is unreachable. */
    private static final class NativeKey {
        final MemorySegment pkey;
        final int size;

        NativeKey(OpenSslRsa owner, MemorySegment pkey, int size) {
            this.pkey = pkey;
            this.size = size;
            CLEANER.register(this, () -> owner.free(pkey)); // the action must not hold this object
        }
    }

    private OpenSslRsa(SymbolLookup lib) throws Throwable {
        Linker linker = Linker.nativeLinker();
        ValueLayout.OfLong sizeT = ValueLayout.JAVA_LONG;
        mdCtxNew = handle(linker, lib, "EVP_MD_CTX_new", FunctionDescriptor.of(ValueLayout.ADDRESS));
        mdCtxFree = handle(linker, lib, "EVP_MD_CTX_free", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        digestSignInit = handle(linker, lib, "EVP_DigestSignInit", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        digestSign = handle(linker, lib, "EVP_DigestSign", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, sizeT));
        pkeyFromDer = handle(linker, lib, "d2i_AutoPrivateKey", FunctionDescriptor.of(ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        pkeyFree = handle(linker, lib, "EVP_PKEY_free", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        pkeySize = handle(linker, lib, "EVP_PKEY_get_size", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        errClear = handle(linker, lib, "ERR_clear_error", FunctionDescriptor.ofVoid());
        sha256 = (MemorySegment) handle(linker, lib, "EVP_sha256", FunctionDescriptor.of(ValueLayout.ADDRESS)).invokeExact();
        if (sha256.equals(MemorySegment.NULL)) throw new IllegalStateException("EVP_sha256 returned NULL");
    }

    /** The native signer, or empty when OpenSSL 3 is not usable here (then sign with the JDK). */
    static Optional<OpenSslRsa> instance() {
        return INSTANCE;
    }

    /**
     * The SHA256withRSA signature of {@code data} with {@code key}: the same bytes the JDK's
     * {@code Signature.getInstance("SHA256withRSA")} gives.
     *
     * @throws IllegalStateException when OpenSSL refuses the key or the operation
     */
    byte[] sign(RSAPrivateCrtKey key, byte[] data) {
        NativeKey nk = nativeKey(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, in, ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment sig = arena.allocate(nk.size);
            MemorySegment sigLen = arena.allocate(ValueLayout.JAVA_LONG);
            sigLen.set(ValueLayout.JAVA_LONG, 0, nk.size);
            MemorySegment ctx = (MemorySegment) mdCtxNew.invokeExact();
            if (ctx.equals(MemorySegment.NULL)) throw new IllegalStateException("EVP_MD_CTX_new failed");
            try {
                int ok = (int) digestSignInit.invokeExact(ctx, MemorySegment.NULL, sha256, MemorySegment.NULL, nk.pkey);
                if (ok != 1) throw failure("EVP_DigestSignInit");
                ok = (int) digestSign.invokeExact(ctx, sig, sigLen, in, (long) data.length);
                if (ok != 1) throw failure("EVP_DigestSign");
            } finally {
                mdCtxFree.invokeExact(ctx);
            }
            return sig.asSlice(0, sigLen.get(ValueLayout.JAVA_LONG, 0)).toArray(ValueLayout.JAVA_BYTE);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("OpenSSL RSA signature failed", t);
        } finally {
            Reference.reachabilityFence(nk); // the EVP_PKEY stays until the signature is done
        }
    }

    /**
     * The key object signed with last and its native key (held until another key signs): most
     * signatures in a row use one key object.
     */
    private record Last(RSAPrivateCrtKey key, NativeKey nativeKey) {}

    private volatile Last last;

    private NativeKey nativeKey(RSAPrivateCrtKey key) {
        // the same object as last time: no hashing of the key's encoding, no lock on the shared map
        Last l = last;
        if (l != null && l.key() == key) return l.nativeKey();
        NativeKey nk = keys.get(key);
        if (nk == null) {
            synchronized (keys) {
                nk = keys.get(key);
                if (nk == null) {
                    nk = loadKey(key);
                    keys.put(key, nk);
                }
            }
        }
        last = new Last(key, nk);
        return nk;
    }

    private NativeKey loadKey(RSAPrivateCrtKey key) {
        byte[] der = key.getEncoded(); // PKCS#8
        if (der == null) throw new IllegalStateException("the key has no PKCS#8 encoding");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(der.length);
            MemorySegment.copy(der, 0, buf, ValueLayout.JAVA_BYTE, 0, der.length);
            MemorySegment cursor = arena.allocate(ValueLayout.ADDRESS);
            cursor.set(ValueLayout.ADDRESS, 0, buf);
            MemorySegment pkey = (MemorySegment) pkeyFromDer.invokeExact(MemorySegment.NULL, cursor, (long) der.length);
            if (pkey.equals(MemorySegment.NULL)) throw failure("d2i_AutoPrivateKey");
            java.util.Arrays.fill(der, (byte) 0);
            int size = (int) pkeySize.invokeExact(pkey);
            if (size <= 0) {
                free(pkey);
                throw new IllegalStateException("EVP_PKEY_get_size gave " + size);
            }
            return new NativeKey(this, pkey, size);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("OpenSSL could not load the key", t);
        }
    }

    private void free(MemorySegment pkey) {
        try {
            pkeyFree.invokeExact(pkey);
        } catch (Throwable t) {
            log.warn("EVP_PKEY_free failed: {}", t.toString());
        }
    }

    private IllegalStateException failure(String call) {
        try {
            errClear.invokeExact(); // OpenSSL's error queue is per thread: leave it empty
        } catch (Throwable ignored) {
            // nothing more to do
        }
        return new IllegalStateException(call + " failed");
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lib, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new IllegalStateException("libcrypto has no " + name));
        return linker.downcallHandle(symbol, fd);
    }

    private static Optional<OpenSslRsa> load() {
        String setting = System.getenv("O2D_DKIM_OPENSSL");
        if (setting == null) setting = System.getProperty("o2d.dkim.openssl", "auto");
        if (setting.equalsIgnoreCase("false") || setting.equalsIgnoreCase("off")) {
            log.info("DKIM: signing with the JDK (O2D_DKIM_OPENSSL={})", setting);
            return Optional.empty();
        }
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return Optional.empty();
        }
        for (String name : new String[] {"libcrypto.so.3", "libcrypto.so"}) {
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup(name, Arena.global());
                OpenSslRsa rsa = new OpenSslRsa(lib);
                log.info("DKIM: RSA signatures through OpenSSL ({})", name);
                return Optional.of(rsa);
            } catch (Throwable t) { // not there, not OpenSSL 3, or native access refused
                log.debug("DKIM: {} not usable: {}", name, t.toString());
            }
        }
        log.info("DKIM: OpenSSL 3 libcrypto not found; signing with the JDK");
        return Optional.empty();
    }
}
