package relay

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/stdio"
	"github.com/patchbay-mcp/patchbay/connectors/stdio/stdiotest"
)

func TestMain(m *testing.M) {
	stdiotest.MaybeServe()
	os.Exit(m.Run())
}

// recorder is an events.Sink that keeps everything.
type recorder struct {
	mu  sync.Mutex
	evs []events.Event
}

func (r *recorder) Append(e events.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, e)
	r.mu.Unlock()
}

func (r *recorder) all() []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]events.Event(nil), r.evs...)
}

// observed counts Observer calls.
type observed struct {
	mu     sync.Mutex
	client string
	ready  int
	lost   []error
}

func (o *observed) observer() Observer {
	return Observer{
		ClientInitialized: func(c string) { o.mu.Lock(); o.client = c; o.mu.Unlock() },
		UpstreamReady:     func() { o.mu.Lock(); o.ready++; o.mu.Unlock() },
		UpstreamLost:      func(err error) { o.mu.Lock(); o.lost = append(o.lost, err); o.mu.Unlock() },
	}
}

// stdioConnector starts the test server as a real child, without warm spares.
func stdioConnector(t testing.TB, env map[string]string, hooks connectors.Hooks) connectors.Connector {
	t.Helper()
	var m map[string]any
	_ = json.Unmarshal(stdiotest.Settings(env), &m)
	m["warm_spare"] = false
	b, _ := json.Marshal(m)
	c, err := stdio.New("test", b, nil, hooks)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// started is a relayed session seen from its client.
type started struct {
	cs    *mcp.ClientSession
	sess  *Session
	done  chan error
	close func()
}

// start runs a Session over net.Pipe (standing in for the shim's socket) and connects a
// go-sdk client to it. Cleanup closes the client and checks that Serve returns.
func start(t testing.TB, opts Options, client *mcp.Client) *started {
	t.Helper()
	if opts.Connection == "" {
		opts.Connection = "test"
	}
	switch opts.ProtocolVersion {
	case "":
		opts.ProtocolVersion = UpstreamProtocolVersion
	case "-": // let the SDK negotiate, as for remote connections
		opts.ProtocolVersion = ""
	}
	bridgeEnd, clientEnd := net.Pipe()
	sess := NewSession(opts)
	done := make(chan error, 1)
	go func() { done <- sess.Serve(context.Background(), bridgeEnd) }()
	if client == nil {
		client = mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := client.Connect(ctx, &mcp.IOTransport{Reader: clientEnd, Writer: clientEnd}, nil)
	if err != nil {
		clientEnd.Close()
		<-done
		t.Fatalf("connecting through the relay: %v", err)
	}
	st := &started{cs: cs, sess: sess, done: done}
	var once sync.Once
	st.close = func() {
		once.Do(func() {
			cs.Close()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Error("Serve did not return after the client left")
			}
		})
	}
	t.Cleanup(st.close)
	return st
}

func call(t testing.TB, cs *mcp.ClientSession, tool string, args any) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	if res.IsError {
		return b.String(), &toolErr{b.String()}
	}
	return b.String(), nil
}

type toolErr struct{ s string }

func (e *toolErr) Error() string { return "tool error: " + e.s }

func mustCall(t testing.TB, cs *mcp.ClientSession, tool string, args any) string {
	t.Helper()
	s, err := call(t, cs, tool, args)
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return s
}

// eventually polls cond for up to 10 s (a hang detector, not a speed check).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// memConnector serves an in-process mcp.Server over in-memory transports.
type memConnector struct{ srv *mcp.Server }

func (m memConnector) Transport(ctx context.Context) (mcp.Transport, error) {
	ct, st := mcp.NewInMemoryTransports()
	if _, err := m.srv.Connect(ctx, st, nil); err != nil {
		return nil, err
	}
	return ct, nil
}

func (memConnector) Close() error { return nil }
