package dev.outreach2day.domain;

import static dev.outreach2day.domain.CloudflareClient.text;

import dev.outreach2day.domain.DnsProvider.DnsProviderException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Transfers a domain into Cloudflare Registrar through Cloudflare's public v4 API.
 *
 * <h2>What the API can do (as documented)</h2>
 * <ul>
 *   <li><b>Start a transfer with the EPP auth code</b>:
 *       {@code POST /accounts/{account_id}/registrar/registrations/{domain_name}/transfer-in}
 *       with {@code {"auth_code": base64(code)}} ("must be base64-encoded per RFC 4648 §4");
 *       answers {@code 202 Accepted} with a workflow status. Prerequisites listed by Cloudflare:
 *       the domain already has a zone in the account, the zone has DNSSEC disabled, a default
 *       payment method exists for billable extensions, the domain is unlocked at the current
 *       registrar, and an auth code (except .uk). Without a {@code contacts} object the account's
 *       default address-book entry is the registrant — that entry (and its agreement) can only be
 *       managed in the dashboard. Premium domains "are not currently supported by this API";
 *       some extensions are dashboard-only ({@code extension_not_supported_via_api}).
 *       Sources: developers.cloudflare.com/api/resources/registrar/subresources/transfer_in/methods/create,
 *       cloudflare-go {@code registrar/transferin.go}, cloudflare-typescript
 *       {@code src/resources/registrar/transfer-in.ts}.</li>
 *   <li><b>Poll it</b>: {@code GET …/registrations/{domain_name}/transfer-in-status} returns the
 *       workflow: {@code state} ∈ pending, in_progress, action_required, blocked, succeeded, failed,
 *       {@code completed}, {@code context} (free-form; {@code context.action} says what the user
 *       must do when {@code action_required}, e.g. accept the FOA email) and {@code error
 *       {code,message}} when failed. {@code blocked} is the normal state while the losing
 *       registrar's ICANN window (up to 5 days) runs. Source:
 *       developers.cloudflare.com/api/python/resources/registrar/subresources/transfer_in_status/methods/get,
 *       cloudflare-go {@code registrar/registrar.go} (WorkflowStatus).</li>
 *   <li><b>Older per-domain view</b>: {@code GET /accounts/{account_id}/registrar/domains/{domain_name}}
 *       returns {@code current_registrar} and {@code transfer_in {accept_foa, approve_transfer,
 *       can_cancel_transfer, disable_privacy, enter_auth_code, unlock_domain}} (values such as
 *       needed / ok / pending / trying / rejected / unknown); {@code PUT} on it only changes
 *       {@code auto_renew}, {@code locked} and {@code privacy}. Used here as a fallback for
 *       transfers started in the dashboard, which have no API workflow. Source: cloudflare-go
 *       {@code registrar/domain.go}, registrar-api_transfer_in schema.</li>
 * </ul>
 *
 * <h2>What it cannot do</h2>
 * No endpoint cancels a transfer, re-submits a corrected auth code into a running workflow,
 * accepts the FOA or approves the release at the losing registrar, or unlocks the domain there:
 * those stay with the user (their mailbox, the old registrar, or the Cloudflare dashboard). A
 * failed workflow can only be started again ({@link #start} does that when the last workflow
 * failed). Nor can the API make the zone active — the nameservers must be delegated first.
 *
 * <h2>Mapping to {@link TransferProvider.Status}</h2>
 * pending / in_progress / blocked → {@code transferring}; action_required → {@code pending_auth}
 * (with Cloudflare's stated action); succeeded → {@code completed}; failed → {@code failed} (with
 * Cloudflare's error message). For the fallback view: registered at Cloudflare or every step
 * {@code ok} → completed; auth code or registry {@code rejected} → failed; auth code, FOA, unlock
 * or privacy {@code needed} → pending_auth; anything else → transferring. {@code cancelled} is
 * never reported: Cloudflare exposes no cancelled state.
 *
 * <p>{@code start} refuses (non-retryable {@code CLOUDFLARE_ZONE_NOT_FOUND}) when the domain has no
 * zone in the account, and asks to retry later (retryable {@code CLOUDFLARE_ZONE_NOT_ACTIVE}) while
 * the zone is not active yet. The auth code is never logged nor put in a message.
 */
@Component
class CloudflareTransferProvider implements TransferProvider {

    private static final Logger log = LoggerFactory.getLogger(CloudflareTransferProvider.class);

    private static final String DASHBOARD = "https://dash.cloudflare.com/?to=/:account/domains/transfer";

    private final DomainProperties.Cloudflare config;
    private final CloudflareClient client;

    @Autowired
    CloudflareTransferProvider(DomainProperties props) {
        this(props, CloudflareClient.REQUEST_TIMEOUT);
    }

    /** For tests: a shorter request timeout. */
    CloudflareTransferProvider(DomainProperties props, Duration requestTimeout) {
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
    public TransferState start(String domain, String authCode, Instant startedAt) {
        CloudflareClient cf = client();
        String account = CloudflareDnsProvider.accountId(config);
        String name = CloudflareDnsProvider.normalizeName(domain);

        JsonNode zone = CloudflareDnsProvider.findZone(cf, config, name);
        if (zone == null) {
            throw new DnsProviderException("CLOUDFLARE_ZONE_NOT_FOUND",
                    name + " has no zone in the Cloudflare account; Cloudflare only transfers domains whose DNS it already"
                            + " hosts — set the domain's DNS up at Cloudflare first", false);
        }
        String zoneStatus = text(zone.path("status"));
        if (!"active".equals(zoneStatus)) {
            throw new DnsProviderException("CLOUDFLARE_ZONE_NOT_ACTIVE",
                    "The Cloudflare zone of " + name + " is " + (zoneStatus == null ? "not active" : zoneStatus)
                            + "; delegate the domain to " + nameservers(zone)
                            + " at its current registrar and retry once Cloudflare shows the zone active", true);
        }

        // Resume instead of starting (and paying for) a second transfer.
        Optional<JsonNode> running = workflow(cf, account, name);
        if (running.isPresent() && !"failed".equals(text(running.get().path("state")))) {
            return mapWorkflow(name, running.get());
        }

        ObjectNode body = cf.object();
        if (authCode != null && !authCode.isBlank()) {
            body.put("auth_code", Base64.getEncoder().encodeToString(authCode.trim().getBytes(StandardCharsets.UTF_8)));
        }
        JsonNode result;
        try {
            result = cf.post(registrations(account, name) + "/transfer-in", body).path("result");
        } catch (DnsProviderException e) {
            throw redacted(e, authCode);
        }
        log.info("Started the Cloudflare Registrar transfer of {} ({})", name, text(result.path("state")));
        return mapWorkflow(name, result);
    }

    @Override
    public TransferState status(String domain, Instant startedAt) {
        CloudflareClient cf = client();
        String account = CloudflareDnsProvider.accountId(config);
        String name = CloudflareDnsProvider.normalizeName(domain);

        Optional<JsonNode> workflow = workflow(cf, account, name);
        if (workflow.isPresent()) {
            return mapWorkflow(name, workflow.get());
        }
        Optional<JsonNode> legacy;
        try {
            legacy = cf.getIfExists("/accounts/" + account + "/registrar/domains/" + name)
                    .map(root -> root.path("result"))
                    .filter(result -> result.isObject() && !result.isEmpty());
        } catch (DnsProviderException e) {
            if (e.retryable() || "CLOUDFLARE_AUTH".equals(e.code())) {
                throw e;
            }
            legacy = Optional.empty(); // e.g. "domain not found" in the account: no transfer to report
        }
        if (legacy.isPresent()) {
            return mapRegistrarDomain(name, legacy.get());
        }
        return new TransferState(Status.pending_auth, "Cloudflare has no transfer of " + name
                + " in this account; submit the auth code again, or start the transfer at " + DASHBOARD);
    }

    private static Optional<JsonNode> workflow(CloudflareClient cf, String account, String name) {
        return cf.getIfExists(registrations(account, name) + "/transfer-in-status")
                .map(root -> root.path("result"))
                .filter(result -> result.isObject() && result.has("state"));
    }

    /** The transfer-in workflow (documented WorkflowStatus) as a port state. */
    static TransferState mapWorkflow(String domain, JsonNode workflow) {
        String state = Optional.ofNullable(text(workflow.path("state"))).orElse("").toLowerCase(Locale.ROOT);
        return switch (state) {
            case "succeeded" -> new TransferState(Status.completed, domain + " is now registered with Cloudflare Registrar");
            case "failed" -> new TransferState(Status.failed, "Cloudflare could not transfer " + domain
                    + describeError(workflow.path("error")) + "; fix the cause and start the transfer again");
            case "action_required" -> new TransferState(Status.pending_auth, "Cloudflare needs you to act before the transfer of "
                    + domain + " can continue: " + describeAction(workflow.path("context"))
                    + " (often: approve the transfer (FOA) email sent to the registrant)");
            case "blocked" -> new TransferState(Status.transferring, "Waiting for the current registrar or the registry to release "
                    + domain + " (can take up to 5 days; approving the transfer at the current registrar speeds it up)");
            case "in_progress" -> new TransferState(Status.transferring, "The transfer of " + domain
                    + " has been submitted to the registry and is being processed");
            case "pending" -> new TransferState(Status.transferring, "Cloudflare has accepted the transfer of " + domain
                    + " and will submit it shortly");
            default -> new TransferState(Status.transferring, "Cloudflare reports the transfer of " + domain
                    + " as '" + state + "'");
        };
    }

    /** The older {@code /registrar/domains/{name}} view (current_registrar and transfer_in steps) as a port state. */
    static TransferState mapRegistrarDomain(String domain, JsonNode result) {
        String registrar = Optional.ofNullable(text(result.path("current_registrar"))).orElse("");
        JsonNode in = result.path("transfer_in");
        String acceptFoa = step(in, "accept_foa");
        String approve = step(in, "approve_transfer");
        String privacy = step(in, "disable_privacy");
        String authCode = step(in, "enter_auth_code");
        String unlock = step(in, "unlock_domain");

        if (registrar.toLowerCase(Locale.ROOT).contains("cloudflare")
                || (in.isObject() && "ok".equals(acceptFoa) && "ok".equals(approve) && "ok".equals(authCode)
                        && "ok".equals(unlock) && !"needed".equals(privacy))) {
            return new TransferState(Status.completed, domain + " is registered with Cloudflare Registrar");
        }
        if ("rejected".equals(authCode)) {
            return new TransferState(Status.failed, "The auth code for " + domain
                    + " was rejected; get a new one from the current registrar and start the transfer again");
        }
        if ("rejected".equals(approve)) {
            return new TransferState(Status.failed, "The transfer of " + domain
                    + " was rejected by the current registrar or the registry; start it again once resolved");
        }
        if (!in.isObject()) {
            return new TransferState(Status.pending_auth, "No transfer of " + domain + " is in progress at Cloudflare"
                    + (registrar.isEmpty() ? "" : " (current registrar: " + registrar + ")")
                    + "; submit the auth code again, or start the transfer at " + DASHBOARD);
        }
        if ("needed".equals(authCode)) {
            return new TransferState(Status.pending_auth, "Cloudflare is waiting for the auth code of " + domain
                    + "; enter it at " + DASHBOARD);
        }
        if ("needed".equals(acceptFoa)) {
            return new TransferState(Status.pending_auth, "Approve the transfer (FOA) email Cloudflare sent to the registrant of "
                    + domain);
        }
        if ("needed".equals(unlock)) {
            return new TransferState(Status.pending_auth, "Unlock " + domain + " at its current registrar"
                    + (registrar.isEmpty() ? "" : " (" + registrar + ")") + " so the transfer can proceed");
        }
        if ("needed".equals(privacy)) {
            return new TransferState(Status.pending_auth, "Turn off WHOIS privacy for " + domain + " at its current registrar"
                    + (registrar.isEmpty() ? "" : " (" + registrar + ")") + " so the transfer can proceed");
        }
        StringJoiner steps = new StringJoiner(", ");
        if (approve != null) {
            steps.add("registry approval " + approve);
        }
        if (authCode != null) {
            steps.add("auth code " + authCode);
        }
        if (unlock != null) {
            steps.add("unlock " + unlock);
        }
        return new TransferState(Status.transferring, "The transfer of " + domain + " is in progress"
                + (steps.length() > 0 ? " (" + steps + ")" : "")
                + "; the current registrar can take up to 5 days to release it");
    }

    private static String step(JsonNode transferIn, String field) {
        String v = text(transferIn.path(field));
        return v == null ? null : v.toLowerCase(Locale.ROOT);
    }

    private static String describeError(JsonNode error) {
        if (!error.isObject()) {
            return "";
        }
        String message = text(error.path("message"));
        String code = text(error.path("code"));
        if (message == null && code == null) {
            return "";
        }
        return ": " + (message != null ? message : "error") + (code != null ? " (" + code + ")" : "");
    }

    /** Cloudflare's {@code context.action} (free-form) as a readable phrase. */
    private static String describeAction(JsonNode context) {
        JsonNode action = context.path("action");
        String plain = text(action);
        if (plain != null && !plain.isBlank()) {
            return plain;
        }
        if (action.isObject()) {
            for (String key : new String[] {"description", "message", "detail", "type", "name"}) {
                String v = text(action.path(key));
                if (v != null && !v.isBlank()) {
                    return v;
                }
            }
            return action.toString();
        }
        return "see the domain in the Cloudflare dashboard";
    }

    private static String nameservers(JsonNode zone) {
        StringJoiner ns = new StringJoiner(" and ");
        for (JsonNode n : zone.path("name_servers")) {
            String s = text(n);
            if (s != null) {
                ns.add(s);
            }
        }
        return ns.length() > 0 ? ns.toString() : "Cloudflare's nameservers";
    }

    private static String registrations(String account, String name) {
        return "/accounts/" + account + "/registrar/registrations/" + name;
    }

    /** Cloudflare should never echo the code back, but make sure a message cannot carry it. */
    private static DnsProviderException redacted(DnsProviderException e, String authCode) {
        if (authCode == null || authCode.isBlank() || e.getMessage() == null) {
            return e;
        }
        String code = authCode.trim();
        String b64 = Base64.getEncoder().encodeToString(code.getBytes(StandardCharsets.UTF_8));
        String message = e.getMessage().replace(code, "***").replace(b64, "***");
        return message.equals(e.getMessage()) ? e : new DnsProviderException(e.code(), message, e.retryable());
    }

    private CloudflareClient client() {
        if (client == null) {
            throw CloudflareDnsProvider.notConfigured();
        }
        return client;
    }
}
