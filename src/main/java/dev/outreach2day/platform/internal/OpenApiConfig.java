package dev.outreach2day.platform.internal;

import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.PublicRoutes;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The published contract at {@code /openapi.json}: bearer auth on every route outside
 * {@link PublicRoutes}, and the contract's error responses on every operation, so clients
 * generated from it know the 401/403/404/409/422/429 shapes.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

    static {
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
    }

    private static final String BEARER = "bearerAuth";

    @Bean
    OpenAPI outreach2dayOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Outreach2day API").version("1")
                        .description("Cold-email infrastructure: domains, DNS, mailboxes, warmup, campaigns, Unibox, "
                                + "suppression and signed webhooks. Authenticate with Authorization: Bearer ot2d_….")
                        .license(new License().name("Apache-2.0")))
                .components(new Components().addSecuritySchemes(BEARER,
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("ot2d_…")));
    }

    @Bean
    OpenApiCustomizer contractErrors() {
        return openApi -> {
            Components components = openApi.getComponents();
            components.addSchemas("ErrorOut", new Schema<>().type("object")
                    .addProperty("detail", new Schema<>().type("string"))
                    .addProperty("code", new Schema<>().type("string"))
                    .required(List.of("detail", "code")));
            components.addSchemas("ValidationError", new Schema<>().type("object")
                    .addProperty("loc", new ArraySchema().items(new Schema<>().types(new java.util.LinkedHashSet<>(List.of("string", "integer")))))
                    .addProperty("msg", new Schema<>().type("string"))
                    .addProperty("type", new Schema<>().type("string"))
                    .required(List.of("loc", "msg", "type")));
            components.addSchemas("HTTPValidationError", new Schema<>().type("object")
                    .addProperty("detail", new ArraySchema().items(new Schema<>().$ref("#/components/schemas/ValidationError"))));
            if (openApi.getPaths() == null) {
                return;
            }
            openApi.getPaths().forEach((path, item) -> {
                boolean isPublic = PublicRoutes.isPublic(path.replaceAll("\\{[^}]+}", "x"));
                for (Map.Entry<PathItem.HttpMethod, Operation> e : item.readOperationsMap().entrySet()) {
                    Operation op = e.getValue();
                    if (isPublic) {
                        op.setSecurity(List.of());
                        continue;
                    }
                    op.setSecurity(List.of(new SecurityRequirement().addList(BEARER)));
                    var responses = op.getResponses();
                    responses.putIfAbsent("401", error("Missing, malformed, expired or revoked API key"));
                    responses.putIfAbsent("403", error("The key lacks the scope, or names another workspace"));
                    if (path.contains("{")) {
                        responses.putIfAbsent("404", error("Not found (or belongs to another workspace)"));
                    }
                    responses.putIfAbsent("422", new ApiResponse().description("Validation Error").content(json("HTTPValidationError")));
                    responses.putIfAbsent("429", error("Rate limited; see Retry-After"));
                    if (e.getKey() == PathItem.HttpMethod.POST) {
                        responses.putIfAbsent("409", error("Conflict, or the same Idempotency-Key is still running"));
                    }
                }
            });
        };
    }

    /**
     * Readable, stable operation ids from the summaries (FastAPI style: "List Workspaces" →
     * list_workspaces) instead of springdoc's create_1, and the Idempotency-Key header on POSTs.
     */
    @Bean
    OperationCustomizer operationIdsAndIdempotency() {
        return (operation, handler) -> {
            var declared = handler.getMethodAnnotation(io.swagger.v3.oas.annotations.Operation.class);
            boolean explicitId = declared != null && !declared.operationId().isBlank();
            if (!explicitId && operation.getSummary() != null && !operation.getSummary().isBlank()) {
                operation.setOperationId(operation.getSummary().trim().toLowerCase(java.util.Locale.ROOT)
                        .replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", ""));
            }
            var post = handler.getMethodAnnotation(org.springframework.web.bind.annotation.PostMapping.class);
            if (post != null && handler.getMethodAnnotation(dev.outreach2day.platform.RequiredScope.class) != null) {
                operation.addParametersItem(new io.swagger.v3.oas.models.parameters.HeaderParameter()
                        .name("Idempotency-Key").required(false)
                        .description("Retry-safe POST: the same key and body within 24 h returns the first response; "
                                + "another body → 422; while the first runs → 409")
                        .schema(new Schema<String>().type("string").maxLength(255)));
            }
            return operation;
        };
    }

    private static ApiResponse error(String description) {
        return new ApiResponse().description(description).content(json("ErrorOut"));
    }

    private static Content json(String schema) {
        return new Content().addMediaType("application/json",
                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + schema)));
    }
}
