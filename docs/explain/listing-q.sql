-- VM listing with q (name substring) before and after V29 (vm_name_grams_idx, the org-keyed
-- name trigrams) and VmListing's bounded walk: on one database, the statements VmListing now
-- sends (the walk of at most 40 rows per row of the page, then, when the page is not full, the
-- rest from the org's trigrams), then the single statement it sent before, inside a transaction
-- that puts V21's pg_trgm index back in place of V29's, rolled back. Three runs each; the largest
-- organization, limit 50 (51 rows asked, a walk of 2,040). Stop the service first.
--   psql -d novacron_bench_large -v org_name=bench-large-s42-org-0001 -f docs/explain/listing-q.sql \
--        > docs/explain/listing-q-large.txt
\pset pager off
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SELECT id AS org FROM org WHERE name = :'org_name' \gset
SELECT count(*) AS org_vms, count(*) FILTER (WHERE lower(name) LIKE '%ledger%') AS ledger,
       count(*) FILTER (WHERE lower(name) LIKE '%pay%' AND state = 'running') AS pay_running
  FROM vm WHERE org_id = :org \gset
\echo 'organization' :org 'with' :org_vms 'VMs,' :ledger 'named *ledger*,' :pay_running 'running and named *pay*'
-- Where each walk stops (its 2,040th row) and a cursor inside the ledger names (page 10).
SELECT name AS walk_end_name, id AS walk_end_id FROM vm WHERE org_id = :org ORDER BY name, id OFFSET 2039 LIMIT 1 \gset
SELECT name AS walk_end_rname, id AS walk_end_rid FROM vm WHERE org_id = :org ORDER BY name DESC, id DESC OFFSET 2039 LIMIT 1 \gset
SELECT name AS pay_end_name, id AS pay_end_id FROM vm WHERE org_id = :org AND state = 'running' ORDER BY name, id OFFSET 2039 LIMIT 1 \gset
SELECT name AS page10_name, id AS page10_id FROM vm WHERE org_id = :org AND lower(name) LIKE '%ledger%' ORDER BY name, id OFFSET 449 LIMIT 1 \gset

\set out 'id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text AS metadata, created_at, updated_at'
\set vout 'v.id, v.org_id, v.owner_id, v.node_id, v.name, v.state, v.cpu_cores, v.memory_mb, v.disk_gb, v.metadata::text AS metadata, v.created_at, v.updated_at'
-- Now: the walk (VmListing.walkThenGrams, first statement) ...
PREPARE walk_ledger_name AS
SELECT :vout, k.hit, k.rn FROM (SELECT * FROM (SELECT id, name, (lower(name) LIKE lower('%ledger%')) AS hit,
                                                      row_number() OVER (ORDER BY name, id) AS rn
                                                 FROM vm WHERE org_id = :org ORDER BY name, id LIMIT 2040) w
                                 WHERE hit OR rn = 2040 ORDER BY name, id LIMIT 51) k
  JOIN vm v ON v.id = k.id ORDER BY k.name, k.id;
PREPARE walk_ledger_name_desc AS
SELECT :vout, k.hit, k.rn FROM (SELECT * FROM (SELECT id, name, (lower(name) LIKE lower('%ledger%')) AS hit,
                                                      row_number() OVER (ORDER BY name DESC, id DESC) AS rn
                                                 FROM vm WHERE org_id = :org ORDER BY name DESC, id DESC LIMIT 2040) w
                                 WHERE hit OR rn = 2040 ORDER BY name DESC, id DESC LIMIT 51) k
  JOIN vm v ON v.id = k.id ORDER BY k.name DESC, k.id DESC;
PREPARE walk_pay_running_name AS
SELECT :vout, k.hit, k.rn FROM (SELECT * FROM (SELECT id, name, (lower(name) LIKE lower('%pay%')) AS hit,
                                                      row_number() OVER (ORDER BY name, id) AS rn
                                                 FROM vm WHERE org_id = :org AND state = 'running' ORDER BY name, id LIMIT 2040) w
                                 WHERE hit OR rn = 2040 ORDER BY name, id LIMIT 51) k
  JOIN vm v ON v.id = k.id ORDER BY k.name, k.id;
PREPARE walk_ledger_name_page10 AS
SELECT :vout, k.hit, k.rn FROM (SELECT * FROM (SELECT id, name, (lower(name) LIKE lower('%ledger%')) AS hit,
                                                      row_number() OVER (ORDER BY name, id) AS rn
                                                 FROM vm WHERE org_id = :org AND (name, id) > (:'page10_name', :page10_id) ORDER BY name, id LIMIT 2040) w
                                 WHERE hit OR rn = 2040 ORDER BY name, id LIMIT 51) k
  JOIN vm v ON v.id = k.id ORDER BY k.name, k.id;
PREPARE walk_apiprod_created AS
SELECT :vout, k.hit, k.rn FROM (SELECT * FROM (SELECT id, created_at, (lower(name) LIKE lower('%api-prod%')) AS hit,
                                                      row_number() OVER (ORDER BY created_at DESC, id DESC) AS rn
                                                 FROM vm WHERE org_id = :org ORDER BY created_at DESC, id DESC LIMIT 2040) w
                                 WHERE hit OR rn = 2040 ORDER BY created_at DESC, id DESC LIMIT 51) k
  JOIN vm v ON v.id = k.id ORDER BY k.created_at DESC, k.id DESC;
-- ... and, when the walk ran out before the page filled, the rest from the trigrams (second statement).
PREPARE grams_ledger_name AS
SELECT * FROM (SELECT :out FROM vm WHERE org_id = :org AND lower(name) LIKE lower('%ledger%')
                  AND vm_name_grams(org_id, name) @> vm_name_grams(:org, 'ledger')
                  AND (name, id) > (:'walk_end_name', :walk_end_id) OFFSET 0) m ORDER BY name, id LIMIT 51;
PREPARE grams_ledger_name_desc AS
SELECT * FROM (SELECT :out FROM vm WHERE org_id = :org AND lower(name) LIKE lower('%ledger%')
                  AND vm_name_grams(org_id, name) @> vm_name_grams(:org, 'ledger')
                  AND (name, id) < (:'walk_end_rname', :walk_end_rid) OFFSET 0) m ORDER BY name DESC, id DESC LIMIT 51;
PREPARE grams_pay_running_name AS
SELECT * FROM (SELECT :out FROM vm WHERE org_id = :org AND state = 'running' AND lower(name) LIKE lower('%pay%')
                  AND vm_name_grams(org_id, name) @> vm_name_grams(:org, 'pay')
                  AND (name, id) > (:'pay_end_name', :pay_end_id) OFFSET 0) m ORDER BY name, id LIMIT 51;
-- Before: one statement, the planner's choice.
PREPARE plain_ledger_name AS
SELECT :out FROM vm WHERE org_id = :org AND lower(name) LIKE '%ledger%' ORDER BY name, id LIMIT 51;
PREPARE plain_ledger_name_desc AS
SELECT :out FROM vm WHERE org_id = :org AND lower(name) LIKE '%ledger%' ORDER BY name DESC, id DESC LIMIT 51;
PREPARE plain_pay_running_name AS
SELECT :out FROM vm WHERE org_id = :org AND state = 'running' AND lower(name) LIKE '%pay%' ORDER BY name, id LIMIT 51;
PREPARE plain_ledger_name_page10 AS
SELECT :out FROM vm WHERE org_id = :org AND lower(name) LIKE '%ledger%' AND (name, id) > (:'page10_name', :page10_id)
 ORDER BY name, id LIMIT 51;
PREPARE plain_apiprod_created AS
SELECT :out FROM vm WHERE org_id = :org AND lower(name) LIKE '%api-prod%' ORDER BY created_at DESC, id DESC LIMIT 51;

\echo '########## now (V29, bounded walk, then trigrams)'
\ir listing-q-now.sql

\echo '########## before (V21 pg_trgm index, no V29; in a transaction, rolled back)'
BEGIN;
DROP INDEX vm_name_grams_idx;
CREATE INDEX vm_name_trgm_idx ON vm USING gin (lower(name) gin_trgm_ops);
ANALYZE vm; -- the index's expression statistics, as V28 had them after the load's VACUUM (ANALYZE)
\ir listing-q-before.sql
ROLLBACK;
