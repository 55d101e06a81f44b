package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.campaign.CampaignSettings.Schedule;
import dev.outreach2day.campaign.CampaignSettings.Window;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Sending windows in real time zones, including the days the clocks change. */
class SendWindowTest {

    static Schedule weekdays(String zone, String start, String end) {
        return new Schedule(zone, List.of(new Window(List.of("mon", "tue", "wed", "thu", "fri"), start, end)), null, null, false,
                0, 0, null, null);
    }

    @ParameterizedTest(name = "{0} at {1} → {2}")
    @CsvSource({
            // zone, now (UTC), expected: OPEN or the next opening (UTC)
            "America/New_York, 2027-03-05T14:00:00Z, OPEN",                  // Fri 09:00 EST
            "America/New_York, 2027-03-05T13:59:00Z, 2027-03-05T14:00:00Z",   // just before
            "America/New_York, 2027-03-05T22:00:00Z, 2027-03-08T14:00:00Z",   // Fri 17:00 EST → Mon 09:00 EST
            "America/New_York, 2027-03-12T22:00:00Z, 2027-03-15T13:00:00Z",   // Fri 17:00 EST → Mon 09:00 EDT (DST began Sun 14 Mar)
            "America/New_York, 2027-03-13T15:00:00Z, 2027-03-15T13:00:00Z",   // Saturday
            "Europe/Berlin, 2027-03-26T07:59:00Z, 2027-03-26T08:00:00Z",      // Fri 08:59 CET
            "Europe/Berlin, 2027-03-26T16:30:00Z, 2027-03-29T07:00:00Z",      // Fri after 17:00 → Mon 09:00 CEST (DST 28 Mar)
            "Europe/Berlin, 2027-03-29T07:00:00Z, OPEN",                      // Mon 09:00 CEST
            "Asia/Tokyo, 2027-03-05T00:00:00Z, OPEN",                         // Fri 09:00 JST
            "Asia/Tokyo, 2027-03-05T08:00:00Z, 2027-03-08T00:00:00Z",         // Fri 17:00 JST → Mon
            "America/New_York, 2026-11-02T13:59:00Z, 2026-11-02T14:00:00Z",   // Mon after DST ended (Sun 1 Nov): 09:00 EST = 14:00Z
            "Australia/Sydney, 2027-04-02T21:59:00Z, 2027-04-04T23:00:00Z"    // Sat 08:59 AEDT → Mon 09:00 AEST (DST ended Sun 4 Apr)
    })
    void windowsFollowTheZoneAcrossDstChanges(String zone, String now, String expected) {
        var verdict = SendWindow.at(weekdays(zone, "09:00", "17:00"), ZoneId.of(zone), Instant.parse(now));
        if (expected.equals("OPEN")) {
            assertThat(verdict).isInstanceOf(SendWindow.Open.class);
        } else {
            assertThat(verdict).isEqualTo(new SendWindow.Later(Instant.parse(expected)));
        }
    }

    @Test
    void aWindowStartingInTheSkippedHourOpensWhenTheClockJumps() {
        // New York, Sun 14 Mar 2027: 02:30 does not exist that day; the window start moves to 03:30 EDT (07:30Z)
        var s = new Schedule("America/New_York", List.of(new Window(List.of("sun"), "02:30", "04:00")), null, null, false, 0, 0, null, null);
        var verdict = SendWindow.at(s, ZoneId.of("America/New_York"), Instant.parse("2027-03-14T05:00:00Z"));
        Instant opening = ZonedDateTime.of(2027, 3, 14, 2, 30, 0, 0, ZoneId.of("America/New_York")).toInstant();
        assertThat(opening).isEqualTo(Instant.parse("2027-03-14T07:30:00Z"));
        assertThat(verdict).isEqualTo(new SendWindow.Later(opening));
        assertThat(SendWindow.at(s, ZoneId.of("America/New_York"), Instant.parse("2027-03-14T07:45:00Z"))).isInstanceOf(SendWindow.Open.class);
    }

    @Test
    void startAndEndDatesBoundTheWindows() {
        var s = new Schedule("UTC", List.of(new Window(List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "09:00", "17:00")),
                "2027-01-10", "2027-01-12", false, 0, 0, null, null);
        assertThat(SendWindow.at(s, ZoneId.of("UTC"), Instant.parse("2027-01-01T10:00:00Z")))
                .isEqualTo(new SendWindow.Later(Instant.parse("2027-01-10T09:00:00Z")));
        assertThat(SendWindow.at(s, ZoneId.of("UTC"), Instant.parse("2027-01-12T10:00:00Z"))).isInstanceOf(SendWindow.Open.class);
        assertThat(SendWindow.at(s, ZoneId.of("UTC"), Instant.parse("2027-01-12T18:00:00Z"))).isInstanceOf(SendWindow.Never.class);
    }
}
