package dev.outreach2day.mailsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.mailserver.MailServer;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** With IMAP IDLE the inbox learns of new mail as it arrives, without waiting for the next poll. */
class IdleTest extends IntegrationTest {

    @Autowired MailIdle idle;
    @Autowired Mailboxes mailboxes;
    @Autowired MailServer mailServer;

    @Test
    void newMailIsSyncedAsSoonAsTheServerAnnouncesIt() throws Exception {
        var tenant = newTenant();
        Api api = api(tenant);
        String domain = dev.outreach2day.SendingDomains.buy(api, anonymous(), tenant.workspaceId(), "idl");
        String address = "ann@" + domain;
        assertThat(api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"" + address + "\",\"firstName\":\"Ann\"}]}").status()).isEqualTo(201);
        var target = mailboxes.syncTargets().stream().filter(t -> t.address().equals(address)).findFirst().orElseThrow();

        assertThat(idle.watch(target)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> idle.watching() >= 1);
        Thread.sleep(500); // the IDLE command is issued

        var props = new Properties();
        props.put("mail.smtp.host", mailServer.host());
        props.put("mail.smtp.port", Integer.toString(mailServer.smtpPort()));
        var m = new MimeMessage(Session.getInstance(props));
        m.setFrom(new InternetAddress("lead@idle.example"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(address));
        m.setSubject("Are you there?");
        m.setText("Hello Ann, quick question about your pricing.");
        m.saveChanges();
        Transport.send(m);

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.get("/threads?mode=full").json().get("threads").size() == 1);
        var t = api.get("/threads").json().get("threads").get(0);
        assertThat(t.get("subject").asString()).isEqualTo("Are you there?");
        assertThat(api.get("/threads/debug").json().get("mailboxes").get(0).get("status").asString()).isEqualTo("ok");
    }
}
