//go:build linux || freebsd || openbsd || netbsd

package app

import (
	"errors"
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
	err := errNoSessionBus
	if sessionBusKnown() {
		_, err = dbus.SessionBus()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "patchbay: no D-Bus session bus (%v); running without a tray icon: closing the window quits\n", err)
		return false
	}
	return true
}

var errNoSessionBus = errors.New("DBUS_SESSION_BUS_ADDRESS is unset and there is no /run/user/UID/bus")

// sessionBusKnown reports whether the desktop session names a bus. When it does not, godbus
// would try `dbus-launch` (if installed), which starts a private bus that no panel watches
// and that outlives the app; better no tray than an invisible one.
func sessionBusKnown() bool {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return true
	}
	_, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid()))
	return err == nil
}
