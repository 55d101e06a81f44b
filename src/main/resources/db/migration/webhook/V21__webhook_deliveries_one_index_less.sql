-- A subscription's deliveries are listed in event order through the (workspace, subscription,
-- event) unique index, so the separate listing index goes: every attempt updates its delivery,
-- and each index costs every update.
DROP INDEX webhook_deliveries_subscription;
