package dev.outreach2day.domain;

import dev.outreach2day.domain.TransferProvider.Status;
import dev.outreach2day.domain.TransferProvider.TransferState;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.platform.SecretVault;
import dev.outreach2day.workspace.Workspaces;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Transfers of a workspace's domains to Cloudflare Registrar: one checkout for the batch, then
 * each domain moves pending_payment → pending_auth → transferring → completed (or failed). The
 * states advance when the status is read and on a schedule; auth codes are kept encrypted and
 * dropped when the transfer ends.
 */
@Service
class DomainTransfers {

    private static final Logger log = LoggerFactory.getLogger(DomainTransfers.class);

    private static final String INSERT = """
            INSERT INTO domain_transfers (workspace_id, id, checkout_id, domain, auth_code, status, detail, provider)
            VALUES (:workspaceId, :id, :checkoutId, :domain, :authCode, 'pending_payment', :detail, :provider)
            """;
    private static final String OPEN = """
            SELECT workspace_id, id, checkout_id, domain, auth_code, status, detail, paid_at, started_at, updated_at
              FROM domain_transfers WHERE workspace_id = :workspaceId AND status NOT IN ('completed', 'failed', 'cancelled')
            """;
    private static final String ALL_OPEN = """
            SELECT workspace_id, id, checkout_id, domain, auth_code, status, detail, paid_at, started_at, updated_at
              FROM domain_transfers WHERE status NOT IN ('completed', 'failed', 'cancelled') ORDER BY updated_at LIMIT 200
            """;
    /** The latest transfer of each domain of the workspace. */
    private static final String LATEST = """
            SELECT DISTINCT ON (domain) workspace_id, id, checkout_id, domain, auth_code, status, detail, paid_at, started_at, updated_at
              FROM domain_transfers WHERE workspace_id = :workspaceId
             ORDER BY domain, created_at DESC
            """;
    private static final String UPDATE = """
            UPDATE domain_transfers SET status = :status, detail = :detail, paid_at = :paidAt, started_at = :startedAt,
                   auth_code = CASE WHEN :status IN ('completed', 'failed', 'cancelled') THEN NULL ELSE auth_code END,
                   updated_at = now()
             WHERE workspace_id = :workspaceId AND id = :id AND status = :previous
            """;
    private static final String MARK_DOMAIN_TRANSFERRED = """
            UPDATE domains SET registrar = 'cloudflare', updated_at = now() WHERE workspace_id = :workspaceId AND name = :domain
               AND status <> 'removed'
            """;

    record Transfer(long workspaceId, String id, String checkoutId, String domain, String authCode, String status,
            String detail, Instant paidAt, Instant startedAt, Instant updatedAt) {}

    record Started(String transferId, String checkoutUrl, List<String> domains) {}

    private final DomainService domains;
    private final DomainProviders providers;
    private final DomainProperties props;
    private final Workspaces workspaces;
    private final SecretVault vault;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    DomainTransfers(DomainService domains, DomainProviders providers, DomainProperties props, Workspaces workspaces,
            SecretVault vault, JdbcClient jdbc, TransactionTemplate tx, Clock clock) {
        this.domains = domains;
        this.providers = providers;
        this.props = props;
        this.workspaces = workspaces;
        this.vault = vault;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
    }

