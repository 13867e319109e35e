#!/bin/bash
# Write cost of V30 (vm.tags generated from metadata, carried by the eight listing sort indexes)
# against V29's indexes, on one database at V31 (stop the service first). Each run, inside a
# transaction that is rolled back: for "V29", drops V30's indexes and column and builds V29's
# indexes (untimed); then inserts 20,000 VMs with tags in one statement (as an import would) and
# changes the state of 5,000 (not HOT: every index of vm takes the new row version). Alternating,
# each round starting with the other form, 4 rounds.
# Usage: tags.sh <database>   (output: docs/explain/load/tags-<date>.txt)
db=$1
run() { # $1 "v29" or "v30", $2 label
    psql -h 127.0.0.1 -U postgres -d $db -q -v form=$1 <<'SQL' | grep -E "^Time" | awk '{print $2}' | tr '\n' ' ' | sed "s/^/$2 insert 20k, state change 5k (ms): /"; echo
BEGIN;
SELECT :'form' = 'v29' AS v29 \gset
\if :v29
DROP INDEX vm_org_created_idx, vm_org_name_idx, vm_org_cpu_idx, vm_org_memory_idx,
    vm_org_state_created_idx, vm_org_state_name_idx, vm_org_state_cpu_idx, vm_org_state_memory_idx, vm_tags_idx;
ALTER TABLE vm DROP COLUMN tags;
CREATE INDEX vm_org_created_idx ON vm (org_id, created_at, id);
CREATE INDEX vm_org_state_created_idx ON vm (org_id, state, created_at, id);
CREATE INDEX vm_org_name_idx ON vm (org_id, name, id);
CREATE INDEX vm_org_cpu_idx ON vm (org_id, cpu_cores, id);
CREATE INDEX vm_org_memory_idx ON vm (org_id, memory_mb, id);
CREATE INDEX vm_tags_idx ON vm USING gin ((metadata -> 'tags') jsonb_path_ops);
CREATE INDEX vm_org_state_name_idx ON vm (org_id, state, name, id);
CREATE INDEX vm_org_state_cpu_idx ON vm (org_id, state, cpu_cores, id);
CREATE INDEX vm_org_state_memory_idx ON vm (org_id, state, memory_mb, id);
\endif
\timing on
WITH o AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k,
                  (SELECT min(u.id) FROM app_user u WHERE u.org_id = org.id) AS owner
             FROM org ORDER BY id LIMIT 200)
INSERT INTO vm (org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata)
SELECT o.id, o.owner, NULL, 'bulk-' || g, 'stopped', 1 + g % 8, 1024 * (1 + g % 16), 10,
       jsonb_build_object('tags', jsonb_build_array('env:' || (ARRAY['prod', 'staging', 'dev'])[1 + g % 3],
                          'team:t' || g % 40, 'app:bulk-' || g % 60, 'tier:' || (ARRAY['web', 'api', 'db'])[1 + g % 3]))
  FROM generate_series(1, 20000) g JOIN o ON o.k = g % 200;
UPDATE vm SET state = 'error' WHERE id IN (SELECT id FROM vm WHERE state = 'stopped' AND node_id IS NULL LIMIT 5000);
\timing off
ROLLBACK;
SQL
}
for round in 1 2 3 4; do
    if [ $((round % 2)) = 1 ]; then
        run v30 "round$round V30"; run v29 "round$round V29"
    else
        run v29 "round$round V29"; run v30 "round$round V30"
    fi
done
