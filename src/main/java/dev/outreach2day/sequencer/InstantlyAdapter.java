package dev.outreach2day.sequencer;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Instantly API v2 (developer.instantly.ai), authenticated with {@code Authorization: Bearer <key>}.
 * <ul>
 *   <li>validate: {@code GET /api/v2/workspaces/current} (the workspace's {@code name} is the account);</li>
 *   <li>export: {@code POST /api/v2/accounts} as a custom IMAP/SMTP account ({@code provider_code: 1}) with
 *       both logins, {@code daily_limit} and, with warmup, {@code warmup.limit}; then
 *       {@code POST /api/v2/accounts/warmup/enable} {@code {"emails":[…]}} when warmup is wished;</li>
 *   <li>existence: {@code GET /api/v2/accounts/{email}} (Instantly keys accounts by address, which is our external id);</li>
 *   <li>reconnect: {@code GET /api/v2/accounts?limit=100&starting_after=…} and those with a negative {@code status}
 *       (-1 connection error, -2 soft bounce error, -3 sending error) get
 *       {@code POST /api/v2/accounts/{email}/mark-fixed}. API v2 documents no call that replaces an existing
 *       account's IMAP/SMTP password; mark-fixed makes Instantly test the account's connection again.</li>
 * </ul>
 */
@Component
class InstantlyAdapter implements SequencerProvider {

    /** "Custom IMAP/SMTP" in Instantly's provider_code enum (2 Google, 3 Microsoft, 4 AWS). */
    static final int CUSTOM_IMAP_SMTP = 1;
    static final int PAGE = 100;
    private static final int MAX_PAGES = 1000;

    private final VendorHttp http;

    InstantlyAdapter(SequencerProperties props, Clock clock) {
        this.http = new VendorHttp(props.instantlyApiUrl(), props.requestTimeout(), clock);
    }

    @org.springframework.beans.factory.annotation.Autowired
    InstantlyAdapter(SequencerProperties props, dev.outreach2day.platform.O2dProperties platform, Clock clock) {
        this.http = new VendorHttp(props.instantlyApiUrl(), props.requestTimeout(), clock, VendorHttp.offlineReason(platform.sandbox(),
                props.instantlyApiUrl(), SequencerProperties.INSTANTLY_URL, "Instantly", "O2D_INSTANTLY_API_URL"));
    }

    @Override
    public String id() {
        return "instantly";
    }

    @Override
    public String name() {
        return "Instantly";
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, true, true);
    }

    private static Map<String, String> auth(String apiKey) {
        return Map.of("Authorization", "Bearer " + apiKey);
    }

    @Override
    public Validation validate(String apiKey) {
        try {
            JsonNode ws = http.send("GET", "/api/v2/workspaces/current", auth(apiKey), Map.of(), null);
            String name = VendorHttp.str(ws.path("name"), null);
            return new Validation(true, name, null);
        } catch (ProviderException e) {
            if (e.kind() == ProviderException.Kind.TRANSIENT) throw e;
            return new Validation(false, null, e.getMessage());
        }
    }

    @Override
    public String create(String apiKey, MailboxAccount a) {
        var body = http.object();
        body.put("email", a.email());
        body.put("first_name", a.firstName());
        body.put("last_name", a.lastName());
        body.put("provider_code", CUSTOM_IMAP_SMTP);
        body.put("imap_username", a.imapUsername());
        body.put("imap_password", a.imapPassword());
        body.put("imap_host", a.imapHost());
        body.put("imap_port", a.imapPort());
        body.put("smtp_username", a.smtpUsername());
        body.put("smtp_password", a.smtpPassword());
        body.put("smtp_host", a.smtpHost());
        body.put("smtp_port", a.smtpPort());
        body.put("daily_limit", a.dailyLimit());
        if (a.enableWarmup()) body.putObject("warmup").put("limit", a.warmupPerDay());
        JsonNode created = http.send("POST", "/api/v2/accounts", auth(apiKey), Map.of(), body);
        return VendorHttp.str(created.path("email"), a.email());
    }

    @Override
    public void enableWarmup(String apiKey, MailboxAccount a, String externalId) {
        if (!a.enableWarmup()) return;
        var body = http.object();
        body.putArray("emails").add(externalId);
        http.send("POST", "/api/v2/accounts/warmup/enable", auth(apiKey), Map.of(), body);
    }

    @Override
    public Optional<String> existing(String apiKey, String email) {
        try {
            JsonNode a = http.send("GET", "/api/v2/accounts/" + VendorHttp.pathSegment(email), auth(apiKey), Map.of(), null);
            return Optional.of(VendorHttp.str(a.path("email"), email));
        } catch (ProviderException e) {
            if (e.status() == 404) return Optional.empty();
            throw e;
        }
    }

    @Override
    public List<RemoteAccount> disconnected(String apiKey) {
        var out = new ArrayList<RemoteAccount>();
        String after = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            var q = new LinkedHashMap<String, String>();
            q.put("limit", Integer.toString(PAGE));
            if (after != null) q.put("starting_after", after);
            JsonNode list = http.send("GET", "/api/v2/accounts", auth(apiKey), q, null);
            for (JsonNode a : list.path("items")) {
                int status = VendorHttp.integer(a.path("status"), 1);
                if (status < 0) {
                    String problem = switch (status) {
                        case -1 -> "Connection Error";
                        case -2 -> "Soft Bounce Error";
                        case -3 -> "Sending Error";
                        default -> "status " + status;
                    };
                    String email = VendorHttp.str(a.path("email"), null);
                    if (email == null) continue;
                    out.add(new RemoteAccount(email, email, problem));
                }
            }
            after = VendorHttp.str(list.path("next_starting_after"), null);
            if (after == null || after.isBlank() || list.path("items").isEmpty()) return out;
        }
        return out;
    }

    @Override
    public void reconnect(String apiKey, RemoteAccount remote, MailboxAccount account) {
        http.send("POST", "/api/v2/accounts/" + VendorHttp.pathSegment(remote.email()) + "/mark-fixed", auth(apiKey), Map.of(), null);
    }
}
