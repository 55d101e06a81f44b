package dev.outreach2day.workspace;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class WorkspaceRepository {

    record WorkspaceRow(long id, long ownerAccountId, String projectName, String description, String plan,
            int maxMailboxes, String subscriptionStatus, Instant createdAt, String role) {}

    record PaymentMethodRow(String provider, String externalId, String brand, String last4, int expMonth, int expYear) {}

    private static final String INSERT_ACCOUNT = """
            INSERT INTO accounts (email, name) VALUES (:email, :name) RETURNING id
            """;

    private static final String INSERT_WORKSPACE = """
            INSERT INTO workspaces (owner_account_id, project_name, description, max_mailboxes)
            VALUES (:accountId, :projectName, :description, :maxMailboxes)
            RETURNING id
            """;

    private static final String INSERT_MEMBER = """
            INSERT INTO workspace_members (workspace_id, account_id, role) VALUES (:workspaceId, :accountId, :role)
            """;

    private static final String SELECT = """
            SELECT w.id, w.owner_account_id, w.project_name, w.description, w.plan, w.max_mailboxes,
                   w.subscription_status, w.created_at, m.role
              FROM workspaces w
              JOIN workspace_members m ON m.workspace_id = w.id
            """;

    /** Workspaces the account belongs to; served by workspace_members_account. */
    private static final String LIST_FOR_ACCOUNT = SELECT + " WHERE m.account_id = :accountId ORDER BY w.id";

    private static final String FIND_FOR_ACCOUNT = SELECT + " WHERE m.account_id = :accountId AND w.id = :workspaceId";

    private static final String ADMINISTERED = """
            SELECT workspace_id FROM workspace_members
             WHERE account_id = :accountId AND role IN ('owner', 'admin') ORDER BY workspace_id
            """;

    private static final String UPDATE_PLAN = """
            UPDATE workspaces
               SET max_mailboxes = :maxMailboxes, plan = :plan, subscription_status = :subscriptionStatus, updated_at = now()
             WHERE id = :workspaceId
            """;

    private static final String COUNT_MEMBERS = "SELECT count(*) FROM workspace_members WHERE workspace_id = :workspaceId";

    private static final String FIND_PAYMENT_METHOD = """
            SELECT provider, external_id, brand, last4, exp_month, exp_year FROM payment_methods WHERE workspace_id = :workspaceId
            """;

    /** One card per workspace: a new one replaces the old. */
    private static final String UPSERT_PAYMENT_METHOD = """
            INSERT INTO payment_methods (workspace_id, provider, external_id, brand, last4, exp_month, exp_year)
            VALUES (:workspaceId, :provider, :externalId, :brand, :last4, :expMonth, :expYear)
            ON CONFLICT (workspace_id) DO UPDATE
               SET provider = EXCLUDED.provider, external_id = EXCLUDED.external_id, brand = EXCLUDED.brand,
                   last4 = EXCLUDED.last4, exp_month = EXCLUDED.exp_month, exp_year = EXCLUDED.exp_year, updated_at = now()
            """;

    private static final String COUNT_ACCOUNTS = "SELECT count(*) FROM accounts";

    private static final String MAX_MAILBOXES_FOR_UPDATE = "SELECT max_mailboxes FROM workspaces WHERE id = :workspaceId FOR UPDATE";

    private final JdbcClient jdbc;

    WorkspaceRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long insertAccount(String email, String name) {
        return jdbc.sql(INSERT_ACCOUNT).param("email", email).param("name", name).query(Long.class).single();
    }

    long insertWorkspace(long accountId, String projectName, String description, int maxMailboxes) {
        long id = jdbc.sql(INSERT_WORKSPACE).param("accountId", accountId).param("projectName", projectName)
                .param("description", description).param("maxMailboxes", maxMailboxes).query(Long.class).single();
        jdbc.sql(INSERT_MEMBER).param("workspaceId", id).param("accountId", accountId).param("role", "owner").update();
        return id;
    }

    List<WorkspaceRow> listForAccount(long accountId) {
        return jdbc.sql(LIST_FOR_ACCOUNT).param("accountId", accountId).query(WorkspaceRepository::map).list();
    }

    Optional<WorkspaceRow> findForAccount(long accountId, long workspaceId) {
        return jdbc.sql(FIND_FOR_ACCOUNT).param("accountId", accountId).param("workspaceId", workspaceId)
                .query(WorkspaceRepository::map).optional();
    }

    List<Long> workspacesAdministeredBy(long accountId) {
        return jdbc.sql(ADMINISTERED).param("accountId", accountId).query(Long.class).list();
    }

    boolean canAdminister(long accountId, long workspaceId) {
        return workspacesAdministeredBy(accountId).contains(workspaceId);
    }

    void updatePlan(long workspaceId, int maxMailboxes, String plan, String subscriptionStatus) {
        jdbc.sql(UPDATE_PLAN).param("workspaceId", workspaceId).param("maxMailboxes", maxMailboxes).param("plan", plan)
                .param("subscriptionStatus", subscriptionStatus).update();
    }

    long countMembers(long workspaceId) {
        return jdbc.sql(COUNT_MEMBERS).param("workspaceId", workspaceId).query(Long.class).single();
    }

    Optional<PaymentMethodRow> findPaymentMethod(long workspaceId) {
        return jdbc.sql(FIND_PAYMENT_METHOD).param("workspaceId", workspaceId)
                .query((rs, n) -> new PaymentMethodRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5), rs.getInt(6)))
                .optional();
    }

    void savePaymentMethod(long workspaceId, PaymentMethodRow pm) {
        jdbc.sql(UPSERT_PAYMENT_METHOD).param("workspaceId", workspaceId).param("provider", pm.provider())
                .param("externalId", pm.externalId()).param("brand", pm.brand()).param("last4", pm.last4())
                .param("expMonth", pm.expMonth()).param("expYear", pm.expYear()).update();
    }

    int maxMailboxesForUpdate(long workspaceId) {
        return jdbc.sql(MAX_MAILBOXES_FOR_UPDATE).param("workspaceId", workspaceId).query(Integer.class).single();
    }

    long countAccounts() {
        return jdbc.sql(COUNT_ACCOUNTS).query(Long.class).single();
    }

    private static WorkspaceRow map(ResultSet rs, int n) throws SQLException {
        return new WorkspaceRow(rs.getLong("id"), rs.getLong("owner_account_id"), rs.getString("project_name"),
                rs.getString("description"), rs.getString("plan"), rs.getInt("max_mailboxes"),
                rs.getString("subscription_status"), ApiKeyRepository.instant(rs, "created_at"), rs.getString("role"));
    }
}
