package dev.outreach2day;

import dev.outreach2day.mailserver.MailServer;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** For tests: what a recipient on the built-in mail server finds in its INBOX, read over IMAP as a mail client would. */
public final class Inboxes {

    private Inboxes() {}

    /** The INBOX of {@code address} (login and password = the address, as for any recipient the server creates), copied out. */
    public static List<MimeMessage> read(MailServer server, String address) throws Exception {
        var p = new Properties();
        var store = Session.getInstance(p).getStore("imap");
        store.connect(server.host(), server.imapPort(), address, address);
        try (store) {
            Folder f = store.getFolder("INBOX");
            f.open(Folder.READ_ONLY);
            var out = new ArrayList<MimeMessage>();
            for (Message m : f.getMessages()) {
                var bytes = new ByteArrayOutputStream();
                m.writeTo(bytes);
                out.add(new MimeMessage(Session.getInstance(p), new ByteArrayInputStream(bytes.toByteArray())));
            }
            f.close(false);
            return out;
        }
    }
}
