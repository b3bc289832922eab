package bridge_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/notion"
	"github.com/patchbay-mcp/patchbay/connectors/notion/notiontest"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// TestAddNotionVerifiesInTheBridge: a token Notion refuses is an API error carrying Notion's
// reason and nothing is stored; a good one is stored, the status names the workspace and
// the integration, and removing the connection deletes the token.
func TestAddNotionVerifiesInTheBridge(t *testing.T) {
	f, url := notiontest.Start(t)
	h := newHarness(t)
	ctx := ctxT(t, 30*time.Second)
	settings, _ := json.Marshal(notion.Settings{BaseURL: url})
	const bad = "ntn_notTheRightToken0123456789abcdefXYZ"

	_, err := h.c.Add(ctx, bridge.AddRequest{Name: "work", Kind: state.KindNotion, Settings: settings, Secrets: map[string]string{"token": bad}})
	if !bridge.IsRefused(err) || !strings.Contains(err.Error(), "Notion refused the token") || !strings.Contains(err.Error(), "Nothing was stored") {
		t.Fatalf("add with a bad token: %v", err)
	}
	if strings.Contains(err.Error(), bad) {
		t.Errorf("the error repeats the token")
	}
	if k := h.kc.Keys(); len(k) != 0 {
		t.Fatalf("stored after a refused token: %v", k)
	}
	if st := h.store.Get(); len(st.Connections) != 0 {
		t.Fatalf("saved after a refused token: %+v", st.Connections)
	}
	if _, err := h.c.Add(ctx, bridge.AddRequest{Name: "work", Kind: state.KindNotion, Settings: settings}); err == nil || !strings.Contains(err.Error(), "token") {
		t.Fatalf("add without a token: %v", err)
	}

	cs, err := h.c.Add(ctx, bridge.AddRequest{Name: "work", Kind: state.KindNotion, Settings: settings, Secrets: map[string]string{"token": notiontest.Token}})
	if err != nil {
		t.Fatal(err)
	}
	if cs.Detail != "workspace Acme Labs · integration Patchbay Test Bot" {
		t.Errorf("detail %q", cs.Detail)
	}
	if !strings.Contains(strings.Join(f.Requests(), "\n"), "GET /v1/users/me") {
		t.Errorf("the bridge did not ask Notion: %v", f.Requests())
	}
	st, err := h.c.Status(ctx)
	if err != nil || len(st.Connections) != 1 || st.Connections[0].Detail != cs.Detail {
		t.Fatalf("status: %+v, %v", st, err)
	}
	if v, err := h.kc.Get(context.Background(), keychain.Key("work", "token")); err != nil || v != notiontest.Token {
		t.Fatalf("token in the keychain: %v", err)
	}
	if err := h.c.Remove(ctx, "work"); err != nil {
		t.Fatal(err)
	}
	if k := h.kc.Keys(); len(k) != 0 {
		t.Fatalf("keychain after remove: %v", k)
	}
}

// TestRemoveDeletesStdioSecrets: a stdio connection's secret env items go with it.
func TestRemoveDeletesStdioSecrets(t *testing.T) {
	h := newHarness(t)
	h.addStdio("s", bridge.StdioSettings{Command: "true", SecretEnv: []string{"A", "B"}}, map[string]string{"env/A": "x", "env/B": "y"})
	if k := h.kc.Keys(); len(k) != 2 {
		t.Fatalf("keys %v", k)
	}
	if err := h.c.Remove(ctxT(t, 5*time.Second), "s"); err != nil {
		t.Fatal(err)
	}
	if k := h.kc.Keys(); len(k) != 0 {
		t.Fatalf("keychain after remove: %v", k)
	}
}

// TestNotionDetailOfAnEarlierConnection: a notion connection saved before this bridge
// started gets its detail from Notion in the background once someone asks for the status.
func TestNotionDetailOfAnEarlierConnection(t *testing.T) {
	_, url := notiontest.Start(t)
	h := newHarness(t)
	settings, _ := json.Marshal(notion.Settings{BaseURL: url})
	h.kc.Set(context.Background(), keychain.Key("old", "token"), notiontest.Token)
	if err := h.store.Modify(func(s *state.State) error {
		s.Connections = append(s.Connections, state.Connection{Name: "old", Kind: state.KindNotion, Settings: settings, Created: time.Now().UTC()})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t, 30*time.Second)
	for {
		st, err := h.c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Connections) == 1 && st.Connections[0].Detail != "" {
			if d := st.Connections[0].Detail; d != "workspace Acme Labs · integration Patchbay Test Bot" {
				t.Fatalf("detail %q", d)
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatal("no detail within 30s")
		case <-time.After(20 * time.Millisecond):
		}
	}
}
