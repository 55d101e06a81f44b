package dev.outreach2day.mailbox;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** An ordinary mail client for tests: real SMTP and IMAP sessions, as Thunderbird would open. */
final class MailClient {

    private MailClient() {}

    record Received(String from, String subject, String body, String messageId, String inReplyTo) {}

    static void send(String host, int port, String user, String password, String from, String to, String subject,
            String body, String inReplyTo) throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.host", host);
        p.put("mail.smtp.port", Integer.toString(port));
        p.put("mail.smtp.auth", Boolean.toString(user != null));
        p.put("mail.smtp.connectiontimeout", "5000");
        p.put("mail.smtp.timeout", "5000");
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(from));
        m.setRecipients(Message.RecipientType.TO, to);
        m.setSubject(subject);
        m.setText(body, "UTF-8");
        if (inReplyTo != null) {
            m.setHeader("In-Reply-To", inReplyTo);
            m.setHeader("References", inReplyTo);
        }
        m.saveChanges();
        try (Transport t = session.getTransport("smtp")) {
            if (user != null) t.connect(host, port, user, password);
            else t.connect();
            t.sendMessage(m, m.getAllRecipients());
        }
    }

    static List<Received> inbox(String host, int port, String user, String password) throws Exception {
        Properties p = new Properties();
        p.put("mail.imap.connectiontimeout", "5000");
        p.put("mail.imap.timeout", "5000");
        Session session = Session.getInstance(p);
        try (Store store = session.getStore("imap")) {
            store.connect(host, port, user, password);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            var out = new ArrayList<Received>();
            for (Message m : inbox.getMessages()) {
                String[] inReply = m.getHeader("In-Reply-To");
                String[] id = m.getHeader("Message-ID");
                out.add(new Received(((InternetAddress) m.getFrom()[0]).getAddress(), m.getSubject(),
                        m.getContent().toString(), id == null ? null : id[0], inReply == null ? null : inReply[0]));
            }
            inbox.close(false);
            return out;
        }
    }

    static boolean canLogIn(String host, int port, String user, String password) {
        try {
            inbox(host, port, user, password);
            return true;
        } catch (MessagingException e) {
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
