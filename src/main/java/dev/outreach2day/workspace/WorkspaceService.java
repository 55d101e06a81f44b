package dev.outreach2day.workspace;

import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.O2dProperties;
import dev.outreach2day.workspace.WorkspaceRepository.WorkspaceRow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class WorkspaceService {

    private final WorkspaceRepository repository;
    private final ApiKeyRepository keys;
    private final List<WorkspaceUsage> usages;
    private final O2dProperties props;
    private final java.time.Clock clock;

    WorkspaceService(WorkspaceRepository repository, ApiKeyRepository keys, List<WorkspaceUsage> usages,
            O2dProperties props, java.time.Clock clock) {
        this.repository = repository;
        this.keys = keys;
        this.usages = usages;
        this.props = props;
        this.clock = clock;
    }

    List<WorkspaceRow> list(Caller caller) {
        return repository.listForAccount(caller.accountId());
    }

    @Transactional
    WorkspaceRow create(Caller caller, String projectName, String description) {
        long id = repository.insertWorkspace(caller.accountId(), projectName.strip(),
                description == null ? null : description.strip(), props.workspace().defaultMaxMailboxes());
        return repository.findForAccount(caller.accountId(), id).orElseThrow();
    }

    /** The caller's own workspace only: any other id is a 403, whether or not it exists. */
    WorkspaceRow get(Caller caller, long workspaceId) {
        caller.workspace(workspaceId, "workspace_id");
        return repository.findForAccount(caller.accountId(), workspaceId)
                .orElseThrow(() -> new ApiException.NotFound("Workspace " + workspaceId));
    }

    Map<String, Long> counts(long workspaceId) {
        var counts = new LinkedHashMap<String, Long>();
        counts.put("members", repository.countMembers(workspaceId));
        counts.put("apiKeys", keys.countActive(workspaceId, clock.instant()));
        for (WorkspaceUsage usage : usages) {
            counts.put(usage.name(), usage.count(workspaceId));
        }
        return counts;
    }

    /**
     * Sets the mailbox capacity. Above the free quota the workspace becomes a paid plan and needs
     * a payment method (402); never below what it already holds (422).
     */
    @Transactional
    WorkspaceRow upgrade(Caller caller, long workspaceId, int newMaxMailboxes) {
        WorkspaceRow current = get(caller, workspaceId);
        int freeQuota = props.workspace().defaultMaxMailboxes();
        if (newMaxMailboxes > props.workspace().maxMaxMailboxes()) {
            throw ApiException.Invalid.body("new_max_mailboxes must be at most " + props.workspace().maxMaxMailboxes(),
                    "less_than_equal", "new_max_mailboxes");
        }
        long mailboxes = usages.stream().filter(u -> u.name().equals("mailboxes")).mapToLong(u -> u.count(workspaceId)).sum();
        if (newMaxMailboxes < mailboxes) {
            throw ApiException.Invalid.body("new_max_mailboxes (" + newMaxMailboxes + ") is below the " + mailboxes
                    + " mailboxes this workspace already has; delete mailboxes first", "greater_than_equal", "new_max_mailboxes");
        }
        boolean paid = newMaxMailboxes > freeQuota;
        if (paid && repository.findPaymentMethod(workspaceId).isEmpty()) {
            throw new ApiException.PaymentRequired("PAYMENT_METHOD_REQUIRED",
                    "More than " + freeQuota + " mailboxes is a paid plan: add a payment method first with POST /workspaces/"
                            + workspaceId + "/setup_payment_method");
        }
        repository.updatePlan(workspaceId, newMaxMailboxes, paid ? "paid" : "free", paid ? "active" : "none");
        return repository.findForAccount(caller.accountId(), current.id()).orElseThrow();
    }
}
