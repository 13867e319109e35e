-- VM listing q=...: the org's VMs whose name contains a substring, without reading the org.
--
-- V21's pg_trgm index on lower(name) spans every organization: q=ledger read the trigram
-- postings of 66,902 VMs of all orgs to find one org's 6,483, and q with sort=name walked the
-- org's name index past every non-matching name first (53,638 rows for the largest `large` org,
-- because ledger-... names sit together past half of it). Here each trigram is keyed by its org:
-- the postings of '1:led' are org 1's names holding "led" and nothing else. VmListing walks the
-- sort order for a bounded number of rows and, when the matches are not there, takes them from
-- this index (docs/READS.md, "Listing with q").
--
-- The grams are every 3-character substring of lower(name), punctuation included (pg_trgm splits
-- words and pads them, so its trigrams of "api-prod" are not all substrings of the name): a name
-- containing q holds every gram of q, so `grams(name) @> grams(q)` never loses a match; LIKE
-- rechecks. Needs no extension. Each element is '<org>:<gram>', unambiguous as a gram is exactly
-- 3 characters. PL/pgSQL: 10 us a name against 31 us for a SQL array_agg(DISTINCT ...) (GIN drops
-- duplicate keys itself).
CREATE FUNCTION vm_name_grams(org bigint, name text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    l      text := lower(name);
    prefix text := org || ':';
    grams  text[] := '{}';
BEGIN
    FOR i IN 1 .. length(l) - 2 LOOP
        grams := grams || (prefix || substr(l, i, 3));
    END LOOP;
    RETURN grams;
END
$$;

CREATE INDEX vm_name_grams_idx ON vm USING gin (vm_name_grams(org_id, name));

-- The org-keyed index replaces the platform-wide one; the planner keeps its statistics of
-- lower(name) (the estimated total of a q listing) from these instead of from that index.
DROP INDEX IF EXISTS vm_name_trgm_idx;
CREATE STATISTICS vm_name_lower_stats ON (lower(name)) FROM vm;
-- Filled now, not at the next auto-analyze (after 10 % of vm changes): until then a q total would be
-- estimated from the default LIKE selectivity (32 rows for the 6,483 ledger names of a large org).
ANALYZE vm;
