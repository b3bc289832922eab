// Package remote connects Patchbay to any MCP server reachable over HTTP: Streamable HTTP,
// with a fallback to the 2024-11-05 HTTP+SSE transport, and either no auth, a static header
// whose value lives in the keychain, or OAuth 2.1 (package oauth). Notion's hosted server is
// a preset.
//
// A Connector hands the bridge one mcp.Transport per AI client session. Under each, lost
// upstream sessions (404 after a server restart) are re-established so that the client's
// session carries on, and tokens are attached and refreshed without ever opening a browser.
package remote

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/patchbay-mcp/patchbay/connectors/remote/oauth"
)

// Auth kinds of a remote connection.
const (
	AuthNone   = "none"
	AuthHeader = "header"
	AuthOAuth  = "oauth"
)

// Transport kinds: TransportAuto tries Streamable HTTP and falls back to SSE.
const (
	TransportAuto       = ""
	TransportStreamable = "streamable"
	TransportSSE        = "sse"
)

// ItemHeader is the keychain item, under keychain.Key(connection, ItemHeader), that holds
// the value of the static auth header.
const ItemHeader = "header"

// Settings are a remote connection's settings as the bridge stores them in state.json. They
// hold no secret: those live in the keychain.
type Settings struct {
	// URL is the MCP endpoint, e.g. https://mcp.notion.com/mcp.
	URL string `json:"url"`
	// Auth is AuthNone (or ""), AuthHeader or AuthOAuth.
	Auth string `json:"auth,omitempty"`
	// Header names the header that carries the secret when Auth is AuthHeader; "" means
	// Authorization.
	Header string `json:"header,omitempty"`
	// CallbackPort is the OAuth loopback callback port; 0 means oauth.DefaultCallbackPort.
	CallbackPort int `json:"callback_port,omitempty"`
	// Transport forces TransportStreamable or TransportSSE; "" detects.
	Transport string `json:"transport,omitempty"`
	// Label is what people call the server ("Notion"); "" means the connection's name.
	Label string `json:"label,omitempty"`
}

// Validate checks s and says what to fix.
func (s Settings) Validate() error {
	u, err := url.Parse(s.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("the server URL %q is not an http(s) URL", s.URL)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("the server URL %q is plain http: use https (plain http is allowed only for 127.0.0.1 and localhost)", s.URL)
	}
	switch s.Auth {
	case "", AuthNone, AuthOAuth:
	case AuthHeader:
		if s.Header != "" && !validHeaderName(s.Header) {
			return fmt.Errorf("%q is not a valid HTTP header name", s.Header)
		}
	default:
		return fmt.Errorf("auth %q is not one of none, header, oauth", s.Auth)
	}
	if s.CallbackPort < 0 || s.CallbackPort > 65535 {
		return fmt.Errorf("callback_port %d is not a port number", s.CallbackPort)
	}
	switch s.Transport {
	case TransportAuto, TransportStreamable, TransportSSE:
	default:
		return fmt.Errorf("transport %q is not one of streamable, sse (or empty to detect)", s.Transport)
	}
	return nil
}

func (s Settings) headerName() string {
	if s.Header == "" {
		return "Authorization"
	}
	return http.CanonicalHeaderKey(s.Header)
}

func isLoopback(host string) bool {
	return host == "127.0.0.1" || host == "::1" || strings.EqualFold(host, "localhost")
}

func validHeaderName(h string) bool {
	if h == "" {
		return false
	}
	for _, r := range h {
		if r > 127 || r <= ' ' || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r) {
			return false
		}
	}
	return true
}

// OAuthConfig is the oauth.Config of connection name with settings s.
func (s Settings) OAuthConfig(name string) oauth.Config {
	return oauth.Config{Name: name, Label: s.Label, ResourceURL: s.URL, CallbackPort: s.CallbackPort}
}

// NotionHostedURL is Notion's hosted MCP server.
const NotionHostedURL = "https://mcp.notion.com/mcp"

// Preset returns the settings of a well-known remote server by connection name, and whether
// there is one. "notion" is Notion's hosted server with OAuth.
func Preset(name string) (Settings, bool) {
	switch name {
	case "notion":
		return Settings{URL: NotionHostedURL, Auth: AuthOAuth, Label: "Notion"}, true
	}
	return Settings{}, false
}

// ErrNotOAuth says a connection does not use OAuth, so there is nothing to connect.
var ErrNotOAuth = errors.New("this connection does not use OAuth")

// SecretItems lists every keychain item a remote connection may own, under
// keychain.Key(name, item): the bridge deletes them when the connection is removed.
func SecretItems() []string { return []string{ItemHeader, oauth.ItemToken, oauth.ItemClient} }
