-- Dashboard figures that V20 left to count at read time, now kept as totals, so that a
-- dashboard reads a fixed number of rows whatever the size of the org or the platform:
--   * per org: nodes_in_use and owners, moved by the 0 <-> non-zero transitions of the V20
--     org_node_vms / org_owner_vms rows (the largest org counted ~5,000 + 1,000 rows per read);
--   * platform: VMs per state with their sizes, creations per hour, owners and nodes in use
--     (the platform view summed ~30,000 counter rows per read).
-- Platform totals are striped (stripe = org_id % 16, or node_id % 16), so concurrent writers
-- of different organizations rarely wait on the same row; readers sum the 16 stripes.

CREATE TABLE org_summary (
    org_id        bigint PRIMARY KEY,
    nodes_in_use  bigint NOT NULL,   -- org_node_vms rows with vm_count > 0
    owners        bigint NOT NULL    -- org_owner_vms rows with vm_count > 0
);

CREATE TABLE platform_vm_stats (
    stripe     smallint NOT NULL,
    state      text     NOT NULL,
    vm_count   bigint   NOT NULL,
    cpu_cores  bigint   NOT NULL,
    memory_mb  bigint   NOT NULL,
    disk_gb    bigint   NOT NULL,
    PRIMARY KEY (stripe, state)
);

-- Keyed by bucket first: the dashboard reads the last 24 hours' buckets.
CREATE TABLE platform_vm_created_1h (
    bucket    timestamptz NOT NULL,
    stripe    smallint    NOT NULL,
    vm_count  bigint      NOT NULL,
    PRIMARY KEY (bucket, stripe)
);

