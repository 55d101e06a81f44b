package dev.outreach2day.platform;

/**
 * A column holding {@link SecretVault} ciphertexts, declared by the module that owns it so the
 * master key can be rotated over all of them. {@code contextSql} is the SQL expression giving
 * the associated data each value was sealed with (e.g. {@code 'dkim:' || name}).
 */
public record VaultedColumn(String table, String column, String contextSql) {

    /** Implemented by each module that stores vault ciphertexts. */
    public interface Registry {
        java.util.List<VaultedColumn> vaultedColumns();
    }
}
