package dev.outreach2day.campaign;

import java.time.Instant;

/**
 * A campaign changed status (launched, paused, resumed, completed, stopped, archived), published in
 * the transaction that changed it (for webhooks: campaign_launched, campaign_paused, campaign_completed).
 */
public record CampaignStatusChanged(long workspaceId, String campaignId, String name, String from, String to, Instant at) {}
