#!/usr/bin/env bash
# Stop the rtpengine that start-rtpengine.sh started (by its pid file), never any other.
set -uo pipefail
rig="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="${LIANLUO_RIG_RUN:-$rig/run}"
pidfile="$run/rtpengine.pid"
alive() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]; }
pid="$(cat "$pidfile" 2>/dev/null || true)"
if [ -z "$pid" ] || ! alive "$pid" || ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q rtpengine; then
  rm -f "$pidfile"; echo "rtpengine is not running"; exit 0
fi
kill -TERM "$pid"
for _ in $(seq 1 60); do alive "$pid" || break; sleep 0.05; done
alive "$pid" && kill -KILL "$pid" 2>/dev/null
rm -f "$pidfile"
echo "rtpengine stopped (pid $pid)"
