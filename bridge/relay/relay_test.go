package relay

//lint:file-ignore SA1019 MCP 2026-07-28 deprecates logging, sampling and roots, but clients still use them and Patchbay relays them.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/stdio"
)

// TestEverythingThroughTheRelay drives every MCP feature through the relay, with a go-sdk
// client on one side and the test server, a real child process, on the other.
func TestEverythingThroughTheRelay(t *testing.T) {
	var (
		mu         sync.Mutex
		progress   []*mcp.ProgressNotificationParams
		logs       []*mcp.LoggingMessageParams
		updated    []string
		toolsChged atomic.Int32
		childLog   strings.Builder
	)
	hooks := connectors.Hooks{Log: func(_, msg string) { mu.Lock(); childLog.WriteString(msg + "\n"); mu.Unlock() }}
	client := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			progress = append(progress, r.Params)
			mu.Unlock()
		},
		LoggingMessageHandler: func(_ context.Context, r *mcp.LoggingMessageRequest) {
			mu.Lock()
			logs = append(logs, r.Params)
			mu.Unlock()
		},
		ResourceUpdatedHandler: func(_ context.Context, r *mcp.ResourceUpdatedNotificationRequest) {
			mu.Lock()
			updated = append(updated, r.Params.URI)
			mu.Unlock()
		},
		ToolListChangedHandler: func(context.Context, *mcp.ToolListChangedRequest) { toolsChged.Add(1) },
		CreateMessageHandler: func(_ context.Context, r *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			prompt := r.Params.Messages[0].Content.(*mcp.TextContent).Text
			return &mcp.CreateMessageResult{Model: "test-model", Role: "assistant", Content: &mcp.TextContent{Text: "answer to " + prompt}}, nil
		},
		ElicitationHandler: func(_ context.Context, r *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"name": "Ada (asked: " + r.Params.Message + ")"}}, nil
		},
	})
	client.AddRoots(&mcp.Root{URI: "file:///work/a", Name: "a"})
	var obs observed
	st := start(t, Options{Connector: stdioConnector(t, nil, hooks), Observer: obs.observer()}, client)
	cs := st.cs
	ctx := context.Background()

	t.Run("initialize", func(t *testing.T) {
		ir := cs.InitializeResult()
		if ir.ServerInfo.Name != "test-everything" || ir.Instructions != "a server for Patchbay's tests" {
			t.Errorf("serverInfo %+v, instructions %q: want the upstream's", ir.ServerInfo, ir.Instructions)
		}
		c := ir.Capabilities
		if c.Tools == nil || !c.Tools.ListChanged || c.Resources == nil || !c.Resources.Subscribe || c.Prompts == nil || c.Completions == nil || c.Logging == nil {
			t.Errorf("capabilities %+v do not mirror the upstream's", c)
		}
		obs.mu.Lock()
		defer obs.mu.Unlock()
		if obs.client != "test-client" || obs.ready != 1 {
			t.Errorf("observer: client %q, ready %d", obs.client, obs.ready)
		}
	})
	t.Run("tools", func(t *testing.T) {
		res, err := cs.ListTools(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tl := range res.Tools {
			names = append(names, tl.Name)
		}
		for _, want := range []string{"echo", "slow", "elicit", "sample", "roots", "crash", "big"} {
			if !slices.Contains(names, want) {
				t.Errorf("tools/list lacks %s: %v", want, names)
			}
		}
		if got := mustCall(t, cs, "echo", map[string]any{"text": "héllo"}); got != "héllo" {
			t.Errorf("echo = %q", got)
		}
		if _, err := call(t, cs, "no-such-tool", nil); err == nil {
			t.Error("calling an unknown tool succeeded")
		}
	})
	t.Run("resources", func(t *testing.T) {
		res, err := cs.ListResources(ctx, nil)
		if err != nil || len(res.Resources) != 1 || res.Resources[0].URI != "test://static/hello" {
			t.Fatalf("resources/list = %+v, %v", res, err)
		}
		tpl, err := cs.ListResourceTemplates(ctx, nil)
		if err != nil || len(tpl.ResourceTemplates) != 1 {
			t.Fatalf("resources/templates/list = %+v, %v", tpl, err)
		}
		rr, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "test://items/42"})
		if err != nil || rr.Contents[0].Text != "item 42" {
			t.Fatalf("resources/read = %+v, %v", rr, err)
		}
		if err := cs.Subscribe(ctx, &mcp.SubscribeParams{URI: "test://static/hello"}); err != nil {
			t.Fatal(err)
		}
		mustCall(t, cs, "touch", map[string]any{"uri": "test://static/hello"})
		mustCall(t, cs, "touch", map[string]any{"uri": "test://not-subscribed"})
		eventually(t, "resources/updated", func() bool { mu.Lock(); defer mu.Unlock(); return len(updated) > 0 })
		mu.Lock()
		if !slices.Equal(updated, []string{"test://static/hello"}) {
			t.Errorf("updated = %v, want only the subscribed URI", updated)
		}
		mu.Unlock()
		if err := cs.Unsubscribe(ctx, &mcp.UnsubscribeParams{URI: "test://static/hello"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("prompts and completion", func(t *testing.T) {
		pl, err := cs.ListPrompts(ctx, nil)
		if err != nil || len(pl.Prompts) != 1 || pl.Prompts[0].Name != "greet" {
			t.Fatalf("prompts/list = %+v, %v", pl, err)
		}
		gp, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "greet", Arguments: map[string]string{"name": "Ada"}})
		if err != nil || gp.Messages[0].Content.(*mcp.TextContent).Text != "Hello, Ada!" {
			t.Fatalf("prompts/get = %+v, %v", gp, err)
		}
		cr, err := cs.Complete(ctx, &mcp.CompleteParams{
			Ref:      &mcp.CompleteReference{Type: "ref/prompt", Name: "greet"},
			Argument: mcp.CompleteParamsArgument{Name: "name", Value: "al"},
		})
		if err != nil || !slices.Equal(cr.Completion.Values, []string{"alice", "albert"}) {
			t.Fatalf("completion/complete = %+v, %v", cr, err)
		}
	})
	t.Run("progress", func(t *testing.T) {
		p := &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"steps": 3, "delay_ms": 5}}
		p.SetProgressToken("my-token")
		if _, err := cs.CallTool(ctx, p); err != nil {
			t.Fatal(err)
		}
		eventually(t, "3 progress notifications", func() bool { mu.Lock(); defer mu.Unlock(); return len(progress) >= 3 })
		mu.Lock()
		defer mu.Unlock()
		for i, pn := range progress {
			if pn.ProgressToken != "my-token" || pn.Progress != float64(i+1) || pn.Total != 3 {
				t.Errorf("progress %d = %+v, want the client's token and step %d/3", i, pn, i+1)
			}
		}
	})
	t.Run("cancellation", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		errc := make(chan error, 1)
		go func() {
			_, err := cs.CallTool(cctx, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"steps": 1000, "delay_ms": 10}})
			errc <- err
		}()
		time.Sleep(50 * time.Millisecond)
		cancel()
		if err := <-errc; err == nil {
			t.Fatal("a cancelled call succeeded")
		}
		eventually(t, "the upstream handler to see the cancellation", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return strings.Contains(childLog.String(), "slow: cancelled")
		})
		if got := mustCall(t, cs, "echo", map[string]any{"text": "after"}); got != "after" {
			t.Errorf("echo after cancel = %q", got)
		}
	})
	t.Run("sampling", func(t *testing.T) {
		if got := mustCall(t, cs, "sample", map[string]any{"prompt": "2+2"}); got != "model test-model: answer to 2+2" {
			t.Errorf("sample = %q", got)
		}
	})
	t.Run("elicitation", func(t *testing.T) {
		if got := mustCall(t, cs, "elicit", map[string]any{"message": "your name?"}); got != "accept:Ada (asked: your name?)" {
			t.Errorf("elicit = %q", got)
		}
		if got := mustCall(t, cs, "elicit_mrtr", map[string]any{"message": "again?"}); got != "accept:Ada (asked: again?)" {
			t.Errorf("elicit_mrtr = %q", got)
		}
	})
	t.Run("roots", func(t *testing.T) {
		eventually(t, "the client's roots upstream", func() bool {
			s, _ := call(t, cs, "roots", nil)
			return s == "file:///work/a"
		})
		client.AddRoots(&mcp.Root{URI: "file:///work/b", Name: "b"})
		eventually(t, "the new root upstream", func() bool {
			s, _ := call(t, cs, "roots", nil)
			return s == "file:///work/a,file:///work/b"
		})
	})
	t.Run("logging", func(t *testing.T) {
		if err := cs.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: "warning"}); err != nil {
			t.Fatal(err)
		}
		mustCall(t, cs, "log", map[string]any{"level": "info", "text": "too quiet"})
		mustCall(t, cs, "log", map[string]any{"level": "error", "text": "loud"})
		eventually(t, "the log message", func() bool { mu.Lock(); defer mu.Unlock(); return len(logs) > 0 })
		mu.Lock()
		defer mu.Unlock()
		if len(logs) != 1 || logs[0].Data != "loud" || logs[0].Level != "error" {
			t.Errorf("logs = %+v, want only the error", logs)
		}
	})
	t.Run("upstream list_changed", func(t *testing.T) {
		before := toolsChged.Load()
		mustCall(t, cs, "add_tool", map[string]any{"name": "fresh"})
		eventually(t, "tools/list_changed", func() bool { return toolsChged.Load() > before })
		if got := mustCall(t, cs, "fresh", nil); got != "I am fresh" {
			t.Errorf("fresh = %q", got)
		}
	})
}

