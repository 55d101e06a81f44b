package dev.outreach2day.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.outreach2day.domain.DomainRepository.DomainRow;
import dev.outreach2day.domain.DomainRepository.RecordRow;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

@Tag(name = "Domains")
@RestController
class DomainController {

    // ---- request and response types, named as in the Outreach2day docs ----

    record DnsCheckOut(String status, String expected, List<String> found, String detail) {}

    /** [doc] A domain of the workspace. {@code dns_status} is measured in live DNS. */
    record DomainInfo(
            String id,
            String domain,
            String status,
            String registrar,
            @JsonProperty("dns_status") Map<String, DnsCheckOut> dnsStatus,
            @JsonProperty("dns_checked_at") Instant dnsCheckedAt,
            @JsonProperty("redirect_domain") String redirectDomain,
            @JsonProperty("mailbox_count") long mailboxCount,
            List<String> nameservers,
            @JsonProperty("expires_at") Instant expiresAt,
            String source,
            @JsonProperty("dns_provider") String dnsProvider,
            @JsonProperty("created_at") Instant createdAt) {}

    record CheckDomainsIn(@NotNull List<String> domains) {}

    enum DomainAvailabilityStatus { available, taken, invalid, unsupported_tld, premium }

    record DomainAvailability(String domain, DomainAvailabilityStatus status, BigDecimal price, String currency, String detail) {}

    record CheckDomainsOut(List<DomainAvailability> results) {}

    /** [doc] WHOIS contact of the registrant. */
    record DomainPurchaseContactInfo(
            @NotBlank @Size(max = 60) String firstName,
            @NotBlank @Size(max = 60) String lastName,
            @Size(max = 100) String organization,
            @NotBlank @jakarta.validation.constraints.Email @Size(max = 254) String email,
            @NotBlank @jakarta.validation.constraints.Pattern(regexp = "\\+?[0-9 .()-]{6,20}", message = "must be a phone number such as +1.5555550100") String phone,
            @NotBlank @Size(max = 100) String address1,
            @Size(max = 100) String address2,
            @NotBlank @Size(max = 60) String city,
            @NotBlank @Size(max = 60) String stateProvince,
            @NotBlank @Size(max = 16) String postalCode,
            @NotBlank @jakarta.validation.constraints.Pattern(regexp = "[A-Z]{2}", message = "must be a two-letter ISO country code") String country) {

        Registrar.ContactInfo toContact() {
            return new Registrar.ContactInfo(firstName, lastName, organization, email, phone, address1, address2, city,
                    stateProvince, postalCode, country);
        }
    }

    /** [doc] */
    record DomainPurchaseRequest(
            @NotNull List<String> domains,
            @Min(1) @Max(10) Integer years,
            String redirectDomain,
            @NotNull @Valid DomainPurchaseContactInfo contactInfo,
            Boolean whoisPrivacy,
            Boolean allowPremium) {}

    record DomainOrderItemOut(String domain, String status, BigDecimal price, String error) {}

    /** [doc] The order and each domain's status. */
    record DomainPurchaseResponse(String orderId, String status, List<DomainOrderItemOut> domains, BigDecimal total,
            String currency) {

        static DomainPurchaseResponse of(DomainOrders.Order o) {
            return new DomainPurchaseResponse(o.id(), o.status(),
                    o.items().stream().map(i -> new DomainOrderItemOut(i.domain(), i.status(), i.price(), i.error())).toList(),
                    o.total(), o.currency());
        }
    }

    /** Connect domains the workspace already owns at another registrar. */
    record ConnectDomainsIn(@NotNull List<String> domains, String redirectDomain) {}

    /** [doc] */
    record PublicDomainRedirectsUpdateIn(@NotNull List<String> domains, String redirectDomain) {}

    /** [doc] One DNS record; managed ones are maintained by the server and read-only. */
    record DNSRecord(String id, String type, String name, String value, int ttl, Integer priority, boolean managed,
            String purpose) {

        static DNSRecord of(RecordRow r) {
            return new DNSRecord(r.id(), r.type(), r.name(), r.value(), r.ttl(), r.priority(), r.managed(), r.purpose());
        }
    }

    /** One edit: no id = create; id = update that user record; id + delete = remove it. */
    record DNSRecordEditIn(String id, String type, String name, String value, Integer ttl, Integer priority, Boolean delete) {}

    /** [doc] */
    record UpdateDNSRecordRequest(@NotNull List<DNSRecordEditIn> records) {}

