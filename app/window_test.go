package app

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
)

func TestMainWindowListsConnections(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	s := u.main
	if got := s.window.Title(); got != "Patchbay" {
		t.Errorf("window title %q, want Patchbay (the e2e test and screenshots find the window by it)", got)
	}
	if s.offline.Visible() {
		t.Error("the offline banner shows while the bridge answers")
	}
	if got := s.conns.status.Text; got != "2 connections, 1 needs attention" {
		t.Errorf("headline %q", got)
	}
	n := s.conns.rows["notion"]
	if n == nil {
		t.Fatal("no row for notion")
	}
	if n.state.Text != "● Connected" || n.state.Importance != widget.SuccessImportance {
		t.Errorf("notion state %q (%v)", n.state.Text, n.state.Importance)
	}
	if want := "2 sessions: claude-ai, cursor · up 2h 3m · 1 restart · 1 tool disabled"; n.sessions.Text != want {
		t.Errorf("notion sessions %q, want %q", n.sessions.Text, want)
	}
	if n.reconnect.Visible() || !n.setToken.Visible() {
		t.Error("a token connection offers Set token, not Reconnect")
	}
}

func TestNeedsReconnectIsShownAndReconnects(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	h := u.main.conns.rows["notion-hosted"]
	if h.state.Text != "▲ Needs reconnecting" || h.state.Importance != widget.WarningImportance {
		t.Errorf("state %q (%v), want needs reconnecting in warning colour", h.state.Text, h.state.Importance)
	}
	if !h.lastError.Visible() || !strings.Contains(h.lastError.Text, "revoked") {
		t.Errorf("last error %q not shown", h.lastError.Text)
	}
	if !h.reconnect.Visible() || h.reconnect.Importance != widget.HighImportance {
		t.Error("Reconnect must be the prominent action of a connection that needs it")
	}
	test.Tap(h.reconnect)
	a := u.main.lastAuth
	if a == nil {
		t.Fatal("Reconnect showed no sign-in progress")
	}
	if a.link.URL == nil || a.link.URL.Host != "mcp.notion.com" || !strings.Contains(a.steps.Text, "waiting for the browser") {
		t.Errorf("progress shows link %v, steps %q", a.link.URL, a.steps.Text)
	}
	if !strings.HasPrefix(a.result.Text, "Connected.") {
		t.Errorf("result %q", a.result.Text)
	}
	if got := u.main.conns.rows["notion-hosted"].state.Text; got != "● Connected" {
		t.Errorf("after signing in the row says %q", got)
	}
}

func TestAddNotionTokenGoesToTheBridgeAndIsCleared(t *testing.T) {
	be := newFakeBackend()
	delete(be.conns, "notion")
	u := newTestUI(t, be, nil)
	s := u.main
	test.Tap(s.conns.addToken)
	f := s.lastToken
	if f == nil {
		t.Fatal("no token dialog")
	}
	if f.name.Text != "notion" {
		t.Errorf("suggested name %q, want notion", f.name.Text)
	}
	// A bad token: the bridge's reason shows in the dialog, nothing is added, nothing typed is lost.
	test.Type(f.token, "secret_old")
	test.Tap(f.primary)
	if !f.errText.Visible() || !strings.Contains(f.errText.Text, "Notion refused the token") {
		t.Errorf("error %q (visible %v)", f.errText.Text, f.errText.Visible())
	}
	if _, ok := be.conns["notion"]; ok || f.token.Text != "secret_old" {
		t.Fatal("a refused token added a connection or cleared the entry")
	}
	f.token.SetText("")
	test.Type(f.token, "ntn_abc123")
	test.Tap(f.primary)
	if be.secrets["notion/token"] != "ntn_abc123" || be.conns["notion"].Kind != "notion" {
		t.Fatalf("bridge got %v / %+v", be.secrets, be.conns["notion"])
	}
	if f.token.Text != "" {
		t.Error("the token stays in the entry after it was stored")
	}
	if s.conns.rows["notion"] == nil {
		t.Error("the new connection is not listed")
	}
}

