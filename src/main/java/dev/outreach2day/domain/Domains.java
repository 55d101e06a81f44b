package dev.outreach2day.domain;

import java.util.Optional;
import org.springframework.stereotype.Component;

/** The domain module's facade for other modules. */
@Component
public class Domains {

    private final DomainRepository repository;
    private final LiveDnsFactory liveDns;
    private final tools.jackson.databind.ObjectMapper json;

    private final dev.outreach2day.platform.SecretVault vault;

    Domains(DomainRepository repository, LiveDnsFactory liveDns, tools.jackson.databind.ObjectMapper json,
            dev.outreach2day.platform.SecretVault vault) {
        this.vault = vault;
        this.repository = repository;
        this.liveDns = liveDns;
        this.json = json;
    }

    /**
     * SPF, DKIM, DMARC and MX of a sending domain: for a domain of the workspace, its last live
     * verification against the managed records (ok, missing, mismatch); for any other domain
     * (a connected smtp mailbox elsewhere), a live lookup of whether each record exists (DKIM is
     * "unknown" without its selector).
     */
    public record AuthStatus(String domain, boolean managed, String spf, String dkim, String dmarc, String mx,
            java.time.Instant checkedAt, java.util.Map<String, Object> details) {}

    public AuthStatus authStatus(long workspaceId, String domain) {
        var held = repository.findByName(workspaceId, domain);
        if (held.isPresent()) {
            var node = json.readTree(held.get().dnsStatusJson() == null ? "{}" : held.get().dnsStatusJson());
            java.util.function.Function<String, String> status = k -> node.path(k).path("status").asString("unknown");
            var details = new java.util.LinkedHashMap<String, Object>();
            for (String k : java.util.List.of("spf", "dkim", "dmarc", "mx")) {
                if (node.has(k)) details.put(k, json.convertValue(node.get(k), java.util.Map.class));
            }
            return new AuthStatus(domain, true, status.apply("spf"), status.apply("dkim"), status.apply("dmarc"),
                    status.apply("mx"), held.get().dnsCheckedAt(), details);
        }
        LiveDns dns = liveDns.get();
        String spf = presence(() -> dns.txt(domain).stream().anyMatch(t -> t.toLowerCase().startsWith("v=spf1")));
        String dmarc = presence(() -> dns.txt("_dmarc." + domain).stream().anyMatch(t -> t.toLowerCase().startsWith("v=dmarc1")));
        String mx = presence(() -> !dns.mx(domain).isEmpty());
        return new AuthStatus(domain, false, spf, "unknown", dmarc, mx, java.time.Instant.now(), java.util.Map.of());
    }

    private static String presence(java.util.function.BooleanSupplier lookup) {
        try {
            return lookup.getAsBoolean() ? "ok" : "missing";
        } catch (LiveDns.LookupFailed e) {
            return "error";
        }
    }

    /** A domain's DKIM signing key, for the sending engine. */
    public record DkimKey(String domain, String selector, java.security.interfaces.RSAPrivateKey key) {
        @Override
        public String toString() {
            return "DkimKey[" + selector + "._domainkey." + domain + "]";
        }
    }

    /** The signing key of a domain the workspace holds; empty for other domains (their provider signs). */
    public Optional<DkimKey> dkimKey(long workspaceId, String domain) {
        return repository.findByName(workspaceId, domain).map(d -> new DkimKey(d.name(), d.dkimSelector(),
                (java.security.interfaces.RSAPrivateKey) DkimKeys.privateKey(vault.decrypt(d.dkimPrivateKey(), "dkim:" + d.name()))));
    }

    /** True when the workspace holds {@code domain} (ASCII, lower case) and it is active. */
    public boolean isActive(long workspaceId, String domain) {
        return repository.findByName(workspaceId, domain).map(d -> d.status().equals("active")).orElse(false);
    }

    /** The ASCII form of a user-given domain name, or empty when it is not one. */
    public static Optional<String> normalize(String name) {
        return DomainNames.normalize(name) instanceof DomainNames.Valid v ? Optional.of(v.ascii()) : Optional.empty();
    }
}
