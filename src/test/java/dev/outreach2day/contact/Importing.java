package dev.outreach2day.contact;

import org.springframework.context.ApplicationContext;

/** For tests of other capabilities: runs the import runner until no import job is left (the runner is off in tests). */
public final class Importing {

    private Importing() {}

    public static void runAll(ApplicationContext context) {
        ImportRunner runner = context.getBean(ImportRunner.class);
        for (int i = 0; i < 100 && runner.runNext(); i++) {
            // next job
        }
    }
}
