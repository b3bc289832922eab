package oauth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/remote/remotetest"
)

// logSink collects Hooks output.
type logSink struct {
	mu        sync.Mutex // guards lines, needsAuth
	lines     []string
	needsAuth []string
}

func (l *logSink) hooks() connectors.Hooks {
	return connectors.Hooks{
		Log: func(level, msg string) {
			l.mu.Lock()
			l.lines = append(l.lines, level+" "+msg)
			l.mu.Unlock()
		},
		NeedsAuth: func(reason string) {
			l.mu.Lock()
			l.needsAuth = append(l.needsAuth, reason)
			l.mu.Unlock()
		},
	}
}

func (l *logSink) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (l *logSink) needs() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.needsAuth)
}

// freePort returns a 127.0.0.1 port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

type env struct {
	fake  *remotetest.Server
	clock *remotetest.Clock
	store *keychain.Memory
	logs  *logSink
	cfg   Config
}

func newEnv(t *testing.T, opts remotetest.Options) *env {
	t.Helper()
	e := &env{clock: remotetest.NewClock(), store: &keychain.Memory{}, logs: &logSink{}}
	opts.Now = e.clock.Now
	e.fake = remotetest.New(opts)
	t.Cleanup(e.fake.Close)
	e.cfg = Config{
		Name: "notion", Label: "Notion", ResourceURL: e.fake.MCPURL, CallbackPort: freePort(t),
		Store: e.store, Hooks: e.logs.hooks(), Now: e.clock.Now,
	}
	return e
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// assertNoSecrets fails if any token, code or client secret the fake issued appears in s.
func assertNoSecrets(t *testing.T, what, s string, fake *remotetest.Server) {
	t.Helper()
	for _, sec := range fake.Secrets() {
		if strings.Contains(s, sec) {
			t.Errorf("%s contains a secret issued by the server (%.6s…)", what, sec)
		}
	}
}

func TestAuthorizeStoresRegistrationAndTokens(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	b := &remotetest.Browser{}
	if err := Authorize(ctxT(t), e.cfg, b.Open); err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if !strings.Contains(b.Page(), "You can close this tab") {
		t.Errorf("callback page = %q, want the close-this-tab page", b.Page())
	}
	keys := e.store.Keys()
	slices.Sort(keys)
	if want := []string{"notion/oauth/client", "notion/oauth/token"}; !slices.Equal(keys, want) {
		t.Fatalf("stored keys = %v, want %v", keys, want)
	}
	cl, err := loadJSON[clientRecord](t.Context(), e.store, "notion/oauth/client")
	if err != nil {
		t.Fatal(err)
	}
	if cl.AuthMethod != "none" || cl.ClientSecret != "" {
		t.Errorf("registered as %q with secret %t, want a public client", cl.AuthMethod, cl.ClientSecret != "")
	}
	if cl.RedirectURL != fmt.Sprintf("http://127.0.0.1:%d/callback", e.cfg.CallbackPort) || cl.Resource != e.fake.MCPURL {
		t.Errorf("client record = %+v", cl)
	}
	u, _ := url.Parse(b.Opened()[0])
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("resource") != e.fake.MCPURL || q.Get("state") == "" {
		t.Errorf("authorization URL lacks PKCE S256, resource or state: %v", q)
	}
	c := e.fake.Counts()
	if c.Registrations != 1 || c.CodeGrants != 1 {
		t.Errorf("counts = %+v, want 1 registration and 1 code grant", c)
	}
	logs := e.logs.text()
	for _, step := range []string{"discovery (protected resource metadata)", "discovery (authorization server metadata)", "registration", "authorize", "token"} {
		if !strings.Contains(logs, step) {
			t.Errorf("log lacks step %q:\n%s", step, logs)
		}
	}
	assertNoSecrets(t, "log", logs, e.fake)

	tok, err := NewTokens(e.cfg).Token(t.Context())
	if err != nil {
		t.Fatalf("Token after login: %v", err)
	}
	if tok.AccessToken == "" {
		t.Fatal("empty access token")
	}

	// A second login reuses the stored registration instead of registering again.
	if err := Authorize(ctxT(t), e.cfg, b.Open); err != nil {
		t.Fatalf("second Authorize: %v", err)
	}
	if c := e.fake.Counts(); c.Registrations != 1 || c.CodeGrants != 2 {
		t.Errorf("after a second login counts = %+v, want still 1 registration, 2 code grants", c)
	}
}

func TestRefreshIsSingleFlightAndRotates(t *testing.T) {
	e := newEnv(t, remotetest.Options{AccessTTL: time.Hour})
	if err := Authorize(ctxT(t), e.cfg, (&remotetest.Browser{}).Open); err != nil {
		t.Fatal(err)
	}
	// A restart: a new Tokens reading the same keychain needs no new login.
	toks := NewTokens(e.cfg)
	first, err := toks.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for round := 1; round <= 3; round++ {
		e.clock.Add(time.Hour)
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		got := make(chan string, 50)
		for range 50 {
			wg.Go(func() {
				tok, err := toks.Token(t.Context())
				if err != nil {
					errs <- err
					return
				}
				got <- tok.AccessToken
			})
		}
		wg.Wait()
		close(errs)
		close(got)
		for err := range errs {
			t.Fatalf("round %d: Token: %v", round, err)
		}
		seen := map[string]bool{}
		for a := range got {
			seen[a] = true
		}
		if len(seen) != 1 || seen[first.AccessToken] {
			t.Errorf("round %d: 50 calls saw %d distinct tokens (old one among them: %t), want one new token", round, len(seen), seen[first.AccessToken])
		}
		c := e.fake.Counts()
		if c.Refreshes != round || c.InvalidGrants != 0 {
			t.Fatalf("round %d: refreshes = %d, invalid_grant = %d; want %d and 0", round, c.Refreshes, c.InvalidGrants, round)
		}
		// The rotated refresh token was saved: a fresh instance (a restart) continues from it.
		toks = NewTokens(e.cfg)
	}
	assertNoSecrets(t, "log", e.logs.text(), e.fake)
}

func TestProactiveRefreshBeforeExpiry(t *testing.T) {
	e := newEnv(t, remotetest.Options{AccessTTL: time.Hour})
	if err := Authorize(ctxT(t), e.cfg, (&remotetest.Browser{}).Open); err != nil {
		t.Fatal(err)
	}
	toks := NewTokens(e.cfg)
	if _, err := toks.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(54 * time.Minute)
	if _, err := toks.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := e.fake.Counts().Refreshes; n != 0 {
		t.Fatalf("refreshed %d times 6 minutes before expiry, want 0", n)
	}
	e.clock.Add(2 * time.Minute) // 4 minutes left: inside the 5-minute lead
	if _, err := toks.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := e.fake.Counts().Refreshes; n != 1 {
		t.Fatalf("refreshed %d times 4 minutes before expiry, want 1", n)
	}
}

func TestRevokedGrantNeedsReconnectWithoutBrowser(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	b := &remotetest.Browser{}
	if err := Authorize(ctxT(t), e.cfg, b.Open); err != nil {
		t.Fatal(err)
	}
	toks := NewTokens(e.cfg)
	e.fake.RevokeAll()
	e.clock.Add(2 * time.Hour)
	for range 10 {
		_, err := toks.Token(t.Context())
		if !IsNeedsReconnect(err) {
			t.Fatalf("Token = %v, want a needs-reconnect error", err)
		}
		if !strings.Contains(err.Error(), "reconnect Notion in Patchbay") {
			t.Errorf("error %q does not say to reconnect Notion in Patchbay", err)
		}
	}
	if n := len(e.logs.needs()); n != 1 {
		t.Errorf("NeedsAuth called %d times, want once", n)
	}
	c := e.fake.Counts()
	if c.Refreshes != 0 || c.InvalidGrants != 1 || c.Authorizes != 1 || len(b.Opened()) != 1 {
		t.Errorf("counts = %+v, browser opened %d times; want one failed refresh and no new authorization", c, len(b.Opened()))
	}

	// Reloading the same dead login does not revive it.
	toks.Reload()
	if _, err := toks.Token(t.Context()); !IsNeedsReconnect(err) {
		t.Fatalf("Token after reloading the dead login = %v, want still needs reconnect", err)
	}
	if n := len(e.logs.needs()); n != 1 {
		t.Errorf("NeedsAuth called %d times after a reload, want still once", n)
	}

	// A new login (done elsewhere, e.g. by the CLI) revives the same Tokens.
	if err := Authorize(ctxT(t), e.cfg, b.Open); err != nil {
		t.Fatal(err)
	}
	if _, err := toks.Token(t.Context()); err != nil {
		t.Fatalf("Token after reconnecting: %v", err)
	}
}

func TestForgottenClientRegistersAgain(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	b := &remotetest.Browser{}
	if err := Authorize(ctxT(t), e.cfg, b.Open); err != nil {
		t.Fatal(err)
	}
	e.fake.ForgetClients()
	e.clock.Add(2 * time.Hour)
	if _, err := NewTokens(e.cfg).Token(t.Context()); !IsNeedsReconnect(err) {
		t.Fatalf("Token with a forgotten client = %v, want needs reconnect", err)
	}
	if _, err := e.store.Get(t.Context(), "notion/oauth/client"); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("stale registration still stored (err %v)", err)
	}
	if err := Authorize(ctxT(t), e.cfg, b.Open); err != nil {
		t.Fatalf("Authorize after the client was forgotten: %v", err)
	}
	if n := e.fake.Counts().Registrations; n != 2 {
		t.Errorf("registrations = %d, want 2", n)
	}
}

