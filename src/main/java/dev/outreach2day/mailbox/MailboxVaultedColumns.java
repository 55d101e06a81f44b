package dev.outreach2day.mailbox;

import dev.outreach2day.platform.VaultedColumn;
import java.util.List;
import org.springframework.stereotype.Component;

/** Mailbox passwords at rest, for master-key rotation (local ones share one password for both sides). */
@Component
class MailboxVaultedColumns implements VaultedColumn.Registry {

    @Override
    public List<VaultedColumn> vaultedColumns() {
        return List.of(
                new VaultedColumn("mailboxes", "smtp_password",
                        "CASE provider WHEN 'local' THEN 'mailbox:' || address ELSE 'mailbox-smtp:' || address END"),
                new VaultedColumn("mailboxes", "imap_password",
                        "CASE provider WHEN 'local' THEN 'mailbox:' || address ELSE 'mailbox-imap:' || address END"));
    }
}
