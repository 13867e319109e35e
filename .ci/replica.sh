#!/usr/bin/env bash
# A throw-away streaming replica of the local PostgreSQL, for the replica tests and `bench --replica`.
#
#   .ci/replica.sh up   [NAME] [PORT]   create cluster NAME (default novacron_replica) on PORT (default 5433)
#                                       as a hot standby of 127.0.0.1:5432 (pg_basebackup -R), start it,
#                                       and wait until it accepts connections
#   .ci/replica.sh down [NAME]          stop and drop it (nothing to do if it does not exist)
#   .ci/replica.sh stop|start NAME      stop (fast) or start it again, keeping its data
#   .ci/replica.sh check                exit 0 when this machine can run `up` (Debian postgresql-common,
#                                       run as root or postgres)
#
# `up` changes the primary in one way, idempotently: a `host replication all 127.0.0.1/32 trust`
# line in its pg_hba.conf (then a reload), as pg_basebackup and the standby's walreceiver need it.
# It is safe for everything else on the server: it only admits replication connections from
# localhost, which the `host all all 127.0.0.1/32 trust` line already trusts for ordinary ones.
# The standby streams from a physical replication slot named after it (pg_basebackup -C -S): without
# one, a primary busy with other work (every CREATE/DROP DATABASE forces a checkpoint) recycles WAL
# the new standby still needs ("requested WAL segment ... has already been removed"). A slot pins
# WAL while it exists, so `down` drops it, and `up` first drops inactive novacron_replica_* slots
# whose cluster is gone (left by a killed run).
# pg_basebackup copies the whole primary cluster (every test database): a few seconds on CI.
set -euo pipefail

PRIMARY_PORT="${NOVACRON_PRIMARY_PORT:-5432}"
VERSION="$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n1)"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

psql_primary() {
  psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atq -v ON_ERROR_STOP=1 "$@"
}

check() {
  command -v pg_createcluster >/dev/null && command -v pg_basebackup >/dev/null || { echo "no postgresql-common tools"; return 1; }
  [ -n "$VERSION" ] || { echo "no /etc/postgresql/<version>"; return 1; }
  [ "$(id -u)" = 0 ] || [ "$(id -un)" = postgres ] || { echo "must run as root or postgres"; return 1; }
  pg_isready -h 127.0.0.1 -p "$PRIMARY_PORT" -q || { echo "primary not ready on $PRIMARY_PORT"; return 1; }
}

allow_replication() {
  local hba
  hba="$(psql_primary -c 'SHOW hba_file')"
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    echo "host replication all 127.0.0.1/32 trust  # added by novacron .ci/replica.sh" >> "$hba"
    psql_primary -c 'SELECT pg_reload_conf()' >/dev/null
    sleep 0.5
  fi
  local level senders
  level="$(psql_primary -c 'SHOW wal_level')"
  senders="$(psql_primary -c 'SHOW max_wal_senders')"
  if [ "$level" = minimal ] || [ "$senders" = 0 ]; then
    echo "primary has wal_level=$level max_wal_senders=$senders: a standby needs replica and >0 (restart required)" >&2
    exit 1
  fi
}

exists() {
  pg_lsclusters -h | awk -v v="$VERSION" -v n="$1" '$1 == v && $2 == n {found = 1} END {exit !found}'
}

down() {
  local name="${1:-novacron_replica}"
  if exists "$name"; then
    pg_dropcluster --stop "$VERSION" "$name" || { pg_ctlcluster "$VERSION" "$name" stop -m immediate || true; pg_dropcluster "$VERSION" "$name"; }
  fi
  rm -rf "/etc/postgresql/$VERSION/${name:?}" # pg_dropcluster leaves our conf.d file behind
  drop_slot "$name"
}

drop_slot() {
  # Its walsender may take a moment to exit after the standby stops.
  for _ in $(seq 1 20); do
    [ "$(psql_primary -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$1'")" = 0 ] && return 0
    psql_primary -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                     WHERE slot_name = '$1' AND NOT active" >/dev/null || true
    sleep 0.5
  done
  echo "replication slot $1 still active" >&2
}

drop_orphan_slots() {
  local slot
  for slot in $(psql_primary -c "SELECT slot_name FROM pg_replication_slots
                                 WHERE slot_name LIKE 'novacron\_replica%' AND NOT active"); do
    exists "$slot" || drop_slot "$slot"
  done
}

up() {
  local name="${1:-novacron_replica}" port="${2:-5433}"
  check
  down "$name" # a cluster left by a killed run
  drop_orphan_slots
  allow_replication
  pg_createcluster "$VERSION" "$name" -p "$port" >/dev/null
  local conf="/etc/postgresql/$VERSION/$name" data
  data="$(awk -F"'" '/^data_directory/ {print $2}' "$conf/postgresql.conf")"
  # A hot standby refuses to start with these below the primary's values.
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "shared_buffers = 64MB"
    echo "hot_standby = on"
    echo "hot_standby_feedback = on"
    echo "wal_receiver_status_interval = 1s"
    for s in max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction; do
      echo "$s = $(psql_primary -c "SHOW $s")"
    done
  } > "$conf/conf.d/90-novacron-replica.conf"
  cp "$(psql_primary -c 'SHOW hba_file')" "$conf/pg_hba.conf" # the same clients, the same trust
  rm -rf "${data:?}"/*
  as_postgres pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$data" -R -X stream -c fast -C -S "$name"
  pg_ctlcluster "$VERSION" "$name" start
  for _ in $(seq 1 60); do
    pg_isready -h 127.0.0.1 -p "$port" -q && break
    sleep 0.5
  done
  pg_isready -h 127.0.0.1 -p "$port" -q
  [ "$(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atq -c 'SELECT pg_is_in_recovery()')" = t ]
  echo "replica $name up on 127.0.0.1:$port"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  up) up "$@" ;;
  down) down "$@" ;;
  check) check ;;
  stop) pg_ctlcluster "$VERSION" "$1" stop -m fast ;;
  start) pg_ctlcluster "$VERSION" "$1" start ;;
  *) echo "usage: $0 up [NAME] [PORT] | down [NAME] | stop NAME | start NAME | check" >&2; exit 2 ;;
esac
