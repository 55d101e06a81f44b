package dev.outreach2day.domain;

import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Chooses the active registrar, DNS provider and transfer provider from configuration: the
 * named one, or the real one whose credentials are set, or the sandbox.
 */
@Component
class DomainProviders {

    private final Registrar registrar;
    private final DnsProvider dns;
    private final TransferProvider transfers;
    private final List<DnsProvider> allDns;

    DomainProviders(DomainProperties props, List<Registrar> registrars, List<DnsProvider> dnsProviders,
            List<TransferProvider> transferProviders) {
        String registrarName = pick(props.registrar(), props.namecheap().configured() ? "namecheap" : "sandbox");
        String dnsName = pick(props.dnsProvider(), props.cloudflare().configured() ? "cloudflare" : "sandbox");
        String transferName = props.cloudflare().configured() ? "cloudflare" : "sandbox";
        this.registrar = registrars.stream().filter(r -> r.name().equals(registrarName)).findFirst()
                .orElseThrow(() -> new IllegalStateException("O2D_REGISTRAR=" + registrarName + " is not available"));
        this.dns = dnsProviders.stream().filter(d -> d.name().equals(dnsName)).findFirst()
                .orElseThrow(() -> new IllegalStateException("O2D_DNS_PROVIDER=" + dnsName + " is not available"));
        this.transfers = transferProviders.stream().filter(t -> t.name().equals(transferName)).findFirst()
                .orElseThrow(() -> new IllegalStateException("transfer provider " + transferName + " is not available"));
        this.allDns = dnsProviders;
    }

    private static String pick(String configured, String fallback) {
        return configured == null || configured.isBlank() ? fallback : configured.trim().toLowerCase();
    }

    Registrar registrar() {
        return registrar;
    }

    DnsProvider dns() {
        return dns;
    }

    /** The provider a domain's zone was created with (it may differ from today's default). */
    DnsProvider dns(String name) {
        return allDns.stream().filter(d -> d.name().equals(name)).findFirst().orElse(dns);
    }

    TransferProvider transfers() {
        return transfers;
    }
}
