package dev.outreach2day.mailbox;

import dev.outreach2day.domain.Domains;
import dev.outreach2day.mailbox.MailboxRepository.MailboxRow;
import dev.outreach2day.mailbox.MailboxRepository.Server;
import dev.outreach2day.mailserver.MailServer;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.ApiException.FieldProblem;
import dev.outreach2day.platform.EmailAddresses;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.platform.SecretVault;
import dev.outreach2day.workspace.Workspaces;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Mailboxes of a workspace: created on the built-in server ({@code local}) or connected and
 * verified by a real login ({@code smtp}); updated, deleted, and health-checked. Passwords only
 * ever exist decrypted inside this class on their way to a mail server.
 */
@Service
class MailboxService {

    private static final Logger log = LoggerFactory.getLogger(MailboxService.class);
    static final int MAX_PER_CALL = 100;
    private static final String PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One mailbox to create, after shape validation. */
    record NewMailbox(int index, String address, String firstName, String lastName, String provider, String password,
            ServerIn smtp, ServerIn imap, Integer dailyLimit, String signature) {}

    record ServerIn(String host, Integer port, String security, String username, String password) {}

    /** A created mailbox, with the generated password when the server made one (shown once). */
    record Created(MailboxRow row, String generatedPassword) {}

    record ItemError(int index, String address, String code, String detail) {}

    record CreateResult(List<Created> created, List<ItemError> errors) {}

    private final MailboxRepository mailboxes;
    private final Workspaces workspaces;
    private final Domains domains;
    private final MailServer mailServer;
    private final MailLoginVerifier verifier;
    private final SecretVault vault;
    private final MailboxProperties props;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final List<MailboxUsage> usages;

    MailboxService(MailboxRepository mailboxes, Workspaces workspaces, Domains domains, MailServer mailServer,
            MailLoginVerifier verifier, SecretVault vault, MailboxProperties props, TransactionTemplate tx,
            ApplicationEventPublisher events, Clock clock, List<MailboxUsage> usages) {
        this.mailboxes = mailboxes;
        this.workspaces = workspaces;
        this.domains = domains;
        this.mailServer = mailServer;
        this.verifier = verifier;
        this.vault = vault;
        this.props = props;
        this.tx = tx;
        this.events = events;
        this.clock = clock;
        this.usages = usages;
    }

    String defaultProvider() {
        return mailServer.enabled() ? "local" : "smtp";
    }

