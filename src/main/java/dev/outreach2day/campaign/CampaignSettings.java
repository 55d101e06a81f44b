package dev.outreach2day.campaign;

import java.util.List;

/** The schedule and stop rules of a campaign, as stored (jsonb) and shown. */
public final class CampaignSettings {

    private CampaignSettings() {}

    public record Window(List<String> days, String start, String end) {}

    public record Schedule(String timezone, List<Window> windows, String startDate, String endDate, boolean useContactTimezone,
            int minGapSeconds, int maxGapSeconds, Integer dailyLimit, Integer maxNewContactsPerDay) {

        static Schedule defaults() {
            return new Schedule("UTC", List.of(new Window(List.of("mon", "tue", "wed", "thu", "fri"), "09:00", "17:00")), null,
                    null, false, 60, 300, null, null);
        }
    }

    /** What ends a contact's sequence; replies, bounces and unsubscribes stop it by default. */
    public record StopRules(boolean stopOnReply, boolean stopOnAutoReply, boolean stopOnBounce, boolean stopOnUnsubscribe,
            boolean stopCompanyOnReply, Double pauseOnBounceRate) {

        static StopRules defaults() {
            return new StopRules(true, false, true, true, false, null);
        }
    }
}
