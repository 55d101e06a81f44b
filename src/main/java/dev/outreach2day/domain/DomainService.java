package dev.outreach2day.domain;

import dev.outreach2day.domain.DnsProvider.RecordSpec;
import dev.outreach2day.domain.DomainRepository.DomainRow;
import dev.outreach2day.domain.DomainRepository.RecordRow;
import dev.outreach2day.domain.ManagedRecords.Managed;
import dev.outreach2day.domain.Registrar.Availability;
import dev.outreach2day.domain.Registrar.AvailabilityStatus;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.platform.SecretVault;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * Domains of a workspace: connecting, provisioning (DKIM key, managed records, DNS zone),
 * records the user edits, redirects, and live verification. Purchases are in
 * {@link DomainOrders}; they provision through {@link #provision}.
 */
@Service
class DomainService {

    private static final Logger log = LoggerFactory.getLogger(DomainService.class);
    static final int MAX_PER_CALL = 50;
    private static final DateTimeFormatter SELECTOR_MONTH = DateTimeFormatter.ofPattern("yyyyMM").withZone(ZoneOffset.UTC);

    private final DomainRepository domains;
    private final DomainProviders providers;
    private final DomainProperties props;
    private final SecretVault vault;
    private final TransactionTemplate tx;
    private final LiveDnsFactory liveDns;
    private final ObjectMapper json;
    private final Clock clock;
    private final HostRedirectFilter redirects;

    DomainService(DomainRepository domains, DomainProviders providers, DomainProperties props, SecretVault vault,
            TransactionTemplate tx, LiveDnsFactory liveDns, ObjectMapper json, Clock clock, HostRedirectFilter redirects) {
        this.redirects = redirects;
        this.domains = domains;
        this.providers = providers;
        this.props = props;
        this.vault = vault;
        this.tx = tx;
        this.liveDns = liveDns;
        this.json = json;
        this.clock = clock;
    }

    // ---- input hygiene shared by every endpoint that takes a list of names ----

    /**
     * Normalises a list of names for an endpoint that must act on all of them: any invalid name,
     * a duplicate (after normalisation) or more than 50 is a 422 naming the entry.
     */
    static List<String> requireNames(List<String> input, String field) {
        if (input == null || input.isEmpty()) {
            throw ApiException.Invalid.body("at least one domain is required", "too_short", field);
        }
        if (input.size() > MAX_PER_CALL) {
            throw ApiException.Invalid.body("at most " + MAX_PER_CALL + " domains per call", "too_long", field);
        }
        var problems = new ArrayList<ApiException.FieldProblem>();
        var out = new ArrayList<String>();
        for (int i = 0; i < input.size(); i++) {
            switch (DomainNames.normalize(input.get(i))) {
                case DomainNames.Valid v when out.contains(v.ascii()) -> problems.add(ApiException.FieldProblem.at("body",
                        "duplicate domain " + v.ascii(), "value_error", field, i));
                case DomainNames.Valid v -> out.add(v.ascii());
                case DomainNames.Invalid bad -> problems.add(ApiException.FieldProblem.at("body",
                        "invalid domain name: " + bad.reason(), "value_error", field, i));
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException.Invalid(problems);
        }
        return out;
    }

    /** Availability for up to 50 names; invalid names are reported as {@code invalid}, not refused. */
    List<Availability> check(long workspaceId, List<String> input) {
        if (input == null || input.isEmpty()) {
            throw ApiException.Invalid.body("at least one domain is required", "too_short", "domains");
        }
        if (input.size() > MAX_PER_CALL) {
            throw ApiException.Invalid.body("at most " + MAX_PER_CALL + " domains per call", "too_long", "domains");
        }
        var results = new LinkedHashMap<Integer, Availability>();
        var valid = new ArrayList<String>();
        var seen = new ArrayList<String>();
        for (int i = 0; i < input.size(); i++) {
            switch (DomainNames.normalize(input.get(i))) {
                case DomainNames.Valid v when seen.contains(v.ascii()) -> throw new ApiException.Invalid(
                        ApiException.FieldProblem.at("body", "duplicate domain " + v.ascii(), "value_error", "domains", i));
                case DomainNames.Valid v -> {
                    seen.add(v.ascii());
                    valid.add(v.ascii());
                    results.put(i, null);
                }
                case DomainNames.Invalid bad -> results.put(i, new Availability(String.valueOf(input.get(i)),
                        AvailabilityStatus.invalid, null, null, bad.reason()));
            }
        }
        List<Availability> checked = valid.isEmpty() ? List.of() : providers.registrar().check(valid);
        var byName = new LinkedHashMap<String, Availability>();
        checked.forEach(a -> byName.put(a.domain(), a));
        var out = new ArrayList<Availability>();
        int v = 0;
        for (var e : results.entrySet()) {
            out.add(e.getValue() != null ? e.getValue() : byName.get(valid.get(v++)));
        }
        return out;
    }

    // ---- provisioning ----

    /** What to provision: a name the workspace now holds, and where it came from. */
    record Provision(long workspaceId, String name, String source, String registrar, String orderId, Instant expiresAt,
            String redirectUrl) {}

    /**
     * Creates the domain with a fresh DKIM key, its managed records and its DNS zone, in one
     * transaction (a provider failure leaves nothing behind), then verifies it live.
     */
    DomainRow provision(Provision p) {
        DomainRow row = tx.execute(status -> {
            DnsProvider dns = providers.dns();
            DnsProvider.Zone zone = dns.ensureZone(p.name());
            DkimKeys.Pair keys = DkimKeys.generate();
            String id = Ids.next("dom", clock.millis());
            String selector = "o2d" + SELECTOR_MONTH.format(clock.instant());
            var domain = new DomainRow(p.workspaceId(), id, p.name(), p.source().equals("connected") ? "pending" : "active",
                    p.source(), p.registrar(), dns.name(), zone.id(), zone.nameservers(), p.redirectUrl(), selector,
                    vault.encrypt(keys.privateKeyPkcs8(), "dkim:" + p.name()), keys.publicKeyBase64(), "none", "{}", null,
                    null, p.orderId(), p.expiresAt(), clock.instant());
            domains.insert(domain);
            for (Managed m : managed(domain)) {
                domains.insertRecord(p.workspaceId(), id, m.spec(), true, m.purpose());
            }
            syncZone(domain, zone);
            return domain;
        });
        verify(row);
        return domains.findByName(p.workspaceId(), p.name()).orElseThrow();
    }

    List<Managed> managed(DomainRow d) {
        return ManagedRecords.of(d.name(), d.dkimSelector(), d.dkimPublicKey(), d.dmarcPolicy(), props.records());
    }

    /** Pushes the domain's whole desired record set (managed + user) to its DNS provider. */
    private void syncZone(DomainRow d, DnsProvider.Zone zone) {
        DnsProvider dns = providers.dns(d.dnsProvider());
        List<RecordSpec> desired = domains.records(d.workspaceId(), d.id()).stream().map(RecordRow::spec).toList();
        try {
            dns.syncRecords(zone, desired);
        } catch (DnsProvider.DnsProviderException e) {
            throw new ApiException.Unavailable("DNS_PROVIDER_ERROR", "The DNS provider refused the change: " + e.getMessage());
        }
        domains.setSynced(d.workspaceId(), d.id(), zone.id(), zone.nameservers());
    }

    private DnsProvider.Zone zoneOf(DomainRow d) {
        return new DnsProvider.Zone(d.dnsZoneId() == null ? d.name() : d.dnsZoneId(), d.name(), d.nameservers());
    }

    /** Connects names the workspace already owns elsewhere: DNS zone, managed records, nameservers to set. */
    List<DomainRow> connect(long workspaceId, List<String> input, String redirect) {
        List<String> names = requireNames(input, "domains");
        String redirectUrl = Redirects.normalizeTarget(redirect, "redirectDomain");
        requireNotHeld(workspaceId, names);
        var out = new ArrayList<DomainRow>();
        for (String name : names) {
            try {
                out.add(provision(new Provision(workspaceId, name, "connected", "external", null, null, redirectUrl)));
            } catch (org.springframework.dao.DuplicateKeyException raced) {
                throw new ApiException.Conflict("DOMAIN_TAKEN", name + " is already held by a workspace");
            }
        }
        return out;
    }

    /** 409 when another workspace holds a name, or this one already does. */
    void requireNotHeld(long workspaceId, List<String> names) {
        List<String> elsewhere = domains.heldElsewhere(workspaceId, names);
        if (!elsewhere.isEmpty()) {
            throw new ApiException.Conflict("DOMAIN_TAKEN", "Held by another workspace: " + String.join(", ", elsewhere));
        }
        List<String> here = domains.heldHere(workspaceId, names);
        if (!here.isEmpty()) {
            throw new ApiException.Conflict("DOMAIN_EXISTS", "Already in this workspace: " + String.join(", ", here));
        }
    }

    List<DomainRow> list(long workspaceId) {
        return domains.list(workspaceId);
    }

    DomainRow get(long workspaceId, String input) {
        return switch (DomainNames.normalize(input)) {
            case DomainNames.Valid v -> domains.findByName(workspaceId, v.ascii())
                    .orElseThrow(() -> new ApiException.NotFound("Domain " + v.ascii()));
            case DomainNames.Invalid bad -> throw new ApiException.NotFound("Domain " + input);
        };
    }

    List<RecordRow> records(long workspaceId, String domain) {
        DomainRow d = get(workspaceId, domain);
        return domains.records(workspaceId, d.id());
    }

    /** Applies the user's record changes after validating all of them; then syncs and re-verifies. */
    List<RecordRow> updateRecords(long workspaceId, String domain, List<RecordEdits.Edit> edits) {
        DomainRow d = get(workspaceId, domain);
        tx.executeWithoutResult(status -> {
            List<RecordRow> current = domains.records(workspaceId, d.id());
            var plan = RecordEdits.validate(d.name(), current, edits, props.records().ttl());
            for (var change : plan) {
                switch (change) {
                    case RecordEdits.Create c -> domains.insertRecord(workspaceId, d.id(), c.spec(), false, null);
                    case RecordEdits.Update u -> domains.updateRecord(workspaceId, d.id(), u.id(), u.spec());
                    case RecordEdits.Delete del -> domains.deleteRecord(workspaceId, d.id(), del.id());
                }
            }
            syncZone(d, zoneOf(d));
        });
        verify(domains.findByName(workspaceId, d.name()).orElseThrow());
        return domains.records(workspaceId, d.id());
    }

    /** Sets (or clears, with null) the redirect of several domains at once: all exist or none changes. */
    List<DomainRow> setRedirects(long workspaceId, List<String> input, String redirect) {
        List<String> names = requireNames(input, "domains");
        String target = Redirects.normalizeTarget(redirect, "redirectDomain");
        return tx.execute(status -> {
            List<String> here = domains.heldHere(workspaceId, names);
            var unknown = names.stream().filter(n -> !here.contains(n)).toList();
            if (!unknown.isEmpty()) {
                throw new ApiException.NotFound("Domain " + String.join(", ", unknown));
            }
            for (String n : names) {
                if (target != null && Redirects.hostOf(target).equals(n)) {
                    throw ApiException.Invalid.body("a domain cannot redirect to itself: " + n, "value_error", "redirectDomain");
                }
            }
            domains.setRedirect(workspaceId, names, target);
            names.forEach(redirects::evict);
            return names.stream().map(n -> domains.findByName(workspaceId, n).orElseThrow()).toList();
        });
    }

    // ---- verification ----

    /** Checks the domain in live DNS and stores the result; a connected domain becomes active once all is ok. */
    Map<String, DnsVerifier.Check> verify(DomainRow d) {
        Map<String, DnsVerifier.Check> checks;
        String error = null;
        try {
            checks = DnsVerifier.verify(liveDns.get(), d.name(), managed(d));
        } catch (RuntimeException e) {
            log.warn("DNS verification of {} failed: {}", d.name(), e.getMessage());
            checks = Map.of();
            error = e.getMessage();
        }
        domains.setDnsStatus(d.workspaceId(), d.id(), json.writeValueAsString(checks), clock.instant(), error);
        if (d.status().equals("pending") && DnsVerifier.allOk(checks)) {
            domains.setStatus(d.workspaceId(), d.id(), "active");
        }
        return checks;
    }

    /**
     * Moves DMARC from p=none to p=quarantine once the domain has been verified for long
     * enough (the usual "monitor first, then enforce" path), and re-syncs the record.
     */
    void tightenDmarcIfDue(DomainRow d) {
        if (!d.dmarcPolicy().equals("none") || !d.status().equals("active")
                || d.createdAt().plus(props.records().dmarcTightenAfter()).isAfter(clock.instant())) {
            return;
        }
        tx.executeWithoutResult(status -> {
            domains.setDmarcPolicy(d.workspaceId(), d.id(), "quarantine");
            DomainRow updated = domains.findByName(d.workspaceId(), d.name()).orElseThrow();
            domains.deleteManaged(d.workspaceId(), d.id());
            for (Managed m : managed(updated)) {
                domains.insertRecord(d.workspaceId(), d.id(), m.spec(), true, m.purpose());
            }
            syncZone(updated, zoneOf(updated));
        });
    }

    Optional<String> dkimPrivateKey(DomainRow d) {
        return Optional.of(vault.decrypt(d.dkimPrivateKey(), "dkim:" + d.name()));
    }
}
