package bridge_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bridge"
)

// rawSession drives an in-process shim with raw JSON-RPC lines.
type rawSession struct {
	t   testing.TB
	p   *shimPipes
	out *bufio.Reader
}

func (h *harness) raw(name string) *rawSession {
	p := h.shim(name)
	return &rawSession{t: h.t, p: p, out: bufio.NewReaderSize(p.stdout, 1<<20)}
}

func (r *rawSession) send(line string) {
	r.t.Helper()
	if _, err := r.p.stdin.Write([]byte(line + "\n")); err != nil {
		r.t.Fatalf("writing to the shim: %v", err)
	}
}

// recv reads one message, failing the test after d.
func (r *rawSession) recv(d time.Duration) map[string]any {
	r.t.Helper()
	type res struct {
		line string
		err  error
	}
	ch := make(chan res, 1)
	go func() {
		l, err := r.out.ReadString('\n')
		ch <- res{l, err}
	}()
	select {
	case x := <-ch:
		if x.err != nil {
			r.t.Fatalf("reading from the shim: %v", x.err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(x.line), &m); err != nil {
			r.t.Fatalf("the shim wrote something that is not JSON-RPC: %q", x.line)
		}
		return m
	case <-time.After(d):
		r.t.Fatalf("no message from the shim within %s", d)
		return nil
	}
}

// recvID reads messages until the response with id.
func (r *rawSession) recvID(id float64, d time.Duration) map[string]any {
	r.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		m := r.recv(time.Until(deadline))
		if m["id"] == id {
			return m
		}
	}
	r.t.Fatalf("no response %v", id)
	return nil
}

const initLine = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw-test","version":"1"}}}`

func TestShimUnknownConnectionSaysHowToAdd(t *testing.T) {
	h := newHarness(t)
	r := h.raw("nope")
	r.send(initLine)
	m := r.recv(10 * time.Second)
	e, _ := m["error"].(map[string]any)
	if m["id"] != float64(1) || e == nil || !strings.Contains(e["message"].(string), "patchbay add stdio nope") {
		t.Fatalf("answer %v", m)
	}
	select {
	case <-r.p.done:
		if r.p.err != nil {
			t.Fatalf("RunShim: %v, want a clean exit", r.p.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the shim did not exit after refusing")
	}
}

func TestShimBadInputFromClient(t *testing.T) {
	h := newHarness(t)
	h.addEcho("echo")
	r := h.raw("echo")
	r.send(initLine)
	if m := r.recvID(1, 30*time.Second); m["result"] == nil {
		t.Fatalf("initialize: %v", m)
	}
	r.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	r.send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"x"}`) // cut short
	m := r.recv(5 * time.Second)
	if e, _ := m["error"].(map[string]any); e == nil || e["code"] != float64(-32700) {
		t.Fatalf("malformed JSON: %v", m)
	}
	r.send(``) // blank lines are ignored
	r.send(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"message":"still here"}}}`)
	m = r.recvID(3, 10*time.Second)
	if !strings.Contains(fmt.Sprint(m["result"]), "still here") {
		t.Fatalf("after bad input: %v", m)
	}
	r.send(`{"jsonrpc":"2.0","id":4,"method":"no/such/method"}`)
	if m := r.recvID(4, 10*time.Second); m["error"] == nil {
		t.Fatalf("unknown method: %v", m)
	}
}

