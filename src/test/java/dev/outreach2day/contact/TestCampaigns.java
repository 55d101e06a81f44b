package dev.outreach2day.contact;

import dev.outreach2day.platform.Ids;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Test-only campaign directory: campaigns exist because a test registered them. It stays
 * harmless beside the real campaign module's directory (that one answers for real campaigns).
 */
@Component
public class TestCampaigns implements CampaignDirectory {

    private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();

    public static void register(long workspaceId, String campaignId) {
        KNOWN.add(workspaceId + "/" + campaignId);
    }

    /** A fresh campaign id registered for the workspace. */
    public static String create(long workspaceId) {
        String id = Ids.next("cmp");
        register(workspaceId, id);
        return id;
    }

    @Override
    public boolean exists(long workspaceId, String campaignId) {
        return KNOWN.contains(workspaceId + "/" + campaignId);
    }
}
