package dev.outreach2day.domain;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Domain-name hygiene: user input ({@code " Café.Example. "}, {@code münchen.de}) becomes the
 * ASCII form stored and sent to providers ({@code xn--caf-dma.example}), or is refused with a
 * reason. Registrable names only: at least two labels, LDH labels of 1–63, total ≤ 253.
 */
final class DomainNames {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern TLD = Pattern.compile("[a-z]{2,63}|xn--[a-z0-9-]{1,59}");

    private DomainNames() {}

    /** The normalised ASCII name, or a reason it is not a domain name. */
    sealed interface Result permits Valid, Invalid {}

    record Valid(String ascii, String unicode) implements Result {}

    record Invalid(String reason) implements Result {}

    static Result normalize(String input) {
        if (input == null || input.isBlank()) {
            return new Invalid("empty domain name");
        }
        String s = input.strip().toLowerCase(Locale.ROOT);
        if (s.endsWith(".")) s = s.substring(0, s.length() - 1);
        if (s.contains("://") || s.contains("/") || s.contains("@") || s.contains(" ") || s.contains(":")) {
            return new Invalid("not a bare domain name (no scheme, path, port, spaces or @)");
        }
        String ascii;
        try {
            ascii = IDN.toASCII(s, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return new Invalid("not a valid internationalised domain name");
        }
        if (ascii.length() > 253) {
            return new Invalid("longer than 253 characters");
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2) {
            return new Invalid("needs a name and a top-level domain, e.g. example.com");
        }
        for (String label : labels) {
            if (label.isEmpty()) return new Invalid("empty label (two dots in a row)");
            if (label.length() > 63) return new Invalid("label longer than 63 characters");
            if (!LABEL.matcher(label).matches()) {
                return new Invalid("labels may contain only letters, digits and inner hyphens");
            }
        }
        if (!TLD.matcher(labels[labels.length - 1]).matches()) {
            return new Invalid("invalid top-level domain");
        }
        return new Valid(ascii, IDN.toUnicode(ascii));
    }

    static String tld(String ascii) {
        return ascii.substring(ascii.lastIndexOf('.') + 1);
    }

    /** The label left of the TLD ("acme" of "acme.com"); registrable names have exactly two labels in the sandbox. */
    static String secondLevel(String ascii) {
        String[] labels = ascii.split("\\.");
        return labels[labels.length - 2];
    }

    /** Host names and record owners: FQDN in lower case without a trailing dot, or empty. */
    static Optional<String> host(String input) {
        if (input == null) return Optional.empty();
        String s = input.strip().toLowerCase(Locale.ROOT);
        if (s.endsWith(".")) s = s.substring(0, s.length() - 1);
        if (s.isEmpty() || s.length() > 253) return Optional.empty();
        for (String label : s.split("\\.", -1)) {
            // underscores are legal in owner names (_dmarc, selector._domainkey)
            if (label.isEmpty() || label.length() > 63 || !label.matches("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?|\\*")) {
                return Optional.empty();
            }
        }
        return Optional.of(s);
    }
}
