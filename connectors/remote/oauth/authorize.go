package oauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"golang.org/x/oauth2"
)

// Authorize runs the interactive login for cfg and returns once the client registration and
// the tokens are in the keychain, or with an error, or when ctx is done. On any error
// nothing new is stored (an earlier login's items are left as they were, except a client
// registration the server no longer knows, which is dropped).
//
// openBrowser is called with the authorization URL; it should open the system browser (the
// CLI also prints the URL). Its error is logged, not fatal: the person can open the URL by
// hand. It may be nil. Authorize is the only place in Patchbay that opens a browser.
//
// Two logins for the same connection at once cannot both run: the second finds the callback
// port busy (*PortBusyError).
func Authorize(ctx context.Context, cfg Config, openBrowser func(url string) error) error {
	if cfg.Store == nil || cfg.Name == "" || cfg.ResourceURL == "" {
		return errors.New("oauth: Authorize needs a connection name, a URL and a keychain")
	}
	cb, err := listenCallback(cfg.port())
	if err != nil {
		return err
	}
	defer cb.close()
	client, tr := newTracedClient(cfg)

	cfg.logf("info", "connecting to %s", cfg.ResourceURL)
	probeReq, probeResp, err := probe(ctx, cfg, client)
	if err != nil {
		return err
	}
	md, err := discover(ctx, cfg, client, probeResp.Header.Values("WWW-Authenticate"))
	if err != nil {
		return err
	}

	stored, err := loadJSON[clientRecord](ctx, cfg.Store, key(cfg.Name, ItemClient))
	var damaged *damagedError
	switch {
	case errors.Is(err, keychain.ErrNotFound):
		stored = nil
	case errors.As(err, &damaged):
		cfg.logf("warn", "registration: %v; registering again", err)
		stored = nil
	case err != nil:
		return fmt.Errorf("reading the stored registration: %w", err)
	}
	if stored != nil && cfg.FreshRegistration {
		cfg.logf("info", "registration: registering again as asked")
		stored = nil
	}
	if stored != nil && (stored.Issuer != md.asm.Issuer || stored.RedirectURL != cfg.RedirectURL() || stored.Resource != md.prm.Resource) {
		cfg.logf("info", "registration: the stored client belongs to another server or callback port; registering again")
		stored = nil
	}

	for attempt := 0; ; attempt++ {
		rec, tok, err := login(ctx, cfg, client, cb, md, stored, probeReq, probeResp, openBrowser)
		if err != nil {
			var re *oauth2.RetrieveError
			if stored != nil && attempt == 0 && errors.As(err, &re) && re.ErrorCode == "invalid_client" {
				cfg.logf("warn", "registration: the server no longer knows the stored client; registering again")
				if derr := deleteItem(ctx, cfg.Store, key(cfg.Name, ItemClient)); derr != nil {
					return derr
				}
				stored = nil
				cb.reset()
				continue
			}
			return explain(cfg, tr, err)
		}
		return persist(ctx, cfg, rec, stored != nil, tok)
	}
}

// probe sends an unauthenticated MCP initialize to the resource, expecting a 401 whose
// WWW-Authenticate starts discovery. A 2024-11-05 SSE endpoint refuses POST (400/404/405),
// so then it tries GET.
func probe(ctx context.Context, cfg Config, client *http.Client) (*http.Request, *http.Response, error) {
	const initialize = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",` +
		`"capabilities":{},"clientInfo":{"name":"patchbay","version":"oauth-probe"}}}`
	try := func(method string) (*http.Request, *http.Response, error) {
		var body io.Reader
		if method == http.MethodPost {
			body = strings.NewReader(initialize)
		}
		req, err := http.NewRequestWithContext(ctx, method, cfg.ResourceURL, body)
		if err != nil {
			return nil, nil, fmt.Errorf("the server URL %q is not valid: %w", cfg.ResourceURL, err)
		}
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
		} else {
			req.Header.Set("Accept", "text/event-stream")
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, nil, fmt.Errorf("reaching %s: %w", cfg.ResourceURL, err)
		}
		var b []byte
		if resp.StatusCode >= 300 {
			// A 2xx may be an endless event stream: never read it.
			b, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		}
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		return req, resp, nil
	}
	req, resp, err := try(http.MethodPost)
	if err == nil && (resp.StatusCode == 400 || resp.StatusCode == 404 || resp.StatusCode == 405) {
		req, resp, err = try(http.MethodGet)
	}
	if err != nil {
		return nil, nil, err
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return req, resp, nil
	case resp.StatusCode < 300:
		return nil, nil, fmt.Errorf("%s answered without asking for a login (%s): it needs no OAuth; "+
			"set this connection's auth to none (or to a header if it takes an API key): %w", cfg.ResourceURL, resp.Status, errNoAuth)
	}
	return nil, nil, fmt.Errorf("%s answered %s instead of asking for a login: check the URL", cfg.ResourceURL, resp.Status)
}

