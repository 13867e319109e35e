-- Series rollups (vm, node) are built from the raw samples behind watermarks instead of from a
-- partial row per ingested bucket (V10's delta). Per scope:
--
--   ingest_until  samples of a 5-minute bucket before it also append a partial to the delta
--                 (they are late: their bucket is already, or about to be, in the tiers);
--                 later samples are written to the raw table only. Batches read it under a shared
--                 advisory lock; the compactor moves it under the exclusive lock, so no batch is
--                 in flight across a move.
--   tier_until    the 5-minute tier (+ delta rows before it) holds every sample before it.
--   hour_until    the 1-hour tier (+ delta rows before it) holds every sample before it.
--   day_until     the 1-day tier (+ delta rows before it) holds every sample before it.
--
-- Invariant: day_until <= hour_until <= tier_until <= ingest_until. A query reads each tier only
-- below its watermark and raw samples for what no tier covers (io.novacron.metrics.query.SeriesReader).
-- NULL: nothing compacted yet; the compactor starts at the oldest day raw retention admits.
--
-- Organization rollups keep V10's scheme (a partial per batch, folded when closed): reading raw
-- samples past a watermark would mean all of a tenant's VMs.
CREATE TABLE rollup_watermark (
    scope         text        PRIMARY KEY CHECK (scope IN ('vm', 'node')),
    ingest_until  timestamptz,
    tier_until    timestamptz,
    hour_until    timestamptz,
    day_until     timestamptz,
    CHECK (day_until <= hour_until AND hour_until <= tier_until AND tier_until <= ingest_until)
);

-- A database that already holds samples has every one of them in the tiers and deltas (V10's
-- scheme); its watermarks start past them (the latest sample may be 10 minutes ahead), on a day
-- boundary so that every tier starts aligned.
INSERT INTO rollup_watermark (scope, ingest_until, tier_until, hour_until, day_until)
SELECT s.scope, w, w, w, w
  FROM (VALUES ('vm', EXISTS (SELECT 1 FROM vm_metrics)), ('node', EXISTS (SELECT 1 FROM node_metrics))) AS s(scope, has_data),
       LATERAL (SELECT CASE WHEN s.has_data
                            THEN date_bin('1 day', now() + interval '15 minutes', timestamptz 'epoch') + interval '1 day'
                       END AS w) AS m;
