-- Metric time series: raw samples, partial rollups and their compacted tiers.
--
-- Raw samples are range-partitioned by UTC day. ensure_metric_partitions() creates the days
-- ingestion needs (called by ingestion for a day it has not seen and by the maintenance task for
-- the days ahead); drop_metric_partitions() drops days past the raw retention.
--
-- Keys: (org_id, vm_id, ts) leads with the tenant (FACTS.md "Growing past one machine": Citus
-- distributes by org_id and every unique key must contain it). It costs 8 bytes per row and
-- B-tree entry, and it lets scope=org edges read one tenant's samples. The unique key is what
-- makes ingestion exactly-once (INSERT ... ON CONFLICT DO NOTHING); BRIN on ts serves
-- time-range scans and partition maintenance for a few pages per partition.
-- Percentages (cpu, memory, disk usage, load) are real: 0-100 needs no more than 24 bits of
-- mantissa, and it saves 8 bytes per row; byte rates are double precision.

CREATE TABLE vm_metrics (
    org_id          bigint           NOT NULL,
    vm_id           bigint           NOT NULL,
    ts              timestamptz      NOT NULL,
    cpu_usage       real             NOT NULL,
    memory_usage    real             NOT NULL,
    disk_read_bps   double precision NOT NULL,
    disk_write_bps  double precision NOT NULL,
    net_rx_bps      double precision NOT NULL,
    net_tx_bps      double precision NOT NULL,
    PRIMARY KEY (org_id, vm_id, ts)
) PARTITION BY RANGE (ts);
CREATE INDEX vm_metrics_ts_brin ON vm_metrics USING brin (ts);
-- 100k distinct VMs per day: a larger sample keeps n_distinct (and so GROUP BY estimates) honest.
ALTER TABLE vm_metrics ALTER COLUMN vm_id SET STATISTICS 1000;

CREATE TABLE node_metrics (
    node_id         bigint           NOT NULL,
    ts              timestamptz      NOT NULL,
    cpu_usage       real             NOT NULL,
    memory_usage    real             NOT NULL,
    disk_usage      real             NOT NULL,
    load_1m         real             NOT NULL,
    net_rx_bps      double precision NOT NULL,
    net_tx_bps      double precision NOT NULL,
    PRIMARY KEY (node_id, ts)
) PARTITION BY RANGE (ts);
CREATE INDEX node_metrics_ts_brin ON node_metrics USING brin (ts);

-- Creates the daily partitions of both raw tables covering [first_day, last_day].
-- Serialized by an advisory lock so that concurrent callers never race on CREATE.
CREATE FUNCTION ensure_metric_partitions(first_day date, last_day date) RETURNS integer
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
        FOREACH parent IN ARRAY ARRAY['vm_metrics', 'node_metrics'] LOOP
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

