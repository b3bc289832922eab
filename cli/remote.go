package cli

import (
	"bufio"
	"encoding/json"
	"fmt"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/connectors/remote"
)

const addRemoteUsage = "NAME URL [--oauth | --header K | --secret] [--callback-port N] [--transport sse|streamable] [--label TEXT] [--replace] [--json]"

func init() { registerAdd("remote", runAddRemote) }

// runAddRemote adds a remote MCP server by URL. With --header K (or --secret alone, for the
// Authorization header) the header's value is asked for like a password (or read as one line
// from stdin) and sent to the bridge, which keeps it in the keychain: it is never in argv,
// state.json or a log. With --oauth the login happens afterwards, in `patchbay connect NAME`.
func runAddRemote(env *Env, args []string) int {
	fs := newFlags(env, "add remote", addRemoteUsage)
	useOAuth := fs.Bool("oauth", false, "log in with OAuth (run `patchbay connect NAME` next)")
	header := fs.String("header", "", "send a secret in header `K` (asks for its value)")
	secret := fs.Bool("secret", false, "ask for the header's secret value (the default header is Authorization; a bare token gets \"Bearer \")")
	port := fs.Int("callback-port", 0, "loopback `port` for the OAuth callback (default 33418)")
	transport := fs.String("transport", "", "force `sse` or `streamable` (default: detect)")
	label := fs.String("label", "", "the server's display `name` in messages (default: NAME)")
	replace := fs.Bool("replace", false, "replace an existing connection of the same name")
	asJSON := fs.Bool("json", false, "print the new connection as JSON")
	pos, _, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 2 {
		fmt.Fprintf(env.Stderr, "usage: patchbay add remote %s\n  for example: patchbay add remote notion https://mcp.notion.com/mcp --oauth\n", addRemoteUsage)
		return 2
	}
	name := pos[0]
	s := remote.Settings{URL: pos[1], CallbackPort: *port, Transport: *transport, Label: *label, Auth: remote.AuthNone}
	switch {
	case *useOAuth && (*header != "" || *secret):
		fmt.Fprintln(env.Stderr, "patchbay add remote: choose either --oauth or a header secret, not both")
		return 2
	case *useOAuth:
		s.Auth = remote.AuthOAuth
	case *header != "" || *secret:
		s.Auth, s.Header = remote.AuthHeader, *header
	}
	if err := s.Validate(); err != nil {
		return reportErr(env, "add remote", err)
	}
	req := bridge.AddRequest{Name: name, Kind: "remote", Replace: *replace}
	if s.Auth == remote.AuthHeader {
		h := s.Header
		if h == "" {
			h = "Authorization"
		}
		v, err := readSecret(env, bufio.NewReader(env.Stdin), h)
		if err != nil {
			return reportErr(env, "add remote", err)
		}
		req.Secrets = map[string]string{remote.ItemHeader: v}
	}
	req.Settings, _ = json.Marshal(s)
	ctx, cancel := verbContext()
	defer cancel()
	c, _, err := bridgeClient(ctx, true)
	if err != nil {
		return reportErr(env, "add remote", err)
	}
	st, err := c.Add(ctx, req)
	if err != nil {
		return reportErr(env, "add remote", err)
	}
	if *asJSON {
		json.NewEncoder(env.Stdout).Encode(st)
		return 0
	}
	fmt.Fprintf(env.Stdout, "Added %s: %s\n", name, s.URL)
	switch s.Auth {
	case remote.AuthOAuth:
		fmt.Fprintf(env.Stdout, "Log in next: patchbay connect %s\n", name)
	case remote.AuthHeader:
		fmt.Fprintln(env.Stdout, "The header's secret is in the keychain.")
	}
	fmt.Fprintf(env.Stdout, "AI clients run it as: patchbay shim %s\nTry it: patchbay tools %s\n", name, name)
	return 0
}
