#!/usr/bin/env bash
# Install the Debian packages the end-to-end tests and `npm run demo:call` need, when missing.
# As root it installs them with apt-get; otherwise it prints exactly what to install and exits 1.
#   kamailio, kamailio-websocket-modules  the test PBX (SIP over WebSocket)
#   chromium                              agent and caller browsers (driven by playwright-core)
#   sox                                   fake-microphone tones
#   sip-tester                            sipp (plain-SIP calls; Debian has no "sipp" package)
#   rtpengine-daemon                      media gateway between WebRTC and plain RTP
#   postgresql                            the backend's tests
#   fonts-noto-cjk                        Chinese text in the headless browser
#   iproute2                              `ip`, to bring loopback up in the private network namespace
#   tcpdump                               captures the plain RTP a PSTN-style (sipp) caller receives
set -euo pipefail
packages=(kamailio kamailio-websocket-modules chromium sox sip-tester rtpengine-daemon postgresql fonts-noto-cjk iproute2 tcpdump)

if ! command -v dpkg-query >/dev/null; then
  echo "This is not a Debian-based system. Install the equivalents of: ${packages[*]}" >&2
  exit 1
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "System packages: all present (${packages[*]})"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them as root, then run the tests again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Where systemd runs, Debian starts the freshly installed daemons with their packaged configs on
# :5060 and :2223. The tests run their own copies; stop and disable only what we just installed.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  for svc in kamailio rtpengine-daemon; do
    if printf '%s\n' "${missing[@]}" | grep -qx "$svc"; then
      systemctl disable --now "$svc" >/dev/null 2>&1 && echo "Disabled the $svc service (the tests start their own)" || true
    fi
  done
fi
echo "System packages: installed ${missing[*]}"
