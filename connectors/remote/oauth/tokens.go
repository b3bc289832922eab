package oauth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"golang.org/x/oauth2"
)

// MaxRefreshLead is how long before expiry a token is refreshed. Tokens that live less than
// four times this are refreshed a quarter of their lifetime before they expire instead.
const MaxRefreshLead = 5 * time.Minute

// refreshTimeout bounds one refresh request. The request runs on a context detached from
// the caller's, so that a tool call cancelled mid-refresh cannot abort a rotation whose
// response (the only copy of the new refresh token) is on its way.
const refreshTimeout = 30 * time.Second

// Tokens hands out access tokens for one connection. It is safe for concurrent use, and
// refreshes single-flight: however many calls find the token expired at once, one refresh
// runs and the rest wait for it and share its result.
//
// It never opens a browser. When the grant is gone it becomes "needs reconnect": it calls
// Hooks.NeedsAuth once and from then on every Token fails at once with a
// *NeedsReconnectError, until the keychain holds a different token (a new login, which
// Reload or the next Token picks up).
type Tokens struct {
	cfg Config

	// sem is held by the one goroutine loading or refreshing; a channel rather than a mutex
	// so that waiters can give up when their context ends.
	sem chan struct{}

	mu      sync.Mutex   // guards the fields below
	loaded  bool         // cur and client were read from the keychain
	cur     *tokenRecord // nil when not connected
	client  *clientRecord
	dead    *NeedsReconnectError // non-nil: needs reconnect
	unsaved bool                 // cur was refreshed but not yet saved in the keychain
	// deadAccess is the access token of the login that died, so that reading the same
	// login from the keychain again does not revive it.
	deadAccess string
}

// NewTokens returns a Tokens for cfg. It reads nothing until the first Token call.
func NewTokens(cfg Config) *Tokens {
	return &Tokens{cfg: cfg, sem: make(chan struct{}, 1)}
}

// lead is how long before its expiry r gets refreshed.
func lead(r *tokenRecord) time.Duration {
	if r.Obtained.IsZero() || r.Expiry.IsZero() {
		return MaxRefreshLead
	}
	return min(MaxRefreshLead, r.Expiry.Sub(r.Obtained)/4)
}

// fresh reports whether r can be used without a refresh at now.
func fresh(r *tokenRecord, now time.Time) bool {
	if r == nil || r.AccessToken == "" {
		return false
	}
	return r.Expiry.IsZero() || now.Before(r.Expiry.Add(-lead(r)))
}

// usable reports whether r has not expired yet (though it may be due for a refresh).
func usable(r *tokenRecord, now time.Time) bool {
	return r != nil && r.AccessToken != "" && (r.Expiry.IsZero() || now.Before(r.Expiry))
}

// Token returns a valid access token, refreshing it first when it is due. Errors are a
// *NeedsReconnectError (nothing to do but reconnect), a keychain error, or a transient
// refresh failure (the next call tries again).
func (t *Tokens) Token(ctx context.Context) (*oauth2.Token, error) {
	if tok := t.fast(); tok != nil {
		return tok, nil
	}
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-t.sem }()
	return t.slow(ctx)
}

// fast returns the current token when it needs neither loading nor a refresh.
func (t *Tokens) fast() *oauth2.Token {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.loaded && t.dead == nil && !t.unsaved && fresh(t.cur, t.cfg.now()) {
		return oauthToken(t.cur)
	}
	return nil
}

// slow runs with sem held.
func (t *Tokens) slow(ctx context.Context) (*oauth2.Token, error) {
	t.mu.Lock()
	loaded, dead, cur, unsaved := t.loaded, t.dead, t.cur, t.unsaved
	t.mu.Unlock()

	if unsaved {
		// A refresh succeeded but its result is not in the keychain yet: save it before using it.
		if err := saveJSON(ctx, t.cfg.Store, key(t.cfg.Name, ItemToken), cur); err != nil {
			return nil, err
		}
		t.mu.Lock()
		t.unsaved = false
		t.mu.Unlock()
	}
	if !loaded || dead != nil {
		if err := t.load(ctx); err != nil {
			return nil, err
		}
	}
	t.mu.Lock()
	cur, client, dead := t.cur, t.client, t.dead
	t.mu.Unlock()
	if dead != nil {
		return nil, dead
	}
	now := t.cfg.now()
	if fresh(cur, now) {
		return oauthToken(cur), nil
	}
	if cur.RefreshToken == "" || client == nil {
		if usable(cur, now) {
			return oauthToken(cur), nil
		}
		return nil, t.kill("the access token expired and the server gave no refresh token")
	}
	return t.refresh(ctx, cur, client)
}

// load reads the token and the registration from the keychain. A token equal to the one
// already known dead stays dead; a different one (a new login) revives the connection.
func (t *Tokens) load(ctx context.Context) error {
	rec, err := loadJSON[tokenRecord](ctx, t.cfg.Store, key(t.cfg.Name, ItemToken))
	var damaged *damagedError
	switch {
	case errors.Is(err, keychain.ErrNotFound) || errors.As(err, &damaged):
		rec = nil
	case err != nil:
		return fmt.Errorf("reading %s's token: %w", t.cfg.label(), err)
	}
	cl, err := loadJSON[clientRecord](ctx, t.cfg.Store, key(t.cfg.Name, ItemClient))
	switch {
	case errors.Is(err, keychain.ErrNotFound) || errors.As(err, &damaged):
		cl = nil
	case err != nil:
		return fmt.Errorf("reading %s's client registration: %w", t.cfg.label(), err)
	}
	t.mu.Lock()
	wasDead := t.dead != nil
	if wasDead && rec != nil && rec.AccessToken == t.deadAccess {
		t.mu.Unlock()
		return nil // the login that died: still dead
	}
	t.loaded, t.cur, t.client = true, rec, cl
	if rec == nil {
		t.mu.Unlock()
		t.die(&NeedsReconnectError{Label: t.cfg.label(), Name: t.cfg.Name, Reason: "not connected yet", Never: true})
		return nil
	}
	t.dead = nil
	t.mu.Unlock()
	if wasDead {
		t.cfg.logf("info", "a new login was found in the keychain; the connection works again")
		t.cfg.Hooks.AuthOK()
	}
	return nil
}