-- Drops the raw partitions whose whole day lies before the cutoff.
CREATE FUNCTION drop_metric_partitions(cutoff timestamptz) RETURNS integer
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
         WHERE p.relname IN ('vm_metrics', 'node_metrics')
           AND c.relname ~ '_p[0-9]{8}$'
           AND (to_date(right(c.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= cutoff
    LOOP
        EXECUTE format('DROP TABLE %I', r.relname);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END
$$;

SELECT ensure_metric_partitions((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 2);

-- Rollups. An aggregate row holds, for one series (or organization) and one bucket, the
-- sample count n and per metric (in the scope's metric order) the sum, min and max, plus one
-- DDSketch per metric (relative accuracy 1%, see io.novacron.metrics.rollup.Aggregate) for p95.
--
-- Ingestion appends one partial row per touched finest bucket to the *_rollup_delta tables
-- (insert only: concurrent batches never wait on each other, so no deadlock and no lost update).
-- The compactor (io.novacron.metrics.rollup.RollupCompactor) moves delta rows into every tier of
-- the *_rollup tables in one transaction. A query reads the tier plus the delta rows of its
-- window, so every acknowledged sample is visible at once and counted exactly once.
CREATE TABLE vm_rollup (
    org_id    bigint             NOT NULL,
    vm_id     bigint             NOT NULL,
    step_s    integer            NOT NULL,
    bucket    timestamptz        NOT NULL,
    n         bigint             NOT NULL,
    sums      double precision[] NOT NULL,
    mins      double precision[] NOT NULL,
    maxs      double precision[] NOT NULL,
    sketches  bytea              NOT NULL,
    PRIMARY KEY (org_id, vm_id, step_s, bucket)
) PARTITION BY LIST (step_s);
CREATE TABLE vm_rollup_5m PARTITION OF vm_rollup FOR VALUES IN (300);
CREATE TABLE vm_rollup_1h PARTITION OF vm_rollup FOR VALUES IN (3600);
CREATE TABLE vm_rollup_1d PARTITION OF vm_rollup FOR VALUES IN (86400);

CREATE TABLE vm_rollup_delta (
    org_id    bigint             NOT NULL,
    vm_id     bigint             NOT NULL,
    bucket    timestamptz        NOT NULL,
    n         bigint             NOT NULL,
    sums      double precision[] NOT NULL,
    mins      double precision[] NOT NULL,
    maxs      double precision[] NOT NULL,
    sketches  bytea              NOT NULL
);
CREATE INDEX vm_rollup_delta_series_idx ON vm_rollup_delta (org_id, vm_id, bucket);

CREATE TABLE node_rollup (
    node_id   bigint             NOT NULL,
    step_s    integer            NOT NULL,
    bucket    timestamptz        NOT NULL,
    n         bigint             NOT NULL,
    sums      double precision[] NOT NULL,
    mins      double precision[] NOT NULL,
    maxs      double precision[] NOT NULL,
    sketches  bytea              NOT NULL,
    PRIMARY KEY (node_id, step_s, bucket)
) PARTITION BY LIST (step_s);
CREATE TABLE node_rollup_5m PARTITION OF node_rollup FOR VALUES IN (300);
CREATE TABLE node_rollup_1h PARTITION OF node_rollup FOR VALUES IN (3600);
CREATE TABLE node_rollup_1d PARTITION OF node_rollup FOR VALUES IN (86400);

CREATE TABLE node_rollup_delta (
    node_id   bigint             NOT NULL,
    bucket    timestamptz        NOT NULL,
    n         bigint             NOT NULL,
    sums      double precision[] NOT NULL,
    mins      double precision[] NOT NULL,
    maxs      double precision[] NOT NULL,
    sketches  bytea              NOT NULL
);
CREATE INDEX node_rollup_delta_series_idx ON node_rollup_delta (node_id, bucket);

-- Per organization, over all its VM samples (scope=org); finest tier 1 minute.
CREATE TABLE org_rollup (
    org_id    bigint             NOT NULL,
    step_s    integer            NOT NULL,
    bucket    timestamptz        NOT NULL,
    n         bigint             NOT NULL,
    sums      double precision[] NOT NULL,
    mins      double precision[] NOT NULL,
    maxs      double precision[] NOT NULL,
    sketches  bytea              NOT NULL,
    PRIMARY KEY (org_id, step_s, bucket)
) PARTITION BY LIST (step_s);
CREATE TABLE org_rollup_1m PARTITION OF org_rollup FOR VALUES IN (60);
CREATE TABLE org_rollup_5m PARTITION OF org_rollup FOR VALUES IN (300);
CREATE TABLE org_rollup_1h PARTITION OF org_rollup FOR VALUES IN (3600);
CREATE TABLE org_rollup_1d PARTITION OF org_rollup FOR VALUES IN (86400);

CREATE TABLE org_rollup_delta (
    org_id    bigint             NOT NULL,
    bucket    timestamptz        NOT NULL,
    n         bigint             NOT NULL,
    sums      double precision[] NOT NULL,
    mins      double precision[] NOT NULL,
    maxs      double precision[] NOT NULL,
    sketches  bytea              NOT NULL
);
CREATE INDEX org_rollup_delta_series_idx ON org_rollup_delta (org_id, bucket);

-- The compactor takes closed buckets from the deltas, which are appended in roughly time order.
CREATE INDEX vm_rollup_delta_bucket_brin ON vm_rollup_delta USING brin (bucket);
CREATE INDEX node_rollup_delta_bucket_brin ON node_rollup_delta USING brin (bucket);
CREATE INDEX org_rollup_delta_bucket_brin ON org_rollup_delta USING brin (bucket);

-- Tiered retention deletes old buckets of one tier at a time.
CREATE INDEX vm_rollup_bucket_brin ON vm_rollup USING brin (bucket);
CREATE INDEX node_rollup_bucket_brin ON node_rollup USING brin (bucket);
CREATE INDEX org_rollup_bucket_brin ON org_rollup USING brin (bucket);
