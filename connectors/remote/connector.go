package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/remote/oauth"
)

// maxEventSize caps one SSE event from the upstream. go-sdk v1.8.0 treats 0 as "no cap"
// despite its doc, so it is always set.
const maxEventSize = 32 << 20

// Config is what New needs. Now and Transport are for tests; leave them zero.
type Config struct {
	// Name is the connection's name (it builds the keychain keys).
	Name string
	// Settings are the connection's settings from state.json.
	Settings Settings
	// Store holds the header secret or the OAuth tokens.
	Store keychain.Store
	// Hooks receive log lines and the "needs reconnect" signal.
	Hooks connectors.Hooks
	// Now is the clock for token expiry; nil means time.Now.
	Now func() time.Time
	// Transport is the base HTTP transport; nil means a clone of http.DefaultTransport.
	Transport http.RoundTripper
}

// Connector is a remote MCP server connection. It is safe for concurrent use; every
// Transport shares its credentials (one login, one refresh at a time) but has its own
// upstream session.
type Connector struct {
	cfg    Config
	label  string
	auth   *authTransport
	tokens *oauth.Tokens // nil unless Settings.Auth is AuthOAuth

	mu     sync.Mutex // guards mode, closed
	mode   string     // TransportStreamable or TransportSSE once known
	closed bool
}

var _ connectors.Connector = (*Connector)(nil)

// New returns a connector for cfg. It does no I/O: the first Transport reads the keychain
// and, when the transport is to be detected, probes the server.
func New(cfg Config) (*Connector, error) {
	if cfg.Name == "" || strings.Contains(cfg.Name, "/") {
		return nil, fmt.Errorf("connection name %q is not valid", cfg.Name)
	}
	if err := cfg.Settings.Validate(); err != nil {
		return nil, err
	}
	if cfg.Store == nil {
		return nil, errors.New("remote: New needs a keychain store")
	}
	base := cfg.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = 0 // streams are long-lived; calls are bounded by their contexts
		// Every client session holds a stream open and posts its calls beside it: with the
		// default of 2 idle connections per host, 8 sessions opened a new TCP (and TLS)
		// connection for most calls.
		t.MaxIdleConnsPerHost = 64
		base = t
	}
	c := &Connector{cfg: cfg, label: cfg.Settings.Label}
	if c.label == "" {
		c.label = cfg.Name
	}
	c.auth = &authTransport{base: base, name: cfg.Name, label: c.label, store: cfg.Store, hooks: cfg.Hooks}
	switch cfg.Settings.Auth {
	case AuthHeader:
		c.auth.header = cfg.Settings.headerName()
	case AuthOAuth:
		oc := cfg.Settings.OAuthConfig(cfg.Name)
		oc.Store, oc.Hooks, oc.Now = cfg.Store, cfg.Hooks, cfg.Now
		oc.HTTPClient = &http.Client{Transport: base, Timeout: 30 * time.Second}
		c.tokens = oauth.NewTokens(oc)
		c.auth.tokens = c.tokens
	}
	switch {
	case cfg.Settings.Transport != TransportAuto:
		c.mode = cfg.Settings.Transport
	case strings.HasSuffix(strings.TrimRight(urlPath(cfg.Settings.URL), "/"), "/sse"):
		c.mode = TransportSSE
	}
	return c, nil
}

// Transport returns a transport for one MCP client session. The first call may probe the
// server to choose between Streamable HTTP and SSE; the choice is kept. A connection that
// needs a reconnect fails here at once with an oauth.NeedsReconnectError.
func (c *Connector) Transport(ctx context.Context) (mcp.Transport, error) {
	c.mu.Lock()
	closed, mode := c.closed, c.mode
	c.mu.Unlock()
	if closed {
		return nil, errors.New("remote: connector is closed")
	}
	if c.tokens != nil {
		if _, err := c.tokens.Token(ctx); err != nil {
			return nil, err
		}
	}
	if mode == "" {
		m, err := c.detect(ctx)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.mode, mode = m, m
		c.mu.Unlock()
	}
	if mode == TransportSSE {
		return &sseTransport{inner: &mcp.SSEClientTransport{
			Endpoint:     c.cfg.Settings.URL,
			HTTPClient:   &http.Client{Transport: c.auth},
			MaxEventSize: maxEventSize,
		}}, nil
	}
	keeper := &sessionKeeper{base: c.auth, hooks: c.cfg.Hooks, label: c.label, endpoint: c.cfg.Settings.URL}
	return &mcp.StreamableClientTransport{
		Endpoint:     c.cfg.Settings.URL,
		HTTPClient:   &http.Client{Transport: keeper},
		MaxEventSize: maxEventSize,
	}, nil
}

// detect probes the URL: a Streamable HTTP server answers a POSTed initialize; a 2024-11-05
// SSE server refuses it (400, 404 or 405) and answers GET with an event stream.
func (c *Connector) detect(ctx context.Context) (string, error) {
	const initialize = `{"jsonrpc":"2.0","id":"patchbay-probe","method":"initialize","params":{"protocolVersion":"2025-06-18",` +
		`"capabilities":{},"clientInfo":{"name":"patchbay","version":"transport-probe"}}}`
	client := &http.Client{Transport: c.auth, Timeout: 30 * time.Second}
	u := c.cfg.Settings.URL
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(initialize))
	if err != nil {
		return "", fmt.Errorf("probing %s: %w", u, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("reaching %s: %w", c.label, err)
	}
	drain(resp)
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed:
	default:
		if id := resp.Header.Get(sessionHeader); id != "" {
			c.endProbeSession(ctx, client, id)
		}
		return TransportStreamable, nil
	}
	greq, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	greq.Header.Set("Accept", "text/event-stream")
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	gresp, err := client.Do(greq.WithContext(gctx))
	if err != nil {
		return "", fmt.Errorf("reaching %s: %w", c.label, err)
	}
	defer gresp.Body.Close()
	if gresp.StatusCode == http.StatusOK && strings.HasPrefix(gresp.Header.Get("Content-Type"), "text/event-stream") {
		c.cfg.Hooks.LogLine("info", fmt.Sprintf("%s: the server speaks the 2024-11-05 SSE transport; using it", c.label))
		return TransportSSE, nil
	}
	io.Copy(io.Discard, io.LimitReader(gresp.Body, 1<<16))
	return "", fmt.Errorf("%s answered a Streamable HTTP request with %s and an SSE request with %s: "+
		"check that %s is an MCP endpoint", c.label, resp.Status, gresp.Status, u)
}

// endProbeSession deletes the session the probe opened, as a polite client does.
func (c *Connector) endProbeSession(ctx context.Context, client *http.Client, id string) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.cfg.Settings.URL, nil)
	if err != nil {
		return
	}
	req.Header.Set(sessionHeader, id)
	if resp, err := client.Do(req); err == nil {
		drain(resp)
	}
}

// Reload makes the connector read its secrets from the keychain again: call it after a
// login, a logout or a new header secret. It is cheap and safe at any time.
func (c *Connector) Reload() {
	if c.tokens != nil {
		c.tokens.Reload()
	}
	c.auth.reload()
}

// NeedsReconnect returns why the connection needs the user to connect it again, or nil.
func (c *Connector) NeedsReconnect() error {
	if c.tokens == nil {
		return nil
	}
	return c.tokens.NeedsReconnect()
}

// Close implements connectors.Connector. Transports already handed out keep working until
// their sessions close.
func (c *Connector) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return nil
}

func urlPath(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if i := strings.Index(u, "/"); i >= 0 {
		return u[i:]
	}
	return ""
}
