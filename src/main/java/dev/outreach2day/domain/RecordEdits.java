package dev.outreach2day.domain;

import dev.outreach2day.domain.DnsProvider.RecordSpec;
import dev.outreach2day.domain.DomainRepository.RecordRow;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.ApiException.FieldProblem;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Validates the user's DNS record edits against the domain's current records and turns them
 * into a plan. All edits are checked before anything is written; any problem is a 422 naming
 * {@code records[i].field}. User records may add to a domain but never break a managed record:
 * no second SPF or DMARC, nothing at the DKIM name, no CNAME beside other records, no change to
 * a managed record.
 */
final class RecordEdits {

    static final Set<String> TYPES = Set.of("A", "AAAA", "CNAME", "MX", "TXT", "CAA");

    private RecordEdits() {}

    /** One requested change, as sent: {@code id} for update/delete, {@code delete: true} to delete. */
    record Edit(String id, String type, String name, String value, Integer ttl, Integer priority, Boolean delete) {}

    sealed interface Change permits Create, Update, Delete {}

    record Create(RecordSpec spec) implements Change {}

    record Update(String id, RecordSpec spec) implements Change {}

    record Delete(String id) implements Change {}

    static List<Change> validate(String domain, List<RecordRow> current, List<Edit> edits, int defaultTtl) {
        if (edits == null || edits.isEmpty()) {
            throw ApiException.Invalid.body("at least one record is required", "too_short", "records");
        }
        if (edits.size() > 100) {
            throw ApiException.Invalid.body("at most 100 records per call", "too_long", "records");
        }
        var problems = new ArrayList<FieldProblem>();
        var plan = new ArrayList<Change>();
        // the record set as it will be after the edits, to check conflicts between them too
        var after = new ArrayList<RecordRow>(current);
        for (int i = 0; i < edits.size(); i++) {
            Edit e = edits.get(i);
            if (e == null) {
                problems.add(FieldProblem.at("body", "record must be an object", "dict_type", "records", i));
                continue;
            }
            RecordRow existing = null;
            if (e.id() != null) {
                existing = current.stream().filter(r -> r.id().equals(e.id())).findFirst().orElse(null);
                if (existing == null) {
                    problems.add(FieldProblem.at("body", "no record " + e.id() + " on " + domain, "value_error", "records", i, "id"));
                    continue;
                }
                if (existing.managed()) {
                    problems.add(FieldProblem.at("body", "record " + e.id() + " is managed (" + existing.purpose()
                            + ") and cannot be changed or deleted", "value_error", "records", i, "id"));
                    continue;
                }
            }
            if (Boolean.TRUE.equals(e.delete())) {
                if (existing == null) {
                    problems.add(FieldProblem.at("body", "delete needs the id of a record", "missing", "records", i, "id"));
                    continue;
                }
                final String removeId = existing.id();
                after.removeIf(r -> r.id().equals(removeId));
                plan.add(new Delete(existing.id()));
                continue;
            }
            int before = problems.size();
            RecordSpec spec = spec(domain, e, i, defaultTtl, problems);
            if (problems.size() > before) continue;
            final String selfId = existing == null ? null : existing.id();
            List<RecordRow> others = after.stream().filter(r -> !r.id().equals(selfId)).toList();
            String conflict = conflict(domain, spec, others);
            if (conflict != null) {
                problems.add(FieldProblem.at("body", conflict, "value_error", "records", i));
                continue;
            }
            String tempId = selfId != null ? selfId : "new-" + i;
            after.removeIf(r -> r.id().equals(tempId));
            after.add(new RecordRow(tempId, null, spec.type(), spec.name(), spec.value(), spec.ttl(), spec.priority(), false, null));
            plan.add(existing == null ? new Create(spec) : new Update(existing.id(), spec));
        }
        if (!problems.isEmpty()) {
            throw new ApiException.Invalid(problems);
        }
        return plan;
    }

