// Package remotetest is an honest fake of Notion's hosted MCP server for tests: one origin on
// 127.0.0.1 that is both an OAuth 2.1 authorization server and an MCP resource server, like
// https://mcp.notion.com (Cloudflare's workers-oauth-provider in front of a Streamable HTTP
// MCP endpoint).
//
// It enforces the rules a real server does: dynamic client registration (RFC 7591), exact
// redirect URI match, PKCE S256 only, single-use authorization codes, the RFC 8707 resource,
// expiring access tokens, rotating refresh tokens (the one just used stays valid as the
// "previous" token until its successor is used, so two are valid at a time), invalid_grant
// for anything else, revocation (RFC 7009), and 401 with a resource_metadata challenge (RFC
// 9728) on the MCP endpoint. Knobs on Server break it in the ways real servers break.
package remotetest

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Options configure a Server. The zero value is a well-behaved server.
type Options struct {
	// AccessTTL is how long an access token lives; 0 means one hour.
	AccessTTL time.Duration
	// Now is the server's clock; nil means time.Now. Tests share one fake clock between the
	// server and the client to expire tokens without sleeping.
	Now func() time.Time
	// RefuseRegistration makes /register answer 403 with an RFC 7591 error body.
	RefuseRegistration bool
	// NoDiscovery makes every well-known document 404 (no RFC 9728 nor RFC 8414 metadata).
	NoDiscovery bool
	// MalformedDiscovery serves well-known documents that are not valid JSON.
	MalformedDiscovery bool
	// NoRevocation leaves revocation_endpoint out of the metadata and 404s /revoke.
	NoRevocation bool
}

// Counts are what the server saw, for tests to assert on.
type Counts struct {
	Registrations int // successful DCR calls
	Authorizes    int // GET /authorize that passed validation
	CodeGrants    int // successful authorization_code exchanges
	Refreshes     int // successful refresh_token grants
	InvalidGrants int // token requests answered invalid_grant
	Revocations   int // successful revocations
	MCPRequests   int // requests to /mcp that carried a valid token
	Unauthorized  int // requests to /mcp answered 401
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the origin, e.g. http://127.0.0.1:PORT; MCPURL is URL + "/mcp".
	URL, MCPURL string

	opts Options
	http *httptest.Server
	mcp  *mcp.Server

	mu      sync.Mutex // guards everything below
	sh      *mcp.StreamableHTTPHandler
	clients map[string]*client
	pending map[string]*authRequest // consent pages shown, by request id
	codes   map[string]*authCode
	grants  map[string]*grant // by grant id
	access  map[string]*accessToken
	refresh map[string]string // refresh token → grant id
	counts  Counts
}

type client struct {
	id, secret   string
	authMethod   string
	redirectURIs []string
}

type authRequest struct {
	clientID, redirectURI, state, challenge, resource, scope string
}

type authCode struct {
	req     authRequest
	expires time.Time
	used    bool
}

type grant struct {
	id, clientID, user, resource string
	current, previous            string // refresh tokens
	revoked                      bool
}

type accessToken struct {
	grantID string
	expires time.Time
}

// User is the name the fake's consent page logs in as; whoami returns it.
const User = "Ada Lovelace"

// New starts a fake on 127.0.0.1 and stops it when the test ends (through t.Cleanup when
// used with Start). Call Close to stop it.
func New(opts Options) *Server {
	if opts.AccessTTL == 0 {
		opts.AccessTTL = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts:    opts,
		clients: map[string]*client{},
		pending: map[string]*authRequest{},
		codes:   map[string]*authCode{},
		grants:  map[string]*grant{},
		access:  map[string]*accessToken{},
		refresh: map[string]string{},
	}
	s.mcp = newMCPServer()
	s.sh = mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s.mcp }, nil)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-protected-resource/{path...}", s.protectedResourceMetadata)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", s.authServerMetadata)
	mux.HandleFunc("POST /register", s.register)
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /authorize/consent", s.consent)
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("POST /revoke", s.revoke)
	mux.Handle("/mcp", http.HandlerFunc(s.serveMCP))
	s.http = httptest.NewServer(mux)
	s.URL = s.http.URL
	s.MCPURL = s.URL + "/mcp"
	return s
}

// Close stops the server and ends every MCP session.
func (s *Server) Close() {
	s.http.CloseClientConnections()
	s.http.Close()
}

// Counts returns a snapshot of what the server saw.
func (s *Server) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts
}

// RevokeAll revokes every grant, as a user removing the connection in Notion's settings
// would: access and refresh tokens stop working.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.grants {
		g.revoked = true
	}
}

// ForgetClients drops every client registration, as an authorization server that expires
// unused registrations would; tokens of those clients stop working too.
func (s *Server) ForgetClients() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients = map[string]*client{}
}

// ExpireAccessTokens makes every access token issued so far invalid, whatever its expiry
// says, as a server that rotated its signing key would.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.access {
		a.expires = time.Time{}
	}
}

// DropSessions forgets every MCP session, as a server restart does: later requests that
// carry an old session id get 404 "session not found".
func (s *Server) DropSessions() {
	s.mu.Lock()
	s.sh = mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s.mcp }, nil)
	s.mu.Unlock()
	for ss := range s.mcp.Sessions() {
		ss.Close()
	}
}

// DropConnections closes every open TCP connection to the server, as a network blip does;
// sessions stay.
func (s *Server) DropConnections() { s.http.CloseClientConnections() }

func (s *Server) handler() *mcp.StreamableHTTPHandler {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sh
}

// Secrets returns every token, code and client secret the server ever issued, for a test to
// scan files and logs for leaks.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for t := range s.access {
		out = append(out, t)
	}
	for t := range s.refresh {
		out = append(out, t)
	}
	for c := range s.codes {
		out = append(out, c)
	}
	for _, c := range s.clients {
		if c.secret != "" {
			out = append(out, c.secret)
		}
	}
	return out
}

func newToken(prefix string) string { return prefix + rand.Text() }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}
