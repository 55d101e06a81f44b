-- One process at a time reads a pool mailbox for warmup mail (so a message is acted on once: one
-- copy out of spam, one reply); the lease is given back when the read is done.
ALTER TABLE warmup_mailboxes ADD COLUMN reader_node text, ADD COLUMN reader_until timestamptz;
