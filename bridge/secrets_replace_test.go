package bridge_test

import (
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/connectors/stdio/stdiotest"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// TestReplacingSecretsReachesNewSessions: `add --replace` with the same settings and a new
// secret (the way a user fixes a wrong token) must reach the next client session, although
// a warm spare child was already spawned with the old value.
func TestReplacingSecretsReachesNewSessions(t *testing.T) {
	h := newHarness(t)
	add := func(token string, replace bool) {
		t.Helper()
		_, err := h.c.Add(ctxT(t, 10*time.Second), bridge.AddRequest{Name: "s", Kind: state.KindStdio, Replace: replace,
			Settings: stdiotest.Settings(nil, "TOKEN"), Secrets: map[string]string{"env/TOKEN": token}})
		if err != nil {
			t.Fatalf("adding with token %s: %v", token, err)
		}
	}
	tokenSeen := func(cs *mcp.ClientSession) string {
		t.Helper()
		res, err := cs.CallTool(ctxT(t, 10*time.Second), &mcp.CallToolParams{Name: "env", Arguments: map[string]any{"name": "TOKEN"}})
		if err != nil {
			t.Fatal(err)
		}
		return textOf(t, res)
	}

	add("first-value", false)
	first := h.connect("s", nil)
	if got := tokenSeen(first); got != "first-value" {
		t.Fatalf("first session sees TOKEN=%q, want first-value", got)
	}
	// Taking a child makes the connector spawn a warm spare, with the first value. A second
	// session (which takes that spare) makes sure one is in use and another is being made.
	if got := tokenSeen(h.connect("s", nil)); got != "first-value" {
		t.Fatalf("second session sees TOKEN=%q, want first-value", got)
	}

	add("second-value", true)
	if got := tokenSeen(h.connect("s", nil)); got != "second-value" {
		t.Fatalf("a session opened after the secret was replaced sees TOKEN=%q, want second-value", got)
	}
	// Sessions already attached keep the child they have.
	if got := tokenSeen(first); got != "first-value" {
		t.Fatalf("the first session now sees TOKEN=%q; it should keep its child", got)
	}
}