func TestAddServerLocalCommandWithSecret(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	test.Tap(u.main.conns.addServer)
	f := u.main.lastServer
	f.tabs.SelectIndex(1)
	test.Type(f.name, "notion-npx")
	test.Type(f.command, `npx -y "@notionhq/notion-mcp-server"`)
	test.Type(f.secretVar, "NOTION_TOKEN")
	test.Tap(f.primary)
	if !f.errText.Visible() || !strings.Contains(f.errText.Text, "value of NOTION_TOKEN") {
		t.Fatalf("a secret variable without a value: error %q", f.errText.Text)
	}
	test.Type(f.secretValue, "ntn_x")
	test.Tap(f.primary)
	c := be.conns["notion-npx"]
	if c == nil || c.Kind != "stdio" || c.Summary != `{"command":"npx","args":["-y","@notionhq/notion-mcp-server"],"secret_env":["NOTION_TOKEN"]}` {
		t.Fatalf("added %+v", c)
	}
	if be.secrets["notion-npx/env/NOTION_TOKEN"] != "ntn_x" {
		t.Error("the secret did not go to the bridge (keychain)")
	}
	if strings.Contains(c.Summary, "ntn_x") {
		t.Error("the secret is in the connection's settings")
	}
}

func TestAddServerRemoteOAuthSignsIn(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	test.Tap(u.main.conns.addServer)
	f := u.main.lastServer
	test.Type(f.name, "linear")
	test.Type(f.url, "not a url")
	test.Tap(f.primary)
	if !strings.Contains(f.errText.Text, "is not a server URL") {
		t.Errorf("error %q", f.errText.Text)
	}
	f.url.SetText("https://mcp.linear.app/mcp")
	f.auth.SetSelected(authOAuth)
	test.Tap(f.primary)
	if c := be.conns["linear"]; c == nil || c.Summary != `{"auth":"oauth","url":"https://mcp.linear.app/mcp"}` {
		t.Fatalf("added %+v", be.conns["linear"])
	}
	if len(be.authz) != 1 || be.authz[0] != "linear" {
		t.Errorf("authorised %v, want linear right after adding it", be.authz)
	}
}

func TestRemoveAndSnippet(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	test.Tap(u.main.conns.rows["notion"].snippet)
	sn := u.main.lastSnippet
	if sn == nil || !strings.Contains(sn.text, `"shim"`) || !strings.Contains(sn.text, `"notion"`) || strings.Contains(sn.text, "ntn_") {
		t.Fatalf("snippet %+v", sn)
	}
	test.Tap(sn.copy)
	if got := u.app.Clipboard().Content(); got != sn.text {
		t.Errorf("clipboard %q", got)
	}
}

func TestClientsTabPreviewsTheDiffBeforeWriting(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	cv := u.main.clients
	if len(cv.rows) != 4 {
		t.Fatalf("%d client rows, want every known client (4)", len(cv.rows))
	}
	ws := cv.rows["windsurf|"]
	if ws.state.Text != "Not installed" || ws.connect.Visible() {
		t.Error("a client that is not installed is listed without actions")
	}
	vs := cv.rows["vscode|"]
	if !strings.HasPrefix(vs.state.Text, "▲ Drifted") || !vs.repair.Visible() {
		t.Errorf("VS Code: %q, repair visible %v", vs.state.Text, vs.repair.Visible())
	}
	cur := cv.rows["cursor|"]
	test.Tap(cur.connect)
	d := u.main.lastDiff
	if d == nil {
		t.Fatal("Connect wrote without a preview")
	}
	if be.clients[1].State != ClientNotConnected {
		t.Fatal("the preview (a dry run) changed the client")
	}
	if !strings.Contains(d.grid.Text(), `+    "notion": {`) {
		t.Errorf("diff:\n%s", d.grid.Text())
	}
	test.Tap(d.apply)
	if be.clients[1].State != ClientConnected {
		t.Error("Connect in the preview did not write")
	}
	if got := cv.rows["cursor|"].state.Text; got != "● Connected (2 connections)" {
		t.Errorf("Cursor row %q after connecting", got)
	}
}

func TestBridgeUnreachableOffersToStartIt(t *testing.T) {
	be := newFakeBackend()
	be.running = false
	u := newTestUI(t, be, nil)
	s := u.main
	if !s.offline.Visible() || s.conns.status.Text != "Bridge not running" {
		t.Fatal("the window does not say the bridge is not running")
	}
	if !s.conns.addToken.Disabled() {
		t.Error("adding is possible while the bridge is down")
	}
	test.Tap(s.startBridge)
	if be.starts != 1 || s.offline.Visible() || s.conns.rows["notion"] == nil {
		t.Errorf("after Start: %d starts, banner %v", be.starts, s.offline.Visible())
	}
	// The bridge goes away between refreshes: an action says what to do.
	be.Shutdown(t.Context())
	test.Tap(s.conns.rows["notion"].snippet) // works without the bridge
	test.Tap(s.clients.rows["cursor|"].connect)
	if !strings.Contains(s.lastError, "Start the bridge") {
		t.Errorf("error for a stopped bridge says %q", s.lastError)
	}
	if !s.offline.Visible() {
		t.Error("the banner is not back after the bridge went away")
	}
}

