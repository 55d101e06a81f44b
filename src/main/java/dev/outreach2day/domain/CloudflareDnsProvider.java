package dev.outreach2day.domain;

import static dev.outreach2day.domain.CloudflareClient.text;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * DNS hosted by Cloudflare (v4 API, API-token authentication).
 *
 * <ul>
 *   <li>{@link #ensureZone}: {@code GET /zones?name=…&account.id=…}; when absent,
 *       {@code POST /zones {"name","account":{"id"},"type":"full"}} (a full setup: Cloudflare is
 *       the authoritative DNS). Returns the zone id and its assigned {@code name_servers}. A
 *       concurrent creation answered with error 1061 ("… already exists") is resolved by looking
 *       the zone up again.</li>
 *   <li>{@link #syncRecords}: lists every record of the zone ({@code GET /zones/{id}/dns_records},
 *       {@code per_page=100}, {@code page=1..result_info.total_pages}), then deletes, updates
 *       ({@code PUT /zones/{id}/dns_records/{record}}, a full overwrite) and creates
 *       ({@code POST /zones/{id}/dns_records}) so that the records this server owns equal the
 *       desired ones. Ownership is the record {@code comment} {@value #MARKER}: records without it
 *       are never modified nor deleted (if one of them already has exactly a desired type, name and
 *       content, it is taken as satisfying that record and nothing is created).</li>
 * </ul>
 *
 * <p>Matching: a desired record first pairs with an owned record of the same type, name and
 * content (then only TTL/priority may need an update); what is left pairs by type and name — for
 * TXT only within the same "family" (the {@code v=spf1}/{@code v=DMARC1}/{@code v=DKIM1} tag or the
 * {@code key=} prefix of verification tokens), so an SPF record is rewritten in place while two
 * unrelated TXT records at one name coexist; anything still unpaired is created, and owned records
 * nobody wanted are deleted. Deletes run first so that e.g. a CNAME can replace an A record.
 *
 * <p>TXT content: Cloudflare accepts unquoted text, and documents quoted RFC 1035 character
 * strings of at most 255 bytes each ("Strings exceeding this allowed maximum length are
 * automatically split", DNS records API, TXTRecord.content). Values up to 255 bytes are therefore
 * sent unquoted; longer ones (DKIM keys) are sent as {@code "chunk1" "chunk2"} pre-split at 255
 * bytes. Existing content is unquoted and its strings joined before comparing.
 *
 * <p>Records are created with {@code proxied:false} (mail hosts must resolve to the server, not to
 * Cloudflare's proxy) and the desired TTL; MX carries {@code priority}.
 *
 * <p>Exists even when Cloudflare is not configured (adapters are picked by name); every call then
 * fails with {@code DNS_PROVIDER_NOT_CONFIGURED}.
 */
@Component
class CloudflareDnsProvider implements DnsProvider {

    private static final Logger log = LoggerFactory.getLogger(CloudflareDnsProvider.class);

    /** The comment that marks a record as created (owned) by this server. */
    static final String MARKER = "managed by outreach2day";

    private static final int TXT_STRING_MAX_BYTES = 255;
    private static final int DEFAULT_MX_PRIORITY = 10;

    private final DomainProperties.Cloudflare config;
    private final CloudflareClient client;

    @Autowired
    CloudflareDnsProvider(DomainProperties props) {
        this(props, CloudflareClient.REQUEST_TIMEOUT);
    }

    /** For tests: a shorter request timeout. */
    CloudflareDnsProvider(DomainProperties props, Duration requestTimeout) {
        this.config = props.cloudflare();
        this.client = config != null && config.configured()
                ? new CloudflareClient(config.apiUrl(), config.apiToken(), requestTimeout)
                : null;
    }

    @Override
    public String name() {
        return "cloudflare";
    }

    @Override
    public Zone ensureZone(String domain) {
        CloudflareClient cf = client();
        String name = normalizeName(domain);
        JsonNode found = findZone(cf, config, name);
        if (found != null) {
            return zone(found, name);
        }
        String accountId = accountId(config);
        ObjectNode body = cf.object();
        body.put("name", name);
        body.putObject("account").put("id", accountId);
        body.put("type", "full");
        try {
            JsonNode created = cf.post("/zones", body).path("result");
            log.info("Created Cloudflare zone {} for {}", text(created.path("id")), name);
            return zone(created, name);
        } catch (DnsProviderException e) {
            if ("CLOUDFLARE_1061".equals(e.code())) {
                // Created meanwhile (or already there but not listed before): look again.
                JsonNode again = findZone(cf, config, name);
                if (again != null) {
                    return zone(again, name);
                }
            }
            throw e;
        }
    }

    @Override
    public void syncRecords(Zone zone, List<RecordSpec> records) {
        CloudflareClient cf = client();
        String base = "/zones/" + zone.id() + "/dns_records";

        List<Existing> owned = new ArrayList<>();
        List<Existing> foreign = new ArrayList<>();
        for (JsonNode node : cf.getAllPages(base, Map.of())) {
            Existing record = Existing.of(node);
            (record.owned() ? owned : foreign).add(record);
        }
        Plan plan = plan(records, owned, foreign);

        for (Existing gone : plan.deletes()) {
            cf.delete(base + "/" + gone.id());
            log.info("Deleted {} {} from Cloudflare zone {}", gone.type(), gone.name(), zone.domain());
        }
        for (Update update : plan.updates()) {
            cf.put(base + "/" + update.existing().id(), body(cf, update.desired()));
            log.info("Updated {} {} in Cloudflare zone {}", update.desired().type(), update.desired().name(), zone.domain());
        }
        for (Desired create : plan.creates()) {
            cf.post(base, body(cf, create));
            log.info("Created {} {} in Cloudflare zone {}", create.type(), create.name(), zone.domain());
        }
    }

    // --- planning (pure; no I/O) ---

    record Update(Existing existing, Desired desired) {}

    record Plan(List<Existing> deletes, List<Update> updates, List<Desired> creates) {}

    /** The desired record, normalised: upper-case type, lower-case name, canonical value. */
    record Desired(String type, String name, String value, int ttl, Integer priority) {
        static Desired of(RecordSpec spec) {
            String type = spec.type().trim().toUpperCase(Locale.ROOT);
            Integer priority = "MX".equals(type)
                    ? (spec.priority() != null ? spec.priority() : DEFAULT_MX_PRIORITY)
                    : null;
            return new Desired(type, normalizeName(spec.name()), normalizeValue(type, spec.value()), spec.ttl(), priority);
        }
    }

    /** A record Cloudflare has; {@code value} is normalised like {@link Desired#value()}. */
    record Existing(String id, String type, String name, String value, int ttl, Integer priority, boolean owned) {
        static Existing of(JsonNode node) {
            String type = Objects.requireNonNullElse(text(node.path("type")), "").toUpperCase(Locale.ROOT);
            String content = Objects.requireNonNullElse(text(node.path("content")), "");
            String value = "TXT".equals(type) ? unquoteTxt(content) : normalizeValue(type, content);
            Integer priority = node.path("priority").isNumber() ? node.path("priority").asInt() : null;
            String comment = text(node.path("comment"));
            boolean owned = comment != null && comment.toLowerCase(Locale.ROOT).contains(MARKER);
            return new Existing(text(node.path("id")), type, normalizeName(Objects.requireNonNullElse(text(node.path("name")), "")),
                    value, node.path("ttl").asInt(0), priority, owned);
        }
    }

    static Plan plan(List<RecordSpec> records, List<Existing> owned, List<Existing> foreign) {
        Map<String, Desired> unique = new LinkedHashMap<>();
        for (RecordSpec spec : records) {
            Desired d = Desired.of(spec);
            unique.putIfAbsent(d.type() + " " + d.name() + " " + d.value(), d);
        }
        List<Existing> available = new ArrayList<>(owned);
        List<Update> updates = new ArrayList<>();
        List<Desired> unmatched = new ArrayList<>();

        // 1. Same type, name and content.
        for (Desired d : unique.values()) {
            Existing same = take(available, e -> sameRecord(e, d));
            if (same != null) {
                if (same.ttl() != d.ttl() || !Objects.equals(same.priority(), d.priority())) {
                    updates.add(new Update(same, d));
                }
            } else if (foreign.stream().noneMatch(e -> sameRecord(e, d))) {
                unmatched.add(d);
            }
        }
        // 2. Same type and name (and TXT family): rewrite the owned record in place.
        List<Desired> creates = new ArrayList<>();
        for (Desired d : unmatched) {
            Existing slot = take(available, e -> e.type().equals(d.type()) && e.name().equals(d.name())
                    && Objects.equals(family(e.type(), e.value()), family(d.type(), d.value()))
                    && family(d.type(), d.value()) != null);
            if (slot != null) {
                updates.add(new Update(slot, d));
            } else {
                creates.add(d);
            }
        }
        // 3. Owned records nobody wants any more.
        return new Plan(List.copyOf(available), List.copyOf(updates), List.copyOf(creates));
    }

    private static Existing take(List<Existing> from, java.util.function.Predicate<Existing> match) {
        for (Iterator<Existing> it = from.iterator(); it.hasNext(); ) {
            Existing e = it.next();
            if (match.test(e)) {
                it.remove();
                return e;
            }
        }
        return null;
    }

    private static boolean sameRecord(Existing e, Desired d) {
        return e.type().equals(d.type()) && e.name().equals(d.name()) && sameValue(d.type(), e.value(), d.value());
    }

    private static boolean sameValue(String type, String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        if ("A".equals(type) || "AAAA".equals(type)) {
            try {
                return InetAddress.ofLiteral(a).equals(InetAddress.ofLiteral(b));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }

    /**
     * Which owned record a desired one may overwrite: for TXT the {@code v=…} tag (SPF, DMARC,
     * DKIM) or the {@code key=} prefix of a verification token, null (never overwrite) for other
     * text; for every other type any record of the same type and name qualifies.
     */
    static String family(String type, String value) {
        if (!"TXT".equals(type)) {
            return "";
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("v=")) {
            int end = 0;
            while (end < v.length() && v.charAt(end) != ';' && !Character.isWhitespace(v.charAt(end))) {
                end++;
            }
            return v.substring(0, end);
        }
        int eq = v.indexOf('=');
        return eq > 0 && v.substring(0, eq).chars().noneMatch(Character::isWhitespace) ? v.substring(0, eq + 1) : null;
    }

    // --- request bodies and content encoding ---

    private static ObjectNode body(CloudflareClient cf, Desired d) {
        ObjectNode body = cf.object();
        body.put("type", d.type());
        body.put("name", d.name());
        body.put("content", "TXT".equals(d.type()) ? encodeTxt(d.value()) : d.value());
        body.put("ttl", d.ttl());
        if (d.priority() != null) {
            body.put("priority", d.priority());
        }
        body.put("proxied", false);
        body.put("comment", MARKER);
        return body;
    }

    /**
     * Unquoted when it fits one character string (≤ 255 bytes and not itself starting with a
     * quote); otherwise RFC 1035 quoted strings of ≤ 255 bytes each, separated by a space, with
     * {@code "} and {@code \} escaped.
     */
    static String encodeTxt(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= TXT_STRING_MAX_BYTES && !value.startsWith("\"")) {
            return value;
        }
        StringBuilder out = new StringBuilder();
        StringBuilder chunk = new StringBuilder();
        int chunkBytes = 0;
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            int bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (chunkBytes + bytes > TXT_STRING_MAX_BYTES) {
                appendQuoted(out, chunk);
                chunk.setLength(0);
                chunkBytes = 0;
            }
            chunk.appendCodePoint(cp);
            chunkBytes += bytes;
            i += Character.charCount(cp);
        }
        if (chunk.length() > 0 || out.isEmpty()) {
            appendQuoted(out, chunk);
        }
        return out.toString();
    }

    private static void appendQuoted(StringBuilder out, CharSequence chunk) {
        if (!out.isEmpty()) {
            out.append(' ');
        }
        out.append('"');
        for (int i = 0; i < chunk.length(); i++) {
            char c = chunk.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        out.append('"');
    }

    /**
     * The text of TXT content as Cloudflare returns it: one or more quoted strings
     * ({@code "a" "b"}, joined without separator, escapes resolved) or, unquoted, as is.
     */
    static String unquoteTxt(String content) {
        String s = content.trim();
        if (!s.startsWith("\"")) {
            return content;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c != '"') {
                return content; // not a sequence of quoted strings: compare it as it is
            }
            i++;
            boolean closed = false;
            while (i < s.length()) {
                char d = s.charAt(i);
                if (d == '\\' && i + 1 < s.length()) {
                    if (i + 3 < s.length() && Character.isDigit(s.charAt(i + 1))
                            && Character.isDigit(s.charAt(i + 2)) && Character.isDigit(s.charAt(i + 3))) {
                        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4)));
                        i += 4;
                    } else {
                        out.append(s.charAt(i + 1));
                        i += 2;
                    }
                } else if (d == '"') {
                    i++;
                    closed = true;
                    break;
                } else {
                    out.append(d);
                    i++;
                }
            }
            if (!closed) {
                return content;
            }
        }
        return out.toString();
    }

    private static String normalizeValue(String type, String value) {
        String v = value == null ? "" : value.trim();
        return switch (type) {
            case "TXT" -> value == null ? "" : value;
            case "MX", "CNAME", "NS", "PTR" -> normalizeName(v);
            case "A", "AAAA" -> v.toLowerCase(Locale.ROOT);
            default -> v;
        };
    }

    static String normalizeName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    // --- zones and configuration (shared with CloudflareTransferProvider) ---

    /** The zone named {@code name} in the configured account (any account the token sees if none is configured), or null. */
    static JsonNode findZone(CloudflareClient cf, DomainProperties.Cloudflare config, String name) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("name", name);
        if (config.accountId() != null && !config.accountId().isBlank()) {
            query.put("account.id", config.accountId().trim());
        }
        for (JsonNode zone : cf.get("/zones", query).path("result")) {
            if (name.equalsIgnoreCase(Objects.requireNonNullElse(text(zone.path("name")), ""))) {
                return zone;
            }
        }
        return null;
    }

    static String accountId(DomainProperties.Cloudflare config) {
        if (config.accountId() == null || config.accountId().isBlank()) {
            throw new DnsProviderException("DNS_PROVIDER_NOT_CONFIGURED",
                    "Cloudflare account id is not set (O2D_CLOUDFLARE_ACCOUNT_ID); it is needed to create zones and for Registrar calls",
                    false);
        }
        return config.accountId().trim();
    }

    static DnsProviderException notConfigured() {
        return new DnsProviderException("DNS_PROVIDER_NOT_CONFIGURED",
                "Cloudflare is not configured: set O2D_CLOUDFLARE_API_TOKEN and O2D_CLOUDFLARE_ACCOUNT_ID", false);
    }

    private static Zone zone(JsonNode node, String domain) {
        List<String> nameservers = new ArrayList<>();
        for (JsonNode ns : node.path("name_servers")) {
            String n = text(ns);
            if (n != null) {
                nameservers.add(normalizeName(n));
            }
        }
        return new Zone(text(node.path("id")), domain, List.copyOf(nameservers));
    }

    private CloudflareClient client() {
        if (client == null) {
            throw notConfigured();
        }
        return client;
    }
}
