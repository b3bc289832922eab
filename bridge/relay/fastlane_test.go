package relay

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/stdio/stdiotest"
)

// lanePending returns how many fast-lane calls await their response.
func (l *lane) lanePending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.pending)
}

// callRaw calls a tool and returns the result as the client decoded it, re-encoded, or
// the error.
func callRaw(t *testing.T, cs *mcp.ClientSession, p *mcp.CallToolParams) (json.RawMessage, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, p)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return b, nil
}

// TestFastLaneGivesTheSameAnswersAsTheGoSDKPath: the same calls through the lane and
// through go-sdk (a progress token keeps a call off the lane) give the client semantically
// equal results and errors; the counter shows which path each took.
func TestFastLaneGivesTheSameAnswersAsTheGoSDKPath(t *testing.T) {
	st := start(t, Options{Connector: stdioConnector(t, nil, connectors.Hooks{})}, nil)
	l := st.sess.lane
	for _, tc := range []struct {
		tool string
		args map[string]any
	}{
		{"echo", map[string]any{"text": "héllo \"quoted\"\n\u2028 <b>"}},
		{"big", map[string]any{"size": 100000}},
		{"no-such-tool", nil},
		{"env", map[string]any{"name": "PATH"}},
	} {
		before := l.taken.Load()
		fast, fastErr := callRaw(t, st.cs, &mcp.CallToolParams{Name: tc.tool, Arguments: tc.args})
		if got := l.taken.Load() - before; got != 1 {
			t.Fatalf("%s: %d calls took the lane, want 1", tc.tool, got)
		}
		slowP := &mcp.CallToolParams{Name: tc.tool, Arguments: tc.args}
		slowP.SetProgressToken("tok")
		slow, slowErr := callRaw(t, st.cs, slowP)
		if got := l.taken.Load() - before; got != 1 {
			t.Fatalf("%s with a progress token took the lane", tc.tool)
		}
		if (fastErr == nil) != (slowErr == nil) || (fastErr != nil && fastErr.Error() != slowErr.Error()) {
			t.Fatalf("%s: errors differ: lane %v, go-sdk %v", tc.tool, fastErr, slowErr)
		}
		if fastErr != nil {
			continue
		}
		var a, b any
		if json.Unmarshal(fast, &a) != nil || json.Unmarshal(slow, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("%s: results differ:\nlane   %.300s\ngo-sdk %.300s", tc.tool, fast, slow)
		}
	}
	if n := l.lanePending(); n != 0 {
		t.Errorf("%d lane calls still pending", n)
	}
}

// TestFastLaneRawWire checks the bytes a raw client gets: the client's id (string or
// number) comes back as sent, with the upstream's result. The upstream is dialled at the
// client's version, so clients of every initialize-based version take the lane; a session
// whose two sides still differ (simulated at the end) stays on the go-sdk path.
func TestFastLaneRawWire(t *testing.T) {
	for _, version := range []string{UpstreamProtocolVersion, "2025-06-18", "2024-11-05"} {
		t.Run(version, func(t *testing.T) {
			sess, c := startRaw(t, Options{Connection: "test", Connector: stdioConnector(t, nil, connectors.Hooks{}), ProtocolVersion: UpstreamProtocolVersion})
			c.send(strings.Replace(strings.Replace(initLine, "%d", "1", 1), "2025-06-18", version, 1))
			if got := c.recv(); !strings.Contains(got, `"protocolVersion":"`+version+`"`) {
				t.Fatalf("initialize: %s", got)
			}
			c.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
			c.send(`{"jsonrpc":"2.0","id":"a\"b","method":"tools/call","params":{"name":"echo","arguments":{"text":"one"}}}`)
			got := c.recv()
			c.send(`{ "id" : 7 , "jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{"text":"two"}}}`)
			got7 := c.recv()
			var r1, r7 struct {
				ID     any             `json:"id"`
				Result json.RawMessage `json:"result"`
			}
			if json.Unmarshal([]byte(got), &r1) != nil || r1.ID != `a"b` || !strings.Contains(string(r1.Result), `"text":"one"`) {
				t.Errorf("string id: %s", got)
			}
			if json.Unmarshal([]byte(got7), &r7) != nil || r7.ID != float64(7) || !strings.Contains(string(r7.Result), `"text":"two"`) {
				t.Errorf("number id: %s", got7)
			}
			if n := sess.lane.taken.Load(); n != 2 {
				t.Errorf("%d calls took the lane, want 2", n)
			}
			sess.lane.mu.Lock()
			upVersion := sess.lane.up.version
			sess.lane.mu.Unlock()
			if upVersion != version {
				t.Errorf("the upstream negotiated %s; want the client's %s", upVersion, version)
			}

			// Versions that differ: the result must not pass as it is.
			sess.lane.setClientVersion("2000-01-01")
			c.send(`{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{"text":"three"}}}`)
			if got := c.recv(); !strings.Contains(got, `"id":8`) || !strings.Contains(got, `"text":"three"`) {
				t.Errorf("call with differing versions: %s", got)
			}
			if n := sess.lane.taken.Load(); n != 2 {
				t.Errorf("a call took the lane although the versions differ (%d lane calls)", n)
			}
		})
	}
}

