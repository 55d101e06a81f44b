package dev.outreach2day.delivery;

import dev.outreach2day.campaign.CampaignSettings.Schedule;
import dev.outreach2day.campaign.CampaignSettings.Window;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Optional;

/**
 * When a send may go out under a schedule: inside one of its weekday windows, in the given zone
 * (the campaign's, or the contact's), between start and end dates. Pure; DST is the zone rules'
 * business (a window starting in a skipped hour starts when the clock jumps).
 */
final class SendWindow {

    private SendWindow() {}

    /** Result: now is inside a window, or the next window opens at {@code next}, or never again. */
    sealed interface Verdict permits Open, Later, Never {}

    record Open() implements Verdict {}

    record Later(Instant next) implements Verdict {}

    record Never() implements Verdict {}

    static Verdict at(Schedule s, ZoneId zone, Instant now) {
        LocalDate startDate = s.startDate() == null ? null : LocalDate.parse(s.startDate());
        LocalDate endDate = s.endDate() == null ? null : LocalDate.parse(s.endDate());
        LocalDate today = now.atZone(zone).toLocalDate();
        // look from today, or from the start date when that is later (a campaign starting in a month)
        LocalDate from = startDate != null && startDate.isAfter(today) ? startDate : today;
        Instant best = null;
        for (int d = -1; d <= 8; d++) { // -1: a window of yesterday's date can still be open just after midnight UTC-wise
            LocalDate date = from.plusDays(d);
            if (startDate != null && date.isBefore(startDate)) continue;
            if (endDate != null && date.isAfter(endDate)) break;
            String day = date.getDayOfWeek().name().substring(0, 3).toLowerCase(Locale.ROOT);
            for (Window w : s.windows()) {
                if (!w.days().contains(day)) continue;
                Instant start = ZonedDateTime.of(date, LocalTime.parse(w.start()), zone).toInstant();
                Instant end = ZonedDateTime.of(date, LocalTime.parse(w.end()), zone).toInstant();
                if (!now.isBefore(start) && now.isBefore(end)) return new Open();
                if (now.isBefore(start) && (best == null || start.isBefore(best))) best = start;
            }
        }
        if (best != null) return new Later(best);
        boolean anyDay = s.windows().stream().anyMatch(w -> !w.days().isEmpty());
        // no opening found and the scan covered the end date: the schedule is over
        if (!anyDay || (endDate != null && !endDate.isAfter(from.plusDays(8)))) return new Never();
        // every window is more than 8 days away (start date far ahead): look again later
        return new Later(now.plusSeconds(86_400));
    }

    static Optional<ZoneId> zone(String id) {
        if (id == null || id.isBlank()) return Optional.empty();
        try {
            return Optional.of(ZoneId.of(id));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

}
