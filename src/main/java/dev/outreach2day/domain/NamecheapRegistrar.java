package dev.outreach2day.domain;

import static dev.outreach2day.domain.NamecheapClient.attr;
import static dev.outreach2day.domain.NamecheapClient.blank;
import static dev.outreach2day.domain.NamecheapClient.isTrue;
import static dev.outreach2day.domain.NamecheapClient.lower;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.w3c.dom.Element;

/**
 * {@link Registrar} on Namecheap's XML API: {@code namecheap.domains.check} for availability,
 * {@code namecheap.users.getPricing} for the regular one-year price (cached per TLD for an hour),
 * {@code namecheap.domains.create} to register and {@code namecheap.domains.getInfo} to recognise a
 * domain the account already owns.
 *
 * <p>Prices are what Namecheap charges for the first year, in USD: the account's price plus the
 * ICANN fee it adds on top ({@code YourAdditonalCost}/{@code AdditionalCost} for regular names,
 * {@code IcannFee} and {@code EapFee} for premium ones).
 *
 * <p>Always constructible: when Namecheap is not configured every call throws
 * {@code REGISTRAR_NOT_CONFIGURED}; the active registrar is chosen by {@link #name()}.
 */
@Component
class NamecheapRegistrar implements Registrar {

    private static final Logger log = LoggerFactory.getLogger(NamecheapRegistrar.class);

    static final String NAME = "namecheap";
    static final String CURRENCY = "USD";
    static final Duration PRICE_TTL = Duration.ofHours(1);
    /** domains.check takes at most 50 names (error 2011169 beyond). */
    static final int CHECK_BATCH = 50;

    /** "TLD is not supported in API", "Validation error from TLD / TLD is invalid". */
    private static final Set<String> UNSUPPORTED_TLD_ERRORS = Set.of("2030280", "2011280");
    /** "Domain is invalid". */
    private static final Set<String> INVALID_DOMAIN_ERRORS = Set.of("2030166");

    private static final DateTimeFormatter NAMECHEAP_DATE = DateTimeFormatter.ofPattern("MM/dd/yyyy", Locale.ROOT);
    private static final Pattern NAMECHEAP_PHONE = Pattern.compile("\\+\\d{1,3}\\.\\d{4,}");

    private final NamecheapClient client;
    private final Clock clock;
    private final Map<String, CachedPrice> prices = new ConcurrentHashMap<>();

    @Autowired
    NamecheapRegistrar(DomainProperties properties) {
        this(new NamecheapClient(properties == null ? null : properties.namecheap()), Clock.systemUTC());
    }

    NamecheapRegistrar(NamecheapClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    // --- check ---------------------------------------------------------------------------------

    @Override
    public List<Availability> check(List<String> domains) {
        requireConfigured();
        if (domains == null || domains.isEmpty()) {
            return List.of();
        }
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(domains.stream().map(NamecheapClient::lower).toList()));
        Map<String, Availability> results = new LinkedHashMap<>();
        for (int from = 0; from < distinct.size(); from += CHECK_BATCH) {
            checkBatch(distinct.subList(from, Math.min(from + CHECK_BATCH, distinct.size())), results);
        }
        List<Availability> answer = new ArrayList<>(domains.size());
        for (String domain : domains) {
            answer.add(priced(results.get(lower(domain))));
        }
        return answer;
    }

    /** One domains.check call; a TLD or syntax refusal of the whole list is narrowed down to the names it concerns. */
    private void checkBatch(List<String> names, Map<String, Availability> results) {
        Element response;
        try {
            response = client.call("namecheap.domains.check", Map.of("DomainList", String.join(",", names)));
        } catch (NamecheapClient.Failure failure) {
            AvailabilityStatus status = statusFor(failure.number());
            if (status == null) {
                throw registrarException(failure);
            }
            Map<String, List<String>> byTld = new LinkedHashMap<>();
            names.forEach(name -> byTld.computeIfAbsent(tldOf(name), tld -> new ArrayList<>()).add(name));
            if (names.size() == 1 || (byTld.size() == 1 && status == AvailabilityStatus.unsupported_tld)) {
                // One name, or one TLD refused as a whole: the answer is about all of them.
                names.forEach(name -> results.put(name, new Availability(name, status, null, null, failure.text())));
                return;
            }
            if (byTld.size() > 1) {
                byTld.values().forEach(group -> checkBatch(group, results));
            } else {
                int half = names.size() / 2;
                checkBatch(names.subList(0, half), results);
                checkBatch(names.subList(half, names.size()), results);
            }
            return;
        }
        Map<String, Element> rows = new LinkedHashMap<>();
        for (var row : NamecheapClient.all(response, "DomainCheckResult")) {
            String domain = attr(row, "Domain");
            if (domain != null) {
                rows.put(lower(domain), row);
            }
        }
        for (String name : names) {
            var row = rows.get(name);
            results.put(name, row == null
                    ? new Availability(name, AvailabilityStatus.invalid, null, null, "Namecheap returned no result for this name")
                    : fromRow(name, row));
        }
    }

