-- The hot queries of the five reads as the service sends them (values inlined). Run on a
-- benchmark database, for its largest organization:
--   psql -d novacron_bench_large -v org_name=bench-large-s42-org-0001 -f docs/explain/explain.sql \
--        > docs/explain/reads-large.txt
-- Each new session faults in the shared buffers it touches (costly without huge pages), so for
-- warm figures run it twice in one session and keep the second pass (reads-large-2026-12-05.txt).
-- (generate.sql builds the synthetic 200k-VM database of reads-200k.txt, with org_name=org-1.)
\pset pager off
-- The service's connection options (db.Database): no parallel plans, no JIT.
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SELECT id AS org FROM org WHERE name = :'org_name' \gset
SELECT node_id AS node FROM vm WHERE org_id = :org AND node_id IS NOT NULL ORDER BY id LIMIT 1 \gset
SELECT (SELECT vm_id FROM vm_latest WHERE org_id = :org ORDER BY vm_id LIMIT 1) AS mvm,
       (SELECT ts FROM vm_latest GROUP BY ts ORDER BY count(*) DESC, ts DESC LIMIT 1) AS series_end \gset
SELECT id AS deep_id, created_at AS deep_created FROM vm WHERE org_id = :org ORDER BY created_at DESC, id DESC OFFSET 4999 LIMIT 1 \gset
SELECT id AS deep_name_id, name AS deep_name FROM vm WHERE org_id = :org ORDER BY name, id OFFSET 4999 LIMIT 1 \gset
SELECT count(*) AS org_vms FROM vm WHERE org_id = :org \gset
SELECT count(*) AS all_vms FROM vm \gset
\echo 'organization' :org 'with' :org_vms 'of' :all_vms 'VMs; node' :node '; metric VM' :mvm '; series end' :series_end

\echo '=== 1. dashboard, largest org (Dashboard.ORG_FIGURES)'
EXPLAIN (ANALYZE, BUFFERS)
WITH t AS (SELECT now() AS as_of,
                  date_trunc('hour', now() - interval '24 hours') + interval '1 hour' AS whole_hours_from,
                  date_trunc('minute', now()) - interval '4 minutes' AS usage_from)
SELECT t.as_of, EXISTS (SELECT 1 FROM org WHERE id = :org) AS org_exists,
       (SELECT coalesce(json_agg(json_build_array(state, vm_count, cpu_cores, memory_mb, disk_gb)), '[]')
          FROM org_vm_stats WHERE org_id = :org)::text AS states,
       coalesce(s.nodes_in_use, 0) AS nodes_in_use, coalesce(s.owners, 0) AS owners,
       (SELECT coalesce(sum(vm_count), 0) FROM org_vm_created_1h WHERE org_id = :org AND bucket >= t.whole_hours_from)
       + (SELECT count(*) FROM vm WHERE org_id = :org AND created_at > t.as_of - interval '24 hours'
                                     AND created_at < t.whole_hours_from) AS created_last_24h,
       u.samples, u.cpu_sum, u.memory_sum
  FROM t
  LEFT JOIN org_summary s ON s.org_id = :org
 CROSS JOIN LATERAL (SELECT sum(samples) AS samples, sum(cpu_sum) AS cpu_sum, sum(memory_sum) AS memory_sum
                       FROM org_usage_1m WHERE org_id = :org AND bucket >= t.usage_from) u;

\echo '=== 2. dashboard, platform (Dashboard.PLATFORM_FIGURES)'
EXPLAIN (ANALYZE, BUFFERS)
WITH t AS (SELECT now() AS as_of,
                  date_trunc('hour', now() - interval '24 hours') + interval '1 hour' AS whole_hours_from,
                  date_trunc('minute', now()) - interval '4 minutes' AS usage_from)
