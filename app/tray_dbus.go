//go:build linux || freebsd || openbsd || netbsd

package app

import (
	"fmt"
	"os"

	"github.com/godbus/dbus/v5"
)

// trayReachable reports whether Fyne's tray can work here: on these systems it speaks
// StatusNotifierItem over the D-Bus session bus, so it needs one. Without it Fyne's tray logs
// an error and Quit later panics (fyne-io/fyne#6403), so the app then runs without a tray and
// says so on stderr.
//
// The connection is godbus's shared one, which Fyne's tray reuses: it is not closed here.
func trayReachable() bool {
	if _, err := dbus.SessionBus(); err != nil {
		fmt.Fprintf(os.Stderr, "patchbay: no D-Bus session bus (%v); running without a tray icon: closing the window quits\n", err)
		return false
	}
	return true
}
