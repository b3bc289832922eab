package keychain

import (
	"fmt"
	"os"
)

func hint() string {
	return "Patchbay keeps secrets only in a Secret Service keyring: start and unlock one, such as " +
		"gnome-keyring or KeePassXC (on a machine without a desktop session: run Patchbay under " +
		"dbus-run-session and unlock the keyring with gnome-keyring-daemon --unlock)"
}

// findSessionBus points D-Bus clients at the user's session bus when DBUS_SESSION_BUS_ADDRESS
// is unset, as it is for a bridge started by a shim that an AI client launched with a minimal
// environment. /run/user/<uid>/bus is where systemd puts the session bus.
func findSessionBus() {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return
	}
	bus := fmt.Sprintf("/run/user/%d/bus", os.Getuid())
	if fi, err := os.Stat(bus); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+bus)
	}
}
