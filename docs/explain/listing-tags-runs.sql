-- The EXPLAIN runs of listing-tags-before.sql and listing-tags-now.sql (the same names, prepared by each).
\echo '=== tag=env:test sort=name, page 1'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE test_by_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE test_by_name;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE test_by_name;
\echo '=== tag=env:staging&tag=tier:db sort=-created_at, page 1'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE staging_db_by_created_desc;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE staging_db_by_created_desc;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE staging_db_by_created_desc;
\echo '=== tag=env:staging&tag=tier:db sort=-cpu_cores, page 1'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE staging_db_by_cpu_desc;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE staging_db_by_cpu_desc;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE staging_db_by_cpu_desc;
\echo '=== state=running&tag=env:dev&tag=tier:cache sort=memory_mb, page 1'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE running_dev_cache_by_memory;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE running_dev_cache_by_memory;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE running_dev_cache_by_memory;
\echo '=== tag=env:prod sort=created_at, page 50 (after the cursor)'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE prod_by_created_page_50;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE prod_by_created_page_50;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE prod_by_created_page_50;
