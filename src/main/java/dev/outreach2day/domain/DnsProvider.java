package dev.outreach2day.domain;

import java.util.List;

/**
 * Port: where a domain's DNS zone lives. Implementations: {@code sandbox} (this server's own
 * zone store, served by its built-in DNS server), {@code cloudflare} (v4 API) and
 * {@code namecheap} (registrar DNS via domains.dns.setHosts).
 */
interface DnsProvider {

    /** {@code sandbox}, {@code cloudflare} or {@code namecheap}. */
    String name();

    /** Creates the zone if needed; returns its id and the nameservers the domain must delegate to. */
    Zone ensureZone(String domain);

    /**
     * Makes the zone's records equal to {@code records}: creates what is missing, updates what
     * differs, deletes records this server created earlier that are no longer wanted. Records
     * the provider has that this server never created are left alone.
     *
     * @throws DnsProviderException when the provider refuses or is unreachable
     */
    void syncRecords(Zone zone, List<RecordSpec> records);

    record Zone(String id, String domain, List<String> nameservers) {}

    /**
     * One record. {@code name} is the fully qualified owner name without trailing dot
     * ({@code _dmarc.example.com}); {@code value} for TXT is the unquoted text, for MX and CNAME
     * the target host without trailing dot; {@code priority} only for MX.
     */
    record RecordSpec(String type, String name, String value, int ttl, Integer priority) {}

    final class DnsProviderException extends RuntimeException {
        private final String code;
        private final boolean retryable;

        DnsProviderException(String code, String message, boolean retryable) {
            super(message);
            this.code = code;
            this.retryable = retryable;
        }

        String code() {
            return code;
        }

        boolean retryable() {
            return retryable;
        }
    }
}
