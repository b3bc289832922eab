package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/internal/paths"
)

func init() {
	register(&Command{
		Name:    "shim",
		Usage:   "NAME",
		Summary: "what an AI client's config runs: pipe MCP on stdio to connection NAME through the bridge",
		Run:     runShim,
	})
}

// runShim keeps its start-up minimal: no flags package, no keychain, no state file; it
// derives the socket from HOME (the minimal-environment rule) and dials.
func runShim(env *Env, args []string) int {
	if len(args) != 1 || args[0] == "" || args[0][0] == '-' {
		fmt.Fprintln(env.Stderr, "usage: patchbay shim NAME   (put this in an AI client's MCP config; `patchbay status` lists connection names)")
		return 2
	}
	name := args[0]
	l, err := paths.Default()
	if err != nil {
		fmt.Fprintf(env.Stderr, "patchbay shim %s: %v\n", name, err)
		return 1
	}
	ctx, cancel := verbContext()
	defer cancel()
	var client *bridge.Client
	open := func(ctx context.Context) (io.ReadWriteCloser, error) {
		if client == nil {
			c, err := bridge.EnsureRunning(ctx, l, "")
			if err != nil {
				return nil, err
			}
			client = c
		}
		rwc, err := client.OpenMCP(ctx, name) // ctx bounds the opening; the stream outlives it
		if errors.Is(err, bridge.ErrNotRunning) {
			// The bridge went away: start a new one.
			client.CloseIdleConnections()
			client = nil
		}
		return rwc, err
	}
	err = bridge.RunShim(ctx, bridge.ShimOptions{Name: name, Stdin: env.Stdin, Stdout: env.Stdout, Stderr: env.Stderr, Open: open})
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(env.Stderr, "patchbay shim %s: %v\n", name, err)
		return 1
	}
	return 0
}
