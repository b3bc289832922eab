package bridge

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge/events"
)

// Client talks to a running bridge over its local API. The CLI, the tray, the shim and tests
// all use it. A Client is safe for concurrent use; it holds idle connections, released by
// CloseIdleConnections.
type Client struct {
	socket string
	hc     *http.Client
}

// NewClient returns a client of the bridge listening at socket (paths.Layout.SocketPath).
// It does not connect until the first call.
func NewClient(socket string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialSocket(ctx, socket)
		},
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	return &Client{socket: socket, hc: &http.Client{Transport: tr}}
}

// Socket is the path the client dials.
func (c *Client) Socket() string { return c.socket }

// CloseIdleConnections closes kept-alive connections to the bridge.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

func (c *Client) url(path string, q url.Values) string {
	u := "http://patchbay" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// do sends a request with body encoded as JSON (nil: no body) and decodes a JSON answer into
// out (nil: ignored). Non-2xx answers become *APIError; an unreachable bridge ErrNotRunning.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url(path, nil), rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return c.transportErr(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return readAPIError(resp)
	}
	if out == nil {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("reading the bridge's answer to %s %s: %w", method, path, err)
	}
	return nil
}

func (c *Client) transportErr(err error) error {
	if errors.Is(err, ErrNotRunning) {
		return ErrNotRunning
	}
	return fmt.Errorf("reaching the bridge at %s: %w", c.socket, err)
}

func readAPIError(resp *http.Response) error {
	var b apiErrorBody
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if json.Unmarshal(data, &b) != nil || b.Error == "" {
		b.Error = fmt.Sprintf("the bridge answered %s", resp.Status)
	}
	return &APIError{Status: resp.StatusCode, Code: b.Code, Message: b.Error}
}

