#!/bin/bash
# Statements per request (pg_stat_statements, utility statements included) and DB execution time
# per request, for one jar serving one database: a warm-up pass over the URL list, then a measured
# pass (sequential curl, keep-alive). Needs pg_stat_statements in shared_preload_libraries and
# CREATE EXTENSION pg_stat_statements in the postgres database.
# usage: statements.sh <jar> <db> <cache true|false> <label> <url file> <bearer token>
# An older jar can serve a copy of the database with the newer migrations' objects and
# flyway_schema_history rows removed (as done for statements-2026-12-04.txt).
jar=$1; db=$2; cache=$3; label=$4; urls=$5; token=$6
NOVACRON_CACHE_ENABLED=$cache NOVACRON_ADMIN_TOKEN=${ADMIN_TOKEN:-adm-token-0123456789abcdef} java -jar $jar serve --port 18090 --db-url jdbc:postgresql://127.0.0.1:5432/$db > /dev/null 2>&1 &
pid=$!
for i in $(seq 1 60); do curl -sf http://127.0.0.1:18090/readyz >/dev/null && break; sleep 0.5; done
q="select sum(calls), round(sum(total_exec_time)::numeric,1) from pg_stat_statements s join pg_database d on d.oid=s.dbid where d.datname='$db'"
# warm-up pass, then measured pass
awk '{print "url = " $0; print "output = /dev/null"}' $urls > ${TMPDIR:-/tmp}/statements-curl.cfg
curl -s -H "Authorization: Bearer $token" -K ${TMPDIR:-/tmp}/statements-curl.cfg
before=$(psql -h 127.0.0.1 -U postgres -Atc "$q")
curl -s -w "%{time_total}\n" -H "Authorization: Bearer $token" -K ${TMPDIR:-/tmp}/statements-curl.cfg > ${TMPDIR:-/tmp}/times-$label.txt
after=$(psql -h 127.0.0.1 -U postgres -Atc "$q")
n=$(wc -l < $urls)
kill $pid; wait $pid 2>/dev/null
python3 - "$label" "$n" "$before" "$after" ${TMPDIR:-/tmp}/times-$label.txt <<'PY'
import sys, statistics
label, n, b, a, f = sys.argv[1], int(sys.argv[2]), sys.argv[3].split('|'), sys.argv[4].split('|'), sys.argv[5]
t = sorted(float(x)*1000 for x in open(f) if x.strip())
calls = int(a[0]) - int(b[0]); ex = float(a[1]) - float(b[1])
print(f"{label}: {n} requests, {calls/n:.2f} statements/request, DB exec {ex/n:.3f} ms/request, wall p50 {statistics.median(t):.2f} ms p90 {t[int(len(t)*0.9)]:.2f} ms")
PY
