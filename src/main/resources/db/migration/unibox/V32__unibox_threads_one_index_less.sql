-- unibox_threads_list (workspace_id, id DESC) held what the primary key (workspace_id, id) holds:
-- the list's ORDER BY id DESC walks the primary key backwards just the same. Every new thread and
-- every change of one (updated_at is indexed, so a change is never a HOT update) wrote an entry
-- into it as well (ADR 0017).
DROP INDEX IF EXISTS unibox_threads_list;