// login runs one registration + authorization + code exchange through go-sdk's
// AuthorizationCodeHandler and returns what to store. It stores nothing itself.
func login(ctx context.Context, cfg Config, client *http.Client, cb *callbackServer, md *metadata,
	stored *clientRecord, probeReq *http.Request, probeResp *http.Response, openBrowser func(string) error) (*clientRecord, *tokenRecord, error) {

	var got *oauth2.Config
	var tok *oauth2.Token
	hc := &auth.AuthorizationCodeHandlerConfig{
		RedirectURL:           cfg.RedirectURL(),
		Client:                client,
		AcceptUnadvertisedIss: true,
		RequestRefreshToken:   true,
		AuthorizationCodeFetcher: func(ctx context.Context, args *auth.AuthorizationArgs) (*auth.AuthorizationResult, error) {
			u, err := url.Parse(args.URL)
			if err != nil {
				return nil, fmt.Errorf("the authorization URL does not parse: %w", err)
			}
			cb.expect(u.Query().Get("state"))
			cfg.logf("info", "authorize: waiting for the user at %s", plainURL(u))
			if openBrowser != nil {
				if err := openBrowser(args.URL); err != nil {
					cfg.logf("warn", "authorize: could not open a browser (%v); the URL must be opened by hand", err)
				}
			}
			select {
			case r := <-cb.results:
				if r.err == nil {
					cfg.logf("info", "authorize: the browser came back with an authorization code")
				}
				return r.res, r.err
			case <-ctx.Done():
				return nil, fmt.Errorf("waiting for the login in the browser: %w", ctx.Err())
			}
		},
		NewTokenSource: func(_ context.Context, c *oauth2.Config, t *oauth2.Token) (oauth2.TokenSource, error) {
			got, tok = c, t
			return oauth2.StaticTokenSource(t), nil
		},
	}
	if stored != nil {
		cfg.logf("info", "registration: using the stored client")
		pc := &oauthex.ClientCredentials{ClientID: stored.ClientID, Issuer: stored.Issuer}
		if stored.ClientSecret != "" {
			pc.ClientSecretAuth = &oauthex.ClientSecretAuth{ClientSecret: stored.ClientSecret}
		}
		hc.PreregisteredClient = pc
	} else {
		if md.asm.RegistrationEndpoint == "" {
			return nil, nil, &DiscoveryError{URL: cfg.ResourceURL, Detail: fmt.Sprintf(
				"authorization server %s offers no dynamic client registration", md.asm.Issuer)}
		}
		cfg.logf("info", "registration: registering Patchbay as a public client at %s", md.asm.RegistrationEndpoint)
		hc.DynamicClientRegistrationConfig = &auth.DynamicClientRegistrationConfig{Metadata: &oauthex.ClientRegistrationMetadata{
			RedirectURIs:            []string{cfg.RedirectURL()},
			TokenEndpointAuthMethod: "none",
			GrantTypes:              []string{"authorization_code", "refresh_token"},
			ResponseTypes:           []string{"code"},
			ClientName:              "Patchbay",
			ClientURI:               "https://github.com/patchbay-mcp/patchbay",
		}}
	}
	h, err := auth.NewAuthorizationCodeHandler(hc)
	if err != nil {
		return nil, nil, fmt.Errorf("setting up the login: %w", err)
	}
	probeResp.Body = io.NopCloser(bytes.NewReader(nil))
	if err := h.Authorize(ctx, probeReq, probeResp); err != nil {
		return nil, nil, err
	}
	if got == nil || tok == nil || tok.AccessToken == "" {
		return nil, nil, errors.New("the authorization server returned no access token")
	}
	rec := &clientRecord{
		ClientID:      got.ClientID,
		ClientSecret:  got.ClientSecret,
		AuthMethod:    authMethod(got),
		Issuer:        md.asm.Issuer,
		AuthURL:       got.Endpoint.AuthURL,
		TokenURL:      got.Endpoint.TokenURL,
		RevocationURL: md.asm.RevocationEndpoint,
		RedirectURL:   cfg.RedirectURL(),
		Resource:      md.prm.Resource,
		Scopes:        got.Scopes,
	}
	cfg.logf("info", "token: received an access token (expires %s, refresh token: %t)", expiryText(tok), tok.RefreshToken != "")
	return rec, recordOf(tok, cfg.now()), nil
}