    private static Availability fromRow(String name, Element row) {
        String errorNo = attr(row, "ErrorNo");
        if (!blank(errorNo) && !"0".equals(errorNo.strip())) {
            String description = attr(row, "Description");
            AvailabilityStatus status = statusFor(errorNo.strip());
            if (status == null) {
                boolean aboutTld = description != null && description.toLowerCase(Locale.ROOT).contains("tld");
                status = aboutTld ? AvailabilityStatus.unsupported_tld : AvailabilityStatus.invalid;
            }
            return new Availability(name, status, null, null,
                    blank(description) ? "Namecheap error " + errorNo.strip() : description.strip());
        }
        if (!isTrue(attr(row, "Available"))) {
            return new Availability(name, AvailabilityStatus.taken, null, null, null);
        }
        if (isTrue(attr(row, "IsPremiumName"))) {
            String premiumPrice = attr(row, "PremiumRegistrationPrice");
            BigDecimal price = blank(premiumPrice) ? null
                    : decimal(premiumPrice).add(decimal(attr(row, "IcannFee"))).add(decimal(attr(row, "EapFee")));
            return new Availability(name, AvailabilityStatus.premium, price, price == null ? null : CURRENCY, null);
        }
        // Regular price filled in by priced(), from getPricing.
        return new Availability(name, AvailabilityStatus.available, null, null, null);
    }

    /** unsupported_tld / invalid for errors that concern a name, null for every other error. */
    private static AvailabilityStatus statusFor(String number) {
        if (number != null && UNSUPPORTED_TLD_ERRORS.contains(number)) {
            return AvailabilityStatus.unsupported_tld;
        }
        if (number != null && INVALID_DOMAIN_ERRORS.contains(number)) {
            return AvailabilityStatus.invalid;
        }
        return null;
    }

    private Availability priced(Availability availability) {
        if (availability.status() != AvailabilityStatus.available || availability.price() != null) {
            return availability;
        }
        String tld = tldOf(availability.domain());
        Optional<BigDecimal> price = registrationPrice(tld);
        if (price.isEmpty()) {
            return new Availability(availability.domain(), AvailabilityStatus.unsupported_tld, null, null,
                    "Namecheap does not sell ." + tld + " through its API");
        }
        return new Availability(availability.domain(), AvailabilityStatus.available, price.get(), CURRENCY, null);
    }

    /** The one-year registration price of a TLD (price + ICANN fee), cached for {@link #PRICE_TTL}; empty if not sold. */
    private Optional<BigDecimal> registrationPrice(String tld) {
        Instant now = clock.instant();
        CachedPrice cached = prices.get(tld);
        if (cached != null && now.isBefore(cached.fetchedAt().plus(PRICE_TTL))) {
            return cached.price();
        }
        Optional<BigDecimal> price;
        try {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("ProductType", "DOMAIN");
            params.put("ActionName", "REGISTER");
            params.put("ProductName", tld);
            price = parsePrice(client.call("namecheap.users.getPricing", params), tld);
        } catch (NamecheapClient.Failure failure) {
            if (failure.number() == null || !UNSUPPORTED_TLD_ERRORS.contains(failure.number())) {
                throw registrarException(failure);
            }
            price = Optional.empty();
        }
        prices.put(tld, new CachedPrice(price, now));
        return price;
    }

