package dev.outreach2day.webhook;

import dev.outreach2day.campaign.Campaigns;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.Cursors;
import dev.outreach2day.platform.Ids;
import dev.outreach2day.platform.Paging;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import dev.outreach2day.platform.SecretVault;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Campaign webhooks (ENDPOINTS.md "Campaign webhooks"): event types, subscriptions, events and deliveries. */
@Tag(name = "Campaign Webhooks")
@RestController
class WebhookController {

    static final Duration OLD_SECRET_GRACE = Duration.ofHours(24);

    record EventTypeOut(String type, String description, Map<String, Object> example) {}

    /** [doc] */
    record CampaignWebhookEventTypesOut(List<EventTypeOut> eventTypes) {}

    /** [doc] */
    record PublicCreateCampaignWebhookSubscriptionIn(@NotNull String url, @NotNull @Size(min = 1, max = 50) List<@NotNull String> eventTypes,
            @Size(max = 100) List<@NotNull String> campaignIds, @Size(max = 500) String description) {}

    /** [doc] */
    record PublicUpdateCampaignWebhookSubscriptionIn(String url, @Size(min = 1, max = 50) List<@NotNull String> eventTypes,
            @Size(max = 100) List<@NotNull String> campaignIds, @Size(max = 500) String description) {}

    record CampaignWebhookSubscriptionOut(String id, String url, List<String> eventTypes, List<String> campaignIds, String description,
            String status, String disabledReason, Instant failingSince, Instant createdAt, Instant updatedAt) {}

    /** The subscription, with its secret when it was just created or rotated (never shown again). */
    record CampaignWebhookSubscriptionEnvelopeOut(CampaignWebhookSubscriptionOut subscription, String secret) {}

    record CampaignWebhookSubscriptionsOut(List<CampaignWebhookSubscriptionOut> subscriptions) {}

    /** [doc] */
    record CampaignWebhookActionOut(String id, String action, String status, String secret, String eventId) {}

    record CampaignWebhookEventOut(String id, String type, String campaignId, JsonNode payload, Instant createdAt) {}

    /** [doc] */
    record CampaignWebhookEventsPageOut(List<CampaignWebhookEventOut> events, String next_cursor) {}

    /** [doc] */
    record CampaignWebhookEventEnvelopeOut(CampaignWebhookEventOut event) {}

    record CampaignWebhookDeliveryOut(String id, String subscriptionId, String eventId, String eventType, String status, int attempts,
            Instant nextAttemptAt, Integer lastStatus, String lastError, String lastResponse, Instant createdAt, Instant firstAttemptAt,
            Instant deliveredAt) {}

    /** [doc] */
    record CampaignWebhookDeliveriesPageOut(List<CampaignWebhookDeliveryOut> deliveries, String next_cursor) {}

    /** [doc] */
    record CampaignWebhookDeliveryEnvelopeOut(CampaignWebhookDeliveryOut delivery) {}

    /** [doc] */
    record PublicCampaignWebhookRetriggerIn(String subscriptionId, Instant since, String status) {}

    /** [doc] */
    record CampaignWebhookRetriggerOut(int requeued) {}

    /** [doc] */
    record CampaignWebhookDispatchOut(int attempted) {}

    /** [doc] */
    record CampaignWebhookSummaryOut(Map<String, Long> deliveries, List<String> failingSubscriptions, Instant oldestPending) {}

    private final WebhookStore store;
    private final WebhookOutbox outbox;
    private final WebhookDispatcher dispatcher;
    private final SecretVault vault;
    private final Campaigns campaigns;
    private final Cursors cursors;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final ObjectMapper json;
    private final Clock clock;
    private final UrlGuard guard;

    WebhookController(WebhookStore store, WebhookOutbox outbox, WebhookDispatcher dispatcher, SecretVault vault, Campaigns campaigns,
            Cursors cursors, JdbcClient jdbc, TransactionTemplate tx, ObjectMapper json, Clock clock, WebhookProperties props) {
        this.store = store;
        this.outbox = outbox;
        this.dispatcher = dispatcher;
        this.vault = vault;
        this.campaigns = campaigns;
        this.cursors = cursors;
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
        this.clock = clock;
        this.guard = new UrlGuard(props.allowPrivateTargets(), java.net.InetAddress::getAllByName);
    }

