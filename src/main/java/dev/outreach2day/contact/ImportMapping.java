package dev.outreach2day.contact;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which column of an uploaded file goes where: a suggestion from the header names (English,
 * German, French, Spanish and the spellings of common tool exports), and the check of a mapping
 * the user confirms.
 *
 * <p>A mapping is {@code header → target}, where a target is a standard field ({@link #STANDARD}),
 * {@code custom:<name>} (name {@code [A-Za-z0-9_.-]{1,64}}, unique ignoring case) or
 * {@code ignore}. Headers the mapping does not name are ignored.
 */
final class ImportMapping {

    static final String EMAIL = "email";
    static final String FIRST_NAME = "firstName";
    static final String LAST_NAME = "lastName";
    static final String COMPANY = "company";
    static final String TITLE = "title";
    static final String PHONE = "phone";
    static final String TIMEZONE = "timezone";
    static final String IGNORE = "ignore";
    static final String CUSTOM = "custom:";
    /** Where a "Name" / "Full Name" column goes: a custom field the user may split later. */
    static final String FULL_NAME = CUSTOM + "fullName";

    /** The standard contact fields; at most one column each. */
    static final List<String> STANDARD = List.of(EMAIL, FIRST_NAME, LAST_NAME, COMPANY, TITLE, PHONE, TIMEZONE);
    /** The fixed targets a column can be mapped to (besides {@code custom:<name>}). */
    static final List<String> TARGETS = List.of(EMAIL, FIRST_NAME, LAST_NAME, COMPANY, TITLE, PHONE, TIMEZONE, IGNORE);

    static final int MAX_CUSTOM_NAME = 64;
    private static final Pattern CUSTOM_NAME = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_CUSTOM_NAME + "}");
    private static final Pattern EMAIL_VALUE = Pattern.compile("\\s*[^\\s@,;<>\"]+@[^\\s@,;<>\"]+\\.[A-Za-z]{2,}\\s*");

    /** Normalised header (see {@link #normalise}) → target. */
    private static final Map<String, String> SYNONYMS = new HashMap<>();
    /** Words that, before a known header, still leave it that header ("Work Email", "Contact First Name"). */
    private static final List<String> PREFIXES = List.of("contact", "person", "lead", "prospect", "primary", "work", "business",
            "professional", "main", "current", "kontakt", "contacto");
    /** An "…email…" header with one of these words is about the email, not the address (Apollo's "Email Status"). */
    private static final List<String> NOT_AN_ADDRESS = List.of("status", "verif", "valid", "confidence", "score", "source", "domain",
            "optout", "unsub", "bounce", "sent", "open", "click", "repl", "date", "count", "catchall", "type", "format", "provider",
            "quality", "second", "tertiary", "other", "last", "first", "template", "campaign");

    static {
        syn(EMAIL, "email", "emails", "mail", "emailaddress", "emailadress", "emailaddresses", "workemail", "businessemail",
                "emailid", "emailwork", "workemailaddress", "businessemailaddress", "professionalemail", "primaryemail",
                "contactemail", "courriel", "adressecourriel", "adressemail", "adresseemail", "adressemel", "mel",
                "correo", "correoelectronico", "direcciondecorreo", "direcciondecorreoelectronico", "direcciondeemail", "emailadresse",
                "mailadresse", "emailanschrift", "email1");
        syn(FIRST_NAME, "firstname", "first", "givenname", "vorname", "prenom", "nombre", "forename", "fname", "firstnames",
                "nombrepila", "primernombre", "voornaam", "nome");
        syn(LAST_NAME, "lastname", "last", "surname", "familyname", "nachname", "familienname", "nom", "nomdefamille", "apellido",
                "apellidos", "lname", "achternaam", "cognome", "sobrenome");
        syn(COMPANY, "company", "companyname", "organization", "organisation", "organizationname", "organisationname", "account",
                "accountname", "firma", "firmenname", "unternehmen", "unternehmensname", "arbeitgeber", "entreprise",
                "nomdelentreprise", "societe", "empresa", "nombredelaempresa", "compania", "employer", "companyorganization",
                "bedrijf", "azienda");
        syn(TITLE, "title", "jobtitle", "position", "role", "jobrole", "jobposition", "designation", "berufsbezeichnung",
                "jobbezeichnung", "funktion", "stellenbezeichnung", "titre", "poste", "intituledeposte", "fonction", "cargo",
                "puesto", "titulo", "titulodelpuesto");
        syn(PHONE, "phone", "phonenumber", "phone1", "mobile", "mobilephone", "mobilenumber", "mobilephonenumber", "cellphone",
                "cell", "telephone", "telephonenumber", "tel", "directphone", "workdirectphone", "workphone", "corporatephone",
                "officephone", "businessphone", "telefon", "telefonnummer", "handy", "handynummer", "mobil", "mobiltelefon",
                "numerodetelephone", "portable", "telephoneportable", "telefono", "numerodetelefono", "movil", "celular");
        syn(TIMEZONE, "timezone", "tz", "zeitzone", "fuseauhoraire", "zonahoraria", "ianatimezone");
        syn(FULL_NAME, "name", "fullname", "contactname", "personname", "nomcomplet", "nombrecompleto", "vollstandigername",
                "vollername");
    }

    private static void syn(String target, String... names) {
        for (String n : names) {
            String previous = SYNONYMS.put(n, target);
            if (previous != null) throw new IllegalStateException("synonym " + n + " twice");
        }
    }

    private ImportMapping() {}

    /** Header → target, from the header names alone. */
    static Map<String, String> suggest(List<String> headers) {
        return suggest(headers, List.of());
    }

    /**
     * Header → target for every header, in header order: known names go to their standard field
     * (the first such column wins, later ones become custom), "Name"/"Full Name" to
     * {@code custom:fullName}, anything else to {@code custom:<header>}; after
     * {@link ContactRules#MAX_CUSTOM_FIELDS} custom columns the rest are ignored. When no header
     * names the email, the column whose sample values are mostly email addresses is taken (so a
     * headerless file, {@code column_1…n}, still finds it); without samples, a header merely
     * containing "email" (not "Email Status" and the like) is. No email column found → no
     * {@code email} in the result.
     */
    static Map<String, String> suggest(List<String> headers, List<List<String>> sampleRows) {
        var targets = new String[headers.size()];
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < headers.size(); i++) {
            String target = known(headers.get(i));
            if (target != null && taken.add(target)) targets[i] = target;
        }
        if (!taken.contains(EMAIL)) {
            int col = emailColumnByContent(headers.size(), sampleRows == null ? List.of() : sampleRows);
            if (col < 0 && (sampleRows == null || sampleRows.isEmpty())) col = emailColumnByName(headers, targets);
            if (col >= 0) {
                if (targets[col] != null) taken.remove(targets[col]);
                targets[col] = EMAIL;
                taken.add(EMAIL);
            }
        }
        var out = new LinkedHashMap<String, String>();
        Set<String> customNames = new HashSet<>();
        int customs = 0;
        for (int i = 0; i < headers.size(); i++) {
            String target = targets[i];
            if (target != null && target.equals(FULL_NAME) && !customNames.add("fullname")) target = null;
            if (target == null) {
                target = CUSTOM + uniqueName(customName(headers.get(i), i + 1), customNames);
            }
            if (target.startsWith(CUSTOM) && ++customs > ContactRules.MAX_CUSTOM_FIELDS) target = IGNORE;
            out.putIfAbsent(headers.get(i), target);
        }
        return out;
    }

    /** Whether {@code header} is a column name we know (for telling a header row from data). */
    static boolean isKnownHeader(String header) {
        return known(header) != null;
    }

    /** The target a header name stands for, or null. */
    private static String known(String header) {
        if (header == null) return null;
        String n = normalise(header);
        if (n.isEmpty()) return null;
        String t = SYNONYMS.get(n);
        if (t != null) return t;
        for (String p : PREFIXES) {
            if (n.length() > p.length() && n.startsWith(p)) {
                t = SYNONYMS.get(n.substring(p.length()));
                if (t != null && !t.equals(FULL_NAME)) return t;
            }
        }
        return null;
    }

    private static int emailColumnByContent(int columns, List<List<String>> rows) {
        int best = -1;
        double bestShare = 0.5; // more than half of the column's non-blank values
        for (int c = 0; c < columns; c++) {
            int values = 0;
            int emails = 0;
            for (List<String> r : rows) {
                if (r == null || c >= r.size() || r.get(c) == null || r.get(c).isBlank()) continue;
                values++;
                if (EMAIL_VALUE.matcher(r.get(c)).matches()) emails++;
            }
            if (values > 0 && (double) emails / values > bestShare) {
                best = c;
                bestShare = (double) emails / values;
            }
        }
        return best;
    }

    private static int emailColumnByName(List<String> headers, String[] targets) {
        for (int i = 0; i < headers.size(); i++) {
            if (targets[i] != null && !targets[i].equals(FULL_NAME)) continue;
            String n = normalise(headers.get(i));
            if (!(n.contains("email") || n.contains("courriel") || n.contains("correo"))) continue;
            boolean about = false;
            for (String w : NOT_AN_ADDRESS) about |= n.contains(w);
            if (!about) return i;
        }
        return -1;
    }

    /**
     * Lower case, accents and ß folded ({@code é → e}, {@code ß → ss}), everything but letters and
     * digits removed: "E-Mail" → "email", "Prénom" → "prenom", "Job_Title" → "jobtitle".
     */
    static String normalise(String header) {
        String s = Normalizer.normalize(header.strip(), Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
        s = s.toLowerCase(Locale.ROOT).replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("œ", "oe");
        var sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) sb.append(c);
        }
        return sb.toString();
    }

    /**
     * A custom field name for a header: trimmed, accents folded, every run of characters outside
     * {@code [A-Za-z0-9_.-]} one {@code _}, no leading/trailing {@code _}, at most 64 characters;
     * {@code column_<n>} if nothing is left ("Person Linkedin Url" → "Person_Linkedin_Url").
     */
    static String customName(String header, int columnNumber) {
        String s = header == null ? "" : Normalizer.normalize(header.strip(), Normalizer.Form.NFD).replaceAll("\\p{M}+", "")
                .replace("ß", "ss");
        s = s.replaceAll("[^A-Za-z0-9_.-]+", "_").replaceAll("^_+|_+$", "");
        if (s.length() > MAX_CUSTOM_NAME) s = s.substring(0, MAX_CUSTOM_NAME);
        return s.isEmpty() ? "column_" + columnNumber : s;
    }

    private static String uniqueName(String name, Set<String> taken) {
        String candidate = name;
        for (int n = 2; !taken.add(candidate.toLowerCase(Locale.ROOT)); n++) {
            String suffix = "_" + n;
            candidate = (name.length() + suffix.length() > MAX_CUSTOM_NAME ? name.substring(0, MAX_CUSTOM_NAME - suffix.length()) : name)
                    + suffix;
        }
        return candidate;
    }

    /**
     * What is wrong with {@code mapping} for a file with {@code headers}, as messages naming the
     * column; empty if it can be used. Checks: every column named is in the file, every target is
     * known, no standard field gets two columns, custom names are valid and unique (ignoring case)
     * and at most {@link ContactRules#MAX_CUSTOM_FIELDS}, and one column is the email.
     */
    static List<String> validate(Map<String, String> mapping, List<String> headers) {
        var problems = new ArrayList<String>();
        if (mapping == null) {
            problems.add("The mapping is missing: map the column holding the email addresses to email.");
            return problems;
        }
        Set<String> columns = headers == null ? Set.of() : new HashSet<>(headers);
        Map<String, String> standardOwner = new HashMap<>();
        Map<String, String> customOwner = new HashMap<>();
        for (var e : mapping.entrySet()) {
            String column = e.getKey();
            String target = e.getValue() == null ? "" : e.getValue().strip();
            if (column == null) {
                problems.add("A mapping entry has no column name.");
                continue;
            }
            if (!columns.contains(column)) {
                problems.add("Column \"" + column + "\" is not in the file; its columns are: " + listed(headers) + ".");
                continue;
            }
            if (target.isEmpty()) {
                problems.add("Column \"" + column + "\" has no target: use one of " + String.join(", ", STANDARD)
                        + ", custom:<name> or ignore.");
            } else if (target.equals(IGNORE)) {
                // nothing to check
            } else if (target.startsWith(CUSTOM)) {
                String name = target.substring(CUSTOM.length());
                if (!CUSTOM_NAME.matcher(name).matches()) {
                    problems.add("Column \"" + column + "\": the custom field name \"" + name + "\" must be 1 to " + MAX_CUSTOM_NAME
                            + " characters of A-Z, a-z, 0-9, '_', '.' or '-' (for example custom:" + customName(column, 1) + ").");
                } else {
                    String other = customOwner.putIfAbsent(name.toLowerCase(Locale.ROOT), column);
                    if (other != null) {
                        problems.add("Columns \"" + other + "\" and \"" + column + "\" both go to the custom field \"" + name
                                + "\"; custom field names must be unique (ignoring case).");
                    }
                }
            } else if (STANDARD.contains(target)) {
                String other = standardOwner.putIfAbsent(target, column);
                if (other != null) {
                    problems.add("Columns \"" + other + "\" and \"" + column + "\" are both mapped to " + target + "; map only one column to "
                            + target + " (the other to custom:<name> or ignore).");
                }
            } else {
                String hint = "";
                for (String t : TARGETS) {
                    if (t.equalsIgnoreCase(target)) hint = " (did you mean " + t + "?)";
                }
                problems.add("Column \"" + column + "\" has an unknown target \"" + target + "\"" + hint + ": use one of "
                        + String.join(", ", STANDARD) + ", custom:<name> or ignore.");
            }
        }
        if (customOwner.size() > ContactRules.MAX_CUSTOM_FIELDS) {
            problems.add(customOwner.size() + " columns are mapped to custom fields; at most " + ContactRules.MAX_CUSTOM_FIELDS
                    + " are allowed: map the others to ignore.");
        }
        if (!standardOwner.containsKey(EMAIL)) {
            problems.add("No column is mapped to email: map the column holding the email addresses to email.");
        }
        return problems;
    }

    private static String listed(List<String> headers) {
        if (headers == null || headers.isEmpty()) return "(none)";
        var quoted = new ArrayList<String>();
        for (int i = 0; i < headers.size() && i < 20; i++) quoted.add("\"" + headers.get(i) + "\"");
        return String.join(", ", quoted) + (headers.size() > 20 ? ", … (" + headers.size() + " in all)" : "");
    }
}
