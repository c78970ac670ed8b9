#!/usr/bin/env bash
# Write the fake-microphone tones (48 kHz mono 16-bit WAV, 10 s; Chromium loops them) into DIR
# (default test/rig/run/tones, git-ignored): tone440.wav (callers), tone1000.wav (agents), tone660.wav
# (a second agent), and tone800.ulaw (raw 8 kHz mu-law, what sipp streams as RTP for a PSTN caller).
set -euo pipefail
rig="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:-${LIANLUO_RIG_RUN:-$rig/run}/tones}"
command -v sox >/dev/null || { echo "sox is not installed: run test/rig/install-deps.sh" >&2; exit 1; }
mkdir -p "$dir"
for hz in 440 660 1000; do
  f="$dir/tone$hz.wav"
  if [ ! -s "$f" ]; then
    sox -n -r 48000 -c 1 -b 16 "$f.part.wav" synth 10 sine "$hz" vol 0.5
    mv -f "$f.part.wav" "$f"
  fi
done
if [ ! -s "$dir/tone800.ulaw" ]; then
  sox -n -r 8000 -c 1 -t ul "$dir/tone800.part.ulaw" synth 10 sine 800 vol 0.5
  mv -f "$dir/tone800.part.ulaw" "$dir/tone800.ulaw"
fi
echo "$dir"
