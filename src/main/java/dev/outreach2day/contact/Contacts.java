package dev.outreach2day.contact;

import dev.outreach2day.platform.ApiException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What other capabilities (campaign launch, preflight, the sending engine) may do with campaign
 * contacts. Every change made here takes a fresh change number, so it shows up in the changes
 * feed.
 *
 * <p>Writes join the caller's transaction if there is one. They lock the campaign's change
 * counter until that transaction ends (that is what keeps the changes feed gap-free), so keep
 * such transactions short and call the writes before other slow work.
 */
@Component
public class Contacts {

    /** Contact statuses, in lifecycle order. */
    public static final List<String> STATUSES =
            List.of("not_started", "in_progress", "completed", "replied", "bounced", "unsubscribed", "stopped");

    /** Template variables that are contact columns (matched ignoring case); any other name is a custom-field key. */
    public static final List<String> BUILT_IN_VARIABLES =
            List.of("firstName", "lastName", "email", "company", "title", "phone", "timezone");

    private static final int MAX_PAGE = 10_000;

    private final ContactRepository repo;
    private final TransactionTemplate tx;

    Contacts(ContactRepository repo, TransactionTemplate tx) {
        this.repo = repo;
        this.tx = tx;
    }

    /** Contacts of the campaign in {@code status}; {@code status} null counts all of them. */
    public long countByStatus(long workspaceId, String campaignId, String status) {
        if (status != null) requireStatus(status);
        return countsByStatus(workspaceId, campaignId).get(status == null ? "total" : status);
    }

    /**
     * The campaign's contacts by status, every status of {@link #STATUSES} in that order (0 when
     * nobody is in it), after "total": read from counters kept as contacts change, never counted.
     */
    public java.util.SequencedMap<String, Long> countsByStatus(long workspaceId, String campaignId) {
        var counts = repo.counts(workspaceId, campaignId);
        var out = new java.util.LinkedHashMap<String, Long>();
        out.put("total", counts.values().stream().mapToLong(Long::longValue).sum());
        for (String s : STATUSES) out.put(s, counts.getOrDefault(s, 0L));
        return out;
    }

