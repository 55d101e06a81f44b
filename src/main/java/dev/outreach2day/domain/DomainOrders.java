package dev.outreach2day.domain;

import dev.outreach2day.domain.Registrar.Availability;
import dev.outreach2day.domain.Registrar.AvailabilityStatus;
import dev.outreach2day.domain.Registrar.ContactInfo;
import dev.outreach2day.domain.Registrar.Registration;
import dev.outreach2day.domain.Registrar.RegistrarException;
import dev.outreach2day.domain.Registrar.RegistrationRequest;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.workspace.Workspaces;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * Domain purchases as orders: validated and priced up front, recorded with one pending item per
 * domain (a name can be in one unfinished order only), then registered item by item. A domain
 * becomes the workspace's only after its registration succeeded; a failed item leaves nothing
 * owned. Items that failed for a temporary reason are retried by a scheduled job.
 */
@Service
class DomainOrders {

    private static final Logger log = LoggerFactory.getLogger(DomainOrders.class);
    static final int MAX_ATTEMPTS = 5;

    private static final String INSERT_ORDER = """
            INSERT INTO domain_orders (workspace_id, id, status, years, whois_privacy, redirect_url, contact, total, currency, registrar)
            VALUES (:workspaceId, :id, 'processing', :years, :whoisPrivacy, :redirectUrl, :contact::jsonb, :total, :currency, :registrar)
            """;
    private static final String INSERT_ITEM = """
            INSERT INTO domain_order_items (workspace_id, order_id, domain, status, price) VALUES (:workspaceId, :orderId, :domain, 'pending', :price)
            """;
    private static final String FIND_ORDER = """
            SELECT id, status, years, whois_privacy, redirect_url, contact::text AS contact, total, currency, created_at
              FROM domain_orders WHERE workspace_id = :workspaceId AND id = :id
            """;
    private static final String ITEMS = """
            SELECT domain, status, price, attempts, error FROM domain_order_items
             WHERE workspace_id = :workspaceId AND order_id = :orderId ORDER BY domain
            """;
    private static final String ITEM_DONE = """
            UPDATE domain_order_items SET status = :status, external_id = :externalId, error = :error, updated_at = now()
             WHERE workspace_id = :workspaceId AND order_id = :orderId AND domain = :domain AND status = 'pending'
            """;
    private static final String ITEM_RETRY = """
            UPDATE domain_order_items SET attempts = attempts + 1, error = :error, updated_at = now()
             WHERE workspace_id = :workspaceId AND order_id = :orderId AND domain = :domain AND status = 'pending'
            """;
    /** completed when every item registered, failed when none did, partial otherwise; processing while any is pending. */
    private static final String SETTLE_ORDER = """
            UPDATE domain_orders o SET updated_at = now(), status = CASE
                   WHEN EXISTS (SELECT 1 FROM domain_order_items i WHERE i.workspace_id = o.workspace_id AND i.order_id = o.id AND i.status = 'pending') THEN 'processing'
                   WHEN NOT EXISTS (SELECT 1 FROM domain_order_items i WHERE i.workspace_id = o.workspace_id AND i.order_id = o.id AND i.status = 'failed') THEN 'completed'
                   WHEN NOT EXISTS (SELECT 1 FROM domain_order_items i WHERE i.workspace_id = o.workspace_id AND i.order_id = o.id AND i.status = 'registered') THEN 'failed'
                   ELSE 'partial' END
             WHERE workspace_id = :workspaceId AND id = :orderId
            """;
    /** Orders with items still pending a minute after their last attempt: a crash or a temporary failure. */
    private static final String STALLED = """
            SELECT DISTINCT workspace_id, order_id FROM domain_order_items
             WHERE status = 'pending' AND updated_at < now() - interval '1 minute' LIMIT 50
            """;

    record Order(String id, String status, int years, boolean whoisPrivacy, String redirectUrl, ContactInfo contact,
            BigDecimal total, String currency, List<Item> items) {}

    record Item(String domain, String status, BigDecimal price, String error) {}

    private final DomainService domains;
    private final DomainProviders providers;
    private final Workspaces workspaces;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final ObjectMapper json;

    DomainOrders(DomainService domains, DomainProviders providers, Workspaces workspaces, JdbcClient jdbc,
            TransactionTemplate tx, ObjectMapper json) {
        this.domains = domains;
        this.providers = providers;
        this.workspaces = workspaces;
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
    }

