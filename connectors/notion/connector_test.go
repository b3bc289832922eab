package notion

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/notion/notiontest"
)

func TestConnectorServesSessionsWithTheStoredToken(t *testing.T) {
	fake, url := notiontest.Start(t)
	kc := &keychain.Memory{}
	ctx := context.Background()
	var needs []string
	settings, _ := json.Marshal(Settings{BaseURL: url})
	c, err := New("work", settings, kc, connectors.Hooks{NeedsAuth: func(r string) { needs = append(needs, r) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Transport(ctx); !errors.Is(err, ErrNoToken) || len(needs) != 1 || !strings.Contains(needs[0], "patchbay add notion work") {
		t.Fatalf("without a token: err=%v needs=%v", err, needs)
	}
	if err := kc.Set(ctx, keychain.Key("work", TokenItem), notiontest.Token); err != nil {
		t.Fatal(err)
	}
	// Two concurrent sessions, as two AI clients would have.
	for i := range 2 {
		tr, err := c.Transport(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "client"}, nil).Connect(ctx, tr, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: ToolGetSelf, Arguments: map[string]any{}})
		if err != nil || res.IsError {
			t.Fatalf("session %d: %v %v", i, err, res)
		}
		if got := res.Content[0].(*mcp.TextContent).Text; !strings.Contains(got, "Patchbay Test Bot") {
			t.Errorf("session %d: %s", i, got)
		}
	}
	// A replaced token is used by the next session.
	kc.Set(ctx, keychain.Key("work", TokenItem), "ntn_revoked")
	tr, err := c.Transport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "client"}, nil).Connect(ctx, tr, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, _ := cs.CallTool(ctx, &mcp.CallToolParams{Name: ToolGetSelf, Arguments: map[string]any{}})
	if !res.IsError || len(needs) != 2 {
		t.Errorf("revoked token: isError=%v needs=%v", res.IsError, needs)
	}
	_ = fake
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Transport(ctx); err == nil {
		t.Error("Transport after Close succeeded")
	}
}

func TestSettings(t *testing.T) {
	if s, err := ParseSettings(nil); err != nil || s.BaseURL != DefaultBaseURL {
		t.Errorf("defaults: %+v %v", s, err)
	}
	for _, bad := range []string{`{"base_url":"ftp://x"}`, `{"base_url":"http://notion.example.com"}`, `{"base_url":"https://u:p@x.com"}`, `{`} {
		if _, err := ParseSettings(json.RawMessage(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	if _, err := ParseSettings(json.RawMessage(`{"base_url":"http://127.0.0.1:9"}`)); err != nil {
		t.Errorf("loopback http refused: %v", err)
	}
}

func TestVerify(t *testing.T) {
	_, url := notiontest.Start(t)
	ctx := context.Background()
	id, err := Verify(ctx, url, " "+notiontest.Token+"\n")
	if err != nil || id.BotName != "Patchbay Test Bot" || id.WorkspaceName != "Acme Labs" || id.BotID == "" {
		t.Fatalf("Verify = %+v, %v", id, err)
	}
	_, err = Verify(ctx, url, "ntn_wrong")
	if !IsTokenRefused(err) || !strings.Contains(err.Error(), "API token is invalid.") {
		t.Errorf("bad token: %v", err)
	}
	if _, err := Verify(ctx, url, ""); !IsTokenRefused(err) {
		t.Errorf("empty token: %v", err)
	}
	_, err = Verify(ctx, "http://127.0.0.1:1", notiontest.Token)
	if err == nil || IsTokenRefused(err) || strings.Contains(err.Error(), notiontest.Token) {
		t.Errorf("unreachable: %v", err)
	}
}

func TestReadTokenFromStdin(t *testing.T) {
	tok, err := ReadToken(strings.NewReader("  ntn_abc \nrest"), &strings.Builder{})
	if err != nil || tok != "ntn_abc" {
		t.Errorf("got %q %v", tok, err)
	}
	if _, err := ReadToken(strings.NewReader(""), &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "pipe it in") {
		t.Errorf("empty stdin: %v", err)
	}
	if _, err := ReadToken(strings.NewReader("\n"), &strings.Builder{}); err == nil {
		t.Error("blank line accepted")
	}
}
