# Lianluo's part of the .deb post-install script: let the person at the desk use USB headset call
# controls (WebHID needs the hidraw device node; the rule grants it to the seat's user only, uaccess).
#
# Not a script of its own: build/electron-builder.config.cjs appends it to electron-builder's default
# after-install template, because a custom afterInstall *replaces* that default (the /usr/bin link, the
# chrome-sandbox mode, the AppArmor profile Ubuntu 24.04 needs to start Electron at all).
# electron-builder fills in ${sanitizedProductName}; write shell variables as $NAME, never with braces.
LIANLUO_UDEV_RULE='/opt/${sanitizedProductName}/resources/udev/70-lianluo-headsets.rules'
if [ -f "$LIANLUO_UDEV_RULE" ]; then
  install -m 0644 "$LIANLUO_UDEV_RULE" /etc/udev/rules.d/70-lianluo-headsets.rules || true
  if hash udevadm 2>/dev/null; then
    udevadm control --reload-rules || true
    udevadm trigger --subsystem-match=hidraw || true
  fi
fi
