// Command patchbay-tray is Patchbay's tray app (Fyne: cgo, GL). With no arguments it opens
// the tray and the main window; with arguments it is the CLI, the bridge or a shim like the
// lean `patchbay`, so that a lone tray binary (and its tests) still work. The tray starts the
// bridge with the lean `patchbay` next to it when it is there (internal/exepath).
package main

import (
	"os"

	"github.com/patchbay-mcp/patchbay/app"
	"github.com/patchbay-mcp/patchbay/cli"
)

func main() {
	if len(os.Args) < 2 {
		os.Exit(app.Run())
	}
	os.Exit(cli.Main(nil, os.Args[1:]))
}
