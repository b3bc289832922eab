package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/remote"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// remoteLogin is what the connect, reconnect and logout verbs need. localLogin runs the
// login in this process, against state.json (read only) and the keychain; once the bridge
// has login endpoints, an implementation over bridge.Client replaces it and the verbs stay
// as they are.
type remoteLogin interface {
	// Lookup returns the settings of remote connection name, and false if there is none.
	Lookup(ctx context.Context, name string) (remote.Settings, bool, error)
	// Create adds remote connection name with settings s (for a preset).
	Create(ctx context.Context, name string, s remote.Settings) error
	// Authorize runs the OAuth login; open gets the authorization URL.
	Authorize(ctx context.Context, name string, s remote.Settings, open func(url string) error, fresh bool) error
	// Logout revokes and forgets the login.
	Logout(ctx context.Context, name string, s remote.Settings) error
}

// newRemoteLogin, openURL and presetFor are variables so that tests can run the verbs against a fake
// server, an in-memory keychain and a test browser.
var (
	newRemoteLogin = func(env *Env) remoteLogin { return &localLogin{store: keychain.System{}, progress: env.Stderr} }
	openURL        = remote.OpenBrowser
	presetFor      = remote.Preset
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
	pos, _, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	name := pos[0]
	ctx, cancel := verbContext()
	defer cancel()
	login := newRemoteLogin(env)
	s, found, err := login.Lookup(ctx, name)
	if err != nil {
		return reportErr(env, verb, err)
	}
	if !found {
		p, ok := presetFor(name)
		if !ok || fresh {
			return reportErr(env, verb, fmt.Errorf("no connection named %q: add it first with `patchbay add remote %s URL --oauth`", name, name))
		}
		if err := login.Create(ctx, name, p); err != nil {
			return reportErr(env, verb, err)
		}
		fmt.Fprintf(env.Stdout, "Added %s: %s (OAuth)\n", name, p.URL)
		s = p
	}
	if s.Auth != remote.AuthOAuth {
		return reportErr(env, verb, fmt.Errorf("%s does not log in with OAuth (its auth is %q): there is nothing to connect", name, orDefault(s.Auth, remote.AuthNone)))
	}
	ctx, cancelWait := context.WithTimeout(ctx, *timeout)
	defer cancelWait()
	open := func(u string) error {
		fmt.Fprintf(env.Stdout, "To let Patchbay use %s, open this URL in a browser and allow access:\n\n  %s\n\nWaiting for the browser (Ctrl-C to cancel)...\n", name, u)
		if *noBrowser {
			return nil
		}
		return openURL(u)
	}
	if err := login.Authorize(ctx, name, s, open, fresh); err != nil {
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
	login := newRemoteLogin(env)
	s, found, err := login.Lookup(ctx, name)
	if err != nil {
		return reportErr(env, "logout", err)
	}
	if !found {
		return reportErr(env, "logout", errors.New(bridge.NotFoundMessage(name)))
	}
	if err := login.Logout(ctx, name, s); err != nil {
		return reportErr(env, "logout", err)
	}
	fmt.Fprintf(env.Stdout, "Logged out of %s: its tokens are deleted from the keychain. `patchbay connect %s` logs in again.\n", name, name)
	return 0
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// localLogin runs logins in this process: it reads the connection from state.json, keeps the
// tokens in store, and writes the OAuth steps (never a secret) to progress. The bridge picks
// up a new login by itself: a connection that needs a reconnect reads the keychain again on
// its next call.
type localLogin struct {
	store    keychain.Store
	progress io.Writer
}

func (l *localLogin) Lookup(_ context.Context, name string) (remote.Settings, bool, error) {
	lay, err := paths.Default()
	if err != nil {
		return remote.Settings{}, false, err
	}
	st, err := state.Open(lay.StateFile())
	if err != nil {
		return remote.Settings{}, false, err
	}
	cur := st.Get()
	c, ok := cur.Connection(name)
	if !ok {
		return remote.Settings{}, false, nil
	}
	if c.Kind != state.KindRemote {
		return remote.Settings{}, false, fmt.Errorf("%s is a %s connection; only remote connections log in with OAuth", name, c.Kind)
	}
	var s remote.Settings
	if err := json.Unmarshal(c.Settings, &s); err != nil {
		return remote.Settings{}, false, fmt.Errorf("reading the settings of %s in %s: %w", name, lay.StateFile(), err)
	}
	return s, true, nil
}

func (l *localLogin) Create(ctx context.Context, name string, s remote.Settings) error {
	c, _, err := bridgeClient(ctx, true)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(s)
	_, err = c.Add(ctx, bridge.AddRequest{Name: name, Kind: state.KindRemote, Settings: raw})
	return err
}

func (l *localLogin) hooks() connectors.Hooks {
	return connectors.Hooks{Log: func(level, msg string) {
		if l.progress != nil && level != "debug" {
			fmt.Fprintf(l.progress, "  %s\n", msg)
		}
	}}
}

func (l *localLogin) Authorize(ctx context.Context, name string, s remote.Settings, open func(string) error, fresh bool) error {
	return remote.Authorize(ctx, name, s, l.store, open, l.hooks(), fresh)
}

func (l *localLogin) Logout(ctx context.Context, name string, s remote.Settings) error {
	return remote.Logout(ctx, name, s, l.store, l.hooks())
}
