#!/bin/bash
# Trigger write overhead: pgbench, 4 clients, 10 s per run, counter triggers on vs off (V1's vm_node_allocation stays on).
cd "$(dirname "$0")"
run() { pgbench -h 127.0.0.1 -U postgres -n -c 4 -j 2 -T 10 -f $1 scratch_reads_explain 2>&1 | grep -E "^tps|latency average" | tr '\n' ' ' | sed "s/^/$2 /"; echo; }
tog() { for t in vm_counts_insert vm_counts_update; do echo "ALTER TABLE vm $1 TRIGGER $t;"; done | psql -h 127.0.0.1 -U postgres -d scratch_reads_explain -q; }
for round in 1 2; do for w in state meta insert; do tog ENABLE; run $w.sql "round$round $w with-triggers"; tog DISABLE; run $w.sql "round$round $w without"; done; done
tog ENABLE
