package dev.outreach2day;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The published contract is locked: {@code /openapi.json} must equal the committed snapshot.
 * A deliberate change is re-recorded with {@code ./outreach2day openapi-snapshot} and reviewed
 * in the diff.
 */
class OpenApiSnapshotTest extends IntegrationTest {

    static final Path SNAPSHOT = Path.of("src/test/resources/openapi/openapi.json");
    private static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Test
    void publishedSpecMatchesTheCommittedSnapshot() throws Exception {
        var r = anonymous().get("/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        String actual = canonical(r.json());
        if (Boolean.getBoolean("openapi.record")) {
            Files.createDirectories(SNAPSHOT.getParent());
            Files.writeString(SNAPSHOT, actual, StandardCharsets.UTF_8);
        }
        assertThat(SNAPSHOT).as("no snapshot yet: run ./outreach2day openapi-snapshot").exists();
        String expected = Files.readString(SNAPSHOT, StandardCharsets.UTF_8);
        assertThat(actual)
                .as("/openapi.json differs from %s; if the change is deliberate, run ./outreach2day openapi-snapshot", SNAPSHOT)
                .isEqualTo(expected);
    }

    @Test
    void specIsOpenApi31WithTheSeedsSchemaNamesAndBearerAuth() {
        JsonNode spec = anonymous().get("/openapi.json").json();
        assertThat(spec.get("openapi").asString()).startsWith("3.1");
        var schemas = new ArrayList<String>();
        spec.get("components").get("schemas").propertyNames().forEach(schemas::add);
        assertThat(schemas).contains("WorkspaceInfo", "CreateWorkspaceRequest", "HTTPValidationError", "ValidationError", "ErrorOut");
        assertThat(spec.get("components").get("securitySchemes").get("bearerAuth").get("scheme").asString()).isEqualTo("bearer");
        var listWorkspaces = spec.get("paths").get("/workspaces").get("get");
        assertThat(listWorkspaces.get("security").toString()).contains("bearerAuth");
        assertThat(listWorkspaces.get("responses").has("401")).isTrue();
        assertThat(listWorkspaces.get("responses").get("422").toString()).contains("HTTPValidationError");
    }

    @Test
    void docsPageIsServed() {
        var redirect = anonymous().get("/docs");
        assertThat(redirect.status()).isEqualTo(302);
        String location = redirect.header("Location").replaceFirst("^https?://[^/]+", "");
        var r = anonymous().get(location);
        assertThat(r.status()).as(location).isEqualTo(200);
        assertThat(r.body()).containsIgnoringCase("swagger");
    }

    /** Sorted keys, no per-run server URL, pretty-printed: stable across runs and machines. */
    static String canonical(JsonNode spec) {
        JsonNode copy = spec.deepCopy();
        ((ObjectNode) copy).remove("servers");
        return PRETTY.writeValueAsString(sort(copy)) + "\n";
    }

    private static Object sort(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                var e = it.next();
                sorted.put(e.getKey(), sort(e.getValue()));
            }
            return sorted;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(n -> list.add(sort(n)));
            return list;
        }
        return node;
    }
}