func TestUpstreamCrashMidCallThenNextCallWorks(t *testing.T) {
	var obs observed
	rec := &recorder{}
	st := start(t, Options{Connector: stdioConnector(t, nil, connectors.Hooks{}), Observer: obs.observer(), Events: rec}, nil)
	pid1 := mustCall(t, st.cs, "pid", nil)

	// Calls in flight when the child dies are answered too.
	var wg sync.WaitGroup
	inflight := make([]error, 3)
	for i := range inflight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, inflight[i] = call(t, st.cs, "slow", map[string]any{"steps": 1000, "delay_ms": 10})
		}()
	}
	time.Sleep(50 * time.Millisecond)
	begin := time.Now()
	_, err := call(t, st.cs, "crash", map[string]any{"code": 3})
	t.Logf("crashing call answered after %v", time.Since(begin))
	var we *jsonrpc.Error
	if !errors.As(err, &we) || !strings.Contains(we.Message, "exit status 3") || !strings.Contains(we.Message, "crashing on purpose") {
		t.Fatalf("crash call: %v; want a JSON-RPC error with the exit status and stderr", err)
	}
	wg.Wait()
	t.Logf("in-flight calls answered after %v", time.Since(begin))
	for i, err := range inflight {
		if err == nil {
			t.Errorf("in-flight call %d succeeded though the server died", i)
		}
	}

	if got := mustCall(t, st.cs, "echo", map[string]any{"text": "back"}); got != "back" {
		t.Fatalf("echo after restart = %q", got)
	}
	if pid2 := mustCall(t, st.cs, "pid", nil); pid2 == pid1 {
		t.Fatalf("same server pid %s after a crash", pid1)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if len(obs.lost) != 1 || !strings.Contains(obs.lost[0].Error(), "exit status 3") || obs.ready != 2 {
		t.Fatalf("observer: lost %v, ready %d; want one loss and two readies", obs.lost, obs.ready)
	}
}