    static String secretContext(String subscriptionId) {
        return "webhook:" + subscriptionId;
    }

    @Operation(summary = "Public List Campaign Webhook Event Types", description = "Every event type, what it means, and an example of its data.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/webhooks/event-types")
    CampaignWebhookEventTypesOut eventTypes(Caller caller, @RequestParam(required = false) Long workspaceId) {
        caller.workspace(workspaceId);
        return new CampaignWebhookEventTypesOut(EventTypes.ALL.stream().map(t -> new EventTypeOut(t.name(), t.description(), t.example()))
                .toList());
    }

    @Operation(summary = "Public Create Campaign Webhook Subscription",
            description = "Subscribes a public http(s) URL to event types (optionally only for some campaigns). The answer carries the "
                    + "signing secret (whsec_…): it is shown only now and when rotated.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/webhooks/subscriptions")
    ResponseEntity<CampaignWebhookSubscriptionEnvelopeOut> create(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody PublicCreateCampaignWebhookSubscriptionIn in) {
        long ws = caller.workspace(workspaceId);
        String url = checkUrl(in.url());
        var types = checkTypes(in.eventTypes());
        var campaignIds = checkCampaigns(ws, in.campaignIds());
        String id = Ids.next("whk", clock.millis());
        String secret = WebhookSignature.newSecret();
        store.insert(ws, id, url, types, campaignIds, in.description(), vault.encrypt(secret, secretContext(id)), clock.instant());
        return ResponseEntity.status(HttpStatus.CREATED).body(new CampaignWebhookSubscriptionEnvelopeOut(out(find(ws, id)), secret));
    }

    @Operation(summary = "Public List Campaign Webhook Subscriptions")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/webhooks/subscriptions")
    CampaignWebhookSubscriptionsOut list(Caller caller, @RequestParam(required = false) Long workspaceId) {
        long ws = caller.workspace(workspaceId);
        return new CampaignWebhookSubscriptionsOut(store.list(ws).stream().map(WebhookController::out).toList());
    }

    @Operation(summary = "Public Get Campaign Webhook Subscription")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/webhooks/subscriptions/{subscription_id}")
    CampaignWebhookSubscriptionEnvelopeOut get(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("subscription_id") String id) {
        return new CampaignWebhookSubscriptionEnvelopeOut(out(find(caller.workspace(workspaceId), id)), null);
    }

    @Operation(summary = "Public Update Campaign Webhook Subscription", description = "Changes the URL, event types, campaigns or description.")
    @RequiredScope(Scope.WRITE)
    @PatchMapping("/campaigns/webhooks/subscriptions/{subscription_id}")
    CampaignWebhookSubscriptionEnvelopeOut update(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("subscription_id") String id, @Valid @RequestBody PublicUpdateCampaignWebhookSubscriptionIn in) {
        long ws = caller.workspace(workspaceId);
        var s = find(ws, id);
        String url = in.url() == null ? s.url() : checkUrl(in.url());
        var types = in.eventTypes() == null ? s.eventTypes() : checkTypes(in.eventTypes());
        var campaignIds = in.campaignIds() == null ? s.campaignIds() : checkCampaigns(ws, in.campaignIds());
        store.update(ws, id, url, types, campaignIds, in.description() == null ? s.description() : in.description(), clock.instant());
        return new CampaignWebhookSubscriptionEnvelopeOut(out(find(ws, id)), null);
    }

    @Operation(summary = "Public Delete Campaign Webhook Subscription", description = "Deletes the subscription and its pending deliveries.")
    @RequiredScope(Scope.WRITE)
    @DeleteMapping("/campaigns/webhooks/subscriptions/{subscription_id}")
    CampaignWebhookActionOut delete(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("subscription_id") String id) {
        long ws = caller.workspace(workspaceId);
        find(ws, id);
        tx.executeWithoutResult(s -> store.delete(ws, id));
        return new CampaignWebhookActionOut(id, "delete", "deleted", null, null);
    }

