package dev.outreach2day.contact;

import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.Cursors;
import dev.outreach2day.platform.Paging;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Campaign contacts")
@RestController
class ContactController {

    /** [design] One contact to add or update; only {@code email} is required. */
    record CampaignContactIn(String email, String firstName, String lastName, String company, String title, String phone,
            @Schema(description = "IANA zone name, e.g. Europe/Berlin") String timezone,
            @Schema(additionalPropertiesSchema = String.class, description = "string → string; keys 1-64 characters of [A-Za-z0-9_.-] (unique ignoring case), "
                    + "values up to 2,000 characters, at most 50 keys") Map<String, Object> customFields) {}

    /** [design] */
    record CampaignContactsAddIn(@Schema(description = "1 to 1,000 contacts") List<CampaignContactIn> contacts) {}

    /** A contact that was not added: its position in the request, its email and why. */
    record CampaignContactInvalidOut(int index, String email, String code, String reason) {}

    /** [design] added + updated + unchanged + duplicates + invalid = contacts sent. */
    record CampaignContactsAddOut(int added, int updated, int unchanged, int duplicates, List<CampaignContactInvalidOut> invalid) {}

    /** [doc name] A contact of a campaign. */
    record CampaignContactOut(String id, String campaignId, String email, String firstName, String lastName, String company,
            String title, String phone, Map<String, String> customFields, String timezone, String status, int currentStep,
            Instant nextSendAt, Instant lastSentAt, String replyIntent, Instant createdAt, Instant updatedAt) {

        static CampaignContactOut of(ContactView c) {
            return new CampaignContactOut(c.id(), c.campaignId(), c.email(), c.firstName(), c.lastName(), c.company(), c.title(),
                    c.phone(), c.customFields(), c.timezone(), c.status(), c.currentStep(), c.nextSendAt(), c.lastSentAt(),
                    c.replyIntent(), c.createdAt(), c.updatedAt());
        }
    }

    record CampaignContactsPageOut(List<CampaignContactOut> contacts, String next_cursor) {}

    /** A contact as the changes feed shows it: the contact plus its position in the feed. */
    record CampaignContactChangeOut(String id, String campaignId, String email, String firstName, String lastName,
            String company, String title, String phone, Map<String, String> customFields, String timezone, String status,
            int currentStep, Instant nextSendAt, Instant lastSentAt, String replyIntent, Instant createdAt, Instant updatedAt,
            long changeSeq) {

        static CampaignContactChangeOut of(ContactView c) {
            return new CampaignContactChangeOut(c.id(), c.campaignId(), c.email(), c.firstName(), c.lastName(), c.company(),
                    c.title(), c.phone(), c.customFields(), c.timezone(), c.status(), c.currentStep(), c.nextSendAt(),
                    c.lastSentAt(), c.replyIntent(), c.createdAt(), c.updatedAt(), c.changeSeq());
        }
    }

    /** [doc name] {@code next_cursor} is always set (pass it as {@code since} next time); {@code hasMore}: fetch again now. */
    record CampaignContactsChangesPageOut(List<CampaignContactChangeOut> contacts, String next_cursor, boolean hasMore) {}

    private final ContactService service;
    private final Cursors cursors;

    ContactController(ContactService service, Cursors cursors) {
        this.service = service;
        this.cursors = cursors;
    }

