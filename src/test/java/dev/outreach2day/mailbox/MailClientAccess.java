package dev.outreach2day.mailbox;

/** Lets tests outside this package use the test mail client. */
public final class MailClientAccess {

    private MailClientAccess() {}

    public static boolean canLogIn(String host, int port, String user, String password) {
        return MailClient.canLogIn(host, port, user, password);
    }
}
