-- Fleet inventory: organizations, tokens, users, nodes, VMs and the audit log.
--
-- Distribution rule (see FACTS.md "Growing past one machine"): every table that belongs to an
-- organization carries org_id and leads its primary key, unique constraints, foreign keys and hot
-- indexes with it, so the tenant tables can be distributed by org_id (Citus) without a redesign.
-- Nodes are platform-wide (a reference table under Citus); they hold no tenant data.

CREATE TABLE org (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- Organization names are unique regardless of case: "Acme" and "acme" are one customer.
CREATE UNIQUE INDEX org_name_key ON org (lower(name));

-- Only the SHA-256 of a token is stored; the token itself is shown once, at creation.
CREATE TABLE api_token (
    org_id      bigint      NOT NULL REFERENCES org (id) ON DELETE CASCADE,
    id          bigint      GENERATED ALWAYS AS IDENTITY,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role        text        NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'operator', 'viewer')),
    token_hash  bytea       NOT NULL CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    PRIMARY KEY (org_id, id)
);
-- Authentication looks a token up by hash alone; revoked tokens never match.
CREATE INDEX api_token_hash_idx ON api_token (token_hash) WHERE revoked_at IS NULL;
CREATE UNIQUE INDEX api_token_id_key ON api_token (id);

CREATE TABLE app_user (
    org_id      bigint      NOT NULL REFERENCES org (id) ON DELETE CASCADE,
    id          bigint      GENERATED ALWAYS AS IDENTITY,
    email       text        NOT NULL CHECK (length(email) BETWEEN 3 AND 320 AND position('@' IN email) > 1),
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role        text        NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id)
);
-- E-mail is unique within an organization (a platform-wide rule would leak other tenants' users).
CREATE UNIQUE INDEX app_user_email_key ON app_user (org_id, lower(email));

CREATE TABLE node (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    zone             text        NOT NULL CHECK (length(zone) BETWEEN 1 AND 100),
    cpu_cores        integer     NOT NULL CHECK (cpu_cores BETWEEN 1 AND 4096),
    memory_mb        bigint      NOT NULL CHECK (memory_mb BETWEEN 1 AND 1073741824),
    disk_gb          bigint      NOT NULL CHECK (disk_gb BETWEEN 1 AND 1073741824),
    state            text        NOT NULL DEFAULT 'online' CHECK (state IN ('online', 'maintenance', 'offline')),
    labels           jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
    -- Allocation counters: the resources of the VMs that count against this node (pending, running,
    -- paused, migrating). Maintained only by the vm_node_allocation trigger below, in the same
    -- transaction as the VM change; the CHECKs make over-commit impossible even under races,
    -- because every change takes this row's lock and is re-checked against its newest version.
    alloc_cpu_cores  integer     NOT NULL DEFAULT 0,
    alloc_memory_mb  bigint      NOT NULL DEFAULT 0,
    alloc_disk_gb    bigint      NOT NULL DEFAULT 0,
    vm_count         integer     NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT node_cpu_not_overcommitted    CHECK (alloc_cpu_cores BETWEEN 0 AND cpu_cores),
    CONSTRAINT node_memory_not_overcommitted CHECK (alloc_memory_mb BETWEEN 0 AND memory_mb),
    CONSTRAINT node_disk_not_overcommitted   CHECK (alloc_disk_gb BETWEEN 0 AND disk_gb),
    CONSTRAINT node_vm_count_not_negative    CHECK (vm_count >= 0)
);
CREATE UNIQUE INDEX node_name_key ON node (lower(name));

CREATE TABLE vm (
    org_id          bigint      NOT NULL REFERENCES org (id),
    id              bigint      GENERATED ALWAYS AS IDENTITY,
    owner_id        bigint      NOT NULL,
    node_id         bigint      REFERENCES node (id),
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    state           text        NOT NULL DEFAULT 'pending'
                                CHECK (state IN ('pending', 'running', 'stopped', 'paused', 'migrating', 'error')),
    cpu_cores       integer     NOT NULL CHECK (cpu_cores BETWEEN 1 AND 256),
    memory_mb       bigint      NOT NULL CHECK (memory_mb BETWEEN 128 AND 4194304),
    disk_gb         bigint      NOT NULL CHECK (disk_gb BETWEEN 1 AND 65536),
    metadata        jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES app_user (org_id, id),
    -- A VM whose resources count must sit on a node.
    CHECK (node_id IS NOT NULL OR state IN ('stopped', 'error'))
);
CREATE UNIQUE INDEX vm_id_key ON vm (id);
CREATE INDEX vm_org_node_idx ON vm (org_id, node_id);
CREATE INDEX vm_org_owner_idx ON vm (org_id, owner_id);
CREATE INDEX vm_node_idx ON vm (node_id) WHERE node_id IS NOT NULL;

-- Does a VM in this state hold resources on its node?
CREATE FUNCTION vm_state_holds_resources(state text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT state IN ('pending', 'running', 'paused', 'migrating') $$;

-- Keeps node allocation counters equal to the sum over the VMs that count against each node.
-- Releases are applied before charges so that moving a VM between nodes never double-counts,
-- and a charge that would exceed a node's capacity fails the statement (check_violation).
CREATE FUNCTION vm_node_allocation() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.node_id IS NOT NULL AND vm_state_holds_resources(OLD.state) THEN
        IF TG_OP = 'UPDATE' AND NEW.node_id IS NOT DISTINCT FROM OLD.node_id
           AND vm_state_holds_resources(NEW.state)
           AND NEW.cpu_cores = OLD.cpu_cores AND NEW.memory_mb = OLD.memory_mb AND NEW.disk_gb = OLD.disk_gb THEN
            RETURN NULL;  -- still counted on the same node with the same size: nothing moves
        END IF;
        UPDATE node SET alloc_cpu_cores = alloc_cpu_cores - OLD.cpu_cores,
                        alloc_memory_mb = alloc_memory_mb - OLD.memory_mb,
                        alloc_disk_gb   = alloc_disk_gb   - OLD.disk_gb,
                        vm_count        = vm_count - 1
         WHERE id = OLD.node_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.node_id IS NOT NULL AND vm_state_holds_resources(NEW.state) THEN
        UPDATE node SET alloc_cpu_cores = alloc_cpu_cores + NEW.cpu_cores,
                        alloc_memory_mb = alloc_memory_mb + NEW.memory_mb,
                        alloc_disk_gb   = alloc_disk_gb   + NEW.disk_gb,
                        vm_count        = vm_count + 1
         WHERE id = NEW.node_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER vm_node_allocation
    AFTER INSERT OR DELETE OR UPDATE OF node_id, state, cpu_cores, memory_mb, disk_gb ON vm
    FOR EACH ROW EXECUTE FUNCTION vm_node_allocation();

-- Audit log: one row per change, written in the change's transaction. org_id 0 marks
-- platform-level changes (nodes, organizations themselves are logged under their own id).
-- Range-partitioned by month; ensure_audit_partitions() creates partitions ahead and is called
-- here and by the service's maintenance task.
CREATE TABLE audit_log (
    org_id       bigint      NOT NULL,
    id           bigint      GENERATED ALWAYS AS IDENTITY,
    ts           timestamptz NOT NULL DEFAULT now(),
    actor        text        NOT NULL,
    action       text        NOT NULL,
    target_type  text        NOT NULL CHECK (target_type IN ('org', 'token', 'user', 'node', 'vm')),
    target_id    bigint      NOT NULL,
    details      jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (org_id, ts, id)
) PARTITION BY RANGE (ts);
CREATE INDEX audit_log_ts_idx ON audit_log (ts, id);

CREATE FUNCTION ensure_audit_partitions(months_ahead integer DEFAULT 3) RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    m       date := date_trunc('month', now() AT TIME ZONE 'UTC')::date - interval '1 month';
    created integer := 0;
    part    text;
BEGIN
    FOR i IN 0 .. months_ahead + 1 LOOP
        part := format('audit_log_%s', to_char(m, 'YYYYMM'));
        IF to_regclass(part) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF audit_log FOR VALUES FROM (%L) TO (%L)',
                           part, (m::timestamp AT TIME ZONE 'UTC'),
                           ((m + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
            created := created + 1;
        END IF;
        m := m + interval '1 month';
    END LOOP;
    RETURN created;
END
$$;
SELECT ensure_audit_partitions();

-- Latest sample per series: the base of real-time monitoring. Maintained by metric ingestion in
-- the batch's transaction; a late sample never moves a row backwards (ts only grows).
CREATE TABLE vm_latest (
    org_id          bigint      NOT NULL,
    vm_id           bigint      NOT NULL,
    ts              timestamptz NOT NULL,
    cpu_usage       real        NOT NULL,
    memory_usage    real        NOT NULL,
    disk_read_bps   double precision NOT NULL,
    disk_write_bps  double precision NOT NULL,
    net_rx_bps      double precision NOT NULL,
    net_tx_bps      double precision NOT NULL,
    PRIMARY KEY (org_id, vm_id)
);

CREATE TABLE node_latest (
    node_id         bigint      PRIMARY KEY,
    ts              timestamptz NOT NULL,
    cpu_usage       real        NOT NULL,
    memory_usage    real        NOT NULL,
    disk_usage      real        NOT NULL,
    load_1m         real        NOT NULL,
    net_rx_bps      double precision NOT NULL,
    net_tx_bps      double precision NOT NULL
);

-- Per-organization usage per minute (sum and count of cpu_usage and memory_usage over the
-- org's VM samples). Maintained by ingestion in the batch's transaction, counting each stored
-- sample exactly once; the dashboard's 5-minute averages read the last few rows of it.
CREATE TABLE org_usage_1m (
    org_id      bigint           NOT NULL,
    bucket      timestamptz      NOT NULL,
    samples     bigint           NOT NULL,
    cpu_sum     double precision NOT NULL,
    memory_sum  double precision NOT NULL,
    PRIMARY KEY (org_id, bucket)
);
