#!/bin/bash
# Trigger write overhead: pgbench, 4 clients, 10 s per run, counter triggers on vs off (V1's
# vm_node_allocation stays on). Usage: bench.sh [database ...] (default scratch_reads_explain):
# databases loaded by ../generate.sql, e.g. one migrated to V23 and one to V24, measured in
# alternation so that both see the same machine.
cd "$(dirname "$0")"
[ $# -eq 0 ] && set -- scratch_reads_explain
run() { pgbench -h 127.0.0.1 -U postgres -n -c 4 -j 2 -T 10 -f $1 $2 2>&1 | grep -E "^tps|latency average" | tr '\n' ' ' | sed "s/^/$3 /"; echo; }
tog() { for t in vm_counts_insert vm_counts_update; do echo "ALTER TABLE vm $1 TRIGGER $t;"; done | psql -h 127.0.0.1 -U postgres -d $2 -q; }
for round in 1 2; do for w in state meta insert; do for db in "$@"; do
    tog ENABLE $db; run $w.sql $db "round$round $w $db with-triggers"
    tog DISABLE $db; run $w.sql $db "round$round $w $db without"
done; done; done
for db in "$@"; do tog ENABLE $db; done