// TestFastLaneManySessionsManyCalls: concurrent sessions, each with concurrent callers,
// all on the lane: every response reaches its own caller.
func TestFastLaneManySessionsManyCalls(t *testing.T) {
	const sessions, callers, calls = 4, 8, 250
	conn := stdioConnector(t, nil, connectors.Hooks{})
	sts := make([]*started, sessions)
	for s := range sessions {
		sts[s] = start(t, Options{Connector: conn}, nil)
	}
	echoConcurrently(t, sts, callers, calls)
	for s, st := range sts {
		if n := st.sess.lane.taken.Load(); n != callers*calls {
			t.Errorf("session %d: %d calls took the lane, want %d", s, n, callers*calls)
		}
	}
}

// TestFastLaneUpstreamDiesMidCall: lane calls in flight when the child exits get the
// go-sdk path's error (with exit status and stderr), and later calls use the lane again on
// the restarted child.
func TestFastLaneUpstreamDiesMidCall(t *testing.T) {
	st := start(t, Options{Connector: stdioConnector(t, nil, connectors.Hooks{})}, nil)
	l := st.sess.lane
	pid1 := mustCall(t, st.cs, "pid", nil)
	var wg sync.WaitGroup
	inflight := make([]error, 3)
	for i := range inflight {
		wg.Go(func() { _, inflight[i] = call(t, st.cs, "slow", map[string]any{"steps": 1000, "delay_ms": 10}) })
	}
	eventually(t, "3 slow calls on the lane", func() bool { return l.lanePending() == 3 })
	begin := time.Now()
	_, err := call(t, st.cs, "crash", map[string]any{"code": 3})
	var we *jsonrpc.Error
	if !errors.As(err, &we) || !strings.Contains(we.Message, "exit status 3") || !strings.Contains(we.Message, "crashing on purpose") {
		t.Fatalf("crash call: %v; want a JSON-RPC error with the exit status and stderr", err)
	}
	wg.Wait()
	t.Logf("in-flight lane calls answered %v after the crash call", time.Since(begin))
	for i, err := range inflight {
		if !errors.As(err, &we) || !strings.Contains(we.Message, "exit status 3") {
			t.Errorf("in-flight call %d: %v, want the exit error", i, err)
		}
	}
	if l.taken.Load() != 5 {
		t.Errorf("%d calls took the lane, want 5 (pid, 3 slow, crash)", l.taken.Load())
	}
	if got := mustCall(t, st.cs, "echo", map[string]any{"text": "back"}); got != "back" {
		t.Fatalf("echo after the crash = %q", got)
	}
	before := l.taken.Load()
	if pid2 := mustCall(t, st.cs, "pid", nil); pid2 == pid1 {
		t.Fatalf("same pid %s after the crash", pid1)
	}
	if l.taken.Load() != before+1 {
		t.Error("a call on the restarted upstream did not take the lane")
	}
}