    /** [doc] */
    record TransferCheckoutRequest(@NotNull List<String> domains, Map<String, String> authCodes) {}

    /** [doc] */
    record TransferCheckoutResponse(String transferId, String checkoutUrl, List<String> domains) {}

    /** [doc] */
    record TransferDomainStatus(String domain, String status, String detail, Instant updatedAt) {}

    /** [doc] */
    record TransferStatusResponse(List<TransferDomainStatus> domains) {}

    private final DomainService domains;
    private final DomainOrders orders;
    private final DomainTransfers transfers;
    private final List<DomainMailboxCounter> mailboxCounters;
    private final ObjectMapper json;

    DomainController(DomainService domains, DomainOrders orders, DomainTransfers transfers,
            List<DomainMailboxCounter> mailboxCounters, ObjectMapper json) {
        this.domains = domains;
        this.orders = orders;
        this.transfers = transfers;
        this.mailboxCounters = mailboxCounters;
        this.json = json;
    }

    @Operation(summary = "List Domains")
    @RequiredScope(Scope.READ)
    @GetMapping("/domains")
    List<DomainInfo> list(Caller caller, @RequestParam(required = false) Long workspaceId) {
        long ws = caller.workspace(workspaceId);
        return domains.list(ws).stream().map(this::info).toList();
    }

    @Operation(summary = "Connect own domains",
            description = "Adds domains the workspace already owns elsewhere: creates the DNS zone with the managed records "
                    + "and returns the nameservers to set at the registrar. Verification turns them active.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/domains")
    @ResponseStatus(HttpStatus.CREATED)
    List<DomainInfo> connect(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody ConnectDomainsIn request) {
        long ws = caller.workspace(workspaceId);
        return domains.connect(ws, request.domains(), request.redirectDomain()).stream().map(this::info).toList();
    }

    @Operation(summary = "Check Domains", description = "Availability and price of up to 50 names; invalid names are reported, not refused.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/domains/check")
    CheckDomainsOut check(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody CheckDomainsIn request) {
        long ws = caller.workspace(workspaceId);
        return new CheckDomainsOut(domains.check(ws, request.domains()).stream()
                .map(a -> new DomainAvailability(a.domain(), DomainAvailabilityStatus.valueOf(a.status().name()), a.price(),
                        a.currency(), a.detail()))
                .toList());
    }

    @Operation(summary = "Purchase Domains",
            description = "Buys domains as one order (billing scope and a payment method required). Each domain comes out "
                    + "with DNS zone, MX, SPF, DKIM, DMARC and redirect. Nothing is bought unless every name is available.")
    @RequiredScope(Scope.BILLING)
    @PostMapping("/domains/purchase")
    DomainPurchaseResponse purchase(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody DomainPurchaseRequest request) {
        long ws = caller.workspace(workspaceId);
        int years = request.years() == null ? 1 : request.years();
        return DomainPurchaseResponse.of(orders.purchase(ws, request.domains(), years, request.contactInfo().toContact(),
                !Boolean.FALSE.equals(request.whoisPrivacy()), request.redirectDomain(),
                Boolean.TRUE.equals(request.allowPremium())));
    }

    @Operation(summary = "Get Domain Order", description = "A purchase order and the status of each of its domains.")
    @RequiredScope(Scope.READ)
    @GetMapping("/domains/orders/{order_id}")
    DomainPurchaseResponse order(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("order_id") String orderId) {
        long ws = caller.workspace(workspaceId);
        return orders.find(ws, orderId).map(DomainPurchaseResponse::of).orElseThrow(() -> new ApiException.NotFound("Order " + orderId));
    }

    @Operation(summary = "Update Domains Redirects", description = "Sets (or with an empty redirectDomain, removes) the web redirect of several domains.")
    @RequiredScope(Scope.WRITE)
    @PatchMapping("/domains/redirects")
    List<DomainInfo> redirects(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody PublicDomainRedirectsUpdateIn request) {
        long ws = caller.workspace(workspaceId);
        return domains.setRedirects(ws, request.domains(), request.redirectDomain()).stream().map(this::info).toList();
    }

    @Operation(summary = "Get Dns Records")
    @RequiredScope(Scope.READ)
    @GetMapping("/domains/{domain}/dns-records")
    List<DNSRecord> records(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable String domain) {
        long ws = caller.workspace(workspaceId);
        return domains.records(ws, domain).stream().map(DNSRecord::of).toList();
    }