func TestRestartReplaysSubscriptionsAndLevel(t *testing.T) {
	var mu sync.Mutex
	var updated, logs int
	client := mcp.NewClient(&mcp.Implementation{Name: "c"}, &mcp.ClientOptions{
		ResourceUpdatedHandler: func(context.Context, *mcp.ResourceUpdatedNotificationRequest) { mu.Lock(); updated++; mu.Unlock() },
		LoggingMessageHandler:  func(context.Context, *mcp.LoggingMessageRequest) { mu.Lock(); logs++; mu.Unlock() },
	})
	st := start(t, Options{Connector: stdioConnector(t, nil, connectors.Hooks{})}, client)
	ctx := context.Background()
	if err := st.cs.Subscribe(ctx, &mcp.SubscribeParams{URI: "test://static/hello"}); err != nil {
		t.Fatal(err)
	}
	if err := st.cs.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: "info"}); err != nil {
		t.Fatal(err)
	}
	call(t, st.cs, "crash", nil)
	mustCall(t, st.cs, "touch", map[string]any{"uri": "test://static/hello"})
	mustCall(t, st.cs, "log", map[string]any{"level": "info", "text": "x"})
	eventually(t, "notifications from the restarted server", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return updated == 1 && logs == 1
	})
}

func TestMessageSizes(t *testing.T) {
	st := start(t, Options{Connector: stdioConnector(t, nil, connectors.Hooks{}), MaxMessageBytes: 12 << 20}, nil)
	t.Run("10 MiB result passes", func(t *testing.T) {
		got := mustCall(t, st.cs, "big", map[string]any{"bytes": 10 << 20})
		if len(got) != 10<<20 {
			t.Fatalf("got %d bytes", len(got))
		}
	})
	t.Run("10 MiB request passes", func(t *testing.T) {
		text := strings.Repeat("z", 10<<20)
		if got := mustCall(t, st.cs, "echo", map[string]any{"text": text}); got != text {
			t.Fatalf("echo of 10 MiB came back with %d bytes", len(got))
		}
	})
	t.Run("oversized request: error, session lives", func(t *testing.T) {
		_, err := call(t, st.cs, "echo", map[string]any{"text": strings.Repeat("z", 13<<20)})
		var we *jsonrpc.Error
		if !errors.As(err, &we) || !strings.Contains(we.Message, "exceeds") {
			t.Fatalf("err = %v, want a JSON-RPC error about the size", err)
		}
		if got := mustCall(t, st.cs, "echo", map[string]any{"text": "alive"}); got != "alive" {
			t.Fatal("session did not survive")
		}
	})
	t.Run("oversized upstream response: error, session lives", func(t *testing.T) {
		_, err := call(t, st.cs, "big", map[string]any{"bytes": 17 << 20})
		var we *jsonrpc.Error
		if !errors.As(err, &we) || !strings.Contains(we.Message, "exceeds") {
			t.Fatalf("err = %v, want a JSON-RPC error about the size", err)
		}
		if got := mustCall(t, st.cs, "echo", map[string]any{"text": "alive"}); got != "alive" {
			t.Fatal("session did not survive")
		}
	})
}

