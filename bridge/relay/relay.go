// Package relay proxies one AI client's MCP session to one upstream MCP session. The bridge
// ends MCP on both sides with go-sdk: it is an MCP server to the client (over the shim's
// byte stream) and an MCP client to the upstream (over a connectors.Connector transport).
//
// CONTRACT between the bridge daemon (caller) and this package (implementation). The
// signatures below are fixed; bodies are being written.
package relay

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors"
)

// UpstreamProtocolVersion is pinned for stdio children: a legacy server can hang on the
// SDK's server/discover probe (go-sdk #1177).
const UpstreamProtocolVersion = "2025-11-25"

// DefaultMaxMessageBytes is the largest JSON-RPC message relayed; a larger one gets a JSON-RPC
// error and the session lives.
const DefaultMaxMessageBytes = 16 << 20

// Options configure one relayed session.
type Options struct {
	// Connection is the Patchbay connection name, used in events and errors.
	Connection string
	// Connector yields the upstream transport. Required.
	Connector connectors.Connector
	// ProtocolVersion pins the upstream protocol version; "" lets the SDK negotiate.
	ProtocolVersion string
	// Events receives a KindMessage event for every message in both directions (redacted),
	// with latency on responses. nil means events.Discard.
	Events events.Sink
	// ToolEnabled reports whether a tool may be listed and called; consulted on every
	// tools/list and tools/call, so enabling/disabling takes effect at once. nil: all enabled.
	ToolEnabled func(tool string) bool
	// MaxMessageBytes bounds one message; 0 means DefaultMaxMessageBytes.
	MaxMessageBytes int
	// Observer hears about the session's life. Any nil func is a no-op. Calls may come from
	// any goroutine.
	Observer Observer
}

// Observer is told about a session's life, for the bridge's status page.
type Observer struct {
	// ClientInitialized: the AI client sent initialize (name from clientInfo).
	ClientInitialized func(client string)
	// UpstreamReady: an upstream session is initialised (first time, or after a restart).
	UpstreamReady func()
	// UpstreamLost: the upstream session ended unexpectedly (child died, HTTP session gone);
	// the relay is reconnecting with backoff.
	UpstreamLost func(err error)
}

// Session is one relayed AI-client session. Its methods are safe for concurrent use.
type Session struct {
	opts Options
}

// NewSession prepares a session; nothing starts until Serve.
func NewSession(opts Options) *Session { return &Session{opts: opts} }

// Serve speaks MCP to the AI client over conn (newline-delimited JSON-RPC) and relays to a
// fresh upstream session. It returns when the client disconnects or ctx is done, after
// closing the upstream session. Every client request gets a response or an error, within a
// bound, including while the upstream restarts.
func (s *Session) Serve(ctx context.Context, conn io.ReadWriteCloser) error {
	return errors.New("relay: not implemented yet")
}

// RefreshTools re-reads ToolEnabled and, if the visible tool set changed, sends the client
// notifications/tools/list_changed.
func (s *Session) RefreshTools() {}

// Dial opens a standalone upstream client session for the bridge's own use (the CLI's
// `tools` and `call`, the GUI's Try it): no client to forward server-to-client requests to.
// The caller closes it.
func Dial(ctx context.Context, c connectors.Connector, protocolVersion string, timeout time.Duration) (*mcp.ClientSession, error) {
	return nil, errors.New("relay: not implemented yet")
}
