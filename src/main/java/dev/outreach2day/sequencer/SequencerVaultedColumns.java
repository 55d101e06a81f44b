package dev.outreach2day.sequencer;

import dev.outreach2day.platform.VaultedColumn;
import java.util.List;
import org.springframework.stereotype.Component;

/** Sequencer API keys at rest, for master-key rotation. */
@Component
class SequencerVaultedColumns implements VaultedColumn.Registry {

    @Override
    public List<VaultedColumn> vaultedColumns() {
        return List.of(new VaultedColumn("sequencer_connections", "api_key", "'sequencer:' || id"));
    }
}
