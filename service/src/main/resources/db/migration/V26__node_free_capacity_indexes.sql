-- Node capacity (GET /api/v1/nodes/capacity) sorts by free CPU or free memory. Without an index on
-- those expressions every page is a top-N sort of all nodes, the page after a cursor as much as
-- the first (docs/explain/capacity-large.txt). With them a page is an index walk that stops after
-- LIMIT rows, and a "fits" filter on the sorted resource bounds the walk.
--
-- The price: every VM placement, resize or stop changes its node's alloc_* counters, which are now
-- indexed, so those node updates are no longer HOT (they write two more index entries each).
-- Measured in docs/READS.md, "Write overhead of V26 and V27".
CREATE INDEX node_free_cpu_idx ON node ((cpu_cores - alloc_cpu_cores), id);
CREATE INDEX node_free_memory_idx ON node ((memory_mb - alloc_memory_mb), id);
