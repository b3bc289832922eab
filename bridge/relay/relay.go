// Package relay proxies one AI client's MCP session to one upstream MCP session. The bridge
// ends MCP on both sides with go-sdk: it is an MCP server to the client (over the shim's
// byte stream) and an MCP client to the upstream (over a connectors.Connector transport).
//
// # Design
//
// Each client session gets its own mcp.Server and its own mcp.Client, and one upstream
// session. That makes server-to-client requests (sampling, elicitation, roots) go to the
// client that caused them without bookkeeping, lets the mcp.Client advertise exactly the
// capabilities that client advertised, and lets list_changed and resources/updated
// notifications, which go-sdk only sends server-wide, reach only that client.
//
// Requests are forwarded by receiving middleware (Server.AddReceivingMiddleware) that
// answers tools/*, resources/*, prompts/*, completion/complete and logging/setLevel from
// the upstream, rather than by mirroring upstream tools into the server with AddTool.
// Mirroring copies every tool into every session, panics on schemas without
// "type":"object" (go-sdk.md §2), needs a re-sync before the first call, and makes the
// tool filter a second copy to keep in step; middleware reads the upstream's list when the
// client asks, filters it with ToolEnabled on the spot, passes schemas through untouched,
// and forwards raw arguments. Results are rebuilt from their public fields so nothing of
// the upstream session's own _meta leaks (go-sdk.md §5.6). Since go-sdk exports no
// per-session "list changed" call, one is sent by adding and removing a sentinel tool,
// prompt or resource on the session's own server (never listed: middleware answers lists).
//
// The client side runs over stdio.Conn rather than the SDK's IOTransport: an oversized or
// malformed line then costs one message (answered with a JSON-RPC error) instead of the
// session, and the Conn hands every encoded message to the event tap without re-encoding.
// Event bodies are redacted on a per-session goroutine, off the call path.
//
// When the upstream ends while the client is still there (a child died), in-flight calls
// fail at once, Observer.UpstreamLost is told, and the relay re-dials with jittered backoff
// (100 ms doubling to 5 s), replaying initialize with the client's capabilities,
// re-subscribing resources and re-sending the log level; it re-syncs the tool list and
// sends tools/list_changed if it changed. Requests that arrive meanwhile wait up to
// Options.UpstreamWait. A request that could not even be sent because the old upstream was
// already closing is retried on the new one (it never reached the server); a request that
// was in flight is answered with an error and never retried (it may have had effects).
//
// Plain tools/call requests to stdio children skip go-sdk on both sides: the fast lane
// (fastlane.go) intercepts the client's line, forwards it upstream under a lane id of its
// own and writes the upstream's response back with the client's id, unparsed, when both
// sessions speak the same protocol version. Calls with a progress token, disabled tools,
// remote upstreams and everything else take the go-sdk path described above; the lane
// gives the same answers, errors, cancellation and events.
//
// The exported API below is the contract with the bridge daemon (bridge/api_server.go).
package relay

//lint:file-ignore SA1019 MCP 2026-07-28 deprecates logging, sampling and roots, but clients still use them and Patchbay relays them.

import (
	"context"
	"io"
	"sync"
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
	// ProtocolVersion pins the upstream protocol version; "" lets the SDK negotiate. When
	// pinned, the upstream is offered the client's own version instead if it is one of the
	// initialize-based versions the relay serves: both sides then speak the same version, so
	// tools/call results can take the fast lane as they are (fastlane.go).
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
	// ConnectTimeout bounds spawning the upstream and its handshake, at the client's
	// initialize and at each restart attempt; 0 means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// UpstreamWait bounds how long a request waits for an upstream that is restarting
	// before it gets an error; 0 means DefaultUpstreamWait.
	UpstreamWait time.Duration
}

// DefaultConnectTimeout is the default bound on spawning and initialising an upstream.
// `npx` servers can take seconds on a cold cache.
const DefaultConnectTimeout = 60 * time.Second

