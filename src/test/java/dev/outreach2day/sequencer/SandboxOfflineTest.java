package dev.outreach2day.sequencer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Sandbox mode promises that nothing leaves the machine: with a vendor's real host it never calls
 * the vendor (and says why, as a temporary provider error); a URL set on purpose is called.
 */
class SandboxOfflineTest {

    @Test
    void theVendorsRealHostsAreNotCalledInSandboxMode() {
        String reason = VendorHttp.offlineReason(true, SequencerProperties.INSTANTLY_URL + "/", SequencerProperties.INSTANTLY_URL,
                "Instantly", "O2D_INSTANTLY_API_URL");
        assertThat(reason).contains("sandbox mode does not contact Instantly", "O2D_INSTANTLY_API_URL");
        // a port nobody listens on: the answer comes from the guard, not from a failed connection
        var http = new VendorHttp("http://127.0.0.1:9", Duration.ofSeconds(1), Clock.systemUTC(), reason);
        assertThatThrownBy(() -> http.send("GET", "/api/v2/workspaces/current", java.util.Map.of(), java.util.Map.of(), null))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.TRANSIENT);
                    assertThat(e.getMessage()).isEqualTo(reason);
                });
    }

    @Test
    void aUrlSetOnPurposeAndProductionModeCallTheVendor() {
        assertThat(VendorHttp.offlineReason(true, "http://127.0.0.1:8089", SequencerProperties.SMARTLEAD_URL, "Smartlead",
                "O2D_SMARTLEAD_API_URL")).isNull();
        assertThat(VendorHttp.offlineReason(false, SequencerProperties.SMARTLEAD_URL, SequencerProperties.SMARTLEAD_URL, "Smartlead",
                "O2D_SMARTLEAD_API_URL")).isNull();
    }
}
