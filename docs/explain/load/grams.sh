#!/bin/bash
# Write cost of V29's vm_name_grams_idx against V21's pg_trgm index it replaced, on one migrated
# database (stop the service first). V21's index is built beside V29's once; then each run drops
# one of the two inside a transaction, inserts 20,000 VMs in one statement (as an import would)
# and changes the state of 5,000 (not HOT: every index of vm takes the new row version),
# and rolls back. Alternating, each round starting with the other index, 4 rounds.
# Usage: grams.sh <database>   (output: docs/explain/load/grams-<date>.txt)
db=$1
psql -h 127.0.0.1 -U postgres -d $db -qc "CREATE INDEX IF NOT EXISTS vm_name_trgm_idx ON vm USING gin (lower(name) gin_trgm_ops)"
run() { # $1 index to keep, $2 index to drop, $3 label
    psql -h 127.0.0.1 -U postgres -d $db -q -v drop=$2 <<'SQL' | grep -E "^Time" | awk '{print $2}' | tr '\n' ' ' | sed "s/^/$3 insert 20k, state change 5k (ms): /"; echo
BEGIN;
DROP INDEX :drop;
\timing on
WITH o AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k,
                  (SELECT min(u.id) FROM app_user u WHERE u.org_id = org.id) AS owner
             FROM org ORDER BY id LIMIT 200)
INSERT INTO vm (org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb)
SELECT o.id, o.owner, NULL, (ARRAY['ledger', 'billing', 'search'])[1 + g % 3] || '-api-bulk-' || g, 'stopped', 1, 1024, 10
  FROM generate_series(1, 20000) g JOIN o ON o.k = g % 200;
UPDATE vm SET state = 'error' WHERE id IN (SELECT id FROM vm WHERE state = 'stopped' AND node_id IS NULL LIMIT 5000);
\timing off
ROLLBACK;
SQL
}
for round in 1 2 3 4; do
    if [ $((round % 2)) = 1 ]; then
        run vm_name_grams_idx vm_name_trgm_idx "round$round V29 grams"; run vm_name_trgm_idx vm_name_grams_idx "round$round V21 trgm"
    else
        run vm_name_trgm_idx vm_name_grams_idx "round$round V21 trgm"; run vm_name_grams_idx vm_name_trgm_idx "round$round V29 grams"
    fi
done
psql -h 127.0.0.1 -U postgres -d $db -qc "DROP INDEX vm_name_trgm_idx"
