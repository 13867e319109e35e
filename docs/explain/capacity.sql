-- Node capacity before and after V26 (node_free_{cpu,memory}_idx), on one database: each query
-- with the indexes, then the same inside a transaction that drops them, rolled back. Three runs
-- each (the first may read from disk). Stop the service first: DROP INDEX locks node.
--   psql -d novacron_bench_large -f docs/explain/capacity.sql > docs/explain/capacity-large.txt
\pset pager off
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SELECT n.memory_mb - n.alloc_memory_mb AS m_free, id AS m_id FROM node n
 ORDER BY n.memory_mb - n.alloc_memory_mb DESC, id DESC OFFSET 49 LIMIT 1 \gset

-- The page part of NodeCapacity.PAGE_AND_TOTALS (the totals part is a scan of node either way).
PREPARE page_all AS
SELECT p.*, l.cpu_usage, l.memory_usage
  FROM (SELECT n.id, n.name, n.zone, n.state, n.cpu_cores, n.memory_mb, n.disk_gb, n.alloc_cpu_cores,
               n.alloc_memory_mb, n.alloc_disk_gb, n.vm_count, n.cpu_cores - n.alloc_cpu_cores AS sort_key
          FROM node n WHERE true
         ORDER BY n.cpu_cores - n.alloc_cpu_cores DESC, n.id DESC LIMIT 501) p
  LEFT JOIN node_latest l ON l.node_id = p.id
 ORDER BY p.sort_key DESC, p.id DESC;
PREPARE page_zone_fits AS
SELECT p.*, l.cpu_usage, l.memory_usage
  FROM (SELECT n.id, n.name, n.zone, n.state, n.cpu_cores, n.memory_mb, n.disk_gb, n.alloc_cpu_cores,
               n.alloc_memory_mb, n.alloc_disk_gb, n.vm_count, n.cpu_cores - n.alloc_cpu_cores AS sort_key
          FROM node n
         WHERE n.zone = 'eu-west-1a' AND n.cpu_cores - n.alloc_cpu_cores >= 16 AND n.memory_mb - n.alloc_memory_mb >= 65536
         ORDER BY n.cpu_cores - n.alloc_cpu_cores DESC, n.id DESC LIMIT 51) p
  LEFT JOIN node_latest l ON l.node_id = p.id
 ORDER BY p.sort_key DESC, p.id DESC;
PREPARE page_memory_after AS
SELECT p.*, l.cpu_usage, l.memory_usage
  FROM (SELECT n.id, n.name, n.zone, n.state, n.cpu_cores, n.memory_mb, n.disk_gb, n.alloc_cpu_cores,
               n.alloc_memory_mb, n.alloc_disk_gb, n.vm_count, n.memory_mb - n.alloc_memory_mb AS sort_key
          FROM node n WHERE (n.memory_mb - n.alloc_memory_mb, n.id) < (:m_free, :m_id)
         ORDER BY n.memory_mb - n.alloc_memory_mb DESC, n.id DESC LIMIT 51) p
  LEFT JOIN node_latest l ON l.node_id = p.id
 ORDER BY p.sort_key DESC, p.id DESC;
PREPARE totals AS
SELECT count(*), sum(cpu_cores), sum(memory_mb), sum(disk_gb), sum(alloc_cpu_cores), sum(alloc_memory_mb),
       sum(alloc_disk_gb), sum(vm_count) FROM node n WHERE true;

\echo '########## with V26'
\ir capacity-runs.sql

\echo '########## without V26 (dropped in a transaction, rolled back)'
BEGIN;
DROP INDEX node_free_cpu_idx, node_free_memory_idx;
\ir capacity-runs.sql
ROLLBACK;
