package dev.outreach2day.domain;

import java.util.List;
import java.util.Optional;

/**
 * What {@link DnsServer} serves: the sandbox zone store seen as a read-only lookup. All names
 * are fully qualified, lower-case, without trailing dot ({@code _dmarc.example.com}); the
 * server lower-cases query names before asking. Implementations are called concurrently from
 * many (virtual) threads and must be thread-safe; an exception thrown here becomes a SERVFAIL
 * answer, never a crash.
 */
interface DnsRecordSource {

    /**
     * The records whose owner name equals {@code name} exactly (no wildcards), any type, in a
     * stable order. {@code type} is the upper-case mnemonic ({@code A}, {@code AAAA},
     * {@code MX}, {@code TXT}, {@code CNAME}, {@code NS}; other types are served from their
     * presentation-format rdata when dnsjava can parse it). SOA records are ignored: the server
     * synthesises one per zone apex. Empty when there are none.
     */
    List<DnsProvider.RecordSpec> recordsAt(String name);

    /**
     * The apex of the most specific zone this source is authoritative for that contains
     * {@code name} ({@code name} itself or one of its ancestors), or empty when the name is
     * outside every zone (the server then answers REFUSED).
     */
    Optional<String> zoneOf(String name);

    /**
     * Whether any record exists strictly below {@code name} ({@code x.name}, {@code y.x.name}).
     * Such a name without records of its own is an "empty non-terminal" (e.g.
     * {@code _domainkey.example.com} when only {@code s1._domainkey.example.com} has a TXT):
     * it exists, so the server answers NODATA rather than NXDOMAIN (RFC 8020), which matters
     * to resolvers that minimise query names. The default says no; stores should override.
     */
    default boolean hasNamesBelow(String name) {
        return false;
    }
}
