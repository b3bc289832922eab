package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/patchbay-mcp/patchbay/assets"
	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
)

// fakeBackend is an in-memory bridge that keeps the bridge's rules: names are unique, a
// Notion token must look like one (the real bridge asks Notion), secrets are write-only,
// client changes compute a diff and a dry run writes nothing. It records what was asked.
type fakeBackend struct {
	mu      sync.Mutex // guards every field
	running bool
	starts  int
	conns   map[string]*bridge.ConnectionStatus
	secrets map[string]string // "conn/item" -> value; never read back by the GUI
	tools   map[string][]bridge.ToolStatus
	clients []ClientStatus
	calls   []bridge.CallRequest
	authz   []string // connections authorised
	authErr error
	// authWait makes Authorize wait, as the real one does for the browser, until ctx ends.
	authWait bool
	evs      []events.Event
}

var sampleNow = time.Now()

// newFakeBackend returns a running fake bridge with sample data: a working native Notion
// connection with two sessions, a hosted one that needs signing in again, and four clients.
func newFakeBackend() *fakeBackend {
	f := &fakeBackend{running: true, conns: map[string]*bridge.ConnectionStatus{}, secrets: map[string]string{},
		tools: map[string][]bridge.ToolStatus{}}
	f.conns["notion"] = &bridge.ConnectionStatus{Name: "notion", Kind: "notion", State: bridge.StateReady,
		Summary: "Notion API (token in the keychain)", Detail: "workspace Acme · integration Patchbay", Since: sampleNow.Add(-(2*time.Hour + 3*time.Minute + 10*time.Second)),
		Restarts: 1, Sessions: []bridge.SessionStatus{{ID: "s1", Client: "claude-ai"}, {ID: "s2", Client: "cursor"}}}
	f.conns["notion-hosted"] = &bridge.ConnectionStatus{Name: "notion-hosted", Kind: "remote", State: bridge.StateNeedsAuth,
		Summary: "https://mcp.notion.com/mcp", LastError: "the refresh token was revoked: sign in again"}
	f.secrets["notion/token"] = "ntn_sample"
	f.tools["notion"] = []bridge.ToolStatus{
		{Name: "notion-search", Description: "Search pages and databases in the workspace.", Enabled: true,
			InputSchema: json.RawMessage(`{"type":"object","properties":{"query":{"type":"string","description":"what to look for"},"limit":{"type":"integer","description":"at most this many results"},"filter":{"type":"string","enum":["page","database"]},"include_archived":{"type":"boolean"},"sort":{"type":"object"}},"required":["query"]}`)},
		{Name: "notion-fetch", Description: "Fetch a page as Notion-flavored Markdown.", Enabled: true,
			InputSchema: json.RawMessage(`{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}`)},
		{Name: "notion-create-pages", Description: "Create pages.", Enabled: false,
			InputSchema: json.RawMessage(`{"type":"object","properties":{"pages":{"type":"array"}},"required":["pages"]}`)},
		{Name: "render-chart", Description: "Render a chart as an image.", Enabled: true,
			InputSchema: json.RawMessage(`{"type":"object","properties":{}}`)},
	}
	home := "/home/ada"
	f.clients = []ClientStatus{
		{ID: "claude-desktop", Name: "Claude Desktop", File: home + "/.config/Claude/claude_desktop_config.json", Installed: true,
			State: ClientConnected, Connections: []string{"notion", "notion-hosted"}, Backup: "/tmp/b1"},
		{ID: "cursor", Name: "Cursor", File: home + "/.cursor/mcp.json", Installed: true, State: ClientNotConnected},
		{ID: "vscode", Name: "VS Code", File: home + "/.config/Code/User/mcp.json", Installed: true, State: ClientDrifted,
			Connections: []string{"notion"}, Drifted: []string{"notion"}, Backup: "/tmp/b2"},
		{ID: "windsurf", Name: "Windsurf", File: home + "/.codeium/windsurf/mcp_config.json", State: ClientNotInstalled},
	}
	return f
}

func apiErr(status int, code, msg string) error {
	return &bridge.APIError{Status: status, Code: code, Message: msg}
}

func (f *fakeBackend) check() error {
	if !f.running {
		return bridge.ErrNotRunning
	}
	return nil
}

func (f *fakeBackend) Start(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts++
	f.running = true
	return nil
}

