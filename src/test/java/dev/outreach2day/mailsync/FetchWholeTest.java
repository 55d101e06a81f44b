package dev.outreach2day.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.IntegrationTest;
import dev.outreach2day.mailserver.MailServer;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * {@link MailSync#fetchWhole}: one FETCH of UID, flags and the whole message per batch, over real
 * IMAP (the built-in server). Each message comes back with its UID, its deleted mark and its bytes
 * as stored, and what else the server says in between (new mail) still reaches the folder.
 */
class FetchWholeTest extends IntegrationTest {

    @Autowired MailServer mailServer;

    @Test
    void aBatchComesBackWithUidsDeletedMarksAndTheMessagesBytes() throws Exception {
        String address = "fetch." + Long.toString(System.nanoTime(), 36) + "@fetch.example";
        mailServer.ensureAccount(address, address);
        for (int i = 1; i <= 5; i++) deliver(address, "Message " + i, "Body of message " + i + ", é and ü.");

        Session session = Session.getInstance(new Properties());
        try (Store store = session.getStore("imap")) {
            store.connect(mailServer.host(), mailServer.imapPort(), address, address);
            Folder marking = store.getFolder("INBOX");
            marking.open(Folder.READ_WRITE);
            marking.getMessage(2).setFlag(Flags.Flag.DELETED, true); // marked, not expunged
            marking.close(false);

            IMAPFolder folder = (IMAPFolder) store.getFolder("INBOX");
            folder.open(Folder.READ_ONLY);
            Message[] all = folder.getMessages();
            long[] uids = new long[all.length];
            for (int i = 0; i < all.length; i++) uids[i] = ((UIDFolder) folder).getUID(all[i]);

            var first = MailSync.fetchWhole(folder, List.of(all).subList(0, 3));
            var second = MailSync.fetchWhole(folder, List.of(all).subList(3, 5));
            assertThat(first).extracting(MailSync.Fetched::uid).containsExactly(uids[0], uids[1], uids[2]);
            assertThat(second).extracting(MailSync.Fetched::uid).containsExactly(uids[3], uids[4]);
            assertThat(first).extracting(MailSync.Fetched::deleted).containsExactly(false, true, false);
            assertThat(second).extracting(MailSync.Fetched::deleted).containsExactly(false, false);
            for (int i = 0; i < 5; i++) {
                var f = (i < 3 ? first.get(i) : second.get(i - 3)).bytes();
                var read = MailSync.read(session, f.getBytes(), f.getStart(), f.getCount());
                assertThat(read.subject()).isEqualTo("Message " + (i + 1));
                assertThat(read.text()).contains("Body of message " + (i + 1) + ", é and ü.");
                // the same bytes the server holds: what Jakarta Mail reads of the message, byte for byte
                var whole = new java.io.ByteArrayOutputStream();
                all[i].writeTo(whole);
                assertThat(Arrays.copyOfRange(f.getBytes(), f.getStart(), f.getStart() + f.getCount())).isEqualTo(whole.toByteArray());
            }

            // mail that arrives meanwhile is announced in the FETCH's answer: the folder still learns of it
            deliver(address, "Message 6", "Late");
            MailSync.fetchWhole(folder, List.of(all).subList(4, 5));
            assertThat(folder.getMessageCount()).isEqualTo(6);
            folder.close(false);
        }
    }

    private void deliver(String to, String subject, String text) throws Exception {
        Session s = Session.getInstance(new Properties());
        var m = new MimeMessage(s);
        m.setFrom(new InternetAddress("lead@prospect.example"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        m.setSubject(subject);
        m.setText(text, "UTF-8");
        try (Transport t = s.getTransport("smtp")) {
            t.connect(mailServer.host(), mailServer.smtpPort(), null, null);
            m.saveChanges();
            t.sendMessage(m, m.getAllRecipients());
        }
    }
}
