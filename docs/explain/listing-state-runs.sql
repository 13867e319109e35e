-- The EXPLAIN runs of listing-state.sql, included twice by it (with and without the indexes).
\echo '=== state=error sort=name, page 1'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE errors_by_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE errors_by_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE errors_by_name;
\echo '=== state=error sort=name, page 2 (after the cursor)'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE errors_by_name_after;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE errors_by_name_after;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE errors_by_name_after;
\echo '=== state=paused sort=-cpu_cores'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE paused_by_cpu_desc;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE paused_by_cpu_desc;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE paused_by_cpu_desc;
\echo '=== state=running sort=memory_mb (a common state: little to gain)'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE running_by_memory;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE running_by_memory;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE running_by_memory;