    private static Optional<BigDecimal> parsePrice(Element response, String tld) {
        for (var category : NamecheapClient.all(response, "ProductCategory")) {
            if (!"register".equalsIgnoreCase(String.valueOf(attr(category, "Name")))) {
                continue;
            }
            for (var product : NamecheapClient.children(category, "Product")) {
                if (!tld.equalsIgnoreCase(String.valueOf(attr(product, "Name")))) {
                    continue;
                }
                for (var price : NamecheapClient.children(product, "Price")) {
                    String durationType = attr(price, "DurationType");
                    if (!"1".equals(String.valueOf(attr(price, "Duration")).strip())
                            || (durationType != null && !"YEAR".equalsIgnoreCase(durationType.strip()))) {
                        continue;
                    }
                    String amount = firstPresent(price, "YourPrice", "Price", "RegularPrice");
                    if (amount == null) {
                        continue;
                    }
                    String fee = firstPresent(price, "YourAdditonalCost", "YourAdditionalCost", "AdditionalCost");
                    return Optional.of(decimal(amount).add(decimal(fee)));
                }
            }
        }
        return Optional.empty();
    }

    private static String firstPresent(Element element, String... names) {
        for (String name : names) {
            String value = attr(element, name);
            if (!blank(value)) {
                return value;
            }
        }
        return null;
    }

    // --- register ------------------------------------------------------------------------------

    @Override
    public Registration register(RegistrationRequest request) {
        requireConfigured();
        if (request == null || blank(request.domain()) || request.contact() == null) {
            throw new RegistrarException("NAMECHEAP_INVALID_REQUEST", "A registration needs a domain and a contact", false);
        }
        if (request.years() < 1 || request.years() > 10) {
            throw new RegistrarException("NAMECHEAP_INVALID_REQUEST",
                    "Namecheap registers for 1 to 10 years, not " + request.years(), false);
        }
        String domain = lower(request.domain());

        Map<String, String> params = new LinkedHashMap<>();
        params.put("DomainName", domain);
        params.put("Years", Integer.toString(request.years()));
        for (String prefix : List.of("Registrant", "Tech", "Admin", "AuxBilling")) {
            putContact(params, prefix, request.contact());
        }
        String privacy = request.whoisPrivacy() ? "yes" : "no";
        params.put("AddFreeWhoisguard", privacy);
        params.put("WGEnabled", privacy);
        if (request.nameservers() != null && !request.nameservers().isEmpty()) {
            params.put("Nameservers", String.join(",", request.nameservers().stream().map(NamecheapClient::lower).toList()));
        }

        Element response;
        try {
            response = client.call("namecheap.domains.create", params);
        } catch (NamecheapClient.Failure failure) {
            if (failure.number() != null) {
                // Whatever Namecheap calls it ("Domain not available", …): if this account owns the
                // name, an earlier attempt (maybe one whose answer was lost) registered it.
                Optional<Registration> owned = ownedRegistration(domain);
                if (owned.isPresent()) {
                    log.info("Namecheap: {} is already registered in this account; returning its registration", domain);
                    return owned.get();
                }
            }
            throw registrarException(failure);
        }

        var result = NamecheapClient.first(response, "DomainCreateResult");
        if (result == null) {
            throw new RegistrarException("NAMECHEAP_BAD_RESPONSE", "Namecheap's answer to domains.create has no DomainCreateResult", false);
        }
        if (!isTrue(attr(result, "Registered"))) {
            throw new RegistrarException("NAMECHEAP_NOT_REGISTERED", "Namecheap did not register " + domain, false);
        }
        String externalId = firstPresent(result, "OrderID", "TransactionID", "DomainID");
        Instant expiresAt = clock.instant().atZone(ZoneOffset.UTC).plusYears(request.years()).toInstant();
        BigDecimal charged = decimal(attr(result, "ChargedAmount"));
        log.info("Namecheap registered {} for {} year(s), order {}", domain, request.years(), externalId);
        return new Registration(domain, externalId, expiresAt, charged, CURRENCY);
    }

    /** The account's registration of {@code domain} per domains.getInfo, if this account owns it. */
    private Optional<Registration> ownedRegistration(String domain) {
        Element response;
        try {
            response = client.call("namecheap.domains.getInfo", Map.of("DomainName", domain));
        } catch (NamecheapClient.Failure failure) {
            if (failure.retryable()) {
                // Cannot tell whether the name is ours yet: let the caller try again.
                throw registrarException(failure);
            }
            return Optional.empty();
        }
        var info = NamecheapClient.first(response, "DomainGetInfoResult");
        if (info == null || !isTrue(attr(info, "IsOwner"))) {
            return Optional.empty();
        }
        String infoDomain = attr(info, "DomainName");
        if (infoDomain != null && !domain.equalsIgnoreCase(infoDomain.strip())) {
            return Optional.empty();
        }
        Instant expiresAt = null;
        var details = NamecheapClient.first(info, "DomainDetails");
        var expired = details == null ? null : NamecheapClient.first(details, "ExpiredDate");
        if (expired != null) {
            try {
                expiresAt = LocalDate.parse(expired.getTextContent().strip(), NAMECHEAP_DATE).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                log.warn("Namecheap: unreadable expiry date for {}", domain);
            }
        }
        return Optional.of(new Registration(domain, attr(info, "ID"), expiresAt, BigDecimal.ZERO, CURRENCY));
    }

