package dev.outreach2day.mailbox;

import dev.outreach2day.platform.EmailAddresses;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** The mailbox capability's facade for other capabilities (campaigns, sending, warmup). */
@Component
public class Mailboxes {

    /** What other capabilities may know of a mailbox: never its credentials. */
    public record MailboxView(String id, String address, String domain, String provider, String status, String warmupStatus,
            int dailyLimit, String firstName, String lastName, String signature) {}

    private final MailboxRepository repository;
    private final dev.outreach2day.platform.SecretVault vault;

    Mailboxes(MailboxRepository repository, dev.outreach2day.platform.SecretVault vault) {
        this.repository = repository;
        this.vault = vault;
    }

    /** How to log in to a mailbox's SMTP server; the password decrypted, for the sending engine only. */
    public record SmtpLogin(String host, int port, String security, String username, String password) {
        @Override
        public String toString() {
            return "SmtpLogin[" + username + "@" + host + ":" + port + " " + security + "]";
        }
    }

    public Optional<SmtpLogin> smtpLogin(long workspaceId, String mailboxId) {
        return repository.byIds(workspaceId, List.of(mailboxId)).stream().filter(m -> m.smtp().password() != null)
                .findFirst().map(m -> new SmtpLogin(m.smtp().host(), m.smtp().port(), m.smtp().security(), m.smtp().username(),
                        vault.decrypt(m.smtp().password(), m.provider().equals("local") ? "mailbox:" + m.address()
                                : "mailbox-smtp:" + m.address())));
    }

    /** How to log in to a mailbox's IMAP server; the password decrypted, for the inbox sync only. */
    public record ImapLogin(String host, int port, String security, String username, String password) {
        @Override
        public String toString() {
            return "ImapLogin[" + username + "@" + host + ":" + port + " " + security + "]";
        }
    }

    public Optional<ImapLogin> imapLogin(long workspaceId, String mailboxId) {
        return repository.byIds(workspaceId, List.of(mailboxId)).stream()
                .filter(m -> m.status().equals("active") && m.imap() != null && m.imap().host() != null && m.imap().password() != null)
                .findFirst().map(m -> new ImapLogin(m.imap().host(), m.imap().port(), m.imap().security(), m.imap().username(),
                        vault.decrypt(m.imap().password(), m.provider().equals("local") ? "mailbox:" + m.address()
                                : "mailbox-imap:" + m.address())));
    }

    /** A mailbox the inbox sync reads: active, with IMAP credentials. */
    public record SyncTarget(long workspaceId, String mailboxId, String address) {}

    /** Every active mailbox with IMAP credentials, of every workspace. */
    public List<SyncTarget> syncTargets() {
        return repository.syncable().stream().map(r -> new SyncTarget(Long.parseLong(r[0]), r[1], r[2])).toList();
    }

    /** Marks a mailbox failing (sending could not log in or kept failing), with the reason. */
    public void reportFailure(long workspaceId, String mailboxId, String error) {
        repository.setHealth(workspaceId, mailboxId, "error", error);
    }

    /** A live mailbox of the workspace by id ({@code mbx_…}) or address. */
    public Optional<MailboxView> find(long workspaceId, String idOrAddress) {
        if (idOrAddress == null) return Optional.empty();
        if (idOrAddress.startsWith("mbx_")) {
            return repository.byIds(workspaceId, List.of(idOrAddress)).stream().findFirst().map(Mailboxes::view);
        }
        return EmailAddresses.normalize(idOrAddress).flatMap(a -> repository.find(workspaceId, a)).map(Mailboxes::view);
    }

    public List<MailboxView> byIds(long workspaceId, List<String> ids) {
        if (ids.isEmpty()) return List.of();
        return repository.byIds(workspaceId, ids).stream().map(Mailboxes::view).toList();
    }

    private static MailboxView view(MailboxRepository.MailboxRow m) {
        return new MailboxView(m.id(), m.address(), m.domain(), m.provider(), m.status(), m.warmupStatus(), m.dailyLimit(),
                m.firstName(), m.lastName(), m.signature());
    }
}
