package dev.outreach2day.contact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** CSV imports through the API: every encoding and delimiter, every row accounted for, resume, cancel, replay. */
class ImportApiTest extends IntegrationTest {

    @Autowired ImportRunner runner;
    @Autowired JdbcClient jdbc;

    Api api;
    String campaign;


    /** A multipart POST the way curl -F sends it. */
    record Part(String name, String filename, byte[] content) {}

    HttpResponse<String> multipart(String path, Part... parts) throws Exception {
        String boundary = "----o2d" + UUID.randomUUID();
        var body = new ByteArrayOutputStream();
        for (Part p : parts) {
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.name() + "\""
                    + (p.filename() == null ? "" : "; filename=\"" + p.filename() + "\"") + "\r\n"
                    + (p.filename() == null ? "" : "Content-Type: text/csv\r\n") + "\r\n").getBytes(StandardCharsets.UTF_8));
            body.write(p.content());
            body.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        var request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Authorization", "Bearer " + tenantKey())
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    String key;

    String tenantKey() {
        return key;
    }

    JsonNode importFile(byte[] csv, String mapping, String dedupe) throws Exception {
        var parts = new java.util.ArrayList<Part>();
        parts.add(new Part("file", "leads.csv", csv));
        if (mapping != null) parts.add(new Part("mapping", null, mapping.getBytes(StandardCharsets.UTF_8)));
        if (dedupe != null) parts.add(new Part("dedupe", null, dedupe.getBytes(StandardCharsets.UTF_8)));
        var r = multipart("/campaigns/" + campaign + "/contacts/import", parts.toArray(Part[]::new));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = Api.JSON.readTree(r.body()).get("importId").asString();
        while (runner.runNext()) { }
        return api.get("/imports/" + id).json();
    }

    static void assertAccountedFor(JsonNode status) {
        long sum = status.get("imported").asLong() + status.get("updated").asLong() + status.get("duplicates").asLong()
                + status.get("suppressed").asLong() + status.get("invalid").asLong();
        assertThat(sum).as(status.toString()).isEqualTo(status.get("totalRows").asLong());
        assertThat(status.get("processedRows").asLong()).isEqualTo(status.get("totalRows").asLong());
    }

    @BeforeEach
    void key() {
        var tenant = newTenant();
        api = api(tenant);
        key = tenant.apiKey();
        campaign = api.post("/campaigns", "{\"name\":\"Imports\"}").json().get("id").asString();
    }