    private static void putContact(Map<String, String> params, String prefix, ContactInfo contact) {
        put(params, prefix + "FirstName", contact.firstName());
        put(params, prefix + "LastName", contact.lastName());
        put(params, prefix + "OrganizationName", contact.organization());
        put(params, prefix + "Address1", contact.address1());
        put(params, prefix + "Address2", contact.address2());
        put(params, prefix + "City", contact.city());
        put(params, prefix + "StateProvince", contact.stateProvince());
        put(params, prefix + "PostalCode", contact.postalCode());
        put(params, prefix + "Country", contact.country() == null ? null : contact.country().strip().toUpperCase(Locale.ROOT));
        put(params, prefix + "Phone", namecheapPhone(contact.phone()));
        put(params, prefix + "EmailAddress", contact.email());
    }

    private static void put(Map<String, String> params, String name, String value) {
        if (!blank(value)) {
            params.put(name, value.strip());
        }
    }

    /**
     * A phone number in Namecheap's {@code +NNN.NNNNNNNNNN} form. International numbers written any
     * usual way ({@code +1 (661) 310-2107}, {@code 0044 20 7946 0958}) are converted; the country
     * code is found from the E.164 numbering plan (country codes are prefix-free). Numbers without
     * an international prefix are sent as given, for Namecheap to judge.
     */
    static String namecheapPhone(String phone) {
        if (blank(phone)) {
            return phone;
        }
        String value = phone.strip();
        if (NAMECHEAP_PHONE.matcher(value).matches()) {
            return value;
        }
        String digits;
        if (value.startsWith("+")) {
            digits = value.substring(1).replaceAll("[^0-9]", "");
        } else if (value.startsWith("00")) {
            digits = value.substring(2).replaceAll("[^0-9]", "");
        } else {
            return value;
        }
        int ccLength = countryCodeLength(digits);
        if (digits.length() <= ccLength) {
            return value;
        }
        return "+" + digits.substring(0, ccLength) + "." + digits.substring(ccLength);
    }

    /** Length of the E.164 country code at the start of {@code digits}: 1 for zones 1 and 7, 2 for the listed codes, else 3. */
    private static int countryCodeLength(String digits) {
        if (digits.startsWith("1") || digits.startsWith("7")) {
            return 1;
        }
        if (digits.length() < 2) {
            return digits.length();
        }
        return TWO_DIGIT_COUNTRY_CODES.contains(digits.substring(0, 2)) ? 2 : 3;
    }

    private static final Set<String> TWO_DIGIT_COUNTRY_CODES = Set.of(
            "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
            "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
            "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98");

    // --- helpers -------------------------------------------------------------------------------

    private void requireConfigured() {
        if (!client.configured() || !client.missingSettings().isEmpty()) {
            throw new RegistrarException("REGISTRAR_NOT_CONFIGURED",
                    "The Namecheap registrar is not configured: set " + String.join(", ", client.missingSettings()), false);
        }
    }

    private static RegistrarException registrarException(NamecheapClient.Failure failure) {
        return new RegistrarException(failure.code(), failure.getMessage(), failure.retryable());
    }

    /** Everything after the first label: the registrable domain's public suffix ({@code co.uk} for {@code x.co.uk}). */
    static String tldOf(String domain) {
        int dot = domain.indexOf('.');
        return dot < 0 ? domain : domain.substring(dot + 1);
    }

    private static BigDecimal decimal(String value) {
        if (blank(value)) {
            return BigDecimal.ZERO;
        }
        try {
            return new BigDecimal(value.strip());
        } catch (NumberFormatException e) {
            return BigDecimal.ZERO;
        }
    }

    private record CachedPrice(Optional<BigDecimal> price, Instant fetchedAt) {}
}
