-- VM listing with one state under the other sorts, before and after V27
-- (vm_org_state_{name,cpu,memory}_idx), on one database: each query with the indexes, then the
-- same inside a transaction that drops them, rolled back. Three runs each. Stop the service first.
--   psql -d novacron_bench_large -v org_name=bench-large-s42-org-0001 -f docs/explain/listing-state.sql \
--        > docs/explain/listing-state-large.txt
\pset pager off
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SELECT id AS org FROM org WHERE name = :'org_name' \gset
SELECT count(*) AS org_vms, count(*) FILTER (WHERE state = 'error') AS errors,
       count(*) FILTER (WHERE state = 'paused') AS paused FROM vm WHERE org_id = :org \gset
\echo 'organization' :org 'with' :org_vms 'VMs,' :errors 'in error,' :paused 'paused'
SELECT name AS deep_name, id AS deep_id FROM vm WHERE org_id = :org AND state = 'error' ORDER BY name, id OFFSET 49 LIMIT 1 \gset

PREPARE errors_by_name AS
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org AND state = 'error' ORDER BY name, id LIMIT 51;
PREPARE errors_by_name_after AS
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org AND state = 'error' AND (name, id) > (:'deep_name', :deep_id) ORDER BY name, id LIMIT 51;
PREPARE paused_by_cpu_desc AS
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org AND state = 'paused' ORDER BY cpu_cores DESC, id DESC LIMIT 51;
PREPARE running_by_memory AS
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org AND state = 'running' ORDER BY memory_mb, id LIMIT 51;

\echo '########## with V27'
\ir listing-state-runs.sql

\echo '########## without V27 (dropped in a transaction, rolled back)'
BEGIN;
DROP INDEX vm_org_state_name_idx, vm_org_state_cpu_idx, vm_org_state_memory_idx;
\ir listing-state-runs.sql
ROLLBACK;
