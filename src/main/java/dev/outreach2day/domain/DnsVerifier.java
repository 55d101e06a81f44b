package dev.outreach2day.domain;

import dev.outreach2day.domain.ManagedRecords.Managed;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Live verification: asks DNS (through {@link LiveDns}) for the SPF, DKIM, DMARC and MX of a
 * domain and compares what it finds with the managed records. Each check is {@code ok},
 * {@code missing} or {@code mismatch} with the expected and found values; {@code error} when DNS
 * could not be asked.
 */
final class DnsVerifier {

    private DnsVerifier() {}

    record Check(String status, String expected, List<String> found, String detail) {}

    static Map<String, Check> verify(LiveDns dns, String domain, List<Managed> managed) {
        Map<String, Check> out = new LinkedHashMap<>();
        for (Managed m : managed) {
            switch (m.purpose()) {
                case "spf" -> out.put("spf", txt(dns, m.spec().name(), m.spec().value(), "v=spf1", "SPF"));
                case "dkim" -> out.put("dkim", txt(dns, m.spec().name(), m.spec().value(), "v=DKIM1", "DKIM"));
                case "dmarc" -> out.put("dmarc", txt(dns, m.spec().name(), m.spec().value(), "v=DMARC1", "DMARC"));
                case "mx" -> out.put("mx", mx(dns, m.spec().name(), m.spec().value(), m.spec().priority()));
                default -> { }
            }
        }
        return out;
    }

    static boolean allOk(Map<String, Check> checks) {
        return !checks.isEmpty() && checks.values().stream().allMatch(c -> c.status().equals("ok"));
    }

    private static Check txt(LiveDns dns, String name, String expected, String prefix, String what) {
        List<String> found;
        try {
            found = dns.txt(name).stream().filter(t -> t.regionMatches(true, 0, prefix, 0, prefix.length())).toList();
        } catch (LiveDns.LookupFailed e) {
            return new Check("error", expected, List.of(), e.getMessage());
        }
        if (found.isEmpty()) {
            return new Check("missing", expected, found, "no " + what + " record at " + name);
        }
        if (found.size() > 1) {
            return new Check("mismatch", expected, found, found.size() + " " + what + " records at " + name + "; there must be one");
        }
        return normalize(found.getFirst()).equals(normalize(expected))
                ? new Check("ok", expected, found, null)
                : new Check("mismatch", expected, found, what + " record at " + name + " differs from the expected value");
    }

    private static Check mx(LiveDns dns, String name, String expectedHost, Integer priority) {
        String expected = priority + " " + expectedHost;
        List<String> found = new ArrayList<>();
        try {
            for (LiveDns.Mx mx : dns.mx(name)) {
                found.add(mx.priority() + " " + mx.host());
            }
        } catch (LiveDns.LookupFailed e) {
            return new Check("error", expected, List.of(), e.getMessage());
        }
        if (found.isEmpty()) {
            return new Check("missing", expected, found, "no MX record at " + name);
        }
        boolean present = found.stream().anyMatch(f -> f.equalsIgnoreCase(expected));
        return present ? new Check("ok", expected, found, null)
                : new Check("mismatch", expected, found, "MX at " + name + " does not point at " + expectedHost);
    }

    /** TXT comparison ignores spacing around ';' and case of tag names is kept as published. */
    static String normalize(String txt) {
        return Objects.requireNonNull(txt).replaceAll("\\s*;\\s*", ";").replaceAll("\\s+", " ").replaceAll(";$", "").trim();
    }
}
