package dev.outreach2day.sequencer;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the sequencer capability; each is an {@code O2D_…} variable in application.yml.
 *
 * <p>The two API base URLs are operator settings (never user input), so they are not checked
 * against private addresses the way webhook URLs are: tests and self-hosted proxies point them
 * at loopback on purpose.
 *
 * @param exportsEnabled  run the export runner in this process
 * @param interval        how often the runner looks for due export items
 * @param instantlyApiUrl Instantly API base (API v2 paths are appended)
 * @param smartleadApiUrl Smartlead API base (API v1 paths are appended)
 * @param requestTimeout  timeout of one call to a provider
 * @param maxAttempts     attempts per mailbox before a transiently failing export item is failed
 * @param lease           how long a runner holds a claimed item before another process may take it
 * @param nodeId          this process's name in those leases (O2D_NODE_ID; default pid@host)
 */
@Validated
@ConfigurationProperties(prefix = "o2d.sequencers")
record SequencerProperties(boolean exportsEnabled, @NotNull Duration interval, @NotNull String instantlyApiUrl,
        @NotNull String smartleadApiUrl, @NotNull Duration requestTimeout, @Min(1) @Max(50) int maxAttempts, @NotNull Duration lease,
        String nodeId) {

    /** The vendors' public API hosts, the defaults of O2D_INSTANTLY_API_URL and O2D_SMARTLEAD_API_URL. */
    static final String INSTANTLY_URL = "https://api.instantly.ai";
    static final String SMARTLEAD_URL = "https://server.smartlead.ai";

    SequencerProperties {
        if (interval == null) interval = Duration.ofSeconds(5);
        if (instantlyApiUrl == null || instantlyApiUrl.isBlank()) instantlyApiUrl = INSTANTLY_URL;
        if (smartleadApiUrl == null || smartleadApiUrl.isBlank()) smartleadApiUrl = SMARTLEAD_URL;
        if (requestTimeout == null) requestTimeout = Duration.ofSeconds(30);
        if (maxAttempts == 0) maxAttempts = 6;
        if (lease == null) lease = Duration.ofMinutes(5);
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("o2d.sequencers.interval must be positive");
        // an item makes up to three calls (existence, create, warmup) and must end well inside its lease
        if (requestTimeout.isNegative() || requestTimeout.isZero() || requestTimeout.multipliedBy(3).compareTo(lease) >= 0) {
            throw new IllegalArgumentException("o2d.sequencers.request-timeout must be positive and less than a third of the lease ("
                    + lease + ")");
        }
        for (String url : new String[] {instantlyApiUrl, smartleadApiUrl}) {
            URI u;
            try {
                u = URI.create(url.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sequencer API URL is not a URL: " + url);
            }
            if (u.getScheme() == null || !(u.getScheme().equals("https") || u.getScheme().equals("http")) || u.getHost() == null) {
                throw new IllegalArgumentException("sequencer API URL must be an http(s) URL with a host: " + url);
            }
        }
        instantlyApiUrl = strip(instantlyApiUrl);
        smartleadApiUrl = strip(smartleadApiUrl);
        if (nodeId == null || nodeId.isBlank()) nodeId = java.lang.management.ManagementFactory.getRuntimeMXBean().getName();
    }

    private static String strip(String url) {
        String s = url.strip();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return s;
    }
}
