package dev.outreach2day.delivery;

import dev.outreach2day.campaign.Campaigns.SendingCampaign;
import dev.outreach2day.campaign.Campaigns.SendingMailbox;
import dev.outreach2day.campaign.Subsequences;
import dev.outreach2day.contact.ContactView;
import dev.outreach2day.contact.Contacts;
import dev.outreach2day.delivery.SendQueue.SendRow;
import dev.outreach2day.mailbox.Mailboxes.MailboxView;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.springframework.stereotype.Component;

/**
 * The policy a send must pass right before it goes out, as a pipeline of small checks in one
 * declared order. Each answers proceed, defer until a time, or skip with a reason. The daily
 * caps and the gap between a mailbox's sends are read here and reserved atomically afterwards
 * ({@link SendEngine}), so several processes never exceed them together.
 */
@Component
class SendChecks {

    /** What the checks look at; the mailbox check fills in the mailbox. */
    static final class Context {
        final SendRow send;
        final SendingCampaign campaign;
        final ContactView contact;
        final Instant now;
        /** The campaign's attached mailboxes by id, read once per claimed batch (see {@code SendEngine.SendBatch}). */
        final java.util.function.Supplier<java.util.Map<String, MailboxView>> attached;
        /** Which of the batch's addresses of this campaign are suppressed, asked once per claimed batch. */
        final java.util.function.Supplier<java.util.Set<String>> suppressed;
        /** A mailbox's sending state today, as the claimed batch knows it (see {@code SendEngine.SendBatch}). */
        final MailboxStates states;
        /** For a subsequence email: its subsequence and the contact's status in it (else null). */
        Subsequences.SendingSubsequence subsequence;
        String memberStatus;
        MailboxView mailbox;
        SendingMailbox policy;
        /** The chosen mailbox had failures in a row before this send (a success resets them). */
        boolean mailboxHadFailures;

        Context(SendRow send, SendingCampaign campaign, ContactView contact, Instant now,
                java.util.function.Supplier<java.util.Map<String, MailboxView>> attached,
                java.util.function.Supplier<java.util.Set<String>> suppressed, MailboxStates states) {
            this.suppressed = suppressed;
            this.states = states;
            this.send = send;
            this.campaign = campaign;
            this.contact = contact;
            this.now = now;
            this.attached = attached;
        }

        LocalDate day() {
            return now.atZone(ZoneOffset.UTC).toLocalDate();
        }

        boolean inSubsequence() {
            return send.subsequenceId() != null;
        }
    }

    /**
     * Where the mailbox check reads a mailbox's sending state (paused, failing, used today, its gap),
     * and where the engine tells it what it reserved, or that a reservation or send found the state
     * other than read (then it is read again).
     */
    interface MailboxStates {
        SendQueue.MailboxSnapshot of(long workspaceId, String campaignId, String mailboxId, LocalDate day);

        void reserved(long workspaceId, String campaignId, String mailboxId, LocalDate day, Instant now, Instant next);

        void forget(long workspaceId, String campaignId, String mailboxId, LocalDate day);
    }

    interface Check {
        Decision check(Context c);
    }

    private final List<Check> pipeline;

    SendChecks(Contacts contacts) {
        // The order matters: cheap, final reasons first; the window before the mailbox choice, so
        // a send outside its window never takes a mailbox's capacity.
        this.pipeline = List.of(
                new CampaignStatus(),
                new ContactStatus(),
                new SubsequenceMembership(),
                new CompanyReplied(contacts),
                new Suppressed(),
                new ScheduleWindow(),
                new MailboxChoice());
    }

    Decision run(Context c) {
        for (Check check : pipeline) {
            Decision d = check.check(c);
            if (!(d instanceof Decision.Proceed)) return d;
        }
        return Decision.PROCEED;
    }

