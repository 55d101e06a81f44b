package dev.outreach2day.contact;

import java.time.Instant;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A contact of a campaign as other capabilities see it. {@code customFields} is string → string
 * with keys unique ignoring case; {@code changeSeq} is the contact's position in its campaign's
 * changes feed.
 */
public record ContactView(long workspaceId, String id, String campaignId, String email, String firstName, String lastName,
        String company, String title, String phone, String timezone, Map<String, String> customFields, String status,
        int currentStep, Instant nextSendAt, Instant lastSentAt, String replyIntent, long changeSeq, Instant createdAt,
        Instant updatedAt) {

    public ContactView {
        customFields = Collections.unmodifiableMap(new TreeMap<>(customFields));
    }

    /**
     * The value of a template variable for this contact, by the same rule as
     * {@link Contacts#countMissing}: a built-in name ({@link Contacts#BUILT_IN_VARIABLES}, any case)
     * is the column, any other name is the custom field with that key ignoring case. Null when
     * there is no value; the caller decides whether blank counts as missing.
     */
    public String variable(String name) {
        if (name == null) return null;
        String v = name.strip();
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "firstname" -> firstName;
            case "lastname" -> lastName;
            case "email" -> email;
            case "company" -> company;
            case "title" -> title;
            case "phone" -> phone;
            case "timezone" -> timezone;
            default -> {
                for (var e : customFields.entrySet()) {
                    if (e.getKey().equalsIgnoreCase(v)) yield e.getValue();
                }
                yield null;
            }
        };
    }
}
