-- 20,000 VMs in one statement (as an import would), rolled back: the trigger and index work of a bulk load.
BEGIN;
INSERT INTO vm (org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb)
SELECT o, (o - 1) * 10 + 1, 1 + (g * 7919) % 2000, 'bulk-' || g, 'running', 1, 1024, 10
  FROM (SELECT g, 1 + g % 200 AS o FROM generate_series(1, 20000) g) x;
ROLLBACK;