-- owners: sum of org_summary.owners per org stripe; nodes_in_use: nodes with vm_count > 0 per
-- node stripe (the same rule as V20's per-org figure).
CREATE TABLE platform_counts (
    stripe        smallint PRIMARY KEY,
    owners        bigint NOT NULL DEFAULT 0,
    nodes_in_use  bigint NOT NULL DEFAULT 0
);
INSERT INTO platform_counts (stripe) SELECT generate_series(0, 15);

-- No VM or node change may commit between the backfill below and the new triggers.
LOCK TABLE vm, node IN SHARE MODE;

-- The V20 maintenance functions, regenerated with the new totals. Transitions: the upserts into
-- org_node_vms / org_owner_vms return each row's new count; with the statement's delta that
-- gives the old one, and a row crossing zero moves nodes_in_use / owners by one. The row lock
-- the upsert takes serializes writers of one row, so each crossing is seen by exactly one.
DO $gen$
DECLARE
    body text := $body$
BEGIN
    %s
    WITH d AS (%s),
    s AS (
        INSERT INTO org_vm_stats AS t (org_id, state, vm_count, cpu_cores, memory_mb, disk_gb)
        SELECT org_id, state, sum(sign), sum(sign * cpu_cores), sum(sign * memory_mb), sum(sign * disk_gb)
          FROM d GROUP BY org_id, state
        HAVING sum(sign) <> 0 OR sum(sign * cpu_cores) <> 0 OR sum(sign * memory_mb) <> 0 OR sum(sign * disk_gb) <> 0
         ORDER BY org_id, state
        ON CONFLICT (org_id, state) DO UPDATE
           SET vm_count = t.vm_count + excluded.vm_count, cpu_cores = t.cpu_cores + excluded.cpu_cores,
               memory_mb = t.memory_mb + excluded.memory_mb, disk_gb = t.disk_gb + excluded.disk_gb),
    nd AS (
        SELECT org_id, node_id, sum(sign) AS delta FROM d
         WHERE node_id IS NOT NULL AND vm_state_holds_resources(state)
         GROUP BY org_id, node_id HAVING sum(sign) <> 0),
    n AS (
        INSERT INTO org_node_vms AS t (org_id, node_id, vm_count)
        SELECT org_id, node_id, delta FROM nd ORDER BY org_id, node_id
        ON CONFLICT (org_id, node_id) DO UPDATE SET vm_count = t.vm_count + excluded.vm_count
        RETURNING t.org_id, t.node_id, t.vm_count),
    od AS (
        SELECT org_id, owner_id, sum(sign) AS delta FROM d
         GROUP BY org_id, owner_id HAVING sum(sign) <> 0),
    o AS (
        INSERT INTO org_owner_vms AS t (org_id, owner_id, vm_count)
        SELECT org_id, owner_id, delta FROM od ORDER BY org_id, owner_id
        ON CONFLICT (org_id, owner_id) DO UPDATE SET vm_count = t.vm_count + excluded.vm_count
        RETURNING t.org_id, t.owner_id, t.vm_count),
    c AS (
        INSERT INTO org_vm_created_1h AS t (org_id, bucket, vm_count)
        SELECT org_id, date_trunc('hour', created_at), sum(sign) FROM d
         GROUP BY 1, 2 HAVING sum(sign) <> 0 ORDER BY 1, 2
        ON CONFLICT (org_id, bucket) DO UPDATE SET vm_count = t.vm_count + excluded.vm_count),
    ps AS (
        INSERT INTO platform_vm_stats AS t (stripe, state, vm_count, cpu_cores, memory_mb, disk_gb)
        SELECT org_id %% 16, state, sum(sign), sum(sign * cpu_cores), sum(sign * memory_mb), sum(sign * disk_gb)
          FROM d GROUP BY 1, 2
        HAVING sum(sign) <> 0 OR sum(sign * cpu_cores) <> 0 OR sum(sign * memory_mb) <> 0 OR sum(sign * disk_gb) <> 0
         ORDER BY 1, 2
        ON CONFLICT (stripe, state) DO UPDATE
           SET vm_count = t.vm_count + excluded.vm_count, cpu_cores = t.cpu_cores + excluded.cpu_cores,
               memory_mb = t.memory_mb + excluded.memory_mb, disk_gb = t.disk_gb + excluded.disk_gb),
    pc AS (
        INSERT INTO platform_vm_created_1h AS t (bucket, stripe, vm_count)
        SELECT date_trunc('hour', created_at), org_id %% 16, sum(sign) FROM d
         GROUP BY 1, 2 HAVING sum(sign) <> 0 ORDER BY 1, 2
        ON CONFLICT (bucket, stripe) DO UPDATE SET vm_count = t.vm_count + excluded.vm_count),
    crossings AS (
        SELECT n.org_id, sign(n.vm_count)::int - sign(n.vm_count - nd.delta)::int AS nodes, 0 AS owners
          FROM n JOIN nd USING (org_id, node_id)
        UNION ALL
        SELECT o.org_id, 0, sign(o.vm_count)::int - sign(o.vm_count - od.delta)::int
          FROM o JOIN od USING (org_id, owner_id)),
    moved AS (
        SELECT org_id, sum(nodes) AS nodes, sum(owners) AS owners FROM crossings
         GROUP BY org_id HAVING sum(nodes) <> 0 OR sum(owners) <> 0),
    os AS (
        INSERT INTO org_summary AS t (org_id, nodes_in_use, owners)
        SELECT org_id, nodes, owners FROM moved ORDER BY org_id
        ON CONFLICT (org_id) DO UPDATE
           SET nodes_in_use = t.nodes_in_use + excluded.nodes_in_use, owners = t.owners + excluded.owners)
    INSERT INTO platform_counts AS t (stripe, owners)
    SELECT org_id %% 16, sum(owners) FROM moved GROUP BY 1 HAVING sum(owners) <> 0 ORDER BY 1
    ON CONFLICT (stripe) DO UPDATE SET owners = t.owners + excluded.owners;
    PERFORM pg_notify('novacron_changes', org_id::text) FROM (%s) touched;
    PERFORM pg_notify('novacron_changes', 'platform');
    RETURN NULL;
END
$body$;
    cols text := 'org_id, owner_id, node_id, state, cpu_cores, memory_mb, disk_gb, created_at';
    -- An update that changes no counted column (name, metadata, updated_at) skips the upserts.
    unchanged text := $guard$
    IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE (n.org_id, n.owner_id, n.node_id, n.state, n.cpu_cores, n.memory_mb, n.disk_gb, n.created_at)
                          IS DISTINCT FROM (o.org_id, o.owner_id, o.node_id, o.state, o.cpu_cores, o.memory_mb, o.disk_gb, o.created_at)) THEN
        PERFORM pg_notify('novacron_changes', org_id::text) FROM (SELECT DISTINCT org_id FROM new_rows) touched;
        RETURN NULL;
    END IF;$guard$;
