package dev.outreach2day.workspace;

import dev.outreach2day.platform.ApiException;
import org.springframework.stereotype.Component;

/** The workspace module's facade for other modules: limits and the ability to pay. */
@Component
public class Workspaces {

    private final WorkspaceRepository repository;

    Workspaces(WorkspaceRepository repository) {
        this.repository = repository;
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
