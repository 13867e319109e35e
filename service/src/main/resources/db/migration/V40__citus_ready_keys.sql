-- Citus-ready keys (docs/SCALING.md, db.Distribution): a table distributed by org_id can only
-- enforce a unique index that includes org_id, so the global UNIQUE (id) of vm and api_token goes.
-- Ids stay globally unique without it: each comes from its table's identity sequence, and no
-- foreign key references (id) alone (vm's owner is (org_id, owner_id) -> app_user's primary key).
-- Lookups by id alone (VmRepository, MetricIngest's batch resolution, MetricsQueryRoutes, token
-- revocation by id) keep a plain index of the same shape; the primary keys (org_id, id) stay.
CREATE INDEX vm_id_idx ON vm (id);
DROP INDEX vm_id_key;
CREATE INDEX api_token_id_idx ON api_token (id);
DROP INDEX api_token_id_key;
