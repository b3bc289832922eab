// Package oauth is Patchbay's OAuth 2.1 client for remote MCP servers such as Notion's hosted
// server: one login per connection, kept in the OS keychain and shared by every AI client.
//
// Two halves, used by different callers:
//
//   - Authorize runs the interactive flow that a person started ("Connect Notion…" in the
//     tray, `patchbay connect`): RFC 9728 and RFC 8414 discovery, RFC 7591 dynamic
//     registration as a public client, PKCE S256, a checked state, the RFC 8707 resource, a
//     loopback callback on a fixed 127.0.0.1 port, then the registration and tokens stored in
//     the keychain. It is built on go-sdk's auth.AuthorizationCodeHandler.
//   - Tokens hands out access tokens to the bridge's connections: loaded from the keychain,
//     refreshed a few minutes before they expire, one refresh at a time however many calls
//     wait, the rotated refresh token saved before it is used. When the grant is gone
//     (invalid_grant) it says "needs reconnect" once through Hooks.NeedsAuth and fails every
//     call fast. It never opens a browser: only Authorize does, and only when asked.
//
// Secrets (tokens, codes, client secrets, PKCE verifiers) never reach a file, a log line, an
// event or an error message.
package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
)

// DefaultCallbackPort is the loopback port of the OAuth callback when the connection's
// settings name none. Authorization servers such as Notion's match loopback redirect URIs
// exactly, port included, so the port is fixed per connection rather than picked at random.
const DefaultCallbackPort = 33418

// CallbackPath is the path of the loopback redirect URI.
const CallbackPath = "/callback"

// Keychain items, under keychain.Key(connection, item).
const (
	// ItemToken holds the access and refresh tokens (JSON).
	ItemToken = "oauth/token"
	// ItemClient holds the client registration and the endpoints it belongs to (JSON).
	ItemClient = "oauth/client"
)

// Config names one OAuth connection. The zero values of the optional fields are fine.
type Config struct {
	// Name is the connection's name: it builds the keychain keys.
	Name string
	// Label is what people call the connection in messages ("Notion"); "" means Name.
	Label string
	// ResourceURL is the MCP endpoint, e.g. https://mcp.notion.com/mcp.
	ResourceURL string
	// CallbackPort is the loopback callback port; 0 means DefaultCallbackPort.
	CallbackPort int
	// Store holds the tokens and the client registration.
	Store keychain.Store
	// HTTPClient makes the OAuth requests; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Hooks receive the steps (never a secret) and the "needs reconnect" signal.
	Hooks connectors.Hooks
	// Now is the clock; nil means time.Now. Tests move it to expire tokens.
	Now func() time.Time
	// FreshRegistration makes Authorize register a new client even when one is stored (for
	// a reconnect after the server dropped the registration). The stored one is replaced
	// only when the login succeeds.
	FreshRegistration bool
}

func (c Config) label() string {
	if c.Label != "" {
		return c.Label
	}
	return c.Name
}

func (c Config) port() int {
	if c.CallbackPort != 0 {
		return c.CallbackPort
	}
	return DefaultCallbackPort
}

// RedirectURL is the loopback redirect URI registered for this connection.
func (c Config) RedirectURL() string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", c.port(), CallbackPath)
}

func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c Config) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return &http.Client{Timeout: 30 * time.Second}
}

func (c Config) logf(level, format string, args ...any) {
	c.Hooks.LogLine(level, fmt.Sprintf("oauth %s: ", c.Name)+fmt.Sprintf(format, args...))
}

// clientRecord is a client registration and the authorization server it belongs to, as
// stored in the keychain. ClientSecret is empty for a public client (the normal case).
type clientRecord struct {
	ClientID      string   `json:"client_id"`
	ClientSecret  string   `json:"client_secret,omitempty"`
	AuthMethod    string   `json:"token_endpoint_auth_method"`
	Issuer        string   `json:"issuer"`
	AuthURL       string   `json:"authorization_endpoint"`
	TokenURL      string   `json:"token_endpoint"`
	RevocationURL string   `json:"revocation_endpoint,omitempty"`
	RedirectURL   string   `json:"redirect_uri"`
	Resource      string   `json:"resource"`
	Scopes        []string `json:"scopes,omitempty"`
}

// tokenRecord is a token set as stored in the keychain. Obtained lets the proactive refresh
// lead scale with the token's lifetime.
type tokenRecord struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	Obtained     time.Time `json:"obtained"`
}

func loadJSON[T any](ctx context.Context, store keychain.Store, key string) (*T, error) {
	s, err := store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal([]byte(s), v); err != nil {
		// The error from encoding/json can quote the input: never pass it on.
		return nil, &damagedError{key: key}
	}
	return v, nil
}

func saveJSON(ctx context.Context, store keychain.Store, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", key, err)
	}
	if err := store.Set(ctx, key, string(b)); err != nil {
		return fmt.Errorf("saving %s in the keychain: %w", key, err)
	}
	return nil
}

// deleteItem deletes key, treating "not there" as done.
func deleteItem(ctx context.Context, store keychain.Store, key string) error {
	if err := store.Delete(ctx, key); err != nil && !errors.Is(err, keychain.ErrNotFound) {
		return fmt.Errorf("deleting %s from the keychain: %w", key, err)
	}
	return nil
}

// damagedError says a keychain item does not hold the JSON Patchbay wrote.
type damagedError struct{ key string }

func (e *damagedError) Error() string {
	return fmt.Sprintf("keychain item %s is damaged (not the JSON Patchbay wrote); reconnect to replace it", e.key)
}

func key(name, item string) string { return keychain.Key(name, item) }

// ErrNeedsReconnect is what a NeedsReconnectError matches with errors.Is.
var ErrNeedsReconnect = errors.New("needs reconnect")

// NeedsReconnectError says a connection cannot work until the user connects it again: it was
// never connected, or its grant was revoked or expired. Its message says what to do.
type NeedsReconnectError struct {
	// Label names the connection in words ("Notion"); Name is its id.
	Label, Name string
	// Reason says what happened, without secrets.
	Reason string
	// Never is set when the connection was never logged in (rather than lost its login).
	Never bool
}

func (e *NeedsReconnectError) Error() string {
	verb := "reconnect"
	if e.Never {
		verb = "connect"
	}
	return fmt.Sprintf("%s is not authorized (%s): %s %s in Patchbay, or run: patchbay %s %s",
		e.Label, e.Reason, verb, e.Label, verb, e.Name)
}

// Is makes errors.Is(err, ErrNeedsReconnect) true.
func (e *NeedsReconnectError) Is(target error) bool { return target == ErrNeedsReconnect }

// IsNeedsReconnect reports whether err says the connection must be connected again.
func IsNeedsReconnect(err error) bool { return errors.Is(err, ErrNeedsReconnect) }
