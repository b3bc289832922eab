//lint:file-ignore SA1019 MCP 2026-07-28 deprecates logging, sampling and roots, but clients still use them and Patchbay relays them.

package relay

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/stdio"
	"github.com/patchbay-mcp/patchbay/internal/testpeers"
)

// TestServerEverythingThroughTheRelay runs the official reference server
// (@modelcontextprotocol/server-everything, a real node child) behind the relay, driven by
// a go-sdk client that advertises sampling, elicitation and roots.
func TestServerEverythingThroughTheRelay(t *testing.T) {
	node, script := testpeers.Require(t, "@modelcontextprotocol/server-everything/dist/index.js")
	set, _ := json.Marshal(map[string]any{"command": node, "args": []string{script, "stdio"}, "warm_spare": false})
	c, err := stdio.New("everything", set, nil, connectors.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	var (
		mu       sync.Mutex
		progress []float64
		logs     int
		updated  []string
		sampled  string
	)
	client := mcp.NewClient(&mcp.Implementation{Name: "go-test-client", Version: "1"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			if r.Params.ProgressToken == "tok-1" {
				progress = append(progress, r.Params.Progress)
			}
			mu.Unlock()
		},
		LoggingMessageHandler: func(context.Context, *mcp.LoggingMessageRequest) { mu.Lock(); logs++; mu.Unlock() },
		ResourceUpdatedHandler: func(_ context.Context, r *mcp.ResourceUpdatedNotificationRequest) {
			mu.Lock()
			updated = append(updated, r.Params.URI)
			mu.Unlock()
		},
		CreateMessageHandler: func(_ context.Context, r *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			mu.Lock()
			sampled = r.Params.Messages[0].Content.(*mcp.TextContent).Text
			mu.Unlock()
			return &mcp.CreateMessageResult{Model: "relay-test-model", Role: "assistant", Content: &mcp.TextContent{Text: "forty-two"}}, nil
		},
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"name": "Ada Lovelace", "check": true}}, nil
		},
	})
	client.AddRoots(&mcp.Root{URI: "file:///projects/patchbay", Name: "patchbay"})
	st := start(t, Options{Connection: "everything", Connector: c}, client)
	cs := st.cs
	ctx := context.Background()

	// Tools that depend on the client's capabilities are registered after initialize.
	eventually(t, "the capability-dependent tools", func() bool {
		res, err := cs.ListTools(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(res.Tools, func(tl *mcp.Tool) bool { return tl.Name == "trigger-sampling-request" })
	})
	if got := mustCall(t, cs, "echo", map[string]any{"message": "through the relay"}); got != "Echo: through the relay" {
		t.Errorf("echo = %q", got)
	}

	t.Run("progress", func(t *testing.T) {
		p := &mcp.CallToolParams{Name: "trigger-long-running-operation", Arguments: map[string]any{"duration": 0.3, "steps": 3}}
		p.SetProgressToken("tok-1")
		if _, err := cs.CallTool(ctx, p); err != nil {
			t.Fatal(err)
		}
		eventually(t, "progress 1..3", func() bool { mu.Lock(); defer mu.Unlock(); return len(progress) == 3 })
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(progress, []float64{1, 2, 3}) {
			t.Errorf("progress = %v", progress)
		}
	})
	t.Run("cancellation", func(t *testing.T) {
		cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		_, err := cs.CallTool(cctx, &mcp.CallToolParams{Name: "trigger-long-running-operation", Arguments: map[string]any{"duration": 60, "steps": 60}})
		if err == nil {
			t.Fatal("a cancelled 60 s operation succeeded")
		}
		if got := mustCall(t, cs, "echo", map[string]any{"message": "still here"}); got != "Echo: still here" {
			t.Errorf("echo after cancel = %q", got)
		}
	})
	t.Run("sampling", func(t *testing.T) {
		got := mustCall(t, cs, "trigger-sampling-request", map[string]any{"prompt": "what is six times seven?"})
		if !strings.Contains(got, "forty-two") || !strings.Contains(got, "relay-test-model") {
			t.Errorf("sampling result %q lacks the client's answer", got)
		}
		mu.Lock()
		defer mu.Unlock()
		if !strings.Contains(sampled, "what is six times seven?") {
			t.Errorf("client was asked %q", sampled)
		}
	})
	t.Run("elicitation", func(t *testing.T) {
		if got := mustCall(t, cs, "trigger-elicitation-request", nil); !strings.Contains(got, "Ada Lovelace") {
			t.Errorf("elicitation result %q lacks the client's answer", got)
		}
	})
	t.Run("roots", func(t *testing.T) {
		eventually(t, "the roots upstream", func() bool {
			got, _ := call(t, cs, "get-roots-list", nil)
			return strings.Contains(got, "file:///projects/patchbay")
		})
	})
	t.Run("resources", func(t *testing.T) {
		res, err := cs.ListResources(ctx, nil)
		if err != nil || len(res.Resources) == 0 {
			t.Fatalf("resources/list = %v, %v", res, err)
		}
		uri := res.Resources[0].URI
		rr, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri})
		if err != nil || len(rr.Contents) == 0 {
			t.Fatalf("resources/read %s = %v, %v", uri, rr, err)
		}
		tpl, err := cs.ListResourceTemplates(ctx, nil)
		if err != nil || len(tpl.ResourceTemplates) == 0 {
			t.Fatalf("resources/templates/list = %v, %v", tpl, err)
		}
		if err := cs.Subscribe(ctx, &mcp.SubscribeParams{URI: uri}); err != nil {
			t.Fatal(err)
		}
		mustCall(t, cs, "toggle-subscriber-updates", nil)
		eventually(t, "resources/updated", func() bool { mu.Lock(); defer mu.Unlock(); return slices.Contains(updated, uri) })
		mustCall(t, cs, "toggle-subscriber-updates", nil)
	})
	t.Run("prompts and completion", func(t *testing.T) {
		pl, err := cs.ListPrompts(ctx, nil)
		if err != nil || !slices.ContainsFunc(pl.Prompts, func(p *mcp.Prompt) bool { return p.Name == "simple-prompt" }) {
			t.Fatalf("prompts/list = %v, %v", pl, err)
		}
		gp, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "simple-prompt"})
		if err != nil || len(gp.Messages) == 0 {
			t.Fatalf("prompts/get = %v, %v", gp, err)
		}
		cr, err := cs.Complete(ctx, &mcp.CompleteParams{
			Ref:      &mcp.CompleteReference{Type: "ref/prompt", Name: "completable-prompt"},
			Argument: mcp.CompleteParamsArgument{Name: "department", Value: "En"},
		})
		if err != nil || !slices.Equal(cr.Completion.Values, []string{"Engineering"}) {
			t.Fatalf("completion/complete = %+v, %v", cr, err)
		}
	})
	t.Run("logging", func(t *testing.T) {
		if err := cs.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: "debug"}); err != nil {
			t.Fatal(err)
		}
		mustCall(t, cs, "toggle-simulated-logging", nil)
		eventually(t, "a log message", func() bool { mu.Lock(); defer mu.Unlock(); return logs > 0 })
		mustCall(t, cs, "toggle-simulated-logging", nil)
	})
}
