package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/connectors/notion"
)

const addNotionUsage = "NAME [--base-url URL] [--replace] [--json]   (the token is asked for, or read from stdin)"

func init() { registerAdd("notion", runAddNotion) }

// addConnection hands a new connection to the bridge, which stores its secrets in the
// keychain and saves it. A variable so that tests need no running bridge.
var addConnection = func(ctx context.Context, req bridge.AddRequest) (*bridge.ConnectionStatus, error) {
	c, _, err := bridgeClient(ctx, true)
	if err != nil {
		return nil, err
	}
	return c.Add(ctx, req)
}

// runAddNotion adds a native Notion connection: it reads the integration token (terminal
// without echo, or one line of stdin), checks it with Notion (GET /v1/users/me), and only
// then gives it to the bridge to keep in the keychain. A refused token is reported with
// Notion's reason and nothing is stored. The token never appears in argv, state.json or
// output.
func runAddNotion(env *Env, args []string) int {
	fs := newFlags(env, "add notion", addNotionUsage)
	baseURL := fs.String("base-url", notion.DefaultBaseURL, "Notion API origin (a proxy, or a local fake for tests)")
	replace := fs.Bool("replace", false, "replace an existing connection of the same name (for example to store a new token)")
	asJSON := fs.Bool("json", false, "print the connection and the token's identity as JSON")
	pos, _, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintf(env.Stderr, "usage: patchbay add notion %s\n  for example: patchbay add notion notion\n  Create the token at https://www.notion.so/profile/integrations (Internal integration), then share pages with it: page → ••• → Connections.\n", addNotionUsage)
		return 2
	}
	name := pos[0]
	if err := notion.CheckBaseURL(*baseURL); err != nil {
		return reportErr(env, "add notion", err)
	}
	token, err := notion.ReadToken(env.Stdin, env.Stderr)
	if err != nil {
		return reportErr(env, "add notion", err)
	}
	ctx, cancel := verbContext()
	defer cancel()
	id, err := notion.Verify(ctx, *baseURL, token)
	if err != nil {
		if notion.IsTokenRefused(err) {
			fmt.Fprintf(env.Stderr, "patchbay add notion: %v\nNothing was stored. Copy the Internal Integration Secret from https://www.notion.so/profile/integrations and try again.\n", err)
			return 1
		}
		return reportErr(env, "add notion", err)
	}
	raw, _ := json.Marshal(notion.Settings{BaseURL: *baseURL})
	st, err := addConnection(ctx, bridge.AddRequest{Name: name, Kind: "notion", Settings: raw,
		Secrets: map[string]string{notion.TokenItem: token}, Replace: *replace})
	if err != nil {
		return reportErr(env, "add notion", err)
	}
	if *asJSON {
		json.NewEncoder(env.Stdout).Encode(map[string]any{"connection": st, "identity": id})
		return 0
	}
	fmt.Fprintf(env.Stdout, "Added %s: Notion workspace “%s”, integration “%s”. The token is in the keychain.\n", name, id.WorkspaceName, id.BotName)
	fmt.Fprintf(env.Stdout, "Share pages with it in Notion (page → ••• → Connections → %s).\nAI clients run it as: patchbay shim %s\nTry it: patchbay tools %s\n", id.BotName, name, name)
	return 0
}