func initializeError(t *testing.T, c connectors.Connector) error {
	t.Helper()
	bridgeEnd, clientEnd := net.Pipe()
	sess := NewSession(Options{Connection: "bad", Connector: c, ProtocolVersion: UpstreamProtocolVersion})
	done := make(chan error, 1)
	go func() { done <- sess.Serve(context.Background(), bridgeEnd) }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := mcp.NewClient(&mcp.Implementation{Name: "c"}, nil).Connect(ctx, &mcp.IOTransport{Reader: clientEnd, Writer: clientEnd}, nil)
	if err == nil {
		t.Fatal("initialize succeeded")
	}
	if ctx.Err() != nil {
		t.Fatal("initialize hung")
	}
	clientEnd.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	return err
}

func TestBadUpstreams(t *testing.T) {
	t.Run("command does not exist", func(t *testing.T) {
		bad, err := stdio.New("bad", json.RawMessage(`{"command":"patchbay-no-such-command","env":{"PATH":"/nonexistent"}}`), nil, connectors.Hooks{})
		if err != nil {
			t.Fatal(err)
		}
		defer bad.Close()
		err = initializeError(t, bad)
		for _, want := range []string{`"bad"`, "patchbay-no-such-command", "not in PATH"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %s", err, want)
			}
		}
	})
	t.Run("child exits at once", func(t *testing.T) {
		c := stdioConnector(t, map[string]string{"PATCHBAY_STDIOTEST_EXIT_AT_ONCE": "1"}, connectors.Hooks{})
		err := initializeError(t, c)
		for _, want := range []string{"exit status 2", "refusing to start"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %s", err, want)
			}
		}
	})
}

