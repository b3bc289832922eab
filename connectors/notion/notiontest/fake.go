// Package notiontest is a fake Notion REST API (Notion-Version 2025-09-03) for tests and
// benchmarks: an honest in-memory server that enforces the rules real clients trip over
// (bearer auth, the Notion-Version header, invalid_request_url for unknown paths,
// object_not_found for ids not shared with the integration, request-size limits, opaque
// pagination cursors, and on demand 429 rate_limited with Retry-After).
//
// New returns a fake seeded with a sample workspace (see Sample); Start serves it on
// 127.0.0.1. The same fake can serve Patchbay's native connector and the official
// @notionhq/notion-mcp-server (through its BASE_URL variable).
package notiontest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is the integration token every fake accepts unless Fake.Token is changed.
const Token = "ntn_fake_4f0c2b8e1d7a49c3b5e6f7a8b9c0d1e2"

// Fake is a fake Notion API. It is safe for concurrent use. Create it with New.
type Fake struct {
	// Token is the bearer token the fake accepts. Set it before serving.
	Token string

	mu         sync.Mutex // guards everything below
	ws         *workspace
	requests   []string // "METHOD /path" of every request, in order
	throttle   int      // the next throttle requests get 429
	retryAfter int      // seconds, sent with those 429s
	failN      int      // the next failN requests get failStatus
	failStatus int
	restricted []string // path prefixes answered 403 restricted_resource
}

// New returns a fake serving the sample workspace.
func New() *Fake {
	f := &Fake{Token: Token}
	f.ws = newWorkspace()
	seed(f.ws)
	return f
}

// Start serves a new sample fake on 127.0.0.1 for the duration of the test.
func Start(tb testing.TB) (*Fake, string) {
	tb.Helper()
	f := New()
	srv := httptest.NewServer(f)
	tb.Cleanup(srv.Close)
	return f, srv.URL
}

// Throttle makes the next n requests fail with 429 rate_limited and Retry-After: seconds.
func (f *Fake) Throttle(n, seconds int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.throttle, f.retryAfter = n, seconds
}

// Fail makes the next n requests fail with status (500, 502, 503 or 504) and Notion's
// matching error code.
func (f *Fake) Fail(n, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failN, f.failStatus = n, status
}

// Restrict makes every request whose path starts with prefix (e.g. "/v1/comments") fail
// with 403 restricted_resource, as when the integration lacks a capability.
func (f *Fake) Restrict(prefix string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.restricted = append(f.restricted, prefix)
}

// Requests returns "METHOD /path" for every request received so far.
func (f *Fake) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// ResetRequests forgets the request log.
func (f *Fake) ResetRequests() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = nil
}

// apiError is an error answer of the API.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func errNotFound(id string) *apiError {
	return &apiError{404, "object_not_found", fmt.Sprintf("Could not find object with ID: %s. Make sure the relevant pages and databases are shared with your integration.", id)}
}

func errValidation(format string, a ...any) *apiError {
	return &apiError{400, "validation_error", fmt.Sprintf(format, a...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("x-notion-request-id", "fake-request")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, map[string]any{"object": "error", "status": e.status, "code": e.code, "message": e.msg, "request_id": "fake-request"})
}

// ServeHTTP implements http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	if f.throttle > 0 {
		f.throttle--
		w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter))
		writeError(w, &apiError{429, "rate_limited", "You have been rate limited. Please try again in a few minutes."})
		return
	}
	if f.failN > 0 {
		f.failN--
		code := map[int]string{500: "internal_server_error", 502: "bad_gateway", 503: "service_unavailable", 504: "gateway_timeout"}[f.failStatus]
		writeError(w, &apiError{f.failStatus, code, "Unexpected error occurred."})
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.Token {
		writeError(w, &apiError{401, "unauthorized", "API token is invalid."})
		return
	}
	if r.Header.Get("Notion-Version") == "" {
		writeError(w, &apiError{400, "missing_version", "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`."})
		return
	}
	for _, p := range f.restricted {
		if strings.HasPrefix(r.URL.Path, p) {
			writeError(w, &apiError{403, "restricted_resource", "Insufficient permissions for this endpoint."})
			return
		}
	}
	var body map[string]any
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 500*1024+1024))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil && err.Error() != "EOF" {
			writeError(w, &apiError{400, "invalid_json", "Error parsing JSON body."})
			return
		}
		if body == nil {
			body = map[string]any{}
		}
	}
	f.ws.clock = f.ws.clock.Add(time.Minute)
	res, aerr := f.route(r, body)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, 200, res)
}

