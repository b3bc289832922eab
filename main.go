// Command patchbay is Patchbay's lean, pure-Go binary: `patchbay bridge` is the daemon,
// `patchbay shim NAME` is what an AI client's config launches, and every other verb is the
// CLI. With no arguments it opens the tray by running `patchbay-tray` from its own folder.
// The tray (Fyne: cgo, GL, X11) is a separate binary so that the shim, one per AI-client
// session, maps none of it: a small binary starts faster and stays small in memory.
package main

import (
	"os"

	"github.com/patchbay-mcp/patchbay/cli"
)

func main() {
	if len(os.Args) < 2 {
		os.Exit(runTray())
	}
	os.Exit(cli.Main(nil, os.Args[1:]))
}