func authMethod(c *oauth2.Config) string {
	switch {
	case c.ClientSecret == "":
		return "none"
	case c.Endpoint.AuthStyle == oauth2.AuthStyleInHeader:
		return "client_secret_basic"
	}
	return "client_secret_post"
}

func authStyle(method string) oauth2.AuthStyle {
	if method == "client_secret_basic" {
		return oauth2.AuthStyleInHeader
	}
	return oauth2.AuthStyleInParams
}

// recordOf turns a token response into what is stored. The expiry is computed from
// expires_in with cfg's clock, so a test clock and the server agree.
func recordOf(t *oauth2.Token, now time.Time) *tokenRecord {
	r := &tokenRecord{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry, Obtained: now}
	if t.ExpiresIn > 0 {
		r.Expiry = now.Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	return r
}

func expiryText(t *oauth2.Token) string {
	if t.ExpiresIn > 0 {
		return fmt.Sprintf("in %s", time.Duration(t.ExpiresIn)*time.Second)
	}
	if t.Expiry.IsZero() {
		return "never"
	}
	return "at " + t.Expiry.UTC().Format(time.RFC3339)
}

// persist stores the client registration (when new) and then the tokens. If the tokens
// cannot be stored, a registration stored by this call is removed again, so a failed login
// leaves nothing half-stored.
func persist(ctx context.Context, cfg Config, rec *clientRecord, reused bool, tok *tokenRecord) error {
	ck, tk := key(cfg.Name, ItemClient), key(cfg.Name, ItemToken)
	if err := saveJSON(ctx, cfg.Store, ck, rec); err != nil {
		return err
	}
	if err := saveJSON(ctx, cfg.Store, tk, tok); err != nil {
		if !reused {
			deleteItem(context.WithoutCancel(ctx), cfg.Store, ck)
		}
		return err
	}
	cfg.logf("info", "connected: registration and tokens saved in the keychain")
	return nil
}

// explain adds to a login error the step that failed, when the tracer saw one.
func explain(cfg Config, tr *tracer, err error) error {
	var re *oauth2.RetrieveError
	var rege *oauthex.ClientRegistrationError
	switch {
	case errors.As(err, &re):
		// RetrieveError's message includes the response body: keep only its code.
		return fmt.Errorf("logging in to %s: the token endpoint refused the authorization code: %s %s: start the login again",
			cfg.label(), re.ErrorCode, re.ErrorDescription)
	case errors.As(err, &rege):
		return fmt.Errorf("logging in to %s: the authorization server refused to register Patchbay: %w", cfg.label(), err)
	}
	if f := tr.lastFailure(); f != "" {
		return fmt.Errorf("logging in to %s (%s): %w", cfg.label(), f, err)
	}
	return fmt.Errorf("logging in to %s: %w", cfg.label(), err)
}
