package dev.outreach2day.sequencer;

import dev.outreach2day.mailbox.Mailboxes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** The sequencers this server exports to, by id, and a mailbox as they receive it. */
@Component
class Providers {

    private final Map<String, SequencerProvider> byId = new LinkedHashMap<>();
    private final Mailboxes mailboxes;

    Providers(List<SequencerProvider> providers, Mailboxes mailboxes) {
        this.mailboxes = mailboxes;
        providers.stream().sorted(java.util.Comparator.comparing(SequencerProvider::id)).forEach(p -> byId.put(p.id(), p));
    }

    List<SequencerProvider> all() {
        return List.copyOf(byId.values());
    }

    Optional<SequencerProvider> get(String id) {
        return Optional.ofNullable(id == null ? null : byId.get(id));
    }

    /** The mailbox with both logins (passwords decrypted), or empty when either login is missing. */
    Optional<SequencerProvider.MailboxAccount> account(long ws, Mailboxes.MailboxView m, Integer dailyLimit, boolean warmup, int warmupPerDay,
            int warmupRampup) {
        var smtp = mailboxes.smtpLogin(ws, m.id()).orElse(null);
        var imap = mailboxes.imapLogin(ws, m.id()).orElse(null);
        if (smtp == null || imap == null) return Optional.empty();
        return Optional.of(new SequencerProvider.MailboxAccount(m.address(), m.firstName() == null ? "" : m.firstName(),
                m.lastName() == null ? "" : m.lastName(), smtp.host(), smtp.port(), smtp.username(), smtp.password(), imap.host(),
                imap.port(), imap.username(), imap.password(), dailyLimit != null ? dailyLimit : m.dailyLimit(), warmup, warmupPerDay,
                warmupRampup));
    }
}