func TestToolDisable(t *testing.T) {
	var disabled sync.Map
	disabled.Store("crash", true)
	changed := make(chan struct{}, 10)
	client := mcp.NewClient(&mcp.Implementation{Name: "c"}, &mcp.ClientOptions{
		ToolListChangedHandler: func(context.Context, *mcp.ToolListChangedRequest) { changed <- struct{}{} },
	})
	st := start(t, Options{
		Connector:   stdioConnector(t, nil, connectors.Hooks{}),
		ToolEnabled: func(tool string) bool { _, off := disabled.Load(tool); return !off },
	}, client)
	names := func() []string {
		res, err := st.cs.ListTools(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, tl := range res.Tools {
			n = append(n, tl.Name)
		}
		return n
	}
	if slices.Contains(names(), "crash") {
		t.Fatal("a disabled tool is listed")
	}
	_, err := call(t, st.cs, "crash", nil)
	var we *jsonrpc.Error
	if !errors.As(err, &we) || !strings.Contains(we.Message, "disabled") || !strings.Contains(we.Message, "patchbay enable-tool test crash") {
		t.Fatalf("calling a disabled tool: %v", err)
	}
	st.sess.RefreshTools() // nothing changed: no notification
	disabled.Delete("crash")
	disabled.Store("echo", true)
	st.sess.RefreshTools()
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("no tools/list_changed after enabling a tool")
	}
	select {
	case <-changed:
		t.Fatal("two notifications for one change")
	case <-time.After(100 * time.Millisecond):
	}
	n := names()
	if !slices.Contains(n, "crash") || slices.Contains(n, "echo") {
		t.Fatalf("after the change tools/list = %v", n)
	}
}

// TestEventsForEveryMessage: tool calls give request and response events (method, tool, id,
// size, latency, error, redacted body) whether they take the fast lane or go-sdk's path,
// and the handshake gives events too.
func TestEventsForEveryMessage(t *testing.T) {
	for _, lane := range []bool{true, false} {
		name := map[bool]string{true: "fast lane", false: "go-sdk path"}[lane]
		t.Run(name, func(t *testing.T) {
			rec := &recorder{}
			st := start(t, Options{Connector: stdioConnector(t, nil, connectors.Hooks{}), Events: rec}, nil)
			if !lane {
				st.sess.lane.setClientVersion("2000-01-01") // sides that differ never take the lane
			}
			const secret = "ntn_abcdefghijklmnopqrstuvwxyz0123"
			mustCall(t, st.cs, "echo", map[string]any{"text": "x", "api_token": secret})
			_, _ = call(t, st.cs, "no-such-tool", nil)
			want := map[bool]int64{true: 2, false: 0}[lane]
			if n := st.sess.lane.taken.Load(); n != want {
				t.Fatalf("%d calls took the lane, want %d", n, want)
			}
			st.close()

			evs := rec.all()
			req := checkToolCallEvents(t, evs, secret, "echo", "no-such-tool")
			if req.Connection != "test" || !strings.Contains(string(req.Body), `"api_token"`) {
				t.Errorf("request event %+v: want connection test and the call's arguments, redacted", req)
			}
			var sawInit bool
			for _, e := range evs {
				sawInit = sawInit || (e.Method == "initialize" && e.Direction == events.FromUpstream && e.LatencyMicros > 0)
			}
			if !sawInit {
				t.Error("no event for the initialize response")
			}
		})
	}
}

// checkToolCallEvents finds, among evs, the request and response events of a tools/call to
// okTool and the response event of one to errTool (which failed), and checks what every such
// event carries: method, id, size, client, latency, the error, and no secret in any body. It
// returns the request event.
func checkToolCallEvents(t *testing.T, evs []events.Event, secret, okTool, errTool string) *events.Event {
	t.Helper()
	var req, resp, errResp *events.Event
	for i := range evs {
		e := &evs[i]
		if strings.Contains(string(e.Body), secret) {
			t.Errorf("event %d holds the secret: %s", i, e.Body)
		}
		switch {
		case e.Kind == events.KindMessage && e.Direction == events.FromClient && e.Tool == okTool:
			req = e
		case e.Kind == events.KindMessage && e.Direction == events.FromUpstream && e.Tool == okTool:
			resp = e
		case e.Kind == events.KindMessage && e.Direction == events.FromUpstream && e.Tool == errTool:
			errResp = e
		}
	}
	if req == nil || resp == nil || errResp == nil {
		t.Fatalf("missing events among %d: request %v, response %v, error response %v", len(evs), req, resp, errResp)
	}
	if req.Method != "tools/call" || req.RPCID == "" || req.Size == 0 || req.Client != "test-client" {
		t.Errorf("request event %+v", req)
	}
	if resp.Method != "tools/call" || resp.RPCID != req.RPCID || resp.LatencyMicros <= 0 || resp.Error != "" || resp.Size == 0 {
		t.Errorf("response event %+v", resp)
	}
	if errResp.Error == "" || errResp.LatencyMicros <= 0 {
		t.Errorf("error response event %+v", errResp)
	}
	return req
}