    @Test
    void everyEncodingAndDelimiterIsReadAndMappedFromItsHeaders() throws Exception {
        record Case(String text, Charset charset, boolean bom, String expectFirst) {}
        var cases = java.util.List.of(
                new Case("email,first_name,Company Name,role\r\nada@acme.com,Ada,Acme,CTO\r\nbob@beta.io,Bob,Beta,\r\n", StandardCharsets.UTF_8, false, "Ada"),
                new Case("Vorname;Nachname;E-Mail;Firma\nJürgen;Groß;juergen@firma.de;Müller GmbH\nÉlodie;Böhm;elodie@firma.de;\n", Charset.forName("windows-1252"), false, "Jürgen"),
                new Case("Prénom\tNom\tCourriel\tSociété\nÉlodie\tDupont\telodie@exemple.fr\tSociété Générale\n", StandardCharsets.UTF_16LE, true, "Élodie"),
                new Case("Nombre|Apellido|Correo|Empresa\n\"José \"\"Pepe\"\"\"|García|jose@empresa.es|\"Empresa, S.L.\nMadrid\"\n", StandardCharsets.UTF_8, true, "José \"Pepe\""));
        for (Case c : cases) {
            byte[] bytes = c.text().getBytes(c.charset());
            if (c.bom()) {
                byte[] bom = c.charset() == StandardCharsets.UTF_16LE ? new byte[] {(byte) 0xFF, (byte) 0xFE} : new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
                byte[] all = new byte[bom.length + bytes.length];
                System.arraycopy(bom, 0, all, 0, bom.length);
                System.arraycopy(bytes, 0, all, bom.length, bytes.length);
                bytes = all;
            }
            var status = importFile(bytes, null, null);
            assertThat(status.get("status").asString()).as(c.text()).isEqualTo("completed");
            assertAccountedFor(status);
            assertThat(status.get("invalid").asLong()).as(c.text()).isZero();
        }
        var contacts = api.get("/campaigns/" + campaign + "/contacts?limit=50").json().get("contacts");
        var byEmail = new java.util.HashMap<String, JsonNode>();
        contacts.forEach(n -> byEmail.put(n.get("email").asString(), n));
        assertThat(byEmail.get("ada@acme.com").get("company").asString()).isEqualTo("Acme");
        assertThat(byEmail.get("ada@acme.com").get("title").asString()).isEqualTo("CTO"); // "role" is a synonym of title
        assertThat(byEmail.get("juergen@firma.de").get("firstName").asString()).isEqualTo("Jürgen");
        assertThat(byEmail.get("juergen@firma.de").get("company").asString()).isEqualTo("Müller GmbH");
        assertThat(byEmail.get("elodie@exemple.fr").get("company").asString()).isEqualTo("Société Générale");
        assertThat(byEmail.get("jose@empresa.es").get("firstName").asString()).isEqualTo("José \"Pepe\"");
        assertThat(byEmail.get("jose@empresa.es").get("company").asString()).isEqualTo("Empresa, S.L.\nMadrid");
    }

    @Test
    void messyRowsBecomeDeadLettersAndDuplicatesAreCountedNotImportedTwice() throws Exception {
        api.post("/campaigns/" + campaign + "/contacts", "{\"contacts\":[{\"email\":\"exists@acme.com\",\"firstName\":\"Old\"}]}");
        String csv = """
                email,firstName,company
                 Ada@ACME.com ,Ada,Acme
                ada@acme.com,Ada again,Acme
                not-an-email,Bob,Beta
                ,NoEmail,Gamma
                exists@acme.com,New,Acme
                carol@gamma.io,Carol,Gamma,extra field
                """;
        var status = importFile(csv.getBytes(StandardCharsets.UTF_8), null, null);
        assertAccountedFor(status);
        assertThat(status.get("imported").asLong()).isEqualTo(1);
        assertThat(status.get("updated").asLong()).isEqualTo(1);
        assertThat(status.get("duplicates").asLong()).isEqualTo(1);
        assertThat(status.get("invalid").asLong()).isEqualTo(3);
        var runbook = api.get("/imports/" + status.get("id").asString() + "/runbook").json();
        var reasons = new java.util.ArrayList<String>();
        runbook.get("reasons").forEach(r -> reasons.add(r.get("reason").asString()));
        assertThat(reasons).contains("RAGGED_ROW", "MISSING_EMAIL");
        assertThat(runbook.get("samples").size()).isEqualTo(3);
        assertThat(runbook.get("nextSteps").toString()).contains("replay");

        // replay the bad address with a correction: it moves from invalid to imported
        long badRow = 0;
        for (JsonNode s : runbook.get("samples")) if ("Bob".equals(s.get("values").path("firstName").asString(null))) badRow = s.get("row").asLong();
        var replay = api.post("/imports/" + status.get("id").asString() + "/dead-letters/replay",
                "{\"rows\":[{\"row\":" + badRow + ",\"values\":{\"email\":\"bob@beta.io\"}}]}");
        assertThat(replay.status()).as(replay.body()).isEqualTo(200);
        assertThat(replay.json().get("replayed").asLong()).isEqualTo(1);
        var after = replay.json().get("status");
        assertThat(after.get("invalid").asLong()).isEqualTo(2);
        assertThat(after.get("imported").asLong()).isEqualTo(2);
        assertAccountedFor(after);
        var emails = api.get("/campaigns/" + campaign + "/contacts?limit=50").json().findValues("email").stream().map(JsonNode::asString).toList();
        assertThat(emails).containsExactlyInAnyOrder("exists@acme.com", "ada@acme.com", "bob@beta.io");
    }

