package dev.outreach2day.webhook;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param enabled              deliver webhooks from this process
 * @param allowPrivateTargets  allow URLs on loopback and private networks (local development only)
 */
@ConfigurationProperties(prefix = "o2d.webhooks")
record WebhookProperties(boolean enabled, boolean allowPrivateTargets) {}
