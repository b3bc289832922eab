package bridge_test

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bench/echoserver"
	"github.com/patchbay-mcp/patchbay/bridge"
)

// TestKillBridgeMidSession runs the shim and the bridge as real processes, kills the bridge
// with SIGKILL while a call is in flight, and checks that the in-flight call gets an error,
// the shim starts a new bridge and replays the handshake, and the client's next call works
// on the same session.
//
// Both ways a shim runs are tested: on Linux it hands the client's pipes to the bridge (the
// session is "direct" until the bridge dies; then the shim relays), and with
// PATCHBAY_SHIM_PIPE set, or on other systems, it relays from the start.
func TestKillBridgeMidSession(t *testing.T) {
	for _, mode := range []string{"handover", "pipe"} {
		t.Run(mode, func(t *testing.T) { killBridgeMidSession(t, mode == "handover" && runtime.GOOS == "linux") })
	}
}

func killBridgeMidSession(t *testing.T, direct bool) {
	l := isolate(t)
	exe, _ := os.Executable()
	seedConnection(t, l, "echo", bridge.StdioSettings{Command: exe, Env: map[string]string{echoserver.EnvServe: "1"}})
	t.Cleanup(func() { stopBridgeProcess(t, l) })

	client := mcp.NewClient(&mcp.Implementation{Name: "kill-test", Version: "1"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	shim := cmdOf("shim", "echo")
	if !direct {
		shim.Env = append(shim.Env, "PATCHBAY_SHIM_PIPE=1")
	}
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: shim}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-06-18"})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	call := func(msg string) (string, error) {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": msg}})
		if err != nil {
			return "", err
		}
		return res.Content[0].(*mcp.TextContent).Text, nil
	}
	if got, err := call("before"); err != nil || got != "before" {
		t.Fatalf("before: %q %v", got, err)
	}
	c := bridge.NewClient(l.SocketPath())
	defer c.CloseIdleConnections()
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oldPID := st.Bridge.PID
	if s := st.Connections[0].Sessions; len(s) != 1 || s[0].Direct != direct {
		t.Fatalf("sessions: %+v, want one with direct=%v", s, direct)
	}

	for round := 1; round <= 2; round++ {
		slow := make(chan error, 1)
		go func() {
			_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 20000}})
			slow <- err
		}()
		time.Sleep(200 * time.Millisecond)
		if err := syscall.Kill(oldPID, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-slow:
			var werr *jsonrpc.Error
			if !errors.As(err, &werr) || !strings.Contains(werr.Message, "restarted") {
				t.Fatalf("round %d: in-flight call: %v, want the shim's restart error", round, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: in-flight call not answered after the bridge died", round)
		}
		if got, err := call("after"); err != nil || got != "after" {
			t.Fatalf("round %d: after the bridge died: %q %v", round, got, err)
		}
		c.CloseIdleConnections()
		st, err = c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Bridge.PID == oldPID {
			t.Fatalf("round %d: same bridge pid %d after kill", round, oldPID)
		}
		if s := st.Connections[0].Sessions; len(s) != 1 || s[0].Client != "kill-test" || s[0].Direct {
			t.Fatalf("round %d: sessions after replay: %+v", round, s)
		}
		oldPID = st.Bridge.PID
	}
}

// TestShimsRaceToStartOneBridge starts several shims at once with no bridge running: they
// all end up talking to one bridge (the losers of the race exit quietly).
func TestShimsRaceToStartOneBridge(t *testing.T) {
	l := isolate(t)
	exe, _ := os.Executable()
	seedConnection(t, l, "echo", bridge.StdioSettings{Command: exe, Env: map[string]string{echoserver.EnvServe: "1"}})
	t.Cleanup(func() { stopBridgeProcess(t, l) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const n = 4
	errs := make(chan error, n)
	sessions := make(chan *mcp.ClientSession, n)
	for i := 0; i < n; i++ {
		go func() {
			client := mcp.NewClient(&mcp.Implementation{Name: "race", Version: "1"}, nil)
			cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmdOf("shim", "echo")}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-06-18"})
			if err == nil {
				sessions <- cs
				_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "x"}})
			}
			errs <- err
		}()
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	close(sessions)
	st, err := bridge.NewClient(l.SocketPath()).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(st.Connections[0].Sessions); got != n {
		t.Errorf("%d sessions on the bridge, want all %d on one bridge", got, n)
	}
	for cs := range sessions {
		cs.Close()
	}
}
