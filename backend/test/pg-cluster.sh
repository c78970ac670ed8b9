#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the backend tests and benchmarks: initdb in a temp dir, listen on
# 127.0.0.1 at a random free port, trust auth (loopback only, test data only), durability off.
#
#   backend/test/pg-cluster.sh run -- CMD ARGS…   start, run CMD with DATABASE_URL set, stop (also on failure)
#   backend/test/pg-cluster.sh start              start; prints the cluster dir and DATABASE_URL
#   backend/test/pg-cluster.sh stop DIR           stop the cluster started in DIR and remove DIR
#
# PG_BIN overrides where the server binaries are (default: the newest /usr/lib/postgresql/*/bin).
# As root, the server runs as the `postgres` OS user (initdb refuses to run as root).
set -euo pipefail

die() { echo "pg-cluster: $*" >&2; exit 1; }

pg_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n "$newest" && -x "$newest/initdb" ]] || die "no PostgreSQL server binaries found: apt-get install postgresql (or set PG_BIN)"
  echo "$newest"
}

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start() {
  local bin dir port
  bin=$(pg_bin)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/lianluo-pg.XXXXXX")
  chmod 700 "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the postgres OS user (apt-get install postgresql creates it)"
    chown postgres: "$dir"
  fi
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  for _attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
      start >/dev/null; then
      echo "$port" >"$dir/port"
      echo "postgres://postgres@127.0.0.1:$port/postgres" >"$dir/url"
      echo "$dir"
      return 0
    fi
  done
  cat "$dir/server.log" >&2 || true
  die "could not start PostgreSQL"
}

stop() {
  local dir=$1
  [[ -d "$dir/data" ]] || die "$dir is not a cluster started by this script"
  as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start)
    dir=$(start)
    echo "cluster: $dir"
    echo "DATABASE_URL=$(cat "$dir/url")"
    ;;
  stop)
    [[ -n "${2:-}" ]] || die "usage: $0 stop DIR"
    stop "$2"
    ;;
  run)
    shift
    [[ "${1:-}" == "--" ]] && shift
    [[ $# -gt 0 ]] || die "usage: $0 run -- CMD ARGS…"
    dir=$(start)
    trap 'stop "$dir"' EXIT
    DATABASE_URL=$(cat "$dir/url") "$@"
    ;;
  *)
    die "usage: $0 start | stop DIR | run -- CMD ARGS…"
    ;;
esac
