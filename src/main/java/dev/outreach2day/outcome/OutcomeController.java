package dev.outreach2day.outcome;

import dev.outreach2day.campaign.Campaigns;
import dev.outreach2day.contact.ContactView;
import dev.outreach2day.contact.Contacts;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.Cursors;
import dev.outreach2day.platform.EmailAddresses;
import dev.outreach2day.platform.Paging;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import dev.outreach2day.unibox.ReplyClassifier;
import dev.outreach2day.unibox.ReplyReceived;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reply outcomes per campaign contact (ENDPOINTS.md "Campaign webhooks"): classify a reply that
 * arrived elsewhere (it counts as that contact's reply: stop rules, stats, suppression, events),
 * list the outcomes, and set one by hand — a manual outcome wins over the classifier from then on.
 */
@Tag(name = "Campaigns")
@RestController
class OutcomeController {

    static final int MAX_TEXT = 100_000;

    /** [doc] */
    record PublicCampaignReplyClassificationIn(@NotBlank @Size(max = 320) String contactEmail, @Size(max = 998) String subject,
            @NotNull @Size(min = 1, max = MAX_TEXT) String text) {}

    /** [doc] */
    record CampaignReplyClassificationOut(String intent, double confidence, List<String> events, String contactId, String returnDate,
            String outcome) {}

    /** [doc] */
    record CampaignContactOutcomeOut(String campaignId, String contactId, String email, String replyIntent, Double confidence,
            String source, String note, String classifierIntent, Double classifierConfidence, String threadId, int replies,
            Instant lastReplyAt, Instant createdAt, Instant updatedAt) {}

    /** [doc] */
    record CampaignContactOutcomesPageOut(List<CampaignContactOutcomeOut> outcomes, String next_cursor) {}

    /** [doc] */
    record PublicCampaignOutcomeOverrideIn(@NotNull String replyIntent, @Size(max = 2000) String note) {}

    record CampaignContactOutcomeEnvelopeOut(CampaignContactOutcomeOut outcome) {}

    private final OutcomeStore store;
    private final Campaigns campaigns;
    private final Contacts contacts;
    private final Cursors cursors;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final OutcomeOverrides overrides;
    private final Clock clock;

    OutcomeController(OutcomeStore store, Campaigns campaigns, Contacts contacts, Cursors cursors, TransactionTemplate tx,
            ApplicationEventPublisher events, OutcomeOverrides overrides, Clock clock) {
        this.overrides = overrides;
        this.store = store;
        this.campaigns = campaigns;
        this.contacts = contacts;
        this.cursors = cursors;
        this.tx = tx;
        this.events = events;
        this.clock = clock;
    }

    @Operation(summary = "Public Classify Campaign Reply",
            description = "Classifies a reply the contact sent (received outside Outreach2day) and treats it as that contact's reply: the "
                    + "campaign's stop rules apply, it counts in the stats, an unsubscribe request is suppressed, and the webhook events "
                    + "listed in `events` are emitted. A manual outcome set before stays the contact's outcome.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/{campaign_id}/replies/classify")
    CampaignReplyClassificationOut classify(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @Valid @RequestBody PublicCampaignReplyClassificationIn in) {
        long ws = caller.workspace(workspaceId);
        requireCampaign(ws, campaignId);
        ContactView contact = contactByEmail(ws, campaignId, in.contactEmail());
        var result = ReplyClassifier.classify(in.subject() == null ? "" : in.subject(), in.text(), Map.of());
        Instant now = clock.instant();
        String outcome = tx.execute(status -> {
            boolean first = store.findForUpdate(ws, campaignId, contact.id()).map(o -> o.replies() == 0).orElse(true);
            events.publishEvent(new ReplyReceived(ws, null, null, campaignId, contact.id(), null, null, Math.max(1, contact.currentStep()),
                    null, contact.email(), result.intent(), result.confidence(), result.intent().equals(ReplyClassifier.BOUNCED),
                    result.returnDate(), now, first));
            return store.findForUpdate(ws, campaignId, contact.id()).map(OutcomeStore.Outcome::replyIntent).orElse(result.intent());
        });
        var emitted = new ArrayList<>(List.of("reply_received", "reply_classified"));
        String lead = ReplyOutcomes.leadEvent(result.intent());
        if (lead != null) emitted.add(lead);
        return new CampaignReplyClassificationOut(result.intent(), result.confidence(), emitted, contact.id(),
                result.returnDate() == null ? null : result.returnDate().toString(), outcome);
    }

    @Operation(summary = "Public List Campaign Contact Outcomes",
            description = "What each contact's replies came to, in contact order: the classifier's reading of the latest reply or a manual "
                    + "outcome (source). Filters: replyIntent, source (classifier or manual).")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/outcomes")
    CampaignContactOutcomesPageOut outcomes(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @RequestParam(required = false) String replyIntent,
            @RequestParam(required = false) String source, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        long ws = caller.workspace(workspaceId);
        requireCampaign(ws, campaignId);
        if (replyIntent != null && !ReplyOutcomes.INTENTS.contains(replyIntent)) {
            throw ApiException.Invalid.query("replyIntent", "replyIntent must be one of " + String.join(", ", ReplyOutcomes.INTENTS), "enum");
        }
        if (source != null && !source.equals("classifier") && !source.equals("manual")) {
            throw ApiException.Invalid.query("source", "source must be classifier or manual", "enum");
        }
        int n = Paging.limit(limit);
        String list = "outcomes:" + campaignId + ":" + Objects.toString(replyIntent, "") + ":" + Objects.toString(source, "");
        var after = cursors.decode(list, ws, cursor);
        var rows = store.page(ws, campaignId, replyIntent, source, after == null ? null : after.getFirst(), n + 1);
        String next = rows.size() > n ? cursors.encode(list, ws, rows.get(n - 1).contactId()) : null;
        return new CampaignContactOutcomesPageOut(rows.stream().limit(n).map(OutcomeController::out).toList(), next);
    }

    @Operation(summary = "Public Override Campaign Contact Outcome",
            description = "Sets the contact's outcome by hand; it wins over the classifier from now on. The campaign's stop rules apply to it "
                    + "(unsubscribe and bounced also suppress the address), and reply_classified plus the matching lead event are emitted. "
                    + "Setting the same intent and note again changes nothing and emits nothing.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/{campaign_id}/contacts/{contact_id}/outcome")
    CampaignContactOutcomeEnvelopeOut override(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @PathVariable("contact_id") String contactId,
            @Valid @RequestBody PublicCampaignOutcomeOverrideIn in) {
        long ws = caller.workspace(workspaceId);
        if (!ReplyOutcomes.INTENTS.contains(in.replyIntent())) {
            throw ApiException.Invalid.body("replyIntent must be one of " + String.join(", ", ReplyOutcomes.INTENTS), "enum", "replyIntent");
        }
        requireCampaign(ws, campaignId);
        ContactView contact = contacts.find(ws, contactId).filter(c -> c.campaignId().equals(campaignId))
                .orElseThrow(() -> new ApiException.NotFound("Contact " + contactId));
        String note = in.note() == null || in.note().isBlank() ? null : in.note().strip();
        Instant now = clock.instant();
        var saved = tx.execute(status -> overrides.set(ws, campaignId, contactId, contact.email(), in.replyIntent(), note, now));
        return new CampaignContactOutcomeEnvelopeOut(out(saved));
    }

    private void requireCampaign(long ws, String campaignId) {
        if (!campaigns.exists(ws, campaignId)) throw new ApiException.NotFound("Campaign " + campaignId);
    }

    private ContactView contactByEmail(long ws, String campaignId, String email) {
        if (EmailAddresses.normalize(email).isEmpty()) {
            throw ApiException.Invalid.body("contactEmail is not a valid email address", "value_error", "contactEmail");
        }
        return contacts.findByEmail(ws, campaignId, email)
                .orElseThrow(() -> new ApiException.NotFound("Contact " + email.strip() + " in campaign " + campaignId));
    }

    private static CampaignContactOutcomeOut out(OutcomeStore.Outcome o) {
        return new CampaignContactOutcomeOut(o.campaignId(), o.contactId(), o.email(), o.replyIntent(), o.confidence(), o.source(), o.note(),
                o.classifierIntent(), o.classifierConfidence(), o.threadId(), o.replies(), o.lastReplyAt(), o.createdAt(), o.updatedAt());
    }
}
