package dev.outreach2day.delivery;

import org.springframework.context.ApplicationContext;

/** For tests of other capabilities: runs the sending engine until nothing due is left (the runners are off in tests). */
public final class Sending {

    private Sending() {}

    public static int drain(ApplicationContext context) {
        SendEngine engine = context.getBean(SendEngine.class);
        int total = 0;
        for (int i = 0, n; i < 50 && (n = engine.runOnce()) > 0; i++) total += n;
        return total;
    }
}