    @Test
    void aFileWhoseRowsAllFailIsAccountedFor() throws Exception {
        var status = importFile("email,name\nnope,A\nstill nope,B\n".getBytes(StandardCharsets.UTF_8), null, null);
        assertThat(status.get("status").asString()).isEqualTo("completed");
        assertThat(status.get("invalid").asLong()).isEqualTo(2);
        assertAccountedFor(status);
    }

    @Test
    void badFilesAndMappingsAreClear4xx() throws Exception {
        assertThat(multipart("/campaigns/" + campaign + "/contacts/import", new Part("file", "e.csv", new byte[0])).statusCode()).isEqualTo(422);
        var binary = new byte[4096];
        new java.util.Random(1).nextBytes(binary);
        var bin = multipart("/campaigns/" + campaign + "/contacts/import", new Part("file", "x.csv", binary));
        assertThat(bin.statusCode()).as(bin.body()).isEqualTo(422);
        var noEmail = multipart("/campaigns/" + campaign + "/contacts/import", new Part("file", "x.csv", "name,company\nA,B\n".getBytes()));
        assertThat(noEmail.statusCode()).isEqualTo(422);
        assertThat(noEmail.body()).containsIgnoringCase("email");
        var badMapping = multipart("/imports/v3/submit", new Part("file", "x.csv", "email,name\na@b.co,A\n".getBytes()),
                new Part("campaignId", null, campaign.getBytes()), new Part("mapping", null, "{\"mail\":\"email\"}".getBytes()));
        assertThat(badMapping.statusCode()).isEqualTo(422);
        assertThat(badMapping.body()).contains("mail");
        var unknownCampaign = multipart("/campaigns/cmp_nope/contacts/import", new Part("file", "x.csv", "email\na@b.co\n".getBytes()));
        assertThat(unknownCampaign.statusCode()).isEqualTo(404);
        assertThat(api.get("/imports/imp_nope").status()).isEqualTo(404);
    }