func TestShimEchoToolsAndDisable(t *testing.T) {
	h := newHarness(t)
	h.addEcho("echo")
	cs := h.connect("echo", nil)
	ctx := ctxT(t, 30*time.Second)
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "hello"}})
	if err != nil || textOf(t, res) != "hello" {
		t.Fatalf("echo: %v %v", res, err)
	}
	st, _ := h.c.Status(ctx)
	c := st.Connections[0]
	if c.State != bridge.StateReady || len(c.Sessions) != 1 || c.Sessions[0].Client != "go-test-client" || c.LastActivity.IsZero() {
		t.Fatalf("status %+v", c)
	}
	// Disable: gone from tools/list (the client is told), and a call says how to re-enable.
	changed := make(chan struct{}, 1)
	_ = changed
	if err := h.c.SetToolEnabled(ctx, "echo", "big", false); err != nil {
		t.Fatal(err)
	}
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range tools.Tools {
		if tl.Name == "big" {
			t.Fatalf("disabled tool listed")
		}
	}
	if len(tools.Tools) != 3 {
		t.Fatalf("%d tools listed, want 3", len(tools.Tools))
	}
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "big", Arguments: map[string]any{"bytes": 3}})
	if err == nil && !res.IsError {
		t.Fatalf("call to a disabled tool passed: %+v", res)
	}
	ts, err := h.c.Tools(ctx, "echo")
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range ts {
		if tl.Enabled != (tl.Name != "big") {
			t.Fatalf("API tools: %+v", ts)
		}
	}
	if _, err := h.c.Call(ctx, "echo", bridge.CallRequest{Tool: "big", Arguments: []byte(`{"bytes":1}`)}); err == nil || !strings.Contains(err.Error(), "patchbay enable-tool echo big") {
		t.Fatalf("API call of a disabled tool: %v", err)
	}
	if err := h.c.SetToolEnabled(ctx, "echo", "big", true); err != nil {
		t.Fatal(err)
	}
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "big", Arguments: map[string]any{"bytes": 3}})
	if err != nil || textOf(t, res) != "xxx" {
		t.Fatalf("re-enabled: %v %v", res, err)
	}
}

func TestShimMessageSizes(t *testing.T) {
	h := newHarness(t)
	h.addEcho("echo")
	cs := h.connect("echo", nil)
	ctx := ctxT(t, 60*time.Second)
	// 10 MiB each way passes.
	msg := strings.Repeat("a", 10<<20)
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": msg}})
	if err != nil || len(textOf(t, res)) != len(msg) {
		t.Fatalf("10 MiB echo: err %v", err)
	}
	// Larger than the relay's limit: an error, and the session lives.
	huge := strings.Repeat("b", 17<<20)
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": huge}})
	if err == nil && !res.IsError {
		t.Fatalf("17 MiB request passed")
	}
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "big", Arguments: map[string]any{"bytes": 17 << 20}})
	if err == nil && !res.IsError {
		t.Fatalf("17 MiB result passed")
	}
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "alive"}})
	if err != nil || textOf(t, res) != "alive" {
		t.Fatalf("after oversize: %v %v", res, err)
	}
}

// TestShimConcurrentSessions runs 8 sessions × 1000 calls, each checking that it gets its
// own answers: no lost or mismatched responses.
func TestShimConcurrentSessions(t *testing.T) {
	if testing.Short() {
		t.Skip("8×1000 calls")
	}
	h := newHarness(t)
	h.addEcho("echo")
	const sessions, calls = 8, 1000
	var wg sync.WaitGroup
	errs := make(chan error, sessions)
	css := make([]*mcp.ClientSession, sessions)
	for i := range css {
		css[i] = h.connect("echo", nil)
	}
	ctx := ctxT(t, 5*time.Minute)
	for i, cs := range css {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < calls; j++ {
				want := fmt.Sprintf("s%d-c%d", i, j)
				res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": want}})
				if err != nil {
					errs <- fmt.Errorf("session %d call %d: %w", i, j, err)
					return
				}
				if got := res.Content[0].(*mcp.TextContent).Text; got != want {
					errs <- fmt.Errorf("session %d call %d: got %q", i, j, got)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st, _ := h.c.Status(ctx)
	if n := len(st.Connections[0].Sessions); n != sessions {
		t.Errorf("%d sessions in status, want %d", n, sessions)
	}
}

func TestShimPipelinedCallsOneSession(t *testing.T) {
	h := newHarness(t)
	h.addEcho("echo")
	cs := h.connect("echo", nil)
	ctx := ctxT(t, 2*time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 250; j++ {
				want := fmt.Sprintf("g%d-%d", g, j)
				res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": want}})
				if err != nil || res.Content[0].(*mcp.TextContent).Text != want {
					mu.Lock()
					bad++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if bad > 0 {
		t.Fatalf("%d of 2000 pipelined calls lost or mismatched", bad)
	}
}

func TestUpstreamChildDiesMidCall(t *testing.T) {
	h := newHarness(t)
	h.addEcho("echo")
	cs := h.connect("echo", nil)
	ctx := ctxT(t, 60*time.Second)
	if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "warm"}}); err != nil {
		t.Fatal(err)
	}
	// A slow call in flight when the child dies (crash kills the process).
	slowDone := make(chan time.Time, 1)
	var slowErr error
	var slowRes *mcp.CallToolResult
	go func() {
		slowRes, slowErr = cs.CallTool(ctx, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 30000}})
		slowDone <- time.Now()
	}()
	time.Sleep(100 * time.Millisecond)
	crashAt := time.Now()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "crash", Arguments: map[string]any{}})
	if err == nil && !res.IsError {
		t.Fatalf("crash call succeeded: %+v", res)
	}
	select {
	case at := <-slowDone:
		if slowErr == nil && !slowRes.IsError {
			t.Fatalf("in-flight call succeeded after the child died")
		}
		t.Logf("in-flight call failed %s after the crash: %v", at.Sub(crashAt).Round(time.Millisecond), slowErr)
	case <-time.After(5 * time.Second):
		t.Fatal("in-flight call not failed within 5s of the child's death")
	}
	// The child is restarted; the next call works.
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "again"}})
	if err != nil || textOf(t, res) != "again" {
		t.Fatalf("after restart: %v %v", res, err)
	}
	st, _ := h.c.Status(ctx)
	if c := st.Connections[0]; c.Restarts < 1 || c.LastError == "" {
		t.Fatalf("status after a crash: %+v", c)
	}
}

