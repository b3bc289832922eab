package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/remote"
	"github.com/patchbay-mcp/patchbay/connectors/remote/remotetest"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// remoteTestBridge starts a bridge in this process with kc as its keychain, and returns a
// func that stops it (idempotent; it also runs when the test ends).
func remoteTestBridge(t *testing.T, kc keychain.Store) (stop func()) {
	t.Helper()
	_, _, stop = testBridge(t, kc, nil)
	return stop
}

// remoteShimSession runs the shim (the code `patchbay shim NAME` runs) on pipes and connects a
// go-sdk client to its stdio, as an AI client would.
func remoteShimSession(t *testing.T, name string) *mcp.ClientSession {
	t.Helper()
	lay, err := paths.Default()
	if err != nil {
		t.Fatal(err)
	}
	client := bridge.NewClient(lay.SocketPath())
	open := func(ctx context.Context) (io.ReadWriteCloser, error) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			rwc, err := client.OpenMCP(context.Background(), name)
			if err == nil || time.Now().After(deadline) {
				return rwc, err
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		bridge.RunShim(ctx, bridge.ShimOptions{Name: name, Stdin: inR, Stdout: outW, Stderr: io.Discard, Open: open})
		outW.Close()
		close(done)
	}()
	cctx, ccancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer ccancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "claude-ai", Version: "1"}, nil).
		Connect(cctx, &mcp.IOTransport{Reader: outR, Writer: inW}, nil)
	if err != nil {
		cancel()
		t.Fatalf("connecting through the shim: %v", err)
	}
	t.Cleanup(func() {
		cs.Close()
		inW.Close()
		cancel()
		<-done
	})
	return cs
}

func remoteCallText(ctx context.Context, cs *mcp.ClientSession, tool string, args map[string]any) (string, bool, error) {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		return "", false, err
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), res.IsError, nil
}

