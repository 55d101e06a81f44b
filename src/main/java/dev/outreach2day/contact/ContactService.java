package dev.outreach2day.contact;

import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Ids;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Adding contacts to a campaign (validate, deduplicate, one set-based upsert) and reading them back. */
@Service
class ContactService {

    static final int MAX_PER_CALL = 1000;

    /** One refused contact: its position in the request, its email (as given when not valid) and why. */
    record Refused(int index, String email, String code, String reason) {}

    /**
     * added + updated + unchanged + duplicates + invalid.size() = contacts in the request.
     */
    record AddResult(int added, int updated, int unchanged, int duplicates, List<Refused> invalid) {}

    private final ContactRepository repo;
    private final List<CampaignDirectory> directories;
    private final TransactionTemplate tx;

    ContactService(ContactRepository repo, List<CampaignDirectory> directories, TransactionTemplate tx) {
        this.repo = repo;
        this.directories = directories;
        this.tx = tx;
    }

    /** 404 unless some campaign directory knows this campaign in this workspace. */
    void requireCampaign(long workspaceId, String campaignId) {
        boolean known = campaignId != null && campaignId.length() <= 100
                && directories.stream().anyMatch(d -> d.exists(workspaceId, campaignId));
        if (!known) throw new ApiException.NotFound("Campaign " + campaignId);
    }

    /**
     * Validates each contact on its own (a bad one is listed in {@code invalid}, the others still
     * go in), keeps the first valid occurrence of each email (later ones count as duplicates),
     * then upserts the rest in one transaction: new emails are added; existing ones get the
     * non-blank incoming fields and merged custom fields, counted as updated if that changed
     * anything and as unchanged otherwise.
     */
    AddResult add(long workspaceId, String campaignId, List<ContactRules.Raw> input) {
        var invalid = new ArrayList<Refused>();
        var candidates = new ArrayList<ContactRules.Clean>();
        var indexes = new ArrayList<Integer>();
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        for (int i = 0; i < input.size(); i++) {
            ContactRules.Raw raw = input.get(i);
            if (raw == null) {
                invalid.add(new Refused(i, null, "INVALID_CONTACT", "must be an object"));
                continue;
            }
            switch (ContactRules.check(raw)) {
                case ContactRules.Bad bad -> invalid.add(new Refused(i, bad.email(), bad.code(), bad.reason()));
                case ContactRules.Ok ok -> {
                    if (seen.add(ok.contact().email())) {
                        candidates.add(ok.contact());
                        indexes.add(i);
                    } else {
                        duplicates++;
                    }
                }
            }
        }
        if (candidates.isEmpty()) {
            return new AddResult(0, 0, 0, duplicates, invalid);
        }
        int dups = duplicates;
        return tx.execute(status -> {
            long base = repo.reserve(workspaceId, campaignId, candidates.size());
            // The counter lock is held: no other writer of this campaign can change the stored fields now.
            var withFields = candidates.stream().filter(c -> !c.customFields().isEmpty()).map(ContactRules.Clean::email).toList();
            var keep = new ArrayList<ContactRules.Clean>(candidates.size());
            if (!withFields.isEmpty()) {
                Map<String, List<String>> stored = repo.customKeys(workspaceId, campaignId, withFields);
                for (int i = 0; i < candidates.size(); i++) {
                    var c = candidates.get(i);
                    int merged = mergedKeyCount(stored.get(c.email()), c.customFields().keySet());
                    if (merged > ContactRules.MAX_CUSTOM_FIELDS) {
                        invalid.add(new Refused(indexes.get(i), c.email(), "INVALID_CUSTOM_FIELDS", "the contact would have "
                                + merged + " custom fields after merging; at most " + ContactRules.MAX_CUSTOM_FIELDS));
                    } else {
                        keep.add(c);
                    }
                }
            } else {
                keep.addAll(candidates);
            }
            int added = 0;
            int updated = 0;
            if (!keep.isEmpty()) {
                // sorted, so that contacts of one request list in request order even within one millisecond
                var ids = keep.stream().map(c -> Ids.next("ctc")).sorted().toList();
                for (var row : repo.upsert(workspaceId, campaignId, base, ids, keep)) {
                    if (row.inserted()) added++;
                    else updated++;
                }
            }
            invalid.sort(Comparator.comparingInt(Refused::index));
            return new AddResult(added, updated, keep.size() - added - updated, dups, invalid);
        });
    }

    private static int mergedKeyCount(List<String> stored, Set<String> incoming) {
        if (stored == null) return incoming.size();
        var lower = new HashSet<String>();
        for (String k : incoming) lower.add(k.toLowerCase(Locale.ROOT));
        int kept = 0;
        for (String k : stored) {
            if (!lower.contains(k.toLowerCase(Locale.ROOT))) kept++;
        }
        return kept + incoming.size();
    }

    List<ContactView> page(long workspaceId, String campaignId, String status, String afterId, int limit) {
        return repo.page(workspaceId, campaignId, status, afterId, limit);
    }

    List<ContactView> changes(long workspaceId, String campaignId, long since, int limit) {
        return repo.changes(workspaceId, campaignId, since, limit);
    }
}
