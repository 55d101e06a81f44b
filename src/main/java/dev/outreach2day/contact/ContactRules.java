package dev.outreach2day.contact;

import dev.outreach2day.platform.EmailAddresses;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a contact must look like to enter a campaign, shared by the JSON endpoint and (later) CSV
 * imports: a valid email (normalised), an IANA timezone (canonical spelling), bounded text fields
 * and custom fields of at most {@value #MAX_CUSTOM_FIELDS} string values under keys of
 * {@code [A-Za-z0-9_.-]{1,64}}, unique ignoring case.
 */
final class ContactRules {

    static final int MAX_CUSTOM_FIELDS = 50;
    static final int MAX_CUSTOM_VALUE = 2000;
    static final int MAX_TEXT = 200;
    static final int MAX_PHONE = 50;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Map<String, String> ZONES = new HashMap<>();

    static {
        for (String z : ZoneId.getAvailableZoneIds()) {
            ZONES.put(z.toLowerCase(Locale.ROOT), z);
        }
    }

    private ContactRules() {}

    /** A contact as received; {@code customFields} values may be of any JSON type until checked. */
    record Raw(String email, String firstName, String lastName, String company, String title, String phone, String timezone,
            Map<String, Object> customFields) {}

    /** A checked contact: trimmed, blank fields absent (null), email normalised, zone canonical. */
    record Clean(String email, String firstName, String lastName, String company, String title, String phone,
            String timezone, Map<String, String> customFields) {}

    /** Either a clean contact or the reason it was refused. */
    sealed interface Checked permits Ok, Bad {}

    record Ok(Clean contact) implements Checked {}

    record Bad(String email, String code, String reason) implements Checked {}

    static Checked check(Raw raw) {
        if (raw.email() == null || raw.email().isBlank()) {
            return new Bad(raw.email(), "MISSING_EMAIL", "email is required");
        }
        Optional<String> email = EmailAddresses.normalize(raw.email());
        if (email.isEmpty()) {
            return new Bad(raw.email().strip(), "INVALID_EMAIL", "not a valid email address");
        }
        String e = email.get();
        String firstName = blankToNull(raw.firstName());
        String lastName = blankToNull(raw.lastName());
        String company = blankToNull(raw.company());
        String title = blankToNull(raw.title());
        String phone = blankToNull(raw.phone());
        for (var f : new String[][] {{"firstName", firstName}, {"lastName", lastName}, {"company", company}, {"title", title}}) {
            if (f[1] != null && f[1].length() > MAX_TEXT) {
                return new Bad(e, "FIELD_TOO_LONG", f[0] + " is longer than " + MAX_TEXT + " characters");
            }
        }
        if (phone != null && phone.length() > MAX_PHONE) {
            return new Bad(e, "FIELD_TOO_LONG", "phone is longer than " + MAX_PHONE + " characters");
        }
        String timezone = null;
        String tz = blankToNull(raw.timezone());
        if (tz != null) {
            timezone = zone(tz).orElse(null);
            if (timezone == null) {
                return new Bad(e, "INVALID_TIMEZONE", "timezone '" + abbreviate(tz) + "' is not an IANA zone name such as Europe/Berlin");
            }
        }
        var fields = new LinkedHashMap<String, String>();
        if (raw.customFields() != null) {
            if (raw.customFields().size() > MAX_CUSTOM_FIELDS) {
                return new Bad(e, "INVALID_CUSTOM_FIELDS", "customFields has more than " + MAX_CUSTOM_FIELDS + " keys");
            }
            var lower = new HashSet<String>();
            for (var f : raw.customFields().entrySet()) {
                String key = f.getKey();
                if (key == null || !KEY.matcher(key).matches()) {
                    return new Bad(e, "INVALID_CUSTOM_FIELDS", "customFields key '" + abbreviate(String.valueOf(key))
                            + "' must be 1-64 characters of A-Z, a-z, 0-9, '_', '.', '-'");
                }
                if (!lower.add(key.toLowerCase(Locale.ROOT))) {
                    return new Bad(e, "INVALID_CUSTOM_FIELDS", "customFields has the key '" + key + "' twice (keys ignore case)");
                }
                if (!(f.getValue() instanceof String value)) {
                    return new Bad(e, "INVALID_CUSTOM_FIELDS", "customFields." + key + " must be a string");
                }
                if (value.length() > MAX_CUSTOM_VALUE) {
                    return new Bad(e, "INVALID_CUSTOM_FIELDS",
                            "customFields." + key + " is longer than " + MAX_CUSTOM_VALUE + " characters");
                }
                fields.put(key, value);
            }
        }
        return new Ok(new Clean(e, firstName, lastName, company, title, phone, timezone, fields));
    }

    /** The canonical IANA name for {@code name} (any case), if it is one. */
    static Optional<String> zone(String name) {
        return Optional.ofNullable(ZONES.get(name.strip().toLowerCase(Locale.ROOT)));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
