-- Read model of the dashboard: per-organization figures maintained by triggers in the same
-- transaction as every inventory change, whatever code path made it (API, loader COPY, psql).
--
-- Contention: counters are spread over (org, state), (org, node), (org, owner) and (org, hour)
-- rows, so writers only meet on a row when they change VMs of the same org in the same way.
-- The platform view is a sum over organizations at read time (no platform-wide hot row).
-- Rows whose count falls to zero are kept; readers count rows with vm_count > 0.

-- VMs of an org per state, with their summed sizes.
CREATE TABLE org_vm_stats (
    org_id     bigint NOT NULL,
    state      text   NOT NULL,
    vm_count   bigint NOT NULL,
    cpu_cores  bigint NOT NULL,
    memory_mb  bigint NOT NULL,
    disk_gb    bigint NOT NULL,
    PRIMARY KEY (org_id, state)
);

-- VMs of an org holding resources on each node (pending, running, paused, migrating): the same
-- rule as node.vm_count, so per-org and platform "nodes_in_use" mean the same thing.
CREATE TABLE org_node_vms (
    org_id    bigint NOT NULL,
    node_id   bigint NOT NULL,
    vm_count  bigint NOT NULL,
    PRIMARY KEY (org_id, node_id)
);

-- VMs of an org per owner ("owners" = users owning at least one VM).
CREATE TABLE org_owner_vms (
    org_id    bigint NOT NULL,
    owner_id  bigint NOT NULL,
    vm_count  bigint NOT NULL,
    PRIMARY KEY (org_id, owner_id)
);

-- VMs of an org by creation hour: created_last_24h = the full hours inside the window from here
-- plus an exact index count over the one partial hour at the window's start.
CREATE TABLE org_vm_created_1h (
    org_id    bigint      NOT NULL,
    bucket    timestamptz NOT NULL,
    vm_count  bigint      NOT NULL,
    PRIMARY KEY (org_id, bucket)
);

-- Counter maintenance: one statement-level trigger per event, with transition tables, so a COPY
-- of a million VMs costs one grouped upsert per counter table, not a million. Deltas that cancel
-- out (e.g. a metadata-only update) touch no counter row, so take no lock; keys are upserted in
-- order so lock order is fixed. Then the cache invalidation: every VM change announces its
-- organizations and the platform (capacity and the platform dashboard change with any VM);
-- NOTIFY folds identical payloads of one transaction into one.
-- The three functions share one body, generated here so that each holds static SQL whose plan
-- PL/pgSQL caches (a dynamic EXECUTE re-planned it on every statement: measured 7x slower).
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
    n AS (
        INSERT INTO org_node_vms AS t (org_id, node_id, vm_count)
        SELECT org_id, node_id, sum(sign) FROM d
         WHERE node_id IS NOT NULL AND vm_state_holds_resources(state)
         GROUP BY org_id, node_id HAVING sum(sign) <> 0 ORDER BY org_id, node_id
        ON CONFLICT (org_id, node_id) DO UPDATE SET vm_count = t.vm_count + excluded.vm_count),
    o AS (
        INSERT INTO org_owner_vms AS t (org_id, owner_id, vm_count)
        SELECT org_id, owner_id, sum(sign) FROM d
         GROUP BY org_id, owner_id HAVING sum(sign) <> 0 ORDER BY org_id, owner_id
        ON CONFLICT (org_id, owner_id) DO UPDATE SET vm_count = t.vm_count + excluded.vm_count)
    INSERT INTO org_vm_created_1h AS t (org_id, bucket, vm_count)
    SELECT org_id, date_trunc('hour', created_at), sum(sign) FROM d
     GROUP BY 1, 2 HAVING sum(sign) <> 0 ORDER BY 1, 2
    ON CONFLICT (org_id, bucket) DO UPDATE SET vm_count = t.vm_count + excluded.vm_count;
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
    EXECUTE format('CREATE FUNCTION vm_counts_insert() RETURNS trigger LANGUAGE plpgsql AS %L',
                   format(body, '', format('SELECT %s, 1 AS sign FROM new_rows', cols), 'SELECT DISTINCT org_id FROM new_rows'));
    EXECUTE format('CREATE FUNCTION vm_counts_delete() RETURNS trigger LANGUAGE plpgsql AS %L',
                   format(body, '', format('SELECT %s, -1 AS sign FROM old_rows', cols), 'SELECT DISTINCT org_id FROM old_rows'));
    EXECUTE format('CREATE FUNCTION vm_counts_update() RETURNS trigger LANGUAGE plpgsql AS %L',
                   format(body, unchanged, format('SELECT %s, 1 AS sign FROM new_rows UNION ALL SELECT %s, -1 FROM old_rows', cols, cols),
                          'SELECT org_id FROM new_rows UNION SELECT org_id FROM old_rows'));
END
$gen$;

CREATE TRIGGER vm_counts_insert AFTER INSERT ON vm
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vm_counts_insert();
CREATE TRIGGER vm_counts_update AFTER UPDATE ON vm
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vm_counts_update();
CREATE TRIGGER vm_counts_delete AFTER DELETE ON vm
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION vm_counts_delete();

-- TRUNCATE fires no row or transition-table trigger: clear the counters with it.
CREATE FUNCTION vm_counts_truncate() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    TRUNCATE org_vm_stats, org_node_vms, org_owner_vms, org_vm_created_1h;
    PERFORM pg_notify('novacron_changes', id::text) FROM org;
    PERFORM pg_notify('novacron_changes', 'platform');
    RETURN NULL;
END
$fn$;
CREATE TRIGGER vm_counts_truncate AFTER TRUNCATE ON vm
    FOR EACH STATEMENT EXECUTE FUNCTION vm_counts_truncate();

-- Cache invalidation for the other inventory tables (per-row calls cost little: NOTIFY folds
-- identical payloads of one transaction into one).
CREATE FUNCTION notify_platform_change() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM pg_notify('novacron_changes', 'platform');
    RETURN NULL;
END
$fn$;

CREATE FUNCTION notify_org_change() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF TG_TABLE_NAME = 'org' THEN
        PERFORM pg_notify('novacron_changes', (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END)::text);
        PERFORM pg_notify('novacron_changes', 'platform');
    ELSE
        PERFORM pg_notify('novacron_changes', (CASE WHEN TG_OP = 'DELETE' THEN OLD.org_id ELSE NEW.org_id END)::text);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER node_changes_notify AFTER INSERT OR UPDATE OR DELETE ON node
    FOR EACH STATEMENT EXECUTE FUNCTION notify_platform_change();
CREATE TRIGGER org_changes_notify AFTER INSERT OR UPDATE OR DELETE ON org
    FOR EACH ROW EXECUTE FUNCTION notify_org_change();
CREATE TRIGGER app_user_changes_notify AFTER INSERT OR UPDATE OR DELETE ON app_user
    FOR EACH ROW EXECUTE FUNCTION notify_org_change();

-- Backfill from VMs that existed before this migration (none on a fresh database).
INSERT INTO org_vm_stats SELECT org_id, state, count(*), sum(cpu_cores), sum(memory_mb), sum(disk_gb) FROM vm GROUP BY 1, 2;
INSERT INTO org_node_vms SELECT org_id, node_id, count(*) FROM vm
 WHERE node_id IS NOT NULL AND vm_state_holds_resources(state) GROUP BY 1, 2;
INSERT INTO org_owner_vms SELECT org_id, owner_id, count(*) FROM vm GROUP BY 1, 2;
INSERT INTO org_vm_created_1h SELECT org_id, date_trunc('hour', created_at), count(*) FROM vm GROUP BY 1, 2;
