package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/notion"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

func init() {
	register(&Command{
		Name:    "serve",
		Usage:   "notion [NAME]",
		Summary: "run the native Notion MCP server on stdio, without the bridge (no NAME: NOTION_TOKEN and BASE_URL, like @notionhq/notion-mcp-server)",
		Run:     runServe,
	})
}

// keychainStore is the keychain `serve notion NAME` reads; tests replace it.
var keychainStore keychain.Store = keychain.System{}

func runServe(env *Env, args []string) int {
	if len(args) == 0 || args[0] != "notion" {
		fmt.Fprintln(env.Stderr, "usage: patchbay serve notion [NAME]\n  NAME: a connection added with `patchbay add notion NAME`\n  no NAME: read NOTION_TOKEN (and BASE_URL) from the environment, as @notionhq/notion-mcp-server does")
		return 2
	}
	ctx, cancel := verbContext()
	defer cancel()
	cfg, err := serveConfig(ctx, args[1:])
	if err != nil {
		return reportErr(env, "serve notion", err)
	}
	cfg.Version = Version
	srv := notion.NewServer(cfg)
	t := &mcp.IOTransport{Reader: io.NopCloser(env.Stdin), Writer: nopWriteCloser{env.Stdout}}
	if err := srv.Run(ctx, t); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
		return reportErr(env, "serve notion", err)
	}
	return 0
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// serveConfig builds the server's config: from a stored connection when a NAME is given,
// else from the environment exactly as the official server reads it. Flags of the official
// server that make no difference on stdio are accepted and ignored, so that its command
// line can be swapped for ours unchanged.
func serveConfig(ctx context.Context, args []string) (notion.Config, error) {
	var name string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--transport" && i+1 < len(args):
			if args[i+1] != "stdio" {
				return notion.Config{}, fmt.Errorf("only --transport stdio is supported; for other transports add the connection to the bridge (patchbay add notion NAME)")
			}
			i++
		case a == "--transport=stdio":
		case strings.HasPrefix(a, "-"):
			// The official server ignores unknown flags; so do we.
		case name == "":
			name = a
		default:
			return notion.Config{}, fmt.Errorf("unexpected argument %q", a)
		}
	}
	if name == "" {
		return configFromEnv()
	}
	l, err := paths.Default()
	if err != nil {
		return notion.Config{}, err
	}
	st, err := state.Open(l.StateFile())
	if err != nil {
		return notion.Config{}, err
	}
	cur := st.Get()
	c, ok := cur.Connection(name)
	if !ok {
		return notion.Config{}, fmt.Errorf("no connection named %q: add it with `patchbay add notion %s`", name, name)
	}
	if c.Kind != state.KindNotion {
		return notion.Config{}, fmt.Errorf("connection %q is a %s connection, not notion", name, c.Kind)
	}
	s, err := notion.ParseSettings(c.Settings)
	if err != nil {
		return notion.Config{}, fmt.Errorf("connection %q: %w", name, err)
	}
	token, err := keychainStore.Get(ctx, keychain.Key(name, notion.TokenItem))
	if errors.Is(err, keychain.ErrNotFound) {
		return notion.Config{}, fmt.Errorf("no token stored for %q: run `patchbay add notion %s --replace`", name, name)
	}
	if err != nil {
		return notion.Config{}, err
	}
	return notion.Config{BaseURL: s.BaseURL, Token: token}, nil
}

// configFromEnv reads NOTION_TOKEN, OPENAPI_MCP_HEADERS (whose Authorization header wins
// when set, as in the official server) and BASE_URL.
func configFromEnv() (notion.Config, error) {
	token := os.Getenv("NOTION_TOKEN")
	if h := os.Getenv("OPENAPI_MCP_HEADERS"); strings.TrimSpace(h) != "" {
		var headers map[string]string
		if err := json.Unmarshal([]byte(h), &headers); err != nil {
			return notion.Config{}, fmt.Errorf("OPENAPI_MCP_HEADERS is not a JSON object of headers: %w", err)
		}
		for k, v := range headers {
			if strings.EqualFold(k, "Authorization") {
				token = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "Bearer"))
			}
		}
	}
	if token == "" {
		return notion.Config{}, errors.New("set NOTION_TOKEN to the integration token (ntn_...), or pass a connection NAME added with `patchbay add notion NAME`")
	}
	base := os.Getenv("BASE_URL")
	if base != "" {
		if err := notion.CheckBaseURL(strings.TrimSuffix(base, "/")); err != nil {
			return notion.Config{}, fmt.Errorf("BASE_URL: %w", err)
		}
	}
	return notion.Config{BaseURL: base, Token: token}, nil
}
