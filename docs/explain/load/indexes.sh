#!/bin/bash
# Write overhead of the V26 (node free capacity) and V27 (listing state × sort) indexes: two
# databases loaded alike by ../generate.sql, one as migrated and one with those five indexes
# dropped, measured in alternation, each round starting with the other database (pgbench, 4
# clients, 10 s per run; then a 20,000-VM bulk insert, rolled back).
# Usage: indexes.sh <db with> <db without>
cd "$(dirname "$0")"
run() { pgbench -h 127.0.0.1 -U postgres -n -c 4 -j 2 -T 10 -f $1 $2 2>&1 | grep -E "^tps|latency average" | tr '\n' ' ' | sed "s/^/$3 /"; echo; }
bulk() { /usr/bin/time -f "$2 bulk 20k insert %e s" psql -h 127.0.0.1 -U postgres -d $1 -q -f bulk.sql; }
with=$1; without=$2
for round in 1 2 3 4; do
    for w in state stopstart resize insert; do
        if [ $((round % 2)) = 1 ]; then
            run $w.sql $with "round$round $w with"; run $w.sql $without "round$round $w without"
        else
            run $w.sql $without "round$round $w without"; run $w.sql $with "round$round $w with"
        fi
    done
    if [ $((round % 2)) = 1 ]; then bulk $with "round$round with"; bulk $without "round$round without"
    else bulk $without "round$round without"; bulk $with "round$round with"; fi
done
