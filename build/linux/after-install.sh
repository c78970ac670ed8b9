#!/bin/sh
# Installed by the Lianluo .deb: let the logged-in user's Lianluo talk to USB headsets (WebHID needs the
# hidraw device node). The rule grants access to the seat's user only (uaccess), for headset vendors.
set -e
RULE=/opt/Lianluo/resources/udev/70-lianluo-headsets.rules
if [ -f "$RULE" ]; then
  install -m 0644 "$RULE" /etc/udev/rules.d/70-lianluo-headsets.rules
  udevadm control --reload-rules 2>/dev/null || true
  udevadm trigger --subsystem-match=hidraw 2>/dev/null || true
fi
