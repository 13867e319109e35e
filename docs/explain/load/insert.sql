\set o random(1, 200)
\set n random(1, 2000)
INSERT INTO vm (org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb) VALUES (:o, (:o - 1) * 10 + 1, :n, 'bench', 'running', 1, 1024, 10);
