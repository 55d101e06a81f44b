package dev.outreach2day.campaign;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param allowLaunchWhileWarming launch even when an attached mailbox is still warming up:
 *                                "auto" (yes in sandbox mode, no in production), "true" or "false"
 */
@ConfigurationProperties(prefix = "o2d.campaigns")
record CampaignProperties(String allowLaunchWhileWarming) {

    boolean allowWhileWarming(boolean sandbox) {
        String v = allowLaunchWhileWarming == null ? "auto" : allowLaunchWhileWarming.trim().toLowerCase(java.util.Locale.ROOT);
        return v.equals("true") || (v.equals("auto") && sandbox);
    }
}
