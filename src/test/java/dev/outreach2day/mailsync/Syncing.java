package dev.outreach2day.mailsync;

import org.springframework.context.ApplicationContext;

/** For tests of other capabilities: reads every mailbox into the Unibox now (the sync runner is off in tests). */
public final class Syncing {

    private Syncing() {}

    public static int runOnce(ApplicationContext context) {
        return context.getBean(MailSync.class).runOnce(true);
    }
}