func TestLogoutRevokesAndDeletes(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	if err := Authorize(ctxT(t), e.cfg, (&remotetest.Browser{}).Open); err != nil {
		t.Fatal(err)
	}
	toks := NewTokens(e.cfg)
	if _, err := toks.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := Logout(t.Context(), e.cfg); err != nil {
		t.Fatal(err)
	}
	if n := e.fake.Counts().Revocations; n != 1 {
		t.Errorf("revocations = %d, want 1", n)
	}
	if k := e.store.Keys(); len(k) != 0 {
		t.Errorf("keys left after logout: %v", k)
	}
	if err := Logout(t.Context(), e.cfg); err != nil {
		t.Errorf("second Logout: %v", err)
	}
	toks.Reload()
	if _, err := toks.Token(t.Context()); !IsNeedsReconnect(err) {
		t.Errorf("Token after logout = %v, want needs reconnect", err)
	}
}

func TestLogoutWithoutRevocationEndpoint(t *testing.T) {
	e := newEnv(t, remotetest.Options{NoRevocation: true})
	if err := Authorize(ctxT(t), e.cfg, (&remotetest.Browser{}).Open); err != nil {
		t.Fatal(err)
	}
	if err := Logout(t.Context(), e.cfg); err != nil {
		t.Fatal(err)
	}
	if k := e.store.Keys(); len(k) != 0 {
		t.Errorf("keys left after logout: %v", k)
	}
}

