package dev.outreach2day.delivery;

import dev.outreach2day.campaign.CampaignStatusChanged;
import dev.outreach2day.campaign.Campaigns;
import dev.outreach2day.campaign.Campaigns.SendingCampaign;
import dev.outreach2day.campaign.Campaigns.SendingStep;
import dev.outreach2day.campaign.Campaigns.SendingVariant;
import dev.outreach2day.campaign.Rendering;
import dev.outreach2day.campaign.Subsequences;
import dev.outreach2day.campaign.SuppressionCheck;
import dev.outreach2day.contact.ContactView;
import dev.outreach2day.contact.Contacts;
import dev.outreach2day.delivery.SendQueue.SendRow;
import dev.outreach2day.domain.Domains;
import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.platform.MailSessions;
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
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
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
    private final List<SuppressionCheck> suppression;
    private final Subsequences subsequences;
    private final Session session = MailSessions.plain();
    private final Map<String, Cached<Mailboxes.SmtpLogin>> logins = new ConcurrentHashMap<>();
    private final Map<String, Cached<java.util.Optional<Domains.DkimKey>>> dkim = new ConcurrentHashMap<>();
    /** Free sending slots, shared by every claimed batch: at most {@code concurrency} sends run at once. */
    private final Semaphore slots;
    /** Accepted sends, recorded in groups (see {@link #writeSent}). */
    private final GroupCommit<SendQueue.SentSend, Boolean> recorder = new GroupCommit<>(256, this::writeSent);
    /** Reservations, written in groups (see {@link #writeReservations}). */
    private final GroupCommit<SendQueue.Reservation, java.util.Optional<String>> reservations =
            new GroupCommit<>(64, this::writeReservations);
    private volatile boolean running;
    private final Object wakeLock = new Object();
    private boolean woken; // guarded by wakeLock
    private Thread dispatcher; // guarded by this

    private record Cached<T>(T value, long until) {}

    SendEngine(SendQueue queue, SendChecks checks, Campaigns campaigns, Contacts contacts, Mailboxes mailboxes, Domains domains,
            UnsubscribeTokens tokens, Tracking tracking, DeliveryProperties props, O2dProperties platform, TransactionTemplate tx,
            ApplicationEventPublisher events, Clock clock, List<SuppressionCheck> suppression, Subsequences subsequences) {
        this.suppression = suppression;
        this.subsequences = subsequences;
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
        this.slots = new Semaphore(props.concurrency());
    }

    static String mailboxScope(String mailboxId) {
        return "mailbox:" + mailboxId;
    }

    static String campaignMailboxScope(String campaignId, String mailboxId) {
        return "campaign-mailbox:" + campaignId + ":" + mailboxId;
    }

    // ---- the loop ----

    /**
     * The dispatcher thread: a round every second, and at once when sends were just planned for
     * now (a launch, a resume: {@link #wake}), so a launched campaign's first emails do not wait
     * for the next round.
     */
    private void loop() {
        sleepUntilWoken(Duration.ofSeconds(5)); // the application finishes starting first
        while (running) {
            try {
                tick();
            } catch (Throwable t) { // the loop must survive anything one round throws
                log.error("Sending round failed: {}", t.toString(), t);
            }
            sleepUntilWoken(Duration.ofSeconds(1));
        }
    }

    /** A campaign became active (launched or resumed): its sends are due now. */
    @TransactionalEventListener(fallbackExecution = true)
    void on(CampaignStatusChanged e) {
        if ("active".equals(e.to())) wake();
    }

    /** Starts the next round now instead of within a second. */
    void wake() {
        synchronized (wakeLock) {
            woken = true;
            wakeLock.notifyAll();
        }
    }

    private void sleepUntilWoken(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (wakeLock) {
            while (!woken && running) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                try {
                    TimeUnit.NANOSECONDS.timedWait(wakeLock, left);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            woken = false;
        }
    }

    void tick() {
        if (!running || !props.enabled()) return;
        try {
            reap();
            dispatch();
        } catch (RuntimeException e) {
            log.warn("Sending round failed: {}", e.getMessage(), e);
        }
    }

    @Scheduled(initialDelayString = "PT30S", fixedDelayString = "PT30S")
    void housekeeping() {
        if (!running || !props.enabled()) return;
        transports.closeIdle();
        int moved = subsequences.enrollNoReplies();
        if (moved > 0) log.info("{} contact(s) moved into no-reply subsequences", moved);
        for (String[] c : campaigns.finishedActiveCampaigns()) {
            campaigns.markCompleted(Long.parseLong(c[0]), c[1]);
            log.info("Campaign {} completed: every contact is done", c[1]);
        }
    }

    /**
     * Keeps the sending slots busy while sends are due: claims as many as there are free slots (at
     * least a quarter of them, so claims stay batches), and again as soon as slots free up, instead
     * of waiting for a whole batch to finish. Returns when fewer were due than asked for.
     */
    void dispatch() {
        int least = Math.max(1, Math.min(props.batchSize(), props.concurrency()) / 4);
        while (running) {
            slots.acquireUninterruptibly(least);
            int free = least + slots.drainPermits();
            int want = Math.min(free, props.batchSize());
            if (free > want) slots.release(free - want);
            List<SendRow> rows;
            try {
                rows = claim(want);
            } catch (RuntimeException e) {
                slots.release(want);
                throw e;
            }
            if (rows.size() < want) slots.release(want - rows.size());
            if (!rows.isEmpty()) {
                var batch = new SendBatch(rows);
                for (SendRow s : rows) start(s, batch); // each holds one of the slots taken above
            }
            if (rows.size() < want) return; // nothing more is due right now
        }
    }

    /** One round (tests and tools): claims a batch, processes it with the concurrency bound, and waits for all of it. */
    int runOnce() {
        List<SendRow> rows = claim(props.batchSize());
        if (rows.isEmpty()) return 0;
        var batch = new SendBatch(rows);
        var threads = new ArrayList<Thread>();
        for (SendRow s : rows) {
            slots.acquireUninterruptibly();
            threads.add(start(s, batch));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return rows.size();
    }

    private List<SendRow> claim(int limit) {
        Instant now = clock.instant();
        return queue.claim(node, now, now.plus(props.claimLease()), limit);
    }

    /** Processes one claimed send on its own virtual thread, which gives its slot back when done. */
    private Thread start(SendRow s, SendBatch batch) {
        return Thread.ofVirtual().name("send-" + s.id()).start(() -> {
            try {
                process(s, batch);
            } catch (RuntimeException e) {
                log.warn("Send {} could not be processed: {}", s.id(), e.getMessage(), e);
                queue.defer(s, node, clock.instant().plusSeconds(300), "engine_error", clock.instant());
            } finally {
                slots.release();
            }
        });
    }

    /**
     * What the sends of one claimed batch share, each read once: their campaigns, each campaign's
     * attached mailboxes and suppressed addresses, subsequences, and the contacts (one query per
     * workspace). Read when the batch is claimed, before its sends start, so a change lands with
     * the next batch (a second or less while sending).
     */
    private final class SendBatch implements SendChecks.MailboxStates {
        private final Map<String, java.util.Optional<SendingCampaign>> campaignById = new ConcurrentHashMap<>();
        private final Map<String, Map<String, Mailboxes.MailboxView>> attachedByCampaign = new ConcurrentHashMap<>();
        private final Map<String, ContactView> contactById = new HashMap<>();
        private final Map<String, java.util.Set<String>> suppressedByCampaign = new ConcurrentHashMap<>();
        private final Map<String, java.util.Optional<Subsequences.SendingSubsequence>> subsequenceById = new ConcurrentHashMap<>();
        /** The mailboxes' sending states by workspace, campaign, mailbox and day; this process's reservations applied as made. */
        private final Map<String, SendQueue.MailboxSnapshot> states = new ConcurrentHashMap<>();
        private final List<SendRow> rows;

        SendBatch(List<SendRow> rows) {
            this.rows = rows;
            var byWorkspace = new HashMap<Long, List<String>>();
            for (SendRow r : rows) byWorkspace.computeIfAbsent(r.workspaceId(), k -> new ArrayList<>()).add(r.contactId());
            byWorkspace.forEach((ws, ids) -> contacts.findAll(ws, ids).forEach((id, c) -> contactById.put(ws + ":" + id, c)));
            // Read here, on one thread, what the batch's sends share: read lazily by the first of up to
            // `concurrency` send threads, the others spun on the map's lock meanwhile (~6 % of sending CPU).
            var day = clock.instant().atZone(ZoneOffset.UTC).toLocalDate();
            for (SendRow r : rows) {
                campaign(r.workspaceId(), r.campaignId()).ifPresent(c -> {
                    if (!attachedByCampaign.containsKey(r.workspaceId() + ":" + c.id())) {
                        // every attached mailbox's state in one query, instead of one query per send (and per mailbox tried)
                        var ids = List.copyOf(attached(r.workspaceId(), c).keySet());
                        queue.mailboxSnapshots(r.workspaceId(), ids, ids.stream().map(SendEngine::mailboxScope).toList(),
                                ids.stream().map(m -> campaignMailboxScope(c.id(), m)).toList(), day)
                                .forEach((m, state) -> states.put(stateKey(r.workspaceId(), c.id(), m, day), state));
                    }
                    suppressed(r.workspaceId(), r.campaignId());
                });
                if (r.subsequenceId() != null) subsequence(r.workspaceId(), r.subsequenceId());
            }
        }

        private static String stateKey(long ws, String campaignId, String mailboxId, java.time.LocalDate day) {
            return ws + ":" + campaignId + ":" + mailboxId + ":" + day;
        }

        /**
         * As read for the batch, with this batch's own reservations applied. Another process's
         * reservations are not, but the reservation checks the caps and the gap itself, and a
         * refused one makes the state be read again; a failure pause another process put on a
         * mailbox is seen with the next batch (a second or less while sending).
         */
        @Override
        public SendQueue.MailboxSnapshot of(long ws, String campaignId, String mailboxId, java.time.LocalDate day) {
            String k = stateKey(ws, campaignId, mailboxId, day);
            var state = states.get(k);
            if (state == null) {
                state = queue.mailboxSnapshot(ws, mailboxId, mailboxScope(mailboxId), campaignMailboxScope(campaignId, mailboxId), day);
                states.put(k, state);
            }
            return state;
        }

        @Override
        public void reserved(long ws, String campaignId, String mailboxId, java.time.LocalDate day, Instant now, Instant next) {
            states.computeIfPresent(stateKey(ws, campaignId, mailboxId, day), (k, state) -> state.reserved(now, next));
        }

        @Override
        public void forget(long ws, String campaignId, String mailboxId, java.time.LocalDate day) {
            states.remove(stateKey(ws, campaignId, mailboxId, day));
        }

        java.util.Optional<SendingCampaign> campaign(long ws, String campaignId) {
            return campaignById.computeIfAbsent(ws + ":" + campaignId, k -> campaigns.forSending(ws, campaignId));
        }

        java.util.Optional<Subsequences.SendingSubsequence> subsequence(long ws, String subsequenceId) {
            return subsequenceById.computeIfAbsent(ws + ":" + subsequenceId, k -> subsequences.forSending(ws, subsequenceId));
        }

        ContactView contact(long ws, String contactId) {
            return contactById.get(ws + ":" + contactId);
        }

        /** The batch's addresses of this campaign that the suppression list blocks: one question per campaign and batch. */
        java.util.Set<String> suppressed(long ws, String campaignId) {
            return suppressedByCampaign.computeIfAbsent(ws + ":" + campaignId, k -> {
                var emails = rows.stream().filter(r -> r.workspaceId() == ws && r.campaignId().equals(campaignId))
                        .map(r -> contactById.get(ws + ":" + r.contactId())).filter(java.util.Objects::nonNull).map(ContactView::email)
                        .toList();
                var out = new java.util.HashSet<String>();
                if (!emails.isEmpty()) for (SuppressionCheck p : suppression) out.addAll(p.suppressed(ws, campaignId, emails));
                return java.util.Set.copyOf(out);
            });
        }

        Map<String, Mailboxes.MailboxView> attached(long ws, SendingCampaign c) {
            return attachedByCampaign.computeIfAbsent(ws + ":" + c.id(), k -> {
                var views = new HashMap<String, Mailboxes.MailboxView>();
                mailboxes.byIds(ws, c.mailboxes().stream().map(Campaigns.SendingMailbox::mailboxId).toList())
                        .forEach(v -> views.put(v.id(), v));
                return Map.copyOf(views);
            });
        }
    }

    /** In-flight sends whose lease ran out: their process died mid-SMTP; they become unknown. */
    int reap() {
        var reaped = queue.reap(clock.instant());
        for (var r : reaped) {
            if (r.subsequenceId() != null) {
                queue.countSubsequence(r.workspaceId(), r.subsequenceId(), r.stepOrder(), "unknown");
                continue;
            }
            queue.count(r.workspaceId(), r.campaignId(), clock.instant().atZone(ZoneOffset.UTC).toLocalDate(), r.stepOrder(),
                    r.variantId(), r.mailboxId(), "unknown");
        }
        if (!reaped.isEmpty()) log.warn("{} send(s) left in flight by a stopped process are now unknown (not resent)", reaped.size());
        return reaped.size();
    }

    // ---- one send ----

    private void process(SendRow s, SendBatch batch) {
        Instant now = clock.instant();
        var campaign = batch.campaign(s.workspaceId(), s.campaignId());
        if (campaign.isEmpty()) {
            finishSkipped(s, "campaign_deleted", now);
            return;
        }
        ContactView contact = batch.contact(s.workspaceId(), s.contactId());
        // a subsequence email's step is its subsequence's; the rest are the campaign's own
        Subsequences.SendingSubsequence subsequence = null;
        if (s.subsequenceId() != null) {
            subsequence = batch.subsequence(s.workspaceId(), s.subsequenceId()).orElse(null);
            if (subsequence == null) {
                finishSkipped(s, "subsequence_deleted", now);
                return;
            }
        }
        var step = subsequence != null ? subsequence.step(s.stepOrder()) : campaign.get().step(s.stepOrder());
        if (step.isEmpty() || !step.get().id().equals(s.stepId())) {
            finishSkipped(s, "step_deleted", now);
            return;
        }
        var ctx = new SendChecks.Context(s, campaign.get(), contact, now, () -> batch.attached(s.workspaceId(), campaign.get()),
                () -> batch.suppressed(s.workspaceId(), s.campaignId()), batch);
        if (subsequence != null) {
            ctx.subsequence = subsequence;
            ctx.memberStatus = subsequences.memberStatus(s.workspaceId(), s.subsequenceId(), s.contactId()).orElse(null);
        }
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
        // the first email starts the thread; a follow-up replies to what this contact was sent before
        var thread = s.stepOrder() > 1 || s.subsequenceId() != null ? queue.thread(s.workspaceId(), s.campaignId(), s.contactId()) : List.<SendQueue.Sent>of();
        SendingVariant variant = variant(step.get(), s.contactId());
        String unsubscribeUrl = platform.baseUrl() + "/u/" + tokens.token(s.workspaceId(), s.contactId(), s.campaignId());
        var values = values(contact, ctx.mailbox, unsubscribeUrl);
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
        String messageId = "<" + s.id() + "." + HexFormat.of().toHexDigits(RANDOM.nextInt()) + "@" + domain + ">";
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
            byte[] written = OutgoingMessage.write(new OutgoingMessage.Spec(ctx.mailbox.address(),
                    senderName(ctx.mailbox), contact.email(), name(contact), subject, rendered.text(), html, messageId,
                    inReplyTo, references, unsubscribeUrl,
                    "mailto:" + ctx.mailbox.address() + "?subject=unsubscribe", Map.of()), clock.instant());
            var key = props.dkim() ? dkimKey(s.workspaceId(), domain) : java.util.Optional.<Domains.DkimKey>empty();
            MimeMessage message = key.isPresent()
                    ? OutgoingMessage.sign(session, written, key.get().domain(), key.get().selector(), key.get().key())
                    : OutgoingMessage.freeze(session, written);
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
        var caps = caps(ctx);
        var refused = reservations.submit(new SendQueue.Reservation(s, ctx.mailbox.id(), variantId, subject, messageId, inReplyTo, now,
                now.plusSeconds(gap), now.plus(props.inFlightLease()), ctx.day(), caps, links));
        if (refused.isEmpty()) {
            ctx.states.reserved(ws, ctx.campaign.id(), ctx.mailbox.id(), ctx.day(), now, now.plusSeconds(gap));
            return true;
        }
        ctx.states.forget(ws, ctx.campaign.id(), ctx.mailbox.id(), ctx.day()); // the state was not what the batch read
        String reason = refused.get();
        if (reason.equals("claim_lost")) return false; // our claim ran out and another process has it now
        Instant until;
        if (reason.equals("mailbox_gap")) {
            until = queue.paceOf(ws, ctx.mailbox.id()).orElse(now.plusSeconds(gap));
        } else {
            // a first email that lost its chosen mailbox's last slot to another send chooses again; the rest wait for tomorrow
            boolean mailboxCap = caps.stream().anyMatch(c -> c.reason().equals(reason) && c.scope().endsWith(ctx.mailbox.id()));
            until = s.stepOrder() == 1 && s.mailboxId() == null && mailboxCap ? now.plusSeconds(1) : tomorrow;
        }
        queue.defer(s, node, until, reason, now);
        return false;
    }

    private List<SendQueue.DayCap> caps(SendChecks.Context ctx) {
        var caps = new ArrayList<SendQueue.DayCap>();
        String c = ctx.campaign.id();
        caps.add(new SendQueue.DayCap(mailboxScope(ctx.mailbox.id()), ctx.mailbox.dailyLimit(), "mailbox_daily_limit"));
        if (ctx.policy.dailyLimit() != null) {
            caps.add(new SendQueue.DayCap(campaignMailboxScope(c, ctx.mailbox.id()), ctx.policy.dailyLimit(), "campaign_mailbox_daily_limit"));
        }
        if (ctx.campaign.schedule().dailyLimit() != null) {
            caps.add(new SendQueue.DayCap("campaign:" + c, ctx.campaign.schedule().dailyLimit(), "campaign_daily_limit"));
        }
        if (ctx.send.stepOrder() == 1 && !ctx.inSubsequence() && ctx.campaign.schedule().maxNewContactsPerDay() != null) {
            caps.add(new SendQueue.DayCap("campaign-new:" + c, ctx.campaign.schedule().maxNewContactsPerDay(), "new_contacts_per_day"));
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
        // an accepted send is one autocommit call: no lock (the contact's change number) waits on a round trip to us
        String status = outcome instanceof SmtpOutcome.Sent
                ? (ctx.inSubsequence() ? recordSubsequenceSent(ctx, variantId, messageId, now) : recordSent(ctx, variantId, messageId, now))
                : tx.execute(t -> switch (outcome) {
            case SmtpOutcome.Sent sent -> throw new IllegalStateException("recorded above");
            case SmtpOutcome.Bounced bounced when ctx.inSubsequence() -> {
                queue.markFinal(s, node, "bounced", bounced.reason(), reply, now);
                queue.countSubsequence(ws, s.subsequenceId(), s.stepOrder(), "bounced");
                // the contact (its campaign's change counter first) before the membership: enrolment's lock order
                contacts.updateProgress(ws, s.campaignId(), s.contactId(), "bounced", ctx.contact.currentStep(), null, null);
                queue.endMember(s, "stopped", "bounced", now);
                yield "bounced";
            }
            case SmtpOutcome.Failed f when !f.mailboxProblem() && ctx.inSubsequence() -> {
                queue.markFinal(s, node, "failed", f.reason(), reply, now);
                queue.countSubsequence(ws, s.subsequenceId(), s.stepOrder(), "failed");
                queue.endMember(s, "stopped", "failed: " + f.reason(), now);
                yield "failed";
            }
            case SmtpOutcome.Bounced bounced -> {
                queue.markFinal(s, node, "bounced", bounced.reason(), reply, now);
                queue.count(ws, s.campaignId(), ctx.day(), s.stepOrder(), variantId, ctx.mailbox.id(), "bounced");
                contacts.updateProgress(ws, s.campaignId(), s.contactId(), "bounced", s.stepOrder(), null, null);
                yield "bounced";
            }
            case SmtpOutcome.Failed f when !f.mailboxProblem() -> {
                queue.markFinal(s, node, "failed", f.reason(), reply, now);
                queue.count(ws, s.campaignId(), ctx.day(), s.stepOrder(), variantId, ctx.mailbox.id(), "failed");
                contacts.updateProgress(ws, s.campaignId(), s.contactId(), "stopped", s.stepOrder() - 1, null, null);
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
        if (!status.equals("sent")) { // sent ones are announced per group by the recorder (SendsCompleted)
            events.publishEvent(new SendCompleted(ws, s.campaignId(), s.id(), s.contactId(), ctx.mailbox.id(), s.stepOrder(), status,
                    messageId, now));
        }
    }

    /**
     * Records an accepted subsequence email in one transaction: sent, counted in its subsequence,
     * the member's progress, and its next step planned (or the member completed); announced like
     * any sent email. The contact's own progress is its main sequence's and stays as it is.
     */
    private String recordSubsequenceSent(SendChecks.Context ctx, String variantId, String messageId, Instant now) {
        SendRow s = ctx.send;
        var next = ctx.subsequence.step(s.stepOrder() + 1).map(n -> new SendQueue.NextSend(Ids.next("snd", now.toEpochMilli()),
                n.id(), n.order(), now.plusSeconds(n.delaySeconds()))).orElse(null);
        boolean recorded = Boolean.TRUE.equals(tx.execute(t -> {
            var before = queue.markSubsequenceSent(s, node, now);
            if (before.isEmpty()) return false;
            queue.countSubsequence(s.workspaceId(), s.subsequenceId(), s.stepOrder(), "sent");
            if (before.get().equals("unknown")) queue.uncountSubsequenceUnknown(s.workspaceId(), s.subsequenceId(), s.stepOrder());
            queue.memberProgress(s, next == null, now);
            if (next != null) queue.planSubsequenceSend(s, next, ctx.mailbox.id(), now);
            events.publishEvent(new SendsCompleted(List.of(new SendCompleted(s.workspaceId(), s.campaignId(), s.id(), s.contactId(),
                    ctx.mailbox.id(), s.stepOrder(), "sent", messageId, now)), List.of()));
            return true;
        }));
        if (!recorded) log.warn("Send {} was accepted by SMTP but is no longer this process's to record", s.id());
        return "sent";
    }

    /** Records an accepted send through the group commit (see {@link #writeSent}). */
    private String recordSent(SendChecks.Context ctx, String variantId, String messageId, Instant now) {
        SendRow s = ctx.send;
        var next = ctx.campaign.step(s.stepOrder() + 1).map(n -> new SendQueue.NextSend(Ids.next("snd", now.toEpochMilli()),
                n.id(), n.order(), now.plusSeconds(n.delaySeconds()))).orElse(null);
        var recorded = recorder.submit(new SendQueue.SentSend(s, now, ctx.day(), variantId, ctx.mailbox.id(), ctx.mailboxHadFailures,
                next, next != null ? "in_progress" : "completed", messageId));
        if (!recorded) log.warn("Send {} was accepted by SMTP but is no longer this process's to record", s.id());
        return "sent";
    }

    /**
     * Reservations of sends that reach this step at the same moment, written together: one
     * transaction, one synchronous commit and set-based statements instead of one of each per send
     * (V29, ADR 0015). A reservation alone is written at once, as before; a group that cannot be
     * taken whole falls back, in the same call, to one reservation after the other.
     */
    private List<java.util.Optional<String>> writeReservations(List<SendQueue.Reservation> group) {
        if (group.size() == 1) return List.of(queue.reserveSend(node, group.getFirst()));
        return retriedOnce(() -> queue.reserveSends(node, group), "Reserving", group.size());
    }

    /**
     * Group commit for accepted sends: every send queued while the last group was being written
     * goes in one transaction (one round trip, the campaign's change-number row locked once per
     * group). A send is recorded before its thread returns, as before. True for each send recorded,
     * false for one that was no longer this process's to record.
     */
    private List<Boolean> writeSent(List<SendQueue.SentSend> group) {
        // the sends' records and what announces them (webhook events) commit together: a crash loses or invents neither
        var recorded = retriedOnce(() -> tx.execute(status -> {
            var written = queue.recordSent(node, group);
            var announced = new ArrayList<SendCompleted>();
            var lastSteps = new ArrayList<SendCompleted>();
            for (var x : group) {
                if (!written.containsKey(x.send().id())) continue;
                var e = new SendCompleted(x.send().workspaceId(), x.send().campaignId(), x.send().id(), x.send().contactId(),
                        x.mailboxId(), x.send().stepOrder(), "sent", x.messageId(), x.sentAt());
                announced.add(e);
                if (x.next() == null) lastSteps.add(e);
            }
            if (!announced.isEmpty()) events.publishEvent(new SendsCompleted(List.copyOf(announced), List.copyOf(lastSteps)));
            return written;
        }), "Recording", group.size());
        return group.stream().map(x -> recorded.containsKey(x.send().id())).toList();
    }

    /** A group's transaction; retried once when the database chose it as a deadlock victim (it wrote nothing then). */
    private static <R> R retriedOnce(java.util.function.Supplier<R> transaction, String what, int size) {
        try {
            return transaction.get();
        } catch (org.springframework.dao.PessimisticLockingFailureException e) {
            log.info("{} {} sends met a lock conflict ({}); retrying once", what, size, e.getMessage());
            return transaction.get();
        }
    }

    /** Consecutive failures pause only this mailbox; a refused login also marks it in error for the user. */
    private void mailboxTrouble(SendChecks.Context ctx, String reason, boolean loginProblem, Instant now) {
        long ws = ctx.send.workspaceId();
        ctx.states.forget(ws, ctx.campaign.id(), ctx.mailbox.id(), ctx.day()); // its failures in a row, maybe a pause
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
            if (s.subsequenceId() != null) {
                if (queue.skip(s, node, reason, now)) {
                    queue.countSubsequence(s.workspaceId(), s.subsequenceId(), s.stepOrder(), "skipped");
                    queue.endMember(s, "stopped", reason, now); // a skipped email ends the subsequence for the contact
                }
                return;
            }
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

    private static Map<String, String> values(ContactView c, Mailboxes.MailboxView m, String unsubscribeUrl) {
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
        v.put("unsubscribeUrl", unsubscribeUrl);
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
    public synchronized void start() {
        running = true;
        if (dispatcher == null || !dispatcher.isAlive()) { // a stop and start in quick succession keeps the one loop
            dispatcher = Thread.ofPlatform().name("send-dispatcher").daemon(true).start(this::loop);
        }
    }

    @Override
    public void stop() {
        running = false;
        wake();
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
