package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/patchbay-mcp/patchbay/connectors"
)

const sessionHeader = "Mcp-Session-Id"

// sessionKeeper keeps one client session's Streamable HTTP session alive across upstream
// session loss. It is an http.RoundTripper under go-sdk's StreamableClientTransport, one per
// transport (so per AI client session).
//
// go-sdk never re-initializes a session: a 404 for a known session id kills it
// (ErrSessionMissing). The keeper remembers the client's initialize request and
// notifications/initialized; when the server answers 404 for the session (it restarted, or
// expired the session), it replays both to open a new upstream session, retries the request
// there, and from then on maps the session id go-sdk holds to the live one in both
// directions. go-sdk, and so the client's session, never notice. Server-side session state
// (log level, subscriptions) starts afresh in the new session.
type sessionKeeper struct {
	base     http.RoundTripper
	hooks    connectors.Hooks
	label    string
	endpoint string // the MCP endpoint URL

	reinitMu sync.Mutex // serializes re-initializations

	mu        sync.Mutex // guards the fields below
	initBody  []byte     // the client's initialize request, verbatim
	initHdr   http.Header
	notifBody []byte // the client's notifications/initialized
	notifHdr  http.Header
	known     string // the session id go-sdk holds
	live      string // the session id the server knows now
	reinits   int
}

// Reinits returns how many times the upstream session was re-established.
func (k *sessionKeeper) Reinits() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.reinits
}

func (k *sessionKeeper) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Method == http.MethodPost && req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("reading the request body: %w", err)
		}
		body = b
		k.remember(req, body)
	}
	sent := req.Header.Get(sessionHeader)
	live := k.liveFor(sent)
	resp, err := k.base.RoundTrip(k.prepare(req, body, live))
	if err != nil && !needsAuth(err) && req.Context().Err() == nil && safeToRepeat(req, body) {
		// The connection dropped (a server restart, a network blip, a stale keep-alive):
		// once more on a new one, for requests that have no side effects. The other idle
		// connections most likely dropped with it: close them, or the retry would take one.
		if ci, ok := k.base.(interface{ CloseIdleConnections() }); ok {
			ci.CloseIdleConnections()
		}
		resp, err = k.base.RoundTrip(k.prepare(req, body, live))
	}
	if err != nil {
		if needsAuth(err) {
			return refusal(req, body, err), nil
		}
		return nil, err
	}
	if resp.StatusCode == http.StatusNotFound && sent != "" && req.Method != http.MethodDelete && k.canReinit() {
		drain(resp)
		newLive, err := k.reinit(req.Context(), live)
		if err != nil {
			return nil, fmt.Errorf("the upstream session of %s was lost and could not be re-established: %w", k.label, err)
		}
		resp, err = k.base.RoundTrip(k.prepare(req, body, newLive))
		if err != nil {
			if needsAuth(err) {
				return refusal(req, body, err), nil
			}
			return nil, err
		}
	}
	k.mapResponse(resp)
	return resp, nil
}

// safeToRepeat reports whether sending req twice cannot do harm: everything but a tool
// call (which may create a Notion page, say), so a tools/call that hit a dropped connection
// fails with an error rather than risking running twice.
func safeToRepeat(req *http.Request, body []byte) bool {
	if req.Method != http.MethodPost {
		return true
	}
	var m struct {
		Method string `json:"method"`
	}
	return json.Unmarshal(body, &m) == nil && m.Method != "tools/call"
}

// remember keeps the handshake messages to replay them later.
func (k *sessionKeeper) remember(req *http.Request, body []byte) {
	// Only the handshake matters: skip decoding anything else (a tool call's arguments can
	// be megabytes).
	if !bytes.Contains(body, []byte(`"initialize"`)) && !bytes.Contains(body, []byte(`"notifications/initialized"`)) {
		return
	}
	var m struct {
		Method string `json:"method"`
	}
	if json.Unmarshal(body, &m) != nil {
		return
	}
	switch m.Method {
	case "initialize":
		k.mu.Lock()
		k.initBody, k.initHdr = bytes.Clone(body), req.Header.Clone()
		k.known, k.live = "", ""
		k.mu.Unlock()
	case "notifications/initialized":
		k.mu.Lock()
		k.notifBody, k.notifHdr = bytes.Clone(body), req.Header.Clone()
		k.mu.Unlock()
	}
}

func (k *sessionKeeper) canReinit() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.initBody != nil
}

// liveFor maps the session id go-sdk sent to the one the server knows now.
func (k *sessionKeeper) liveFor(sent string) string {
	if sent == "" {
		return ""
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if sent == k.known && k.live != "" {
		return k.live
	}
	return sent
}

// prepare returns a copy of req with body and the live session id.
func (k *sessionKeeper) prepare(req *http.Request, body []byte, live string) *http.Request {
	r := req.Clone(req.Context())
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	if live != "" {
		r.Header.Set(sessionHeader, live)
	}
	return r
}

// mapResponse records the first session id and rewrites later ones to it.
func (k *sessionKeeper) mapResponse(resp *http.Response) {
	id := resp.Header.Get(sessionHeader)
	if id == "" {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case k.known == "":
		k.known, k.live = id, id
	case id == k.live:
		resp.Header.Set(sessionHeader, k.known)
	}
}

// reinit opens a new upstream session by replaying the handshake, unless another request
// already replaced failed. It returns the live session id.
func (k *sessionKeeper) reinit(ctx context.Context, failed string) (string, error) {
	k.reinitMu.Lock()
	defer k.reinitMu.Unlock()
	k.mu.Lock()
	live, initBody, initHdr, notifBody, notifHdr := k.live, k.initBody, k.initHdr, k.notifBody, k.notifHdr
	k.mu.Unlock()
	if live != failed {
		return live, nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	send := func(u string, hdr http.Header, body []byte, session string) (*http.Response, error) {
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		r.Header = hdr.Clone()
		r.Header.Del(sessionHeader)
		if session != "" {
			r.Header.Set(sessionHeader, session)
		}
		return k.base.RoundTrip(r)
	}
	u := k.endpoint
	resp, err := send(u, initHdr, initBody, "")
	if err != nil {
		return "", err
	}
	// Read the initialize response to its end (JSON, or an SSE stream the server closes
	// after the response) so the connection can be reused.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 16<<20))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("initialize answered %s", resp.Status)
	}
	id := resp.Header.Get(sessionHeader)
	if id == "" {
		return "", errors.New("the server gave no session id for the new session")
	}
	if notifBody != nil {
		resp, err := send(u, notifHdr, notifBody, id)
		if err != nil {
			return "", err
		}
		drain(resp)
	}
	k.mu.Lock()
	k.live = id
	k.reinits++
	k.mu.Unlock()
	k.hooks.LogLine("warn", fmt.Sprintf("%s: the upstream session was lost (HTTP 404); opened a new one, the client's session carries on", k.label))
	return id, nil
}
