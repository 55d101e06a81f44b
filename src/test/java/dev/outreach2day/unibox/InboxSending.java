package dev.outreach2day.unibox;

import org.springframework.context.ApplicationContext;

/** For tests of other capabilities: sends what was queued from the inbox (the worker is off in tests). */
public final class InboxSending {

    private InboxSending() {}

    public static int runOnce(ApplicationContext context) {
        return context.getBean(Outbound.class).runOnce();
    }
}
