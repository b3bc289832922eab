package remotetest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"time"
)

func (s *Server) protectedResourceMetadata(w http.ResponseWriter, r *http.Request) {
	if s.opts.NoDiscovery {
		http.NotFound(w, r)
		return
	}
	if s.opts.MalformedDiscovery {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"resource": "`+s.MCPURL+`", "authorization_servers": [`)
		return
	}
	if r.PathValue("path") != "mcp" {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"resource":                 s.MCPURL,
		"authorization_servers":    []string{s.URL},
		"bearer_methods_supported": []string{"header"},
		"resource_name":            "Fake Notion MCP",
	})
}

func (s *Server) authServerMetadata(w http.ResponseWriter, r *http.Request) {
	if s.opts.NoDiscovery {
		http.NotFound(w, r)
		return
	}
	if s.opts.MalformedDiscovery {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html>not metadata</html>")
		return
	}
	m := map[string]any{
		"issuer":                                s.URL,
		"authorization_endpoint":                s.URL + "/authorize",
		"token_endpoint":                        s.URL + "/token",
		"registration_endpoint":                 s.URL + "/register",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"code_challenge_methods_supported":      []string{"S256"},
	}
	if !s.opts.NoRevocation {
		m["revocation_endpoint"] = s.URL + "/revoke"
	}
	writeJSON(w, http.StatusOK, m)
}

// register implements RFC 7591. Like Notion's, it defaults to client_secret_basic (and hands
// out a secret) unless the client asks to be public with token_endpoint_auth_method "none".
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	if s.opts.RefuseRegistration {
		oauthError(w, http.StatusForbidden, "access_denied", "dynamic client registration is disabled")
		return
	}
	var req struct {
		RedirectURIs            []string `json:"redirect_uris"`
		TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
		GrantTypes              []string `json:"grant_types"`
		ClientName              string   `json:"client_name"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_client_metadata", "body is not JSON")
		return
	}
	if len(req.RedirectURIs) == 0 {
		oauthError(w, http.StatusBadRequest, "invalid_redirect_uri", "redirect_uris is required")
		return
	}
	for _, u := range req.RedirectURIs {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "https" && !(p.Scheme == "http" && p.Hostname() == "127.0.0.1")) {
			oauthError(w, http.StatusBadRequest, "invalid_redirect_uri", "redirect URIs must be https or http://127.0.0.1")
			return
		}
	}
	method := req.TokenEndpointAuthMethod
	if method == "" {
		method = "client_secret_basic"
	}
	c := &client{id: newToken("client-"), authMethod: method, redirectURIs: req.RedirectURIs}
	if method != "none" {
		c.secret = newToken("secret-")
	}
	s.mu.Lock()
	s.clients[c.id] = c
	s.counts.Registrations++
	s.mu.Unlock()
	resp := map[string]any{
		"client_id":                  c.id,
		"client_id_issued_at":        s.opts.Now().Unix(),
		"redirect_uris":              c.redirectURIs,
		"token_endpoint_auth_method": method,
		"grant_types":                req.GrantTypes,
		"response_types":             []string{"code"},
		"client_name":                req.ClientName,
	}
	if c.secret != "" {
		resp["client_secret"] = c.secret
	}
	writeJSON(w, http.StatusCreated, resp)
}

