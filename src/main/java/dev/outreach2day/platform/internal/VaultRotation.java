package dev.outreach2day.platform.internal;

import dev.outreach2day.platform.SecretVault;
import dev.outreach2day.platform.VaultedColumn;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Re-encrypts every vault ciphertext that was not made with the current master key
 * ({@code ./outreach2day rotate-master-key}). Table by table, each in one transaction, so a
 * failure leaves every value readable (old or new key); safe to run again.
 */
@Component
class VaultRotation {

    private static final Logger log = LoggerFactory.getLogger(VaultRotation.class);
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

    private final List<VaultedColumn.Registry> registries;
    private final SecretVault vault;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    VaultRotation(List<VaultedColumn.Registry> registries, SecretVault vault, JdbcClient jdbc, TransactionTemplate tx) {
        this.registries = registries;
        this.vault = vault;
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /** Returns how many values were re-encrypted. */
    int rotate() {
        int total = 0;
        String prefix = "o2dv1:" + vault.currentKeyId() + ":";
        for (var registry : registries) {
            for (VaultedColumn c : registry.vaultedColumns()) {
                if (!IDENTIFIER.matcher(c.table()).matches() || !IDENTIFIER.matcher(c.column()).matches()) {
                    throw new IllegalStateException("invalid vaulted column " + c);
                }
                // table/column come from code (checked above), never from input; contextSql likewise
                String select = "SELECT ctid::text AS row_id, " + c.column() + " AS sealed, " + c.contextSql() + " AS context FROM "
                        + c.table() + " WHERE " + c.column() + " IS NOT NULL AND " + c.column() + " NOT LIKE :prefix FOR UPDATE";
                String update = "UPDATE " + c.table() + " SET " + c.column() + " = :fresh WHERE ctid = :rowId::tid AND "
                        + c.column() + " = :sealed";
                Integer n = tx.execute(status -> {
                    var rows = jdbc.sql(select).param("prefix", prefix + "%")
                            .query((rs, i) -> new String[] {rs.getString("row_id"), rs.getString("sealed"), rs.getString("context")})
                            .list();
                    for (String[] row : rows) {
                        String plain = vault.decrypt(row[1], row[2]);
                        jdbc.sql(update).param("fresh", vault.encrypt(plain, row[2])).param("rowId", row[0])
                                .param("sealed", row[1]).update();
                    }
                    return rows.size();
                });
                if (n != null && n > 0) {
                    log.info("Re-encrypted {} values of {}.{} under master key {}", n, c.table(), c.column(), vault.currentKeyId());
                }
                total += n == null ? 0 : n;
            }
        }
        return total;
    }
}
