package dev.outreach2day.workspace;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import dev.outreach2day.workspace.ApiKeyRepository.ApiKeyRow;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "API keys")
@RestController
class ApiKeyController {

    record CreateApiKeyRequest(@Size(max = 100) String name, @Size(max = 3) List<Scope> scopes) {}

    /** [doc] The create response: the only time the secret is shown. */
    record ApiKeyCreatedOut(
            String id,
            @JsonProperty("api_key") String apiKey,
            String name,
            @JsonProperty("workspace_id") long workspaceId,
            @JsonProperty("expiration_date") Instant expirationDate,
            List<Scope> scopes) {}

    /** A listed key: its prefix and last four characters only. */
    record ApiKeyOut(
            String id,
            @JsonProperty("api_key") String maskedKey,
            String name,
            @JsonProperty("workspace_id") long workspaceId,
            List<Scope> scopes,
            @JsonProperty("expiration_date") Instant expirationDate,
            @JsonProperty("last_used_at") Instant lastUsedAt,
            @JsonProperty("created_at") Instant createdAt) {

        static ApiKeyOut of(ApiKeyRow r) {
            return new ApiKeyOut(r.id(), r.lookupPrefix() + "…" + r.last4(), r.name(), r.workspaceId(), sorted(r.scopes()),
                    r.expiresAt(), r.lastUsedAt(), r.createdAt());
        }
    }

    record ApiKeyDeleteOut(String id, boolean deleted) {}

    private final ApiKeyService keys;

    ApiKeyController(ApiKeyService keys) {
        this.keys = keys;
    }

    @Operation(summary = "Create API key",
            description = "Creates a key bound to one workspace, valid 365 days. Scopes default to read and write; a key "
                    + "cannot grant scopes it lacks. workspace_id may name the key's own workspace or one its account owns.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/api-keys")
    @ResponseStatus(HttpStatus.CREATED)
    ApiKeyCreatedOut create(Caller caller, @RequestParam(name = "workspace_id", required = false) Long workspaceId,
            @Valid @RequestBody(required = false) CreateApiKeyRequest request) {
        var body = request == null ? new CreateApiKeyRequest(null, null) : request;
        long ws = workspaceId == null ? caller.workspaceId() : workspaceId;
        Set<Scope> scopes = body.scopes() == null || body.scopes().isEmpty() ? null : EnumSet.copyOf(body.scopes());
        var issued = keys.issue(caller, ws, body.name(), scopes);
        ApiKeyRow r = issued.row();
        return new ApiKeyCreatedOut(r.id(), issued.secret(), r.name(), r.workspaceId(), r.expiresAt(), sorted(r.scopes()));
    }

    @Operation(summary = "List API keys", description = "Non-expired, non-revoked keys of the workspace; never the secrets.")
    @RequiredScope(Scope.READ)
    @GetMapping("/api-keys")
    List<ApiKeyOut> list(Caller caller, @RequestParam(name = "workspace_id", required = false) Long workspaceId) {
        long ws = workspaceId == null ? caller.workspaceId() : workspaceId;
        return keys.list(caller, ws).stream().map(ApiKeyOut::of).toList();
    }

    @Operation(summary = "Delete API key", description = "Revokes a key named by its id (key_…) or by the key itself.")
    @RequiredScope(Scope.WRITE)
    @DeleteMapping("/api-keys/{api_key}")
    ApiKeyDeleteOut delete(Caller caller, @PathVariable("api_key") String apiKey) {
        ApiKeyRow revoked = keys.revoke(caller, apiKey);
        return new ApiKeyDeleteOut(revoked.id(), true);
    }

    private static List<Scope> sorted(Set<Scope> scopes) {
        return scopes.stream().sorted().toList();
    }
}
