package main

import (
	"fmt"
	"os"

	"github.com/patchbay-mcp/patchbay/internal/exepath"
)

// runTray replaces this process with the tray binary next to it (on Windows: runs it and
// waits); it returns only on failure, with the exit code to use.
func runTray() int {
	tray, err := exepath.Sibling(exepath.Tray)
	if err != nil {
		where := "next to this binary"
		if tray != "" {
			where += " at " + tray
		}
		fmt.Fprintf(os.Stderr, "Patchbay's tray app is not installed %s. Install %s in the same folder as patchbay; headless use: `patchbay help`.\n", where, exepath.Tray)
		return 1
	}
	return execTray(tray, os.Args[1:])
}
