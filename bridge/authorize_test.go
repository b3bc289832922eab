package bridge_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/remote"
	"github.com/patchbay-mcp/patchbay/connectors/remote/remotetest"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// addOAuthRemote adds remote OAuth connection name pointing at a fake server, with its own
// free callback port.
func (h *harness) addOAuthRemote(name string) *remotetest.Server {
	h.t.Helper()
	fake := remotetest.New(remotetest.Options{})
	h.t.Cleanup(fake.Close)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	raw, _ := json.Marshal(remote.Settings{URL: fake.MCPURL, Auth: remote.AuthOAuth, CallbackPort: port})
	if _, err := h.c.Add(ctxT(h.t, 5*time.Second), bridge.AddRequest{Name: name, Kind: state.KindRemote, Settings: raw}); err != nil {
		h.t.Fatal(err)
	}
	return fake
}

func (h *harness) keysOf(name string) []string {
	var out []string
	for _, k := range h.kc.Keys() {
		if strings.HasPrefix(k, name+"/") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// authorizeAsync runs Authorize in the background; urls gets the authorization URL.
func (h *harness) authorizeAsync(ctx context.Context, name string, opts bridge.AuthorizeOptions) (urls <-chan string, logs func() []string, done <-chan error) {
	u := make(chan string, 1)
	d := make(chan error, 1)
	var lines []string
	got := make(chan struct{})
	go func() {
		err := h.c.Authorize(ctx, name, opts, func(p bridge.AuthorizeProgress) {
			if p.URL != "" {
				u <- p.URL
			}
			if p.Log != "" {
				lines = append(lines, p.Log)
			}
		})
		close(got)
		d <- err
	}()
	return u, func() []string { <-got; return lines }, d
}

func waitURL(t *testing.T, urls <-chan string, done <-chan error) string {
	t.Helper()
	select {
	case u := <-urls:
		return u
	case err := <-done:
		t.Fatalf("the login ended before giving a URL: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("no authorization URL within 20s")
	}
	return ""
}

func waitDone(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the login did not end within 30s")
	}
	return nil
}

// TestAuthorizeThroughTheBridge logs in with the test browser through the bridge's stream,
// uses the connection, logs out (revoked, keychain empty), then logs in again and removes
// the connection (revoked again, keychain empty).
func TestAuthorizeThroughTheBridge(t *testing.T) {
	h := newHarness(t)
	fake := h.addOAuthRemote("work")
	ctx := ctxT(t, 60*time.Second)
	browser := &remotetest.Browser{}

	// Used before any login: the connection needs authorising.
	if _, err := h.c.Tools(ctx, "work"); err == nil {
		t.Fatal("tools/list worked with no login")
	}
	if st := connState(t, h, "work"); st != bridge.StateNeedsAuth {
		t.Fatalf("state before login = %q, want %q", st, bridge.StateNeedsAuth)
	}

	urls, logs, done := h.authorizeAsync(ctx, "work", bridge.AuthorizeOptions{})
	u := waitURL(t, urls, done)
	if !strings.HasPrefix(u, fake.URL+"/authorize?") {
		t.Fatalf("authorization URL %q", u)
	}
	if err := browser.Open(u); err != nil {
		t.Fatal(err)
	}
	if err := waitDone(t, done); err != nil {
		t.Fatalf("authorize: %v", err)
	}
	if l := strings.Join(logs(), "\n"); !strings.Contains(l, "registration") {
		t.Errorf("no registration step in the progress:\n%s", l)
	}
	if k := h.keysOf("work"); len(k) != 2 {
		t.Fatalf("keychain after login: %v", k)
	}
	if st := connState(t, h, "work"); st == bridge.StateNeedsAuth {
		t.Fatalf("still %q after the login", st)
	}
	tools, err := h.c.Tools(ctx, "work")
	if err != nil || len(tools) == 0 {
		t.Fatalf("tools after login: %v, %v", tools, err)
	}
	for _, s := range fake.Secrets() {
		evs, _ := h.b.Events().Since(0)
		b, _ := json.Marshal(evs)
		if strings.Contains(string(b), s) {
			t.Errorf("a secret (%.6s…) is in the event log", s)
		}
	}

	if err := h.c.Logout(ctx, "work"); err != nil {
		t.Fatal(err)
	}
	if k := h.keysOf("work"); len(k) != 0 || fake.Counts().Revocations != 1 {
		t.Fatalf("after logout: keys %v, revocations %d", k, fake.Counts().Revocations)
	}

	// Log in again (a fresh registration), then remove: revoked and nothing left.
	urls, _, done = h.authorizeAsync(ctx, "work", bridge.AuthorizeOptions{Fresh: true})
	if err := browser.Open(waitURL(t, urls, done)); err != nil {
		t.Fatal(err)
	}
	if err := waitDone(t, done); err != nil {
		t.Fatalf("second authorize: %v", err)
	}
	if n := fake.Counts().Registrations; n != 2 {
		t.Errorf("registrations = %d, want 2 (fresh)", n)
	}
	if err := h.c.Remove(ctx, "work"); err != nil {
		t.Fatal(err)
	}
	if k := h.keysOf("work"); len(k) != 0 || fake.Counts().Revocations != 2 {
		t.Fatalf("after remove: keys %v, revocations %d", k, fake.Counts().Revocations)
	}
}

// TestAuthorizeCancelAndBusy: a second login of the same connection is refused with 409
// while one runs; cancelling the first (the client goes away) stores nothing, frees the
// connection for a new login, and the callback port with it.
func TestAuthorizeCancelAndBusy(t *testing.T) {
	h := newHarness(t)
	h.addOAuthRemote("work")
	cctx, cancel := context.WithCancel(ctxT(t, 60*time.Second))
	urls, _, done := h.authorizeAsync(cctx, "work", bridge.AuthorizeOptions{})
	u := waitURL(t, urls, done)

	err := h.c.Authorize(ctxT(t, 10*time.Second), "work", bridge.AuthorizeOptions{}, nil)
	if !bridge.IsBusy(err) || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second concurrent authorize: %v", err)
	}

	since := h.b.Events().LastID()
	cancel()
	if err := waitDone(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled authorize returned %v", err)
	}
	// The bridge sees the request go away and ends the login.
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	errEnded := errors.New("ended")
	err = h.c.Events(wctx, bridge.EventsQuery{Since: since, Follow: true, Filter: events.Filter{Connection: "work", Kind: events.KindLog}}, func(e events.Event) error {
		if strings.Contains(e.Message, "cancelled: nothing was stored") {
			return errEnded
		}
		return nil
	})
	if !errors.Is(err, errEnded) {
		t.Fatalf("the bridge did not report the cancelled login: %v", err)
	}
	// The browser comes back after the cancel: nothing is listening, nothing is stored.
	if err := (&remotetest.Browser{}).Open(u); err == nil {
		t.Errorf("the callback still answered after the login was cancelled")
	}
	if k := h.keysOf("work"); len(k) != 0 {
		t.Fatalf("stored after a cancelled login: %v", k)
	}

	// A new login is free to start and succeeds.
	ctx := ctxT(t, 60*time.Second)
	urls, _, done = h.authorizeAsync(ctx, "work", bridge.AuthorizeOptions{})
	if err := (&remotetest.Browser{}).Open(waitURL(t, urls, done)); err != nil {
		t.Fatal(err)
	}
	if err := waitDone(t, done); err != nil {
		t.Fatal(err)
	}
	if k := h.keysOf("work"); len(k) != 2 {
		t.Fatalf("keychain after the login that followed the cancel: %v", k)
	}
}

func TestAuthorizeErrors(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t, 30*time.Second)
	if err := h.c.Authorize(ctx, "nope", bridge.AuthorizeOptions{}, nil); !bridge.IsNotFound(err) {
		t.Errorf("unknown connection: %v", err)
	}
	h.addStdio("local", bridge.StdioSettings{Command: "true"}, nil)
	if err := h.c.Authorize(ctx, "local", bridge.AuthorizeOptions{}, nil); err == nil || !strings.Contains(err.Error(), "only remote connections") {
		t.Errorf("stdio connection: %v", err)
	}
	if err := h.c.Logout(ctx, "local"); err == nil || !strings.Contains(err.Error(), "only remote connections") {
		t.Errorf("logout of a stdio connection: %v", err)
	}
	h.addOAuthRemote("work")
	browser := &remotetest.Browser{Deny: true}
	urls, _, done := h.authorizeAsync(ctx, "work", bridge.AuthorizeOptions{})
	browser.Open(waitURL(t, urls, done))
	err := waitDone(t, done)
	if err == nil || !strings.Contains(err.Error(), "denied") {
		t.Fatalf("denied login: %v", err)
	}
	if k := h.keysOf("work"); len(k) != 0 {
		t.Errorf("stored after a denied login: %v", k)
	}
}

