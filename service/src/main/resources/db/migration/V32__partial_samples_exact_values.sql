-- Partial samples and exact values (issue 21).
--
-- Raw samples: every metric is a nullable double precision. NULL means the sample did not carry
-- that field (a line-protocol line or JSON sample may carry any non-empty subset of its series'
-- fields; Prometheus sends each metric as its own series). A sample carries at least one value.
-- double precision holds what the agent sent (a decimal parsed to the nearest double comes back
-- as the same shortest decimal); real did not (88.41 came back as 88.41000366210938). Existing
-- real values are converted through their shortest text form, so 88.41 stays 88.41 rather than
-- becoming 88.41000366210938 (extra_float_digits >= 1 prints float4 shortest-exact).
SET extra_float_digits = 1;

ALTER TABLE vm_metrics
    ALTER COLUMN cpu_usage TYPE double precision USING cpu_usage::text::double precision,
    ALTER COLUMN memory_usage TYPE double precision USING memory_usage::text::double precision,
    ALTER COLUMN cpu_usage DROP NOT NULL,
    ALTER COLUMN memory_usage DROP NOT NULL,
    ALTER COLUMN disk_read_bps DROP NOT NULL,
    ALTER COLUMN disk_write_bps DROP NOT NULL,
    ALTER COLUMN net_rx_bps DROP NOT NULL,
    ALTER COLUMN net_tx_bps DROP NOT NULL,
    ADD CONSTRAINT vm_metrics_some_value
        CHECK (num_nonnulls(cpu_usage, memory_usage, disk_read_bps, disk_write_bps, net_rx_bps, net_tx_bps) > 0);

ALTER TABLE node_metrics
    ALTER COLUMN cpu_usage TYPE double precision USING cpu_usage::text::double precision,
    ALTER COLUMN memory_usage TYPE double precision USING memory_usage::text::double precision,
    ALTER COLUMN disk_usage TYPE double precision USING disk_usage::text::double precision,
    ALTER COLUMN load_1m TYPE double precision USING load_1m::text::double precision,
    ALTER COLUMN cpu_usage DROP NOT NULL,
    ALTER COLUMN memory_usage DROP NOT NULL,
    ALTER COLUMN disk_usage DROP NOT NULL,
    ALTER COLUMN load_1m DROP NOT NULL,
    ALTER COLUMN net_rx_bps DROP NOT NULL,
    ALTER COLUMN net_tx_bps DROP NOT NULL,
    ADD CONSTRAINT node_metrics_some_value
        CHECK (num_nonnulls(cpu_usage, memory_usage, disk_usage, load_1m, net_rx_bps, net_tx_bps) > 0);

-- Latest values: per metric, the value of the newest stored sample that carries it, and that
-- sample's time in value_ts[m] (1-based, in the kind's metric order); ts is the newest sample's
-- time of any metric. A metric never received is NULL (value and time). A NULL value_ts (rows
-- written before this migration, or without it) means every value is from ts.
ALTER TABLE vm_latest
    ALTER COLUMN cpu_usage TYPE double precision USING cpu_usage::text::double precision,
    ALTER COLUMN memory_usage TYPE double precision USING memory_usage::text::double precision,
    ALTER COLUMN cpu_usage DROP NOT NULL,
    ALTER COLUMN memory_usage DROP NOT NULL,
    ALTER COLUMN disk_read_bps DROP NOT NULL,
    ALTER COLUMN disk_write_bps DROP NOT NULL,
    ALTER COLUMN net_rx_bps DROP NOT NULL,
    ALTER COLUMN net_tx_bps DROP NOT NULL,
    ADD COLUMN value_ts timestamptz[];

ALTER TABLE node_latest
    ALTER COLUMN cpu_usage TYPE double precision USING cpu_usage::text::double precision,
    ALTER COLUMN memory_usage TYPE double precision USING memory_usage::text::double precision,
    ALTER COLUMN disk_usage TYPE double precision USING disk_usage::text::double precision,
    ALTER COLUMN load_1m TYPE double precision USING load_1m::text::double precision,
    ALTER COLUMN cpu_usage DROP NOT NULL,
    ALTER COLUMN memory_usage DROP NOT NULL,
    ALTER COLUMN disk_usage DROP NOT NULL,
    ALTER COLUMN load_1m DROP NOT NULL,
    ALTER COLUMN net_rx_bps DROP NOT NULL,
    ALTER COLUMN net_tx_bps DROP NOT NULL,
    ADD COLUMN value_ts timestamptz[];

-- Rollups: n is the number of samples summarized; counts[m] the number of values of metric m
-- among them (a sample may lack some metrics). NULL counts means every metric has n values (rows
-- written before this migration, and the common case, which is stored as NULL to save the array).
-- The sums, mins and maxs of a metric without values are 0, +Infinity and -Infinity.
ALTER TABLE vm_rollup ADD COLUMN counts bigint[];
ALTER TABLE vm_rollup_delta ADD COLUMN counts bigint[];
ALTER TABLE node_rollup ADD COLUMN counts bigint[];
ALTER TABLE node_rollup_delta ADD COLUMN counts bigint[];
ALTER TABLE org_rollup ADD COLUMN counts bigint[];
ALTER TABLE org_rollup_delta ADD COLUMN counts bigint[];

-- Dashboard usage: the averages are cpu_sum / cpu_samples and memory_sum / memory_samples, over
-- the samples that carried the metric; samples stays the number of samples stored. NULL (rows
-- written before this migration) means samples: every sample carried the metric.
ALTER TABLE org_usage_1m ADD COLUMN cpu_samples bigint, ADD COLUMN memory_samples bigint;
DROP INDEX org_usage_1m_bucket_idx;
CREATE INDEX org_usage_1m_bucket_idx ON org_usage_1m (bucket) INCLUDE (samples, cpu_sum, memory_sum, cpu_samples, memory_samples);
