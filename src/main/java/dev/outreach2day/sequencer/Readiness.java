package dev.outreach2day.sequencer;

import dev.outreach2day.domain.Domains;
import dev.outreach2day.mailbox.Mailboxes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Whether a mailbox can go to a sequencer, and why not: it must be active (its logins work), not in
 * the middle of our warmup (warming, paused or failing: "off" and "ready" are fine, the sequencer
 * may warm it), on a domain whose SPF, DKIM, DMARC and MX check out (the same rule as launch
 * preflight), and have both SMTP and IMAP credentials to hand over.
 */
@Component
class Readiness {

    record Reason(String code, String message) {}

    static final Set<String> WARMUP_BUSY = Set.of("warming", "paused", "error");

    private final Mailboxes mailboxes;
    private final Domains domains;

    Readiness(Mailboxes mailboxes, Domains domains) {
        this.mailboxes = mailboxes;
        this.domains = domains;
    }

    /** Why the mailbox cannot be exported (empty: it can); {@code dns} caches each domain's check for one request. */
    List<Reason> reasons(long ws, Mailboxes.MailboxView m, Map<String, Reason> dns) {
        var out = new ArrayList<Reason>();
        if (!m.status().equals("active")) {
            out.add(new Reason("MAILBOX_NOT_ACTIVE", "The mailbox is " + m.status() + ": its login must work before it is exported"));
        }
        if (WARMUP_BUSY.contains(m.warmupStatus())) {
            out.add(new Reason("WARMUP_NOT_READY", "Warmup is " + m.warmupStatus() + ": export once it is ready (or turn it off)"));
        }
        if (!dns.containsKey(m.domain())) dns.put(m.domain(), dnsReason(ws, m.domain()));
        Reason dnsReason = dns.get(m.domain());
        if (dnsReason != null) out.add(dnsReason);
        boolean smtp = mailboxes.smtpLogin(ws, m.id()).isPresent();
        boolean imap = !m.status().equals("active") || mailboxes.imapLogin(ws, m.id()).isPresent(); // an inactive one is reported above
        if (!smtp || !imap) {
            out.add(new Reason("NO_CREDENTIALS", "The mailbox has no " + (!smtp && !imap ? "SMTP and IMAP" : !smtp ? "SMTP" : "IMAP")
                    + " credentials to hand over"));
        }
        return out;
    }

    private Reason dnsReason(long ws, String domain) {
        var a = domains.authStatus(ws, domain);
        var failing = new ArrayList<String>();
        if (!a.spf().equals("ok")) failing.add("SPF " + a.spf());
        if (a.dkim().equals("missing") || a.dkim().equals("mismatch") || (a.managed() && !a.dkim().equals("ok"))) failing.add("DKIM " + a.dkim());
        if (!a.dmarc().equals("ok")) failing.add("DMARC " + a.dmarc());
        if (!a.mx().equals("ok")) failing.add("MX " + a.mx());
        return failing.isEmpty() ? null
                : new Reason("DNS_NOT_VERIFIED", "The DNS of " + domain + " is not verified (" + String.join(", ", failing) + ")");
    }
}