// authorize validates the request and shows a consent page. Errors about the client or the
// redirect URI are shown to the user and never redirected (RFC 6749 §4.1.2.1).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	c := s.clients[q.Get("client_id")]
	s.mu.Unlock()
	if c == nil {
		http.Error(w, "Invalid client. The client_id is not registered.", http.StatusBadRequest)
		return
	}
	redirect := q.Get("redirect_uri")
	if !slices.Contains(c.redirectURIs, redirect) {
		http.Error(w, "Invalid redirect URI. It does not match a registered one.", http.StatusBadRequest)
		return
	}
	fail := func(code, desc string) {
		u, _ := url.Parse(redirect)
		v := url.Values{"error": {code}, "error_description": {desc}, "state": {q.Get("state")}}
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "response_type must be code")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "PKCE with S256 is required")
		return
	case q.Get("resource") != "" && q.Get("resource") != s.MCPURL:
		fail("invalid_target", "unknown resource")
		return
	}
	id := newToken("req-")
	s.mu.Lock()
	s.pending[id] = &authRequest{
		clientID: c.id, redirectURI: redirect, state: q.Get("state"),
		challenge: q.Get("code_challenge"), resource: q.Get("resource"), scope: q.Get("scope"),
	}
	s.counts.Authorizes++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><title>Fake Notion</title><form method="post" action="/authorize/consent">`+
		`<input type="hidden" name="request" value="%s">`+
		`<button name="decision" value="approve">Allow access</button>`+
		`<button name="decision" value="deny">Cancel</button></form>`, html.EscapeString(id))
}

// consent is the consent form's target: it redirects to the client with a code or an error.
func (s *Server) consent(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("request")
	s.mu.Lock()
	req := s.pending[id]
	delete(s.pending, id)
	s.mu.Unlock()
	if req == nil {
		http.Error(w, "This authorization request expired. Start again.", http.StatusBadRequest)
		return
	}
	u, _ := url.Parse(req.redirectURI)
	v := url.Values{"state": {req.state}}
	if r.PostFormValue("decision") != "approve" {
		v.Set("error", "access_denied")
		v.Set("error_description", "The user denied access")
	} else {
		code := newToken("code-")
		s.mu.Lock()
		s.codes[code] = &authCode{req: *req, expires: s.opts.Now().Add(10 * time.Minute)}
		s.mu.Unlock()
		v.Set("code", code)
	}
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// authenticateClient checks the client's credentials the way its registration says, and
// refuses a mix of methods ("Client must not use multiple authentication methods").
func (s *Server) authenticateClient(r *http.Request) (*client, string) {
	basicID, basicSecret, hasBasic := r.BasicAuth()
	bodyID, bodySecret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	id := bodyID
	if hasBasic {
		if bodySecret != "" {
			return nil, "Client must not use multiple authentication methods"
		}
		id, _ = url.QueryUnescape(basicID)
	}
	s.mu.Lock()
	c := s.clients[id]
	s.mu.Unlock()
	if c == nil {
		return nil, "Client not found"
	}
	switch c.authMethod {
	case "none":
		if hasBasic || bodySecret != "" {
			return nil, "Public client must not authenticate"
		}
	case "client_secret_post":
		if subtle.ConstantTimeCompare([]byte(bodySecret), []byte(c.secret)) != 1 {
			return nil, "Invalid client secret"
		}
	default:
		sec, _ := url.QueryUnescape(basicSecret)
		if !hasBasic || subtle.ConstantTimeCompare([]byte(sec), []byte(c.secret)) != 1 {
			return nil, "Invalid client secret"
		}
	}
	return c, ""
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "body is not a form")
		return
	}
	c, why := s.authenticateClient(r)
	if c == nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", why)
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		s.codeGrant(w, r, c)
	case "refresh_token":
		s.refreshGrant(w, r, c)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
	}
}

func (s *Server) invalidGrant(w http.ResponseWriter, desc string) {
	s.counts.InvalidGrants++
	oauthError(w, http.StatusBadRequest, "invalid_grant", desc)
}

func (s *Server) codeGrant(w http.ResponseWriter, r *http.Request, c *client) {
	f := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	code := s.codes[f.Get("code")]
	switch {
	case code == nil || code.used || s.opts.Now().After(code.expires):
		s.invalidGrant(w, "Invalid or expired authorization code")
		return
	case code.req.clientID != c.id:
		s.invalidGrant(w, "Client ID mismatch")
		return
	case code.req.redirectURI != f.Get("redirect_uri"):
		s.invalidGrant(w, "Invalid redirect URI")
		return
	case f.Get("resource") != "" && f.Get("resource") != code.req.resource:
		oauthError(w, http.StatusBadRequest, "invalid_target", "resource does not match the authorization request")
		return
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if f.Get("code_verifier") == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != code.req.challenge {
		s.invalidGrant(w, "Invalid PKCE code_verifier")
		return
	}
	code.used = true
	g := &grant{id: newToken("grant-"), clientID: c.id, user: User, resource: code.req.resource}
	s.grants[g.id] = g
	s.counts.CodeGrants++
	s.issue(w, g, code.req.scope)
}

// refreshGrant rotates refresh tokens the way workers-oauth-provider does: the token just
// used becomes "previous" and stays valid until the new one is used, so a client that lost
// a response can retry, but two refreshes racing with the same token leave one of the two
// new tokens dead.
func (s *Server) refreshGrant(w http.ResponseWriter, r *http.Request, c *client) {
	rt := r.PostForm.Get("refresh_token")
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.grants[s.refresh[rt]]
	if g == nil || g.revoked || (rt != g.current && rt != g.previous) {
		s.invalidGrant(w, "Invalid refresh token")
		return
	}
	if g.clientID != c.id {
		s.invalidGrant(w, "Client ID mismatch")
		return
	}
	if g.previous != "" && g.previous != rt {
		delete(s.refresh, g.previous)
	}
	if rt == g.previous && g.current != "" {
		delete(s.refresh, g.current)
	}
	g.previous = rt
	g.current = ""
	s.counts.Refreshes++
	s.issue(w, g, "")
}

// issue writes a token response for g; s.mu is held.
func (s *Server) issue(w http.ResponseWriter, g *grant, scope string) {
	at, rt := newToken("at-"), newToken("rt-")
	s.access[at] = &accessToken{grantID: g.id, expires: s.opts.Now().Add(s.opts.AccessTTL)}
	s.refresh[rt] = g.id
	g.current = rt
	resp := map[string]any{
		"access_token":  at,
		"token_type":    "bearer",
		"expires_in":    int(s.opts.AccessTTL / time.Second),
		"refresh_token": rt,
	}
	if scope != "" {
		resp["scope"] = scope
	}
	writeJSON(w, http.StatusOK, resp)
}

// revoke implements RFC 7009: revoking either token revokes the whole grant. Unknown tokens
// are not an error.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	if s.opts.NoRevocation {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "body is not a form")
		return
	}
	if c, why := s.authenticateClient(r); c == nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", why)
		return
	}
	tok := r.PostForm.Get("token")
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.refresh[tok]
	if a := s.access[tok]; a != nil {
		id = a.grantID
	}
	if g := s.grants[id]; g != nil && !g.revoked {
		g.revoked = true
		s.counts.Revocations++
	}
	w.WriteHeader(http.StatusOK)
}

// checkBearer returns the grant of a valid bearer token on r, or nil.
func (s *Server) checkBearer(r *http.Request) *grant {
	const prefix = "Bearer "
	h := r.Header.Get("Authorization")
	if len(h) <= len(prefix) || !equalFoldASCII(h[:len(prefix)], prefix) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.access[h[len(prefix):]]
	if a == nil || !s.opts.Now().Before(a.expires) {
		return nil
	}
	g := s.grants[a.grantID]
	if g == nil || g.revoked || s.clients[g.clientID] == nil {
		return nil
	}
	return g
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}