func connState(t *testing.T, h *harness, name string) string {
	t.Helper()
	st, err := h.c.Status(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Connections {
		if c.Name == name {
			return c.State
		}
	}
	t.Fatalf("no connection %q", name)
	return ""
}

// TestAuthorizeBridgeOpensTheBrowser: with OpenBrowser the bridge opens the authorization
// URL itself (here with the test browser), and the client only follows the stream.
func TestAuthorizeBridgeOpensTheBrowser(t *testing.T) {
	l := isolate(t)
	kc := &keychain.Memory{}
	store, err := state.Open(l.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	browser := &remotetest.Browser{}
	b, err := bridge.New(bridge.Options{Store: store, Keychain: kc, Socket: l.SocketPath(), OpenBrowser: browser.Open})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := bridge.Listen(l.SocketPath())
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() { b.Serve(ln); close(served) }()
	c := bridge.NewClient(l.SocketPath())
	t.Cleanup(func() { c.CloseIdleConnections(); b.Close(); <-served; ln.Close() })
	h := &harness{t: t, layout: l, kc: kc, store: store, b: b, c: c, ln: ln}
	h.addOAuthRemote("work")

	var urls []string
	err = c.Authorize(ctxT(t, 30*time.Second), "work", bridge.AuthorizeOptions{OpenBrowser: true}, func(p bridge.AuthorizeProgress) {
		if p.URL != "" {
			urls = append(urls, p.URL)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(urls) != 1 || len(browser.Opened()) != 1 || browser.Opened()[0] != urls[0] {
		t.Fatalf("URL streamed %v, opened by the bridge %v", urls, browser.Opened())
	}
	if k := h.keysOf("work"); len(k) != 2 {
		t.Fatalf("keychain after login: %v", k)
	}
}
