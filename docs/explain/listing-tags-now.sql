-- VM listing with tags since V30 (VmListing.plain with tags): the page's keys from an index-only
-- walk of the sort index, which carries the tags, then its full rows. Three runs each, same
-- queries as listing-tags-before.sql. Stop the service first.
--   psql -d novacron_bench_large -v org_name=bench-large-s42-org-0001 -f docs/explain/listing-tags-now.sql
\pset pager off
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SELECT id AS org FROM org WHERE name = :'org_name' \gset
SELECT created_at AS deep_created, id AS deep_id FROM vm WHERE org_id = :org AND tags @> '{env:prod}'
 ORDER BY created_at, id OFFSET 2499 LIMIT 1 \gset

PREPARE test_by_name AS
SELECT v.id, v.org_id, v.owner_id, v.node_id, v.name, v.state, v.cpu_cores, v.memory_mb, v.disk_gb, v.metadata::text,
       v.created_at, v.updated_at
  FROM (SELECT id, name FROM vm WHERE org_id = :org AND tags @> '{env:test}' ORDER BY name, id LIMIT 51) k
  JOIN vm v ON v.id = k.id ORDER BY k.name, k.id;
PREPARE staging_db_by_created_desc AS
SELECT v.id, v.org_id, v.owner_id, v.node_id, v.name, v.state, v.cpu_cores, v.memory_mb, v.disk_gb, v.metadata::text,
       v.created_at, v.updated_at
  FROM (SELECT id, created_at FROM vm WHERE org_id = :org AND tags @> '{env:staging,tier:db}'
         ORDER BY created_at DESC, id DESC LIMIT 51) k
  JOIN vm v ON v.id = k.id ORDER BY k.created_at DESC, k.id DESC;
PREPARE staging_db_by_cpu_desc AS
SELECT v.id, v.org_id, v.owner_id, v.node_id, v.name, v.state, v.cpu_cores, v.memory_mb, v.disk_gb, v.metadata::text,
       v.created_at, v.updated_at
  FROM (SELECT id, cpu_cores FROM vm WHERE org_id = :org AND tags @> '{env:staging,tier:db}'
         ORDER BY cpu_cores DESC, id DESC LIMIT 51) k
  JOIN vm v ON v.id = k.id ORDER BY k.cpu_cores DESC, k.id DESC;
PREPARE running_dev_cache_by_memory AS
SELECT v.id, v.org_id, v.owner_id, v.node_id, v.name, v.state, v.cpu_cores, v.memory_mb, v.disk_gb, v.metadata::text,
       v.created_at, v.updated_at
  FROM (SELECT id, memory_mb FROM vm WHERE org_id = :org AND state = 'running' AND tags @> '{env:dev,tier:cache}'
         ORDER BY memory_mb, id LIMIT 51) k
  JOIN vm v ON v.id = k.id ORDER BY k.memory_mb, k.id;
PREPARE prod_by_created_page_50 AS
SELECT v.id, v.org_id, v.owner_id, v.node_id, v.name, v.state, v.cpu_cores, v.memory_mb, v.disk_gb, v.metadata::text,
       v.created_at, v.updated_at
  FROM (SELECT id, created_at FROM vm WHERE org_id = :org AND tags @> '{env:prod}'
           AND (created_at, id) > (:'deep_created', :deep_id) ORDER BY created_at, id LIMIT 51) k
  JOIN vm v ON v.id = k.id ORDER BY k.created_at, k.id;

\ir listing-tags-runs.sql
