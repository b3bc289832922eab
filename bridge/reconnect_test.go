package bridge_test

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
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// startBridgeAt runs an in-process bridge on l's socket and returns a func that stops it.
func startBridgeAt(t *testing.T, l paths.Layout) (stop func()) {
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
	stop = func() {
		if !once {
			once = true
			b.Close()
			ln.Close()
		}
	}
	t.Cleanup(stop)
	return stop
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
