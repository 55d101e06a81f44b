package dev.outreach2day.domain;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The sandbox DNS provider: zones kept in this server's database ({@code sandbox_dns_*}) and
 * answered over real DNS by the built-in {@link DnsServer}. It is also that server's
 * {@link DnsRecordSource}. Its nameservers are this server's own.
 */
@Component
class SandboxDnsProvider implements DnsProvider, DnsRecordSource {

    static final List<String> NAMESERVERS = List.of("ns1.outreach2day.sandbox", "ns2.outreach2day.sandbox");

    private static final String ENSURE_ZONE = "INSERT INTO sandbox_dns_zones (zone) VALUES (:zone) ON CONFLICT DO NOTHING";
    private static final String CLEAR = "DELETE FROM sandbox_dns_records WHERE zone = :zone";
    private static final String INSERT = """
            INSERT INTO sandbox_dns_records (zone, name, type, value, ttl, priority)
            VALUES (:zone, :name, :type, :value, :ttl, :priority)
            """;
    private static final String AT = "SELECT type, name, value, ttl, priority FROM sandbox_dns_records WHERE name = :name";
    /** The longest zone that is a suffix of the name: the zone authoritative for it. */
    private static final String ZONE_OF = """
            SELECT zone FROM sandbox_dns_zones
             WHERE :name = zone OR :name LIKE '%.' || zone
             ORDER BY length(zone) DESC LIMIT 1
            """;

    private final JdbcClient jdbc;

    SandboxDnsProvider(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String name() {
        return "sandbox";
    }

    @Override
    public Zone ensureZone(String domain) {
        jdbc.sql(ENSURE_ZONE).param("zone", domain).update();
        return new Zone(domain, domain, NAMESERVERS);
    }

    /** The zone store holds exactly what this server publishes, so a sync replaces it whole. */
    @Override
    @Transactional
    public void syncRecords(Zone zone, List<RecordSpec> records) {
        jdbc.sql(ENSURE_ZONE).param("zone", zone.domain()).update();
        jdbc.sql(CLEAR).param("zone", zone.domain()).update();
        // The delegation itself: NS at the apex, as a real provider's zone has (and the SOA's primary server).
        var all = new java.util.ArrayList<RecordSpec>(records);
        for (String ns : NAMESERVERS) {
            all.add(new RecordSpec("NS", zone.domain(), ns, 86_400, null));
        }
        for (RecordSpec r : all) {
            jdbc.sql(INSERT).param("zone", zone.domain()).param("name", r.name()).param("type", r.type())
                    .param("value", r.value()).param("ttl", r.ttl()).param("priority", r.priority()).update();
        }
    }

    @Override
    public List<RecordSpec> recordsAt(String name) {
        return jdbc.sql(AT).param("name", name.toLowerCase())
                .query((rs, n) -> new RecordSpec(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        (Integer) rs.getObject(5)))
                .list();
    }

    private static final String NAMES_BELOW = """
            SELECT EXISTS (SELECT 1 FROM sandbox_dns_records WHERE name LIKE '%.' || :name)
            """;

    @Override
    public boolean hasNamesBelow(String name) {
        return Boolean.TRUE.equals(jdbc.sql(NAMES_BELOW).param("name", name.toLowerCase()).query(Boolean.class).single());
    }

    @Override
    public Optional<String> zoneOf(String name) {
        return jdbc.sql(ZONE_OF).param("name", name.toLowerCase()).query(String.class).optional();
    }
}
