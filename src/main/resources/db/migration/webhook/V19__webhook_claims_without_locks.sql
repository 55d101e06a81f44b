-- A subscription's lane (leased on its row) is what makes its deliveries one process's: the lane
-- holder reads its due deliveries without marking them, and writes each outcome only if the
-- delivery is still as it read it. So no delivery is 'delivering' any more (one update per
-- attempt instead of two), nothing needs reaping after a crash, and the indexes that served the
-- global claim and the reaper go. Deliveries an older version left mid-attempt are due again.

UPDATE webhook_deliveries SET status = 'pending', locked_by = NULL, locked_until = NULL WHERE status = 'delivering';
DROP INDEX webhook_deliveries_due;
DROP INDEX webhook_deliveries_delivering;
