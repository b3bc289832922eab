//go:build linux

package bridge_test

//lint:file-ignore SA1019 MCP 2026-07-28 deprecates logging, but clients still use it: the shim replays the log level a client set.

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bench/echoserver"
	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/internal/paths"
)

// handoverShim runs RunShim in-process on real pipes, with the handover offered as the
// patchbay binary offers it, and returns the client's ends and RunShim's result.
func handoverShim(t *testing.T, l paths.Layout, name string) (clientIn *os.File, clientOut *os.File, done <-chan error) {
	t.Helper()
	inR, inW := blockingPipe(t)
	outR, outW := blockingPipe(t)
	res := make(chan error, 1)
	c := bridge.NewClient(l.SocketPath())
	go func() {
		err := bridge.RunShim(context.Background(), bridge.ShimOptions{Name: name, Stdin: inR, Stdout: outW, Stderr: io.Discard,
			Open: func(ctx context.Context) (io.ReadWriteCloser, error) { return c.OpenMCP(ctx, name) },
			OpenHandover: func(ctx context.Context, in, out *os.File) (io.ReadWriteCloser, *bridge.Handed, error) {
				return c.OpenMCPHandover(ctx, name, in, out)
			}})
		inR.Close()
		outW.Close()
		c.CloseIdleConnections()
		res <- err
	}()
	t.Cleanup(func() {
		inW.Close()
		outR.Close()
	})
	return inW, outR, res
}

// blockingPipe makes a pipe whose ends are blocking, as the pipes a client gives its server
// (os.Pipe's are not, and the shim hands over only blocking files).
func blockingPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	return os.NewFile(uintptr(p[0]), "pipe-r"), os.NewFile(uintptr(p[1]), "pipe-w")
}

// sessionsOf returns connection name's sessions on the bridge at l.
func sessionsOf(t *testing.T, l paths.Layout, name string) []bridge.SessionStatus {
	t.Helper()
	c := bridge.NewClient(l.SocketPath())
	defer c.CloseIdleConnections()
	st, err := c.Status(ctxT(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range st.Connections {
		if cs.Name == name {
			return cs.Sessions
		}
	}
	t.Fatalf("no connection %s", name)
	return nil
}

// TestHandoverBridgeRestart: the bridge relays the client's pipes itself (the session is
// "direct"); when it goes away the in-flight call gets the shim's error, and the shim takes
// the session back, replays the handshake and the log level to the next bridge, and relays
// from then on. When the client leaves, the shim exits and the session ends.
func TestHandoverBridgeRestart(t *testing.T) {
	l := isolate(t)
	exe, _ := os.Executable()
	seedConnection(t, l, "echo", bridge.StdioSettings{Command: exe, Env: map[string]string{echoserver.EnvServe: "1"}})
	_, stop := startBridgeAt2(t, l)
	in, out, done := handoverShim(t, l, "echo")
	ctx := ctxT(t, time.Minute)
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "handover-test"}, nil).Connect(ctx, &mcp.IOTransport{Reader: out, Writer: in}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-06-18"})
	if err != nil {
		t.Fatal(err)
	}
	call := func(msg string) {
		t.Helper()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": msg}})
		if err != nil || res.Content[0].(*mcp.TextContent).Text != msg {
			t.Fatalf("echo %q: %+v %v", msg, res, err)
		}
	}
	for i := range 50 {
		call("direct-" + string(rune('a'+i%26)))
	}
	if s := sessionsOf(t, l, "echo"); len(s) != 1 || !s[0].Direct || s[0].Client != "handover-test" {
		t.Fatalf("sessions: %+v, want one direct session of handover-test", s)
	}
	if err := cs.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: "warning"}); err != nil {
		t.Fatal(err)
	}
	slow := make(chan error, 1)
	go func() {
		_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 20000}})
		slow <- err
	}()
	time.Sleep(200 * time.Millisecond)
	stop()
	select {
	case err := <-slow:
		var werr *jsonrpc.Error
		if !errors.As(err, &werr) || !strings.Contains(werr.Message, "restarted") {
			t.Fatalf("in-flight call: %v, want the shim's restart error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("in-flight call not answered after the bridge stopped")
	}
	b2, _ := startBridgeAt2(t, l)
	call("after")
	if s := sessionsOf(t, l, "echo"); len(s) != 1 || s[0].Direct || s[0].Client != "handover-test" {
		t.Fatalf("sessions on the new bridge: %+v, want one relayed (not direct) session of handover-test", s)
	}
	var level bool
	for deadline := time.Now().Add(10 * time.Second); !level && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		evs, _ := b2.Events().Since(0)
		for _, e := range evs {
			if e.Direction == events.FromClient && e.Method == "logging/setLevel" && strings.Contains(string(e.Body), "warning") {
				level = true
			}
		}
	}
	if !level {
		t.Error("the log level set through the first bridge was not replayed to the second")
	}
	cs.Close()
	waitShim(t, done, "the shim did not exit after the client left")
}