    /**
     * Creates mailboxes. Shape problems of any item are a 422 for the whole request; the quota is
     * checked for the whole batch (422 MAILBOX_QUOTA_EXCEEDED); then each item succeeds or fails
     * on its own (address taken, domain not in the workspace, login refused).
     */
    CreateResult create(long workspaceId, List<NewMailbox> items) {
        var errors = new ArrayList<ItemError>();
        var ready = new ArrayList<MailboxRow>();
        var generated = new java.util.HashMap<String, String>();
        List<String> taken = mailboxes.taken(items.stream().map(NewMailbox::address).toList());
        for (NewMailbox item : items) {
            if (taken.contains(item.address())) {
                errors.add(new ItemError(item.index(), item.address(), "MAILBOX_EXISTS", item.address() + " is already a mailbox"));
                continue;
            }
            String domain = EmailAddresses.domainOf(item.address());
            if (item.provider().equals("local")) {
                if (!mailServer.enabled()) {
                    errors.add(new ItemError(item.index(), item.address(), "PROVIDER_UNAVAILABLE",
                            "local mailboxes need the built-in mail server (sandbox mode); connect this one with provider smtp"));
                    continue;
                }
                if (!domains.isActive(workspaceId, domain)) {
                    errors.add(new ItemError(item.index(), item.address(), "DOMAIN_NOT_IN_WORKSPACE",
                            domain + " is not an active domain of this workspace; buy or connect it first (/domains)"));
                    continue;
                }
                String password = item.password() != null ? item.password() : generatePassword();
                if (item.password() == null) generated.put(item.address(), password);
                String sealed = vault.encrypt(password, "mailbox:" + item.address());
                Server smtp = new Server(mailServer.host(), mailServer.smtpPort(), "none", item.address(), sealed);
                Server imap = new Server(mailServer.host(), mailServer.imapPort(), "none", item.address(), sealed);
                ready.add(row(workspaceId, item, domain, "local", smtp, imap));
            } else {
                var smtpIn = item.smtp();
                var imapIn = item.imap();
                String smtpPassword = smtpIn.password() != null ? smtpIn.password() : item.password();
                String imapPassword = imapIn.password() != null ? imapIn.password() : item.password();
                String smtpUser = smtpIn.username() != null ? smtpIn.username() : item.address();
                String imapUser = imapIn.username() != null ? imapIn.username() : item.address();
                var result = verifier.verify(
                        new MailLoginVerifier.ServerSettings(smtpIn.host(), smtpIn.port(),
                                MailLoginVerifier.Security.valueOf(smtpIn.security()), smtpUser, smtpPassword),
                        new MailLoginVerifier.ServerSettings(imapIn.host(), imapIn.port(),
                                MailLoginVerifier.Security.valueOf(imapIn.security()), imapUser, imapPassword));
                if (!result.ok()) {
                    var failed = new ArrayList<String>();
                    if (!result.smtp().ok()) failed.add(result.smtp().message());
                    if (!result.imap().ok()) failed.add(result.imap().message());
                    String code = !result.smtp().ok() ? "SMTP_" + result.smtp().code().toUpperCase(Locale.ROOT)
                            : "IMAP_" + result.imap().code().toUpperCase(Locale.ROOT);
                    errors.add(new ItemError(item.index(), item.address(), code, String.join("; ", failed)));
                    continue;
                }
                Server smtp = new Server(smtpIn.host(), smtpIn.port(), smtpIn.security(), smtpUser,
                        vault.encrypt(smtpPassword, "mailbox-smtp:" + item.address()));
                Server imap = new Server(imapIn.host(), imapIn.port(), imapIn.security(), imapUser,
                        vault.encrypt(imapPassword, "mailbox-imap:" + item.address()));
                ready.add(row(workspaceId, item, domain, "smtp", smtp, imap));
            }
        }
        List<MailboxRow> created = ready.isEmpty() ? List.of() : tx.execute(status -> {
            int max = workspaces.maxMailboxesForUpdate(workspaceId);
            long live = mailboxes.countLive(workspaceId);
            if (live + ready.size() > max) {
                throw new ApiException.Invalid(FieldProblem.at("body", "This workspace may hold " + max + " mailboxes and has "
                        + live + "; creating " + ready.size() + " more would exceed it. Raise the limit with POST /workspaces/"
                        + workspaceId + "/upgrade", "MAILBOX_QUOTA_EXCEEDED", "mailboxes"));
            }
            var inserted = new ArrayList<MailboxRow>();
            for (MailboxRow m : ready) {
                try {
                    mailboxes.insert(m);
                    inserted.add(m);
                } catch (org.springframework.dao.DuplicateKeyException raced) {
                    errors.add(new ItemError(-1, m.address(), "MAILBOX_EXISTS", m.address() + " is already a mailbox"));
                }
            }
            return inserted;
        });
        var out = new ArrayList<Created>();
        for (MailboxRow m : created) {
            if (m.provider().equals("local")) {
                mailServer.ensureAccount(m.address(), vault.decrypt(m.smtp().password(), "mailbox:" + m.address()));
            }
            out.add(new Created(m, generated.get(m.address())));
        }
        if (!created.isEmpty()) events.publishEvent(new MailboxesAdded(workspaceId, created.stream().map(MailboxRow::id).toList()));
        errors.sort(java.util.Comparator.comparingInt(ItemError::index));
        return new CreateResult(out, errors);
    }

    private MailboxRow row(long workspaceId, NewMailbox item, String domain, String provider, Server smtp, Server imap) {
        return new MailboxRow(workspaceId, Ids.next("mbx", clock.millis()), item.address(), domain, provider, item.firstName(),
                item.lastName(), "active", "off", item.dailyLimit() != null ? item.dailyLimit() : props.defaultDailyLimit(),
                item.signature(), null, smtp, imap, null, clock.instant(), clock.instant());
    }

    static String generatePassword() {
        var sb = new StringBuilder(20);
        for (int i = 0; i < 20; i++) sb.append(PASSWORD_ALPHABET.charAt(RANDOM.nextInt(PASSWORD_ALPHABET.length())));
        return sb.toString();
    }

    List<MailboxRow> list(long workspaceId) {
        return mailboxes.list(workspaceId);
    }