// TestRemoteOAuthThroughShim runs the whole path: `patchbay connect` stores a login, an AI
// client talks to the fake Notion through `patchbay shim` and the bridge, the bridge
// restarts, the token expires under 50 concurrent calls, and the grant is revoked.
func TestRemoteOAuthThroughShim(t *testing.T) {
	fake, store, browser := remoteLoginEnv(t)
	lay, _ := paths.Default()
	stop := remoteTestBridge(t, store)

	if code, out, errOut := remoteRun("connect", "work"); code != 0 {
		t.Fatalf("connect = %d\n%s\n%s", code, out, errOut)
	}
	cs := remoteShimSession(t, "work")
	var names []string
	for tool, err := range cs.Tools(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tool.Name)
	}
	if strings.Join(names, ",") != "echo,whoami" && strings.Join(names, ",") != "whoami,echo" {
		t.Fatalf("tools through the shim = %v", names)
	}
	if who, isErr, err := remoteCallText(t.Context(), cs, "whoami", nil); err != nil || isErr || who == "" || who == "anonymous" {
		t.Fatalf("whoami through the shim = %q, %t, %v", who, isErr, err)
	}

	// Restart the bridge: the shim reconnects, and calls work with no new login.
	stop()
	remoteTestBridge(t, store)
	var got string
	var err error
	for range 50 { // the shim answers calls in flight during its reconnect with an error
		got, _, err = remoteCallText(t.Context(), cs, "echo", map[string]any{"text": "after restart"})
		if err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || got != "after restart" {
		t.Fatalf("echo after a bridge restart = %q, %v", got, err)
	}
	if c := fake.Counts(); c.CodeGrants != 1 || len(browser.Opened()) != 1 {
		t.Fatalf("the restart needed a new login: %+v", c)
	}

	// The server invalidates the access token: 50 concurrent calls, exactly one refresh.
	fake.ExpireAccessTokens()
	var wg sync.WaitGroup
	errs := make(chan string, 50)
	for range 50 {
		wg.Go(func() {
			got, isErr, err := remoteCallText(t.Context(), cs, "echo", map[string]any{"text": "x"})
			if err != nil || isErr || got != "x" {
				errs <- got
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("a call failed during the refresh: %s", e)
	}
	if c := fake.Counts(); c.Refreshes != 1 || c.InvalidGrants != 0 {
		t.Fatalf("50 concurrent calls at expiry: %d refreshes, %d invalid_grant; want 1 and 0", c.Refreshes, c.InvalidGrants)
	}

	// Revoke the grant: the call fails fast with a tool error naming the fix; the bridge says
	// needs-auth; no browser opens.
	fake.RevokeAll()
	fake.ExpireAccessTokens()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	text, isErr, err := remoteCallText(ctx, cs, "echo", map[string]any{"text": "x"})
	cancel()
	msg := text
	if err != nil {
		msg = err.Error()
	}
	if (err == nil && !isErr) || !strings.Contains(msg, "reconnect") {
		t.Fatalf("call after revocation = %q (tool error %t, err %v), want an error saying to reconnect", text, isErr, err)
	}
	st, err := bridge.NewClient(lay.SocketPath()).Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Connections {
		if c.Name == "work" && c.State != bridge.StateNeedsAuth {
			t.Errorf("state of work after revocation = %q, want %q", c.State, bridge.StateNeedsAuth)
		}
	}
	if len(browser.Opened()) != 1 || fake.Counts().Authorizes != 1 {
		t.Fatalf("a browser opened without the user asking")
	}

	// The user runs `patchbay connect work` again: the same session works.
	if code, out, errOut := remoteRun("connect", "work"); code != 0 {
		t.Fatalf("connect again = %d\n%s\n%s", code, out, errOut)
	}
	if got, isErr, err := remoteCallText(t.Context(), cs, "echo", map[string]any{"text": "back"}); err != nil || isErr || got != "back" {
		t.Fatalf("echo after connecting again = %q, %t, %v", got, isErr, err)
	}

	// The event log shows the OAuth refresh and the needs-auth state, and no secret is in
	// any event, any file under the test home (state.json, the rotated logs) or the error.
	var all strings.Builder
	sawRefresh, sawNeedsAuth := false, false
	err = bridge.NewClient(lay.SocketPath()).Events(t.Context(), bridge.EventsQuery{}, func(ev events.Event) error {
		b, _ := json.Marshal(ev)
		all.Write(b)
		sawRefresh = sawRefresh || strings.Contains(ev.Message, "refresh: new access token")
		sawNeedsAuth = sawNeedsAuth || ev.Message == bridge.StateNeedsAuth
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sawRefresh || !sawNeedsAuth {
		t.Errorf("event log lacks the refresh step (%t) or the needs-auth state (%t)", sawRefresh, sawNeedsAuth)
	}
	all.WriteString(msg)
	filepath.WalkDir(os.Getenv("HOME"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			all.Write(b)
		}
		return nil
	})
	secrets := fake.Secrets()
	if len(secrets) < 4 {
		t.Fatalf("the fake issued only %d secrets: the scan would prove little", len(secrets))
	}
	for _, s := range secrets {
		if strings.Contains(all.String(), s) {
			t.Errorf("a secret (%.6s…) leaked into an event, a file or an error", s)
		}
	}
}

// TestConnectPresetCreatesConnection: `patchbay connect notion` with no such connection adds
// the preset through the bridge, then logs in. The preset points at the fake here.
func TestConnectPresetCreatesConnection(t *testing.T) {
	fake, store, _ := remoteLoginEnv(t)
	remoteTestBridge(t, store)
	old := presetFor
	t.Cleanup(func() { presetFor = old })
	presetFor = func(name string) (remote.Settings, bool) {
		if name != "notion" {
			return remote.Settings{}, false
		}
		return remote.Settings{URL: fake.MCPURL, Auth: remote.AuthOAuth, Label: "Notion", CallbackPort: freeTestPort(t)}, true
	}
	code, out, errOut := remoteRun("connect", "notion")
	if code != 0 || !strings.Contains(out, "Added notion") || !strings.Contains(out, "Connected notion") {
		t.Fatalf("connect notion = %d\n%s\n%s", code, out, errOut)
	}
	lay, _ := paths.Default()
	st, err := bridge.NewClient(lay.SocketPath()).Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range st.Connections {
		found = found || (c.Name == "notion" && c.Kind == state.KindRemote && c.Summary == fake.MCPURL)
	}
	if !found {
		t.Fatalf("the preset connection was not added: %+v", st.Connections)
	}
	if got, isErr, err := remoteCallText(t.Context(), remoteShimSession(t, "notion"), "whoami", nil); err != nil || isErr || got == "anonymous" {
		t.Fatalf("whoami through the new preset connection = %q, %t, %v", got, isErr, err)
	}
}

// TestAddRemoteHeaderOverSSE: `patchbay add remote` with a header secret read from stdin,
// against a server that only speaks the 2024-11-05 SSE transport, used through the bridge.
func TestAddRemoteHeaderOverSSE(t *testing.T) {
	_, store, _ := remoteLoginEnv(t)
	remoteTestBridge(t, store)
	srv := remotetest.NewSSEServer("X-Api-Key", "sk-live-7d1e")
	t.Cleanup(srv.Close)
	var out, errb bytes.Buffer
	code := Main(&Env{Stdin: strings.NewReader("sk-live-7d1e\n"), Stdout: &out, Stderr: &errb},
		[]string{"add", "remote", "legacy", srv.URL, "--header", "X-Api-Key"})
	if code != 0 {
		t.Fatalf("add remote = %d\n%s\n%s", code, out.String(), errb.String())
	}
	if v, err := store.Get(t.Context(), "legacy/header"); err != nil || v != "sk-live-7d1e" {
		t.Fatalf("header secret in the keychain = %q, %v", v, err)
	}
	lay, _ := paths.Default()
	raw, _ := os.ReadFile(lay.StateFile())
	if strings.Contains(string(raw), "sk-live-7d1e") {
		t.Fatal("the header secret is in state.json")
	}
	cs := remoteShimSession(t, "legacy")
	if got, isErr, err := remoteCallText(t.Context(), cs, "echo", map[string]any{"text": "over sse"}); err != nil || isErr || got != "over sse" {
		t.Fatalf("echo over SSE through the bridge = %q, %t, %v", got, isErr, err)
	}
	if code, _, errOut := remoteRun("add", "remote", "bad", "http://example.com/mcp"); code != 1 || !strings.Contains(errOut, "use https") {
		t.Errorf("add remote with plain http = %d, %q", code, errOut)
	}
}

func freeTestPort(t *testing.T) int {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestRemoteShimChild is not a test: it is the `patchbay shim NAME` process that
// TestRemoteThroughShimProcess starts (the test binary re-run with PATCHBAY_TEST_SHIM=NAME).
func TestRemoteShimChild(t *testing.T) {
	name := os.Getenv("PATCHBAY_TEST_SHIM")
	if name == "" {
		t.Skip("run as a child by TestRemoteThroughShimProcess")
	}
	os.Exit(Main(nil, []string{"shim", name}))
}

// TestRemoteThroughShimProcess: an AI client (go-sdk over a command transport) launches a real
// `patchbay shim work` process, which reaches the bridge over its socket, which reaches the
// fake Notion over OAuth.
func TestRemoteThroughShimProcess(t *testing.T) {
	fake, store, _ := remoteLoginEnv(t)
	remoteTestBridge(t, store)
	if code, out, errOut := remoteRun("connect", "work"); code != 0 {
		t.Fatalf("connect = %d\n%s\n%s", code, out, errOut)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRemoteShimChild$")
	// The minimal environment an AI client gives a server it launches, plus PATCHBAY_HOME as
	// Patchbay writes it into the client's entry.
	cmd.Env = []string{"HOME=" + os.Getenv("HOME"), "PATH=" + os.Getenv("PATH"), "PATCHBAY_HOME=" + os.Getenv("PATCHBAY_HOME"), "PATCHBAY_TEST_SHIM=work"}
	cmd.Stderr = io.Discard
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "claude-ai", Version: "1"}, nil).
		Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 2 * time.Second}, nil)
	if err != nil {
		t.Fatalf("connecting through a shim process: %v", err)
	}
	defer cs.Close()
	if got, isErr, err := remoteCallText(ctx, cs, "whoami", nil); err != nil || isErr || got != remotetest.User {
		t.Fatalf("whoami through the shim process = %q, %t, %v", got, isErr, err)
	}
	fake.ExpireAccessTokens()
	var wg sync.WaitGroup
	var failed sync.Map
	for i := range 50 {
		wg.Go(func() {
			if got, isErr, err := remoteCallText(ctx, cs, "echo", map[string]any{"text": "y"}); err != nil || isErr || got != "y" {
				failed.Store(i, got)
			}
		})
	}
	wg.Wait()
	failed.Range(func(k, v any) bool { t.Errorf("call %v failed: %v", k, v); return true })
	if c := fake.Counts(); c.Refreshes != 1 || c.InvalidGrants != 0 {
		t.Fatalf("50 calls through the shim process at expiry: %d refreshes, %d invalid_grant", c.Refreshes, c.InvalidGrants)
	}
}
