package dev.outreach2day.workspace;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import dev.outreach2day.workspace.WorkspaceRepository.PaymentMethodRow;
import dev.outreach2day.workspace.WorkspaceRepository.WorkspaceRow;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Workspaces")
@RestController
class WorkspaceController {

    /** [doc] The workspace object of the public API. */
    record WorkspaceInfo(
            @JsonProperty("workspace_id") long workspaceId,
            @JsonProperty("project_name") String projectName,
            String type,
            String description,
            @JsonProperty("max_mailboxes") int maxMailboxes,
            String role) {

        static WorkspaceInfo of(WorkspaceRow w) {
            return new WorkspaceInfo(w.id(), w.projectName(), w.plan(), w.description(), w.maxMailboxes(), w.role());
        }
    }

    /** [doc] */
    record CreateWorkspaceRequest(
            @JsonProperty("project_name") @NotBlank @Size(max = 100) String projectName,
            @Size(max = 1000) String description) {}

    record UpgradeWorkspaceRequest(
            @JsonProperty("new_max_mailboxes") @NotNull @Min(0) @Max(1_000_000) Integer newMaxMailboxes) {}

    /** [doc] {@code GET /workspaces/{id}/payment_method}. */
    record PaymentMethodOut(
            @JsonProperty("has_payment_method") boolean hasPaymentMethod,
            String brand,
            String last4,
            @JsonProperty("exp_month") Integer expMonth,
            @JsonProperty("exp_year") Integer expYear) {

        static PaymentMethodOut of(java.util.Optional<PaymentMethodRow> pm) {
            return pm.map(p -> new PaymentMethodOut(true, p.brand(), p.last4(), p.expMonth(), p.expYear()))
                    .orElse(new PaymentMethodOut(false, null, null, null, null));
        }
    }

    record SubscriptionOut(String status, String plan, int maxMailboxes, int freeMailboxes) {}

    /** {@code GET /workspaces/{id}}: the WorkspaceInfo fields plus counts, payment and subscription. */
    record WorkspaceDetailOut(
            @JsonProperty("workspace_id") long workspaceId,
            @JsonProperty("project_name") String projectName,
            String type,
            String description,
            @JsonProperty("max_mailboxes") int maxMailboxes,
            String role,
            Map<String, Long> counts,
            PaymentMethodOut payment,
            SubscriptionOut subscription,
            Instant createdAt) {}

    /** [doc] */
    record SetupPaymentMethodOut(@JsonProperty("setup_url") String setupUrl, String provider) {}

    private final WorkspaceService workspaces;
    private final PaymentService payments;
    private final dev.outreach2day.platform.O2dProperties props;

    WorkspaceController(WorkspaceService workspaces, PaymentService payments, dev.outreach2day.platform.O2dProperties props) {
        this.workspaces = workspaces;
        this.payments = payments;
        this.props = props;
    }

    @Operation(summary = "List Workspaces", description = "Workspaces the API key's account belongs to, with its role in each.")
    @RequiredScope(Scope.READ)
    @GetMapping("/workspaces")
    List<WorkspaceInfo> list(Caller caller) {
        return workspaces.list(caller).stream().map(WorkspaceInfo::of).toList();
    }

    @Operation(summary = "Create New Workspace",
            description = "Creates a workspace owned by the key's account. Create a key for it with POST /api-keys?workspace_id=<id>.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/workspaces")
    @ResponseStatus(HttpStatus.CREATED)
    WorkspaceInfo create(Caller caller, @Valid @RequestBody CreateWorkspaceRequest request) {
        return WorkspaceInfo.of(workspaces.create(caller, request.projectName(), request.description()));
    }

    @Operation(summary = "Get Workspace Info Handler")
    @RequiredScope(Scope.READ)
    @GetMapping("/workspaces/{workspace_id}")
    WorkspaceDetailOut get(Caller caller, @PathVariable("workspace_id") long workspaceId) {
        WorkspaceRow w = workspaces.get(caller, workspaceId);
        return new WorkspaceDetailOut(w.id(), w.projectName(), w.plan(), w.description(), w.maxMailboxes(), w.role(),
                workspaces.counts(w.id()), PaymentMethodOut.of(payments.paymentMethod(w.id())),
                new SubscriptionOut(w.subscriptionStatus(), w.plan(), w.maxMailboxes(), props.workspace().defaultMaxMailboxes()),
                w.createdAt());
    }

    @Operation(summary = "Upgrade Workspace Subscription",
            description = "Sets the workspace's mailbox capacity. Above the free quota it needs a payment method (402).")
    @RequiredScope(Scope.BILLING)
    @PostMapping("/workspaces/{workspace_id}/upgrade")
    WorkspaceInfo upgrade(Caller caller, @PathVariable("workspace_id") long workspaceId,
            @Valid @RequestBody UpgradeWorkspaceRequest request) {
        return WorkspaceInfo.of(workspaces.upgrade(caller, workspaceId, request.newMaxMailboxes()));
    }

    @Operation(summary = "Get Payment Method")
    @RequiredScope(Scope.BILLING)
    @GetMapping("/workspaces/{workspace_id}/payment_method")
    PaymentMethodOut paymentMethod(Caller caller, @PathVariable("workspace_id") long workspaceId) {
        long ws = workspaces.get(caller, workspaceId).id();
        return PaymentMethodOut.of(payments.paymentMethod(ws));
    }

    @Operation(summary = "Setup Payment Method",
            description = "Returns a URL where a person adds a card: Stripe Checkout (setup mode) or, in sandbox mode, a page of this server.")
    @RequiredScope(Scope.BILLING)
    @PostMapping("/workspaces/{workspace_id}/setup_payment_method")
    SetupPaymentMethodOut setupPaymentMethod(Caller caller, @PathVariable("workspace_id") long workspaceId) {
        long ws = workspaces.get(caller, workspaceId).id();
        return new SetupPaymentMethodOut(payments.startSetup(ws), payments.providerName());
    }
}
