-- VM listing with one state, sorted by name, CPU or memory. V21 gives only the default sort an
-- (org_id, state, ...) index; the other sorts walked the org's (org_id, <sort>, id) index and
-- fetched every VM's heap row to test its state, so a rare state (error, paused, migrating: a few
-- per cent of an org) read most of the org to fill one page (docs/explain/listing-state-large.txt).
-- With these a page is LIMIT index entries of that state, in order, whatever the state's share.
--
-- The price: three more index entries per VM insert and per state change (state changes were
-- already not HOT: vm_org_state_created_idx). Measured in docs/READS.md, "Write overhead of V26
-- and V27".
CREATE INDEX vm_org_state_name_idx ON vm (org_id, state, name, id);
CREATE INDEX vm_org_state_cpu_idx ON vm (org_id, state, cpu_cores, id);
CREATE INDEX vm_org_state_memory_idx ON vm (org_id, state, memory_mb, id);
