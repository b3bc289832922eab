package notion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
)

// Settings are a Notion connection's settings as saved in state.json. No secret: the token
// lives in the keychain under keychain.Key(name, "token").
type Settings struct {
	// BaseURL is the API origin; empty means https://api.notion.com.
	BaseURL string `json:"base_url,omitempty"`
}

// TokenItem is the keychain item that holds a connection's integration token.
const TokenItem = "token"

// ParseSettings decodes and checks settings; empty input gives the defaults.
func ParseSettings(raw json.RawMessage) (Settings, error) {
	var s Settings
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &s); err != nil {
			return s, fmt.Errorf("decoding notion settings: %w", err)
		}
	}
	if s.BaseURL == "" {
		s.BaseURL = DefaultBaseURL
	}
	if err := CheckBaseURL(s.BaseURL); err != nil {
		return s, err
	}
	return s, nil
}

// CheckBaseURL accepts an http(s) origin such as https://api.notion.com or
// http://127.0.0.1:8080 (plain http only for loopback, since the token travels with every
// request).
func CheckBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("base URL %q is not an http(s) origin like https://api.notion.com", s)
	}
	if u.Scheme == "http" {
		h := u.Hostname()
		if h != "localhost" && !strings.HasPrefix(h, "127.") && h != "::1" {
			return fmt.Errorf("base URL %q uses plain http to a non-local host: the token would travel unencrypted; use https", s)
		}
	}
	if u.User != nil {
		return errors.New("base URL must not contain credentials")
	}
	return nil
}

// Connector serves the Notion tools of one connection to the bridge. Each Transport call
// reads the token from the keychain (so a token replaced by `patchbay add notion` is picked
// up by the next session) and connects a new session of an in-process MCP server over
// in-memory transports. It is safe for concurrent use.
type Connector struct {
	name     string
	settings Settings
	kc       keychain.Store
	hooks    connectors.Hooks

	mu     sync.Mutex // guards token, server and closed
	token  string     // the token the server was built with
	server *mcp.Server
	closed bool
}

// New returns the connector of the connection name with the saved settings. It does not
// touch the network or the keychain yet.
func New(name string, settings json.RawMessage, kc keychain.Store, hooks connectors.Hooks) (*Connector, error) {
	s, err := ParseSettings(settings)
	if err != nil {
		return nil, err
	}
	return &Connector{name: name, settings: s, kc: kc, hooks: hooks}, nil
}

// ErrNoToken says no token is stored for the connection.
var ErrNoToken = errors.New("no Notion token is stored for this connection")

// Transport implements connectors.Connector.
func (c *Connector) Transport(ctx context.Context) (mcp.Transport, error) {
	token, err := c.kc.Get(ctx, keychain.Key(c.name, TokenItem))
	if errors.Is(err, keychain.ErrNotFound) {
		c.hooks.NeedAuth(fmt.Sprintf("no Notion token is stored for %q: run `patchbay add notion %s --replace`", c.name, c.name))
		return nil, fmt.Errorf("connection %q: %w: run `patchbay add notion %s --replace` to store one", c.name, ErrNoToken, c.name)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the Notion token of %q from the keychain: %w", c.name, err)
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, fmt.Errorf("connection %q: connector closed", c.name)
	}
	if c.server == nil || c.token != token {
		c.server = NewServer(Config{BaseURL: c.settings.BaseURL, Token: token, Hooks: c.hooks})
		c.token = token
	}
	srv := c.server
	c.mu.Unlock()
	st, ct := mcp.NewInMemoryTransports()
	if _, err := srv.Connect(ctx, st, nil); err != nil {
		return nil, fmt.Errorf("starting the Notion server session: %w", err)
	}
	return ct, nil
}

// Close implements connectors.Connector. Sessions already running go on until they end.
func (c *Connector) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}

var _ connectors.Connector = (*Connector)(nil)
