-- VM listing tag=...: a page walks its sort's index reading each VM's tags from the index itself.
--
-- Until now a tag page walked (org_id, <sort>, id) and fetched every walked VM's heap row to test
-- metadata->'tags' @> '[...]'. Matches of the tags the dashboards filter by are spread through any
-- sort order (env:test + tier:db is 1 VM in 42), so one page of 51 walked ~2,150 VMs and fetched
-- as many heap rows, scattered: 4.4 ms by CPU, 14.8 ms by creation time (medians of 9, largest
-- `large` org, while a load ran). A GIN index cannot help: it gives every match of the org
-- (28,600 for env:staging there), unsorted.
--
-- Here the tags are a stored column (generated from metadata, so every writer keeps it, COPY and
-- psql included) carried as a non-key column of every listing sort index: the same walk is index-
-- only (1.7 and 2.3 ms for those two pages, same run), and the page's full rows are joined back
-- for its 51 VMs alone (VmListing). The price: on `large` those indexes grow 2-3x (vm's indexes
-- 0.77 -> 1.63 GB) and writes of vm ~20 % slower (docs/READS.md, "Listing with tags").
--
-- vm_tags() keeps the string elements of metadata.tags (the API admits nothing else there), so
-- `tags @> ARRAY[...]` answers exactly what `metadata -> 'tags' @> '[...]'` did.
CREATE FUNCTION vm_tags(metadata jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(e #>> '{}'), '{}')
      FROM jsonb_array_elements(CASE jsonb_typeof(metadata -> 'tags') WHEN 'array' THEN metadata -> 'tags' ELSE '[]' END) e
     WHERE jsonb_typeof(e) = 'string'
$$;

-- Dropped first so the table rewrite below does not build them twice.
DROP INDEX vm_org_created_idx, vm_org_name_idx, vm_org_cpu_idx, vm_org_memory_idx,
    vm_org_state_created_idx, vm_org_state_name_idx, vm_org_state_cpu_idx, vm_org_state_memory_idx, vm_tags_idx;

ALTER TABLE vm ADD COLUMN tags text[] NOT NULL GENERATED ALWAYS AS (vm_tags(metadata)) STORED;

-- The keys of V21 and V27, unchanged: each gives its sort for keyset pages (and created_at the
-- dashboard's exact created_last_24h boundary count).
CREATE INDEX vm_org_created_idx ON vm (org_id, created_at, id) INCLUDE (tags);
CREATE INDEX vm_org_name_idx ON vm (org_id, name, id) INCLUDE (tags);
CREATE INDEX vm_org_cpu_idx ON vm (org_id, cpu_cores, id) INCLUDE (tags);
CREATE INDEX vm_org_memory_idx ON vm (org_id, memory_mb, id) INCLUDE (tags);
CREATE INDEX vm_org_state_created_idx ON vm (org_id, state, created_at, id) INCLUDE (tags);
CREATE INDEX vm_org_state_name_idx ON vm (org_id, state, name, id) INCLUDE (tags);
CREATE INDEX vm_org_state_cpu_idx ON vm (org_id, state, cpu_cores, id) INCLUDE (tags);
CREATE INDEX vm_org_state_memory_idx ON vm (org_id, state, memory_mb, id) INCLUDE (tags);
-- A rare tag (app:...): its postings, then a sort of the few matches.
CREATE INDEX vm_tags_idx ON vm USING gin (tags);

-- V31 vacuums vm: the rewrite above left its visibility map empty.
