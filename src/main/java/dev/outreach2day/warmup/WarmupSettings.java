package dev.outreach2day.warmup;

/**
 * How a mailbox warms up; every field may be left out of a request (the default is used).
 *
 * @param startPerDay    warmup emails on day 1
 * @param targetPerDay   warmup emails a day once the ramp is done
 * @param rampDays       days from start to target (the ramp's last day is the first day at target)
 * @param replyRate      share of received warmup emails the recipient answers (0–1)
 * @param importantRate  share of received warmup emails the recipient flags as important (0–1)
 * @param readyInboxRate the inbox rate over the window at or above which a mailbox is ready once the ramp is done (0–1)
 * @param windowDays     the rolling window of the inbox and spam rates, in days
 */
record WarmupSettings(Integer startPerDay, Integer targetPerDay, Integer rampDays, Double replyRate, Double importantRate,
        Double readyInboxRate, Integer windowDays) {

    static final WarmupSettings DEFAULTS = new WarmupSettings(2, 20, 14, 0.3, 0.1, 0.9, 7);

    /** These settings with the defaults filled in. */
    WarmupSettings withDefaults() {
        return new WarmupSettings(startPerDay != null ? startPerDay : DEFAULTS.startPerDay,
                targetPerDay != null ? targetPerDay : DEFAULTS.targetPerDay, rampDays != null ? rampDays : DEFAULTS.rampDays,
                replyRate != null ? replyRate : DEFAULTS.replyRate, importantRate != null ? importantRate : DEFAULTS.importantRate,
                readyInboxRate != null ? readyInboxRate : DEFAULTS.readyInboxRate, windowDays != null ? windowDays : DEFAULTS.windowDays);
    }

    /** The first problem with complete settings as {field, message}, or null when they are fine. */
    String[] problem() {
        if (startPerDay < 1 || startPerDay > 100) return new String[] {"startPerDay", "startPerDay must be between 1 and 100"};
        if (targetPerDay < 1 || targetPerDay > 200) return new String[] {"targetPerDay", "targetPerDay must be between 1 and 200"};
        if (targetPerDay < startPerDay) return new String[] {"targetPerDay", "targetPerDay must be at least startPerDay"};
        if (rampDays < 1 || rampDays > 90) return new String[] {"rampDays", "rampDays must be between 1 and 90"};
        if (replyRate < 0 || replyRate > 1) return new String[] {"replyRate", "replyRate must be between 0 and 1"};
        if (importantRate < 0 || importantRate > 1) return new String[] {"importantRate", "importantRate must be between 0 and 1"};
        if (readyInboxRate < 0 || readyInboxRate > 1) return new String[] {"readyInboxRate", "readyInboxRate must be between 0 and 1"};
        if (windowDays < 1 || windowDays > 60) return new String[] {"windowDays", "windowDays must be between 1 and 60"};
        return null;
    }

    /** The ramp's number for a day (1 = the day warmup was enabled): linear from start to target over rampDays days. */
    int targetOn(int rampDay) {
        if (rampDays <= 1 || rampDay >= rampDays) return targetPerDay;
        if (rampDay <= 1) return startPerDay;
        return (int) Math.round(startPerDay + (targetPerDay - startPerDay) * (rampDay - 1) / (double) (rampDays - 1));
    }
}
