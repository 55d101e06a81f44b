-- A message row up to a whole page (8160 bytes) is stored as it is. Before, every row over ~2 KB
-- (most mail: text and HTML bodies together) had its bodies pglz-compressed on insert and
-- decompressed whenever the thread view or the list's last message read them. The embedded
-- PostgreSQL has no lz4. Measured on 20,000 rows of 1.2 KB text + 1.5 KB HTML in batches of 100:
-- 1.56–1.69 s to insert before, 1.16–1.23 s after; 84 MB on disk before, 105 MB after. Larger
-- messages are still compressed and moved out of line as before (ADR 0017).
ALTER TABLE unibox_messages SET (toast_tuple_target = 8160);
