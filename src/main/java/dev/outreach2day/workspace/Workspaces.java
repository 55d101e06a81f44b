package dev.outreach2day.workspace;

import dev.outreach2day.platform.ApiException;
import org.springframework.stereotype.Component;

/** The workspace module's facade for other modules: limits and the ability to pay. */
@Component
public class Workspaces {

    private final WorkspaceRepository repository;
    private final PaymentService payments;

    Workspaces(WorkspaceRepository repository, PaymentService payments) {
        this.repository = repository;
        this.payments = payments;
    }

    /** A one-off payment a person completes on a hosted page. */
    public record Checkout(String id, String url) {}

    /**
     * Starts a one-off payment (e.g. domain transfers) through the payment provider; the
     * returned URL is where a person pays. {@code reference} is the caller's own id.
     */
    public Checkout startCheckout(long workspaceId, String reference, String description, java.math.BigDecimal amount,
            String currency) {
        String[] started = payments.startCheckout(workspaceId, reference, description, amount, currency);
        return new Checkout(started[0], started[1]);
    }

    public boolean checkoutPaid(long workspaceId, String checkoutId) {
        return payments.checkoutPaid(workspaceId, checkoutId);
    }

    /**
     * The workspace's mailbox capacity, with its row locked until the caller's transaction ends,
     * so concurrent creations cannot together exceed it.
     */
    public int maxMailboxesForUpdate(long workspaceId) {
        return repository.maxMailboxesForUpdate(workspaceId);
    }

    public boolean hasPaymentMethod(long workspaceId) {
        return repository.findPaymentMethod(workspaceId).isPresent();
    }

    /** @throws ApiException.PaymentRequired 402 PAYMENT_METHOD_REQUIRED when the workspace has no card */
    public void requirePaymentMethod(long workspaceId) {
        if (!hasPaymentMethod(workspaceId)) {
            throw new ApiException.PaymentRequired("PAYMENT_METHOD_REQUIRED",
                    "This workspace has no payment method; add one with POST /workspaces/" + workspaceId
                            + "/setup_payment_method and open the returned setup_url");
        }
    }
}
