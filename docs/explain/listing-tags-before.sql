-- VM listing with tags before V30, on a database at V29: each page fetches every walked VM's heap
-- row to test metadata->'tags'. Three runs each. Stop the service first. Pair: listing-tags-now.sql.
--   psql -d novacron_bench_large -v org_name=bench-large-s42-org-0001 -f docs/explain/listing-tags-before.sql
\pset pager off
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SELECT id AS org FROM org WHERE name = :'org_name' \gset
SELECT created_at AS deep_created, id AS deep_id FROM vm WHERE org_id = :org AND metadata -> 'tags' @> '["env:prod"]'
 ORDER BY created_at, id OFFSET 2499 LIMIT 1 \gset

PREPARE test_by_name AS
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org AND metadata -> 'tags' @> '["env:test"]' ORDER BY name, id LIMIT 51;
PREPARE staging_db_by_created_desc AS
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org AND metadata -> 'tags' @> '["env:staging", "tier:db"]' ORDER BY created_at DESC, id DESC LIMIT 51;
PREPARE staging_db_by_cpu_desc AS
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org AND metadata -> 'tags' @> '["env:staging", "tier:db"]' ORDER BY cpu_cores DESC, id DESC LIMIT 51;
PREPARE running_dev_cache_by_memory AS
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org AND state = 'running' AND metadata -> 'tags' @> '["env:dev", "tier:cache"]'
 ORDER BY memory_mb, id LIMIT 51;
PREPARE prod_by_created_page_50 AS
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org AND metadata -> 'tags' @> '["env:prod"]' AND (created_at, id) > (:'deep_created', :deep_id)
 ORDER BY created_at, id LIMIT 51;

\ir listing-tags-runs.sql
