package oauth

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// tracer is an http.RoundTripper that writes each OAuth request to the event log as a step
// (discovery, registration, token, refresh, revocation) with its status, and remembers the
// last failed step so that errors can say which one failed. It logs scheme, host and path
// only: never a query, a header or a body.
type tracer struct {
	cfg  Config
	base http.RoundTripper

	mu     sync.Mutex // guards failed
	failed string     // "registration answered HTTP 403", the last non-2xx step
}

func newTracedClient(cfg Config) (*http.Client, *tracer) {
	base := cfg.httpClient()
	t := &tracer{cfg: cfg, base: base.Transport}
	if t.base == nil {
		t.base = http.DefaultTransport
	}
	c := *base
	c.Transport = t
	return &c, t
}

func (t *tracer) RoundTrip(req *http.Request) (*http.Response, error) {
	step := t.step(req)
	resp, err := t.base.RoundTrip(req)
	where := req.Method + " " + plainURL(req.URL)
	if err != nil {
		t.cfg.logf("warn", "%s: %s: %v", step, where, err)
		return nil, err
	}
	level := "info"
	if resp.StatusCode >= 400 && !(step == stepProbe && resp.StatusCode == http.StatusUnauthorized) {
		level = "warn"
		t.mu.Lock()
		t.failed = step + " answered " + resp.Status
		t.mu.Unlock()
	}
	t.cfg.logf(level, "%s: %s → %s", step, where, resp.Status)
	return resp, nil
}

// lastFailure returns the last step that got an error status, or "".
func (t *tracer) lastFailure() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

// step names the OAuth step req belongs to. Token requests are told apart by grant_type,
// read from a copy of the form body (which is put back untouched).
func (t *tracer) step(req *http.Request) string {
	p := req.URL.Path
	switch {
	case plainURL(req.URL) == t.cfg.ResourceURL:
		return stepProbe
	case strings.Contains(p, "/.well-known/oauth-protected-resource"):
		return "discovery (protected resource metadata)"
	case strings.Contains(p, "/.well-known/"):
		return "discovery (authorization server metadata)"
	case req.Method == http.MethodPost && strings.HasPrefix(req.Header.Get("Content-Type"), "application/json"):
		return "registration"
	case req.Method == http.MethodPost && req.Body != nil:
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(b))
		if err != nil {
			return "token"
		}
		v, _ := url.ParseQuery(string(b))
		switch {
		case v.Get("grant_type") == "refresh_token":
			return "refresh"
		case v.Get("grant_type") == "authorization_code":
			return "token"
		case v.Get("token") != "":
			return "revocation"
		}
		return "token"
	}
	return "request"
}

// stepProbe is the unauthenticated MCP request whose 401 starts discovery.
const stepProbe = "probe (unauthenticated MCP request)"

// plainURL is u without query or fragment: what may be logged.
func plainURL(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment, c.User = "", "", nil
	return c.String()
}
