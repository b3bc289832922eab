// Package notion is Patchbay's native Notion connector: an in-process MCP server that
// speaks Notion's REST API with an integration token (ntn_...) and answers in
// Notion-flavored Markdown, with ten compact tools (notion-search, notion-fetch,
// notion-query-database, notion-create-pages, notion-update-page, notion-append-content,
// notion-get-comments, notion-create-comment, notion-get-users, notion-get-self).
//
// NewServer builds the MCP server; Connector serves it to the bridge over in-memory
// transports; Verify checks a token before it is stored. The same server runs as a plain
// stdio server (`patchbay serve notion`), a drop-in for @notionhq/notion-mcp-server.
package notion

import (
	"context"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/patchbay-mcp/patchbay/connectors"
)

// Config configures a Notion MCP server.
type Config struct {
	// BaseURL is the API origin (default https://api.notion.com); tests and proxies change it.
	BaseURL string
	// Token is the integration token. It is only ever sent to BaseURL.
	Token string
	// Client tunes rate limiting and timeouts.
	Client ClientOptions
	// Concurrency bounds the parallel requests of one fetch (default 4).
	Concurrency int
	// CallTimeout bounds one tool call, retries included (default 2 minutes).
	CallTimeout time.Duration
	// Hooks report to the bridge; NeedsAuth fires when Notion rejects the token.
	Hooks connectors.Hooks
	// Version is reported as the server's version.
	Version string
}

// service holds what the tools share. It is safe for concurrent use.
type service struct {
	c     *Client
	cfg   Config
	mu    sync.Mutex // guards bot
	bot   string     // the integration's name, learnt from users/me, for error messages
	users sync.Map   // user id -> name, learnt from users lists
}

// NewServer returns an MCP server exposing the Notion tools for cfg. One server can serve
// many sessions at once.
func NewServer(cfg Config) *mcp.Server {
	srv, _ := newServer(cfg)
	return srv
}

func newServer(cfg Config) (*mcp.Server, *service) {
	if cfg.CallTimeout == 0 {
		cfg.CallTimeout = 2 * time.Minute
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.Client.Log == nil {
		cfg.Client.Log = cfg.Hooks.LogLine
	}
	s := &service{c: NewClient(cfg.BaseURL, cfg.Token, cfg.Client), cfg: cfg}
	srv := mcp.NewServer(&mcp.Implementation{Name: "patchbay-notion", Title: "Notion (Patchbay)", Version: cfg.Version}, &mcp.ServerOptions{
		Instructions: "Notion workspace tools. Pages are read and written as Notion-flavored Markdown. Find ids with notion-search; read with notion-fetch; ids and notion.so URLs are both accepted everywhere.",
	})
	srv.AddReceivingMiddleware(decodeStringArgs)
	s.addTools(srv)
	return srv, s
}

// ctx bounds one tool call.
func (s *service) ctx(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, s.cfg.CallTimeout)
}

// botName returns the integration's name, asking Notion once.
func (s *service) botName(ctx context.Context) string {
	s.mu.Lock()
	name := s.bot
	s.mu.Unlock()
	if name != "" {
		return name
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	me, err := s.c.Me(ctx)
	if err != nil {
		return ""
	}
	s.mu.Lock()
	s.bot = me.Name
	s.mu.Unlock()
	return me.Name
}

// fail turns an error into a tool error result; op names the capability involved.
func (s *service) fail(ctx context.Context, err error, op string) *mcp.CallToolResult {
	bot := ""
	if IsCode(err, "object_not_found") || IsCode(err, "restricted_resource") {
		bot = s.botName(context.WithoutCancel(ctx))
	}
	if IsCode(err, "unauthorized") {
		s.cfg.Hooks.NeedAuth("Notion rejected the integration token (unauthorized): store a fresh token with `patchbay add notion NAME`.")
	}
	return errResult(explain(err, op, bot))
}