    @Test
    void aHugeUploadIsRefusedBeforeItFillsTheDisk() throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            out.write(("POST /campaigns/" + campaign + "/contacts/import HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 2147483648\r\n\r\n--x\r\n").getBytes());
            out.flush();
            String response = new String(socket.getInputStream().readNBytes(200));
            assertThat(response).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void theMappingFlowPreviewsConfirmsAndRuns() throws Exception {
        var created = multipart("/imports", new Part("file", "apollo.csv",
                "First Name,Last Name,Title,Company,Email,Person Linkedin Url\nAda,Lovelace,CTO,Acme,ada@acme.com,https://li/ada\n".getBytes()),
                new Part("campaignId", null, campaign.getBytes()));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        var job = Api.JSON.readTree(created.body());
        assertThat(job.get("status").asString()).isEqualTo("awaiting_mapping");
        assertThat(job.get("suggestedMapping").get("Email").asString()).isEqualTo("email");
        String id = job.get("id").asString();
        var preview = api.get("/imports/" + id + "/mapping-preview").json();
        assertThat(preview.get("sampleRows").get(0).get("email").asString()).isEqualTo("ada@acme.com");
        var bad = api.post("/imports/" + id + "/mapping/confirm", "{\"mapping\":{\"Nope\":\"email\"}}");
        assertThat(bad.status()).isEqualTo(422);
        var mapping = preview.get("mapping").get("mapping").toString();
        var ok = api.post("/imports/" + id + "/mapping/confirm", "{\"mapping\":" + mapping + "}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().get("status").asString()).isEqualTo("queued");
        assertThat(api.post("/imports/" + id + "/mapping/confirm", "{\"mapping\":" + mapping + "}").status()).isEqualTo(409);
        while (runner.runNext()) { }
        var status = api.get("/campaigns/" + campaign + "/imports/" + id).json();
        assertThat(status.get("status").asString()).isEqualTo("completed");
        assertThat(status.get("imported").asLong()).isEqualTo(1);
    }

    static byte[] generated(int rows) {
        var sb = new StringBuilder("email,first_name,last_name,company\n");
        for (int i = 0; i < rows; i++) sb.append("lead").append(i).append("@big").append(i % 97).append(".example,F").append(i).append(",L,Co\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anImportStoppedMidLoadResumesWithExactCountsAndNoDuplicates() throws Exception {
        var r = multipart("/campaigns/" + campaign + "/contacts/import", new Part("file", "big.csv", generated(25_000)));
        String id = Api.JSON.readTree(r.body()).get("importId").asString();
        runner.crashAfterChunks = 1;
        try {
            runner.runNext();
        } catch (ImportRunner.SimulatedCrash expected) {
            // the process "died" after committing one chunk
        } finally {
            runner.crashAfterChunks = 0;
        }
        var midway = api.get("/imports/" + id).json();
        assertThat(midway.get("status").asString()).isEqualTo("running");
        assertThat(midway.get("processedRows").asLong()).isEqualTo(ImportRunner.CHUNK);
        // another process takes over once the dead one's lease has expired
        jdbc.sql("UPDATE import_jobs SET locked_until = now() - interval '1 second' WHERE id = :id").param("id", id).update();
        while (runner.runNext()) { }
        var done = api.get("/imports/" + id).json();
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("imported").asLong()).isEqualTo(25_000);
        assertAccountedFor(done);
        assertThat(jdbc.sql("SELECT count(*), count(DISTINCT email) FROM campaign_contacts WHERE campaign_id = :c").param("c", campaign)
                .query((rs, n) -> rs.getLong(1) + "/" + rs.getLong(2)).single()).isEqualTo("25000/25000");
    }

    @Test
    void cancelStopsTheImportAndKeepsWhatWasImported() throws Exception {
        var queued = multipart("/campaigns/" + campaign + "/contacts/import", new Part("file", "q.csv", generated(100)));
        String q = Api.JSON.readTree(queued.body()).get("importId").asString();
        assertThat(api.post("/imports/" + q + "/cancel", null).json().get("status").asString()).isEqualTo("cancelled");
        assertThat(api.post("/imports/" + q + "/cancel", null).status()).isEqualTo(409);

        var big = multipart("/campaigns/" + campaign + "/contacts/import", new Part("file", "big.csv", generated(200_000)));
        String id = Api.JSON.readTree(big.body()).get("importId").asString();
        var worker = Thread.ofVirtual().start(() -> {
            while (runner.runNext()) { }
        });
        long start = System.nanoTime();
        while (api.get("/imports/" + id).json().get("processedRows").asLong() < ImportRunner.CHUNK && System.nanoTime() - start < 60_000_000_000L) {
            Thread.sleep(20);
        }
        long cancelAt = System.nanoTime();
        api.post("/imports/" + id + "/cancel", null);
        worker.join(10_000);
        assertThat((System.nanoTime() - cancelAt) / 1_000_000).isLessThan(3_000);
        var status = api.get("/imports/" + id).json();
        assertThat(status.get("status").asString()).isEqualTo("cancelled");
        long processed = status.get("processedRows").asLong();
        assertThat(processed).isLessThan(200_000).isGreaterThanOrEqualTo(ImportRunner.CHUNK);
        assertThat(jdbc.sql("SELECT count(*) FROM campaign_contacts WHERE campaign_id = :c AND email LIKE 'lead%'").param("c", campaign)
                .query(Long.class).single()).isEqualTo(status.get("imported").asLong());
    }
}