SELECT t.as_of, true AS org_exists,
       (SELECT coalesce(json_agg(json_build_array(state, n, c, m, d)), '[]')
          FROM (SELECT state, sum(vm_count) n, sum(cpu_cores) c, sum(memory_mb) m, sum(disk_gb) d
                  FROM platform_vm_stats GROUP BY state) s)::text AS states,
       p.nodes_in_use, p.owners,
       (SELECT coalesce(sum(vm_count), 0) FROM platform_vm_created_1h WHERE bucket >= t.whole_hours_from)
       + (SELECT count(*) FROM vm WHERE created_at > t.as_of - interval '24 hours'
                                    AND created_at < t.whole_hours_from) AS created_last_24h,
       u.samples, u.cpu_sum, u.memory_sum
  FROM t,
       LATERAL (SELECT sum(nodes_in_use) AS nodes_in_use, sum(owners) AS owners FROM platform_counts) p,
       LATERAL (SELECT sum(samples) AS samples, sum(cpu_sum) AS cpu_sum, sum(memory_sum) AS memory_sum
                  FROM org_usage_1m WHERE bucket >= t.usage_from) u;

\echo '=== 3a. listing, largest org, default sort, page 1'
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org ORDER BY created_at DESC, id DESC LIMIT 51;
\echo '=== 3b. listing, largest org, default sort, page 100 (cursor after row 5,000)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org AND (created_at, id) < (:'deep_created', :deep_id) ORDER BY created_at DESC, id DESC LIMIT 51;
\echo '=== 3c. listing, state=error, sort=-created_at, total from org_vm_stats'
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org AND state = 'error' ORDER BY created_at DESC, id DESC LIMIT 51;
EXPLAIN (ANALYZE, BUFFERS) SELECT coalesce(sum(vm_count), 0) FROM org_vm_stats WHERE org_id = :org AND state = ANY ('{error}');
\echo '=== 3d. listing, sort=name, page 100'
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org AND (name, id) > (:'deep_name', :deep_name_id) ORDER BY name, id LIMIT 51;
\echo '=== 3e. listing, state=running&state=paused, tag=env:prod, sort=-cpu_cores (V30: keys from the index-only walk, then the page''s rows)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT v.id, v.org_id, v.owner_id, v.node_id, v.name, v.state, v.cpu_cores, v.memory_mb, v.disk_gb, v.metadata::text,
       v.created_at, v.updated_at
  FROM (SELECT id, cpu_cores FROM vm WHERE org_id = :org AND state = ANY ('{running,paused}') AND tags @> '{env:prod}'::text[]
         ORDER BY cpu_cores DESC, id DESC LIMIT 51) k
  JOIN vm v ON v.id = k.id ORDER BY k.cpu_cores DESC, k.id DESC;
\echo '=== 3f. listing, tag=env:test&tag=tier:db (1 VM in 42), sort=-created_at, with its planner-estimate total'
EXPLAIN (ANALYZE, BUFFERS)
SELECT v.id, v.org_id, v.owner_id, v.node_id, v.name, v.state, v.cpu_cores, v.memory_mb, v.disk_gb, v.metadata::text,
       v.created_at, v.updated_at
  FROM (SELECT id, created_at FROM vm WHERE org_id = :org AND tags @> '{env:test,tier:db}'::text[]
         ORDER BY created_at DESC, id DESC LIMIT 51) k
  JOIN vm v ON v.id = k.id ORDER BY k.created_at DESC, k.id DESC;
EXPLAIN (FORMAT JSON) SELECT 1 FROM vm WHERE org_id = :org AND tags @> '{env:test,tier:db}'::text[];
\echo '=== 3g. listing with q: the bounded walk, then the trigrams (V29), in listing-q.sql / listing-q-large.txt'
\echo '=== 3h. listing, node_id filter'
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text, created_at, updated_at
  FROM vm WHERE org_id = :org AND node_id = :node ORDER BY created_at DESC, id DESC LIMIT 51;

\echo '=== 4a. monitoring, largest org, top 50 by cpu (the usage walk probing each row''s VM)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT v.id, v.name, v.state, v.node_id, l.ts, l.cpu_usage, l.memory_usage, l.disk_read_bps,
       l.disk_write_bps, l.net_rx_bps, l.net_tx_bps, l.ts < now() - make_interval(secs => 180) AS stale
  FROM vm_latest l CROSS JOIN LATERAL (SELECT x.id, x.org_id, x.name, x.state, x.node_id FROM vm x
                                        WHERE x.id = l.vm_id AND x.org_id = l.org_id OFFSET 0) v
 WHERE l.org_id = :org AND v.org_id = :org ORDER BY l.cpu_usage DESC, l.vm_id DESC LIMIT 51;
