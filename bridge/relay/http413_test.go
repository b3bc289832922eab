package relay

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/connectors/stdio/stdiotest"
)

// httpConnector reaches a Streamable HTTP server, as the remote connector does.
type httpConnector struct{ url string }

func (h httpConnector) Transport(context.Context) (mcp.Transport, error) {
	return &mcp.StreamableClientTransport{Endpoint: h.url, MaxEventSize: 32 << 20, DisableStandaloneSSE: true}, nil
}

func (httpConnector) Close() error { return nil }

// TestUpstream413KeepsTheClientSession: a Streamable HTTP upstream answering 413 kills
// go-sdk's upstream session (go-sdk.md §3); the client's call gets an error, its session
// lives, and the next call goes to a fresh upstream session.
func TestUpstream413KeepsTheClientSession(t *testing.T) {
	srv := stdiotest.NewServer()
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{MaxRequestBodyBytes: 64 << 10})
	ts := httptest.NewServer(h)
	defer ts.Close()
	var obs observed
	st := start(t, Options{Connector: httpConnector{ts.URL}, ProtocolVersion: "", Observer: obs.observer()}, nil)

	_, err := call(t, st.cs, "echo", map[string]any{"text": strings.Repeat("x", 100<<10)})
	var we *jsonrpc.Error
	if !errors.As(err, &we) {
		t.Fatalf("oversized call: %v, want a JSON-RPC error", err)
	}
	t.Logf("oversized call: %v", err)
	if got := mustCall(t, st.cs, "echo", map[string]any{"text": "after 413"}); got != "after 413" {
		t.Fatalf("echo after 413 = %q", got)
	}
}
