-- Packed metric history (io.novacron.metrics.block): raw samples older than
-- NOVACRON_PACK_AFTER_MINUTES move, by the metric-packing maintenance task, from the row tables
-- (vm_metrics, node_metrics) into one row per series and UTC hour holding every column as a
-- compressed stream (format: io.novacron.metrics.block.BlockCodec, docs/METRICS.md).
--
-- A sample is in the row tables or in a block, never both: the move of an hour is one
-- transaction (blocks written, rows deleted). Reads take the union of both in one snapshot.
--
-- Partitioned by day like the raw tables, with the same functions (redefined below), so raw
-- retention drops a day of blocks with DROP TABLE: whole blocks, never row by row.
CREATE TABLE vm_metric_block (
    org_id       bigint      NOT NULL,
    vm_id        bigint      NOT NULL,
    block_start  timestamptz NOT NULL,
    n            integer     NOT NULL,
    data         bytea       NOT NULL,
    PRIMARY KEY (org_id, vm_id, block_start)
) PARTITION BY RANGE (block_start);

CREATE TABLE node_metric_block (
    node_id      bigint      NOT NULL,
    block_start  timestamptz NOT NULL,
    n            integer     NOT NULL,
    data         bytea       NOT NULL,
    PRIMARY KEY (node_id, block_start)
) PARTITION BY RANGE (block_start);

-- Per series scope:
--   packed_until  samples before it belong to packed history. Ingest batches read it under the
--                 shared rollup ingest lock (V11), the packer moves it under the exclusive one,
--                 so no batch is in flight across a move. A batch's samples before it take the
--                 late path: checked against the blocks (a sample already packed is a duplicate)
--                 under the scope's shared pack lock, stored as rows, and their hour marked in
--                 metric_pack_dirty for the packer to fold into the blocks.
--   moved_until   every hour before it has been moved (rows of the late path aside).
-- Invariant: moved_until <= packed_until <= rollup_watermark.tier_until (the rollup compactor
-- only ever reads rows of hours its 5-minute tier has not built).
CREATE TABLE metric_pack_watermark (
    scope         text        PRIMARY KEY CHECK (scope IN ('vm', 'node')),
    packed_until  timestamptz,
    moved_until   timestamptz,
    CHECK (moved_until <= packed_until)
);
INSERT INTO metric_pack_watermark (scope) VALUES ('vm'), ('node');

-- Hours below packed_until that received late rows since they were packed.
CREATE TABLE metric_pack_dirty (
    scope  text        NOT NULL,
    hour   timestamptz NOT NULL,
    PRIMARY KEY (scope, hour)
);

CREATE OR REPLACE FUNCTION ensure_metric_partitions(first_day date, last_day date) RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    d       date := first_day;
    created integer := 0;
    part    text;
    parent  text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('metric_partitions'));
    WHILE d <= last_day LOOP
        FOREACH parent IN ARRAY ARRAY['vm_metrics', 'node_metrics', 'vm_metric_block', 'node_metric_block'] LOOP
            part := format('%s_p%s', parent, to_char(d, 'YYYYMMDD'));
            IF to_regclass(part) IS NULL THEN
                EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                               part, parent, (d::timestamp AT TIME ZONE 'UTC'),
                               ((d + 1)::timestamp AT TIME ZONE 'UTC'));
                created := created + 1;
            END IF;
        END LOOP;
        d := d + 1;
    END LOOP;
    RETURN created;
END
$$;

CREATE OR REPLACE FUNCTION drop_metric_partitions(cutoff timestamptz) RETURNS integer
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
         WHERE p.relname IN ('vm_metrics', 'node_metrics', 'vm_metric_block', 'node_metric_block')
           AND c.relname ~ '_p[0-9]{8}$'
           AND (to_date(right(c.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= cutoff
    LOOP
        EXECUTE format('DROP TABLE %I', r.relname);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END
$$;

-- Block partitions for the days that already have raw partitions.
SELECT ensure_metric_partitions(min(to_date(right(c.relname, 8), 'YYYYMMDD')), max(to_date(right(c.relname, 8), 'YYYYMMDD')))
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'vm_metrics'::regclass AND c.relname ~ '_p[0-9]{8}$';

-- What the packer has packed, per scope and day of block_start (kept by the packer in the pack
-- transactions, pruned with the day's partitions): health and /metrics read sample counts here
-- instead of scanning the blocks.
CREATE TABLE metric_pack_stats (
    scope    text   NOT NULL,
    day      date   NOT NULL,
    blocks   bigint NOT NULL,
    samples  bigint NOT NULL,
    PRIMARY KEY (scope, day)
);
