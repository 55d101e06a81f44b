package dev.outreach2day.contact;

/**
 * Implemented by the campaign capability: does the workspace have this (not deleted) campaign?
 * Contact routes answer 404 for a campaign no directory knows. Several implementations may
 * exist; a campaign exists when any of them says so.
 */
public interface CampaignDirectory {

    boolean exists(long workspaceId, String campaignId);
}
