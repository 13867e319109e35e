-- Node monitoring (GET /api/v1/monitoring/nodes) reads its page from an index walk instead of
-- sorting every node. The sort-everything plan read all of node_latest: on the large dataset,
-- 5,000 rows on 1,467 heap pages (a bulk load's updates pile up dead versions while the rollup
-- builds hold back the xmin horizon, and VACUUM does not give the pages back), 38-45 ms a page.
-- The price: an ingest update of node_latest now changes an indexed column, so it is not HOT;
-- nodes report once a minute each (5,000 nodes: ~83 updates/s), far from mattering.
CREATE INDEX node_latest_cpu_idx ON node_latest (cpu_usage, node_id);
CREATE INDEX node_latest_memory_idx ON node_latest (memory_usage, node_id);
-- sort=name: node rows change on every VM placement (allocation counters), never their name,
-- so these updates stay HOT (V21 fillfactor 50).
CREATE INDEX node_name_id_idx ON node (name, id);