BEGIN
    EXECUTE format('CREATE OR REPLACE FUNCTION vm_counts_insert() RETURNS trigger LANGUAGE plpgsql AS %L',
                   format(body, '', format('SELECT %s, 1 AS sign FROM new_rows', cols), 'SELECT DISTINCT org_id FROM new_rows'));
    EXECUTE format('CREATE OR REPLACE FUNCTION vm_counts_delete() RETURNS trigger LANGUAGE plpgsql AS %L',
                   format(body, '', format('SELECT %s, -1 AS sign FROM old_rows', cols), 'SELECT DISTINCT org_id FROM old_rows'));
    EXECUTE format('CREATE OR REPLACE FUNCTION vm_counts_update() RETURNS trigger LANGUAGE plpgsql AS %L',
                   format(body, unchanged, format('SELECT %s, 1 AS sign FROM new_rows UNION ALL SELECT %s, -1 FROM old_rows', cols, cols),
                          'SELECT org_id FROM new_rows UNION SELECT org_id FROM old_rows'));
END
$gen$;

CREATE OR REPLACE FUNCTION vm_counts_truncate() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    TRUNCATE org_vm_stats, org_node_vms, org_owner_vms, org_vm_created_1h, org_summary,
             platform_vm_stats, platform_vm_created_1h;
    UPDATE platform_counts SET owners = 0;
    PERFORM pg_notify('novacron_changes', id::text) FROM org;
    PERFORM pg_notify('novacron_changes', 'platform');
    RETURN NULL;
END
$fn$;

-- Platform nodes_in_use follows node.vm_count (kept by V1's vm_node_allocation): only a node
-- whose count crosses zero fires this, so an ordinary VM change pays a WHEN test, not a call.
CREATE FUNCTION node_use_count() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    UPDATE platform_counts
       SET nodes_in_use = nodes_in_use + CASE WHEN TG_OP = 'DELETE' THEN -1
                                              WHEN TG_OP = 'INSERT' THEN 1
                                              ELSE sign(NEW.vm_count)::int - sign(OLD.vm_count)::int END
     WHERE stripe = (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END) % 16;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER node_use_insert AFTER INSERT ON node
    FOR EACH ROW WHEN (NEW.vm_count > 0) EXECUTE FUNCTION node_use_count();
CREATE TRIGGER node_use_update AFTER UPDATE OF vm_count ON node
    FOR EACH ROW WHEN ((OLD.vm_count > 0) <> (NEW.vm_count > 0)) EXECUTE FUNCTION node_use_count();
CREATE TRIGGER node_use_delete AFTER DELETE ON node
    FOR EACH ROW WHEN (OLD.vm_count > 0) EXECUTE FUNCTION node_use_count();

CREATE FUNCTION node_use_truncate() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    UPDATE platform_counts SET nodes_in_use = 0;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER node_use_truncate AFTER TRUNCATE ON node
    FOR EACH STATEMENT EXECUTE FUNCTION node_use_truncate();

-- Backfill from the V20 counters and the nodes, in key order: the dashboard reads the last 24
-- hours of platform_vm_created_1h, which in hash-aggregate order lay one row per page.
INSERT INTO org_summary (org_id, nodes_in_use, owners)
SELECT org_id, sum(nodes), sum(owners)
  FROM (SELECT org_id, count(*) AS nodes, 0 AS owners FROM org_node_vms WHERE vm_count > 0 GROUP BY org_id
        UNION ALL
        SELECT org_id, 0, count(*) FROM org_owner_vms WHERE vm_count > 0 GROUP BY org_id) x
 GROUP BY org_id ORDER BY org_id;
INSERT INTO platform_vm_stats
SELECT org_id % 16, state, sum(vm_count), sum(cpu_cores), sum(memory_mb), sum(disk_gb) FROM org_vm_stats GROUP BY 1, 2 ORDER BY 1, 2;
INSERT INTO platform_vm_created_1h
SELECT bucket, org_id % 16, sum(vm_count) FROM org_vm_created_1h GROUP BY 1, 2 ORDER BY 1, 2;
UPDATE platform_counts p SET owners = x.owners
  FROM (SELECT org_id % 16 AS stripe, sum(owners) AS owners FROM org_summary GROUP BY 1) x WHERE x.stripe = p.stripe;
UPDATE platform_counts p SET nodes_in_use = x.n
  FROM (SELECT id % 16 AS stripe, count(*) AS n FROM node WHERE vm_count > 0 GROUP BY 1) x WHERE x.stripe = p.stripe;
