package dev.outreach2day.mailbox;

import static dev.outreach2day.ResponseLog.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.mailserver.MailServer;
import dev.outreach2day.workspace.TestTenants.Tenant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class MailboxApiTest extends IntegrationTest {

    /** Another company's mail server, for mailboxes connected with provider smtp. */
    static GreenMail foreign;

    @Autowired
    MailServer mailServer;

    Tenant tenant;
    Api api;
    String domain;

    @BeforeAll
    static void startForeign() {
        foreign = new GreenMail(new ServerSetup[] {
                new ServerSetup(0, "127.0.0.1", "smtp").dynamicPort(), new ServerSetup(0, "127.0.0.1", "imap").dynamicPort()});
        foreign.start();
        foreign.setUser("sales@elsewhere.example", "sales@elsewhere.example", secret("Foreign-Pass-1"));
    }

    @AfterAll
    static void stopForeign() {
        foreign.stop();
    }

    @BeforeEach
    void setUp() {
        tenant = newTenant();
        api = api(tenant);
        domain = "mbx" + Long.toString(System.nanoTime(), 36) + ".com";
        String setup = api.post("/workspaces/" + tenant.workspaceId() + "/setup_payment_method", null).json().get("setup_url").asString();
        anonymous().send("POST", Pattern.compile("^https?://[^/]+").matcher(setup).replaceFirst(""), "", "application/x-www-form-urlencoded");
        var bought = api.post("/domains/purchase", """
                {"domains":["%s"],"contactInfo":{"firstName":"A","lastName":"B","email":"a@b.org","phone":"+1.5555550100",
                 "address1":"1 St","city":"X","stateProvince":"Y","postalCode":"1","country":"US"}}""".formatted(domain));
        assertThat(bought.status()).as(bought.body()).isEqualTo(200);
    }

    private JsonNode createLocal(String local, String password) {
        String pw = password == null ? "" : ",\"password\":\"" + password + "\"";
        var r = api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"" + local + "@" + domain + "\",\"firstName\":\"John\",\"lastName\":\"Doe\"" + pw + "}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("created").get(0);
    }

    @Test
    void aLocalMailboxSendsToAProspectWhoRepliesAllOverRealSmtpAndImap() throws Exception {
        String password = secret("John-Secret-" + System.nanoTime());
        var john = createLocal("john", password);
        String address = "john@" + domain;
        assertThat(john.get("id").asString()).startsWith("mbx_");
        assertThat(john.get("provider").asString()).isEqualTo("local");
        assertThat(john.get("status").asString()).isEqualTo("active");
        assertThat(john.has("password")).isFalse(); // the user chose it: never echoed
        String host = john.get("smtp").get("host").asString();
        int smtpPort = john.get("smtp").get("port").asInt();
        int imapPort = john.get("imap").get("port").asInt();
        assertThat(smtpPort).isEqualTo(mailServer.smtpPort());

        // John sends with SMTP AUTH, the way a mail client or the sending engine does
        String prospect = "prospect" + System.nanoTime() + "@company.example";
        MailClient.send(host, smtpPort, address, password, address, prospect, "Partnership opportunity", "Hi, worth a chat?", null);

        // the prospect reads it over IMAP (login and password = the address), and replies without AUTH
        var received = await().atMost(Duration.ofSeconds(10)).until(() -> MailClient.inbox(host, imapPort, prospect, prospect), l -> !l.isEmpty());
        assertThat(received.getFirst().subject()).isEqualTo("Partnership opportunity");
        assertThat(received.getFirst().from()).isEqualTo(address);
        MailClient.send(host, smtpPort, null, null, prospect, address, "Re: Partnership opportunity", "Yes, let's talk",
                received.getFirst().messageId());

        // the reply is in John's INBOX, read with John's password
        var inbox = await().atMost(Duration.ofSeconds(10)).until(() -> MailClient.inbox(host, imapPort, address, password), l -> !l.isEmpty());
        assertThat(inbox.getFirst().subject()).isEqualTo("Re: Partnership opportunity");
        assertThat(inbox.getFirst().inReplyTo()).isEqualTo(received.getFirst().messageId());

        // a wrong password is refused on both protocols
        assertThat(MailClient.canLogIn(host, imapPort, address, "wrong-password")).isFalse();
        var smtpRefused = new ArrayList<Exception>();
        try {
            MailClient.send(host, smtpPort, address, "wrong-password", address, prospect, "x", "x", null);
        } catch (jakarta.mail.AuthenticationFailedException e) {
            smtpRefused.add(e);
        }
        assertThat(smtpRefused).hasSize(1);
    }

    @Test
    void aGeneratedPasswordIsShownOnceAndWorks() {
        var m = createLocal("gen", null);
        String generated = m.get("password").asString();
        assertThat(generated).hasSize(20);
        assertThat(MailClient.canLogIn(m.get("imap").get("host").asString(), m.get("imap").get("port").asInt(), "gen@" + domain, generated)).isTrue();
        var listed = api.get("/mailboxes");
        assertThat(listed.body()).contains("gen@" + domain).doesNotContain(generated).doesNotContain("\"password\"");
    }

    @Test
    void localMailboxesNeedAnActiveDomainOfTheWorkspace() {
        var r = api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"amy@not-ours-" + System.nanoTime() + ".com\",\"firstName\":\"Amy\"}]}");
        assertThat(r.status()).isEqualTo(422);
        var d = r.json().get("detail").get(0);
        assertThat(d.get("type").asString()).isEqualTo("DOMAIN_NOT_IN_WORKSPACE");
        assertThat(d.get("loc").toString()).isEqualTo("[\"body\",\"mailboxes\",0,\"address\"]");
        // another workspace's domain is not ours either
        var other = newTenant();
        var r2 = api(other).post("/mailboxes", "{\"mailboxes\":[{\"address\":\"amy@" + domain + "\",\"firstName\":\"Amy\"}]}");
        assertThat(r2.status()).isEqualTo(422);
    }

    @Test
    void bulkCreationReportsEachItemAndValidatesShapeFirst() {
        var mixed = api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"a1@" + domain + "\",\"firstName\":\"A\"},"
                + "{\"address\":\"a2@elsewhere-" + System.nanoTime() + ".com\",\"firstName\":\"B\"}]}");
        assertThat(mixed.status()).isEqualTo(201);
        assertThat(mixed.json().get("created").size()).isEqualTo(1);
        assertThat(mixed.json().get("errors").get(0).get("index").asInt()).isEqualTo(1);
        assertThat(mixed.json().get("errors").get(0).get("code").asString()).isEqualTo("DOMAIN_NOT_IN_WORKSPACE");

        var again = api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"A1@" + domain.toUpperCase() + "\",\"firstName\":\"A\"}]}");
        assertThat(again.status()).isEqualTo(422);
        assertThat(again.json().get("detail").get(0).get("type").asString()).isEqualTo("MAILBOX_EXISTS");

        var bad = api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"b1@" + domain + "\",\"firstName\":\"A\"},"
                + "{\"address\":\"not-an-address\",\"firstName\":\"B\"},{\"address\":\"b1@" + domain + "\"},"
                + "{\"address\":\"b3@" + domain + "\",\"firstName\":\"C\",\"provider\":\"exchange\",\"dailyLimit\":0}]}");
        assertThat(bad.status()).isEqualTo(422);
        var locs = new ArrayList<String>();
        bad.json().get("detail").forEach(d -> locs.add(d.get("loc").toString()));
        assertThat(locs).contains("[\"body\",\"mailboxes\",1,\"address\"]", "[\"body\",\"mailboxes\",2,\"address\"]",
                "[\"body\",\"mailboxes\",2,\"firstName\"]", "[\"body\",\"mailboxes\",3,\"provider\"]",
                "[\"body\",\"mailboxes\",3,\"dailyLimit\"]");
        assertThat(api.get("/mailboxes").body()).doesNotContain("b1@"); // nothing of the refused request was created

        var many = new StringBuilder("{\"mailboxes\":[");
        for (int i = 0; i < 101; i++) many.append(i == 0 ? "" : ",").append("{\"address\":\"m").append(i).append("@").append(domain).append("\",\"firstName\":\"M\"}");
        var tooMany = api.post("/mailboxes", many.append("]}").toString());
        assertThat(tooMany.status()).isEqualTo(422);
    }

    @Test
    void theWorkspaceQuotaCapsCreation() {
        var body = new StringBuilder("{\"mailboxes\":[");
        for (int i = 0; i < 11; i++) body.append(i == 0 ? "" : ",").append("{\"address\":\"q").append(i).append("@").append(domain).append("\",\"firstName\":\"Q\"}");
        var r = api.post("/mailboxes", body.append("]}").toString());
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("detail").get(0).get("type").asString()).isEqualTo("MAILBOX_QUOTA_EXCEEDED");
        assertThat(api.get("/mailboxes").json().size()).isZero();
        assertThat(api.get("/workspaces/" + tenant.workspaceId()).json().get("counts").get("mailboxes").asLong()).isZero();
    }

    @Test
    void updateChangesNamesSignatureLimitAndForwardsMail() throws Exception {
        createLocal("fw", secret("Forward-Pass-" + System.nanoTime()));
        var r = api.post("/mailboxes/update", "{\"mailboxes\":[\"fw@" + domain + "\"],\"firstName\":\"Fiona\",\"signature\":\"-- Fiona\","
                + "\"dailyLimit\":45,\"forwardTo\":\"boss@hq.example\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        var m = r.json().get(0);
        assertThat(m.get("firstName").asString()).isEqualTo("Fiona");
        assertThat(m.get("lastName").asString()).isEqualTo("Doe");
        assertThat(m.get("dailyLimit").asInt()).isEqualTo(45);
        assertThat(m.get("forwardTo").asString()).isEqualTo("boss@hq.example");

        MailClient.send(mailServer.host(), mailServer.smtpPort(), null, null, "lead@x.example", "fw@" + domain, "Hello", "hi", null);
        var forwarded = await().atMost(Duration.ofSeconds(10))
                .until(() -> MailClient.inbox(mailServer.host(), mailServer.imapPort(), "boss@hq.example", "boss@hq.example"),
                        l -> l.stream().anyMatch(x -> x.subject().equals("Hello")));
        assertThat(forwarded).isNotEmpty();

        assertThat(api.post("/mailboxes/update", "{\"mailboxes\":[\"nobody@" + domain + "\"],\"firstName\":\"X\"}").status()).isEqualTo(404);
        assertThat(api.post("/mailboxes/update", "{\"mailboxes\":[\"fw@" + domain + "\"],\"dailyLimit\":5000}").status()).isEqualTo(422);
        assertThat(api.post("/mailboxes/update", "{\"mailboxes\":[\"fw@" + domain + "\"],\"forwardTo\":\"nope\"}").status()).isEqualTo(422);
    }

    @Test
    void deleteRemovesTheMailboxAndItsAccount() {
        String pw = secret("Delete-Pass-" + System.nanoTime());
        var m = createLocal("del", pw);
        String host = m.get("imap").get("host").asString();
        int imap = m.get("imap").get("port").asInt();
        assertThat(MailClient.canLogIn(host, imap, "del@" + domain, pw)).isTrue();
        var r = api.send("DELETE", "/mailboxes", "{\"mailboxes\":[\"del@" + domain + "\"]}", "application/json");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("deleted").get(0).asString()).isEqualTo("del@" + domain);
        assertThat(api.get("/mailboxes").body()).doesNotContain("del@" + domain);
        assertThat(MailClient.canLogIn(host, imap, "del@" + domain, pw)).isFalse();
        assertThat(api.send("DELETE", "/mailboxes", "{\"mailboxes\":[\"del@" + domain + "\"]}", "application/json").status()).isEqualTo(404);
        // the address can be created again
        createLocal("del", pw);
    }

    @Test
    void anSmtpMailboxIsVerifiedByARealLoginBeforeItIsSaved() {
        String body = """
                {"mailboxes":[{"address":"sales@elsewhere.example","firstName":"Sam","provider":"smtp","password":"%s",
                  "smtp":{"host":"127.0.0.1","port":%d,"security":"none"},
                  "imap":{"host":"127.0.0.1","port":%d,"security":"none"}}]}""";
        String wrong = secret("Wrong-Pass-" + System.nanoTime());
        var refused = api.post("/mailboxes", body.formatted(wrong, foreign.getSmtp().getPort(), foreign.getImap().getPort()));
        assertThat(refused.status()).isEqualTo(422);
        var d = refused.json().get("detail").get(0);
        assertThat(d.get("type").asString()).isEqualTo("SMTP_AUTH_FAILED");
        assertThat(d.get("msg").asString()).containsIgnoringCase("smtp").containsIgnoringCase("imap");
        assertThat(refused.body()).doesNotContain(wrong);
        assertThat(api.get("/mailboxes").json().size()).isZero();

        var ok = api.post("/mailboxes", body.formatted("Foreign-Pass-1", foreign.getSmtp().getPort(), foreign.getImap().getPort()));
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        var m = ok.json().get("created").get(0);
        assertThat(m.get("provider").asString()).isEqualTo("smtp");
        assertThat(m.get("smtp").get("username").asString()).isEqualTo("sales@elsewhere.example");
        assertThat(m.has("password")).isFalse();
        assertThat(ok.body()).doesNotContain("Foreign-Pass-1");

        var closed = api.post("/mailboxes", """
                {"mailboxes":[{"address":"x@elsewhere.example","firstName":"X","provider":"smtp","password":"whatever-1",
                  "smtp":{"host":"127.0.0.1","port":1,"security":"none"},"imap":{"host":"127.0.0.1","port":1,"security":"none"}}]}""");
        assertThat(closed.status()).isEqualTo(422);
        assertThat(closed.json().get("detail").get(0).get("type").asString()).isEqualTo("SMTP_CONNECTION_REFUSED");

        var shape = api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"y@elsewhere.example\",\"firstName\":\"Y\",\"provider\":\"smtp\","
                + "\"smtp\":{\"host\":\"h\",\"port\":70000,\"security\":\"tls\"}}]}");
        assertThat(shape.status()).isEqualTo(422);
        var locs = new ArrayList<String>();
        shape.json().get("detail").forEach(x -> locs.add(x.get("loc").toString()));
        assertThat(locs).contains("[\"body\",\"mailboxes\",0,\"smtp\",\"port\"]", "[\"body\",\"mailboxes\",0,\"smtp\",\"security\"]",
                "[\"body\",\"mailboxes\",0,\"imap\"]");
    }

    @Test
    void theHealthCheckMovesABrokenMailboxToErrorAndBack() {
        String pw = secret("Health-Pass-" + System.nanoTime());
        createLocal("health", pw);
        // the account disappears from the server behind our back (as when a provider disables it)
        mailServer.deleteAccount("health@" + domain);
        var row = service.list(tenant.workspaceId()).getFirst();
        service.check(row);
        var m = api.get("/mailboxes").json().get(0);
        assertThat(m.get("status").asString()).isEqualTo("error");
        assertThat(m.get("lastError").asString()).containsIgnoringCase("login").doesNotContain(pw);
        mailServer.ensureAccount("health@" + domain, pw);
        service.check(service.list(tenant.workspaceId()).getFirst());
        assertThat(api.get("/mailboxes").json().get(0).get("status").asString()).isEqualTo("active");
    }

    @Autowired
    MailboxService service;
}
