package dev.outreach2day.platform;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Email-address hygiene shared by every capability: trimmed, lower-cased, the domain in ASCII
 * (IDN → punycode), the local part a dot-atom (what real senders and receivers accept; quoted
 * local parts are refused). Returns empty for anything that is not an address.
 */
public final class EmailAddresses {

    private static final Pattern LOCAL = Pattern.compile("[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern TLD = Pattern.compile("[a-z]{2,63}|xn--[a-z0-9-]{1,59}");

    private EmailAddresses() {}

    public static Optional<String> normalize(String input) {
        if (input == null) return Optional.empty();
        String s = input.strip();
        int at = s.lastIndexOf('@');
        if (at <= 0 || at == s.length() - 1 || s.length() > 254) return Optional.empty();
        String local = s.substring(0, at).toLowerCase(Locale.ROOT);
        String domain = s.substring(at + 1).toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) domain = domain.substring(0, domain.length() - 1);
        if (local.length() > 64 || !LOCAL.matcher(local).matches()) return Optional.empty();
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2 || ascii.length() > 253) return Optional.empty();
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) return Optional.empty();
        }
        if (!TLD.matcher(labels[labels.length - 1]).matches()) return Optional.empty();
        return Optional.of(local + "@" + ascii);
    }

    public static String domainOf(String normalized) {
        return normalized.substring(normalized.lastIndexOf('@') + 1);
    }
}