\echo '=== 4b. monitoring, state=error (rare: driven from the VMs in that state), top by memory'
EXPLAIN (ANALYZE, BUFFERS)
SELECT v.id, v.name, v.state, v.node_id, l.ts, l.cpu_usage, l.memory_usage, l.disk_read_bps,
       l.disk_write_bps, l.net_rx_bps, l.net_tx_bps, l.ts < now() - make_interval(secs => 180) AS stale
  FROM vm v CROSS JOIN LATERAL (SELECT * FROM vm_latest x WHERE x.org_id = v.org_id AND x.vm_id = v.id OFFSET 0) l
 WHERE l.org_id = :org AND v.org_id = :org AND v.state = 'error' ORDER BY l.memory_usage DESC, l.vm_id DESC LIMIT 51;
\echo '=== 4b2. monitoring, state=running (common: walks the usage index), top by cpu'
EXPLAIN (ANALYZE, BUFFERS)
SELECT v.id, v.name, v.state, v.node_id, l.ts, l.cpu_usage, l.memory_usage, l.disk_read_bps,
       l.disk_write_bps, l.net_rx_bps, l.net_tx_bps, l.ts < now() - make_interval(secs => 180) AS stale
  FROM vm_latest l JOIN vm v ON v.org_id = l.org_id AND v.id = l.vm_id
 WHERE l.org_id = :org AND v.org_id = :org AND v.state = 'running' ORDER BY l.cpu_usage DESC, l.vm_id DESC LIMIT 51;
\echo '=== 4c. monitoring, one node'
EXPLAIN (ANALYZE, BUFFERS)
SELECT v.id, v.name, v.state, v.node_id, l.ts, l.cpu_usage, l.memory_usage, l.disk_read_bps,
       l.disk_write_bps, l.net_rx_bps, l.net_tx_bps, l.ts < now() - make_interval(secs => 180) AS stale
  FROM vm_latest l JOIN vm v ON v.org_id = l.org_id AND v.id = l.vm_id
 WHERE l.org_id = :org AND v.org_id = :org AND v.node_id = :node ORDER BY l.cpu_usage DESC, l.vm_id DESC LIMIT 51;
\echo '=== 4d. monitoring nodes, top by cpu'
EXPLAIN (ANALYZE, BUFFERS)
SELECT n.id, n.name, n.zone, n.state, l.ts, l.cpu_usage, l.memory_usage, l.disk_usage, l.load_1m,
       l.net_rx_bps, l.net_tx_bps, l.ts < now() - make_interval(secs => 180) AS stale
  FROM node_latest l JOIN node n ON n.id = l.node_id WHERE true ORDER BY l.cpu_usage DESC, n.id DESC LIMIT 51;

\echo '=== 4e. monitoring nodes of one zone, top by memory'
EXPLAIN (ANALYZE, BUFFERS)
SELECT n.id, n.name, n.zone, n.state, l.ts, l.cpu_usage, l.memory_usage, l.disk_usage, l.load_1m,
       l.net_rx_bps, l.net_tx_bps, l.ts < now() - make_interval(secs => 180) AS stale
  FROM node_latest l JOIN node n ON n.id = l.node_id WHERE true AND n.zone = (SELECT min(zone) FROM node)
 ORDER BY l.memory_usage DESC, n.id DESC LIMIT 51;

\echo '=== 4f. monitoring nodes by name'
EXPLAIN (ANALYZE, BUFFERS)
SELECT n.id, n.name, n.zone, n.state, l.ts, l.cpu_usage, l.memory_usage, l.disk_usage, l.load_1m,
       l.net_rx_bps, l.net_tx_bps, l.ts < now() - make_interval(secs => 180) AS stale
  FROM node_latest l JOIN node n ON n.id = l.node_id WHERE true ORDER BY n.name, n.id LIMIT 51;

