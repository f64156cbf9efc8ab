#!/bin/sh
# Classlock deb post-remove: stop starting at login. /var/lib/classlock is kept on remove
# (it holds the school's records); purge removes it.
set -e
rm -f /etc/xdg/autostart/classlock.desktop
if [ "$1" = "purge" ]; then
  chattr -a /var/lib/classlock/audit.jsonl 2>/dev/null || true
  rm -rf /var/lib/classlock
fi
exit 0