func TestBadCommandsGiveClearErrors(t *testing.T) {
	h := newHarness(t)
	h.addStdio("missing", bridge.StdioSettings{Command: "/nonexistent/patchbay-no-such-server"}, nil)
	h.addStdio("quitter", bridge.StdioSettings{Command: "/bin/sh", Args: []string{"-c", "echo 'bad config' >&2; exit 7"}}, nil)
	for _, name := range []string{"missing", "quitter"} {
		t.Run(name, func(t *testing.T) {
			r := h.raw(name)
			start := time.Now()
			r.send(initLine)
			m := r.recvID(1, 30*time.Second)
			e, _ := m["error"].(map[string]any)
			if e == nil {
				t.Fatalf("initialize succeeded: %v", m)
			}
			t.Logf("answered in %s: %v", time.Since(start).Round(time.Millisecond), e["message"])
			st, _ := h.c.Status(ctxT(t, 5*time.Second))
			for _, c := range st.Connections {
				if c.Name == name && c.LastError == "" {
					t.Errorf("status of %s has no last error: %+v", name, c)
				}
			}
		})
	}
	// The API's own calls fail clearly too.
	if _, err := h.c.Tools(ctxT(t, 30*time.Second), "missing"); err == nil || !strings.Contains(err.Error(), "patchbay-no-such-server") {
		t.Fatalf("tools of a missing command: %v", err)
	}
}

func TestRemoveEndsSessions(t *testing.T) {
	h := newHarness(t)
	h.addEcho("echo")
	cs := h.connect("echo", nil)
	ctx := ctxT(t, 30*time.Second)
	if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "x"}}); err != nil {
		t.Fatal(err)
	}
	if err := h.c.Remove(ctx, "echo"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cs.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the client's session did not end after its connection was removed")
	}
	st, _ := h.c.Status(ctx)
	if len(st.Connections) != 0 {
		t.Fatalf("status after remove: %+v", st.Connections)
	}
	_ = context.Background
}

// TestShimExitsWhenClientStopsReading: a client that closes its end of the shim's stdout is
// gone; the shim ends instead of reconnecting.
func TestShimExitsWhenClientStopsReading(t *testing.T) {
	h := newHarness(t)
	h.addEcho("echo")
	r := h.raw("echo")
	r.send(initLine)
	r.recvID(1, 30*time.Second)
	r.p.stdout.Close()
	r.send(`{"jsonrpc":"2.0","id":2,"method":"ping"}`)
	select {
	case <-r.p.done:
		if r.p.err != nil {
			t.Fatalf("RunShim: %v", r.p.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the shim kept running with no one reading its output")
	}
}
