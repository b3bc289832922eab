package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/notion/notiontest"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// serveRun is one in-process run of `patchbay serve notion` with a client connected.
type serveRun struct {
	cs     *mcp.ClientSession
	stderr *bytes.Buffer
	done   chan int
}

// startServe runs `patchbay serve notion args...` in-process on pipes and connects an MCP
// client to it, as an AI client would over the process's stdio.
func startServe(t *testing.T, args ...string) *serveRun {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	r := &serveRun{stderr: &bytes.Buffer{}, done: make(chan int, 1)}
	go func() {
		code := Main(&Env{Stdin: inR, Stdout: outW, Stderr: r.stderr}, append([]string{"serve", "notion"}, args...))
		outW.Close()
		r.done <- code
	}()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test-client"}, nil).Connect(context.Background(),
		&mcp.IOTransport{Reader: outR, Writer: inW}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		t.Fatalf("connecting to serve notion: %v (stderr: %s)", err, r.stderr)
	}
	r.cs = cs
	return r
}

func (r *serveRun) stop(t *testing.T) {
	t.Helper()
	r.cs.Close()
	select {
	case code := <-r.done:
		if code != 0 {
			t.Errorf("serve notion exited %d: %s", code, r.stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve notion did not exit when its stdin closed")
	}
}

func searchText(t *testing.T, cs *mcp.ClientSession, q string) string {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "notion-search", Arguments: map[string]any{"query": q}})
	if err != nil || res.IsError {
		t.Fatalf("notion-search: %v %+v", err, res)
	}
	return res.Content[0].(*mcp.TextContent).Text
}

func TestServeNotionFromEnvironmentLikeTheOfficialServer(t *testing.T) {
	f, url := notiontest.Start(t)
	t.Setenv("NOTION_TOKEN", notiontest.Token)
	t.Setenv("BASE_URL", url)
	t.Setenv("OPENAPI_MCP_HEADERS", "")
	r := startServe(t, "--transport", "stdio")
	if got := searchText(t, r.cs, "Design"); !strings.Contains(got, "Design Principles · page · "+f.Sample().Design) {
		t.Errorf("search: %s", got)
	}
	r.stop(t)

	// OPENAPI_MCP_HEADERS's Authorization wins over NOTION_TOKEN, as in the official server.
	t.Setenv("NOTION_TOKEN", "ntn_wrong")
	t.Setenv("OPENAPI_MCP_HEADERS", `{"Authorization":"Bearer `+notiontest.Token+`","Notion-Version":"2022-06-28"}`)
	r = startServe(t)
	searchText(t, r.cs, "Design")
	r.stop(t)
}

func TestServeNotionNeedsAToken(t *testing.T) {
	t.Setenv("NOTION_TOKEN", "")
	t.Setenv("OPENAPI_MCP_HEADERS", "")
	var stderr bytes.Buffer
	code := Main(&Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr}, []string{"serve", "notion"})
	if code != 1 || !strings.Contains(stderr.String(), "set NOTION_TOKEN") {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
	stderr.Reset()
	if code := Main(&Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr}, []string{"serve"}); code != 2 {
		t.Errorf("serve with no kind: exit %d", code)
	}
}

