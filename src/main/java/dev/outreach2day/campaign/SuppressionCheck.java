package dev.outreach2day.campaign;

import java.util.Collection;
import java.util.Set;

/**
 * Port filled by the suppression capability: which of these addresses must not be mailed by this
 * campaign (workspace-wide or campaign entries, addresses or whole domains). Checked at launch
 * and, by the sending engine, right before each send. Without an implementation nothing is
 * suppressed.
 */
public interface SuppressionCheck {

    Set<String> suppressed(long workspaceId, String campaignId, Collection<String> emails);
}
