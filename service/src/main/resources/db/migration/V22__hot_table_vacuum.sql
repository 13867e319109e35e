-- Tables rewritten by every ingest batch. vm_latest and node_latest get one update per series
-- per batch, and vm_latest's top-N indexes on cpu_usage and memory_usage make each of them a
-- non-HOT update (a new entry in every index). With the default trigger (20 % of the table dead)
-- and cost-limited workers busy on the large raw partitions, a medium load left vm_latest at
-- 2.7 GB for 100,000 rows. So: vacuum them after a fixed number of dead rows, unthrottled, and
-- leave free space in each page for the next version of its rows. The rollup deltas are insert
-- and delete only; org_usage_1m is updated in place per (org, minute).
-- The service also vacuums vm_latest and node_latest itself every 30 s (ops.Maintenance),
-- because autovacuum workers can all be busy for minutes on raw partitions.
ALTER TABLE vm_latest SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
                           autovacuum_vacuum_cost_delay = 0);
ALTER TABLE node_latest SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
                             autovacuum_vacuum_cost_delay = 0);
ALTER TABLE org_usage_1m SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE vm_rollup_delta SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE node_rollup_delta SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE org_rollup_delta SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_cost_delay = 0);
