-- The EXPLAIN runs of capacity.sql, included twice by it (with and without the indexes).
\echo '=== all nodes, page of 500 by free CPU'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE page_all;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE page_all;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE page_all;
\echo '=== one zone, fits 16 vCPU / 64 GiB, page of 50'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE page_zone_fits;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE page_zone_fits;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE page_zone_fits;
\echo '=== by free memory, the page after a cursor (50th node)'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE page_memory_after;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE page_memory_after;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE page_memory_after;
\echo '=== totals'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE totals;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE totals;
