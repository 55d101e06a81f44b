package dev.outreach2day.contact;

import java.util.Collection;
import java.util.Set;

/** Port filled by the suppression capability: which of these addresses may not be imported into the campaign. */
public interface ImportSuppression {

    Set<String> suppressed(long workspaceId, String campaignId, Collection<String> emails);
}
