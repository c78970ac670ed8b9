#!/usr/bin/env bash
# Stop the Kamailio that start-kamailio.sh started (by its pid file in $LIANLUO_RIG_RUN, default
# test/rig/run). Never touches any other kamailio on the machine.
set -uo pipefail
rig="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="${LIANLUO_RIG_RUN:-$rig/run}"
pidfile="$run/kamailio.pid"
alive() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]; }
pid="$(cat "$pidfile" 2>/dev/null || true)"
if [ -z "$pid" ] || ! alive "$pid" || ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q kamailio; then
  rm -f "$pidfile"
  echo "Kamailio is not running (no live pid in $pidfile)"
  exit 0
fi
kill -TERM "$pid"
for _ in $(seq 1 60); do alive "$pid" || break; sleep 0.05; done
if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
rm -f "$pidfile"
echo "Kamailio stopped (pid $pid)"
