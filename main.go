// Command patchbay is one binary with four faces: with no arguments it is the tray app;
// `patchbay bridge` is the daemon; `patchbay shim NAME` is what an AI client's config launches;
// every other verb is the CLI. The mode is chosen before anything heavy starts: a shim or a
// CLI verb never initialises Fyne or GL, so it runs headless and starts in milliseconds.
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