    /** A page of the campaign's contacts in id (creation) order, after {@code afterId} (null: from the start). */
    public List<ContactView> page(long workspaceId, String campaignId, String afterId, int limit) {
        if (limit < 1 || limit > MAX_PAGE) throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE);
        return repo.page(workspaceId, campaignId, null, afterId, limit);
    }

    /** One contact of the workspace, by id. */
    public Optional<ContactView> find(long workspaceId, String contactId) {
        return repo.find(workspaceId, contactId);
    }

    /** The campaign's contact with this address (normalised first: case, IDN domain); empty when the address is not valid. */
    public Optional<ContactView> findByEmail(long workspaceId, String campaignId, String email) {
        return dev.outreach2day.platform.EmailAddresses.normalize(email).flatMap(e -> repo.findByEmail(workspaceId, campaignId, e));
    }

    /**
     * Records what the contact's replies mean (interested, not_interested, …; null clears it) as a
     * change in the campaign's feed; returns whether it changed.
     */
    public boolean recordReplyIntent(long workspaceId, String campaignId, String contactId, String intent) {
        return repo.recordReplyIntent(workspaceId, campaignId, contactId, intent);
    }

    /** Contacts of the workspace by id, in one query; ids that do not exist are left out of the map. */
    public java.util.Map<String, ContactView> findAll(long workspaceId, java.util.Collection<String> contactIds) {
        var ids = List.copyOf(new LinkedHashSet<>(contactIds));
        var out = new java.util.HashMap<String, ContactView>();
        if (ids.isEmpty()) return out;
        for (ContactView c : repo.findAll(workspaceId, ids)) out.put(c.id(), c);
        return out;
    }

    /**
     * Which of {@code emails} (normalised) are {@code in_progress} in another campaign of the
     * workspace: launch skips them so nobody gets two sequences at once.
     */
    public List<String> inProgressElsewhere(long workspaceId, String campaignId, List<String> emails) {
        if (emails.isEmpty()) return List.of();
        return repo.inProgressElsewhere(workspaceId, campaignId, emails);
    }

    /** Whether a contact at {@code domain} replied in the campaign (the stop-company-on-reply rule). */
    public boolean repliedAtDomain(long workspaceId, String campaignId, String domain) {
        return repo.repliedAtDomain(workspaceId, campaignId, domain);
    }

    /**
     * Enrols contacts of the campaign: those still {@code not_started} become {@code in_progress}
     * at step 0 with {@code nextSendAt}; others are left alone. Returns how many were enrolled.
     */
    public int markEnrolled(long workspaceId, String campaignId, List<String> contactIds, Instant nextSendAt) {
        var ids = List.copyOf(new LinkedHashSet<>(contactIds));
        if (ids.isEmpty()) return 0;
        return tx.execute(s -> {
            long base = repo.reserve(workspaceId, campaignId, ids.size());
            return repo.markEnrolled(workspaceId, campaignId, base, ids, nextSendAt);
        });
    }

    /**
     * Copies all contacts of {@code fromCampaignId} into {@code toCampaignId}, a campaign created
     * in the caller's (still open) transaction that has no contacts yet: fresh ids, status
     * {@code not_started}, progress reset, custom fields kept, reply intent not copied. One SQL
     * statement whatever the size. Returns how many were copied.
     */
    public long copyToNewCampaign(long workspaceId, String fromCampaignId, String toCampaignId) {
        if (fromCampaignId.equals(toCampaignId)) throw new IllegalArgumentException("a campaign cannot be copied into itself");
        if (countByStatus(workspaceId, toCampaignId, null) > 0) {
            throw new IllegalStateException("campaign " + toCampaignId + " already has contacts");
        }
        // "ctc_" + 10 time chars + 6 random chars; the statement appends 10 chars of row ordinal
        String prefix = dev.outreach2day.platform.Ids.next("ctc").substring(0, 4 + 16);
        return tx.execute(s -> repo.copyIntoNewCampaign(workspaceId, fromCampaignId, toCampaignId, prefix));
    }

    /**
     * Records the sending progress of one contact. {@code nextSendAt} null means nothing more is
     * planned; {@code lastSentAt} null keeps the stored value. Setting what is already stored
     * changes nothing (and is not a change in the feed).
     *
     * @throws ApiException.NotFound when the workspace has no such contact
     */
    public void updateProgress(long workspaceId, String contactId, String status, int currentStep, Instant nextSendAt,
            Instant lastSentAt) {
        requireStatus(status);
        if (currentStep < 0) throw new IllegalArgumentException("currentStep must be >= 0");
        String campaignId = repo.campaignOf(workspaceId, contactId)
                .orElseThrow(() -> new ApiException.NotFound("Contact " + contactId));
        updateProgress(workspaceId, campaignId, contactId, status, currentStep, nextSendAt, lastSentAt);
    }

    /**
     * {@link #updateProgress(long, String, String, int, Instant, Instant)} for a caller that knows
     * the contact's campaign (the sending engine), saving the lookup; a contact of another
     * campaign, or none, is left alone.
     */
    public void updateProgress(long workspaceId, String campaignId, String contactId, String status, int currentStep,
            Instant nextSendAt, Instant lastSentAt) {
        requireStatus(status);
        if (currentStep < 0) throw new IllegalArgumentException("currentStep must be >= 0");
        repo.recordProgress(workspaceId, campaignId, contactId, status, currentStep, nextSendAt, lastSentAt);
    }

    /**
     * How many contacts of the campaign have no non-blank value for the template variable
     * {@code variable} (see {@link #BUILT_IN_VARIABLES}; other names are custom-field keys,
     * matched ignoring case). Counted in the database.
     */
    public long countMissing(long workspaceId, String campaignId, String variable) {
        var v = Variable.of(variable);
        return repo.countMissing(workspaceId, campaignId, v.column(), v.customKey());
    }

    /** Emails of up to {@code limit} contacts (in id order) that {@link #countMissing} counts. */
    public List<String> sampleMissing(long workspaceId, String campaignId, String variable, int limit) {
        if (limit < 1 || limit > MAX_PAGE) throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE);
        var v = Variable.of(variable);
        return repo.sampleMissing(workspaceId, campaignId, v.column(), v.customKey(), limit);
    }

    private static void requireStatus(String status) {
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("contact status must be one of " + STATUSES + ", not " + status);
        }
    }

    /** A template variable resolved to a built-in column (lower-cased name) or a custom key (lower-cased). */
    private record Variable(String column, String customKey) {
        private static final Set<String> COLUMNS = Set.copyOf(
                BUILT_IN_VARIABLES.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList());

        static Variable of(String name) {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("variable name is required");
            String lower = name.strip().toLowerCase(Locale.ROOT);
            return COLUMNS.contains(lower) ? new Variable(lower, "") : new Variable("", lower);
        }
    }
}
