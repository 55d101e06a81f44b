package dev.outreach2day.domain;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.interfaces.RSAPrivateKey;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;
import org.simplejavamail.utils.mail.dkim.SigningAlgorithm;

/**
 * DKIM signatures for mail sent from the workspace's domains (campaign sends, replies from the
 * inbox): rsa-sha256, relaxed/relaxed, over a fixed list of headers, computed once over the
 * final bytes.
 */
public final class DkimSignatures {

    private DkimSignatures() {}

    /** Headers covered by the DKIM signature (when present). */
    public static final List<String> SIGNED_HEADERS = List.of(
            "From", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
            "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Content-Type", "Content-Transfer-Encoding");

    /**
     * Signs {@code message} (which must have been saved: {@link #build} does it) with
     * rsa-sha256, relaxed/relaxed, covering {@link #SIGNED_HEADERS}. The signature is computed
     * once; the returned message writes exactly the signed bytes every time and ignores {@code
     * saveChanges()}. Do not modify it.
     */
    public static MimeMessage sign(MimeMessage message, String domain, String selector, RSAPrivateKey key)
            throws MessagingException {
        DkimSigner signer = new DkimSigner(domain, selector, key);
        signer.setHeaderCanonicalization(Canonicalization.RELAXED);
        signer.setBodyCanonicalization(Canonicalization.RELAXED);
        signer.setSigningAlgorithm(SigningAlgorithm.SHA256_WITH_RSA);
        signer.setCheckDomainKey(false);
        signer.setLengthParam(false);
        Set<String> keep = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        keep.addAll(SIGNED_HEADERS);
        for (String h : defaultSignedHeaders()) {
            if (!keep.contains(h) && !h.equalsIgnoreCase("From")) {
                signer.removeHeaderToSign(h);
            }
        }
        SIGNED_HEADERS.forEach(signer::addHeaderToSign);

        byte[] signed;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            new DkimMessage(message, signer).writeTo(out);
            signed = out.toByteArray();
        } catch (IOException e) {
            throw new MessagingException("DKIM signing failed", e);
        }
        return new SignedMessage(message.getSession(), signed);
    }

    /**
     * A signed message, parsed from its final bytes. {@code writeTo} reproduces them (the parsed
     * headers and body are written back verbatim); {@code saveChanges()} is a no-op, so a
     * careless {@code Transport.send} or 8BITMIME conversion cannot alter what was signed.
     */
    public static final class SignedMessage extends MimeMessage {
        private final byte[] raw;

        SignedMessage(Session session, byte[] raw) throws MessagingException {
            super(session, new ByteArrayInputStream(raw));
            this.raw = raw;
        }

        @Override
        public void saveChanges() {
            // frozen: the bytes are signed
        }

        @Override
        protected void updateMessageID() {
            // frozen: keep the signed Message-ID
        }

        @Override
        public void writeTo(java.io.OutputStream os, String[] ignoreList) throws IOException, MessagingException {
            if (ignoreList == null || !hasAnyHeader(ignoreList)) {
                os.write(raw);
                os.flush();
                return;
            }
            super.writeTo(os, ignoreList);
        }

        private boolean hasAnyHeader(String[] names) throws MessagingException {
            for (String n : names) {
                if (getHeader(n) != null) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The exact bytes a signed message writes. */
    public static byte[] bytes(SignedMessage m) {
        return m.raw.clone();
    }

    private static List<String> defaultSignedHeaders() {
        return List.of("To", "Subject", "Content-Description", "Content-ID", "Content-Type", "Content-Transfer-Encoding",
                "Cc", "Date", "In-Reply-To", "List-Subscribe", "List-Post", "List-Owner", "List-Id", "List-Archive",
                "List-Help", "List-Unsubscribe", "MIME-Version", "Message-ID", "Resent-Sender", "Resent-Cc",
                "Resent-Date", "Resent-To", "Reply-To", "References", "Resent-Message-ID", "Resent-From", "Sender");
    }
}
