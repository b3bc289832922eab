package remote

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/remote/oauth"
	"github.com/patchbay-mcp/patchbay/connectors/remote/remotetest"
)

type sink struct {
	mu         sync.Mutex // guards lines, needs, authorized
	lines      []string
	needs      []string
	authorized int
}

func (s *sink) hooks() connectors.Hooks {
	return connectors.Hooks{
		Log: func(level, msg string) {
			s.mu.Lock()
			s.lines = append(s.lines, level+" "+msg)
			s.mu.Unlock()
		},
		NeedsAuth: func(reason string) {
			s.mu.Lock()
			s.needs = append(s.needs, reason)
			s.mu.Unlock()
		},
		Authorized: func() {
			s.mu.Lock()
			s.authorized++
			s.mu.Unlock()
		},
	}
}

func (s *sink) authorizedCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authorized
}

func (s *sink) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(append(slices.Clone(s.lines), s.needs...), "\n")
}

func (s *sink) needsAuth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.needs)
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// tempHome points HOME and PATCHBAY_HOME at a fresh folder, so that nothing touches the real
// home, and returns it for the secret scan.
func tempHome(t testing.TB) string {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("PATCHBAY_HOME", filepath.Join(home, "patchbay"))
	return home
}

// scanForSecrets fails if any secret appears in any file under dir or in texts.
func scanForSecrets(t *testing.T, dir string, secrets []string, texts ...string) {
	t.Helper()
	if len(secrets) == 0 {
		t.Fatal("no secrets to scan for: the scan would prove nothing")
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		texts = append(texts, string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		for _, txt := range texts {
			if strings.Contains(txt, s) {
				t.Errorf("a secret (%.6s…) leaked", s)
			}
		}
	}
}

func connect(t *testing.T, c *Connector) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	tr, err := c.Transport(ctx)
	if err != nil {
		t.Fatalf("Transport: %v", err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, nil).Connect(ctx, tr, nil)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func call(ctx context.Context, cs *mcp.ClientSession, tool string, args map[string]any) (string, error) {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		return "", err
	}
	if len(res.Content) == 0 {
		return "", errors.New("empty tool result")
	}
	text := res.Content[0].(*mcp.TextContent).Text
	if res.IsError {
		return "", errors.New("tool error: " + text)
	}
	return text, nil
}

type oauthEnv struct {
	home     string
	fake     *remotetest.Server
	clock    *remotetest.Clock
	store    *keychain.Memory
	sink     *sink
	settings Settings
	browser  *remotetest.Browser
	errs     []string // error texts seen, for the secret scan
}

func newOAuthEnv(t testing.TB) *oauthEnv {
	e := &oauthEnv{home: tempHome(t), clock: remotetest.NewClock(),
		store: &keychain.Memory{}, sink: &sink{}, browser: &remotetest.Browser{}}
	e.fake = remotetest.New(remotetest.Options{Now: e.clock.Now})
	t.Cleanup(e.fake.Close)
	e.settings = Settings{URL: e.fake.MCPURL, Auth: AuthOAuth, Label: "Notion", CallbackPort: freePort(t)}
	return e
}

func (e *oauthEnv) connector(t *testing.T) *Connector {
	c, err := New(Config{Name: "notion", Settings: e.settings, Store: e.store, Hooks: e.sink.hooks(), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (e *oauthEnv) login(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := Authorize(ctx, "notion", e.settings, e.store, e.browser.Open, e.sink.hooks(), false); err != nil {
		t.Fatalf("Authorize: %v", err)
	}
}

// TestOAuthConnectorEndToEnd walks the life of a Notion-like connection: login, tools, a
// call, a bridge restart, token expiry under load, a lost upstream session, a revoked grant
// and a reconnect, then scans everything for leaked secrets.
func TestOAuthConnectorEndToEnd(t *testing.T) {
	e := newOAuthEnv(t)
	ctx := t.Context()

	// Before any login: Transport fails fast and says what to do.
	if _, err := e.connector(t).Transport(ctx); !oauth.IsNeedsReconnect(err) || !strings.Contains(err.Error(), "patchbay connect notion") {
		t.Fatalf("Transport before login = %v, want needs connect", err)
	}
	if n := e.sink.needsAuth(); n != 1 {
		t.Fatalf("NeedsAuth fired %d times before the first login, want 1", n)
	}

	e.login(t)
	cs := connect(t, e.connector(t))
	var names []string
	for tool, err := range cs.Tools(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"echo", "whoami"}) {
		t.Fatalf("tools = %v", names)
	}
	if who, err := call(ctx, cs, "whoami", nil); err != nil || who != remotetest.User {
		t.Fatalf("whoami = %q, %v", who, err)
	}

	// Restart the bridge: a new connector on the same keychain works without a login.
	c2 := e.connector(t)
	cs2 := connect(t, c2)
	if got, err := call(ctx, cs2, "echo", map[string]any{"text": "after restart"}); err != nil || got != "after restart" {
		t.Fatalf("echo after restart = %q, %v", got, err)
	}
	if n := e.fake.Counts(); n.Registrations != 1 || n.CodeGrants != 1 || len(e.browser.Opened()) != 1 {
		t.Fatalf("restart needed a new login: %+v, browser opened %d times", n, len(e.browser.Opened()))
	}

	// Expiry, two ways, each under 50 concurrent calls: exactly one refresh, no invalid_grant.
	for round, expire := range []func(){
		func() { e.clock.Add(time.Hour) },      // our clock says it expired
		func() { e.fake.ExpireAccessTokens() }, // only the server knows (401)
	} {
		expire()
		before := e.fake.Counts().Refreshes
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for i := range 50 {
			wg.Go(func() {
				if _, err := call(ctx, cs2, "echo", map[string]any{"text": "x"}); err != nil {
					errs <- err
				}
				_ = i
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("round %d: call during refresh: %v", round, err)
		}
		n := e.fake.Counts()
		if n.Refreshes-before != 1 || n.InvalidGrants != 0 {
			t.Fatalf("round %d: %d refreshes and %d invalid_grant for 50 concurrent calls; want 1 and 0", round, n.Refreshes-before, n.InvalidGrants)
		}
	}

	// The upstream forgets its sessions (a restart): the client's session carries on.
	e.fake.DropSessions()
	if got, err := call(ctx, cs2, "echo", map[string]any{"text": "still here"}); err != nil || got != "still here" {
		t.Fatalf("echo after the upstream dropped its sessions = %q, %v", got, err)
	}
	if !strings.Contains(e.sink.text(), "opened a new one") {
		t.Errorf("no log line about the re-established session:\n%s", e.sink.text())
	}

	// The network drops every connection. Requests without side effects are retried on a
	// new connection; a tool call caught on a dead one may fail (it is never sent twice),
	// but the session carries on.
	e.fake.DropConnections()
	if _, err := cs2.ListTools(ctx, nil); err != nil {
		t.Fatalf("tools/list after the connections dropped: %v", err)
	}
	var got string
	var err error
	for range 3 {
		if got, err = call(ctx, cs2, "echo", map[string]any{"text": "reconnected"}); err == nil {
			break
		}
	}
	if err != nil || got != "reconnected" {
		t.Fatalf("echo after the connections dropped = %q, %v", got, err)
	}

	// The user revokes the grant: calls fail fast with a reconnect message; no browser.
	e.fake.RevokeAll()
	e.clock.Add(2 * time.Hour)
	for range 5 {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := call(cctx, cs2, "echo", map[string]any{"text": "x"})
		cancel()
		if err == nil || !strings.HasPrefix(err.Error(), "tool error: ") || !strings.Contains(err.Error(), "reconnect Notion in Patchbay") {
			t.Fatalf("call after revocation = %v, want a tool error saying to reconnect Notion in Patchbay", err)
		}
		e.errs = append(e.errs, err.Error())
	}
	if _, err := c2.Transport(ctx); !oauth.IsNeedsReconnect(err) {
		t.Fatalf("Transport after revocation = %v, want needs reconnect", err)
	}
	if n := e.sink.needsAuth(); n != 2 {
		t.Errorf("NeedsAuth fired %d times in all, want 2 (never connected, then revoked)", n)
	}
	if n := e.fake.Counts().Authorizes; n != 1 || len(e.browser.Opened()) != 1 {
		t.Fatalf("a browser was opened without the user asking (%d authorizes)", n)
	}

	// Other requests get a JSON-RPC error with the same message; the session stays up.
	if _, err := cs2.ListTools(ctx, nil); err == nil || !strings.Contains(err.Error(), "reconnect Notion in Patchbay") {
		t.Fatalf("tools/list after revocation = %v, want an error saying to reconnect", err)
	}

	// Reconnect: the same client session works again.
	e.login(t)
	c2.Reload()
	if got, err := call(ctx, cs2, "echo", map[string]any{"text": "back"}); err != nil || got != "back" {
		t.Fatalf("echo after reconnect = %q, %v", got, err)
	}
	if n := e.sink.authorizedCount(); n != 1 {
		t.Errorf("Authorized fired %d times after the reconnect, want 1", n)
	}

	// Logout revokes and forgets.
	if err := Logout(ctx, "notion", e.settings, e.store, e.sink.hooks()); err != nil {
		t.Fatal(err)
	}
	if k := e.store.Keys(); len(k) != 0 {
		t.Errorf("keychain items left after logout: %v", k)
	}

	scanForSecrets(t, e.home, e.fake.Secrets(), append(e.errs, e.sink.text())...)
}

func TestSSEFallbackWithHeaderAuth(t *testing.T) {
	home := tempHome(t)
	srv := remotetest.NewSSEServer("X-Api-Key", "sk-test-8f3a9c")
	defer srv.Close()
	store := &keychain.Memory{}
	if err := SetHeaderSecret(t.Context(), store, "legacy", "sk-test-8f3a9c"); err != nil {
		t.Fatal(err)
	}
	s := &sink{}
	c, err := New(Config{Name: "legacy", Settings: Settings{URL: srv.URL, Auth: AuthHeader, Header: "x-api-key"}, Store: store, Hooks: s.hooks()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// Connect with a short-lived context: the SSE stream must outlive it.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	tr, err := c.Transport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(ctx, tr, nil)
	cancel()
	if err != nil {
		t.Fatalf("Connect over the SSE fallback: %v", err)
	}
	defer cs.Close()
	if c.mode != TransportSSE {
		t.Fatalf("mode = %q, want sse", c.mode)
	}
	for i := range 3 {
		got, err := call(t.Context(), cs, "echo", map[string]any{"text": "sse"})
		if err != nil || got != "sse" {
			t.Fatalf("call %d over SSE = %q, %v", i, got, err)
		}
	}
	if srv.Requests() == 0 {
		t.Fatal("the SSE server saw no authorised request")
	}
	scanForSecrets(t, home, []string{"sk-test-8f3a9c"}, s.text())
}

func TestHeaderSecretMissing(t *testing.T) {
	tempHome(t)
	srv := remotetest.NewSSEServer("Authorization", "Bearer tok")
	defer srv.Close()
	s := &sink{}
	c, err := New(Config{Name: "legacy", Settings: Settings{URL: srv.URL, Auth: AuthHeader, Transport: TransportSSE}, Store: &keychain.Memory{}, Hooks: s.hooks()})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := c.Transport(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	_, err = mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(t.Context(), tr, nil)
	if err == nil || !strings.Contains(err.Error(), "--secret") {
		t.Fatalf("Connect without the header secret = %v, want an error naming the fix", err)
	}
	if s.needsAuth() != 1 {
		t.Errorf("NeedsAuth fired %d times, want 1", s.needsAuth())
	}
}

func TestBareTokenGetsBearerScheme(t *testing.T) {
	tempHome(t)
	srv := remotetest.NewSSEServer("Authorization", "Bearer ntn_abc")
	defer srv.Close()
	store := &keychain.Memory{}
	if err := SetHeaderSecret(t.Context(), store, "n", "ntn_abc"); err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{Name: "n", Settings: Settings{URL: srv.URL, Auth: AuthHeader}, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := c.Transport(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(t.Context(), tr, nil)
	if err != nil {
		t.Fatalf("Connect with a bare token for Authorization: %v", err)
	}
	cs.Close()
}

func TestSettingsValidate(t *testing.T) {
	bad := []Settings{
		{URL: "ftp://x/mcp"},
		{URL: "http://example.com/mcp"},
		{URL: "https://example.com/mcp", Auth: "basic"},
		{URL: "https://example.com/mcp", Auth: AuthHeader, Header: "bad header"},
		{URL: "https://example.com/mcp", Transport: "websocket"},
		{URL: "https://example.com/mcp", CallbackPort: 70000},
	}
	for _, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", s)
		}
	}
	good := []Settings{
		{URL: "https://mcp.notion.com/mcp", Auth: AuthOAuth},
		{URL: "http://127.0.0.1:3000/mcp"},
		{URL: "https://example.com/mcp", Auth: AuthHeader, Header: "X-Api-Key"},
	}
	for _, s := range good {
		if err := s.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", s, err)
		}
	}
	if p, ok := Preset("notion"); !ok || p.URL != NotionHostedURL || p.Auth != AuthOAuth {
		t.Errorf("Preset(notion) = %+v, %t", p, ok)
	}
}

// TestSystemKeychainRoundTrip proves tokens survive a round trip through the real OS
// keychain (gnome-keyring in CI). Locally it skips when no keychain is usable.
func TestSystemKeychainRoundTrip(t *testing.T) {
	store := keychain.System{Timeout: 10 * time.Second}
	name := "patchbay-test-" + strings.ReplaceAll(t.Name(), "/", "-")
	probe := keychain.Key(name, "probe")
	if err := store.Set(t.Context(), probe, "x"); err != nil {
		if keychain.IsUnavailable(err) && os.Getenv("CI") == "" {
			t.Skipf("no usable keychain here (set CI to make this fail): %v", err)
		}
		t.Fatal(err)
	}
	store.Delete(t.Context(), probe)
	e := newOAuthEnv(t)
	t.Cleanup(func() {
		store.Delete(context.Background(), keychain.Key(name, oauth.ItemToken))
		store.Delete(context.Background(), keychain.Key(name, oauth.ItemClient))
	})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := Authorize(ctx, name, e.settings, store, e.browser.Open, e.sink.hooks(), false); err != nil {
		t.Fatalf("Authorize into the system keychain: %v", err)
	}
	c, err := New(Config{Name: name, Settings: e.settings, Store: store, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	cs := connect(t, c)
	if who, err := call(ctx, cs, "whoami", nil); err != nil || who != remotetest.User {
		t.Fatalf("whoami with tokens from the system keychain = %q, %v", who, err)
	}
	e.clock.Add(time.Hour) // refresh, and save the rotated token in the system keychain
	if _, err := call(ctx, cs, "whoami", nil); err != nil {
		t.Fatal(err)
	}
	c2, _ := New(Config{Name: name, Settings: e.settings, Store: store, Now: e.clock.Now})
	if who, err := call(ctx, connect(t, c2), "whoami", nil); err != nil || who != remotetest.User {
		t.Fatalf("whoami after a restart on the system keychain = %q, %v", who, err)
	}
	if n := e.fake.Counts(); n.Refreshes != 1 || n.InvalidGrants != 0 {
		t.Fatalf("counts = %+v", n)
	}
	if err := Logout(ctx, name, e.settings, store, connectors.Hooks{}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Get(ctx, keychain.Key(name, oauth.ItemToken)); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("token still in the system keychain after logout: %v", err)
	}
}
