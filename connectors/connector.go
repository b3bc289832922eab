// Package connectors holds the kinds of upstream that Patchbay connects AI clients to. Each
// kind lives in its own folder (stdio, remote, notion) and yields MCP transports; the bridge
// runs an MCP client session over each transport, one per AI client session.
//
// connectors knows nothing of the bridge, the GUI or client configs: it gets its settings
// and a keychain.Store from the bridge, and reports back through Hooks.
package connectors

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A Connector makes upstream MCP sessions for one connection. Implementations are safe for
// concurrent use: the bridge asks for a new transport for every AI client session.
type Connector interface {
	// Transport returns a new transport to the upstream for one MCP client session. The
	// caller connects an mcp.Client over it and closes that session when it is done; closing
	// the session releases what the transport holds (a child process, an HTTP session).
	Transport(ctx context.Context) (mcp.Transport, error)
	// Close releases what the connector itself holds (warm spares, listeners). It is
	// idempotent; transports already handed out stay usable until their sessions close.
	Close() error
}

// Hooks let a connector tell the bridge what happens to it. Any nil func is a no-op. The
// strings passed never contain secrets.
type Hooks struct {
	// Log records a line in the bridge's event log (for example a child's stderr, or an
	// OAuth step). level is "debug", "info", "warn" or "error".
	Log func(level, msg string)
	// NeedsAuth says the connection cannot work until the user (re)authorises it; reason says
	// why, in words a person can act on.
	NeedsAuth func(reason string)
	// Authorized says that a connection which needed authorising works again (a new login
	// was found in the keychain), so that the bridge can clear its needs-auth state.
	Authorized func()
}

// LogLine calls h.Log if set.
func (h Hooks) LogLine(level, msg string) {
	if h.Log != nil {
		h.Log(level, msg)
	}
}

// NeedAuth calls h.NeedsAuth if set.
func (h Hooks) NeedAuth(reason string) {
	if h.NeedsAuth != nil {
		h.NeedsAuth(reason)
	}
}

// AuthOK calls h.Authorized if set.
func (h Hooks) AuthOK() {
	if h.Authorized != nil {
		h.Authorized()
	}
}
