package bridge_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bench/echoserver"
	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/cli"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/stdio/stdiotest"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// envAsCLI makes the test binary run as `patchbay` (cli.Main): the shim and the bridge run
// as real processes in the kill/restart tests without linking Fyne.
const envAsCLI = "PATCHBAY_TEST_AS_CLI"

func TestMain(m *testing.M) {
	echoserver.MaybeServe()
	stdiotest.MaybeServe()
	if os.Getenv(envAsCLI) != "" {
		os.Exit(cli.Main(nil, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// harness is one isolated Patchbay home with an in-process bridge on a real unix socket.
type harness struct {
	t      testing.TB
	layout paths.Layout
	kc     *keychain.Memory
	store  *state.Store
	b      *bridge.Bridge
	c      *bridge.Client
	ln     net.Listener
}

// isolate points HOME and PATCHBAY_HOME at fresh temporary folders.
func isolate(t testing.TB) paths.Layout {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", filepath.Join(dir, "home"))
	t.Setenv(paths.EnvHome, filepath.Join(dir, "pb"))
	os.MkdirAll(filepath.Join(dir, "home"), 0o700)
	l, err := paths.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.EnsureDirs(); err != nil {
		t.Fatal(err)
	}
	return l
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{t: t, layout: isolate(t), kc: &keychain.Memory{}}
	var err error
	h.store, err = state.Open(h.layout.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	rot, err := events.NewRotator(h.layout.LogDir(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	evlog := events.NewLog(0, rot)
	h.b, err = bridge.New(bridge.Options{Store: h.store, Keychain: h.kc, Events: evlog, Socket: h.layout.SocketPath(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	h.ln, err = bridge.Listen(h.layout.SocketPath())
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- h.b.Serve(h.ln) }()
	h.c = bridge.NewClient(h.layout.SocketPath())
	t.Cleanup(func() {
		h.c.CloseIdleConnections()
		h.b.Close()
		evlog.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		h.ln.Close()
	})
	return h
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// addStdio saves a stdio connection through the API.
func (h *harness) addStdio(name string, s bridge.StdioSettings, secrets map[string]string) {
	h.t.Helper()
	raw, _ := json.Marshal(s)
	if _, err := h.c.Add(ctxT(h.t, 10*time.Second), bridge.AddRequest{Name: name, Kind: state.KindStdio, Settings: raw, Secrets: secrets}); err != nil {
		h.t.Fatalf("adding %s: %v", name, err)
	}
}

// addEcho adds a connection to the Go echo server (this test binary re-run).
func (h *harness) addEcho(name string) {
	h.t.Helper()
	exe, _ := os.Executable()
	h.addStdio(name, bridge.StdioSettings{Command: exe, Env: map[string]string{echoserver.EnvServe: "1"}}, nil)
}

// shim runs bridge.RunShim in-process for connection name and returns the client's ends of
// its stdio and a channel with RunShim's result.
type shimPipes struct {
	stdin  *io.PipeWriter // the client writes here
	stdout *io.PipeReader // the client reads here
	done   chan struct{}  // closed when RunShim returned
	err    error          // what it returned, once done is closed
}

func (h *harness) shim(name string) *shimPipes {
	h.t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	p := &shimPipes{stdin: inW, stdout: outR, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		err := bridge.RunShim(ctx, bridge.ShimOptions{
			Name: name, Stdin: inR, Stdout: outW, Stderr: io.Discard,
			Open: func(ctx context.Context) (io.ReadWriteCloser, error) { return h.c.OpenMCP(ctx, name) },
		})
		outW.Close()
		p.err = err
		close(p.done)
	}()
	h.t.Cleanup(func() {
		inW.Close()
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			h.t.Errorf("shim %s did not end within 10s of its stdin closing", name)
		}
		cancel()
	})
	return p
}

// connect runs a go-sdk client through an in-process shim to connection name.
func (h *harness) connect(name string, opts *mcp.ClientOptions) *mcp.ClientSession {
	h.t.Helper()
	p := h.shim(name)
	client := mcp.NewClient(&mcp.Implementation{Name: "go-test-client", Version: "1"}, opts)
	cs, err := client.Connect(ctxT(h.t, 30*time.Second), &mcp.IOTransport{Reader: p.stdout, Writer: p.stdin}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-06-18"})
	if err != nil {
		h.t.Fatalf("connecting through the shim to %s: %v", name, err)
	}
	h.t.Cleanup(func() { cs.Close() })
	return cs
}

func textOf(t *testing.T, res *mcp.CallToolResult) string {
	t.Helper()
	if res == nil || len(res.Content) == 0 {
		t.Fatalf("empty result %+v", res)
	}
	tc, ok := res.Content[0].(*mcp.TextContent)
	if !ok {
		t.Fatalf("content is %T", res.Content[0])
	}
	return tc.Text
}

// procEnv is the environment of a test binary re-run as patchbay.
func procEnv() []string {
	return append(os.Environ(), envAsCLI+"=1")
}

// stopBridgeProcess stops a bridge that runs as a process (a shim started it) and waits
// until nothing answers on the socket.
func stopBridgeProcess(t *testing.T, l paths.Layout) {
	c := bridge.NewClient(l.SocketPath())
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st, err := c.Status(ctx)
	if errors.Is(err, bridge.ErrNotRunning) {
		return
	}
	if err == nil {
		c.Shutdown(ctx)
	}
	for ctx.Err() == nil {
		c.CloseIdleConnections()
		if _, err := c.Status(ctx); errors.Is(err, bridge.ErrNotRunning) {
			// The socket is gone; make sure the process is too.
			if st != nil {
				waitGone(st.Bridge.PID, 10*time.Second)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st != nil {
		if p, err := os.FindProcess(st.Bridge.PID); err == nil {
			p.Kill()
		}
	}
	t.Errorf("bridge process did not stop")
}

func waitGone(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if !alive(pid) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// cmdOf builds a command running the test binary as `patchbay args...`.
func cmdOf(args ...string) *exec.Cmd {
	exe, _ := os.Executable()
	cmd := exec.Command(exe, args...)
	cmd.Env = procEnv()
	return cmd
}
