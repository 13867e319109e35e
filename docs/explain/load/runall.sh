#!/bin/bash
# HTTP read latency on the 200k-VM scratch dataset: cache off, then cache on; c=8 and c=1, 20 s each after 3 s warm-up.
TOKEN=bench-admin-token-0123456789
cd "$(dirname "$0")"
for w in dashboard listing monitoring capacity; do java Load.java http://127.0.0.1:18081 $TOKEN $w 8 20 2>>load-err.txt; done > http2-nocache-c8.txt
for w in dashboard listing monitoring capacity; do java Load.java http://127.0.0.1:18081 $TOKEN $w 1 15 2>>load-err.txt; done > http2-nocache-c1.txt
kill $(cat serve.pid); sleep 2
(NOVACRON_CACHE_ENABLED=true NOVACRON_ADMIN_TOKEN=$TOKEN NOVACRON_PORT=18081 NOVACRON_DB_URL=jdbc:postgresql://127.0.0.1:5432/scratch_reads_http java -jar target/novacron.jar serve > serve-cache.log 2>&1 & echo $! > serve.pid)
sleep 8
for w in dashboard listing monitoring capacity; do java Load.java http://127.0.0.1:18081 $TOKEN $w 8 20 2>>load-err.txt; done > http2-cache-c8.txt
for w in dashboard listing monitoring capacity; do java Load.java http://127.0.0.1:18081 $TOKEN $w 1 15 2>>load-err.txt; done > http2-cache-c1.txt
curl -s http://127.0.0.1:18081/metrics | grep novacron_cache_requests_total > cache-counters.txt
kill $(cat serve.pid)
echo done > runall.done
