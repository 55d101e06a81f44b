-- sends_contact (workspace_id, contact_id, step_order) repeats the leading columns of the
-- sends_once unique index (workspace_id, contact_id, step_id): every lookup of a contact's sends
-- (threading, subsequences, exports, the contact's sent emails) is served by sends_once alone, as
-- a contact has a handful of sends to sort. Each send's row is written three times (planned,
-- in flight, outcome), each time into every index: one index less is one insertion less each time.
DROP INDEX sends_contact;
