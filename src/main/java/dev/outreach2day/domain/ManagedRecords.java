package dev.outreach2day.domain;

import dev.outreach2day.domain.DnsProvider.RecordSpec;
import java.util.List;

/**
 * The records every domain gets so it is ready to send: the web address (redirect), the mail
 * host, MX, SPF, DKIM and DMARC. Pure: the same inputs always give the same records, and these
 * are also the expected values live verification compares against.
 */
final class ManagedRecords {

    private ManagedRecords() {}

    /** A managed record and what it is for: web, www, mail, mx, spf, dkim, dmarc. */
    record Managed(String purpose, RecordSpec spec) {}

    static String mailHost(String domain) {
        return "mail." + domain;
    }

    static String dkimName(String selector, String domain) {
        return selector + "._domainkey." + domain;
    }

    static String spf(String serverIp, String include) {
        return "v=spf1 ip4:" + serverIp + (include == null || include.isBlank() ? "" : " include:" + include.trim()) + " ~all";
    }

    static String dmarc(String policy, String rua, String domain) {
        return "v=DMARC1; p=" + policy + "; rua=mailto:" + rua.replace("{domain}", domain) + "; adkim=r; aspf=r; pct=100";
    }

    static List<Managed> of(String domain, String selector, String dkimPublicKey, String dmarcPolicy, DomainProperties.Records r) {
        int ttl = r.ttl();
        return List.of(
                new Managed("web", new RecordSpec("A", domain, r.serverIp(), ttl, null)),
                new Managed("www", new RecordSpec("CNAME", "www." + domain, domain, ttl, null)),
                new Managed("mail", new RecordSpec("A", mailHost(domain), r.serverIp(), ttl, null)),
                new Managed("mx", new RecordSpec("MX", domain, mailHost(domain), ttl, 10)),
                new Managed("spf", new RecordSpec("TXT", domain, spf(r.serverIp(), r.spfInclude()), ttl, null)),
                new Managed("dkim", new RecordSpec("TXT", dkimName(selector, domain), DkimKeys.txtValue(dkimPublicKey), ttl, null)),
                new Managed("dmarc", new RecordSpec("TXT", "_dmarc." + domain, dmarc(dmarcPolicy, r.dmarcRua(), domain), ttl, null)));
    }
}