// TestFastLaneCancellationReachesTheUpstream: a client cancelling a lane call makes the
// upstream's handler see it, and the call is forgotten.
func TestFastLaneCancellationReachesTheUpstream(t *testing.T) {
	var mu sync.Mutex
	var childLog strings.Builder
	hooks := connectors.Hooks{Log: func(_, msg string) { mu.Lock(); childLog.WriteString(msg + "\n"); mu.Unlock() }}
	st := start(t, Options{Connector: stdioConnector(t, nil, hooks)}, nil)
	l := st.sess.lane
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := st.cs.CallTool(ctx, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"steps": 1000, "delay_ms": 10}})
		errc <- err
	}()
	eventually(t, "the slow call on the lane", func() bool { return l.lanePending() == 1 })
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("a cancelled call succeeded")
	}
	eventually(t, "the upstream handler to see the cancellation", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(childLog.String(), "slow: cancelled")
	})
	if n := l.lanePending(); n != 0 {
		t.Errorf("%d lane calls pending after the cancellation", n)
	}
	if got := mustCall(t, st.cs, "echo", map[string]any{"text": "after"}); got != "after" {
		t.Errorf("echo after cancel = %q", got)
	}
	if n := l.taken.Load(); n != 2 {
		t.Errorf("%d calls took the lane, want 2", n)
	}
}

// TestFastLaneStaysOffForProgressDisabledAndRemote: calls with a progress token, calls of
// disabled tools and calls to a remote (HTTP) upstream take the go-sdk path and behave as
// before.
func TestFastLaneStaysOffForProgressDisabledAndRemote(t *testing.T) {
	t.Run("progress and disabled", func(t *testing.T) {
		var mu sync.Mutex
		var progress []float64
		client := mcp.NewClient(&mcp.Implementation{Name: "c"}, &mcp.ClientOptions{
			ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
				mu.Lock()
				progress = append(progress, r.Params.Progress)
				mu.Unlock()
			},
		})
		st := start(t, Options{
			Connector:   stdioConnector(t, nil, connectors.Hooks{}),
			ToolEnabled: func(tool string) bool { return tool != "crash" },
		}, client)
		p := &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"steps": 3, "delay_ms": 1}}
		p.SetProgressToken(42)
		if _, err := st.cs.CallTool(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		// go-sdk's client runs notification handlers apart from delivering the result, so
		// the last one may still be on its way here (the wire order, progress before
		// result, is TestProgressArrivesBeforeItsResult's).
		eventually(t, "3 progress notifications", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(progress) == 3
		})
		_, err := call(t, st.cs, "crash", nil)
		var we *jsonrpc.Error
		if !errors.As(err, &we) || !strings.Contains(we.Message, "patchbay enable-tool test crash") {
			t.Fatalf("calling a disabled tool: %v", err)
		}
		if n := st.sess.lane.taken.Load(); n != 0 {
			t.Errorf("%d calls took the lane, want 0", n)
		}
	})
	t.Run("remote", func(t *testing.T) {
		h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return stdiotest.NewServer() }, nil)
		srv := httptest.NewServer(h)
		defer srv.Close()
		// Pinned to the version the client negotiates: only the transport keeps it off.
		st := start(t, Options{Connector: httpConnector{srv.URL}}, nil)
		if got := mustCall(t, st.cs, "echo", map[string]any{"text": "remote"}); got != "remote" {
			t.Fatalf("echo = %q", got)
		}
		if n := st.sess.lane.taken.Load(); n != 0 {
			t.Errorf("%d calls to a remote upstream took the lane, want 0", n)
		}
	})
}