\echo '=== 5a. capacity, all nodes: totals and a page of 500 in one statement (NodeCapacity.PAGE_AND_TOTALS)'
EXPLAIN (ANALYZE, BUFFERS)
WITH t AS (
    SELECT count(*) AS nodes, coalesce(sum(cpu_cores), 0) AS t_cpu, coalesce(sum(memory_mb), 0) AS t_memory,
           coalesce(sum(disk_gb), 0) AS t_disk, coalesce(sum(alloc_cpu_cores), 0) AS t_alloc_cpu,
           coalesce(sum(alloc_memory_mb), 0) AS t_alloc_memory, coalesce(sum(alloc_disk_gb), 0) AS t_alloc_disk,
           coalesce(sum(vm_count), 0) AS t_vms
      FROM node n WHERE true)
SELECT t.*, p.*, l.cpu_usage, l.memory_usage
  FROM t
  LEFT JOIN (SELECT n.id, n.name, n.zone, n.state, n.cpu_cores, n.memory_mb, n.disk_gb, n.alloc_cpu_cores,
                    n.alloc_memory_mb, n.alloc_disk_gb, n.vm_count, n.cpu_cores - n.alloc_cpu_cores AS sort_key
               FROM node n WHERE true
              ORDER BY n.cpu_cores - n.alloc_cpu_cores DESC, n.id DESC LIMIT 501) p ON true
  LEFT JOIN node_latest l ON l.node_id = p.id
 ORDER BY p.sort_key DESC, p.id DESC;
\echo '=== 5b. capacity, zone + fits a 16 vCPU / 64 GiB VM'
EXPLAIN (ANALYZE, BUFFERS)
WITH t AS (
    SELECT count(*) AS nodes, coalesce(sum(cpu_cores), 0) AS t_cpu, coalesce(sum(memory_mb), 0) AS t_memory,
           coalesce(sum(disk_gb), 0) AS t_disk, coalesce(sum(alloc_cpu_cores), 0) AS t_alloc_cpu,
           coalesce(sum(alloc_memory_mb), 0) AS t_alloc_memory, coalesce(sum(alloc_disk_gb), 0) AS t_alloc_disk,
           coalesce(sum(vm_count), 0) AS t_vms
      FROM node n
     WHERE n.zone = 'eu-west-1a' AND n.cpu_cores - n.alloc_cpu_cores >= 16 AND n.memory_mb - n.alloc_memory_mb >= 65536)
SELECT t.*, p.*, l.cpu_usage, l.memory_usage
  FROM t
  LEFT JOIN (SELECT n.id, n.name, n.zone, n.state, n.cpu_cores, n.memory_mb, n.disk_gb, n.alloc_cpu_cores,
                    n.alloc_memory_mb, n.alloc_disk_gb, n.vm_count, n.cpu_cores - n.alloc_cpu_cores AS sort_key
               FROM node n
              WHERE n.zone = 'eu-west-1a' AND n.cpu_cores - n.alloc_cpu_cores >= 16 AND n.memory_mb - n.alloc_memory_mb >= 65536
              ORDER BY n.cpu_cores - n.alloc_cpu_cores DESC, n.id DESC LIMIT 51) p ON true
  LEFT JOIN node_latest l ON l.node_id = p.id
 ORDER BY p.sort_key DESC, p.id DESC;

\echo '=== 6a. aggregation: one VM 24 h at 5 m (SeriesReader: 5-minute tier + its late partials, below tier_until)'
EXPLAIN (ANALYZE, BUFFERS) SELECT ingest_until, tier_until, hour_until, day_until FROM rollup_watermark WHERE scope = 'vm';
EXPLAIN (ANALYZE, BUFFERS)
SELECT 0, 0, date_part('epoch', bucket), n, sums, mins, maxs, sketches FROM vm_rollup
 WHERE org_id = :org AND vm_id = :mvm AND step_s = 300 AND bucket >= timestamptz :'series_end' - interval '24 hours'
   AND bucket < (SELECT tier_until FROM rollup_watermark WHERE scope = 'vm')