func (f *fakeBackend) Status(context.Context) (*bridge.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return nil, err
	}
	st := &bridge.Status{Bridge: bridge.BridgeInfo{PID: 42, Version: "test"}}
	if n := len(f.evs); n > 0 {
		st.Bridge.LastEventID = f.evs[n-1].ID
	}
	for _, c := range f.conns {
		cp := *c
		for _, t := range f.tools[c.Name] {
			if !t.Enabled {
				cp.DisabledTools = append(cp.DisabledTools, t.Name)
			}
		}
		st.Connections = append(st.Connections, cp)
	}
	return st, nil
}

func (f *fakeBackend) Add(_ context.Context, req bridge.AddRequest) (*bridge.ConnectionStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return nil, err
	}
	if req.Name == "" || strings.ContainsAny(req.Name, " /") {
		return nil, apiErr(http.StatusBadRequest, bridge.CodeBadRequest, fmt.Sprintf("%q is not a valid connection name", req.Name))
	}
	if _, ok := f.conns[req.Name]; ok && !req.Replace {
		return nil, apiErr(http.StatusConflict, bridge.CodeExists, fmt.Sprintf("a connection named %q exists", req.Name))
	}
	if req.Kind == "notion" && !strings.HasPrefix(req.Secrets["token"], "ntn_") {
		return nil, apiErr(http.StatusBadRequest, bridge.CodeUpstream, "Notion refused the token: API token is invalid. Copy the integration's secret again.")
	}
	for k, v := range req.Secrets {
		f.secrets[req.Name+"/"+k] = v
	}
	c := &bridge.ConnectionStatus{Name: req.Name, Kind: req.Kind, State: bridge.StateStopped, Summary: string(req.Settings)}
	f.conns[req.Name] = c
	cp := *c
	return &cp, nil
}

func (f *fakeBackend) Remove(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return err
	}
	if _, ok := f.conns[name]; !ok {
		return apiErr(http.StatusNotFound, bridge.CodeNotFound, bridge.NotFoundMessage(name))
	}
	delete(f.conns, name)
	return nil
}

func (f *fakeBackend) SetSecret(_ context.Context, name, item, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return err
	}
	if _, ok := f.conns[name]; !ok {
		return apiErr(http.StatusNotFound, bridge.CodeNotFound, bridge.NotFoundMessage(name))
	}
	f.secrets[name+"/"+item] = value
	return nil
}

func (f *fakeBackend) Tools(_ context.Context, name string) ([]bridge.ToolStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return nil, err
	}
	if _, ok := f.conns[name]; !ok {
		return nil, apiErr(http.StatusNotFound, bridge.CodeNotFound, bridge.NotFoundMessage(name))
	}
	return append([]bridge.ToolStatus(nil), f.tools[name]...), nil
}

func (f *fakeBackend) SetToolEnabled(_ context.Context, name, tool string, enabled bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return err
	}
	for i, t := range f.tools[name] {
		if t.Name == tool {
			f.tools[name][i].Enabled = enabled
			return nil
		}
	}
	return apiErr(http.StatusNotFound, bridge.CodeNotFound, "no tool "+tool)
}

// samplePNG is a small image a tool returns.
var samplePNG = func() string {
	_, b := assets.Tray(assets.TrayConnected)
	return base64.StdEncoding.EncodeToString(b)
}()

func (f *fakeBackend) Call(_ context.Context, name string, req bridge.CallRequest) (*bridge.CallResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return nil, err
	}
	f.calls = append(f.calls, req)
	var args map[string]any
	_ = json.Unmarshal(req.Arguments, &args)
	var result any
	isErr := false
	switch req.Tool {
	case "notion-search":
		if args["query"] == "boom" {
			isErr = true
			result = map[string]any{"isError": true, "content": []any{map[string]any{"type": "text", "text": "Notion API error: rate limited, try again in 30 s"}}}
			break
		}
		body, _ := json.Marshal(map[string]any{"results": []any{map[string]any{"title": "Roadmap", "id": "abc123"}}, "query": args["query"]})
		result = map[string]any{"content": []any{map[string]any{"type": "text", "text": string(body)}}}
	case "render-chart":
		result = map[string]any{"content": []any{map[string]any{"type": "image", "data": samplePNG, "mimeType": "image/png"}}}
	default:
		return nil, apiErr(http.StatusNotFound, bridge.CodeNotFound, "no tool "+req.Tool)
	}
	raw, _ := json.Marshal(result)
	return &bridge.CallResult{Result: raw, IsError: isErr, LatencyMicros: 182_000}, nil
}

