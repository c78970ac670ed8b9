#!/usr/bin/env bash
# Start a userspace rtpengine (no kernel module) for the test PBX's WITH_RTPENGINE block: ng control on
# udp 127.0.0.1:2223, media on 127.0.0.1:30000-30999, DTMF events logged as JSON over UDP to
# 127.0.0.1:5999 (the end-to-end tests listen there to check RFC 4733 digits).
# Files go to $LIANLUO_RIG_RUN (default test/rig/run): rtpengine.pid, rtpengine.log.
set -euo pipefail
rig="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="${LIANLUO_RIG_RUN:-$rig/run}"
command -v rtpengine >/dev/null || { echo "rtpengine is not installed: run test/rig/install-deps.sh" >&2; exit 1; }
mkdir -p "$run"
pidfile="$run/rtpengine.pid"
alive() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]; }
if [ -s "$pidfile" ] && alive "$(cat "$pidfile")"; then echo "rtpengine already running (pid $(cat "$pidfile"))"; exit 0; fi
log="$run/rtpengine.log"
setsid rtpengine --config-file=none --table=-1 --foreground --log-stderr --log-level=6 \
  --interface=127.0.0.1 --listen-ng=127.0.0.1:2223 --port-min=30000 --port-max=30999 \
  --dtmf-log-dest=127.0.0.1:5999 >"$log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pidfile"
# Ready when the ng port answers a ping.
for _ in $(seq 1 100); do
  alive "$pid" || { echo "rtpengine did not start. Last lines of $log:" >&2; tail -n 15 "$log" >&2; exit 1; }
  if grep -q "Startup complete" "$log" 2>/dev/null; then echo "rtpengine started (pid $pid): ng udp 127.0.0.1:2223; log $log"; exit 0; fi
  sleep 0.05
done
echo "rtpengine started (pid $pid) but did not report start-up; log $log"
