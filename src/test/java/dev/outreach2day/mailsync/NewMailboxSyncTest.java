package dev.outreach2day.mailsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outreach2day.Api;
import dev.outreach2day.IntegrationTest;
import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.mailbox.MailboxesAdded;
import dev.outreach2day.mailserver.MailServer;
import dev.outreach2day.unibox.Unibox;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A mailbox just added is read at once, not at the sync's next tick. The sync runner is off in
 * tests, so this one is made here with the context's parts and no schedule: only the
 * {@link MailboxesAdded} event can start it.
 */
class NewMailboxSyncTest extends IntegrationTest {

    @Autowired Mailboxes mailboxes;
    @Autowired Unibox unibox;
    @Autowired SyncLeases leases;
    @Autowired MailServer mailServer;
    @Autowired Clock clock;

    @Test
    void aMailboxIsReadAsSoonAsItIsAdded() throws Exception {
        var tenant = newTenant();
        Api api = api(tenant);
        String domain = dev.outreach2day.SendingDomains.buy(api, anonymous(), tenant.workspaceId(), "nms");
        String address = "ann@" + domain;
        var created = api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"" + address + "\",\"firstName\":\"Ann\"}]}");
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("created").get(0).get("id").asString();

        var p = new Properties();
        Session s = Session.getInstance(p);
        var m = new MimeMessage(s);
        m.setFrom(new InternetAddress("lead@prospect.example"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(address));
        m.setSubject("Pricing for next year");
        m.setText("Hello Ann, could you send me your pricing?");
        try (Transport t = s.getTransport("smtp")) {
            t.connect(mailServer.host(), mailServer.smtpPort(), null, null);
            m.saveChanges();
            t.sendMessage(m, m.getAllRecipients());
        }

        var sync = new MailSync(mailboxes, unibox, leases, new SyncProperties(true, Duration.ofHours(1), 4, Duration.ofMinutes(5), 100,
                "new-mailbox-test"), clock);
        sync.start();
        try {
            assertThat(api.get("/threads?mode=full").json().get("threads").size()).isZero();
            sync.on(new MailboxesAdded(tenant.workspaceId(), List.of(id)));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> api.get("/threads?mode=full").json().get("threads").size() == 1);
            assertThat(api.get("/threads").json().get("threads").get(0).get("subject").asString()).isEqualTo("Pricing for next year");
        } finally {
            sync.stop();
        }
    }
}
