package dev.outreach2day.contact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImportMappingTest {

    static Map<String, String> suggest(String... headers) {
        return ImportMapping.suggest(List.of(headers));
    }

    @Test
    void apolloExport() {
        var m = suggest("First Name", "Last Name", "Title", "Company", "Company Name for Emails", "Email", "Email Status",
                "Seniority", "Departments", "Work Direct Phone", "Home Phone", "Mobile Phone", "Corporate Phone", "# Employees",
                "Industry", "Person Linkedin Url", "Website", "City", "State", "Country", "Secondary Email");
        assertThat(m).containsExactly(
                entry("First Name", "firstName"),
                entry("Last Name", "lastName"),
                entry("Title", "title"),
                entry("Company", "company"),
                entry("Company Name for Emails", "custom:Company_Name_for_Emails"),
                entry("Email", "email"),
                entry("Email Status", "custom:Email_Status"),
                entry("Seniority", "custom:Seniority"),
                entry("Departments", "custom:Departments"),
                entry("Work Direct Phone", "phone"),
                entry("Home Phone", "custom:Home_Phone"),
                entry("Mobile Phone", "custom:Mobile_Phone"),
                entry("Corporate Phone", "custom:Corporate_Phone"),
                entry("# Employees", "custom:Employees"),
                entry("Industry", "custom:Industry"),
                entry("Person Linkedin Url", "custom:Person_Linkedin_Url"),
                entry("Website", "custom:Website"),
                entry("City", "custom:City"),
                entry("State", "custom:State"),
                entry("Country", "custom:Country"),
                entry("Secondary Email", "custom:Secondary_Email"));
        assertThat(ImportMapping.validate(m, List.copyOf(m.keySet()))).isEmpty();
    }

    @Test
    void clayAndSalesNavigatorStyleExports() {
        assertThat(suggest("Full Name", "Job Title", "Company Name", "Work Email", "LinkedIn Profile", "Time Zone"))
                .containsExactly(entry("Full Name", "custom:fullName"), entry("Job Title", "title"), entry("Company Name", "company"),
                        entry("Work Email", "email"), entry("LinkedIn Profile", "custom:LinkedIn_Profile"), entry("Time Zone", "timezone"));
        assertThat(suggest("firstName", "lastName", "companyName", "emailAddress", "phoneNumber", "linkedInProfileUrl"))
                .containsExactly(entry("firstName", "firstName"), entry("lastName", "lastName"), entry("companyName", "company"),
                        entry("emailAddress", "email"), entry("phoneNumber", "phone"), entry("linkedInProfileUrl", "custom:linkedInProfileUrl"));
        assertThat(suggest("email", "first_name", "Company Name", "role"))
                .containsExactly(entry("email", "email"), entry("first_name", "firstName"), entry("Company Name", "company"), entry("role", "title"));
    }

    @Test
    void germanFrenchAndSpanishHeaders() {
        assertThat(suggest("Vorname", "Nachname", "E-Mail", "Firma", "Telefon", "Zeitzone", "Position"))
                .containsExactly(entry("Vorname", "firstName"), entry("Nachname", "lastName"), entry("E-Mail", "email"),
                        entry("Firma", "company"), entry("Telefon", "phone"), entry("Zeitzone", "timezone"), entry("Position", "title"));
        assertThat(suggest("Prénom", "Nom", "Courriel", "Société", "Téléphone", "Poste", "Fuseau horaire", "Nom complet"))
                .containsExactly(entry("Prénom", "firstName"), entry("Nom", "lastName"), entry("Courriel", "email"),
                        entry("Société", "company"), entry("Téléphone", "phone"), entry("Poste", "title"),
                        entry("Fuseau horaire", "timezone"), entry("Nom complet", "custom:fullName"));
        assertThat(suggest("Nombre", "Apellido", "Correo", "Empresa", "Teléfono", "Cargo", "Zona horaria"))
                .containsExactly(entry("Nombre", "firstName"), entry("Apellido", "lastName"), entry("Correo", "email"),
                        entry("Empresa", "company"), entry("Teléfono", "phone"), entry("Cargo", "title"), entry("Zona horaria", "timezone"));
        assertThat(suggest("E-Mail-Adresse", "Adresse e-mail", "Correo electrónico", "Unternehmen", "Berufsbezeichnung", "Compañía"))
                .containsExactly(entry("E-Mail-Adresse", "email"), entry("Adresse e-mail", "custom:Adresse_e-mail"),
                        entry("Correo electrónico", "custom:Correo_electronico"), entry("Unternehmen", "company"),
                        entry("Berufsbezeichnung", "title"), entry("Compañía", "custom:Compania"));
    }

    @Test
    void theFirstColumnForAFieldWinsLaterOnesBecomeCustom() {
        assertThat(suggest("Email", "E-mail", "Phone", "Mobile", "Name", "Full Name", "Company", "Organisation"))
                .containsExactly(entry("Email", "email"), entry("E-mail", "custom:E-mail"), entry("Phone", "phone"),
                        entry("Mobile", "custom:Mobile"), entry("Name", "custom:fullName"), entry("Full Name", "custom:Full_Name"),
                        entry("Company", "company"), entry("Organisation", "custom:Organisation"));
    }

    @Test
    void customNamesAreSanitisedUniqueAndBounded() {
        var m = suggest("  Notes (internal)! ", "Notes internal", "日本語", "x".repeat(80), "x".repeat(80) + "y");
        assertThat(m.values()).containsExactly("custom:Notes_internal", "custom:Notes_internal_2", "custom:column_3",
                "custom:" + "x".repeat(64), "custom:" + "x".repeat(62) + "_2");
        assertThat(ImportMapping.customName("Straße & Söhne", 1)).isEqualTo("Strasse_Sohne");
    }

    @Test
    void noEmailColumnMeansNoEmailInTheSuggestion() {
        var m = suggest("name", "company");
        assertThat(m).containsExactly(entry("name", "custom:fullName"), entry("company", "company"));
        assertThat(m).doesNotContainValue("email");
        assertThat(ImportMapping.validate(m, List.of("name", "company"))).singleElement().asString().contains("email");
    }

    @Test
    void theEmailColumnIsFoundByItsValuesWhenTheHeaderDoesNotSayIt() {
        var headers = List.of("column_1", "column_2", "column_3");
        var rows = List.of(List.of("Ada", "ada@acme.com", "Acme"), List.of("Bob", "bob@beta.io", "Beta"), List.of("Cy", "", "Gamma"));
        assertThat(ImportMapping.suggest(headers, rows)).containsEntry("column_2", "email").containsEntry("column_1", "custom:column_1");
        // without samples a header that mentions the address is taken, one about the address's status is not
        assertThat(suggest("Name", "Email Status", "E-Mail (geschäftlich)")).containsEntry("E-Mail (geschäftlich)", "email")
                .containsEntry("Email Status", "custom:Email_Status");
        assertThat(suggest("Email Status", "Email Confidence")).doesNotContainValue("email");
    }

    @Test
    void atMostFiftyCustomFieldsAreSuggested() {
        var headers = new ArrayList<String>(List.of("Email"));
        for (int i = 1; i <= 60; i++) headers.add("Extra " + i);
        var m = ImportMapping.suggest(headers);
        assertThat(m.values().stream().filter(t -> t.startsWith("custom:"))).hasSize(ContactRules.MAX_CUSTOM_FIELDS);
        assertThat(m.get("Extra 51")).isEqualTo("ignore");
        assertThat(ImportMapping.validate(m, headers)).isEmpty();
    }

    @Test
    void validationNamesTheColumns() {
        var headers = List.of("Email", "Mail", "First", "Notes", "Other", "Tz");
        var mapping = new LinkedHashMap<String, String>();
        mapping.put("Email", "email");
        mapping.put("Mail", "email");
        mapping.put("First", "FirstName");
        mapping.put("Notes", "custom:my notes");
        mapping.put("Other", "custom:Notes2");
        mapping.put("Tz", "custom:notes2");
        mapping.put("Nope", "company");
        var problems = ImportMapping.validate(mapping, headers);
        assertThat(problems).hasSize(5);
        assertThat(problems.get(0)).contains("\"Email\"", "\"Mail\"", "email");
        assertThat(problems.get(1)).contains("\"First\"", "unknown target", "did you mean firstName?");
        assertThat(problems.get(2)).contains("\"Notes\"", "my notes", "custom:Notes");
        assertThat(problems.get(3)).contains("\"Other\"", "\"Tz\"", "unique");
        assertThat(problems.get(4)).contains("\"Nope\"", "not in the file");

        assertThat(ImportMapping.validate(Map.of("Mail", "ignore"), headers)).singleElement().asString().contains("No column is mapped to email");
        assertThat(ImportMapping.validate(Map.of("Email", "email", "Notes", "ignore"), headers)).isEmpty();
        assertThat(ImportMapping.validate(Map.of("Email", "email", "Notes", ""), headers)).singleElement().asString().contains("no target");
        assertThat(ImportMapping.validate(null, headers)).hasSize(1);
    }

    @Test
    void everySuggestionValidates() {
        for (var headers : List.of(List.of("Vorname", "Nachname", "E-Mail", "Firma"), List.of("Prénom", "Nom", "Courriel", "Société"),
                List.of("Nombre", "Apellido", "Correo", "Empresa"), List.of("Email", "Email", "email_2"))) {
            var unique = CsvSource.uniqueHeaders(headers);
            assertThat(ImportMapping.validate(ImportMapping.suggest(unique), unique)).as(unique.toString()).isEmpty();
        }
    }

    @Test
    void normalisation() {
        assertThat(ImportMapping.normalise(" E-Mail ")).isEqualTo("email");
        assertThat(ImportMapping.normalise("Prénom")).isEqualTo("prenom");
        assertThat(ImportMapping.normalise("Straße_Nr.")).isEqualTo("strassenr");
        assertThat(ImportMapping.normalise("Teléfono")).isEqualTo("telefono");
    }
}
