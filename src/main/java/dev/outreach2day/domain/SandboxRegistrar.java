package dev.outreach2day.domain;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The offline registrar of sandbox mode: any valid name under a TLD of the price list is
 * available unless a workspace of this server holds it (or has it in an unfinished order) or it
 * is reserved; second-level labels of {@code premiumMaxLength} characters or fewer are premium
 * at 100× the price. Registration always succeeds and lasts the years bought.
 */
@Component
class SandboxRegistrar implements Registrar {

    private static final String HELD = """
            SELECT name FROM domains WHERE name = ANY(:names) AND status <> 'removed'
            UNION
            SELECT domain FROM domain_order_items WHERE domain = ANY(:names) AND status = 'pending'
            """;

    private final Map<String, BigDecimal> prices = new HashMap<>();
    private final Set<String> reserved;
    private final int premiumMaxLength;
    private final String currency;
    private final JdbcClient jdbc;
    private final Clock clock;

    SandboxRegistrar(DomainProperties props, JdbcClient jdbc, Clock clock) {
        for (String entry : props.sandbox().tldPrices().split(",")) {
            String[] kv = entry.trim().split("=");
            if (kv.length != 2) {
                throw new IllegalStateException("O2D_SANDBOX_TLD_PRICES entries must look like com=10.98, got: " + entry);
            }
            prices.put(kv[0].trim().toLowerCase(), new BigDecimal(kv[1].trim()));
        }
        this.reserved = Set.of(props.sandbox().reserved().toLowerCase().split("\\s*,\\s*"));
        this.premiumMaxLength = props.sandbox().premiumMaxLength();
        this.currency = props.sandbox().currency();
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "sandbox";
    }

    @Override
    public List<Availability> check(List<String> domains) {
        Set<String> held = domains.isEmpty() ? Set.of() : jdbc.sql(HELD).param("names", domains.toArray(String[]::new))
                .query(String.class).list().stream().collect(Collectors.toSet());
        var out = new ArrayList<Availability>(domains.size());
        for (String d : domains) {
            BigDecimal price = prices.get(DomainNames.tld(d));
            if (price == null) {
                out.add(new Availability(d, AvailabilityStatus.unsupported_tld, null, currency,
                        "." + DomainNames.tld(d) + " is not sold here; supported: " + String.join(", ", prices.keySet().stream().sorted().toList())));
            } else if (d.split("\\.").length != 2) {
                out.add(new Availability(d, AvailabilityStatus.invalid, null, currency, "only second-level names can be registered"));
            } else if (held.contains(d) || reserved.contains(d)) {
                out.add(new Availability(d, AvailabilityStatus.taken, null, currency, "already registered"));
            } else if (DomainNames.secondLevel(d).length() <= premiumMaxLength) {
                out.add(new Availability(d, AvailabilityStatus.premium, price.multiply(BigDecimal.valueOf(100)), currency,
                        "premium name"));
            } else {
                out.add(new Availability(d, AvailabilityStatus.available, price, currency, null));
            }
        }
        return out;
    }

    @Override
    public Registration register(RegistrationRequest request) {
        BigDecimal price = prices.get(DomainNames.tld(request.domain()));
        if (price == null) {
            throw new RegistrarException("UNSUPPORTED_TLD", "." + DomainNames.tld(request.domain()) + " is not sold here", false);
        }
        return new Registration(request.domain(), "sbx-" + request.domain(),
                clock.instant().plus(365L * request.years(), ChronoUnit.DAYS),
                price.multiply(BigDecimal.valueOf(request.years())), currency);
    }
}
