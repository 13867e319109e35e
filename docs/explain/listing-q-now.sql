-- The EXPLAIN runs of listing-q.sql for the statements VmListing sends now.
\echo '=== q=ledger sort=name: walk (2,040 rows, no match), then trigrams'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_ledger_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_ledger_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_ledger_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE grams_ledger_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE grams_ledger_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE grams_ledger_name;
\echo '=== q=ledger sort=-name: walk, then trigrams'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_ledger_name_desc;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_ledger_name_desc;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_ledger_name_desc;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE grams_ledger_name_desc;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE grams_ledger_name_desc;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE grams_ledger_name_desc;
\echo '=== state=running q=pay sort=name: walk, then trigrams'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_pay_running_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_pay_running_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_pay_running_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE grams_pay_running_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE grams_pay_running_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE grams_pay_running_name;
\echo '=== q=ledger sort=name page 10 (cursor inside the ledger names): the walk fills the page'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_ledger_name_page10;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_ledger_name_page10;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_ledger_name_page10;
\echo '=== q=api-prod sort=-created_at (matches spread): the walk fills the page'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_apiprod_created;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_apiprod_created;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE walk_apiprod_created;
