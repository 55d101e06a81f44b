package dev.outreach2day.workspace;

import dev.outreach2day.platform.Ids;
import dev.outreach2day.workspace.WorkspaceRepository.PaymentMethodRow;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Payment methods of workspaces, and the setup flows that add them. */
@Service
class PaymentService {

    private static final String INSERT_SESSION = """
            INSERT INTO payment_setup_sessions (workspace_id, id, provider, external_id, token_hash, status, expires_at)
            VALUES (:workspaceId, :id, :provider, :externalId, :tokenHash, 'open', :expiresAt)
            """;

    /** Claims an open, unexpired session exactly once; RETURNING gives its workspace. */
    private static final String COMPLETE_BY_TOKEN = """
            UPDATE payment_setup_sessions SET status = 'completed', completed_at = now()
             WHERE token_hash = :tokenHash AND status = 'open' AND expires_at > now()
            RETURNING workspace_id
            """;

    private static final String FIND_OPEN_BY_TOKEN = """
            SELECT s.workspace_id, w.project_name FROM payment_setup_sessions s JOIN workspaces w ON w.id = s.workspace_id
             WHERE s.token_hash = :tokenHash AND s.status = 'open' AND s.expires_at > now()
            """;

    private static final String COMPLETE_BY_EXTERNAL = """
            UPDATE payment_setup_sessions SET status = 'completed', completed_at = now()
             WHERE provider = :provider AND external_id = :externalId AND status = 'open'
            RETURNING workspace_id
            """;

    private static final String FIND_BY_EXTERNAL = """
            SELECT workspace_id FROM payment_setup_sessions WHERE provider = :provider AND external_id = :externalId
            """;

    private static final String RECORD_EVENT = """
            INSERT INTO billing_events (provider, event_id, type) VALUES (:provider, :eventId, :type)
            ON CONFLICT DO NOTHING
            """;

    private final PaymentProvider provider;
    private final WorkspaceRepository workspaces;
    private final JdbcClient jdbc;
    private final Clock clock;