    @Operation(summary = "Update Dns Records",
            description = "Creates, updates or deletes the user's own records. Managed records cannot be changed; a second SPF "
                    + "or DMARC, records at the DKIM name, or a CNAME beside other records are refused (422).")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/domains/{domain}/dns-records")
    List<DNSRecord> updateRecords(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable String domain,
            @Valid @RequestBody UpdateDNSRecordRequest request) {
        long ws = caller.workspace(workspaceId);
        var edits = request.records().stream().map(e -> e == null ? null
                : new RecordEdits.Edit(e.id(), e.type(), e.name(), e.value(), e.ttl(), e.priority(), e.delete())).toList();
        return domains.updateRecords(ws, domain, edits).stream().map(DNSRecord::of).toList();
    }

    @Operation(summary = "Verify Domain DNS",
            description = "Checks SPF, DKIM, DMARC and MX in live DNS now (they are also re-checked on a schedule) and "
                    + "returns the domain with each result: ok, missing, or mismatch with the expected and found values.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/domains/{domain}/verify")
    DomainInfo verify(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable String domain) {
        long ws = caller.workspace(workspaceId);
        DomainRow d = domains.get(ws, domain);
        domains.verify(d);
        return info(domains.get(ws, d.name()));
    }

    @Operation(summary = "Start Cloudflare domain transfer flow",
            description = "Starts moving domains of the workspace to Cloudflare Registrar: one checkout for all of them, "
                    + "then each moves pending_payment → pending_auth → transferring → completed.")
    @RequiredScope(Scope.BILLING)
    @PostMapping("/domains/cloudflare-transfer")
    TransferCheckoutResponse startTransfer(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody TransferCheckoutRequest request) {
        long ws = caller.workspace(workspaceId);
        var started = transfers.start(ws, request.domains(), request.authCodes());
        return new TransferCheckoutResponse(started.transferId(), started.checkoutUrl(), started.domains());
    }

    @Operation(summary = "Start Cloudflare domain transfer flow", operationId = "start_cloudflare_domain_transfer_flow_alias",
            description = "Alias of POST /domains/cloudflare-transfer.")
    @RequiredScope(Scope.BILLING)
    @PostMapping("/domains/transfer/cloudflare")
    TransferCheckoutResponse startTransferAlias(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody TransferCheckoutRequest request) {
        return startTransfer(caller, workspaceId, request);
    }

    @Operation(summary = "Get Cloudflare transfer status for workspace domains")
    @RequiredScope(Scope.READ)
    @GetMapping("/domains/cloudflare-transfer/status")
    TransferStatusResponse transferStatus(Caller caller, @RequestParam(required = false) Long workspaceId) {
        long ws = caller.workspace(workspaceId);
        return new TransferStatusResponse(transfers.status(ws).stream()
                .map(t -> new TransferDomainStatus(t.domain(), t.status(), t.detail(), t.updatedAt())).toList());
    }

    @Operation(summary = "Get Cloudflare transfer status for workspace domains",
            operationId = "get_cloudflare_transfer_status_for_workspace_domains_alias",
            description = "Alias of GET /domains/cloudflare-transfer/status.")
    @RequiredScope(Scope.READ)
    @GetMapping("/domains/transfer/cloudflare/status")
    TransferStatusResponse transferStatusAlias(Caller caller, @RequestParam(required = false) Long workspaceId) {
        return transferStatus(caller, workspaceId);
    }

    private DomainInfo info(DomainRow d) {
        Map<String, DnsCheckOut> status = new LinkedHashMap<>();
        JsonNode node = json.readTree(d.dnsStatusJson() == null ? "{}" : d.dnsStatusJson());
        for (String key : List.of("spf", "dkim", "dmarc", "mx")) {
            JsonNode c = node.get(key);
            if (c == null) {
                status.put(key, new DnsCheckOut("unknown", null, List.of(), "not checked yet"));
            } else {
                var found = new java.util.ArrayList<String>();
                c.path("found").forEach(f -> found.add(f.asString()));
                status.put(key, new DnsCheckOut(c.path("status").asString(), c.path("expected").asString(null), found,
                        c.path("detail").asString(null)));
            }
        }
        long mailboxes = mailboxCounters.stream().mapToLong(m -> m.mailboxes(d.workspaceId(), d.name())).sum();
        String redirect = d.redirectUrl();
        return new DomainInfo(d.id(), d.name(), d.status(), d.registrar(), status, d.dnsCheckedAt(), redirect, mailboxes,
                d.nameservers(), d.expiresAt(), d.source(), d.dnsProvider(), d.createdAt());
    }
}
