package dev.outreach2day.sequencer;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Smartlead API v1 (api.smartlead.ai), authenticated with the {@code api_key} query parameter.
 * <ul>
 *   <li>validate: {@code GET /api/v1/email-accounts/?offset=0&limit=1} (Smartlead names no account);</li>
 *   <li>export: {@code POST /api/v1/email-accounts/save} with {@code id: null}, {@code from_name}, {@code from_email},
 *       {@code user_name}/{@code password} (SMTP), {@code smtp_host}/{@code smtp_port}, {@code imap_host}/{@code imap_port},
 *       {@code imap_user_name}/{@code imap_password}, {@code max_email_per_day}, {@code warmup_enabled} and, with
 *       warmup, {@code total_warmup_per_day} and {@code daily_rampup}; {@code type: "SMTP"};</li>
 *   <li>existence and reconnect: {@code GET /api/v1/email-accounts/?offset=…&limit=100}; an account whose
 *       {@code is_smtp_success} or {@code is_imap_success} is false is saved again with its {@code id} and the
 *       credentials (the documented way to update an account's logins).</li>
 * </ul>
 * The key travels in the URL, so {@link VendorHttp} never quotes URLs in messages.
 */
@Component
class SmartleadAdapter implements SequencerProvider {

    static final int PAGE = 100;
    private static final int MAX_PAGES = 1000;

    private final VendorHttp http;

    SmartleadAdapter(SequencerProperties props, Clock clock) {
        this.http = new VendorHttp(props.smartleadApiUrl(), props.requestTimeout(), clock);
    }

    @org.springframework.beans.factory.annotation.Autowired
    SmartleadAdapter(SequencerProperties props, dev.outreach2day.platform.O2dProperties platform, Clock clock) {
        this.http = new VendorHttp(props.smartleadApiUrl(), props.requestTimeout(), clock, VendorHttp.offlineReason(platform.sandbox(),
                props.smartleadApiUrl(), SequencerProperties.SMARTLEAD_URL, "Smartlead", "O2D_SMARTLEAD_API_URL"));
    }

    @Override
    public String id() {
        return "smartlead";
    }

    @Override
    public String name() {
        return "Smartlead";
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, true, true);
    }

    private static Map<String, String> key(String apiKey, String... more) {
        var q = new LinkedHashMap<String, String>();
        q.put("api_key", apiKey);
        for (int i = 0; i < more.length; i += 2) q.put(more[i], more[i + 1]);
        return q;
    }

    @Override
    public Validation validate(String apiKey) {
        try {
            http.send("GET", "/api/v1/email-accounts/", Map.of(), key(apiKey, "offset", "0", "limit", "1"), null);
            return new Validation(true, null, null);
        } catch (ProviderException e) {
            if (e.kind() == ProviderException.Kind.TRANSIENT) throw e;
            return new Validation(false, null, e.getMessage());
        }
    }

    @Override
    public String create(String apiKey, MailboxAccount a) {
        return save(apiKey, null, a);
    }

    private String save(String apiKey, String id, MailboxAccount a) {
        var body = http.object();
        if (id == null) body.putNull("id");
        else body.put("id", Long.parseLong(id));
        String name = ((a.firstName() == null ? "" : a.firstName()) + " " + (a.lastName() == null ? "" : a.lastName())).strip();
        body.put("from_name", name.isEmpty() ? a.email() : name);
        body.put("from_email", a.email());
        body.put("user_name", a.smtpUsername());
        body.put("password", a.smtpPassword());
        body.put("smtp_host", a.smtpHost());
        body.put("smtp_port", a.smtpPort());
        body.put("imap_host", a.imapHost());
        body.put("imap_port", a.imapPort());
        body.put("imap_user_name", a.imapUsername());
        body.put("imap_password", a.imapPassword());
        body.put("max_email_per_day", a.dailyLimit());
        body.put("warmup_enabled", a.enableWarmup());
        if (a.enableWarmup()) {
            body.put("total_warmup_per_day", a.warmupPerDay());
            body.put("daily_rampup", a.warmupRampup());
        }
        body.put("type", "SMTP");
        JsonNode r = http.send("POST", "/api/v1/email-accounts/save", Map.of(), key(apiKey), body);
        if (r.path("ok").isBoolean() && !r.path("ok").asBoolean()) {
            throw new ProviderException(ProviderException.Kind.REJECTED, 200, VendorHttp.message(r, null, 200), null, false);
        }
        for (JsonNode n : new JsonNode[] {r.path("data").path("id"), r.path("emailAccountId"), r.path("id")}) {
            String v = VendorHttp.str(n, null);
            if (v != null && !v.isBlank()) return v;
        }
        if (id != null) return id;
        throw new ProviderException(ProviderException.Kind.REJECTED, 200, "Smartlead saved the account but returned no id", null, false);
    }

    @Override
    public void enableWarmup(String apiKey, MailboxAccount account, String externalId) {
        // warmup_enabled is part of the save call
    }

    private List<JsonNode> all(String apiKey) {
        var out = new ArrayList<JsonNode>();
        for (int page = 0; page < MAX_PAGES; page++) {
            JsonNode list = http.send("GET", "/api/v1/email-accounts/", Map.of(),
                    key(apiKey, "offset", Integer.toString(page * PAGE), "limit", Integer.toString(PAGE)), null);
            JsonNode items = list.isArray() ? list : list.path("data");
            for (JsonNode a : items) out.add(a);
            if (items.size() < PAGE) return out;
        }
        return out;
    }

    @Override
    public Optional<String> existing(String apiKey, String email) {
        String want = email.toLowerCase(Locale.ROOT);
        return all(apiKey).stream().filter(a -> VendorHttp.str(a.path("from_email"), "").toLowerCase(Locale.ROOT).equals(want))
                .map(a -> VendorHttp.str(a.path("id"), null)).filter(java.util.Objects::nonNull).findFirst();
    }

    @Override
    public List<RemoteAccount> disconnected(String apiKey) {
        var out = new ArrayList<RemoteAccount>();
        for (JsonNode a : all(apiKey)) {
            boolean smtp = VendorHttp.bool(a.path("is_smtp_success"), true);
            boolean imap = VendorHttp.bool(a.path("is_imap_success"), true);
            if (smtp && imap) continue;
            String problem = !smtp ? "SMTP: " + VendorHttp.str(a.path("smtp_failure_error"), "connection failed")
                    : "IMAP: " + VendorHttp.str(a.path("imap_failure_error"), "connection failed");
            String email = VendorHttp.str(a.path("from_email"), null);
            String id = VendorHttp.str(a.path("id"), null);
            int limit = VendorHttp.integer(a.path("message_per_day"), -1);
            String warmup = VendorHttp.str(a.path("warmup_details").path("status"), null);
            if (email != null && id != null) {
                out.add(new RemoteAccount(email, id, problem, limit > 0 ? limit : null, warmup == null ? null : warmup.equals("ACTIVE")));
            }
        }
        return out;
    }

    @Override
    public void reconnect(String apiKey, RemoteAccount remote, MailboxAccount a) {
        // the save call sets every field: keep the limit and warmup state the account has at Smartlead
        var same = new MailboxAccount(a.email(), a.firstName(), a.lastName(), a.smtpHost(), a.smtpPort(), a.smtpUsername(), a.smtpPassword(),
                a.imapHost(), a.imapPort(), a.imapUsername(), a.imapPassword(), remote.dailyLimit() != null ? remote.dailyLimit() : a.dailyLimit(),
                remote.warmupEnabled() != null ? remote.warmupEnabled() : a.enableWarmup(), a.warmupPerDay(), a.warmupRampup());
        save(apiKey, remote.externalId(), same);
    }
}