    /** The same change for every listed mailbox; all must exist (404 names the unknown ones). */
    List<MailboxRow> update(long workspaceId, List<String> addresses, String firstName, String lastName, boolean setSignature,
            String signature, boolean setForward, String forwardTo, Integer dailyLimit) {
        List<MailboxRow> rows = requireAll(workspaceId, addresses);
        tx.executeWithoutResult(status -> mailboxes.updateProfile(workspaceId, addresses, firstName, lastName, setSignature,
                signature, setForward, forwardTo, dailyLimit));
        if (setForward) {
            rows.stream().filter(r -> r.provider().equals("local"))
                    .forEach(r -> mailServer.setForward(r.address(), forwardTo));
        }
        return mailboxes.byAddresses(workspaceId, addresses);
    }

    /**
     * Deletes mailboxes; one attached to an active campaign is refused (409) unless forced. Local
     * ones also leave the built-in server, with their mail.
     */
    List<MailboxRow> delete(long workspaceId, List<String> addresses, boolean force) {
        List<MailboxRow> rows = requireAll(workspaceId, addresses);
        List<String> ids = rows.stream().map(MailboxRow::id).toList();
        if (!force) {
            var busy = new ArrayList<String>();
            for (MailboxUsage usage : usages) busy.addAll(usage.inUse(workspaceId, ids));
            if (!busy.isEmpty()) {
                throw new ApiException.Conflict("MAILBOX_IN_USE",
                        "In use by active campaigns: " + String.join(", ", busy) + "; pause them or pass force: true");
            }
        }
        tx.executeWithoutResult(status -> mailboxes.delete(workspaceId, ids));
        rows.stream().filter(r -> r.provider().equals("local") && mailServer.isRunning())
                .forEach(r -> mailServer.deleteAccount(r.address()));
        return rows;
    }

    private List<MailboxRow> requireAll(long workspaceId, List<String> addresses) {
        List<MailboxRow> rows = mailboxes.byAddresses(workspaceId, addresses);
        var found = new HashSet<String>();
        rows.forEach(r -> found.add(r.address()));
        var missing = addresses.stream().filter(a -> !found.contains(a)).toList();
        if (!missing.isEmpty()) {
            throw new ApiException.NotFound("Mailbox " + String.join(", ", missing));
        }
        return rows;
    }

    // ---- health ----

    private final Map<String, Boolean> checking = new ConcurrentHashMap<>();

    /** Logs in to SMTP and IMAP with the stored credentials; moves the mailbox between active and error. */
    void check(MailboxRow m) {
        if (checking.putIfAbsent(m.id(), true) != null) return;
        try {
            String smtpContext = m.provider().equals("local") ? "mailbox:" + m.address() : "mailbox-smtp:" + m.address();
            String imapContext = m.provider().equals("local") ? "mailbox:" + m.address() : "mailbox-imap:" + m.address();
            var result = verifier.verify(settings(m.smtp(), smtpContext), settings(m.imap(), imapContext));
            String status = result.ok() ? "active" : "error";
            String error = result.ok() ? null : (!result.smtp().ok() ? result.smtp().message() : result.imap().message());
            mailboxes.setHealth(m.workspaceId(), m.id(), status, error);
            if (!status.equals(m.status())) {
                log.info("Mailbox {} is now {}{}", m.address(), status, error == null ? "" : ": " + error);
                events.publishEvent(new MailboxHealthChanged(m.workspaceId(), m.id(), m.address(), status, error, clock.instant()));
            }
        } finally {
            checking.remove(m.id());
        }
    }

    private MailLoginVerifier.ServerSettings settings(Server s, String context) {
        return new MailLoginVerifier.ServerSettings(s.host(), s.port(), MailLoginVerifier.Security.valueOf(s.security()),
                s.username(), s.password() == null ? "" : vault.decrypt(s.password(), context));
    }

    /** The built-in server keeps accounts in memory: re-create the local ones (and forwards) on start. */
    void restoreLocalAccounts() {
        if (!mailServer.isRunning()) return;
        mailboxes.repointLocal(mailServer.host(), mailServer.smtpPort(), mailServer.imapPort());
        int n = 0;
        for (MailboxRow m : mailboxes.liveLocal()) {
            mailServer.ensureAccount(m.address(), vault.decrypt(m.smtp().password(), "mailbox:" + m.address()));
            if (m.forwardTo() != null) mailServer.setForward(m.address(), m.forwardTo());
            n++;
        }
        if (n > 0) log.info("Restored {} local mailbox accounts on the built-in mail server", n);
    }
}
