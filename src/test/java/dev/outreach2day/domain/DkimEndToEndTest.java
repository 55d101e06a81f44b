package dev.outreach2day.domain;

import static dev.outreach2day.domain.DomainFixtures.addCard;
import static dev.outreach2day.domain.DomainFixtures.purchaseBody;
import static dev.outreach2day.domain.DomainFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.domain.DnsProvider.RecordSpec;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.PublicKeyRecordRetriever;
import org.apache.james.jdkim.exceptions.TempFailException;
import org.junit.jupiter.api.Test;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;
import org.simplejavamail.utils.mail.dkim.SigningAlgorithm;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The DKIM key and records a domain gets are right end to end: a message signed with the
 * domain's key verifies with Apache jDKIM, whose key lookup goes over real DNS to a stub server
 * on loopback that serves exactly what {@code GET /domains/{domain}/dns-records} returns.
 */
class DkimEndToEndTest extends IntegrationTest {

    @Autowired
    DomainService domains;

    @Test
    void aMessageSignedWithTheDomainsKeyVerifiesAgainstThePublishedRecords() throws Exception {
        var tenant = newTenant();
        Api api = api(tenant);
        addCard(api, anonymous(), tenant.workspaceId());
        String name = unique("dkim") + ".com";
        assertThat(api.post("/domains/purchase", purchaseBody(name)).status()).isEqualTo(200);

        List<RecordSpec> published = new ArrayList<>();
        api.get("/domains/" + name + "/dns-records").json().forEach(r -> published.add(new RecordSpec(
                r.get("type").asString(), r.get("name").asString(), r.get("value").asString(), r.get("ttl").asInt(),
                r.get("priority").isNull() ? null : r.get("priority").asInt())));
        String selector = published.stream().filter(r -> r.name().contains("._domainkey.")).findFirst().orElseThrow()
                .name().split("\\.")[0];

        DnsRecordSource stubZone = new DnsRecordSource() {
            @Override
            public List<RecordSpec> recordsAt(String owner) {
                return published.stream().filter(r -> r.name().equals(owner)).toList();
            }

            @Override
            public Optional<String> zoneOf(String owner) {
                return owner.equals(name) || owner.endsWith("." + name) ? Optional.of(name) : Optional.empty();
            }
        };
        try (DnsServer stub = new DnsServer(stubZone, InetAddress.getLoopbackAddress(), 0)) {
            stub.start();
            LiveDns dns = new LiveDns("127.0.0.1:" + stub.port(), Duration.ofSeconds(3));
            PublicKeyRecordRetriever overDns = (method, sel, token) -> {
                try {
                    return dns.txt(sel + "._domainkey." + token);
                } catch (LiveDns.LookupFailed e) {
                    throw new TempFailException(e.getMessage());
                }
            };

            var privateKey = (RSAPrivateKey) DkimKeys.privateKey(domains.dkimPrivateKey(domains.get(tenant.workspaceId(), name)).orElseThrow());
            byte[] signed = sign(name, selector, privateKey, "Quick question", "Hi Ada,\r\nworth a chat?\r\n");

            var verifier = new DKIMVerifier(overDns);
            var results = verifier.verify(new ByteArrayInputStream(signed));
            assertThat(results).isNotEmpty();
            assertThat(results.getFirst().getDToken().toString()).isEqualTo(name);
            assertThat(results.getFirst().getSelector().toString()).isEqualTo(selector);

            // and a tampered body fails: the check is real
            byte[] tampered = new String(signed, java.nio.charset.StandardCharsets.US_ASCII)
                    .replace("worth a chat?", "worth a call?").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            assertThatThrownBy(() -> new DKIMVerifier(overDns).verify(new ByteArrayInputStream(tampered)))
                    .isInstanceOf(org.apache.james.jdkim.exceptions.FailException.class);
        }
    }

    private static byte[] sign(String domain, String selector, RSAPrivateKey key, String subject, String body) throws Exception {
        var session = Session.getInstance(new Properties());
        var message = new MimeMessage(session);
        message.setFrom(new InternetAddress("john@" + domain));
        message.setRecipients(jakarta.mail.Message.RecipientType.TO, "ada@example.org");
        message.setSubject(subject);
        message.setText(body, "UTF-8");
        message.saveChanges();
        var signer = new DkimSigner(domain, selector, key);
        signer.setHeaderCanonicalization(Canonicalization.RELAXED);
        signer.setBodyCanonicalization(Canonicalization.RELAXED);
        signer.setSigningAlgorithm(SigningAlgorithm.SHA256_WITH_RSA);
        signer.setCheckDomainKey(false);
        var out = new ByteArrayOutputStream();
        new DkimMessage(message, signer).writeTo(out);
        return out.toByteArray();
    }
}
