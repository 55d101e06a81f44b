package dev.outreach2day.delivery;

import dev.outreach2day.campaign.Campaigns;
import dev.outreach2day.campaign.Campaigns.SendingCampaign;
import dev.outreach2day.campaign.Campaigns.SendingStep;
import dev.outreach2day.campaign.Campaigns.SendingVariant;
import dev.outreach2day.campaign.Rendering;
import dev.outreach2day.contact.ContactView;
import dev.outreach2day.contact.Contacts;
import dev.outreach2day.delivery.SendQueue.SendRow;
import dev.outreach2day.domain.Domains;
import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.platform.O2dProperties;
import jakarta.mail.Address;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The sending engine. Each round it claims due sends (SKIP LOCKED, with a lease), runs the send
 * checks, reserves the mailbox's gap and the daily caps atomically together with marking the send
 * in flight (the commit point), renders, builds, DKIM-signs and sends over the mailbox's kept-open
 * SMTP transport, and records the classified outcome — sent, deferred with backoff, failed,
 * bounced. A send still in flight when its lease expires (its process died) becomes unknown and
 * is never resent.
 */
@Component
class SendEngine implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SendEngine.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SendQueue queue;
    private final SendChecks checks;
    private final Campaigns campaigns;
    private final Contacts contacts;
    private final Mailboxes mailboxes;
    private final Domains domains;
    private final UnsubscribeTokens tokens;
    private final Tracking tracking;
    private final DeliveryProperties props;
    private final O2dProperties platform;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final String node;
    private final TransportPool transports;
    private final Session session = Session.getInstance(new Properties());
    private final Map<String, Cached<Mailboxes.SmtpLogin>> logins = new ConcurrentHashMap<>();
    private final Map<String, Cached<java.util.Optional<Domains.DkimKey>>> dkim = new ConcurrentHashMap<>();
    private volatile boolean running;

    private record Cached<T>(T value, long until) {}

    SendEngine(SendQueue queue, SendChecks checks, Campaigns campaigns, Contacts contacts, Mailboxes mailboxes, Domains domains,
            UnsubscribeTokens tokens, Tracking tracking, DeliveryProperties props, O2dProperties platform, TransactionTemplate tx,
            ApplicationEventPublisher events, Clock clock) {
        this.tracking = tracking;
        this.queue = queue;
        this.checks = checks;
        this.campaigns = campaigns;
        this.contacts = contacts;
        this.mailboxes = mailboxes;
        this.domains = domains;
        this.tokens = tokens;
        this.props = props;
        this.platform = platform;
        this.tx = tx;
        this.events = events;
        this.clock = clock;
        this.node = props.nodeId() == null || props.nodeId().isBlank()
                ? ManagementFactory.getRuntimeMXBean().getName() : props.nodeId();
        this.transports = new TransportPool(Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(2));
    }

    static String mailboxScope(String mailboxId) {
        return "mailbox:" + mailboxId;
    }

    static String campaignMailboxScope(String campaignId, String mailboxId) {
        return "campaign-mailbox:" + campaignId + ":" + mailboxId;
    }

    // ---- the loop ----

    @Scheduled(initialDelayString = "PT5S", fixedDelayString = "PT1S")
    void tick() {
        if (!running || !props.enabled()) return;
        try {
            reap();
            while (running && runOnce() >= props.batchSize()) {
                // a full batch: there is more due right now
            }
        } catch (RuntimeException e) {
            log.warn("Sending round failed: {}", e.getMessage(), e);
        }
    }

    @Scheduled(initialDelayString = "PT30S", fixedDelayString = "PT30S")
    void housekeeping() {
        if (!running || !props.enabled()) return;
        transports.closeIdle();
        for (String[] c : campaigns.finishedActiveCampaigns()) {
            campaigns.markCompleted(Long.parseLong(c[0]), c[1]);
            log.info("Campaign {} completed: every contact is done", c[1]);
        }
    }

    /** One round: claims a batch and processes it (concurrently, bounded); returns how many were claimed. */
    int runOnce() {
        Instant now = clock.instant();
        List<SendRow> batch = queue.claim(node, now, now.plus(props.claimLease()), props.batchSize());
        if (batch.isEmpty()) return 0;
        var campaignCache = new ConcurrentHashMap<String, java.util.Optional<SendingCampaign>>();
        var permits = new Semaphore(props.concurrency());
        var threads = new ArrayList<Thread>();
        for (SendRow s : batch) {
            permits.acquireUninterruptibly();
            threads.add(Thread.ofVirtual().name("send-" + s.id()).start(() -> {
                try {
                    process(s, campaignCache);
                } catch (RuntimeException e) {
                    log.warn("Send {} could not be processed: {}", s.id(), e.getMessage(), e);
                    queue.defer(s, node, clock.instant().plusSeconds(300), "engine_error", clock.instant());
                } finally {
                    permits.release();
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return batch.size();
    }

    /** In-flight sends whose lease ran out: their process died mid-SMTP; they become unknown. */
    int reap() {
        var reaped = queue.reap(clock.instant());
        for (var r : reaped) {
            queue.count(r.workspaceId(), r.campaignId(), clock.instant().atZone(ZoneOffset.UTC).toLocalDate(), r.stepOrder(),
                    r.variantId(), r.mailboxId(), "unknown");
        }
        if (!reaped.isEmpty()) log.warn("{} send(s) left in flight by a stopped process are now unknown (not resent)", reaped.size());
        return reaped.size();
    }

    // ---- one send ----

    private void process(SendRow s, Map<String, java.util.Optional<SendingCampaign>> cache) {
        Instant now = clock.instant();
        var campaign = cache.computeIfAbsent(s.workspaceId() + ":" + s.campaignId(), k -> campaigns.forSending(s.workspaceId(), s.campaignId()));
        if (campaign.isEmpty()) {
            finishSkipped(s, "campaign_deleted", now);
            return;
        }
        ContactView contact = contacts.find(s.workspaceId(), s.contactId()).orElse(null);
        var step = campaign.get().step(s.stepOrder());
        if (step.isEmpty() || !step.get().id().equals(s.stepId())) {
            finishSkipped(s, "step_deleted", now);
            return;
        }
        var ctx = new SendChecks.Context(s, campaign.get(), contact, now);
        Decision d = checks.run(ctx);
        switch (d) {
            case Decision.Defer defer -> {
                queue.defer(s, node, defer.until(), defer.reason(), now);
                return;
            }
            case Decision.Skip skip -> {
                finishSkipped(s, skip.reason(), now);
                return;
            }
            case Decision.Proceed p -> { }
        }

        // render with the engine preview uses; a send never goes out with an unresolved variable
        var thread = queue.thread(s.workspaceId(), s.campaignId(), s.contactId());
        SendingVariant variant = variant(step.get(), s.contactId());
        var values = values(contact, ctx.mailbox, s);
        var rendered = Rendering.render(step.get().subject(), step.get().bodyHtml(), step.get().bodyText(),
                variant == null ? null : variant.subject(), variant == null ? null : variant.bodyHtml(),
                variant == null ? null : variant.bodyText(), values, seed(s.contactId(), s.stepId()), campaign.get().textOnly());
        if (!rendered.unresolved().isEmpty()) {
            finishSkipped(s, "unresolved_variables: " + String.join(", ", rendered.unresolved()), now);
            return;
        }
        String subject = rendered.subject();
        String inReplyTo = null;
        List<String> references = List.of();
        if (!thread.isEmpty()) {
            inReplyTo = thread.getLast().messageId();
            references = thread.stream().map(SendQueue.Sent::messageId).toList();
            if (subject.isBlank()) subject = "Re: " + thread.getFirst().subject();
        }
        subject = subject.replaceAll("[\\r\\n]+", " ").strip();
        String domain = ctx.mailbox.domain();
        String messageId = "<" + s.id() + "." + HexFormat.of().formatHex(RANDOM.generateSeed(4)) + "@" + domain + ">";
        String variantId = variant == null ? null : variant.id();
        String html = rendered.html();
        var links = new ArrayList<String>();
        if (html != null && (campaign.get().trackOpens() || campaign.get().trackClicks())) {
            String base = campaign.get().trackingDomain() == null ? platform.baseUrl()
                    : java.net.URI.create(platform.baseUrl()).getScheme() + "://" + campaign.get().trackingDomain();
            html = tracking.instrument(html, base, s.workspaceId(), s.id(), campaign.get().trackOpens(), campaign.get().trackClicks(),
                    values.get("unsubscribeUrl"), links);
        }

        if (!reserve(ctx, variantId, subject, messageId, inReplyTo, now, links)) {
            return; // deferred inside reserve
        }

        // build, sign, send — outside any transaction
        Exception failure = null;
        try {
            String token = tokens.token(s.workspaceId(), s.contactId(), s.campaignId());
            MimeMessage message = OutgoingMessage.build(session, new OutgoingMessage.Spec(ctx.mailbox.address(),
                    senderName(ctx.mailbox), contact.email(), name(contact), subject, rendered.text(), html, messageId,
                    inReplyTo, references, platform.baseUrl() + "/u/" + token,
                    "mailto:" + ctx.mailbox.address() + "?subject=unsubscribe", Map.of()));
            if (props.dkim()) {
                var key = dkimKey(s.workspaceId(), domain);
                if (key.isPresent()) {
                    message = OutgoingMessage.sign(message, key.get().domain(), key.get().selector(), key.get().key());
                }
            }
            var login = login(s.workspaceId(), ctx.mailbox.id());
            if (login == null) throw new jakarta.mail.AuthenticationFailedException("the mailbox has no stored SMTP password");
            transports.send(ctx.mailbox.id(), new TransportPool.SmtpSettings(login.host(), login.port(), login.security(),
                    login.username(), login.password()), message, new Address[] {new InternetAddress(contact.email())});
        } catch (Exception e) {
            failure = e;
        }
        record(ctx, step.get(), variantId, messageId, SmtpOutcome.classify(failure), failure);
    }

    /**
     * Takes the mailbox's gap slot and today's caps, and marks the send in flight, in one
     * transaction: either all of it holds, or nothing is taken and the send waits.
     */
    private boolean reserve(SendChecks.Context ctx, String variantId, String subject, String messageId, String inReplyTo, Instant now,
            List<String> links) {
        SendRow s = ctx.send;
        long ws = s.workspaceId();
        var schedule = ctx.campaign.schedule();
        int gap = schedule.minGapSeconds() + (schedule.maxGapSeconds() > schedule.minGapSeconds()
                ? new SplittableRandom(s.id().hashCode()).nextInt(schedule.maxGapSeconds() - schedule.minGapSeconds() + 1) : 0);
        Instant tomorrow = ctx.day().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        String[] deferral = new String[1];
        Instant[] until = new Instant[1];
        Boolean ok = tx.execute(status -> {
            if (queue.reservePace(ws, ctx.mailbox.id(), now, now.plusSeconds(gap)).isEmpty()) {
                deferral[0] = "mailbox_gap";
                until[0] = queue.paceOf(ws, ctx.mailbox.id()).orElse(now.plusSeconds(gap));
                status.setRollbackOnly();
                return false;
            }
            for (var cap : caps(ctx)) {
                if (!queue.reserveDay(ws, cap.scope(), ctx.day(), cap.limit())) {
                    deferral[0] = cap.reason();
                    // a first email that lost its chosen mailbox's last slot to another send chooses again; the rest wait for tomorrow
                    until[0] = s.stepOrder() == 1 && s.mailboxId() == null && cap.scope().endsWith(ctx.mailbox.id())
                            ? now.plusSeconds(1) : tomorrow;
                    status.setRollbackOnly();
                    return false;
                }
            }
            if (!queue.markInFlight(s, node, ctx.mailbox.id(), variantId, subject, messageId, inReplyTo, now,
                    now.plus(props.inFlightLease()))) {
                status.setRollbackOnly(); // our claim ran out and another process has it now
                return false;
            }
            queue.saveLinks(ws, s.id(), links);
            return true;
        });
        if (!Boolean.TRUE.equals(ok) && deferral[0] != null) {
            queue.defer(s, node, until[0], deferral[0], now);
        }
        return Boolean.TRUE.equals(ok);
    }

    private record Cap(String scope, int limit, String reason) {}

    private List<Cap> caps(SendChecks.Context ctx) {
        var caps = new ArrayList<Cap>();
        String c = ctx.campaign.id();
        caps.add(new Cap(mailboxScope(ctx.mailbox.id()), ctx.mailbox.dailyLimit(), "mailbox_daily_limit"));
        if (ctx.policy.dailyLimit() != null) {
            caps.add(new Cap(campaignMailboxScope(c, ctx.mailbox.id()), ctx.policy.dailyLimit(), "campaign_mailbox_daily_limit"));
        }
        if (ctx.campaign.schedule().dailyLimit() != null) {
            caps.add(new Cap("campaign:" + c, ctx.campaign.schedule().dailyLimit(), "campaign_daily_limit"));
        }
        if (ctx.send.stepOrder() == 1 && ctx.campaign.schedule().maxNewContactsPerDay() != null) {
            caps.add(new Cap("campaign-new:" + c, ctx.campaign.schedule().maxNewContactsPerDay(), "new_contacts_per_day"));
        }
        return caps;
    }

    private void releaseCaps(SendChecks.Context ctx) {
        for (var cap : caps(ctx)) queue.releaseDay(ctx.send.workspaceId(), cap.scope(), ctx.day());
    }

    /** Persists the classified SMTP outcome with its consequences, in one transaction. */
    private void record(SendChecks.Context ctx, SendingStep step, String variantId, String messageId, SmtpOutcome.Outcome outcome,
            Exception failure) {
        SendRow s = ctx.send;
        long ws = s.workspaceId();
        Instant now = clock.instant();
        String reply = failure == null ? null : abbreviate(failure.getMessage());
        String status = tx.execute(t -> switch (outcome) {
            case SmtpOutcome.Sent sent -> {
                var before = queue.markSent(s, node, "250 accepted", now);
                if (before.isPresent() && before.get().equals("unknown")) {
                    // the reaper counted it unknown (today, in practice: leases are minutes); it was sent after all
                    queue.uncountUnknown(ws, s.campaignId(), ctx.day(), s.stepOrder(), variantId, ctx.mailbox.id());
                }
                queue.count(ws, s.campaignId(), ctx.day(), s.stepOrder(), variantId, ctx.mailbox.id(), "sent");
                queue.mailboxOk(ws, ctx.mailbox.id(), now);
                var next = ctx.campaign.step(s.stepOrder() + 1);
                if (next.isPresent()) {
                    Instant at = now.plusSeconds(next.get().delaySeconds());
                    queue.planNext(ws, Ids.next("snd", now.toEpochMilli()), s.campaignId(), s.contactId(), next.get().id(),
                            next.get().order(), ctx.mailbox.id(), at, now);
                    contacts.updateProgress(ws, s.contactId(), "in_progress", s.stepOrder(), at, now);
                } else {
                    contacts.updateProgress(ws, s.contactId(), "completed", s.stepOrder(), null, now);
                }
                yield "sent";
            }
            case SmtpOutcome.Bounced bounced -> {
                queue.markFinal(s, node, "bounced", bounced.reason(), reply, now);
                queue.count(ws, s.campaignId(), ctx.day(), s.stepOrder(), variantId, ctx.mailbox.id(), "bounced");
                contacts.updateProgress(ws, s.contactId(), "bounced", s.stepOrder(), null, null);
                yield "bounced";
            }
            case SmtpOutcome.Failed f when !f.mailboxProblem() -> {
                queue.markFinal(s, node, "failed", f.reason(), reply, now);
                queue.count(ws, s.campaignId(), ctx.day(), s.stepOrder(), variantId, ctx.mailbox.id(), "failed");
                contacts.updateProgress(ws, s.contactId(), "stopped", s.stepOrder() - 1, null, null);
                yield "failed";
            }
            case SmtpOutcome.Failed f -> {
                // blocklists and policy refusals rest the mailbox; only a refused login marks it in error for the user
                mailboxTrouble(ctx, f.reason(), failure instanceof jakarta.mail.AuthenticationFailedException, now);
                queue.retryLater(s, node, now.plus(SmtpOutcome.backoff(s.attempts() + 1)), "mailbox_problem: " + f.reason(), reply, now);
                releaseCaps(ctx);
                yield "deferred";
            }
            case SmtpOutcome.Deferred deferred -> {
                if (deferred.mailboxProblem()) {
                    mailboxTrouble(ctx, deferred.reason(), false, now);
                    transports.reset(ctx.mailbox.id());
                }
                queue.retryLater(s, node, now.plus(SmtpOutcome.backoff(s.attempts() + 1)), deferred.reason(), reply, now);
                releaseCaps(ctx);
                yield "deferred";
            }
        });
        events.publishEvent(new SendCompleted(ws, s.campaignId(), s.id(), s.contactId(), ctx.mailbox.id(), s.stepOrder(), status,
                messageId, now));
    }

    /** Consecutive failures pause only this mailbox; a refused login also marks it in error for the user. */
    private void mailboxTrouble(SendChecks.Context ctx, String reason, boolean loginProblem, Instant now) {
        long ws = ctx.send.workspaceId();
        int failures = queue.mailboxFailed(ws, ctx.mailbox.id(), reason, now);
        if (failures >= props.pauseMailboxAfterFailures()) {
            queue.pauseMailbox(ws, ctx.mailbox.id(), now.plus(props.mailboxPause()));
            log.warn("Mailbox {} paused for {} after {} failures in a row: {}", ctx.mailbox.address(), props.mailboxPause(),
                    failures, reason);
        }
        if (loginProblem) {
            mailboxes.reportFailure(ws, ctx.mailbox.id(), "sending failed: " + reason);
            logins.remove(ctx.mailbox.id());
        }
    }

    private void finishSkipped(SendRow s, String reason, Instant now) {
        tx.executeWithoutResult(t -> {
            if (queue.skip(s, node, reason, now)) {
                queue.count(s.workspaceId(), s.campaignId(), now.atZone(ZoneOffset.UTC).toLocalDate(), s.stepOrder(), null,
                        s.mailboxId(), "skipped");
            }
        });
    }

    // ---- helpers ----

    /** The step's variant for this contact: by weight, and always the same one for the same contact. */
    static SendingVariant variant(SendingStep step, String contactId) {
        if (step.variants().isEmpty()) return null;
        BigDecimal total = step.variants().stream().map(SendingVariant::weight).reduce(BigDecimal.ZERO, BigDecimal::add);
        double r = new SplittableRandom(seed(contactId, step.id())).nextDouble() * total.doubleValue();
        for (SendingVariant v : step.variants()) {
            r -= v.weight().doubleValue();
            if (r < 0) return v;
        }
        return step.variants().getLast();
    }

    static long seed(String contactId, String stepId) {
        return ((long) contactId.hashCode() << 32) ^ stepId.hashCode();
    }

    private Map<String, String> values(ContactView c, Mailboxes.MailboxView m, SendRow s) {
        var v = new HashMap<String, String>();
        if (c.customFields() != null) v.putAll(c.customFields());
        v.put("email", c.email());
        v.put("firstName", c.firstName());
        v.put("lastName", c.lastName());
        v.put("company", c.company());
        v.put("title", c.title());
        v.put("phone", c.phone());
        v.put("timezone", c.timezone());
        v.put("senderFirstName", m.firstName());
        v.put("senderLastName", m.lastName());
        v.put("senderEmail", m.address());
        v.put("signature", m.signature());
        v.put("unsubscribeUrl", platform.baseUrl() + "/u/" + tokens.token(s.workspaceId(), s.contactId(), s.campaignId()));
        return v;
    }

    private static String senderName(Mailboxes.MailboxView m) {
        return ((m.firstName() == null ? "" : m.firstName()) + " " + (m.lastName() == null ? "" : m.lastName())).strip();
    }

    private static String name(ContactView c) {
        String n = ((c.firstName() == null ? "" : c.firstName()) + " " + (c.lastName() == null ? "" : c.lastName())).strip();
        return n.isEmpty() ? null : n;
    }

    private Mailboxes.SmtpLogin login(long ws, String mailboxId) {
        long now = System.nanoTime();
        var cached = logins.get(mailboxId);
        if (cached != null && now < cached.until()) return cached.value();
        var login = mailboxes.smtpLogin(ws, mailboxId).orElse(null);
        logins.put(mailboxId, new Cached<>(login, now + Duration.ofMinutes(1).toNanos()));
        return login;
    }

    private java.util.Optional<Domains.DkimKey> dkimKey(long ws, String domain) {
        long now = System.nanoTime();
        String k = ws + ":" + domain;
        var cached = dkim.get(k);
        if (cached != null && now < cached.until()) return cached.value();
        var key = domains.dkimKey(ws, domain);
        dkim.put(k, new Cached<>(key, now + Duration.ofMinutes(5).toNanos()));
        return key;
    }

    private static String abbreviate(String s) {
        if (s == null) return null;
        return s.length() > 500 ? s.substring(0, 500) : s;
    }

    // ---- lifecycle: the loop stops before the database and the mail server do ----

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        transports.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return 100; // after the mail server (phase 0) starts, before it stops
    }

    String node() {
        return node;
    }

}
