package notion

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/notion/notiontest"
)

// rig is a fake Notion API, our server over in-memory transports, and a client session.
type rig struct {
	t     *testing.T
	fake  *notiontest.Fake
	s     notiontest.Sample
	svc   *service
	cs    *mcp.ClientSession
	waits []time.Duration // what the client would have slept
	auth  []string        // NeedsAuth reasons
}

func newRig(t *testing.T) *rig {
	t.Helper()
	fake, url := notiontest.Start(t)
	return newRigFor(t, fake, url, notiontest.Token)
}

func newRigFor(t *testing.T, fake *notiontest.Fake, url, token string) *rig {
	t.Helper()
	r := &rig{t: t, fake: fake, s: fake.Sample()}
	srv, svc := newServer(Config{BaseURL: url, Token: token, Client: ClientOptions{Rate: -1},
		Hooks: connectors.Hooks{NeedsAuth: func(reason string) { r.auth = append(r.auth, reason) }}})
	svc.c.sleep = func(_ context.Context, d time.Duration) error { r.waits = append(r.waits, d); return nil }
	r.svc = svc
	st, ct := mcp.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test"}, nil).Connect(ctx, ct, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close(); ss.Wait() })
	r.cs = cs
	return r
}

// call calls a tool and returns its text and structured content; it fails the test when
// the error flag differs from wantErr.
func (r *rig) call(name string, args any, wantErr bool) (string, map[string]any) {
	r.t.Helper()
	res, err := r.cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		r.t.Fatalf("%s: %v", name, err)
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	if res.IsError != wantErr {
		r.t.Fatalf("%s(%v): isError=%v, want %v: %s", name, args, res.IsError, wantErr, b.String())
	}
	var sc map[string]any
	if res.StructuredContent != nil {
		raw, _ := json.Marshal(res.StructuredContent)
		json.Unmarshal(raw, &sc)
	}
	return b.String(), sc
}

func (r *rig) ok(name string, args any) string {
	r.t.Helper()
	s, _ := r.call(name, args, false)
	return s
}

func (r *rig) fails(name string, args any) string {
	r.t.Helper()
	s, _ := r.call(name, args, true)
	return s
}

func mustContain(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("output lacks %q:\n%s", sub, clip(s))
		}
	}
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "\n…"
	}
	return s
}
