#!/bin/sh
# Removes the headset udev rule installed by after-install.sh.
rm -f /etc/udev/rules.d/70-lianluo-headsets.rules
udevadm control --reload-rules 2>/dev/null || true
