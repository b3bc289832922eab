package cli

import (
	"encoding/json"
	"fmt"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/connectors/notion"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

const addNotionUsage = "NAME [--base-url URL] [--replace] [--json]   (the token is asked for, or read from stdin)"

func init() { registerAdd("notion", runAddNotion) }

// runAddNotion adds a native Notion connection: it reads the integration token (terminal
// without echo, or one line of stdin) and hands it to the bridge, which checks it with
// Notion (GET /v1/users/me) and only then keeps it in the keychain. A refused token is
// reported with Notion's reason and nothing is stored. The token never appears in argv,
// state.json or output.
func runAddNotion(env *Env, args []string) int {
	fs := newFlags(env, "add notion", addNotionUsage)
	baseURL := fs.String("base-url", notion.DefaultBaseURL, "Notion API origin (a proxy, or a local fake for tests)")
	replace := fs.Bool("replace", false, "replace an existing connection of the same name (for example to store a new token)")
	asJSON := fs.Bool("json", false, "print the connection as JSON")
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
	c, _, err := bridgeClient(ctx, true)
	if err != nil {
		return reportErr(env, "add notion", err)
	}
	raw, _ := json.Marshal(notion.Settings{BaseURL: *baseURL})
	st, err := c.Add(ctx, bridge.AddRequest{Name: name, Kind: state.KindNotion, Settings: raw,
		Secrets: map[string]string{notion.TokenItem: token}, Replace: *replace})
	if err != nil {
		return reportErr(env, "add notion", err)
	}
	if *asJSON {
		json.NewEncoder(env.Stdout).Encode(map[string]any{"connection": st})
		return 0
	}
	fmt.Fprintf(env.Stdout, "Added %s (Notion %s). The token is in the keychain.\n", name, st.Detail)
	fmt.Fprintf(env.Stdout, "Share pages with the integration in Notion (page → ••• → Connections).\nAI clients run it as: patchbay shim %s\nTry it: patchbay tools %s\n", name, name)
	return 0
}
