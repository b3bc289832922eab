package notion

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patchbay-mcp/patchbay/connectors/notion/notiontest"
)

func countPrefix(reqs []string, prefix string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func TestRateLimitedWaitsRetryAfter(t *testing.T) {
	r := newRig(t)
	var logs []string
	r.svc.c.log = func(level, msg string) { logs = append(logs, level+" "+msg) }
	r.fake.Throttle(2, 3)
	mustContain(t, r.ok(ToolSearch, map[string]any{"query": "Engineering"}), "Engineering · page")
	if len(logs) != 2 || logs[0] != "warn notion: rate limited on POST /v1/search; retrying in 3s" {
		t.Errorf("logged %q", logs)
	}
	if len(r.waits) != 2 || r.waits[0] != 3*time.Second || r.waits[1] != 3*time.Second {
		t.Errorf("waits = %v, want two of 3s (Retry-After)", r.waits)
	}
	if n := countPrefix(r.fake.Requests(), "POST /v1/search"); n != 3 {
		t.Errorf("%d search requests, want 3", n)
	}
	// Still limited after the retries: the agent is told to wait.
	r.fake.Throttle(10, 2)
	msg := r.fails(ToolSearch, map[string]any{"query": "x"})
	mustContain(t, msg, "rate_limited", "Wait 2s and retry")
	// A Retry-After longer than the call's deadline is not waited for.
	r.fake.Throttle(1, 30)
	r.svc.cfg.CallTimeout = 5 * time.Second
	r.waits = nil
	mustContain(t, r.fails(ToolSearch, map[string]any{"query": "x"}), "Wait 30s")
	if len(r.waits) != 0 {
		t.Errorf("waited %v past the deadline", r.waits)
	}
}

func TestServerErrorsRetryReadsOnly(t *testing.T) {
	r := newRig(t)
	r.fake.Fail(2, 503)
	mustContain(t, r.ok(ToolGetSelf, map[string]any{}), "Patchbay Test Bot")
	if len(r.waits) != 2 || r.waits[0] != time.Second || r.waits[1] != 2*time.Second {
		t.Errorf("backoff waits = %v, want [1s 2s]", r.waits)
	}
	r.fake.ResetRequests()
	r.fake.Fail(1, 500)
	msg := r.fails(ToolAppend, map[string]any{"page_id": r.s.Meeting, "content": "x"})
	mustContain(t, msg, "internal_server_error", "retry in a minute")
	if n := len(r.fake.Requests()); n != 1 {
		t.Errorf("a failed write was sent %d times, want once", n)
	}
}

func TestErrorsTellTheAgentWhatToDo(t *testing.T) {
	fake, url := notiontest.Start(t)
	bad := newRigFor(t, fake, url, "ntn_wrong")
	mustContain(t, bad.fails(ToolSearch, map[string]any{"query": "x"}), "unauthorized", "fresh token", "patchbay add notion")
	if len(bad.auth) != 1 || !strings.Contains(bad.auth[0], "unauthorized") {
		t.Errorf("NeedsAuth calls = %v", bad.auth)
	}
	r := newRigFor(t, fake, url, notiontest.Token)
	fake.Restrict("/v1/comments")
	mustContain(t, r.fails(ToolGetComments, map[string]any{"page_id": r.s.Engineering}), "restricted_resource", "Capabilities", "“Read comments”", "“Patchbay Test Bot”")
	mustContain(t, r.fails(ToolCreateComment, map[string]any{"page_id": r.s.Engineering, "content": "hi"}), "“Insert comments”")
	long := strings.Repeat("x", 1500)
	msg := r.fails(ToolCreatePages, map[string]any{"parent": map[string]any{"page_id": r.s.Meeting},
		"pages": []any{map[string]any{"title": "eq", "content": "$$\n" + long + "\n$$"}}})
	mustContain(t, msg, "validation_error", "The field at fault is children[0].equation.expression")
}

func TestClientHonoursContextDeadline(t *testing.T) {
	_, url := notiontest.Start(t)
	c := NewClient(url, notiontest.Token, ClientOptions{Rate: 0.001, Burst: 1})
	ctx := context.Background()
	if _, err := c.Me(ctx); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := c.Me(ctx); err == nil || !strings.Contains(err.Error(), "rate limiter") {
		t.Errorf("second call past the limiter: %v", err)
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	token := "ntn_secret_value_123"
	c := NewClient("http://127.0.0.1:1/"+token, token, ClientOptions{Rate: -1})
	c.sleep = func(context.Context, time.Duration) error { return nil }
	_, err := c.Me(context.Background())
	if err == nil || strings.Contains(err.Error(), token) {
		t.Errorf("error leaks the token or is nil: %v", err)
	}
	var e *APIError
	if errors.As(err, &e) {
		t.Errorf("network failure reported as an API error: %v", err)
	}
}

// TestWriterSplitsAtTheLimits checks the request pattern of a big append: the fake rejects
// any request over 100 children or two levels of nesting, so success means every request
// fit; the counts show the splitting happened.
func TestWriterSplitsAtTheLimits(t *testing.T) {
	r := newRig(t)
	r.fake.ResetRequests()
	r.ok(ToolAppend, map[string]any{"page_id": r.s.Meeting, "content": bigDocument()})
	reqs := r.fake.Requests()
	patches := countPrefix(reqs, "PATCH /v1/blocks/")
	// 137 top-level blocks: two requests; the table's 20 extra rows, level 3 and 4 of the
	// list, and the table under the toggle's child each need one more.
	if patches < 5 {
		t.Errorf("only %d append requests for a document past every limit:\n%s", patches, strings.Join(reqs, "\n"))
	}
	if gets := countPrefix(reqs, "GET /v1/blocks/"); gets == 0 {
		t.Error("deferred nested content was appended without looking up the created blocks")
	}
}

// TestFetchConcurrencyIsBounded checks that a fetch reads nested blocks in parallel but
// never has more than Config.Concurrency requests in flight.
func TestFetchConcurrencyIsBounded(t *testing.T) {
	fake := notiontest.New()
	var inFlight, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond) // long enough for requests to overlap
		fake.ServeHTTP(w, r)
		inFlight.Add(-1)
	}))
	t.Cleanup(srv.Close)
	r := newRigFor(t, fake, srv.URL, notiontest.Token)
	r.svc.cfg.Concurrency = 3
	r.ok(ToolFetch, map[string]any{"id": r.s.BlockZoo})
	if p := peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak concurrency %d, want 2..3", p)
	}
}
