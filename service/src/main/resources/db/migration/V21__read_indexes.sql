-- Indexes of the five critical reads. Every tenant index leads with org_id; each sort of the VM
-- listing has an (org_id, <sort key>, id) index read forwards or backwards for keyset pages, so
-- page 100 is one index descent like page 1. Selective filters (node, owner, tag, q) use their
-- own index and sort the (small) match.

-- Listing sort=created_at (default) and the exact created_last_24h boundary count.
CREATE INDEX vm_org_created_idx ON vm (org_id, created_at, id);
-- Listing with one state and the default sort (state is the most common filter).
CREATE INDEX vm_org_state_created_idx ON vm (org_id, state, created_at, id);
CREATE INDEX vm_org_name_idx ON vm (org_id, name, id);
CREATE INDEX vm_org_cpu_idx ON vm (org_id, cpu_cores, id);
CREATE INDEX vm_org_memory_idx ON vm (org_id, memory_mb, id);
-- tag=...: metadata->'tags' @> '["env:prod", ...]'.
CREATE INDEX vm_tags_idx ON vm USING gin ((metadata -> 'tags') jsonb_path_ops);

-- q=...: case-insensitive substring of the name. The trigram index needs pg_trgm (contrib); where
-- the extension cannot be installed the listing still works, by scanning the org's names.
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm unavailable (%): q= falls back to a scan of the org''s VM names', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX vm_name_trgm_idx ON vm USING gin (lower(name) gin_trgm_ops)';
    END IF;
END
$$;

-- Monitoring top-N: read the org's highest values first and stop after one page.
CREATE INDEX vm_latest_org_cpu_idx ON vm_latest (org_id, cpu_usage, vm_id);
CREATE INDEX vm_latest_org_memory_idx ON vm_latest (org_id, memory_usage, vm_id);

-- Platform dashboard: sums over all organizations by time, without a probe per organization.
-- org_vm_created_1h by hour; the exact count over the window's partial first hour across orgs.
CREATE INDEX org_vm_created_1h_bucket_idx ON org_vm_created_1h (bucket) INCLUDE (vm_count);
CREATE INDEX vm_created_idx ON vm (created_at);
-- org_usage_1m (maintained by ingestion) by minute; bucket never changes, so usage upserts stay HOT.
CREATE INDEX org_usage_1m_bucket_idx ON org_usage_1m (bucket) INCLUDE (samples, cpu_sum, memory_sum);

-- Every VM change updates its node's allocation counters (V1 trigger). With full pages those
-- updates cannot stay on the page (HOT), so a bulk load leaves node bloated (measured: 2,717
-- pages for 2,000 nodes after 200k VM inserts), and capacity and the platform dashboard, which
-- read every node, pay for it. Room on each page keeps counter updates HOT and prunable.
ALTER TABLE node SET (fillfactor = 50);
