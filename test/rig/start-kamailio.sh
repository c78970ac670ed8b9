#!/usr/bin/env bash
# Start the project's test PBX (kamailio.cfg next to this script) in the background.
#   start-kamailio.sh [--users FILE] [kamailio args, e.g. -A WITH_RTPENGINE]
# Files go to $LIANLUO_RIG_RUN (default test/rig/run): kamailio.pid, kamailio.log, kamailio.ctl, db/.
# Accounts come from FILE ("user password" a line, # comments; default test/rig/users).
# Idempotent: when our Kamailio already runs it says so and exits 0.
set -euo pipefail
rig="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="${LIANLUO_RIG_RUN:-$rig/run}"
users="$rig/users"
if [ "${1:-}" = "--users" ]; then
  users="${2:?--users needs a file}"
  shift 2
fi

command -v kamailio >/dev/null || { echo "kamailio is not installed: run test/rig/install-deps.sh" >&2; exit 1; }
[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so ] || {
  echo "kamailio-websocket-modules is not installed: run test/rig/install-deps.sh" >&2; exit 1; }
[ -r "$users" ] || { echo "cannot read the accounts file $users" >&2; exit 1; }

mkdir -p "$run/db"
pidfile="$run/kamailio.pid"
is_ours() { # pid alive, not a zombie, and a kamailio
  local pid="$1"
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat")" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q kamailio
}
if [ -f "$pidfile" ] && is_ours "$(cat "$pidfile")"; then
  echo "Kamailio already running (pid $(cat "$pidfile"), files in $run)"
  exit 0
fi

# Accounts → db_text table "accounts" for the htable module. db_text escapes ':' and '\' with '\'.
{
  echo 'key_name(str) key_type(int) value_type(int) key_value(str) expires(int)'
  grep -v '^[[:space:]]*\(#\|$\)' "$users" | while read -r user password rest; do
    [ -n "$user" ] && [ -n "${password:-}" ] && [ -z "${rest:-}" ] || {
      echo "bad line in $users (want: user password): $user ${password:-} ${rest:-}" >&2; exit 1; }
    esc() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/:/\\:/g'; }
    printf '%s:0:0:%s:0\n' "$(esc "$user")" "$(esc "$password")"
  done
} >"$run/db/accounts.tmp"
mv "$run/db/accounts.tmp" "$run/db/accounts"

log="$run/kamailio.log"
rm -f "$pidfile"
# setsid: Ctrl+C in the terminal that started it (e.g. `npm run demo:call`) does not stop the PBX.
LIANLUO_RIG_USERS_DB="text://$run/db" LIANLUO_RIG_CTL_SOCKET="unix:$run/kamailio.ctl" \
  setsid kamailio -f "$rig/kamailio.cfg" -DD -E -P "$pidfile" -Y "$run" "$@" >"$log" 2>&1 </dev/null &
main=$!

# Ready when the WebSocket port accepts connections (well under a second).
for _ in $(seq 1 100); do
  if ! kill -0 "$main" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$main/stat" 2>/dev/null)" = Z ]; then
    echo "Kamailio did not start. Last lines of $log:" >&2
    tail -n 15 "$log" >&2
    exit 1
  fi
  if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
    [ -s "$pidfile" ] || echo "$main" >"$pidfile"
    echo "Kamailio started (pid $main): SIP udp/tcp 127.0.0.1:5060, WebSocket ws://127.0.0.1:8080; log $log"
    exit 0
  fi
  sleep 0.05
done
echo "Kamailio started but ws://127.0.0.1:8080 does not answer. Last lines of $log:" >&2
tail -n 15 "$log" >&2
kill "$main" 2>/dev/null || true
exit 1
