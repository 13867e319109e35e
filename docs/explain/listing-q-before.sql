-- The EXPLAIN runs of listing-q.sql for the one statement VmListing sent before V29.
\echo '=== q=ledger sort=name'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_ledger_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_ledger_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_ledger_name;
\echo '=== q=ledger sort=-name'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_ledger_name_desc;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_ledger_name_desc;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_ledger_name_desc;
\echo '=== state=running q=pay sort=name'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_pay_running_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_pay_running_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_pay_running_name;
\echo '=== q=ledger sort=name page 10'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_ledger_name_page10;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_ledger_name_page10;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_ledger_name_page10;
\echo '=== q=api-prod sort=-created_at'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_apiprod_created;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_apiprod_created;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain_apiprod_created;
