package cli

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/internal/paths"
)

func init() {
	register(&Command{
		Name:    "bridge",
		Usage:   "[stop]",
		Summary: "run the bridge daemon in the foreground (`bridge stop` stops a running one)",
		Run:     runBridge,
	})
}

func runBridge(env *Env, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "stop":
			return runBridgeStop(env)
		case "-h", "--help", "help":
			fmt.Fprintln(env.Stdout, "usage: patchbay bridge          run the bridge in the foreground (a shim or the tray starts one when needed)\n       patchbay bridge stop     stop the running bridge (sessions end; clients' shims reconnect to a new one)")
			return 0
		}
		fmt.Fprintf(env.Stderr, "patchbay bridge: unknown argument %q (try `patchbay bridge stop`)\n", args[0])
		return 2
	}
	l, err := paths.Default()
	if err != nil {
		return reportErr(env, "bridge", err)
	}
	ctx, cancel := verbContext()
	defer cancel()
	logger := log.New(env.Stderr, "patchbay bridge: ", log.LstdFlags)
	err = bridge.Run(ctx, bridge.RunOptions{
		Layout: l, Keychain: keychain.System{}, Version: Version, Logger: logger,
		Ready: func() { logger.Printf("listening on %s", l.SocketPath()) },
	})
	if errors.Is(err, bridge.ErrAlreadyRunning) {
		fmt.Fprintf(env.Stderr, "patchbay bridge: %v (socket %s); stop it with `patchbay bridge stop`\n", err, l.SocketPath())
		return 1
	}
	if err != nil {
		return reportErr(env, "bridge", err)
	}
	return 0
}

func runBridgeStop(env *Env) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, _, err := bridgeClient(ctx, false)
	if err != nil {
		return reportErr(env, "bridge stop", err)
	}
	if err := c.Shutdown(ctx); err != nil {
		if errors.Is(err, bridge.ErrNotRunning) {
			fmt.Fprintln(env.Stdout, "the bridge is not running")
			return 0
		}
		return reportErr(env, "bridge stop", err)
	}
	// Wait until it is gone, so that `bridge stop && ...` sees no bridge.
	for ctx.Err() == nil {
		c.CloseIdleConnections()
		if _, err := c.Status(ctx); errors.Is(err, bridge.ErrNotRunning) {
			fmt.Fprintln(env.Stdout, "bridge stopped")
			return 0
		}
		time.Sleep(20 * time.Millisecond)
	}
	return reportErr(env, "bridge stop", errors.New("the bridge accepted to stop but still answers after 30s"))
}
