package bridge_test

//lint:file-ignore SA1019 MCP 2026-07-28 deprecates logging and sampling, but clients still use them: these tests prove Patchbay relays them.

import (
	"context"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bench/echoserver"
	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
	"github.com/patchbay-mcp/patchbay/internal/testpeers"
)

// startBridgeAt runs an in-process bridge on l's socket and returns a func that stops it.
func startBridgeAt(t *testing.T, l paths.Layout) (stop func()) {
	_, stop = startBridgeAt2(t, l)
	return stop
}

func startBridgeAt2(t *testing.T, l paths.Layout) (*bridge.Bridge, func()) {
	t.Helper()
	store, err := state.Open(l.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	b, err := bridge.New(bridge.Options{Store: store, Keychain: &keychain.Memory{}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := bridge.Listen(l.SocketPath())
	if err != nil {
		t.Fatal(err)
	}
	go b.Serve(ln)
	var once bool
	stop := func() {
		if !once {
			once = true
			b.Close()
			ln.Close()
		}
	}
	t.Cleanup(stop)
	return b, stop
}

// TestShimQueuesWhileBridgeIsDown: a request the client sends while no bridge runs waits,
// and is answered by the next bridge after the shim replays the handshake.
func TestShimQueuesWhileBridgeIsDown(t *testing.T) {
	l := isolate(t)
	exe, _ := os.Executable()
	seedConnection(t, l, "echo", bridge.StdioSettings{Command: exe, Env: map[string]string{echoserver.EnvServe: "1"}})
	stop := startBridgeAt(t, l)

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var stderr strings.Builder
	done := make(chan error, 1)
	go func() {
		c := bridge.NewClient(l.SocketPath())
		err := bridge.RunShim(context.Background(), bridge.ShimOptions{Name: "echo", Stdin: inR, Stdout: outW, Stderr: &stderr,
			Open: func(ctx context.Context) (io.ReadWriteCloser, error) { return c.OpenMCP(ctx, "echo") }})
		outW.Close()
		done <- err
	}()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "queue-test"}, nil).Connect(ctxT(t, 20*time.Second), &mcp.IOTransport{Reader: outR, Writer: inW}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-06-18"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t, 60*time.Second)
	if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "one"}}); err != nil {
		t.Fatal(err)
	}
	stop()
	// Make sure nothing listens while the call is sent.
	if c, err := net.Dial("unix", l.SocketPath()); err == nil {
		c.Close()
		t.Fatal("the bridge still listens")
	}
	type answer struct {
		res *mcp.CallToolResult
		err error
	}
	got := make(chan answer, 1)
	go func() {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "queued"}})
		got <- answer{res, err}
	}()
	time.Sleep(300 * time.Millisecond)
	select {
	case a := <-got:
		t.Fatalf("answered with no bridge running: %+v %v", a.res, a.err)
	default:
	}
	startBridgeAt(t, l)
	select {
	case a := <-got:
		if a.err != nil || a.res.Content[0].(*mcp.TextContent).Text != "queued" {
			t.Fatalf("queued call: %+v %v", a.res, a.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("queued call not answered after the bridge came back; shim said: %s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "reconnected") {
		t.Errorf("shim stderr: %q", stderr.String())
	}
	cs.Close()
	inW.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("RunShim: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shim did not exit after its stdin closed")
	}
}

// TestShimReplaysSessionState: after a bridge restart, the shim re-sends the client's log
// level and resource subscriptions to the new bridge (whose upstream is new too), and the
// client sees none of the replayed answers.
func TestShimReplaysSessionState(t *testing.T) {
	node, everything := testpeers.Require(t, "@modelcontextprotocol/server-everything/dist/index.js")
	l := isolate(t)
	seedConnection(t, l, "everything", bridge.StdioSettings{Command: node, Args: []string{everything, "stdio"}})
	_, stop := startBridgeAt2(t, l)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	go func() {
		c := bridge.NewClient(l.SocketPath())
		bridge.RunShim(context.Background(), bridge.ShimOptions{Name: "everything", Stdin: inR, Stdout: outW, Stderr: io.Discard,
			Open: func(ctx context.Context) (io.ReadWriteCloser, error) { return c.OpenMCP(ctx, "everything") }})
		outW.Close()
	}()
	defer inW.Close()
	ctx := ctxT(t, 60*time.Second)
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "replay-test"}, nil).Connect(ctx, &mcp.IOTransport{Reader: outR, Writer: inW}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-06-18"})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.ListResources(ctx, nil)
	if err != nil || len(res.Resources) < 2 {
		t.Fatalf("resources: %v %v", res, err)
	}
	a, b := res.Resources[0].URI, res.Resources[1].URI
	for _, uri := range []string{a, b} {
		if err := cs.Subscribe(ctx, &mcp.SubscribeParams{URI: uri}); err != nil {
			t.Fatal(err)
		}
	}
	if err := cs.Unsubscribe(ctx, &mcp.UnsubscribeParams{URI: b}); err != nil {
		t.Fatal(err)
	}
	if err := cs.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: "warning"}); err != nil {
		t.Fatal(err)
	}
	stop()
	b2, _ := startBridgeAt2(t, l)
	// The next call goes to the new bridge, after the replay.
	if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "x"}}); err != nil {
		t.Fatal(err)
	}
	var subs []string
	var level bool
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && (len(subs) == 0 || !level) {
		subs, level = nil, false
		evs, _ := b2.Events().Since(0)
		for _, e := range evs {
			if e.Direction != events.FromClient {
				continue
			}
			switch e.Method {
			case "resources/subscribe":
				subs = append(subs, string(e.Body))
			case "logging/setLevel":
				level = strings.Contains(string(e.Body), "warning")
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(subs) != 1 || !strings.Contains(subs[0], a) || !level {
		t.Fatalf("replayed to the new bridge: subscribe %v, setLevel %v", subs, level)
	}
	// The session goes on (the replayed answers were swallowed, not passed to the client).
	if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "y"}}); err != nil {
		t.Fatal(err)
	}
}
