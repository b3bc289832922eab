//go:build !windows

package main

import (
	"fmt"
	"os"
	"syscall"
)

// execTray replaces this process with tray (same pid, environment and open files); it
// returns only if that fails.
func execTray(tray string, args []string) int {
	err := syscall.Exec(tray, append([]string{tray}, args...), os.Environ())
	fmt.Fprintf(os.Stderr, "starting Patchbay's tray %s: %v\n", tray, err)
	return 1
}