    @Operation(summary = "Public Pause Campaign Webhook Subscription", description = "Stops deliveries; events keep being recorded for it.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/webhooks/subscriptions/{subscription_id}/pause")
    CampaignWebhookActionOut pause(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("subscription_id") String id) {
        long ws = caller.workspace(workspaceId);
        find(ws, id);
        store.setStatus(ws, id, "paused", null, clock.instant());
        return new CampaignWebhookActionOut(id, "pause", "paused", null, null);
    }

    @Operation(summary = "Public Resume Campaign Webhook Subscription", description = "Delivers again (also a disabled one), backlog first.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/webhooks/subscriptions/{subscription_id}/resume")
    CampaignWebhookActionOut resume(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("subscription_id") String id) {
        long ws = caller.workspace(workspaceId);
        find(ws, id);
        store.setStatus(ws, id, "active", null, clock.instant());
        dispatcher.wake();
        return new CampaignWebhookActionOut(id, "resume", "active", null, null);
    }

    @Operation(summary = "Public Rotate Campaign Webhook Secret",
            description = "A new secret, shown once; for 24 hours deliveries carry signatures with both the new and the old secret.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/webhooks/subscriptions/{subscription_id}/rotate-secret")
    CampaignWebhookActionOut rotate(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("subscription_id") String id) {
        long ws = caller.workspace(workspaceId);
        var s = find(ws, id);
        String secret = WebhookSignature.newSecret();
        Instant now = clock.instant();
        store.rotate(ws, id, vault.encrypt(secret, secretContext(id)), s.secret(), now.plus(OLD_SECRET_GRACE), now);
        return new CampaignWebhookActionOut(id, "rotate-secret", s.status(), secret, null);
    }

    @Operation(summary = "Public Test Campaign Webhook Subscription", description = "Queues a signed test event for this subscription only.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/webhooks/subscriptions/{subscription_id}/test")
    CampaignWebhookActionOut test(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("subscription_id") String id) {
        long ws = caller.workspace(workspaceId);
        var s = find(ws, id);
        String eventId = tx.execute(st -> {
            String e = outbox.publishTo(ws, id, "test", Map.of("subscriptionId", id, "message", "This is a test event from Outreach2day."));
            return e;
        });
        return new CampaignWebhookActionOut(id, "test", s.status(), null, eventId);
    }

    @Operation(summary = "Public List Campaign Webhook Deliveries", description = "The subscription's deliveries, newest first; status filter.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/webhooks/subscriptions/{subscription_id}/deliveries")
    CampaignWebhookDeliveriesPageOut deliveries(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("subscription_id") String id, @RequestParam(required = false) String status,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        long ws = caller.workspace(workspaceId);
        find(ws, id);
        checkStatus(status);
        int n = Paging.limit(limit);
        var after = cursors.decode("deliveries:" + id, ws, cursor);
        var rows = store.deliveries(ws, id, after == null ? null : after.getFirst(), status, n + 1);
        String next = rows.size() > n ? cursors.encode("deliveries:" + id, ws, rows.get(n - 1).id()) : null;
        return new CampaignWebhookDeliveriesPageOut(rows.stream().limit(n).map(WebhookController::out).toList(), next);
    }

    @Operation(summary = "Public List Campaign Webhook Events", description = "Every event recorded, newest first; type filter.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/webhooks/events")
    CampaignWebhookEventsPageOut events(Caller caller, @RequestParam(required = false) Long workspaceId,
            @RequestParam(required = false) String type, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        long ws = caller.workspace(workspaceId);
        if (type != null && !EventTypes.BY_NAME.containsKey(type) && !type.equals("test")) {
            throw ApiException.Invalid.query("type", "type must be one of " + EventTypes.BY_NAME.keySet().stream().sorted().toList(), "enum");
        }
        int n = Paging.limit(limit);
        var after = cursors.decode("events", ws, cursor);
        var rows = store.events(ws, after == null ? null : after.getFirst(), type, n + 1);
        String next = rows.size() > n ? cursors.encode("events", ws, rows.get(n - 1).id()) : null;
        return new CampaignWebhookEventsPageOut(rows.stream().limit(n).map(this::out).toList(), next);
    }

