package app

import (
	"fmt"
	"os"
)

// Start at login: off by default; the checkbox in the main window writes or removes the
// platform's login item (autostart_<os>.go), which runs this executable with no arguments
// (the tray). autostartEnabled and setAutostart only touch the user's own files (or, on
// Windows, the user's Run key); they are quick and idempotent.

// autostartExe is the program the login item starts: this tray binary itself (not the lean
// patchbay, which would only exec the tray again).
func autostartExe() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding the patchbay executable: %w", err)
	}
	return exe, nil
}