    Order purchase(long workspaceId, List<String> input, int years, ContactInfo contact, boolean whoisPrivacy,
            String redirect, boolean allowPremium) {
        List<String> names = DomainService.requireNames(input, "domains");
        String redirectUrl = Redirects.normalizeTarget(redirect, "redirectDomain");
        workspaces.requirePaymentMethod(workspaceId);
        domains.requireNotHeld(workspaceId, names);

        List<Availability> availability = providers.registrar().check(names);
        var refused = new ArrayList<String>();
        BigDecimal total = BigDecimal.ZERO;
        String currency = null;
        for (Availability a : availability) {
            boolean ok = a.status() == AvailabilityStatus.available || (allowPremium && a.status() == AvailabilityStatus.premium);
            if (!ok) {
                refused.add(a.domain() + " (" + a.status() + (a.status() == AvailabilityStatus.premium
                        ? ": premium price " + a.price() + " " + a.currency() + ", set allowPremium to buy it" : "") + ")");
            } else {
                total = total.add(a.price().multiply(BigDecimal.valueOf(years)));
                currency = a.currency();
            }
        }
        if (!refused.isEmpty()) {
            throw new ApiException.Conflict("DOMAIN_UNAVAILABLE", "Cannot buy: " + String.join(", ", refused) + "; nothing was bought");
        }
        String orderId = Ids.next("ord");
        final BigDecimal orderTotal = total;
        final String orderCurrency = currency;
        try {
            tx.executeWithoutResult(status -> {
                jdbc.sql(INSERT_ORDER).param("workspaceId", workspaceId).param("id", orderId).param("years", years)
                        .param("whoisPrivacy", whoisPrivacy).param("redirectUrl", redirectUrl)
                        .param("contact", json.writeValueAsString(contact)).param("total", orderTotal)
                        .param("currency", orderCurrency).param("registrar", providers.registrar().name()).update();
                for (Availability a : availability) {
                    jdbc.sql(INSERT_ITEM).param("workspaceId", workspaceId).param("orderId", orderId).param("domain", a.domain())
                            .param("price", a.price().multiply(BigDecimal.valueOf(years))).update();
                }
            });
        } catch (DuplicateKeyException e) {
            throw new ApiException.Conflict("DOMAIN_ORDER_IN_PROGRESS", "One of these domains is already being bought; nothing was bought");
        }
        process(workspaceId, orderId);
        return find(workspaceId, orderId).orElseThrow();
    }

    /** Registers every pending item of an order, then settles the order's status. */
    void process(long workspaceId, String orderId) {
        Order order = find(workspaceId, orderId).orElseThrow();
        for (Item item : order.items()) {
            if (!item.status().equals("pending")) continue;
            try {
                Registration reg = providers.registrar().register(new RegistrationRequest(item.domain(), order.years(),
                        order.contact(), order.whoisPrivacy(), providers.dns().ensureZone(item.domain()).nameservers()));
                domains.provision(new DomainService.Provision(workspaceId, item.domain(), "purchased",
                        providers.registrar().name(), orderId, reg.expiresAt(), order.redirectUrl()));
                jdbc.sql(ITEM_DONE).param("workspaceId", workspaceId).param("orderId", orderId).param("domain", item.domain())
                        .param("status", "registered").param("externalId", reg.externalId()).param("error", null).update();
            } catch (RegistrarException e) {
                failOrRetry(workspaceId, orderId, item.domain(), e.code() + ": " + e.getMessage(), e.retryable());
            } catch (RuntimeException e) {
                log.warn("Provisioning {} of order {} failed", item.domain(), orderId, e);
                failOrRetry(workspaceId, orderId, item.domain(), "provisioning failed: " + e.getMessage(), true);
            }
        }
        jdbc.sql(SETTLE_ORDER).param("workspaceId", workspaceId).param("orderId", orderId).update();
    }

    private void failOrRetry(long workspaceId, String orderId, String domain, String error, boolean retryable) {
        int attempts = jdbc.sql("SELECT attempts FROM domain_order_items WHERE workspace_id = :w AND order_id = :o AND domain = :d")
                .param("w", workspaceId).param("o", orderId).param("d", domain).query(Integer.class).single();
        if (retryable && attempts + 1 < MAX_ATTEMPTS) {
            jdbc.sql(ITEM_RETRY).param("workspaceId", workspaceId).param("orderId", orderId).param("domain", domain)
                    .param("error", error).update();
        } else {
            jdbc.sql(ITEM_DONE).param("workspaceId", workspaceId).param("orderId", orderId).param("domain", domain)
                    .param("status", "failed").param("externalId", null).param("error", error).update();
        }
    }

    /** Resumes orders left with pending items (temporary registrar failures, or a process that died). */
    @Scheduled(initialDelayString = "PT30S", fixedDelayString = "PT1M")
    void resumeStalled() {
        for (var row : jdbc.sql(STALLED).query((rs, n) -> new Object[] {rs.getLong(1), rs.getString(2)}).list()) {
            try {
                process((Long) row[0], (String) row[1]);
            } catch (RuntimeException e) {
                log.warn("Resuming order {} failed: {}", row[1], e.getMessage());
            }
        }
    }

    Optional<Order> find(long workspaceId, String orderId) {
        return jdbc.sql(FIND_ORDER).param("workspaceId", workspaceId).param("id", orderId).query((rs, n) -> {
            List<Item> items = jdbc.sql(ITEMS).param("workspaceId", workspaceId).param("orderId", orderId)
                    .query((r, m) -> new Item(r.getString(1), r.getString(2), r.getBigDecimal(3), r.getString(5))).list();
            return new Order(rs.getString("id"), rs.getString("status"), rs.getInt("years"), rs.getBoolean("whois_privacy"),
                    rs.getString("redirect_url"), json.readValue(rs.getString("contact"), ContactInfo.class),
                    rs.getBigDecimal("total"), rs.getString("currency"), items);
        }).optional();
    }
}