    @Operation(summary = "Public Get Campaign Webhook Event")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/webhooks/events/{event_id}")
    CampaignWebhookEventEnvelopeOut event(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("event_id") String id) {
        long ws = caller.workspace(workspaceId);
        return new CampaignWebhookEventEnvelopeOut(out(store.event(ws, id).orElseThrow(() -> new ApiException.NotFound("Event " + id))));
    }

    @Operation(summary = "Public Get Campaign Webhook Summary", description = "Deliveries by state, failing subscriptions, the oldest pending delivery.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/webhooks/summary")
    CampaignWebhookSummaryOut summary(Caller caller, @RequestParam(required = false) Long workspaceId) {
        long ws = caller.workspace(workspaceId);
        var counts = new java.util.LinkedHashMap<String, Long>();
        for (String st : List.of("pending", "delivering", "succeeded", "failed")) counts.put(st, 0L);
        jdbc.sql("SELECT status, count(*) FROM webhook_deliveries WHERE workspace_id = :ws GROUP BY status").param("ws", ws)
                .query((rs, i) -> counts.put(rs.getString(1), rs.getLong(2))).list();
        var failing = jdbc.sql("SELECT id FROM webhook_subscriptions WHERE workspace_id = :ws AND (failing_since IS NOT NULL OR status = 'disabled') ORDER BY id")
                .param("ws", ws).query(String.class).list();
        var oldest = jdbc.sql("SELECT min(created_at) FROM webhook_deliveries WHERE workspace_id = :ws AND status = 'pending'").param("ws", ws)
                .query((rs, i) -> java.util.Optional.ofNullable(WebhookStore.instant(rs, "min"))).single().orElse(null);
        return new CampaignWebhookSummaryOut(counts, failing, oldest);
    }

    @Operation(summary = "Public Requeue Campaign Webhook Deliveries",
            description = "Delivers failed (or the given status) deliveries again from the start, optionally for one subscription or since a time.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/webhooks/deliveries/requeue")
    CampaignWebhookRetriggerOut requeue(Caller caller, @RequestParam(required = false) Long workspaceId,
            @Valid @RequestBody PublicCampaignWebhookRetriggerIn in) {
        long ws = caller.workspace(workspaceId);
        String status = in.status() == null ? "failed" : in.status();
        if (!status.equals("failed") && !status.equals("succeeded")) {
            throw ApiException.Invalid.body("status must be failed or succeeded", "enum", "status");
        }
        if (in.subscriptionId() != null) find(ws, in.subscriptionId());
        int n = jdbc.sql("""
                UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = :now, last_error = NULL
                 WHERE workspace_id = :ws AND status = :status AND (CAST(:sub AS text) IS NULL OR subscription_id = :sub)
                   AND (CAST(:since AS timestamptz) IS NULL OR created_at >= CAST(:since AS timestamptz))
                """).param("ws", ws).param("status", status).param("sub", in.subscriptionId())
                .param("since", in.since() == null ? null : java.sql.Timestamp.from(in.since())).param("now", java.sql.Timestamp.from(clock.instant()))
                .update();
        dispatcher.wake();
        return new CampaignWebhookRetriggerOut(n);
    }

