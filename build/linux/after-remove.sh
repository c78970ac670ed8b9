# Lianluo's part of the .deb post-remove script: take the headset udev rule away again.
# Appended to electron-builder's default after-remove template by build/electron-builder.config.cjs
# (see after-install.sh). On an upgrade the new package's post-install puts the rule back.
rm -f /etc/udev/rules.d/70-lianluo-headsets.rules
if hash udevadm 2>/dev/null; then
  udevadm control --reload-rules || true
fi
