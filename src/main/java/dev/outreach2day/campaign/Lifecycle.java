package dev.outreach2day.campaign;

import dev.outreach2day.platform.ApiException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The campaign lifecycle, in one table: statuses, the actions a user takes, and which status
 * each action moves to from where. Launch (draft → active) and completion (active → completed)
 * are the system's; archive remembers where it came from so unarchive can go back.
 */
final class Lifecycle {

    static final List<String> STATUSES = List.of("draft", "active", "paused", "stopped", "completed", "archived");
    static final List<String> ACTIONS = List.of("pause", "resume", "stop", "archive", "unarchive");

    /** action → (from status → to status); unarchive's target is the status before archiving. */
    private static final Map<String, Map<String, String>> TABLE = Map.of(
            "pause", Map.of("active", "paused"),
            "resume", Map.of("paused", "active"),
            "stop", Map.of("active", "stopped", "paused", "stopped"),
            "archive", Map.of("draft", "archived", "paused", "archived", "stopped", "archived", "completed", "archived"),
            "unarchive", Map.of("archived", "*previous*"));

    private Lifecycle() {}

    /** Every status and the statuses reachable from it, by any action or the system. */
    static Map<String, List<String>> transitions() {
        var out = new LinkedHashMap<String, List<String>>();
        out.put("draft", List.of("active", "archived"));
        out.put("active", List.of("paused", "stopped", "completed"));
        out.put("paused", List.of("active", "stopped", "archived"));
        out.put("stopped", List.of("archived"));
        out.put("completed", List.of("archived"));
        out.put("archived", List.of("draft", "paused", "stopped", "completed"));
        return out;
    }

    /** The status {@code action} leads to from {@code current}; 409 naming both when the table forbids it. */
    static String apply(String action, String current, String beforeArchive) {
        Map<String, String> row = TABLE.get(action);
        if (row == null) {
            throw ApiException.Invalid.body("action must be one of " + ACTIONS, "enum", "action");
        }
        String to = row.get(current);
        if (to == null) {
            throw new ApiException.Conflict("INVALID_TRANSITION", "Cannot " + action + " a campaign that is " + current
                    + "; " + action + " applies to: " + String.join(", ", row.keySet().stream().sorted().toList()));
        }
        return to.equals("*previous*") ? Optional.ofNullable(beforeArchive).orElse("draft") : to;
    }
}
