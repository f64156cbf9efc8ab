#!/bin/sh
# Classlock deb post-install: machine folders, their modes, the machine id and start at
# every user's login. Runs as root. Safe to run again. See docs/deployment.md.
set -e

DATA=/var/lib/classlock

install -d -m 0755 -o root -g root /etc/classlock
install -d -m 0755 -o root -g root "$DATA"
# Per-user records: anyone may add a file (1777, like /tmp; the folder must be readable
# because a durable write flushes the folder itself), and the sticky bit stops anyone
# deleting or renaming a file they do not own. Files are named by a hash of the account.
for d in acceptances pins throttle; do
  install -d -m 1777 -o root -g root "$DATA/$d"
done
# Saved policies: one copy per session, all readable (files 0644), the newest in force
# at start; the sticky bit stops anyone deleting or replacing another session's copy.
install -d -m 1777 -o root -g root "$DATA/policies"
# Shared state every session replaces whole (trusted time; the policy copy of versions
# before per-session copies).
install -d -m 0777 -o root -g root "$DATA/state"

# The audit log: everyone may append (0622), and the append-only attribute stops anyone,
# the file's owner included, from truncating or rewriting it. Only root can clear it.
if [ ! -e "$DATA/audit.jsonl" ]; then
  install -m 0622 -o root -g root /dev/null "$DATA/audit.jsonl"
fi
chmod 0622 "$DATA/audit.jsonl"
if command -v chattr >/dev/null 2>&1; then
  chattr +a "$DATA/audit.jsonl" 2>/dev/null ||
    echo "classlock: this file system has no append-only attribute; audit.jsonl is 0622 only" >&2
fi

# One id for the machine: the same value node-machine-id gives (SHA-256 of /etc/machine-id).
if [ ! -s "$DATA/machine-id" ] && [ -s /etc/machine-id ]; then
  printf '%s' "$(tr -d ' \n' < /etc/machine-id)" | sha256sum | cut -d' ' -f1 > "$DATA/machine-id"
  chmod 0644 "$DATA/machine-id"
fi

# Start for every user at login (GNOME, KDE, Xfce, Cinnamon, MATE all read this folder).
install -D -m 0644 /opt/Classlock/resources/classlock-autostart.desktop \
  /etc/xdg/autostart/classlock.desktop

exit 0