// Status returns the bridge's and every connection's status.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var s Status
	if err := c.do(ctx, http.MethodGet, "/v1/status", nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Add saves a new connection (and its secrets, in the keychain).
func (c *Client) Add(ctx context.Context, req AddRequest) (*ConnectionStatus, error) {
	var s ConnectionStatus
	if err := c.do(ctx, http.MethodPost, "/v1/connections", req, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Remove deletes a connection, ends its sessions and deletes the secrets the bridge knows it
// owns. Removing a connection that does not exist is an error IsNotFound reports.
func (c *Client) Remove(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/v1/connections/"+url.PathEscape(name), nil, nil)
}

// SetSecret stores value in the keychain as item of connection name (for example item
// "env/NOTION_TOKEN" or "token"). The value travels only over the private socket.
func (c *Client) SetSecret(ctx context.Context, name, item, value string) error {
	return c.do(ctx, http.MethodPut, "/v1/connections/"+url.PathEscape(name)+"/secrets/"+item, SecretRequest{Value: value}, nil)
}

// Tools lists the upstream's tools, each marked enabled or not. It starts an upstream
// session if needed (for a stdio server, a process).
func (c *Client) Tools(ctx context.Context, name string) ([]ToolStatus, error) {
	var ts []ToolStatus
	if err := c.do(ctx, http.MethodGet, "/v1/connections/"+url.PathEscape(name)+"/tools", nil, &ts); err != nil {
		return nil, err
	}
	return ts, nil
}

// SetToolEnabled shows or hides a tool from AI clients; sessions attached now see the change
// at once (tools/list_changed). Idempotent.
func (c *Client) SetToolEnabled(ctx context.Context, name, tool string, enabled bool) error {
	return c.do(ctx, http.MethodPut, "/v1/connections/"+url.PathEscape(name)+"/tools/"+url.PathEscape(tool), ToolEnableRequest{Enabled: enabled}, nil)
}

// Call calls a tool once on its own upstream session.
func (c *Client) Call(ctx context.Context, name string, req CallRequest) (*CallResult, error) {
	var r CallResult
	if err := c.do(ctx, http.MethodPost, "/v1/connections/"+url.PathEscape(name)+"/call", req, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Shutdown asks the bridge to stop; it returns once the bridge has accepted.
func (c *Client) Shutdown(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/v1/shutdown", nil, nil)
}

// EventsQuery selects events to read.
type EventsQuery struct {
	// Since returns only events with a larger id.
	Since uint64
	// Tail keeps only the last Tail matching events of the catch-up (0: all).
	Tail int
	// Follow keeps the stream open and delivers new events as they happen.
	Follow bool
	events.Filter
}

// Events calls fn with every selected event, oldest first. Without Follow it returns after
// the catch-up; with Follow it returns when ctx is done (nil), the bridge goes away (an
// error) or fn returns an error (that error).
func (c *Client) Events(ctx context.Context, q EventsQuery, fn func(events.Event) error) error {
	v := url.Values{}
	if q.Since > 0 {
		v.Set("since", strconv.FormatUint(q.Since, 10))
	}
	if q.Tail > 0 {
		v.Set("tail", strconv.Itoa(q.Tail))
	}
	if q.Follow {
		v.Set("follow", "1")
	}
	for k, s := range map[string]string{"connection": q.Connection, "method": q.Method, "kind": q.Kind} {
		if s != "" {
			v.Set(k, s)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url("/v1/events", v), nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return c.transportErr(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return readAPIError(resp)
	}
	dec := json.NewDecoder(bufio.NewReader(resp.Body))
	for {
		var e events.Event
		if err := dec.Decode(&e); err != nil {
			if err == io.EOF || ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("reading events: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
}

// OpenMCP opens a raw MCP stream to connection name: newline-delimited JSON-RPC both ways,
// relayed by the bridge to a fresh upstream session. ctx bounds opening the stream; the
// stream outlives it. The caller closes the stream. An unknown name is an error IsNotFound
// reports.
func (c *Client) OpenMCP(ctx context.Context, name string) (io.ReadWriteCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url("/v1/connections/"+url.PathEscape(name)+"/mcp", nil), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", UpgradeProtocol)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.transportErr(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		defer resp.Body.Close()
		return nil, readAPIError(resp)
	}
	rwc, ok := resp.Body.(io.ReadWriteCloser)
	if !ok {
		resp.Body.Close()
		return nil, errors.New("the bridge's MCP stream is not writable")
	}
	return rwc, nil
}

// Handed is a session whose client stdio the bridge took (see handover.go).
type Handed struct {
	// Control is the stream the session was opened on; the bridge hangs it up when it lets
	// go of the client's stdio.
	Control *net.UnixConn
	// Notes is the read end of the pipe the bridge writes its notes to.
	Notes *os.File
}

// Close closes both.
func (h *Handed) Close() error {
	h.Notes.Close()
	return h.Control.Close()
}

// OpenMCPHandover opens a stream to connection name as OpenMCP does, and offers the bridge
// the AI client's stdin and stdout (pipes or sockets; see handover.go). If the bridge takes them, it
// returns the Handed session and no stream; otherwise (a bridge or system without the
// handover) an ordinary stream. ctx bounds the opening only.
func (c *Client) OpenMCPHandover(ctx context.Context, name string, stdin, stdout *os.File) (stream io.ReadWriteCloser, handed *Handed, err error) {
	conn, err := dialSocket(ctx, c.socket)
	if err != nil {
		return nil, nil, c.transportErr(err)
	}
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		conn.Close()
		return nil, nil, errors.New("the bridge's socket is not a unix socket")
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	fail := func(err error) (io.ReadWriteCloser, *Handed, error) {
		conn.Close()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, nil, c.transportErr(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.url("/v1/connections/"+url.PathEscape(name)+"/mcp", nil), nil)
	if err != nil {
		return fail(err)
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", UpgradeProtocol)
	req.Header.Set(HandoverHeader, handoverFDs)
	if err := req.Write(conn); err != nil {
		return fail(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		apiErr := readAPIError(resp)
		conn.Close()
		return nil, nil, apiErr
	}
	if !stop() {
		return fail(ctx.Err())
	}
	conn.SetDeadline(time.Time{})
	if resp.Header.Get(HandoverHeader) != handoverFDs {
		return readWriteCloser{Reader: br, Writer: conn, close: conn.Close}, nil, nil
	}
	if br.Buffered() > 0 {
		return fail(errors.New("the bridge wrote before it had the client's pipes"))
	}
	r, w, err := newNotesPipe()
	if err != nil {
		return fail(err)
	}
	err = sendFDs(uc, stdin, stdout, w)
	w.Close() // the bridge has its own copy; the shim must see the end of the notes
	if err != nil {
		r.Close()
		return fail(err)
	}
	return nil, &Handed{Control: uc, Notes: r}, nil
}
