package dev.outreach2day.domain;

import dev.outreach2day.platform.VaultedColumn;
import java.util.List;
import org.springframework.stereotype.Component;

/** The domain capability's secrets at rest, for master-key rotation. */
@Component
class DomainVaultedColumns implements VaultedColumn.Registry {

    @Override
    public List<VaultedColumn> vaultedColumns() {
        return List.of(
                new VaultedColumn("domains", "dkim_private_key", "'dkim:' || name"),
                new VaultedColumn("domain_transfers", "auth_code", "'transfer:' || domain"));
    }
}
