package dev.outreach2day.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Port: where domains are checked and registered. Implementations: {@code sandbox} (default,
 * offline) and {@code namecheap} (Namecheap's XML API). Domain names are lower-case ASCII
 * (IDNs already in punycode) and syntactically valid when they reach a registrar.
 */
interface Registrar {

    /** {@code sandbox} or {@code namecheap}. */
    String name();

    /** Availability and one-year price of each name, in the order given (at most 50). */
    List<Availability> check(List<String> domains);

    /**
     * Registers one domain. Idempotent from the caller's side: registering a domain this
     * registrar account already owns returns its registration instead of failing.
     *
     * @throws RegistrarException with {@code retryable} true for timeouts, 5xx and rate limits
     */
    Registration register(RegistrationRequest request);

    enum AvailabilityStatus { available, taken, invalid, unsupported_tld, premium }

    record Availability(String domain, AvailabilityStatus status, BigDecimal price, String currency, String detail) {}

    /** Who registers the domain (WHOIS contact), as the seed's DomainPurchaseContactInfo. */
    record ContactInfo(String firstName, String lastName, String organization, String email, String phone,
            String address1, String address2, String city, String stateProvince, String postalCode, String country) {}

    record RegistrationRequest(String domain, int years, ContactInfo contact, boolean whoisPrivacy, List<String> nameservers) {}

    /** {@code externalId} is the registrar's order or transaction id. */
    record Registration(String domain, String externalId, Instant expiresAt, BigDecimal charged, String currency) {}

    /** A registrar refused or failed; {@code code} is machine-readable, the message is for people. */
    final class RegistrarException extends RuntimeException {
        private final String code;
        private final boolean retryable;

        RegistrarException(String code, String message, boolean retryable) {
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