func TestEditServerReplacesTheConnection(t *testing.T) {
	be := newFakeBackend()
	be.conns["local"] = &bridge.ConnectionStatus{Name: "local", Kind: "stdio", State: bridge.StateStopped, Summary: "npx -y old-server"}
	u := newTestUI(t, be, nil)
	r := u.main.conns.rows["local"]
	if !r.edit.Visible() || u.main.conns.rows["notion"].edit.Visible() {
		t.Fatal("Edit is for stdio and remote connections")
	}
	test.Tap(r.edit)
	f := u.main.lastServer
	if f.name.Text != "local" || !f.name.Disabled() || f.command.Text != "npx -y old-server" {
		t.Fatalf("edit form: name %q, command %q", f.name.Text, f.command.Text)
	}
	f.command.SetText("npx -y new-server --verbose")
	test.Tap(f.primary)
	if got := be.conns["local"].Summary; got != `{"command":"npx","args":["-y","new-server","--verbose"]}` {
		t.Errorf("after Save the connection runs %s", got)
	}
}

func TestNotifiesWhenAConnectionNeedsReconnecting(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	be.mu.Lock()
	be.conns["notion"].State = bridge.StateNeedsAuth
	be.mu.Unlock()
	test.AssertNotificationSent(t, fyne.NewNotification("notion needs you to sign in again",
		"Open Patchbay and click Reconnect; until then your AI clients cannot use it."), u.ctl.refresh)
}

func TestNotifiesWhenAClientConfigDrifted(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	test.AssertNotificationSent(t, fyne.NewNotification("cursor's config was changed",
		"Patchbay's entries in it were removed or edited. Open Patchbay → Clients and click Repair."), func() {
		u.ctl.receive(events.Event{ID: 7, Kind: events.KindClient, Client: "cursor", Message: "drifted"})
	})
}

func TestClientAutoRepairSwitch(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	r := u.main.clients.rows["claude-desktop|"]
	if !r.autoRepair.Visible() || r.autoRepair.Checked {
		t.Fatal("a connected client offers automatic repair, off by default")
	}
	if u.main.clients.rows["cursor|"].autoRepair.Visible() {
		t.Error("automatic repair offered for a client that is not connected")
	}
	test.Tap(r.autoRepair)
	if !be.clients[0].AutoRepair {
		t.Error("ticking the box did not turn automatic repair on in the bridge")
	}
	if !u.main.clients.rows["claude-desktop|"].autoRepair.Checked {
		t.Error("the redrawn row does not show automatic repair on")
	}
}

func TestSignInCancelStoresNothing(t *testing.T) {
	be := newFakeBackend()
	be.authWait = true
	u := newTestUI(t, be, nil)
	var mu sync.Mutex           // serialises the sign-in goroutine's UI updates with the test's reads
	done := make(chan struct{}) // closed when the first async job (the sign-in) ends
	var once sync.Once
	var jobs sync.WaitGroup
	t.Cleanup(jobs.Wait) // before the windows close: the refresh after the sign-in draws
	u.ctl.async = func(f func()) {
		jobs.Go(func() { f(); once.Do(func() { close(done) }) })
	}
	u.ctl.ui = func(f func()) { mu.Lock(); defer mu.Unlock(); f() }
	mu.Lock()
	u.main.showAuthorize("notion-hosted", true)
	v := u.main.lastAuth
	mu.Unlock()
	// The steps arrive while the bridge waits for the browser.
	for i := 0; ; i++ {
		mu.Lock()
		steps := v.steps.Text
		mu.Unlock()
		if strings.Contains(steps, "waiting for the browser") {
			break
		}
		if i == 500 {
			t.Fatalf("no progress shown: %q", steps)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	test.Tap(v.cancel)
	mu.Unlock()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Cancel did not end the sign-in")
	}
	mu.Lock()
	defer mu.Unlock()
	if v.result.Text != "Cancelled: nothing was stored." {
		t.Errorf("after Cancel: %q", v.result.Text)
	}
	if len(be.authz) != 0 || be.conns["notion-hosted"].State != bridge.StateNeedsAuth {
		t.Error("a cancelled sign-in changed the connection")
	}
}

func TestBeforeTheFirstAnswerTheWindowSaysItIsConnecting(t *testing.T) {
	a := test.NewTempApp(t)
	u := &ui{app: a}
	u.ctl = newController(a, newFakeBackend())
	u.main = newMainScreen(u)
	defer u.main.window.Close()
	if u.main.offline.Visible() || u.main.conns.status.Text != "Connecting to the bridge…" {
		t.Errorf("before any answer: banner %v, headline %q", u.main.offline.Visible(), u.main.conns.status.Text)
	}
}
