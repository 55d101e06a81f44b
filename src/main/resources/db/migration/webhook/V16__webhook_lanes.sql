-- Deliveries are worked per subscription ("lanes"): each lane takes its subscription's due
-- deliveries in the events' creation order. The event's order number is copied onto the delivery
-- so that this is one index range scan instead of a join and sort over every pending delivery.

ALTER TABLE webhook_deliveries ADD COLUMN event_seq bigint;
UPDATE webhook_deliveries d SET event_seq = e.seq FROM webhook_events e WHERE e.workspace_id = d.workspace_id AND e.id = d.event_id;
ALTER TABLE webhook_deliveries ALTER COLUMN event_seq SET NOT NULL;

CREATE INDEX webhook_deliveries_lane ON webhook_deliveries (workspace_id, subscription_id, event_seq) INCLUDE (next_attempt_at)
    WHERE status = 'pending';
-- expired leases (a process died mid-attempt) are found without scanning finished deliveries
CREATE INDEX webhook_deliveries_delivering ON webhook_deliveries (locked_until) WHERE status = 'delivering';

-- One process at a time works a subscription's lane (so first attempts keep the events' order
-- across processes too): the lane is leased on the subscription row and renewed with every claim.
ALTER TABLE webhook_subscriptions ADD COLUMN lane_node text, ADD COLUMN lane_until timestamptz;