// TestHandoverClientLeaves: a client that closes the shim's stdin while the bridge holds its
// pipes ends the session and the shim, which exits cleanly.
func TestHandoverClientLeaves(t *testing.T) {
	l, in, _, done := initializedHandover(t)
	in.Close()
	waitShim(t, done, "the shim did not exit after the client closed its stdin")
	deadline := time.Now().Add(10 * time.Second)
	for len(sessionsOf(t, l, "echo")) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the session outlived its client")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHandoverShimKilled: when the shim process dies, the bridge lets go of the client's
// pipes at once, so the client sees the end of the shim's output as it would of any server.
func TestHandoverShimKilled(t *testing.T) {
	l := isolate(t)
	exe, _ := os.Executable()
	seedConnection(t, l, "echo", bridge.StdioSettings{Command: exe, Env: map[string]string{echoserver.EnvServe: "1"}})
	startBridgeAt(t, l)
	cmd := cmdOf("shim", "echo")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }() // Wait closes stdout: only at the end
	if _, err := io.WriteString(stdin, initLine+"\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	if line, err := r.ReadString('\n'); err != nil || !strings.Contains(line, `"id":1`) {
		t.Fatalf("initialize answer: %q %v", line, err)
	}
	if s := sessionsOf(t, l, "echo"); len(s) != 1 || !s[0].Direct {
		t.Fatalf("sessions: %+v, want one direct session", s)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eof := make(chan error, 1)
	go func() { _, err := io.ReadAll(r); eof <- err }()
	select {
	case err := <-eof:
		if err != nil {
			t.Fatalf("reading the dead shim's output: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the client's end of the shim's stdout stayed open after the shim died: the bridge kept it")
	}
}

// TestHandoverClientStopsReading: a client that closes its end of the shim's stdout is gone
// even though the bridge, not the shim, writes to it: the session and the shim end.
func TestHandoverClientStopsReading(t *testing.T) {
	_, in, out, done := initializedHandover(t)
	out.Close()
	if _, err := in.WriteString(`{"jsonrpc":"2.0","id":2,"method":"ping"}` + "\n"); err != nil {
		t.Fatal(err)
	}
	waitShim(t, done, "the shim kept running with no one reading its output")
}

// initializedHandover starts a bridge with an echo connection and an in-process shim on
// pipes, initializes a session through it and checks that the bridge took the pipes.
func initializedHandover(t *testing.T) (l paths.Layout, clientIn, clientOut *os.File, done <-chan error) {
	t.Helper()
	l = isolate(t)
	exe, _ := os.Executable()
	seedConnection(t, l, "echo", bridge.StdioSettings{Command: exe, Env: map[string]string{echoserver.EnvServe: "1"}})
	startBridgeAt(t, l)
	clientIn, clientOut, done = handoverShim(t, l, "echo")
	if _, err := clientIn.WriteString(initLine + "\n"); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(clientOut).ReadString('\n'); err != nil || !strings.Contains(line, `"id":1`) {
		t.Fatalf("initialize answer: %q %v", line, err)
	}
	if s := sessionsOf(t, l, "echo"); len(s) != 1 || !s[0].Direct {
		t.Fatalf("sessions: %+v, want one direct session", s)
	}
	return l, clientIn, clientOut, done
}

// waitShim waits for RunShim's result, which must be nil, for 10 s at most.
func waitShim(t *testing.T, done <-chan error, stuck string) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("RunShim: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal(stuck)
	}
}

// TestHandoverConnectionRemoved: removing the connection ends a direct session as it ends a
// relayed one: the shim takes the session back, learns that the connection is gone, and
// exits, and the client sees the end of the shim's output.
func TestHandoverConnectionRemoved(t *testing.T) {
	l, _, out, done := initializedHandover(t)
	c := bridge.NewClient(l.SocketPath())
	defer c.CloseIdleConnections()
	if err := c.Remove(ctxT(t, 10*time.Second), "echo"); err != nil {
		t.Fatal(err)
	}
	waitShim(t, done, "the shim did not exit after its connection was removed")
	if rest, err := io.ReadAll(out); err != nil || len(rest) != 0 {
		t.Fatalf("the client's end after the shim exited: %q %v", rest, err)
	}
}