// DefaultUpstreamWait is how long a request waits for a restarting upstream by default.
const DefaultUpstreamWait = 10 * time.Second

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
	max  int

	minBackoff, maxBackoff time.Duration // restart backoff bounds

	tap  *tap          // set by Serve before the client session starts
	lane *lane         // the raw fast lane for tools/call (fastlane.go)
	done chan struct{} // closed when Serve is over

	life       context.Context // ends when the session shuts down; bounds background work
	lifeCancel context.CancelFunc

	mu       sync.Mutex         // guards the fields below
	srv      *mcp.Server        // this client's own server (notifications go to all its sessions)
	ss       *mcp.ServerSession // the client's session, once initialize arrived
	client   *mcp.Client        // the upstream client, built from the client's capabilities
	asked    string             // the protocol version the client asked for in initialize
	up       *mcp.ClientSession // the live upstream session; nil while down
	upReady  chan struct{}      // closed when up is set (or the session ends); replaced when lost
	upErr    error              // why the upstream is down
	upCaps   *mcp.ServerCapabilities
	closed   bool
	known    []string        // every upstream tool name from the last full tools/list
	shown    map[string]bool // tool names last listed to the client; nil until it lists
	subs     map[string]bool // resource URIs the client subscribed to, re-subscribed after a restart
	roots    []string        // root URIs copied from the client into s.client
	logLevel mcp.LoggingLevel
	progress map[string]any // upstream progress token -> the client's token, while the call runs
	nextTok  uint64
	// progressPending counts progress notifications read from the upstream but not yet
	// forwarded, per upstream token; progressIdle is closed and replaced when one is done.
	progressPending map[string]int
	progressIdle    chan struct{}

	notifyMu sync.Mutex // serialises sentinel add/remove on srv (list_changed notifications)
}

// NewSession prepares a session; nothing starts until Serve.
func NewSession(opts Options) *Session {
	if opts.Events == nil {
		opts.Events = events.Discard
	}
	limit := opts.MaxMessageBytes
	if limit <= 0 {
		limit = DefaultMaxMessageBytes
	}
	life, cancel := context.WithCancel(context.Background())
	s := &Session{
		life:       life,
		lifeCancel: cancel,
		opts:       opts,
		max:        limit,
		minBackoff: max(minBackoff, time.Millisecond),
		maxBackoff: max(maxBackoff, minBackoff, time.Millisecond),
		done:       make(chan struct{}),
		upReady:    make(chan struct{}),
		subs:       map[string]bool{},
		progress:   map[string]any{},

		progressPending: map[string]int{},
		progressIdle:    make(chan struct{}),
	}
	s.lane = newLane(s)
	return s
}

// Serve speaks MCP to the AI client over conn (newline-delimited JSON-RPC) and relays to a
// fresh upstream session. It returns when the client disconnects or ctx is done, after
// closing the upstream session. Every client request gets a response or an error, within a
// bound, including while the upstream restarts. Serve may be called once.
func (s *Session) Serve(ctx context.Context, conn io.ReadWriteCloser) error {
	return s.serve(ctx, conn)
}

// RefreshTools re-reads ToolEnabled and, if the visible tool set changed, sends the client
// notifications/tools/list_changed. It does nothing before the client first lists tools
// (it will see the current set when it does). Safe to call at any time, from any goroutine.
func (s *Session) RefreshTools() { s.refreshTools() }

// Dial opens a standalone upstream client session for the bridge's own use (the CLI's
// `tools` and `call`, the GUI's Try it): no client to forward server-to-client requests to.
// The caller closes it. timeout bounds spawning and the handshake only.
func Dial(ctx context.Context, c connectors.Connector, protocolVersion string, timeout time.Duration) (*mcp.ClientSession, error) {
	return dial(ctx, c, protocolVersion, timeout)
}
