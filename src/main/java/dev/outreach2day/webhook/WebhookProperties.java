package dev.outreach2day.webhook;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param enabled              deliver webhooks from this process
 * @param allowPrivateTargets  allow URLs on loopback and private networks (local development only)
 * @param lease                how long a process keeps claimed deliveries (and a subscription's lane) without renewing them:
 *                             after a crash, others deliver them again once it has passed
 * @param nodeId               this process's name in those leases (O2D_NODE_ID; default pid@host)
 */
@ConfigurationProperties(prefix = "o2d.webhooks")
record WebhookProperties(boolean enabled, boolean allowPrivateTargets, Duration lease, String nodeId) {

    WebhookProperties {
        if (lease == null) lease = Duration.ofMinutes(2);
    }

    /** Each attempt's time limit: at most 10 s, and short enough that an attempt always ends well inside the lease. */
    Duration attemptTimeout() {
        Duration third = lease.dividedBy(3);
        return third.compareTo(Duration.ofSeconds(10)) < 0 ? third : Duration.ofSeconds(10);
    }
}
