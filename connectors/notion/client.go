package notion

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// APIVersion is the Notion-Version this connector speaks.
const APIVersion = "2025-09-03"

// DefaultBaseURL is Notion's API origin. Paths carry /v1 themselves.
const DefaultBaseURL = "https://api.notion.com"

// Defaults for the client's politeness. Notion allows an average of 3 requests per second
// per integration and says bursts above it are fine; it does not document their size. The
// bucket lets one large read (a 300-block page is about 80 requests) run at full speed
// after a pause while holding the long-run average to 3/s; should Notion still answer 429,
// the client waits Retry-After.
const (
	DefaultRate       = 3.0
	DefaultBurst      = 100
	DefaultTimeout    = 30 * time.Second // per HTTP attempt
	maxRetryAfter     = 60 * time.Second
	maxRetries        = 2
	maxResponseLength = 32 << 20
)

// Client calls the Notion REST API with one integration token. It is safe for concurrent
// use. Every request passes a shared rate limiter; a 429 waits Retry-After and retries (any
// method); a 5xx or network error retries with backoff for reads (GET) only, since a write
// may have happened. Every attempt has a deadline.
type Client struct {
	base    string
	token   string
	http    *http.Client
	limiter *rate.Limiter
	timeout time.Duration
	retries int
	log     func(level, msg string)
	count   atomic.Int64 // HTTP attempts made, for tests and benchmarks
	// sleep waits d or until ctx ends; tests replace it to avoid real waits.
	sleep func(ctx context.Context, d time.Duration) error
}

// ClientOptions tune a Client. The zero value gives the defaults.
type ClientOptions struct {
	// Rate is the average requests per second (default 3); Burst the bucket size (default 100).
	// A negative Rate disables the limiter.
	Rate  float64
	Burst int
	// Timeout bounds each HTTP attempt (default 30 s).
	Timeout time.Duration
	// HTTPClient is used instead of a default client.
	HTTPClient *http.Client
	// NoRetry turns off the retries of 429, 5xx and network errors (for one-shot checks).
	NoRetry bool
	// Log, when set, hears about waits and retries (never a secret).
	Log func(level, msg string)
}

// NewClient returns a client for the API at baseURL (an origin such as
// "https://api.notion.com"; a trailing "/v1" is tolerated) with the integration token.
func NewClient(baseURL, token string, o ClientOptions) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	baseURL = strings.TrimSuffix(strings.TrimSuffix(baseURL, "/"), "/v1")
	c := &Client{base: baseURL, token: token, http: o.HTTPClient, timeout: o.Timeout, sleep: sleepCtx, retries: maxRetries}
	if o.NoRetry {
		c.retries = 0
	}
	c.log = o.Log
	if c.log == nil {
		c.log = func(string, string) {}
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	r, b := o.Rate, o.Burst
	if r == 0 {
		r = DefaultRate
	}
	if b == 0 {
		b = DefaultBurst
	}
	if r > 0 {
		c.limiter = rate.NewLimiter(rate.Limit(r), b)
	}
	return c
}

// Requests returns the number of HTTP attempts made so far.
func (c *Client) Requests() int64 { return c.count.Load() }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// APIError is an error answer from Notion: {"object":"error","status","code","message"}.
type APIError struct {
	Status     int    `json:"status"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	RequestID  string `json:"request_id"`
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	return fmt.Sprintf("notion: %s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// IsCode reports whether err is an *APIError with the given code, e.g. "object_not_found".
func IsCode(err error, code string) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == code
}

// Do sends one API call: method, path (starting with /v1/), optional query and JSON body,
// and decodes the answer into out (if non-nil). It returns an *APIError for error answers.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encoding %s %s: %w", method, path, err)
		}
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	backoff := time.Second
	for attempt := 0; ; attempt++ {
		if c.limiter != nil {
			if err := c.limiter.Wait(ctx); err != nil {
				return fmt.Errorf("waiting for the rate limiter: %w", err)
			}
		}
		data, status, hdr, err := c.attempt(ctx, method, u, payload)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%s %s: %w", method, path, ctx.Err())
			}
			if method == http.MethodGet && attempt < c.retries {
				c.log("warn", fmt.Sprintf("notion: %s %s failed (%v); retrying in %s", method, path, err, backoff))
				if err := c.sleep(ctx, backoff); err != nil {
					return err
				}
				backoff *= 2
				continue
			}
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		if status/100 == 2 {
			if out == nil {
				return nil
			}
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("decoding the answer to %s %s: %w", method, path, err)
			}
			return nil
		}
		apiErr := &APIError{Status: status}
		if json.Unmarshal(data, apiErr) != nil || apiErr.Code == "" {
			apiErr.Code, apiErr.Message = "http_"+strconv.Itoa(status), strings.TrimSpace(string(data[:min(len(data), 300)]))
		}
		switch {
		case status == http.StatusTooManyRequests && attempt < c.retries:
			wait := retryAfter(hdr)
			apiErr.RetryAfter = wait
			if wait > maxRetryAfter {
				return apiErr
			}
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
				return apiErr
			}
			c.log("warn", fmt.Sprintf("notion: rate limited on %s %s; retrying in %s", method, path, wait))
			if err := c.sleep(ctx, wait); err != nil {
				return err
			}
			continue
		case status == http.StatusTooManyRequests:
			apiErr.RetryAfter = retryAfter(hdr)
			return apiErr
		case status >= 500 && method == http.MethodGet && attempt < c.retries:
			c.log("warn", fmt.Sprintf("notion: %s %s answered %d %s; retrying in %s", method, path, status, apiErr.Code, backoff))
			if err := c.sleep(ctx, backoff); err != nil {
				return err
			}
			backoff *= 2
			continue
		}
		return apiErr
	}
}

func retryAfter(h http.Header) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	return time.Second
}

// attempt makes one HTTP request with its own deadline.
func (c *Client) attempt(ctx context.Context, method, u string, payload []byte) ([]byte, int, http.Header, error) {
	c.count.Add(1)
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Notion-Version", APIVersion)
	req.Header.Set("User-Agent", "patchbay-notion")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, nil, redactToken(err, c.token)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseLength))
	if err != nil {
		return nil, 0, nil, fmt.Errorf("reading the answer: %w", err)
	}
	return data, resp.StatusCode, resp.Header, nil
}

// redactToken makes sure an error never carries the token (a base URL typed with the token
// in it, for instance).
func redactToken(err error, token string) error {
	if token != "" && strings.Contains(err.Error(), token) {
		return errors.New(strings.ReplaceAll(err.Error(), token, "[redacted]"))
	}
	return err
}