    PaymentService(List<PaymentProvider> providers, dev.outreach2day.platform.O2dProperties props,
            WorkspaceRepository workspaces, JdbcClient jdbc, Clock clock) {
        String wanted = props.payment().effectiveProvider();
        this.provider = providers.stream().filter(p -> p.name().equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalStateException("O2D_PAYMENT_PROVIDER=" + wanted
                        + " is not available (known: sandbox, stripe; stripe needs O2D_STRIPE_SECRET_KEY)"));
        this.workspaces = workspaces;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    String providerName() {
        return provider.name();
    }

    Optional<PaymentMethodRow> paymentMethod(long workspaceId) {
        return workspaces.findPaymentMethod(workspaceId);
    }

    /** Starts a setup flow and records it, so its completion can be tied back to the workspace. */
    String startSetup(long workspaceId) {
        String sessionId = Ids.next("pms", clock.millis());
        PaymentProvider.SetupStarted started = provider.startSetup(workspaceId, sessionId);
        jdbc.sql(INSERT_SESSION).param("workspaceId", workspaceId).param("id", sessionId).param("provider", provider.name())
                .param("externalId", started.externalId()).param("tokenHash", started.tokenHash())
                .param("expiresAt", java.sql.Timestamp.from(started.expiresAt())).update();
        return started.url();
    }

    private static final String INSERT_CHECKOUT = """
            INSERT INTO payment_checkouts (workspace_id, id, reference, description, amount, currency, provider, external_id,
                                           token_hash, status, expires_at)
            VALUES (:workspaceId, :id, :reference, :description, :amount, :currency, :provider, :externalId, :tokenHash,
                    'open', :expiresAt)
            """;

    private static final String OPEN_CHECKOUT_BY_TOKEN = """
            SELECT description, amount, currency FROM payment_checkouts
             WHERE token_hash = :tokenHash AND status = 'open' AND expires_at > now()
            """;

    private static final String PAY_BY_TOKEN = """
            UPDATE payment_checkouts SET status = 'paid', paid_at = now()
             WHERE token_hash = :tokenHash AND status = 'open' AND expires_at > now()
            RETURNING workspace_id
            """;

    private static final String PAY_BY_EXTERNAL = """
            UPDATE payment_checkouts SET status = 'paid', paid_at = now()
             WHERE provider = :provider AND external_id = :externalId AND status = 'open'
            RETURNING workspace_id
            """;

    private static final String CHECKOUT_PAID = """
            SELECT status = 'paid' FROM payment_checkouts WHERE workspace_id = :workspaceId AND id = :id
            """;

    /** What a sandbox checkout page shows. */
    record CheckoutView(String description, java.math.BigDecimal amount, String currency) {}

    /** Starts a one-off payment and records it; returns (checkout id, URL for the person). */
    String[] startCheckout(long workspaceId, String reference, String description, java.math.BigDecimal amount, String currency) {
        String checkoutId = Ids.next("chk", clock.millis());
        PaymentProvider.SetupStarted started = provider.startCheckout(workspaceId, checkoutId, description, amount, currency);
        jdbc.sql(INSERT_CHECKOUT).param("workspaceId", workspaceId).param("id", checkoutId).param("reference", reference)
                .param("description", description).param("amount", amount).param("currency", currency)
                .param("provider", provider.name()).param("externalId", started.externalId())
                .param("tokenHash", started.tokenHash()).param("expiresAt", java.sql.Timestamp.from(started.expiresAt()))
                .update();
        return new String[] {checkoutId, started.url()};
    }

    Optional<CheckoutView> openSandboxCheckout(byte[] tokenHash) {
        return jdbc.sql(OPEN_CHECKOUT_BY_TOKEN).param("tokenHash", tokenHash)
                .query((rs, n) -> new CheckoutView(rs.getString(1), rs.getBigDecimal(2), rs.getString(3))).optional();
    }

    /** Pays a sandbox checkout once with the workspace's test card. */
    Optional<Long> paySandboxCheckout(byte[] tokenHash) {
        return jdbc.sql(PAY_BY_TOKEN).param("tokenHash", tokenHash).query(Long.class).optional();
    }

    /** A provider reported a checkout paid (Stripe: checkout.session.completed in payment mode). */
    Optional<Long> payExternalCheckout(String providerName, String externalSessionId) {
        return jdbc.sql(PAY_BY_EXTERNAL).param("provider", providerName).param("externalId", externalSessionId)
                .query(Long.class).optional();
    }

    boolean checkoutPaid(long workspaceId, String checkoutId) {
        return jdbc.sql(CHECKOUT_PAID).param("workspaceId", workspaceId).param("id", checkoutId).query(Boolean.class)
                .optional().orElse(false);
    }

    /** The workspace name behind an open sandbox token, for the confirmation page. */
    Optional<String> openSandboxSession(byte[] tokenHash) {
        return jdbc.sql(FIND_OPEN_BY_TOKEN).param("tokenHash", tokenHash).query((rs, n) -> rs.getString(2)).optional();
    }

    /** Completes a sandbox setup once: the workspace gets the sandbox test card. */
    @Transactional
    Optional<Long> completeSandbox(byte[] tokenHash, PaymentMethodRow card) {
        Optional<Long> workspaceId = jdbc.sql(COMPLETE_BY_TOKEN).param("tokenHash", tokenHash).query(Long.class).optional();
        workspaceId.ifPresent(ws -> workspaces.savePaymentMethod(ws, card));
        return workspaceId;
    }

    /**
     * Applies a provider's "setup completed" notification once per event id: the session is
     * marked completed and its workspace gets the card. Returns the workspace, or empty when the
     * event was seen before or names no session of ours.
     */
    @Transactional
    Optional<Long> completeExternal(String providerName, String eventId, String eventType, String externalSessionId,
            PaymentMethodRow card) {
        int fresh = jdbc.sql(RECORD_EVENT).param("provider", providerName).param("eventId", eventId).param("type", eventType)
                .update();
        if (fresh == 0) {
            return Optional.empty();
        }
        Optional<Long> workspaceId = jdbc.sql(COMPLETE_BY_EXTERNAL).param("provider", providerName)
                .param("externalId", externalSessionId).query(Long.class).optional();
        if (workspaceId.isEmpty()) {
            // Completed before (another event) or expired: still attach the card to its workspace.
            workspaceId = jdbc.sql(FIND_BY_EXTERNAL).param("provider", providerName).param("externalId", externalSessionId)
                    .query(Long.class).optional();
        }
        workspaceId.ifPresent(ws -> workspaces.savePaymentMethod(ws, card));
        return workspaceId;
    }
}
