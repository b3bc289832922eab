package remotetest

import (
	"crypto/subtle"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// SSEServer is an MCP server that speaks only the 2024-11-05 HTTP+SSE transport: GET opens
// the event stream, POST to the announced endpoint sends messages, and a POST without a
// session (how a Streamable HTTP client starts) is answered 400.
type SSEServer struct {
	// URL is the SSE endpoint.
	URL string

	http     *httptest.Server
	requests atomic.Int64
}

// NewSSEServer starts an SSE-only server with the fake's tools. If header is not empty,
// every request must carry header: value, else it gets 401.
func NewSSEServer(header, value string) *SSEServer {
	srv := newMCPServer()
	h := mcp.NewSSEHandler(func(*http.Request) *mcp.Server { return srv }, nil)
	s := &SSEServer{}
	s.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if header != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get(header)), []byte(value)) != 1 {
			http.Error(w, "missing or wrong "+header, http.StatusUnauthorized)
			return
		}
		s.requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	s.URL = s.http.URL + "/events"
	return s
}

// Requests returns how many authorised requests reached the server.
func (s *SSEServer) Requests() int { return int(s.requests.Load()) }

// Close stops the server.
func (s *SSEServer) Close() {
	s.http.CloseClientConnections()
	s.http.Close()
}