// TestAuthorizeFailures: each bad input ends with a clear error and nothing stored.
func TestAuthorizeFailures(t *testing.T) {
	cases := []struct {
		name    string
		opts    remotetest.Options
		browser *remotetest.Browser
		setup   func(t *testing.T, e *env)
		cancel  bool
		want    string
	}{
		{name: "user denies", browser: &remotetest.Browser{Deny: true}, want: "access was denied"},
		{name: "bad state", browser: &remotetest.Browser{TamperCallback: func(u *url.URL) {
			q := u.Query()
			q.Set("state", "forged")
			u.RawQuery = q.Encode()
		}}, want: "wrong state"},
		{name: "wrong PKCE verifier", browser: &remotetest.Browser{Tamper: func(u *url.URL) {
			q := u.Query()
			q.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
			u.RawQuery = q.Encode()
		}}, want: "invalid_grant"},
		{name: "discovery missing", opts: remotetest.Options{NoDiscovery: true}, want: "OAuth discovery"},
		{name: "discovery malformed", opts: remotetest.Options{MalformedDiscovery: true}, want: "OAuth discovery"},
		{name: "registration refused", opts: remotetest.Options{RefuseRegistration: true}, want: "registration answered 403"},
		{name: "callback port busy", setup: func(t *testing.T, e *env) {
			ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", e.cfg.CallbackPort))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
		}, want: "is in use by another program"},
		{name: "cancelled while waiting", browser: nil, cancel: true, want: "waiting for the login"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.opts)
			if tc.setup != nil {
				tc.setup(t, e)
			}
			ctx := ctxT(t)
			var open func(string) error
			if tc.browser != nil {
				open = tc.browser.Open
			} else if !tc.cancel {
				open = (&remotetest.Browser{}).Open
			}
			if tc.cancel {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				open = func(string) error { cancel(); return nil }
			}
			err := Authorize(ctx, e.cfg, open)
			if err == nil {
				t.Fatal("Authorize succeeded")
			}
			t.Logf("error: %v", err)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want it to mention %q", err, tc.want)
			}
			if k := e.store.Keys(); len(k) != 0 {
				t.Errorf("stored after a failed login: %v", k)
			}
			assertNoSecrets(t, "error", err.Error(), e.fake)
			assertNoSecrets(t, "log", e.logs.text(), e.fake)
		})
	}
}

func TestAuthorizeRefusesServerWithoutAuth(t *testing.T) {
	sse := remotetest.NewSSEServer("", "")
	defer sse.Close()
	cfg := Config{Name: "open", ResourceURL: sse.URL, CallbackPort: freePort(t), Store: &keychain.Memory{}}
	err := Authorize(ctxT(t), cfg, nil)
	if !errors.Is(err, errNoAuth) || !strings.Contains(err.Error(), "auth to none") {
		t.Fatalf("Authorize against a server without auth = %v", err)
	}
}
