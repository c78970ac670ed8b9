#!/usr/bin/env bash
# Run a command in a private network namespace that has only loopback (up), so WebRTC between the
# Chromium processes can only use 127.0.0.1 and nothing reaches the real network. It also gets its
# own PID namespace: whatever the command leaves behind (Kamailio, Chromium) ends with it.
#   in-netns.sh CMD [ARGS…]
# Needs root, or unprivileged user namespaces (then it maps you to root inside).
# Already inside one (LIANLUO_IN_NETNS=1)? Then CMD just runs.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 CMD [ARGS…]" >&2; exit 2; }
if [ "${LIANLUO_IN_NETNS:-}" = 1 ]; then exec "$@"; fi
command -v unshare >/dev/null || { echo "unshare (util-linux) is missing" >&2; exit 1; }
command -v ip >/dev/null || { echo "ip (iproute2) is missing: run test/rig/install-deps.sh" >&2; exit 1; }
userns=()
[ "$(id -u)" = 0 ] || userns=(--user --map-root-user)
# bash stays PID 1 of the namespace (it reaps orphans); when it exits the kernel ends the rest.
exec unshare "${userns[@]}" --net --pid --fork --mount-proc --kill-child -- \
  env LIANLUO_IN_NETNS=1 bash -c 'ip link set lo up || exit 1; "$@"; exit $?' in-netns "$@"