    Started start(long workspaceId, List<String> input, Map<String, String> authCodes) {
        List<String> names = DomainService.requireNames(input, "domains");
        var problems = new ArrayList<dev.outreach2day.platform.ApiException.FieldProblem>();
        var codes = new java.util.HashMap<String, String>();
        for (String name : names) {
            String code = null;
            if (authCodes != null) {
                for (var e : authCodes.entrySet()) {
                    if (DomainNames.normalize(e.getKey()) instanceof DomainNames.Valid v && v.ascii().equals(name)) code = e.getValue();
                }
            }
            if (code == null || code.isBlank()) {
                problems.add(ApiException.FieldProblem.at("body", "the auth (EPP) code of " + name + " is required", "missing",
                        "authCodes", name));
            } else if (code.length() > 64) {
                problems.add(ApiException.FieldProblem.at("body", "auth codes are at most 64 characters", "value_error", "authCodes", name));
            } else {
                codes.put(name, code.strip());
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException.Invalid(problems);
        }
        for (String name : names) {
            domains.get(workspaceId, name); // 404 unless the workspace holds it
        }
        BigDecimal price = new BigDecimal(props.transfer().price()).multiply(BigDecimal.valueOf(names.size()));
        var checkout = workspaces.startCheckout(workspaceId, "cloudflare-transfer",
                "Transfer to Cloudflare Registrar: " + String.join(", ", names), price, "USD");
        try {
            tx.executeWithoutResult(status -> {
                for (String name : names) {
                    jdbc.sql(INSERT).param("workspaceId", workspaceId).param("id", Ids.next("trf", clock.millis()))
                            .param("checkoutId", checkout.id()).param("domain", name)
                            .param("authCode", vault.encrypt(codes.get(name), "transfer:" + name))
                            .param("detail", "Waiting for payment").param("provider", providers.transfers().name()).update();
                }
            });
        } catch (DuplicateKeyException e) {
            throw new ApiException.Conflict("TRANSFER_IN_PROGRESS", "One of these domains is already being transferred");
        }
        return new Started(checkout.id(), checkout.url(), names);
    }

    /** The latest transfer of each of the workspace's domains, advanced to now. */
    List<Transfer> status(long workspaceId) {
        for (Transfer t : jdbc.sql(OPEN).param("workspaceId", workspaceId).query(DomainTransfers::map).list()) {
            advance(t);
        }
        return jdbc.sql(LATEST).param("workspaceId", workspaceId).query(DomainTransfers::map).list();
    }

    @Scheduled(initialDelayString = "PT20S", fixedDelayString = "PT30S")
    void advanceAll() {
        for (Transfer t : jdbc.sql(ALL_OPEN).query(DomainTransfers::map).list()) {
            try {
                advance(t);
            } catch (RuntimeException e) {
                log.warn("Advancing transfer {} of {} failed: {}", t.id(), t.domain(), e.getMessage());
            }
        }
    }

    private void advance(Transfer t) {
        Status current = Status.valueOf(t.status());
        Instant paidAt = t.paidAt();
        Instant startedAt = t.startedAt();
        TransferState next;
        if (paidAt == null) {
            if (!workspaces.checkoutPaid(t.workspaceId(), t.checkoutId())) {
                return;
            }
            paidAt = clock.instant();
        }
        try {
            if (startedAt == null) {
                // Paid but not yet submitted to the registrar (first time, or the last submit failed temporarily).
                Instant now = clock.instant();
                next = providers.transfers().start(t.domain(), vault.decrypt(t.authCode(), "transfer:" + t.domain()), now);
                startedAt = now;
            } else {
                next = providers.transfers().status(t.domain(), startedAt);
            }
        } catch (DnsProvider.DnsProviderException e) {
            // Temporary (zone not active yet, rate limit, outage): keep going later, say why.
            // Permanent (no zone, refused): the transfer fails with the provider's reason.
            next = e.retryable()
                    ? new TransferState(current == Status.pending_payment ? Status.pending_auth : current, "Waiting: " + e.getMessage())
                    : new TransferState(Status.failed, e.getMessage());
        }
        final TransferState result = next;
        if (result.status().name().equals(t.status()) && java.util.Objects.equals(result.detail(), t.detail())) {
            return;
        }
        final Instant paid = paidAt;
        final Instant started = startedAt;
        tx.executeWithoutResult(s -> {
            int changed = jdbc.sql(UPDATE).param("workspaceId", t.workspaceId()).param("id", t.id())
                    .param("status", result.status().name()).param("detail", result.detail()).param("paidAt", ts(paid))
                    .param("startedAt", ts(started)).param("previous", t.status()).update();
            if (changed == 1 && result.status() == Status.completed) {
                jdbc.sql(MARK_DOMAIN_TRANSFERRED).param("workspaceId", t.workspaceId()).param("domain", t.domain()).update();
            }
        });
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static Transfer map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Transfer(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), DomainRepository.instant(rs, "paid_at"),
                DomainRepository.instant(rs, "started_at"), DomainRepository.instant(rs, "updated_at"));
    }
}
