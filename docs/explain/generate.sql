-- Scratch dataset for the EXPLAIN outputs in this folder: 200 orgs (Zipf-like, the largest ~10%),
-- 2,000 users, 2,000 nodes, 200,000 VMs (70% running, 15% stopped, 5% paused, 3% error,
-- 2% migrating, 5% pending), tags from 300 values, creation over 30 days, a latest sample per
-- VM and node, and 10 minutes of org_usage_1m. Run on a database migrated with V1, V20, V21.
\timing on
INSERT INTO org (name) SELECT 'org-' || g FROM generate_series(1, 200) g;
INSERT INTO app_user (org_id, email, name, role)
SELECT o, 'u' || k || '@org' || o || '.test', 'user ' || k, 'operator' FROM generate_series(1, 200) o, generate_series(1, 10) k ORDER BY o, k;
INSERT INTO node (name, zone, cpu_cores, memory_mb, disk_gb)
SELECT 'node-' || g, 'zone-' || (g % 8), 4096, 1073741824, 1073741824 FROM generate_series(1, 2000) g;
INSERT INTO vm (org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata, created_at)
SELECT o, (o - 1) * 10 + 1 + (g % 10),
       CASE WHEN st IN ('stopped', 'error') AND g % 2 = 0 THEN NULL ELSE 1 + ((g * 7919) % 2000)::bigint END,
       (ARRAY['web', 'db', 'cache', 'worker', 'batch'])[1 + g % 5] || '-' || g, st,
       (ARRAY[1, 2, 4, 8, 16, 32, 64])[1 + (g * 31) % 7], (ARRAY[1024, 2048, 4096, 8192, 16384, 65536, 262144])[1 + (g * 17) % 7],
       (ARRAY[10, 20, 50, 100, 500])[1 + g % 5],
       jsonb_build_object('tags', jsonb_build_array('env:' || (ARRAY['prod', 'dev', 'test'])[1 + g % 3], 'app:' || (g * 13) % 300)),
       now() - ((g * 104729) % 2592000) * interval '1 second'
  FROM (SELECT g, 1 + floor(200 * power(random(), 2.3))::int AS o,
               CASE WHEN r < 0.70 THEN 'running' WHEN r < 0.85 THEN 'stopped' WHEN r < 0.90 THEN 'paused'
                    WHEN r < 0.93 THEN 'error' WHEN r < 0.95 THEN 'migrating' ELSE 'pending' END AS st
          FROM (SELECT g::bigint AS g, random() AS r FROM generate_series(1, 200000) g) x) y;
INSERT INTO vm_latest SELECT org_id, id, now() - (id % 200) * interval '1 second', (id * 37) % 10000 / 100.0,
       (id * 53) % 10000 / 100.0, id % 1000, id % 2000, id % 3000, id % 4000 FROM vm;
INSERT INTO node_latest SELECT id, now(), (id * 37) % 100, (id * 53) % 100, 40, 1.5, 1000, 2000 FROM node;
INSERT INTO org_usage_1m SELECT o, date_trunc('minute', now()) - m * interval '1 minute', 60, 60 * 35.5, 60 * 50.0
  FROM generate_series(1, 200) o, generate_series(0, 9) m;
VACUUM ANALYZE;
SELECT org_id, count(*) FROM vm GROUP BY 1 ORDER BY 2 DESC LIMIT 3;