func TestServeNotionStoredConnection(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("PATCHBAY_HOME", home)
	f, url := notiontest.Start(t)
	l, err := paths.Default()
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Open(l.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	settings, _ := json.Marshal(map[string]string{"base_url": url})
	if err := st.Modify(func(s *state.State) error {
		s.Connections = append(s.Connections, state.Connection{Name: "work", Kind: state.KindNotion, Settings: settings})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	kc := &keychain.Memory{}
	old := keychainStore
	keychainStore = kc
	t.Cleanup(func() { keychainStore = old })

	var stderr bytes.Buffer
	if code := Main(&Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr}, []string{"serve", "notion", "work"}); code != 1 || !strings.Contains(stderr.String(), "no token stored") {
		t.Errorf("without a token: exit %d %s", code, stderr.String())
	}
	kc.Set(context.Background(), keychain.Key("work", "token"), notiontest.Token)
	r := startServe(t, "work")
	if got := searchText(t, r.cs, "Meeting"); !strings.Contains(got, f.Sample().Meeting) {
		t.Errorf("search: %s", got)
	}
	r.stop(t)
	stderr.Reset()
	if code := Main(&Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr}, []string{"serve", "notion", "nope"}); code != 1 || !strings.Contains(stderr.String(), "no connection named") {
		t.Errorf("unknown name: exit %d %s", code, stderr.String())
	}
}

// TestAddNotionChecksTheTokenFirst: the bridge checks the token with Notion; a refused one
// is reported with Notion's reason and nothing is stored anywhere.
func TestAddNotionChecksTheTokenFirst(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("PATCHBAY_HOME", filepath.Join(home, "pb"))
	_, url := notiontest.Start(t)
	kc := &keychain.Memory{}
	lay := notionTestBridge(t, kc)

	var out, errb bytes.Buffer
	code := Main(&Env{Stdin: strings.NewReader("ntn_wrong\n"), Stdout: &out, Stderr: &errb}, []string{"add", "notion", "work", "--base-url", url})
	if code != 1 || !strings.Contains(errb.String(), "API token is invalid.") || !strings.Contains(errb.String(), "Nothing was stored") {
		t.Fatalf("bad token: exit %d, stderr %s", code, errb.String())
	}
	if k := kc.Keys(); len(k) != 0 {
		t.Fatalf("stored after a refused token: %v", k)
	}
	if st, err := bridge.NewClient(lay.SocketPath()).Status(t.Context()); err != nil || len(st.Connections) != 0 {
		t.Fatalf("connections after a refused token: %+v, %v", st, err)
	}
	out.Reset()
	errb.Reset()
	code = Main(&Env{Stdin: strings.NewReader(notiontest.Token + "\n"), Stdout: &out, Stderr: &errb}, []string{"add", "notion", "work", "--base-url", url})
	if code != 0 {
		t.Fatalf("good token: exit %d, stderr %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "workspace Acme Labs · integration Patchbay Test Bot") {
		t.Errorf("stdout: %s", out.String())
	}
	if v, err := kc.Get(t.Context(), keychain.Key("work", "token")); err != nil || v != notiontest.Token {
		t.Fatalf("keychain: %v", err)
	}
	raw, _ := os.ReadFile(lay.StateFile())
	if !strings.Contains(string(raw), url) || strings.Contains(string(raw), notiontest.Token) {
		t.Errorf("state.json: %s", raw)
	}
	if strings.Contains(out.String()+errb.String(), notiontest.Token) {
		t.Error("the token was printed")
	}
}

// notionTestBridge starts a bridge in this process with kc as its keychain; it stops when
// the test ends.
func notionTestBridge(t *testing.T, kc keychain.Store) paths.Layout {
	t.Helper()
	lay, _, _ := testBridge(t, kc, nil)
	return lay
}

// TestAddNotionThenUseThroughTheBridge is the whole path: `patchbay add notion` checks the
// token and hands it to a running bridge, which keeps it in the keychain; an AI client then
// uses the native tools through the shim; the token is in no file.
func TestAddNotionThenUseThroughTheBridge(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("PATCHBAY_HOME", filepath.Join(home, "pb"))
	f, url := notiontest.Start(t)
	kc := &keychain.Memory{}
	lay := notionTestBridge(t, kc)

	var out, errb bytes.Buffer
	if code := Main(&Env{Stdin: strings.NewReader(notiontest.Token + "\n"), Stdout: &out, Stderr: &errb}, []string{"add", "notion", "work", "--base-url", url}); code != 0 {
		t.Fatalf("add notion: exit %d: %s", code, errb.String())
	}
	if v, err := kc.Get(context.Background(), keychain.Key("work", "token")); err != nil || v != notiontest.Token {
		t.Fatalf("keychain holds %q, %v", v, err)
	}

	client := bridge.NewClient(lay.SocketPath())
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		bridge.RunShim(ctx, bridge.ShimOptions{Name: "work", Stdin: inR, Stdout: outW, Stderr: io.Discard,
			Open: func(ctx context.Context) (io.ReadWriteCloser, error) { return client.OpenMCP(ctx, "work") }})
		outW.Close()
		close(done)
	}()
	cctx, ccancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer ccancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "claude-ai", Version: "1"}, nil).Connect(cctx, &mcp.IOTransport{Reader: outR, Writer: inW}, nil)
	if err != nil {
		cancel()
		t.Fatalf("connecting through the shim: %v", err)
	}
	defer func() { cs.Close(); inW.Close(); cancel(); <-done }()
	tools, err := cs.ListTools(cctx, nil)
	if err != nil || len(tools.Tools) != 10 {
		t.Fatalf("tools/list: %v, %d tools", err, len(tools.Tools))
	}
	if got := searchText(t, cs, "Onboarding"); !strings.Contains(got, f.Sample().Onboarding) {
		t.Errorf("search through the bridge: %s", got)
	}
	filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if data, _ := os.ReadFile(path); bytes.Contains(data, []byte(notiontest.Token)) {
				t.Errorf("the token is in %s", path)
			}
		}
		return nil
	})
}
