package dev.outreach2day.mailserver;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.mail.MailAddress;
import com.icegreen.greenmail.mail.MovingMessage;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.user.UserException;
import com.icegreen.greenmail.user.UserManager;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.outreach2day.platform.O2dProperties;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The built-in mail server of sandbox mode (GreenMail): SMTP with AUTH and IMAP on loopback.
 * It behaves like a small real mail world:
 * <ul>
 *   <li>a {@code local} mailbox logs in (SMTP AUTH, IMAP) with its address and its password;</li>
 *   <li>mail to any other address creates that recipient's mailbox on arrival, whose login and
 *       password are both the address, so anyone can read what a prospect got and answer as them;</li>
 *   <li>SMTP accepts mail to any address without AUTH; an AUTH with a wrong password is refused;</li>
 *   <li>a mailbox with a forward address gets its mail copied there too.</li>
 * </ul>
 * Mail is kept in memory (a restart empties the folders); accounts are re-created on start by
 * their owner (the mailbox module) through {@link #ensureAccount}.
 */
@Component
public class MailServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MailServer.class);
    private static final int MAX_FORWARD_HOPS = 3;
    private static final ThreadLocal<Integer> HOPS = ThreadLocal.withInitial(() -> 0);

    private final boolean enabled;
    private final MailServerProperties props;
    private final Map<String, String> forwards = new ConcurrentHashMap<>();
    /**
     * Each account's INBOX by address. GreenMail finds a user's INBOX by a linear scan over all
     * accounts, which made every delivery cost O(accounts) once a sandbox had sent to thousands of
     * prospects.
     */
    private final Map<String, Inbox> inboxes = new ConcurrentHashMap<>();
    private volatile GreenMail greenMail;

    MailServer(MailServerProperties props, O2dProperties platform) {
        this.props = props;
        String e = props.enabled() == null ? "auto" : props.enabled().trim().toLowerCase(Locale.ROOT);
        this.enabled = e.equals("true") || (e.equals("auto") && platform.sandbox());
    }

    @Override
    public synchronized void start() {
        if (!enabled || greenMail != null) {
            return;
        }
        String bind = props.bind() == null || props.bind().isBlank() ? "127.0.0.1" : props.bind();
        ServerSetup smtp = new ServerSetup(props.smtpPort(), bind, ServerSetup.PROTOCOL_SMTP);
        ServerSetup imap = new ServerSetup(props.imapPort(), bind, ServerSetup.PROTOCOL_IMAP);
        if (props.smtpPort() == 0) smtp = smtp.dynamicPort();
        if (props.imapPort() == 0) imap = imap.dynamicPort();
        GreenMail gm = new GreenMail(new ServerSetup[] {smtp, imap}).withConfiguration(new GreenMailConfiguration());
        gm.start();
        UserManager users = gm.getUserManager();
        ImapHostManager folders = gm.getManagers().getImapHostManager();
        users.setMessageDeliveryHandler((message, address) -> deliver(users, folders, message, address));
        greenMail = gm;
        log.info("Built-in mail server: SMTP {}:{} (AUTH), IMAP {}:{}", bind, smtpPort(), bind, imapPort());
    }

    /**
     * Who receives a message for {@code address}: its account, created on arrival (login and
     * password = the address) when there is none; plus a copy to its forward address, if any.
     */
    private GreenMailUser deliver(UserManager users, ImapHostManager folders, MovingMessage message, MailAddress address)
            throws MessagingException, UserException {
        String email = address.getEmail().toLowerCase(Locale.ROOT);
        GreenMailUser user = users.getUserByEmail(email);
        if (user == null) {
            user = users.createUser(email, email, email);
        }
        Inbox inbox = inboxes.get(email);
        if (inbox == null || inbox.user() != user || !inbox.folder().getFullName().equals(inbox.fullName())) {
            MailFolder folder; // first mail since start, the account was re-created, or its INBOX renamed
            try {
                folder = folders.getInbox(user);
            } catch (FolderException e) {
                throw new MessagingException("no INBOX for " + email, e);
            }
            inbox = new Inbox(user, folder, folder.getFullName());
            inboxes.put(email, inbox);
        }
        String forwardTo = forwards.get(email);
        if (forwardTo != null && HOPS.get() < MAX_FORWARD_HOPS) {
            HOPS.set(HOPS.get() + 1);
            try {
                MovingMessage copy = new MovingMessage();
                copy.setMimeMessage(new MimeMessage(message.getMessage()));
                MailAddress target = new MailAddress(forwardTo);
                copy.addRecipient(target);
                users.deliver(copy, target);
            } catch (MessagingException | UserException e) {
                log.warn("Forwarding a message for {} to {} failed: {}", email, forwardTo, e.getMessage());
            } finally {
                HOPS.set(HOPS.get() - 1);
            }
        }
        return inbox;
    }

    /**
     * An account as the delivery sees it: GreenMail's user, whose mail is stored straight into
     * the INBOX found before.
     */
    private record Inbox(GreenMailUser user, MailFolder folder, String fullName) implements GreenMailUser {
        @Override
        public void deliver(MovingMessage message) {
            deliver(message.getMessage()); // what GreenMail's folder does with a MovingMessage
        }

        @Override
        public void deliver(MimeMessage message) {
            try {
                folder.store(message);
            } catch (Exception e) {
                throw new IllegalStateException("Can not deliver " + message + " for user " + user, e);
            }
        }

        @Override public String getEmail() { return user.getEmail(); }
        @Override public String getLogin() { return user.getLogin(); }
        @Override public void create() { user.create(); }
        @Override public void delete() { user.delete(); }
        @Override public String getPassword() { return user.getPassword(); }
        @Override public void setPassword(String password) { user.setPassword(password); }
        @Override public void authenticate(String password) throws UserException { user.authenticate(password); }
        @Override public String getQualifiedMailboxName() { return user.getQualifiedMailboxName(); }
    }

    @Override
    public synchronized void stop() {
        if (greenMail != null) {
            greenMail.stop();
            greenMail = null;
            inboxes.clear();
        }
    }

    @Override
    public boolean isRunning() {
        return greenMail != null;
    }

    /** Runs before the web server accepts requests and stops after it. */
    @Override
    public int getPhase() {
        return 0;
    }

    public boolean enabled() {
        return enabled;
    }

    public int smtpPort() {
        GreenMail gm = greenMail;
        return gm == null ? 0 : gm.getSmtp().getServerSetup().getPort();
    }

    public int imapPort() {
        GreenMail gm = greenMail;
        return gm == null ? 0 : gm.getImap().getServerSetup().getPort();
    }

    public String host() {
        return props.bind() == null || props.bind().isBlank() ? "127.0.0.1" : props.bind();
    }

    /**
     * Creates the account, or sets its password when it exists (e.g. it was created when mail
     * arrived for it before the mailbox was made). Login = the address.
     */
    public void ensureAccount(String address, String password) {
        GreenMail gm = requireRunning();
        String email = address.toLowerCase(Locale.ROOT);
        GreenMailUser existing = gm.getUserManager().getUserByEmail(email);
        if (existing != null) {
            existing.setPassword(password);
        } else {
            gm.setUser(email, email, password);
        }
    }

    /** Removes the account and its mail. */
    public void deleteAccount(String address) {
        GreenMail gm = requireRunning();
        String email = address.toLowerCase(Locale.ROOT);
        Optional.ofNullable(gm.getUserManager().getUserByEmail(email)).ifPresent(u -> gm.getUserManager().deleteUser(u));
        inboxes.remove(email);
        forwards.remove(email);
    }

    /** Copies mail arriving for {@code address} to {@code forwardTo}; null stops forwarding. */
    public void setForward(String address, String forwardTo) {
        String email = address.toLowerCase(Locale.ROOT);
        if (forwardTo == null || forwardTo.isBlank()) {
            forwards.remove(email);
        } else {
            forwards.put(email, forwardTo.toLowerCase(Locale.ROOT));
        }
    }

    private GreenMail requireRunning() {
        GreenMail gm = greenMail;
        if (gm == null) {
            throw new IllegalStateException("the built-in mail server is not running (production mode or O2D_MAIL_SERVER=false)");
        }
        return gm;
    }
}