UNION ALL
SELECT 0, 0, date_part('epoch', bucket), n, sums, mins, maxs, sketches FROM vm_rollup_delta
 WHERE org_id = :org AND vm_id = :mvm AND bucket >= timestamptz :'series_end' - interval '24 hours'
   AND bucket < (SELECT tier_until FROM rollup_watermark WHERE scope = 'vm');
\echo '=== 6b. aggregation: the raw tail past tier_until, and one VM 24 h raw'
EXPLAIN (ANALYZE, BUFFERS)
SELECT date_part('epoch', ts), cpu_usage, memory_usage, disk_read_bps, disk_write_bps, net_rx_bps, net_tx_bps FROM vm_metrics
 WHERE org_id = :org AND vm_id = :mvm AND ts >= (SELECT tier_until FROM rollup_watermark WHERE scope = 'vm') AND ts < :'series_end';
EXPLAIN (ANALYZE, BUFFERS)
SELECT date_part('epoch', ts), cpu_usage, memory_usage, disk_read_bps, disk_write_bps, net_rx_bps, net_tx_bps FROM vm_metrics
 WHERE org_id = :org AND vm_id = :mvm AND ts >= timestamptz :'series_end' - interval '24 hours' AND ts < :'series_end';
\echo '=== 6c. aggregation: a whole organization 24 h at 5 m (5-minute tier + partials; 1-minute tier and raw for the edges)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT 0, 0, date_part('epoch', bucket), n, sums, mins, maxs, NULL::bytea FROM org_rollup
 WHERE org_id = :org AND step_s = 300 AND bucket >= timestamptz :'series_end' - interval '24 hours' AND bucket < :'series_end'
UNION ALL
SELECT 0, 0, date_part('epoch', bucket), n, sums, mins, maxs, NULL::bytea FROM org_rollup_delta
 WHERE org_id = :org AND bucket >= timestamptz :'series_end' - interval '24 hours' AND bucket < :'series_end';
\echo '=== 6d. aggregation: one node 24 h at 5 m'
EXPLAIN (ANALYZE, BUFFERS)
SELECT 0, 0, date_part('epoch', bucket), n, sums, mins, maxs, sketches FROM node_rollup
 WHERE node_id = :node AND step_s = 300 AND bucket >= timestamptz :'series_end' - interval '24 hours'
   AND bucket < (SELECT tier_until FROM rollup_watermark WHERE scope = 'node');
\echo '=== 6e. aggregation: organization, a window edge with seconds (to = series end + 30 s): the minute rows and their sample span'
EXPLAIN (ANALYZE, BUFFERS)
SELECT 0, 0, date_part('epoch', bucket), n, sums, mins, maxs, NULL::bytea, date_part('epoch', first_ts), date_part('epoch', last_ts)
  FROM org_rollup WHERE org_id = :org AND step_s = 60 AND bucket >= :'series_end' AND bucket < timestamptz :'series_end' + interval '1 minute'
UNION ALL
SELECT 0, 0, date_part('epoch', bucket), n, sums, mins, maxs, NULL::bytea, date_part('epoch', first_ts), date_part('epoch', last_ts)
  FROM org_rollup_delta WHERE org_id = :org AND bucket >= :'series_end' AND bucket < timestamptz :'series_end' + interval '1 minute';
\echo '=== 6f. aggregation: organization, the same edge from raw rows (when samples straddle it): one key probe per reporting VM'
EXPLAIN (ANALYZE, BUFFERS)
SELECT date_part('epoch', m.ts), m.cpu_usage, m.memory_usage, m.disk_read_bps, m.disk_write_bps, m.net_rx_bps, m.net_tx_bps
  FROM vm_latest l CROSS JOIN LATERAL (SELECT ts, cpu_usage, memory_usage, disk_read_bps, disk_write_bps, net_rx_bps, net_tx_bps
                                         FROM vm_metrics x WHERE x.org_id = l.org_id AND x.vm_id = l.vm_id
                                          AND x.ts >= :'series_end' AND x.ts < timestamptz :'series_end' + interval '30 seconds') m
 WHERE l.org_id = :org AND l.ts >= :'series_end' LIMIT 110001;