    /** Sends only for active campaigns; paused ones wait, finished ones skip. */
    static final class CampaignStatus implements Check {
        @Override
        public Decision check(Context c) {
            return switch (c.campaign.status()) {
                case "active" -> Decision.PROCEED;
                // a reply can come after the last main email: its subsequence still goes out
                case "completed" -> c.inSubsequence() ? Decision.PROCEED : new Decision.Skip("campaign_completed");
                case "paused" -> new Decision.Defer(c.now.plusSeconds(60), "campaign_paused");
                // a launch commits its first sends batch by batch and only then makes the campaign active
                case "draft" -> new Decision.Defer(c.now.plusSeconds(1), "campaign_launching");
                default -> new Decision.Skip("campaign_" + c.campaign.status());
            };
        }
    }

    /** A contact whose sequence ended (replied, bounced, unsubscribed, stopped, completed) gets nothing more. */
    static final class ContactStatus implements Check {
        @Override
        public Decision check(Context c) {
            if (c.contact == null) return new Decision.Skip("contact_deleted");
            if (c.inSubsequence()) { // its main sequence has ended (it replied, …); only what ends the person's mail stops it
                String s = c.contact.status();
                return s.equals("bounced") || s.equals("unsubscribed") ? new Decision.Skip("contact_" + s) : Decision.PROCEED;
            }
            return c.contact.status().equals("in_progress") ? Decision.PROCEED : new Decision.Skip("contact_" + c.contact.status());
        }
    }

    /** A subsequence email goes only to a contact still in that subsequence, and waits while the subsequence is paused. */
    static final class SubsequenceMembership implements Check {
        @Override
        public Decision check(Context c) {
            if (!c.inSubsequence()) return Decision.PROCEED;
            if (c.subsequence == null || !c.subsequence.live()) return new Decision.Skip("subsequence_deleted");
            if (!"active".equals(c.memberStatus)) {
                return new Decision.Skip("subsequence_" + (c.memberStatus == null ? "not_member" : c.memberStatus));
            }
            return c.subsequence.status().equals("paused") ? new Decision.Defer(c.now.plusSeconds(900), "subsequence_paused")
                    : Decision.PROCEED;
        }
    }

    /** Stop rule "stop the company on reply": someone at the same email domain already answered. */
    static final class CompanyReplied implements Check {
        private final Contacts contacts;

        CompanyReplied(Contacts contacts) {
            this.contacts = contacts;
        }

        @Override
        public Decision check(Context c) {
            // a subsequence follows up a contact's own answer (or silence): the company rule is the main sequence's
            if (!c.campaign.stopRules().stopCompanyOnReply() || c.inSubsequence()) return Decision.PROCEED;
            String domain = c.contact.email().substring(c.contact.email().indexOf('@') + 1);
            return contacts.repliedAtDomain(c.send.workspaceId(), c.campaign.id(), domain)
                    ? new Decision.Skip("company_replied") : Decision.PROCEED;
        }
    }

    /** The suppression list, checked right before sending (for the whole claimed batch at once, see the context). */
    static final class Suppressed implements Check {
        @Override
        public Decision check(Context c) {
            return c.suppressed.get().contains(c.contact.email()) ? new Decision.Skip("suppressed") : Decision.PROCEED;
        }
    }

    /** Inside a sending window, in the campaign's zone or the contact's own when the schedule says so. */
    static final class ScheduleWindow implements Check {
        @Override
        public Decision check(Context c) {
            var s = c.campaign.schedule();
            ZoneId zone = s.useContactTimezone()
                    ? SendWindow.zone(c.contact.timezone()).orElse(ZoneId.of(s.timezone())) : ZoneId.of(s.timezone());
            return switch (SendWindow.at(s, zone, c.now)) {
                case SendWindow.Open o -> Decision.PROCEED;
                case SendWindow.Later l -> new Decision.Defer(l.next(), "outside_window");
                case SendWindow.Never n -> new Decision.Skip("schedule_ended");
            };
        }
    }