func TestUpstreamDownTooLongGivesAnError(t *testing.T) {
	a, b := minBackoff, maxBackoff
	minBackoff, maxBackoff = time.Hour, time.Hour // never restarts within the test
	st := start(t, Options{Connector: stdioConnector(t, nil, connectors.Hooks{}), UpstreamWait: 200 * time.Millisecond}, nil)
	minBackoff, maxBackoff = a, b // the session keeps its copy
	_, crashErr := call(t, st.cs, "crash", nil)
	t.Logf("crash: %v", crashErr)
	_, err := call(t, st.cs, "echo", map[string]any{"text": "x"})
	var we *jsonrpc.Error
	if !errors.As(err, &we) || !strings.Contains(we.Message, "not available") || !strings.Contains(we.Message, "exit status") {
		t.Fatalf("err = %v", err)
	}
}

// TestManyConcurrentCalls: no lost or mismatched responses, on the fast lane and on
// go-sdk's path.
func TestManyConcurrentCalls(t *testing.T) {
	for _, lane := range []bool{true, false} {
		t.Run(map[bool]string{true: "fast lane", false: "go-sdk path"}[lane], func(t *testing.T) {
			st := start(t, Options{Connector: stdioConnector(t, nil, connectors.Hooks{})}, nil)
			if !lane {
				st.sess.lane.setClientVersion("2000-01-01") // sides that differ never take the lane
			}
			echoConcurrently(t, []*started{st}, 8, 200)
			if n, want := st.sess.lane.taken.Load(), map[bool]int64{true: 8 * 200, false: 0}[lane]; n != want {
				t.Errorf("%d calls took the lane, want %d", n, want)
			}
		})
	}
}

// echoConcurrently runs callers goroutines per session, each making calls echo calls with
// texts of its own, and fails the test on any error, lost or mismatched response.
func echoConcurrently(t *testing.T, sts []*started, callers, calls int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(sts)*callers)
	for s, st := range sts {
		for g := range callers {
			wg.Go(func() {
				for i := range calls {
					want := fmt.Sprintf("s%d-g%d-%d", s, g, i)
					got, err := call(t, st.cs, "echo", map[string]any{"text": want})
					if err != nil || got != want {
						errs <- fmt.Errorf("echo %s = %q, %v", want, got, err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestServeEndsWithContextAndStopsTheChild: the bridge shutting down (ctx cancelled)
// ends Serve and the upstream child with it.
func TestServeEndsWithContextAndStopsTheChild(t *testing.T) {
	bridgeEnd, clientEnd := net.Pipe()
	defer clientEnd.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sess := NewSession(Options{Connection: "test", Connector: stdioConnector(t, nil, connectors.Hooks{}), ProtocolVersion: UpstreamProtocolVersion})
	done := make(chan error, 1)
	go func() { done <- sess.Serve(ctx, bridgeEnd) }()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c"}, nil).Connect(context.Background(), &mcp.IOTransport{Reader: clientEnd, Writer: clientEnd}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(mustCall(t, cs, "pid", nil))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Serve = %v, want context.Canceled", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not return after ctx was cancelled")
	}
	if alive(pid) {
		t.Fatalf("upstream child %d still running after Serve returned", pid)
	}
	if _, err := call(t, cs, "echo", map[string]any{"text": "x"}); err == nil {
		t.Fatal("a call succeeded after Serve returned")
	}
}
