package dev.outreach2day.campaign;

import dev.outreach2day.campaign.Campaigns.SendingStep;
import dev.outreach2day.campaign.Campaigns.SendingVariant;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * What the sending engine and reply handling need of subsequences: a subsequence's steps for
 * sending, where a reply intent routes, a contact's membership, and enrolment.
 */
@Component
public class Subsequences {

    private final SubsequenceService service;
    private final SubsequenceStore store;

    Subsequences(SubsequenceService service, SubsequenceStore store) {
        this.service = service;
        this.store = store;
    }

    /** A subsequence as the engine sends it; {@code live} is false once it is deleted. */
    public record SendingSubsequence(String id, String campaignId, String status, boolean live, List<SendingStep> steps) {

        public Optional<SendingStep> step(int order) {
            return steps.stream().filter(s -> s.order() == order).findFirst();
        }
    }

    public Optional<SendingSubsequence> forSending(long workspaceId, String subsequenceId) {
        return store.find(workspaceId, subsequenceId).map(s -> new SendingSubsequence(s.id(), s.campaignId(), s.status(), !s.deleted(),
                store.steps(workspaceId, subsequenceId).stream().map(st -> new SendingStep(st.id(), st.order(), st.subject(),
                        st.bodyHtml(), st.bodyText(), st.delaySeconds(), st.variants().stream().map(v -> new SendingVariant(v.id(),
                                v.subject(), v.bodyHtml(), v.bodyText(), v.weight())).toList())).toList()));
    }

    /** The contact's status in the subsequence (active, completed, stopped, moved), empty when it never entered it. */
    public Optional<String> memberStatus(long workspaceId, String subsequenceId, String contactId) {
        return store.memberStatus(workspaceId, subsequenceId, contactId);
    }

    /** The live subsequence replies with this intent go to in the campaign, if any. */
    public Optional<String> route(long workspaceId, String campaignId, String intent) {
        return store.route(workspaceId, campaignId, intent);
    }

    /** The subsequence the contact is in now, if any. */
    public Optional<String> activeSubsequence(long workspaceId, String contactId) {
        return store.activeMembership(workspaceId, contactId).map(SubsequenceStore.ActiveMembership::subsequenceId);
    }

    /**
     * Moves the contact into the subsequence (see {@link SubsequenceService#enroll}); returns
     * whether it did, and else why not (already_enrolled, never_emailed, contact_bounced, …).
     */
    public Enrolment enroll(long workspaceId, String campaignId, String contactId, String subsequenceId, String reason) {
        var e = service.enroll(workspaceId, campaignId, contactId, subsequenceId, reason);
        return new Enrolment(e.enrolled(), e.reason());
    }

    /** Whether the contact moved in; when not, why (reason), else the trigger it moved for. */
    public record Enrolment(boolean enrolled, String reason) {}

    /** Ends the contact's current subsequence (status stopped, or completed after its last step). */
    public void endMembership(long workspaceId, String contactId, String status, String reason, java.time.Instant now) {
        store.endActive(workspaceId, contactId, status, reason, now);
    }

    /** One round of "no reply after step N" triggers; returns how many contacts moved. */
    public int enrollNoReplies() {
        return service.enrollNoReplies(500);
    }
}
