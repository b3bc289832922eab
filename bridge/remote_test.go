package bridge_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bench/echoserver"
	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// TestUpstream413KeepsSession sends a request larger than a Streamable HTTP upstream accepts
// (go-sdk's default 4 MiB body limit answers 413): the client gets an error, and its session
// through the shim and the bridge keeps working (go-sdk's own client would drop it).
func TestUpstream413KeepsSession(t *testing.T) {
	srv := echoserver.New()
	ts := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, nil))
	t.Cleanup(ts.Close) // after the harness's cleanup, which ends the sessions holding streams open
	h := newHarness(t)
	raw, _ := json.Marshal(map[string]string{"url": ts.URL})
	if _, err := h.c.Add(ctxT(t, 5*time.Second), bridge.AddRequest{Name: "web", Kind: state.KindRemote, Settings: raw}); err != nil {
		t.Fatal(err)
	}
	cs := h.connect("web", nil)
	ctx := ctxT(t, 60*time.Second)
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "small"}})
	if err != nil || textOf(t, res) != "small" {
		t.Fatalf("small call: %v %v", res, err)
	}
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": strings.Repeat("x", 5<<20)}})
	if err == nil && !res.IsError {
		t.Fatalf("a 5 MiB request passed a 4 MiB upstream")
	}
	t.Logf("5 MiB request: %v", err)
	for i := 0; i < 3; i++ {
		res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "after"}})
		if err != nil || textOf(t, res) != "after" {
			t.Fatalf("call %d after the 413: %v %v", i, res, err)
		}
	}
}
