#!/usr/bin/env bash
# screenshot.sh: PNGs of Patchbay's windows for review, into screenshots/ (`make screenshot`).
#
#  1. Every window and dialog with sample data: the app's screen test renders them with Fyne's
#     software painter against the fake bridge (no display needed): connections, clients,
#     clients-diff, add-token, add-server, connect-notion, inspector-tools, inspector-image,
#     inspector-log, tray-menu, offline.
#  2. The real app under a virtual X server and a private session bus, in a throwaway home: it
#     starts its own (empty) bridge; its main window is saved as main-window.png, then the app
#     and that bridge are stopped.
#
# Usage: scripts/screenshot.sh [DIR]        (from the repository root; FYNE_THEME=dark for dark)
# Needs: go; for step 2 xvfb (xvfb-run), dbus (dbus-run-session), xdotool, imagemagick (import).
set -euo pipefail

if [[ "${1:-}" != "--inner" ]]; then
	root=$(cd "$(dirname "$0")/.." && pwd)
	out=${1:-$root/screenshots}
	case $out in /*) ;; *) out=$PWD/$out ;; esac
	mkdir -p "$out"
	(cd "$root" && LANG=en_US.UTF-8 PATCHBAY_SCREENSHOTS="$out" go test -count=1 -run '^TestScreenshots$' ./app/ >/dev/null)
	echo "screenshot: rendered the windows with sample data into $out"

	for tool in xvfb-run dbus-run-session xdotool import; do
		command -v "$tool" >/dev/null || { echo "screenshot: $tool not found (apt-get install xvfb dbus xdotool imagemagick); skipping the real window" >&2; exit 0; }
	done
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	# Both binaries, as installed: patchbay with no arguments execs the patchbay-tray next to it,
	# and the tray starts the bridge with that patchbay.
	(cd "$root" && CGO_ENABLED=0 go build -o "$work/patchbay" . && go build -o "$work/patchbay-tray" ./cmd/patchbay-tray)
	mkdir -p "$work/home" "$work/pbhome" "$work/data" "$work/config" "$work/cache" "$work/run"
	chmod 700 "$work/run"
	# A fresh home and XDG folders: nothing of the real user's is read or written.
	env HOME="$work/home" PATCHBAY_HOME="$work/pbhome" XDG_DATA_HOME="$work/data" \
		XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" XDG_RUNTIME_DIR="$work/run" \
		LANG=en_US.UTF-8 ${FYNE_THEME:+FYNE_THEME=$FYNE_THEME} \
		xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp -noreset" \
		dbus-run-session -- bash "$0" --inner "$work/patchbay" "$out/main-window.png"
	echo "screenshot: wrote $out/main-window.png"
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
	# The app started a bridge of its own in the throwaway home: stop it too.
	"$bin" bridge stop >/dev/null 2>&1 || true
	return "$rc"
}
# Match the title exactly: Fyne's tray adds a hidden window named SystrayMonitor.
if ! wid=$(timeout 30 xdotool search --sync --onlyvisible --name '^Patchbay$' | head -n1) || [[ -z $wid ]]; then
	echo "screenshot: the Patchbay window did not appear within 30 s; its stderr:" >&2
	cat "$(dirname "$bin")/stderr.log" >&2
	stop || true
	exit 1
fi
sleep 2 # let the first frames render and the bridge answer
import -window "$wid" "$out"
if ! stop; then
	echo "screenshot: patchbay did not exit cleanly on SIGTERM; its stderr:" >&2
	cat "$(dirname "$bin")/stderr.log" >&2
	exit 1
fi
