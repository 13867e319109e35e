-- V30 rewrote vm, and a rewritten table starts with an empty visibility map: until a VACUUM marks
-- its pages all-visible, every "index-only" tag walk still fetches each walked VM's heap row
-- (on `large`, 595 to 1,519 heap fetches for one page), and a rewrite creates no dead rows, so
-- autovacuum would not come until the VMs had changed enough. ANALYZE gives the planner the
-- element statistics of the new tags column. Flyway runs VACUUM outside a transaction: this
-- migration holds nothing else.
VACUUM (ANALYZE) vm;
