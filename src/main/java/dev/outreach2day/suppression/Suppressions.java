package dev.outreach2day.suppression;

import dev.outreach2day.campaign.SuppressionCheck;
import dev.outreach2day.contact.ImportSuppression;
import dev.outreach2day.platform.EmailAddresses;
import dev.outreach2day.platform.Ids;
import java.net.IDN;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The suppression list: addresses and whole domains never mailed, workspace-wide or for one
 * campaign. It is what the import, the launch and the send checks ask (their ports), and what
 * unsubscribes and hard bounces add to by themselves.
 */
@Component
class Suppressions implements SuppressionCheck, ImportSuppression {

    /** A parsed entry value: an address, or a domain ({@code @example.com}, IDN as punycode). */
    record Value(String kind, String value) {}

    private final SuppressionStore store;
    private final Clock clock;

    Suppressions(SuppressionStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** {@code x@y.com} → an address; {@code @y.com} (or {@code y.com}) → a domain; empty when it is neither. */
    static Optional<Value> parse(String raw) {
        if (raw == null) return Optional.empty();
        String v = raw.strip();
        if (v.startsWith("@") || (!v.contains("@") && v.contains("."))) {
            String d = v.startsWith("@") ? v.substring(1) : v;
            try {
                String ascii = IDN.toASCII(d, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
                if (ascii.isEmpty() || !ascii.contains(".") || ascii.length() > 253 || ascii.startsWith(".") || ascii.endsWith(".")) {
                    return Optional.empty();
                }
                return Optional.of(new Value("domain", ascii));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return EmailAddresses.normalize(v).map(e -> new Value("email", e));
    }

    /** Adds or updates an entry; true when it is new. */
    boolean add(long ws, Value v, String campaignId, String reason, String source) {
        return store.upsert(ws, Ids.next("sup", clock.millis()), v.kind(), v.value(), campaignId, reason, source, clock.instant());
    }

    /** Every entry that matches the address (its own, or its domain's), for the campaign or workspace-wide. */
    List<SuppressionStore.Entry> matches(long ws, String campaignId, String email) {
        return EmailAddresses.normalize(email).map(e -> store.matching(ws, campaignId, List.of(e), List.of(EmailAddresses.domainOf(e))))
                .orElse(List.of());
    }

    @Override
    public Set<String> suppressed(long workspaceId, String campaignId, Collection<String> emails) {
        var normalised = new HashMap<String, String>(); // normalised → as given
        for (String e : emails) EmailAddresses.normalize(e).ifPresent(n -> normalised.putIfAbsent(n, e));
        if (normalised.isEmpty()) return Set.of();
        var domains = new HashSet<String>();
        for (String n : normalised.keySet()) domains.add(EmailAddresses.domainOf(n));
        var hits = store.matching(workspaceId, campaignId, normalised.keySet(), domains);
        if (hits.isEmpty()) return Set.of();
        var blockedEmails = new HashSet<String>();
        var blockedDomains = new HashSet<String>();
        for (var h : hits) (h.kind().equals("email") ? blockedEmails : blockedDomains).add(h.value());
        var out = new HashSet<String>();
        for (Map.Entry<String, String> e : normalised.entrySet()) {
            if (blockedEmails.contains(e.getKey()) || blockedDomains.contains(EmailAddresses.domainOf(e.getKey()))) {
                out.add(e.getValue());
                out.add(e.getKey());
            }
        }
        return out;
    }

    Instant now() {
        return clock.instant();
    }
}
