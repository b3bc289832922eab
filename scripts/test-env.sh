#!/usr/bin/env bash
# Runs a command (the tests, the benchmarks) in a private desktop session: a temporary HOME and
# XDG folders, an Xvfb display, a D-Bus session bus and a freshly unlocked gnome-keyring. The
# user's real home, display, session bus and keychain are never touched, and nothing outlives
# the command: xvfb-run and dbus-run-session tear down the display, the bus and the keyring.
#
# Usage: scripts/test-env.sh COMMAND [ARGS...]
set -euo pipefail

if [ "${PATCHBAY_TEST_ENV_INNER:-}" = 1 ]; then
  # Inside the session: unlock a new login keyring and wait until it owns the Secret Service
  # name (--unlock returns before it does; a test that is too quick would make D-Bus start a
  # second, locked daemon).
  if command -v gnome-keyring-daemon >/dev/null; then
    printf '%s' patchbay-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    for _ in $(seq 100); do
      dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
        grep -q 'boolean true' && break
      sleep 0.1
    done
  fi
  exec "$@"
fi

# Keep Go's caches where they are: a new HOME would otherwise mean a cold cgo build of Fyne.
GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE) GOPATH=$(go env GOPATH)
export GOCACHE GOMODCACHE GOPATH
work=$(mktemp -d "${TMPDIR:-/tmp}/patchbay-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/data" "$work/config" "$work/cache" "$work/run"
chmod 700 "$work/run"
export HOME="$work/home" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" \
  XDG_CACHE_HOME="$work/cache" XDG_RUNTIME_DIR="$work/run" PATCHBAY_HOME="$work/patchbay" \
  LANG=en_US.UTF-8 PATCHBAY_TEST_ENV_INNER=1
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY

# Not exec: the EXIT trap above must still run to remove the temporary folder. -noreset: by
# default Xvfb resets itself whenever its last client disconnects, and a client connecting
# during that reset fails with "Failed to open display" (tests connect and disconnect often,
# from parallel packages, so this made GUI tests flaky).
status=0
if command -v xvfb-run >/dev/null && command -v dbus-run-session >/dev/null; then
  xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp -noreset" dbus-run-session -- "$0" "$@" || status=$?
else
  echo "test-env: no xvfb-run/dbus-run-session here; GUI and keychain tests will skip" >&2
  "$@" || status=$?
fi
exit "$status"
