package dev.outreach2day.mailbox;

import dev.outreach2day.platform.EmailAddresses;
import dev.outreach2day.platform.MailSessions;
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

    /** The warmup capability's view of a mailbox: off, warming, ready, paused or error (launch checks it). */
    public void setWarmupStatus(long workspaceId, String mailboxId, String status) {
        if (!java.util.Set.of("off", "warming", "ready", "paused", "error").contains(status)) {
            throw new IllegalArgumentException("unknown warmup status " + status);
        }
        repository.setWarmupStatus(workspaceId, mailboxId, status);
    }

    /**
     * Sends a message through the mailbox's own SMTP login (one connection for this message).
     *
     * @throws jakarta.mail.MessagingException as the SMTP server answered (SMTPAddressFailedException etc.), or when the
     *         mailbox has no SMTP login (deleted or not connected)
     */
    public void send(long workspaceId, String mailboxId, jakarta.mail.internet.MimeMessage message) throws jakarta.mail.MessagingException {
        var smtp = smtpLogin(workspaceId, mailboxId)
                .orElseThrow(() -> new jakarta.mail.MessagingException("the mailbox has no SMTP login (deleted or not connected)"));
        var p = new java.util.Properties();
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.connectiontimeout", "15000");
        p.put("mail.smtp.timeout", "60000");
        if (smtp.security().equals("starttls")) p.put("mail.smtp.starttls.required", "true");
        var from = message.getFrom();
        if (from != null && from.length > 0 && from[0] instanceof jakarta.mail.internet.InternetAddress a && a.getAddress().contains("@")) {
            p.put("mail.smtp.localhost", a.getAddress().substring(a.getAddress().indexOf('@') + 1)); // EHLO as the sending domain (no reverse lookup)
        }
        var session = MailSessions.of(p);
        try (var t = session.getTransport(smtp.security().equals("ssl") ? "smtps" : "smtp")) {
            t.connect(smtp.host(), smtp.port(), smtp.username(), smtp.password());
            t.sendMessage(message, message.getAllRecipients());
        }
    }

    /**
     * Puts a copy of a sent message into the mailbox's Sent folder over IMAP (the folder with the
     * {@code \\Sent} attribute, else "Sent", created when missing), marked read, as a mail client does.
     */
    public void saveSent(long workspaceId, String mailboxId, jakarta.mail.internet.MimeMessage message) throws jakarta.mail.MessagingException {
        var imap = imapLogin(workspaceId, mailboxId)
                .orElseThrow(() -> new jakarta.mail.MessagingException("the mailbox has no IMAP login (deleted, failing or not connected)"));
        var p = new java.util.Properties();
        p.put("mail.imap.connectiontimeout", "15000");
        p.put("mail.imap.timeout", "60000");
        if (imap.security().equals("starttls")) p.put("mail.imap.starttls.required", "true");
        try (var store = MailSessions.of(p).getStore(imap.security().equals("ssl") ? "imaps" : "imap")) {
            store.connect(imap.host(), imap.port(), imap.username(), imap.password());
            jakarta.mail.Folder sent = null;
            for (jakarta.mail.Folder f : store.getDefaultFolder().list("*")) {
                if (f instanceof org.eclipse.angus.mail.imap.IMAPFolder i) {
                    for (String a : i.getAttributes()) if (a.equalsIgnoreCase("\\Sent")) sent = f;
                }
            }
            if (sent == null) sent = store.getFolder("Sent");
            if (!sent.exists()) sent.create(jakarta.mail.Folder.HOLDS_MESSAGES);
            message.setFlag(jakarta.mail.Flags.Flag.SEEN, true);
            sent.appendMessages(new jakarta.mail.Message[] {message});
        }
    }

    /** A live mailbox of the workspace by id ({@code mbx_…}) or address. */
    public Optional<MailboxView> find(long workspaceId, String idOrAddress) {
        if (idOrAddress == null) return Optional.empty();
        if (idOrAddress.startsWith("mbx_")) {
            return repository.byIds(workspaceId, List.of(idOrAddress)).stream().findFirst().map(Mailboxes::view);
        }
        return EmailAddresses.normalize(idOrAddress).flatMap(a -> repository.find(workspaceId, a)).map(Mailboxes::view);
    }

    /** Every live mailbox of the workspace (sequencer readiness lists them all). */
    public List<MailboxView> list(long workspaceId) {
        return repository.list(workspaceId).stream().map(Mailboxes::view).toList();
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