func (f *fakeBackend) Events(ctx context.Context, q bridge.EventsQuery, fn func(events.Event) error) error {
	f.mu.Lock()
	evs := append([]events.Event(nil), f.evs...)
	f.mu.Unlock()
	for _, e := range evs {
		if e.ID > q.Since {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *fakeBackend) Shutdown(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running = false
	return nil
}

func (f *fakeBackend) Clients(context.Context) ([]ClientStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return nil, err
	}
	return append([]ClientStatus(nil), f.clients...), nil
}

func (f *fakeBackend) connNames() []string {
	var names []string
	for n := range f.conns {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (f *fakeBackend) ChangeClient(_ context.Context, id string, ch ClientChange) (*ClientChangeResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return nil, err
	}
	for i := range f.clients {
		c := &f.clients[i]
		if c.ID != id {
			continue
		}
		if c.State == ClientNotInstalled {
			return nil, apiErr(http.StatusBadRequest, bridge.CodeBadRequest, c.Name+" is not installed")
		}
		res := &ClientChangeResult{Client: id, File: c.File, DryRun: ch.DryRun}
		var diff strings.Builder
		diff.WriteString("--- " + c.File + "\n+++ " + c.File + "\n@@ -1,3 +1,9 @@\n {\n   \"mcpServers\": {\n")
		var after []string
		var state string
		switch ch.Action {
		case ActionConnect, ActionRepair:
			after = f.connNames()
			for _, n := range after {
				fmt.Fprintf(&diff, "+    %q: {\n+      \"command\": \"/usr/bin/patchbay\",\n+      \"args\": [\"shim\", %q]\n+    },\n", n, n)
			}
			res.Changed = c.State != ClientConnected
			state = ClientConnected
		case ActionDisconnect, ActionRestore:
			for _, n := range c.Connections {
				fmt.Fprintf(&diff, "-    %q: {\n-      \"command\": \"/usr/bin/patchbay\",\n-      \"args\": [\"shim\", %q]\n-    },\n", n, n)
			}
			res.Changed = len(c.Connections) > 0
			state = ClientNotConnected
		default:
			return nil, apiErr(http.StatusBadRequest, bridge.CodeBadRequest, "unknown action "+ch.Action)
		}
		diff.WriteString("   }\n }\n")
		res.Diff, res.Connections = diff.String(), after
		if !ch.DryRun {
			c.State, c.Connections, c.Drifted = state, after, nil
			c.Backup = "/tmp/backup"
		}
		return res, nil
	}
	return nil, apiErr(http.StatusNotFound, bridge.CodeNotFound, "no client "+id)
}

func (f *fakeBackend) SetClientAutoRepair(_ context.Context, id string, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return err
	}
	for i := range f.clients {
		if f.clients[i].ID == id {
			f.clients[i].AutoRepair = on
			return nil
		}
	}
	return apiErr(http.StatusNotFound, bridge.CodeNotFound, "no client "+id)
}

func (f *fakeBackend) Authorize(ctx context.Context, name string, opts AuthorizeOptions, progress func(AuthorizeProgress)) error {
	progress(AuthorizeProgress{URL: "https://mcp.notion.com/authorize?client_id=x"})
	progress(AuthorizeProgress{Log: "discovered the authorization server"})
	progress(AuthorizeProgress{Log: "waiting for the browser…"})
	f.mu.Lock()
	wait := f.authWait
	f.mu.Unlock()
	if wait {
		<-ctx.Done()
		return ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.authErr != nil {
		return f.authErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c, ok := f.conns[name]
	if !ok {
		return apiErr(http.StatusNotFound, bridge.CodeNotFound, bridge.NotFoundMessage(name))
	}
	c.State, c.LastError = bridge.StateReady, ""
	f.authz = append(f.authz, name)
	return nil
}

func (f *fakeBackend) Logout(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return err
	}
	c, ok := f.conns[name]
	if !ok {
		return apiErr(http.StatusNotFound, bridge.CodeNotFound, bridge.NotFoundMessage(name))
	}
	c.State = bridge.StateNeedsAuth
	return nil
}

// newTestUI builds the GUI over be on a test app, with every backend call made inline so
// that each action has finished when it returns, and loads the first status.
func newTestUI(t *testing.T, be Backend, tray *fakeTray) *ui {
	t.Helper()
	a := test.NewTempApp(t)
	u := &ui{app: a}
	u.ctl = newController(a, be)
	u.ctl.async = func(f func()) { f() }
	u.ctl.ui = func(f func()) { f() }
	u.ctl.now = func() time.Time { return sampleNow }
	u.main = newMainScreen(u)
	u.inspector = newInspector(u)
	if tray != nil {
		u.tray = newTrayMenu(u)
		u.tray.install(tray, u.main.window)
	}
	u.ctl.refresh()
	t.Cleanup(func() {
		u.main.window.Close()
		u.inspector.window.Close()
	})
	return u
}
