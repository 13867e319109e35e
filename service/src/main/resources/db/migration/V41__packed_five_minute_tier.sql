-- Issue 20, packed rollups: below packed_until the packed blocks are the series' 5-minute tier.
-- An hour's 5-minute rows (sums, mins, maxs and a quantile sketch per metric: ~100 bytes per raw
-- sample, measured on small) say less than the hour's block (~13 bytes per sample, every value
-- exactly), so the packer deletes them when it moves the hour and queries aggregate the blocks.
-- So blocks are kept as long as the 5-minute tier: retention drops block days past the longer of
-- the raw and 5-minute retentions, raw row days past the raw retention as before.

DROP FUNCTION drop_metric_partitions(timestamptz);

CREATE FUNCTION drop_metric_partitions(cutoff timestamptz, block_cutoff timestamptz) RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    r       record;
    dropped integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('metric_partitions'));
    FOR r IN
        SELECT c.relname
          FROM pg_inherits i
          JOIN pg_class c ON c.oid = i.inhrelid
          JOIN pg_class p ON p.oid = i.inhparent
         WHERE c.relname ~ '_p[0-9]{8}$'
           AND ((p.relname IN ('vm_metrics', 'node_metrics')
                 AND (to_date(right(c.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= cutoff)
             OR (p.relname IN ('vm_metric_block', 'node_metric_block')
                 AND (to_date(right(c.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= block_cutoff))
    LOOP
        EXECUTE format('DROP TABLE %I', r.relname);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END
$$;

-- Hours packed before this version still have their 5-minute rows.
DELETE FROM vm_rollup
 WHERE step_s = 300 AND bucket < (SELECT packed_until FROM metric_pack_watermark WHERE scope = 'vm');
DELETE FROM node_rollup
 WHERE step_s = 300 AND bucket < (SELECT packed_until FROM metric_pack_watermark WHERE scope = 'node');