    @Operation(summary = "Public Requeue Campaign Webhook Delivery", description = "Delivers this one again from the start.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/webhooks/deliveries/{delivery_id}/requeue")
    CampaignWebhookDeliveryEnvelopeOut requeueOne(Caller caller, @RequestParam(required = false) Long workspaceId,
            @PathVariable("delivery_id") String id) {
        long ws = caller.workspace(workspaceId);
        int n = jdbc.sql("""
                UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = :now, last_error = NULL
                 WHERE workspace_id = :ws AND id = :id AND status IN ('failed', 'succeeded')
                """).param("ws", ws).param("id", id).param("now", java.sql.Timestamp.from(clock.instant())).update();
        var d = jdbc.sql("""
                SELECT d.id, d.subscription_id, d.event_id, e.type, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error,
                       d.last_response, d.created_at, d.first_attempt_at, d.delivered_at
                  FROM webhook_deliveries d JOIN webhook_events e ON e.workspace_id = d.workspace_id AND e.id = d.event_id
                 WHERE d.workspace_id = :ws AND d.id = :id
                """).param("ws", ws).param("id", id).query(WebhookStore::delivery).optional()
                .orElseThrow(() -> new ApiException.NotFound("Delivery " + id));
        if (n == 1) dispatcher.wake();
        if (n == 0 && !d.status().equals("pending")) {
            throw new ApiException.Conflict("DELIVERY_IN_PROGRESS", "The delivery is being attempted right now; try again in a moment");
        }
        return new CampaignWebhookDeliveryEnvelopeOut(out(d));
    }

    @Operation(summary = "Public Dispatch Campaign Webhooks", description = "Delivers this workspace's due deliveries now and answers once they were attempted.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/webhooks/dispatch")
    CampaignWebhookDispatchOut dispatch(Caller caller, @RequestParam(required = false) Long workspaceId) {
        return new CampaignWebhookDispatchOut(dispatcher.dispatch(caller.workspace(workspaceId)));
    }

    // ---- validation and mapping ----

    private String checkUrl(String url) {
        try {
            return guard.check(url).uri().toString();
        } catch (UrlGuard.Refused e) {
            throw ApiException.Invalid.body(e.getMessage(), "value_error", "url");
        }
    }

    private static List<String> checkTypes(List<String> types) {
        var out = new LinkedHashSet<String>();
        for (int i = 0; i < types.size(); i++) {
            if (!EventTypes.BY_NAME.containsKey(types.get(i))) {
                throw ApiException.Invalid.body("unknown event type '" + types.get(i) + "'; see GET /campaigns/webhooks/event-types", "enum",
                        "eventTypes", i);
            }
            out.add(types.get(i));
        }
        return List.copyOf(out);
    }

    private List<String> checkCampaigns(long ws, List<String> ids) {
        if (ids == null) return List.of();
        for (int i = 0; i < ids.size(); i++) {
            if (!campaigns.exists(ws, ids.get(i))) {
                throw ApiException.Invalid.body("not a campaign of this workspace", "value_error", "campaignIds", i);
            }
        }
        return List.copyOf(new LinkedHashSet<>(ids));
    }

    private static void checkStatus(String status) {
        if (status != null && !List.of("pending", "delivering", "succeeded", "failed").contains(status)) {
            throw ApiException.Invalid.query("status", "status must be pending, delivering, succeeded or failed", "enum");
        }
    }

    private WebhookStore.Subscription find(long ws, String id) {
        return store.find(ws, id).orElseThrow(() -> new ApiException.NotFound("Webhook subscription " + id));
    }

    private static CampaignWebhookSubscriptionOut out(WebhookStore.Subscription s) {
        return new CampaignWebhookSubscriptionOut(s.id(), s.url(), s.eventTypes(), s.campaignIds(), s.description(), s.status(),
                s.disabledReason(), s.failingSince(), s.createdAt(), s.updatedAt());
    }

    private CampaignWebhookEventOut out(WebhookStore.Event e) {
        return new CampaignWebhookEventOut(e.id(), e.type(), e.campaignId(), json.readTree(e.payload()), e.createdAt());
    }

    private static CampaignWebhookDeliveryOut out(WebhookStore.Delivery d) {
        return new CampaignWebhookDeliveryOut(d.id(), d.subscriptionId(), d.eventId(), d.eventType(), d.status(), d.attempts(),
                d.nextAttemptAt(), d.lastStatus(), d.lastError(), d.lastResponse(), d.createdAt(), d.firstAttemptAt(), d.deliveredAt());
    }
}
