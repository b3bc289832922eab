package bridge_test

//lint:file-ignore SA1019 MCP 2026-07-28 deprecates logging and sampling, but clients still use them: these tests prove Patchbay relays them.

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/internal/testpeers"
)

// TestGoClientEverythingThroughShim drives server-everything through an in-process shim and
// bridge with a go-sdk client that advertises sampling and elicitation.
func TestGoClientEverythingThroughShim(t *testing.T) {
	node, everything := testpeers.Require(t, "@modelcontextprotocol/server-everything/dist/index.js")
	h := newHarness(t)
	h.addStdio("everything", bridge.StdioSettings{Command: node, Args: []string{everything, "stdio"}}, nil)

	var mu sync.Mutex // guards progress and logs
	var progress []float64
	var logs []string
	cs := h.connect("everything", &mcp.ClientOptions{
		CreateMessageHandler: func(ctx context.Context, req *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			return &mcp.CreateMessageResult{Role: "assistant", Model: "go-test", Content: &mcp.TextContent{Text: "sampled by go"}}, nil
		},
		ElicitationHandler: func(ctx context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "cancel"}, nil
		},
		ProgressNotificationHandler: func(ctx context.Context, req *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			progress = append(progress, req.Params.Progress)
			mu.Unlock()
		},
		LoggingMessageHandler: func(ctx context.Context, req *mcp.LoggingMessageRequest) {
			mu.Lock()
			logs = append(logs, string(req.Params.Level))
			mu.Unlock()
		},
	})
	ctx := ctxT(t, 2*time.Minute)
	call := func(name string, args map[string]any) string {
		t.Helper()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var b strings.Builder
		for _, c := range res.Content {
			if tc, ok := c.(*mcp.TextContent); ok {
				b.WriteString(tc.Text)
			}
		}
		return b.String()
	}
	t.Run("tools", func(t *testing.T) {
		res, err := cs.ListTools(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, tl := range res.Tools {
			names[tl.Name] = true
			if tl.InputSchema == nil {
				t.Errorf("%s has no input schema", tl.Name)
			}
		}
		for _, n := range []string{"echo", "get-sum", "trigger-sampling-request", "trigger-elicitation-request", "trigger-long-running-operation"} {
			if !names[n] {
				t.Errorf("tool %s missing from %v", n, names)
			}
		}
		if got := call("get-sum", map[string]any{"a": 2, "b": 3}); !strings.Contains(got, "5") {
			t.Errorf("get-sum: %q", got)
		}
	})
	t.Run("resources", func(t *testing.T) {
		res, err := cs.ListResources(ctx, nil)
		if err != nil || len(res.Resources) == 0 {
			t.Fatalf("list: %v %v", res, err)
		}
		rd, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: res.Resources[0].URI})
		if err != nil || len(rd.Contents) == 0 || rd.Contents[0].URI != res.Resources[0].URI {
			t.Fatalf("read: %v %v", rd, err)
		}
		tpl, err := cs.ListResourceTemplates(ctx, nil)
		if err != nil || len(tpl.ResourceTemplates) == 0 {
			t.Fatalf("templates: %v %v", tpl, err)
		}
		if err := cs.Subscribe(ctx, &mcp.SubscribeParams{URI: res.Resources[0].URI}); err != nil {
			t.Fatalf("subscribe: %v", err)
		}
	})
	t.Run("prompts", func(t *testing.T) {
		res, err := cs.ListPrompts(ctx, nil)
		if err != nil || len(res.Prompts) == 0 {
			t.Fatalf("list: %v %v", res, err)
		}
		p, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "args-prompt", Arguments: map[string]string{"city": "Paris", "state": "TX"}})
		if err != nil || len(p.Messages) == 0 {
			t.Fatalf("get: %v %v", p, err)
		}
		c, err := cs.Complete(ctx, &mcp.CompleteParams{Ref: &mcp.CompleteReference{Type: "ref/prompt", Name: "completable-prompt"}, Argument: mcp.CompleteParamsArgument{Name: "department", Value: "E"}})
		if err != nil || len(c.Completion.Values) == 0 {
			t.Fatalf("complete: %v %v", c, err)
		}
	})
	t.Run("progress", func(t *testing.T) {
		params := &mcp.CallToolParams{Name: "trigger-long-running-operation", Arguments: map[string]any{"duration": 0.3, "steps": 3}}
		params.SetProgressToken("go-token-1")
		if _, err := cs.CallTool(ctx, params); err != nil {
			t.Fatal(err)
		}
		// Notifications are handled asynchronously by the client: the last may land just
		// after the result.
		deadline := time.Now().Add(3 * time.Second)
		for {
			mu.Lock()
			got := append([]float64(nil), progress...)
			mu.Unlock()
			if len(got) == 3 && got[2] == 3 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("progress %v, want [1 2 3]", got)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := cs.CallTool(cctx, &mcp.CallToolParams{Name: "trigger-long-running-operation", Arguments: map[string]any{"duration": 10, "steps": 2}})
		if err == nil || time.Since(start) > 5*time.Second {
			t.Fatalf("cancelled call: %v after %s", err, time.Since(start))
		}
		if got := call("echo", map[string]any{"message": "after"}); !strings.Contains(got, "after") {
			t.Fatalf("after cancel: %q", got)
		}
		// The cancellation reached the upstream: the event log shows it passing.
		waitEvent(t, h, func(e events.Event) bool {
			return e.Method == "notifications/cancelled" && e.Direction == events.FromClient
		})
	})
	t.Run("sampling", func(t *testing.T) {
		if got := call("trigger-sampling-request", map[string]any{"prompt": "hi", "maxTokens": 5}); !strings.Contains(got, "sampled by go") {
			t.Fatalf("sampling: %q", got)
		}
	})
	t.Run("elicitation", func(t *testing.T) {
		if got := call("trigger-elicitation-request", map[string]any{}); !strings.Contains(strings.ToLower(got), "cancel") {
			t.Fatalf("elicitation: %q", got)
		}
	})
	t.Run("logging", func(t *testing.T) {
		if err := cs.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: "debug"}); err != nil {
			t.Fatal(err)
		}
		call("toggle-simulated-logging", map[string]any{})
		defer call("toggle-simulated-logging", map[string]any{})
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			n := len(logs)
			mu.Unlock()
			if n > 0 {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatal("no log message forwarded")
	})
	t.Run("events", func(t *testing.T) {
		// Every tools/call left a request and a response event with the client's name and,
		// on the response, a latency.
		var req, resp bool
		h.c.Events(ctx, bridge.EventsQuery{Filter: events.Filter{Connection: "everything", Method: "tools/call"}}, func(e events.Event) error {
			if e.Client != "go-test-client" || e.Session == "" {
				t.Errorf("event without client or session: %+v", e)
			}
			if e.Direction == events.FromClient && e.Tool != "" {
				req = true
			}
			if e.Direction == events.FromUpstream && e.LatencyMicros > 0 {
				resp = true
			}
			return nil
		})
		if !req || !resp {
			t.Fatalf("request events %v, response events with latency %v", req, resp)
		}
	})
}

func waitEvent(t *testing.T, h *harness, match func(events.Event) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	found := errFound{}
	err := h.c.Events(ctx, bridge.EventsQuery{Follow: true}, func(e events.Event) error {
		if match(e) {
			return found
		}
		return nil
	})
	if err != found {
		t.Fatalf("no matching event within 10s (%v)", err)
	}
}

type errFound struct{}

func (errFound) Error() string { return "found" }