    private static RecordSpec spec(String domain, Edit e, int i, int defaultTtl, List<FieldProblem> problems) {
        String type = e.type() == null ? null : e.type().strip().toUpperCase(Locale.ROOT);
        if (type == null || type.isEmpty()) {
            problems.add(FieldProblem.at("body", "Field required", "missing", "records", i, "type"));
            return null;
        }
        if (!TYPES.contains(type)) {
            problems.add(FieldProblem.at("body", "type must be one of " + TYPES.stream().sorted().toList(), "enum", "records", i, "type"));
            return null;
        }
        String name = ownerName(domain, e.name());
        if (name == null) {
            problems.add(FieldProblem.at("body", "name must be '@', a label like 'www', or a name inside " + domain,
                    "value_error", "records", i, "name"));
        }
        int ttl = e.ttl() == null ? defaultTtl : e.ttl();
        if (ttl < 60 || ttl > 86_400) {
            problems.add(FieldProblem.at("body", "ttl must be between 60 and 86400 seconds", "value_error", "records", i, "ttl"));
        }
        Integer priority = e.priority();
        if (type.equals("MX")) {
            if (priority == null) {
                problems.add(FieldProblem.at("body", "MX records need a priority", "missing", "records", i, "priority"));
            } else if (priority < 0 || priority > 65_535) {
                problems.add(FieldProblem.at("body", "priority must be between 0 and 65535", "value_error", "records", i, "priority"));
            }
        } else if (priority != null) {
            problems.add(FieldProblem.at("body", "only MX records have a priority", "value_error", "records", i, "priority"));
        }
        String value = e.value() == null ? null : e.value().strip();
        String valueProblem = value == null || value.isEmpty() ? "Field required" : checkValue(type, value);
        if (valueProblem != null) {
            problems.add(FieldProblem.at("body", valueProblem, value == null ? "missing" : "value_error", "records", i, "value"));
        }
        if (name == null || valueProblem != null) return null;
        if (type.equals("CNAME") || type.equals("MX")) {
            value = DomainNames.host(value).orElse(value);
        }
        if (type.equals("CNAME") && name.equals(domain)) {
            problems.add(FieldProblem.at("body", "a CNAME cannot be at the domain apex", "value_error", "records", i, "name"));
            return null;
        }
        return new RecordSpec(type, name, value, ttl, type.equals("MX") ? priority : null);
    }

    /** "@" → domain, "www" → www.domain, "www.domain" → itself; null when outside the domain or malformed. */
    static String ownerName(String domain, String name) {
        if (name == null || name.isBlank() || name.strip().equals("@")) {
            return name == null ? null : domain;
        }
        return DomainNames.host(name).map(h -> h.equals(domain) || h.endsWith("." + domain) ? h : h + "." + domain)
                .filter(h -> h.length() <= 253).orElse(null);
    }

    private static String checkValue(String type, String value) {
        return switch (type) {
            case "A" -> isIp(value, Inet4Address.class) ? null : "A records need an IPv4 address";
            case "AAAA" -> isIp(value, Inet6Address.class) ? null : "AAAA records need an IPv6 address";
            case "CNAME", "MX" -> DomainNames.host(value).isPresent() ? null : "must be a host name";
            case "TXT" -> value.length() > 2048 ? "TXT values are at most 2048 characters"
                    : value.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? null : "TXT values must be printable ASCII";
            case "CAA" -> value.matches("\\d{1,3} (issue|issuewild|iodef) \".*\"") ? null
                    : "CAA values look like: 0 issue \"letsencrypt.org\"";
            default -> "unsupported type";
        };
    }

    private static boolean isIp(String value, Class<? extends InetAddress> kind) {
        if (!value.matches("[0-9a-fA-F:.]+")) return false; // literals only: never resolve a name here
        try {
            return kind.isInstance(InetAddress.getByName(value));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** Why {@code spec} cannot sit beside {@code others}, or null. */
    private static String conflict(String domain, RecordSpec spec, List<RecordRow> others) {
        List<RecordRow> sameName = others.stream().filter(r -> r.name().equals(spec.name())).toList();
        if (spec.type().equals("CNAME") && !sameName.isEmpty()) {
            return "a CNAME cannot sit beside other records at " + spec.name();
        }
        if (sameName.stream().anyMatch(r -> r.type().equals("CNAME"))) {
            return spec.name() + " has a CNAME; no other record can be added there";
        }
        boolean spf = spec.type().equals("TXT") && spec.value().toLowerCase(Locale.ROOT).startsWith("v=spf1");
        if (spf && sameName.stream().anyMatch(r -> r.type().equals("TXT") && r.value().toLowerCase(Locale.ROOT).startsWith("v=spf1"))) {
            return "a second SPF record at " + spec.name() + " would break SPF (only one is allowed); edit includes via O2D_SPF_INCLUDE";
        }
        boolean dmarc = spec.type().equals("TXT") && spec.value().toLowerCase(Locale.ROOT).startsWith("v=dmarc1");
        if (dmarc && sameName.stream().anyMatch(r -> r.type().equals("TXT") && r.value().toLowerCase(Locale.ROOT).startsWith("v=dmarc1"))) {
            return "a second DMARC record at " + spec.name() + " would break DMARC";
        }
        for (RecordRow r : sameName) {
            if (!r.managed()) continue;
            boolean sameType = r.type().equals(spec.type());
            if (r.purpose() != null && r.purpose().equals("dkim")) {
                return spec.name() + " holds the managed DKIM key; records there would break DKIM";
            }
            if (sameType && (spec.type().equals("A") || spec.type().equals("AAAA"))) {
                return "the managed " + r.purpose() + " record already answers " + spec.type() + " at " + spec.name();
            }
        }
        return null;
    }
}
