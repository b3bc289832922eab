package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/connectors/remote"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// The connect, reconnect and logout verbs run the OAuth login in the bridge (POST
// /v1/connections/NAME/authorize, streamed): the bridge keeps the tokens in the keychain and
// picks up the login at once. This process prints the URL and opens the browser.

// openURL and presetFor are variables so that tests can use a test browser and a preset
// pointing at a fake server.
var (
	openURL   = remote.OpenBrowser
	presetFor = remote.Preset
)

func init() {
	register(&Command{
		Name:    "connect",
		Usage:   "NAME [--no-browser] [--timeout 10m]",
		Summary: "log in to a remote server with OAuth (`patchbay connect notion` sets up Notion's hosted server)",
		Run:     func(env *Env, args []string) int { return runConnect(env, "connect", args, false) },
	})
	register(&Command{
		Name:    "reconnect",
		Usage:   "NAME [--no-browser] [--timeout 10m]",
		Summary: "log in again to a remote server (after \"needs reconnect\"), with a fresh client registration",
		Run:     func(env *Env, args []string) int { return runConnect(env, "reconnect", args, true) },
	})
	register(&Command{
		Name:    "logout",
		Usage:   "NAME",
		Summary: "revoke a remote server's login and delete its tokens from the keychain",
		Run:     runLogout,
	})
}

func runConnect(env *Env, verb string, args []string, fresh bool) int {
	fs := newFlags(env, verb, "NAME [--no-browser] [--timeout 10m]")
	noBrowser := fs.Bool("no-browser", false, "only print the authorization URL (for a machine without a browser)")
	timeout := fs.Duration("timeout", 10*time.Minute, "how long to wait for the login in the browser")
	pos, ok := parseArgs(fs, args, 1)
	if !ok {
		return 2
	}
	name := pos[0]
	ctx, cancel := verbContext()
	defer cancel()
	c, _, err := bridgeClient(ctx, true)
	if err != nil {
		return reportErr(env, verb, err)
	}
	st, err := c.Status(ctx)
	if err != nil {
		return reportErr(env, verb, err)
	}
	if !slices.ContainsFunc(st.Connections, func(cs bridge.ConnectionStatus) bool { return cs.Name == name }) {
		p, ok := presetFor(name)
		if !ok || fresh {
			return reportErr(env, verb, fmt.Errorf("no connection named %q: add it first with `patchbay add remote %s URL --oauth`", name, name))
		}
		raw, _ := json.Marshal(p)
		if _, err := c.Add(ctx, bridge.AddRequest{Name: name, Kind: state.KindRemote, Settings: raw}); err != nil {
			return reportErr(env, verb, err)
		}
		fmt.Fprintf(env.Stdout, "Added %s: %s (OAuth)\n", name, p.URL)
	}
	ctx, cancelWait := context.WithTimeout(ctx, *timeout)
	defer cancelWait()
	progress := func(p bridge.AuthorizeProgress) {
		if p.Log != "" {
			fmt.Fprintf(env.Stderr, "  %s\n", p.Log)
		}
		if p.URL == "" {
			return
		}
		fmt.Fprintf(env.Stdout, "To let Patchbay use %s, open this URL in a browser and allow access:\n\n  %s\n\nWaiting for the browser (Ctrl-C to cancel)...\n", name, p.URL)
		if *noBrowser {
			return
		}
		if err := openURL(p.URL); err != nil {
			fmt.Fprintf(env.Stderr, "patchbay %s: could not open a browser (%v): open the URL above yourself\n", verb, err)
		}
	}
	if err := c.Authorize(ctx, name, bridge.AuthorizeOptions{Fresh: fresh}, progress); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no login arrived within %s: run `patchbay %s %s` again", *timeout, verb, name)
		}
		return reportErr(env, verb, err)
	}
	fmt.Fprintf(env.Stdout, "Connected %s. The login is in your keychain, shared by every AI client using `patchbay shim %s`.\n", name, name)
	return 0
}

func runLogout(env *Env, args []string) int {
	if len(args) != 1 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stderr, "usage: patchbay logout NAME")
		return 2
	}
	name := args[0]
	ctx, cancel := verbContext()
	defer cancel()
	c, _, err := bridgeClient(ctx, true)
	if err != nil {
		return reportErr(env, "logout", err)
	}
	if err := c.Logout(ctx, name); err != nil {
		return reportErr(env, "logout", err)
	}
	fmt.Fprintf(env.Stdout, "Logged out of %s: its tokens are deleted from the keychain. `patchbay connect %s` logs in again.\n", name, name)
	return 0
}
