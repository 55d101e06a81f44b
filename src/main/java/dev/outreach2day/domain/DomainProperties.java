package dev.outreach2day.domain;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Settings of the domain capability; each is an {@code O2D_…} variable in application.yml. */
@Validated
@ConfigurationProperties(prefix = "o2d.domains")
record DomainProperties(
        /** sandbox | namecheap; empty = namecheap when its API key is set, else sandbox. */
        String registrar,
        /** sandbox | cloudflare | namecheap; empty = cloudflare when its token is set, else sandbox. */
        String dnsProvider,
        @Valid @NotNull Sandbox sandbox,
        @Valid @NotNull Namecheap namecheap,
        @Valid @NotNull Cloudflare cloudflare,
        @Valid @NotNull Records records,
        @Valid @NotNull Dns dns,
        @Valid @NotNull Transfer transfer) {

    /**
     * @param tldPrices    "com=10.98,net=12.98,…": the TLDs the sandbox registrar sells, with one-year prices
     * @param reserved     comma-separated names that are always taken
     * @param premiumMaxLength second-level labels this short or shorter are premium
     */
    record Sandbox(String tldPrices, String reserved, @Min(1) int premiumMaxLength, String currency) {}

    /** Namecheap XML API; enabled when apiKey is set. */
    record Namecheap(String apiUrl, String apiUser, String apiKey, String username, String clientIp) {
        boolean configured() {
            return apiKey != null && !apiKey.isBlank();
        }
    }

    /** Cloudflare v4 API with an API token; enabled when apiToken is set. */
    record Cloudflare(String apiUrl, String apiToken, String accountId) {
        boolean configured() {
            return apiToken != null && !apiToken.isBlank();
        }
    }

    /**
     * What the managed records point at.
     *
     * @param serverIp    IPv4 of the mail/web server: the A records of the domain (redirect) and mail host
     * @param spfInclude  optional extra "include:" for SPF (e.g. a relay provider)
     * @param dmarcRua    rua mailbox; "{domain}" is replaced by the domain
     * @param dmarcTightenAfter after this long at p=none the DMARC policy becomes p=quarantine
     */
    record Records(@NotNull String serverIp, String spfInclude, @NotNull String dmarcRua, @NotNull Duration dmarcTightenAfter,
            @Min(60) int ttl) {}

    /**
     * Live DNS verification.
     *
     * @param resolver   "host:port" of the resolver to ask; empty = the built-in DNS server in sandbox
     *                   mode, the system's resolvers in production
     * @param serverPort UDP/TCP port of the built-in DNS server (sandbox; 0 = any free port)
     */
    record Dns(String resolver, @Min(0) int serverPort, @NotNull Duration checkInterval, @NotNull Duration timeout) {}

    /** Sandbox transfer simulation: how long each state lasts, and the price of a transfer. */
    record Transfer(@NotNull Duration stepDuration, @NotNull String price) {}
}