// route dispatches a request to its handler; f.mu is held.
func (f *Fake) route(r *http.Request, body map[string]any) (any, *apiError) {
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(seg) < 2 || seg[0] != "v1" {
		return nil, badURL(r)
	}
	seg = seg[1:]
	q := r.URL.Query()
	m := r.Method
	is := func(method string, n int, first ...string) bool {
		if m != method || len(seg) != n {
			return false
		}
		for i, s := range first {
			if s != "*" && seg[i] != s {
				return false
			}
		}
		return true
	}
	switch {
	case is("GET", 2, "users", "me"):
		return f.ws.bot, nil
	case is("GET", 1, "users"):
		return paginate(f.ws.userList(), "user", q.Get("start_cursor"), q.Get("page_size"))
	case is("GET", 2, "users"):
		return f.getUser(seg[1])
	case is("POST", 1, "search"):
		return f.search(body)
	case is("POST", 1, "pages"):
		return f.createPage(body)
	case is("GET", 2, "pages"):
		return f.getPage(seg[1])
	case is("PATCH", 2, "pages"):
		return f.patchPage(seg[1], body)
	case is("GET", 3, "blocks", "*", "children"):
		return f.listChildren(seg[1], q.Get("start_cursor"), q.Get("page_size"))
	case is("PATCH", 3, "blocks", "*", "children"):
		return f.appendChildren(seg[1], body)
	case is("GET", 2, "blocks"):
		return f.getBlock(seg[1])
	case is("PATCH", 2, "blocks"):
		return f.patchBlock(seg[1], body)
	case is("DELETE", 2, "blocks"):
		return f.deleteBlock(seg[1])
	case is("GET", 2, "databases"):
		return f.getDatabase(seg[1])
	case is("GET", 2, "data_sources"):
		return f.getDataSource(seg[1])
	case is("POST", 3, "data_sources", "*", "query"):
		return f.query(seg[1], body)
	case is("GET", 1, "comments"):
		return f.listComments(q.Get("block_id"), q.Get("start_cursor"), q.Get("page_size"))
	case is("POST", 1, "comments"):
		return f.createComment(body)
	}
	return nil, badURL(r)
}

func badURL(r *http.Request) *apiError {
	return &apiError{400, "invalid_request_url", fmt.Sprintf("Invalid request URL: %s %s", r.Method, r.URL.Path)}
}

// paginate returns one page of a list response. Cursors are opaque to clients.
func paginate(items []any, typ, cursor, size string) (any, *apiError) {
	n := 100
	if size != "" {
		v, err := strconv.Atoi(size)
		if err != nil || v < 1 || v > 100 {
			return nil, errValidation("page_size should be a number between 1 and 100, instead was `%s`.", size)
		}
		n = v
	}
	start := 0
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		v, err2 := strconv.Atoi(strings.TrimPrefix(string(raw), "cur:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(raw), "cur:") || v < 0 || v > len(items) {
			return nil, errValidation("start_cursor should be a valid cursor, instead was `%s`.", cursor)
		}
		start = v
	}
	end := min(start+n, len(items))
	var next any
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte("cur:" + strconv.Itoa(end)))
	}
	page := items[start:end]
	if page == nil {
		page = []any{}
	}
	return map[string]any{"object": "list", "results": page, "next_cursor": next, "has_more": next != nil, "type": typ, typ: map[string]any{}, "request_id": "fake-request"}, nil
}

// bodyPaging reads start_cursor and page_size from a POST body.
func bodyPaging(body map[string]any) (string, string) {
	c, _ := body["start_cursor"].(string)
	s := ""
	if v, ok := body["page_size"]; ok {
		s = fmt.Sprint(v)
	}
	return c, s
}
