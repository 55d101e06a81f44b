package dev.outreach2day.mailserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.Inboxes;
import dev.outreach2day.IntegrationTest;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The built-in mail server delivers into the right INBOX however its accounts come and go: a
 * recipient's account is made on first mail, later mail lands next to it, a deleted and re-made
 * account starts empty, and forwarding copies mail on.
 */
class MailServerTest extends IntegrationTest {

    @Autowired
    MailServer mailServer;

    private void send(String to, String subject) throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.host", mailServer.host());
        p.put("mail.smtp.port", Integer.toString(mailServer.smtpPort()));
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom("sender@mailserver.test");
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        m.setSubject(subject);
        m.setText("hello");
        try (Transport t = session.getTransport("smtp")) {
            t.connect();
            t.sendMessage(m, new Address[] {new InternetAddress(to)});
        }
    }

    private List<String> subjects(String address) throws Exception {
        return Inboxes.read(mailServer, address).stream().map(m -> {
            try {
                return m.getSubject();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void mailLandsInTheRecipientsInboxAcrossAccountsComingAndGoing() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String ada = "ada-" + id + "@prospect.test";
        String bob = "bob-" + id + "@prospect.test";

        send(ada, "first");
        send(bob, "for bob");
        send(ada.toUpperCase(), "second"); // addresses are case-insensitive
        assertThat(subjects(ada)).containsExactly("first", "second");
        assertThat(subjects(bob)).containsExactly("for bob");

        mailServer.deleteAccount(ada);
        send(ada, "after deletion");
        assertThat(subjects(ada)).containsExactly("after deletion");
        assertThat(subjects(bob)).containsExactly("for bob");

        mailServer.setForward(ada, bob);
        send(ada, "forwarded");
        assertThat(subjects(ada)).containsExactly("after deletion", "forwarded");
        assertThat(subjects(bob)).containsExactly("for bob", "forwarded");
    }
}