// refresh runs the refresh_token grant. It runs with sem held, so only once at a time.
func (t *Tokens) refresh(ctx context.Context, cur *tokenRecord, cl *clientRecord) (*oauth2.Token, error) {
	conf := &oauth2.Config{
		ClientID:     cl.ClientID,
		ClientSecret: cl.ClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: cl.AuthURL, TokenURL: cl.TokenURL, AuthStyle: authStyle(cl.AuthMethod)},
		RedirectURL:  cl.RedirectURL,
	}
	client, _ := newTracedClient(t.cfg)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	rctx = context.WithValue(rctx, oauth2.HTTPClient, client)
	nt, err := conf.TokenSource(rctx, &oauth2.Token{RefreshToken: cur.RefreshToken}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			switch re.ErrorCode {
			case "invalid_grant":
				return nil, t.kill("the server no longer accepts the saved login (revoked or expired)")
			case "invalid_client", "unauthorized_client":
				// The registration is gone: drop it so that the next login registers again.
				if derr := deleteItem(ctx, t.cfg.Store, key(t.cfg.Name, ItemClient)); derr != nil {
					t.cfg.logf("warn", "refresh: %v", derr)
				}
				return nil, t.kill("the server no longer knows Patchbay's client registration")
			}
			// RetrieveError's own message quotes the response body: keep only the code.
			err = fmt.Errorf("the token endpoint answered HTTP %d %s", statusOf(re), re.ErrorCode)
		}
		if usable(cur, t.cfg.now()) {
			t.cfg.logf("warn", "refresh: %v; using the current token until it expires", err)
			return oauthToken(cur), nil
		}
		return nil, fmt.Errorf("refreshing %s's access token (will retry on the next call): %w", t.cfg.label(), err)
	}
	rec := recordOf(nt, t.cfg.now())
	if rec.RefreshToken == "" {
		rec.RefreshToken = cur.RefreshToken // the server did not rotate it
	}
	t.mu.Lock()
	t.cur = rec
	t.unsaved = true
	t.mu.Unlock()
	// Save the rotated refresh token before anything uses the new access token: if Patchbay
	// died between the two, the login would be lost.
	if err := saveJSON(ctx, t.cfg.Store, key(t.cfg.Name, ItemToken), rec); err != nil {
		return nil, fmt.Errorf("refreshed %s's token but could not save it (will retry): %w", t.cfg.label(), err)
	}
	t.mu.Lock()
	t.unsaved = false
	t.mu.Unlock()
	t.cfg.logf("info", "refresh: new access token, expires %s", expiryText(nt))
	return oauthToken(rec), nil
}

// kill marks the connection as needing a reconnect and says so once through the hooks.
func (t *Tokens) kill(reason string) error {
	return t.die(&NeedsReconnectError{Label: t.cfg.label(), Name: t.cfg.Name, Reason: reason})
}

// die makes e the reason the connection is dead; the hooks hear of it once per death.
func (t *Tokens) die(e *NeedsReconnectError) error {
	t.mu.Lock()
	first := t.dead == nil
	t.dead = e
	if t.cur != nil {
		t.deadAccess = t.cur.AccessToken
	}
	t.mu.Unlock()
	if first {
		t.cfg.logf("warn", "needs reconnect: %s", e.Reason)
		t.cfg.Hooks.NeedAuth(e.Error())
	}
	return e
}

// Invalidate tells t that the server rejected access token access (a 401): the next Token
// refreshes instead of handing it out again. Calls with an older token are ignored, so 50
// calls rejected at once still cause one refresh.
func (t *Tokens) Invalidate(access string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur != nil && t.cur.AccessToken == access {
		c := *t.cur
		c.Expiry = t.cfg.now().Add(-time.Second)
		t.cur = &c
	}
}

// Reject says that even a freshly refreshed token was refused: the grant is unusable.
func (t *Tokens) Reject(reason string) error { return t.kill(reason) }

// Reload forgets what t holds in memory, so that the next Token reads the keychain again
// (after a login or a logout done elsewhere). A refreshed token not yet saved is kept.
func (t *Tokens) Reload() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.unsaved {
		return
	}
	// dead stays: if the reload finds a new login, load revives the connection and says so.
	t.loaded, t.cur, t.client = false, nil, nil
}

// NeedsReconnect returns the reason the connection needs a reconnect, or nil.
func (t *Tokens) NeedsReconnect() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.dead == nil {
		return nil
	}
	return t.dead
}

func oauthToken(r *tokenRecord) *oauth2.Token {
	typ := r.TokenType
	if typ == "" {
		typ = "Bearer"
	}
	return &oauth2.Token{AccessToken: r.AccessToken, TokenType: typ, Expiry: r.Expiry}
}

func statusOf(re *oauth2.RetrieveError) int {
	if re.Response == nil {
		return 0
	}
	return re.Response.StatusCode
}
