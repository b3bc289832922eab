package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/remote/oauth"
)

// authTransport puts the connection's credentials on every upstream request: a bearer token
// from oauth.Tokens, or a static header from the keychain. It is shared by all transports of
// a connector and safe for concurrent use.
//
// On a 401 with OAuth it invalidates the token, refreshes (single-flight in Tokens) and
// retries once; a second 401 means the grant is unusable. Failures are returned as errors
// rather than 401 responses: the go-sdk transports then fail the one call and keep the
// session, so the client's session works again after a reconnect.
type authTransport struct {
	base   http.RoundTripper
	tokens *oauth.Tokens // set for AuthOAuth

	// Static header auth.
	name, label string
	header      string
	store       keychain.Store
	hooks       connectors.Hooks

	mu    sync.Mutex // guards value, said
	value string     // the header value, read from the keychain once
	said  bool       // NeedsAuth was called for a missing header secret
}

func (a *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	switch {
	case a.tokens != nil:
		return a.oauthRoundTrip(req)
	case a.header != "":
		v, err := a.headerValue(req.Context())
		if err != nil {
			return nil, err
		}
		r := req.Clone(req.Context())
		r.Header.Set(a.header, v)
		return a.base.RoundTrip(r)
	}
	return a.base.RoundTrip(req)
}

// CloseIdleConnections closes the idle connections of the transport underneath, if it keeps
// any.
func (a *authTransport) CloseIdleConnections() {
	if ci, ok := a.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

func (a *authTransport) oauthRoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	tok, err := a.tokens.Token(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := a.base.RoundTrip(withBearer(req, tok.AccessToken))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if req.Body != nil && req.GetBody == nil {
		return resp, nil // cannot replay the body: let the caller see the 401
	}
	drain(resp)
	a.tokens.Invalidate(tok.AccessToken)
	tok2, err := a.tokens.Token(ctx)
	if err != nil {
		return nil, err
	}
	if tok2.AccessToken == tok.AccessToken {
		return nil, fmt.Errorf("%s rejected the access token and refreshing it failed; the next call tries again", a.label)
	}
	r2, err := rewind(req)
	if err != nil {
		return nil, err
	}
	resp, err = a.base.RoundTrip(withBearer(r2, tok2.AccessToken))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	drain(resp)
	return nil, a.tokens.Reject("the server refused a freshly refreshed access token")
}

// headerValue reads the static header's value from the keychain once. A bare token given
// for the Authorization header gets the Bearer scheme.
func (a *authTransport) headerValue(ctx context.Context) (string, error) {
	a.mu.Lock()
	v := a.value
	a.mu.Unlock()
	if v != "" {
		return v, nil
	}
	v, err := a.store.Get(ctx, keychain.Key(a.name, ItemHeader))
	if errors.Is(err, keychain.ErrNotFound) {
		msg := fmt.Sprintf("%s has no secret for its %s header in the keychain: add it again with "+
			"patchbay add remote %s URL --header %s --secret", a.label, a.header, a.name, a.header)
		a.mu.Lock()
		first := !a.said
		a.said = true
		a.mu.Unlock()
		if first {
			a.hooks.NeedAuth(msg)
		}
		return "", &headerMissingError{msg: msg}
	}
	if err != nil {
		return "", fmt.Errorf("reading %s's header secret: %w", a.label, err)
	}
	if a.header == "Authorization" && !strings.Contains(strings.TrimSpace(v), " ") {
		v = "Bearer " + strings.TrimSpace(v)
	}
	a.mu.Lock()
	a.value = v
	a.mu.Unlock()
	return v, nil
}

// reload forgets the cached header value (after the secret changed).
func (a *authTransport) reload() {
	a.mu.Lock()
	a.value, a.said = "", false
	a.mu.Unlock()
}

// withBearer returns a copy of req carrying the token.
func withBearer(req *http.Request, token string) *http.Request {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// rewind returns a copy of req with a fresh body, for a retry.
func rewind(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body != nil && req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("replaying the request: %w", err)
		}
		r.Body = b
	}
	return r, nil
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
