package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/internal/paths"
)

// EnvShimPipe, set to anything, keeps the shim in the data path: it relays every message
// itself instead of handing the client's stdin and stdout to the bridge (Linux).
const EnvShimPipe = "PATCHBAY_SHIM_PIPE"

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
	// ensure returns the client of a running bridge, starting one if none runs.
	ensure := func(ctx context.Context) (*bridge.Client, error) {
		if client == nil {
			c, err := bridge.EnsureRunning(ctx, l, "")
			if err != nil {
				return nil, err
			}
			client = c
		}
		return client, nil
	}
	// gone forgets the client if err says the bridge went away, so that the next try starts
	// a new one.
	gone := func(err error) {
		if errors.Is(err, bridge.ErrNotRunning) && client != nil {
			client.CloseIdleConnections()
			client = nil
		}
	}
	open := func(ctx context.Context) (io.ReadWriteCloser, error) {
		c, err := ensure(ctx)
		if err != nil {
			return nil, err
		}
		rwc, err := c.OpenMCP(ctx, name) // ctx bounds the opening; the stream outlives it
		gone(err)
		return rwc, err
	}
	opts := bridge.ShimOptions{Name: name, Stdin: env.Stdin, Stdout: env.Stdout, Stderr: env.Stderr, Open: open}
	if os.Getenv(EnvShimPipe) == "" {
		opts.OpenHandover = func(ctx context.Context, stdin, stdout *os.File) (io.ReadWriteCloser, *bridge.Handed, error) {
			c, err := ensure(ctx)
			if err != nil {
				return nil, nil, err
			}
			rwc, ctl, err := c.OpenMCPHandover(ctx, name, stdin, stdout)
			gone(err)
			return rwc, ctl, err
		}
	}
	err = bridge.RunShim(ctx, opts)
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(env.Stderr, "patchbay shim %s: %v\n", name, err)
		return 1
	}
	return 0
}
