-- The earliest and latest sample time each rollup row summarizes. A query whose window edge cuts
-- a bucket of the finest tier (from or to with seconds, as a dashboard's "now") reads that
-- bucket's rows instead of the raw samples when their span shows that every sample lies on one
-- side of the edge. For an organization that saves reading a minute of raw samples of every one
-- of its VMs. NULL (rows written before this migration) means unknown: the raw samples answer.
ALTER TABLE vm_rollup ADD COLUMN first_ts timestamptz, ADD COLUMN last_ts timestamptz;
ALTER TABLE vm_rollup_delta ADD COLUMN first_ts timestamptz, ADD COLUMN last_ts timestamptz;
ALTER TABLE node_rollup ADD COLUMN first_ts timestamptz, ADD COLUMN last_ts timestamptz;
ALTER TABLE node_rollup_delta ADD COLUMN first_ts timestamptz, ADD COLUMN last_ts timestamptz;
ALTER TABLE org_rollup ADD COLUMN first_ts timestamptz, ADD COLUMN last_ts timestamptz;
ALTER TABLE org_rollup_delta ADD COLUMN first_ts timestamptz, ADD COLUMN last_ts timestamptz;
