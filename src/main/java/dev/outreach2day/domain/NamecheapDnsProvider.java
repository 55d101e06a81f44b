package dev.outreach2day.domain;

import static dev.outreach2day.domain.NamecheapClient.attr;
import static dev.outreach2day.domain.NamecheapClient.blank;
import static dev.outreach2day.domain.NamecheapClient.lower;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.w3c.dom.Element;

/**
 * {@link DnsProvider} on Namecheap's own DNS ("BasicDNS"): {@code namecheap.domains.dns.setDefault}
 * puts a domain registered at Namecheap on {@code dns1/dns2.registrar-servers.com}, and
 * {@code namecheap.domains.dns.setHosts} writes its records.
 *
 * <p>setHosts <em>replaces</em> every host record of the domain, so {@link #syncRecords} always sends
 * the complete desired set; records added outside this server (including Namecheap's parking
 * records) are removed. Host names are sent relative to the domain ({@code @}, {@code _dmarc},
 * {@code sel._domainkey}); CNAME/MX/NS targets are sent fully qualified with a trailing dot, as
 * Namecheap stores them. With MX records present {@code EmailType=MX} is sent, without which
 * Namecheap ignores MX hosts.
 *
 * <p>Always constructible: when Namecheap is not configured every call throws
 * {@code DNS_PROVIDER_NOT_CONFIGURED}.
 */
@Component
class NamecheapDnsProvider implements DnsProvider {

    private static final Logger log = LoggerFactory.getLogger(NamecheapDnsProvider.class);

    static final String NAME = "namecheap";
    static final List<String> NAMESERVERS = List.of("dns1.registrar-servers.com", "dns2.registrar-servers.com");

    /** Namecheap accepts TTLs from 60 to 60000 seconds. */
    static final int MIN_TTL = 60;
    static final int MAX_TTL = 60_000;
    /** Namecheap's default MX preference, sent for records that have none. */
    static final int DEFAULT_MX_PREF = 10;

    private static final Set<String> SUPPORTED_TYPES = Set.of("A", "AAAA", "ALIAS", "CAA", "CNAME", "MX", "NS", "TXT");
    private static final Set<String> HOST_VALUED_TYPES = Set.of("ALIAS", "CNAME", "MX", "NS");

    private final NamecheapClient client;

    @Autowired
    NamecheapDnsProvider(DomainProperties properties) {
        this(new NamecheapClient(properties == null ? null : properties.namecheap()));
    }

    NamecheapDnsProvider(NamecheapClient client) {
        this.client = client;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Zone ensureZone(String domain) {
        requireConfigured();
        String zone = zoneName(domain);
        Map<String, String> params = sldTld(zone);
        Element response = call("namecheap.domains.dns.setDefault", params);
        Element result = NamecheapClient.first(response, "DomainDNSSetDefaultResult");
        if (result != null && "false".equalsIgnoreCase(String.valueOf(attr(result, "Updated")).strip())) {
            throw new DnsProviderException("NAMECHEAP_NOT_UPDATED",
                    "Namecheap did not switch " + zone + " to its default DNS", false);
        }
        log.info("Namecheap: {} uses Namecheap DNS", zone);
        return new Zone(zone, zone, NAMESERVERS);
    }

    @Override
    public void syncRecords(Zone zone, List<RecordSpec> records) {
        requireConfigured();
        if (zone == null) {
            throw new DnsProviderException("NAMECHEAP_INVALID_REQUEST", "No zone given", false);
        }
        String domain = zoneName(blank(zone.domain()) ? zone.id() : zone.domain());
        Map<String, String> params = sldTld(domain);
        boolean hasMx = false;
        int n = 0;
        for (RecordSpec record : records == null ? List.<RecordSpec>of() : records) {
            n++;
            String type = record.type() == null ? "" : record.type().strip().toUpperCase(Locale.ROOT);
            if (!SUPPORTED_TYPES.contains(type)) {
                throw new DnsProviderException("NAMECHEAP_UNSUPPORTED_RECORD_TYPE",
                        "Namecheap DNS cannot hold a record of type '" + type + "'", false);
            }
            if (record.value() == null) {
                throw new DnsProviderException("NAMECHEAP_INVALID_RECORD", "The " + type + " record " + record.name() + " has no value", false);
            }
            String address = HOST_VALUED_TYPES.contains(type) ? absolute(record.value()) : record.value();
            int mxPref = "MX".equals(type) && record.priority() != null ? record.priority() : DEFAULT_MX_PREF;
            hasMx |= "MX".equals(type);
            params.put("HostName" + n, hostName(record.name(), domain));
            params.put("RecordType" + n, type);
            params.put("Address" + n, address);
            params.put("MXPref" + n, Integer.toString(mxPref));
            params.put("TTL" + n, Integer.toString(Math.clamp(record.ttl(), MIN_TTL, MAX_TTL)));
        }
        if (hasMx) {
            params.put("EmailType", "MX");
        }
        Element response = call("namecheap.domains.dns.setHosts", params);
        Element result = NamecheapClient.first(response, "DomainDNSSetHostsResult");
        if (result == null || !NamecheapClient.isTrue(attr(result, "IsSuccess"))) {
            throw new DnsProviderException("NAMECHEAP_NOT_UPDATED",
                    "Namecheap did not confirm the host records of " + domain, false);
        }
        log.info("Namecheap: set {} host record(s) on {}", n, domain);
    }

    /** A record's owner name relative to the zone: {@code @} for the apex, {@code _dmarc} for {@code _dmarc.example.com}. */
    static String hostName(String name, String zone) {
        String fqdn = name == null ? "" : stripDot(lower(name));
        if (fqdn.isEmpty() || fqdn.equals("@") || fqdn.equals(zone)) {
            return "@";
        }
        if (fqdn.endsWith("." + zone)) {
            return fqdn.substring(0, fqdn.length() - zone.length() - 1);
        }
        throw new DnsProviderException("NAMECHEAP_RECORD_OUTSIDE_ZONE",
                "The record " + name + " does not belong to the zone " + zone, false);
    }

    private static String absolute(String host) {
        String value = host.strip();
        return value.endsWith(".") ? value : value + ".";
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static String zoneName(String domain) {
        if (blank(domain) || stripDot(lower(domain)).indexOf('.') < 1) {
            throw new DnsProviderException("NAMECHEAP_INVALID_REQUEST", "'" + domain + "' is not a domain name", false);
        }
        return stripDot(lower(domain));
    }

    /** SLD and TLD as Namecheap wants them: the first label, and the rest ({@code co.uk} for {@code x.co.uk}). */
    private static Map<String, String> sldTld(String domain) {
        int dot = domain.indexOf('.');
        Map<String, String> params = new LinkedHashMap<>();
        params.put("SLD", domain.substring(0, dot));
        params.put("TLD", domain.substring(dot + 1));
        return params;
    }

    private Element call(String command, Map<String, String> params) {
        try {
            return client.call(command, params);
        } catch (NamecheapClient.Failure failure) {
            throw new DnsProviderException(failure.code(), failure.getMessage(), failure.retryable());
        }
    }

    private void requireConfigured() {
        if (!client.configured() || !client.missingSettings().isEmpty()) {
            throw new DnsProviderException("DNS_PROVIDER_NOT_CONFIGURED",
                    "Namecheap DNS is not configured: set " + String.join(", ", client.missingSettings()), false);
        }
    }
}