    /**
     * Step 1 picks a mailbox by weight among the campaign's usable ones with capacity left today;
     * every later step uses the mailbox that sent step 1. An unhealthy or paused mailbox waits.
     */
    static final class MailboxChoice implements Check {
        @Override
        public Decision check(Context c) {
            var views = c.attached.get();
            if (c.send.stepOrder() > 1 || c.send.mailboxId() != null) {
                String id = c.send.mailboxId();
                if (id == null) return new Decision.Skip("thread_mailbox_unknown");
                var policy = c.campaign.mailboxes().stream().filter(p -> p.mailboxId().equals(id)).findFirst();
                if (policy.isEmpty()) return new Decision.Skip("mailbox_detached");
                MailboxView m = views.get(id);
                if (m == null) return new Decision.Skip("mailbox_deleted");
                Decision usable = usable(c, m, policy.get());
                if (!(usable instanceof Decision.Proceed)) return usable;
                c.mailbox = m;
                c.policy = policy.get();
                return Decision.PROCEED;
            }
            // The campaign's mailboxes come from the batch's cache; try them in weighted-random
            // order and take the first with capacity, so a send usually checks one or two, not all.
            var remaining = new ArrayList<SendingMailbox>(c.campaign.mailboxes().size());
            for (SendingMailbox p : c.campaign.mailboxes()) { // a loop, not a stream: this runs for every first email
                if (views.containsKey(p.mailboxId())) remaining.add(p);
            }
            var random = new SplittableRandom((c.send.id() + c.now.toEpochMilli()).hashCode());
            Instant soonest = null;
            while (!remaining.isEmpty()) {
                SendingMailbox p = remaining.remove(weighted(remaining, random));
                MailboxView m = views.get(p.mailboxId());
                Decision d = usable(c, m, p);
                if (d instanceof Decision.Proceed) {
                    c.mailbox = m;
                    c.policy = p;
                    return Decision.PROCEED;
                }
                if (d instanceof Decision.Defer defer && (soonest == null || defer.until().isBefore(soonest))) {
                    soonest = defer.until();
                }
            }
            return new Decision.Defer(soonest != null ? soonest : c.now.plusSeconds(900), "no_mailbox_available");
        }

        /** Active, not paused by the campaign or by failures, under today's caps, gap passed (the state as the batch knows it). */
        private Decision usable(Context c, MailboxView m, SendingMailbox p) {
            if (p.paused()) return new Decision.Defer(c.now.plusSeconds(900), "mailbox_paused_in_campaign");
            if (!m.status().equals("active")) return new Decision.Defer(c.now.plusSeconds(1800), "mailbox_" + m.status());
            var state = c.states.of(c.send.workspaceId(), c.campaign.id(), m.id(), c.day());
            if (state.pausedUntil() != null && state.pausedUntil().isAfter(c.now)) {
                return new Decision.Defer(state.pausedUntil(), "mailbox_failing");
            }
            Instant tomorrow = c.day().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            if (state.usedToday() >= m.dailyLimit()) {
                return new Decision.Defer(tomorrow, "mailbox_daily_limit");
            }
            if (p.dailyLimit() != null && state.usedInCampaignToday() >= p.dailyLimit()) {
                return new Decision.Defer(tomorrow, "campaign_mailbox_daily_limit");
            }
            if (state.inGap(c.now, c.campaign.schedule().maxGapSeconds() <= 0)) return new Decision.Defer(state.nextAt(), "mailbox_gap");
            c.mailboxHadFailures = state.failures() > 0 || state.pausedUntil() != null;
            return Decision.PROCEED;
        }

        static int weighted(List<SendingMailbox> candidates, SplittableRandom random) {
            BigDecimal total = BigDecimal.ZERO;
            for (SendingMailbox p : candidates) total = total.add(p.weight());
            double r = random.nextDouble() * total.doubleValue();
            for (int i = 0; i < candidates.size(); i++) {
                r -= candidates.get(i).weight().doubleValue();
                if (r < 0) return i;
            }
            return candidates.size() - 1;
        }
    }
}