    @Operation(summary = "Public Add Campaign Contacts",
            description = "Adds up to 1,000 contacts, or updates them when the email (normalised) is already in the campaign: "
                    + "non-blank incoming fields overwrite, customFields are merged (keys ignore case). Each contact is checked "
                    + "on its own: invalid ones (email, timezone, customFields, field lengths) are listed in 'invalid' and the "
                    + "rest still go in. Within one request the first occurrence of an email wins; later ones count as "
                    + "duplicates. An existing contact the request does not change counts as unchanged.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/{campaign_id}/contacts")
    CampaignContactsAddOut add(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @RequestBody CampaignContactsAddIn request) {
        long ws = caller.workspace(workspaceId);
        service.requireCampaign(ws, campaignId);
        var contacts = request.contacts();
        if (contacts == null) {
            throw ApiException.Invalid.body("Field required", "missing", "contacts");
        }
        if (contacts.isEmpty()) {
            throw ApiException.Invalid.body("at least one contact is required", "too_short", "contacts");
        }
        if (contacts.size() > ContactService.MAX_PER_CALL) {
            throw ApiException.Invalid.body("at most " + ContactService.MAX_PER_CALL + " contacts per call (got "
                    + contacts.size() + "); use /campaigns/{campaign_id}/contacts/import for larger lists", "too_long", "contacts");
        }
        var raw = contacts.stream().map(c -> c == null ? null : new ContactRules.Raw(c.email(), c.firstName(), c.lastName(),
                c.company(), c.title(), c.phone(), c.timezone(), c.customFields())).toList();
        var result = service.add(ws, campaignId, raw);
        return new CampaignContactsAddOut(result.added(), result.updated(), result.unchanged(), result.duplicates(),
                result.invalid().stream().map(r -> new CampaignContactInvalidOut(r.index(), r.email(), r.code(), r.reason())).toList());
    }

    @Operation(summary = "Public List Campaign Contacts",
            description = "Contacts of the campaign in the order they were added, cursor-paginated; optional status filter.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/contacts")
    CampaignContactsPageOut list(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @RequestParam(required = false) String status,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        long ws = caller.workspace(workspaceId);
        int n = Paging.limit(limit);
        if (status != null && !Contacts.STATUSES.contains(status)) {
            throw ApiException.Invalid.query("status", "status must be one of " + String.join(", ", Contacts.STATUSES), "enum");
        }
        service.requireCampaign(ws, campaignId);
        String list = "campaign-contacts:" + campaignId;
        var after = cursors.decode(list, ws, cursor);
        var rows = service.page(ws, campaignId, status, after == null ? null : after.getFirst(), n + 1);
        String next = rows.size() > n ? cursors.encode(list, ws, rows.get(n - 1).id()) : null;
        return new CampaignContactsPageOut(rows.stream().limit(n).map(CampaignContactOut::of).toList(), next);
    }

    @Operation(summary = "Public List Campaign Contacts Changes",
            description = "Every contact changed since the cursor ('since': the next_cursor of the previous page; none = from "
                    + "the start), in change order, each at its latest version with its changeSeq. Pages have no gaps and no "
                    + "repeats even while contacts are being written. next_cursor is always returned: keep it and poll with it; "
                    + "hasMore says more changes are ready now.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/contacts/changes")
    CampaignContactsChangesPageOut changes(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("campaign_id") String campaignId, @RequestParam(required = false) String since,
            @RequestParam(required = false) Integer limit) {
        long ws = caller.workspace(workspaceId);
        int n = Paging.limit(limit);
        service.requireCampaign(ws, campaignId);
        String list = "contact-changes:" + campaignId;
        long from = sinceSeq(list, ws, since);
        var rows = service.changes(ws, campaignId, from, n + 1);
        boolean more = rows.size() > n;
        var page = rows.stream().limit(n).toList();
        long last = page.isEmpty() ? from : page.getLast().changeSeq();
        return new CampaignContactsChangesPageOut(page.stream().map(CampaignContactChangeOut::of).toList(),
                cursors.encode(list, ws, Long.toString(last)), more);
    }

    /** The change number a {@code since} cursor stands for (0 without one); a bad cursor is a 422 on query.since. */
    private long sinceSeq(String list, long ws, String since) {
        try {
            List<String> decoded = cursors.decode(list, ws, since);
            return decoded == null ? 0 : Long.parseLong(decoded.getFirst());
        } catch (RuntimeException e) {
            throw ApiException.Invalid.query("since", "Invalid cursor: pass the next_cursor of a previous page unchanged",
                    "value_error");
        }
    }
}
