#!/usr/bin/env bash
# screenshot.sh: build patchbay, run it under a virtual X server and a private session bus with
# a throwaway home, and save its main window as screenshots/main-window.png.
#
# Usage: scripts/screenshot.sh [OUT.png]        (from the repository root; `make screenshot`)
# Needs: go, xvfb (xvfb-run), dbus (dbus-run-session), xdotool, imagemagick (import).
set -euo pipefail

if [[ "${1:-}" != "--inner" ]]; then
	root=$(cd "$(dirname "$0")/.." && pwd)
	out=${1:-$root/screenshots/main-window.png}
	case $out in /*) ;; *) out=$PWD/$out ;; esac
	for tool in xvfb-run dbus-run-session xdotool import; do
		command -v "$tool" >/dev/null || { echo "screenshot: $tool not found (apt-get install xvfb dbus xdotool imagemagick)" >&2; exit 1; }
	done
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	(cd "$root" && go build -o "$work/patchbay" .)
	mkdir -p "$(dirname "$out")" "$work/home" "$work/pbhome" "$work/data" "$work/config" "$work/cache" "$work/run"
	chmod 700 "$work/run"
	# A fresh home and XDG folders: nothing of the real user's is read or written.
	env HOME="$work/home" PATCHBAY_HOME="$work/pbhome" XDG_DATA_HOME="$work/data" \
		XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" XDG_RUNTIME_DIR="$work/run" \
		LANG=en_US.UTF-8 ${FYNE_THEME:+FYNE_THEME=$FYNE_THEME} \
		xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" \
		dbus-run-session -- bash "$0" --inner "$work/patchbay" "$out"
	echo "screenshot: wrote $out"
	exit 0
fi

# Inside xvfb-run and dbus-run-session: DISPLAY and DBUS_SESSION_BUS_ADDRESS are set.
bin=$2 out=$3
"$bin" 2>"$(dirname "$bin")/stderr.log" &
pid=$!
stop() {
	kill -TERM "$pid" 2>/dev/null || true
	local rc=0
	wait "$pid" || rc=$?
	return "$rc"
}
# Match the title exactly: Fyne's tray adds a hidden window named SystrayMonitor.
if ! wid=$(timeout 30 xdotool search --sync --onlyvisible --name '^Patchbay$' | head -n1) || [[ -z $wid ]]; then
	echo "screenshot: the Patchbay window did not appear within 30 s; its stderr:" >&2
	cat "$(dirname "$bin")/stderr.log" >&2
	stop || true
	exit 1
fi
sleep 1 # let the first frames render
import -window "$wid" "$out"
if ! stop; then
	echo "screenshot: patchbay did not exit cleanly on SIGTERM; its stderr:" >&2
	cat "$(dirname "$bin")/stderr.log" >&2
	exit 1
fi
