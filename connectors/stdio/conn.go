package stdio

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// DefaultMaxMessageBytes bounds one inbound line when ConnOptions.MaxMessageBytes is 0.
const DefaultMaxMessageBytes = 16 << 20

// Direction of a message through a Conn, from the Conn's own point of view.
type Direction int

const (
	// Inbound: read from the peer.
	Inbound Direction = iota
	// Outbound: written to the peer.
	Outbound
)

// ConnOptions configure a Conn.
type ConnOptions struct {
	// MaxMessageBytes bounds one inbound line; 0 means DefaultMaxMessageBytes. A longer line
	// is discarded as it streams in (it is never buffered whole) and does not end the
	// session: an oversized request is answered with a JSON-RPC error written to the peer,
	// an oversized response is turned into a JSON-RPC error response for the local caller,
	// and an oversized notification is dropped.
	MaxMessageBytes int
	// Tap, if set, sees every message that passes, with its encoded form (no newline). It
	// runs inline on the read or write path, so it must be quick. The Conn never reuses
	// raw, so Tap may keep it, but must not modify it. msg is nil for lines that were not
	// decoded: those written with WriteLine and, while an Intercept func is set, every
	// inbound line, tapped before the func sees it (decode raw if needed; it may not be
	// valid JSON-RPC).
	Tap func(dir Direction, msg jsonrpc.Message, raw []byte)
	// Intercept, if set, is the initial Intercept func (see SetIntercept).
	Intercept func(line []byte) bool
	// ReplyToParseErrors makes a line that is not a JSON-RPC message get a JSON-RPC parse
	// error (id null) written back, as the spec asks of a server. When false (the upstream
	// side: children that print junk on stdout) such lines are only reported to OnBadInput.
	ReplyToParseErrors bool
	// OnBadInput, if set, hears about lines that were not relayed (malformed or oversized).
	// desc never contains the line itself, which may hold secrets.
	OnBadInput func(desc string)
	// DecorateReadError, if set, may replace the error that ends reading (for example to
	// say that a child exited, with its exit status). It may block briefly.
	DecorateReadError func(err error) error
}

// Conn is an mcp.Connection speaking newline-delimited JSON-RPC over a byte stream: the
// framing of MCP's stdio transport, used both for children's stdin/stdout and for the
// shim's socket. Unlike the SDK's IOTransport, an oversized or malformed line costs one
// message, not the session.
//
// Read must not be called concurrently with itself (the SDK never does); Write and Close
// are safe for concurrent use, and Close unblocks a pending Read if the underlying reader
// unblocks when closed (sockets and os pipes do).
type Conn struct {
	opts   ConnOptions
	max    int
	r      *bufio.Reader
	w      io.Writer
	closer func() error

	writeMu sync.Mutex // guards writes to w, so each message is one contiguous line

	pending []jsonrpc.Message // synthesised messages to return before reading more; Read-only

	intercept atomic.Pointer[func(line []byte) bool] // see SetIntercept

	closeOnce sync.Once
	closeErr  error
}

// NewConn returns a Conn reading r and writing w; closer is called once by Close (it should
// close both directions and may return an exit error).
func NewConn(r io.Reader, w io.Writer, closer func() error, opts ConnOptions) *Conn {
	max := opts.MaxMessageBytes
	if max <= 0 {
		max = DefaultMaxMessageBytes
	}
	c := &Conn{opts: opts, max: max, r: bufio.NewReaderSize(r, 64<<10), w: w, closer: closer}
	if opts.Intercept != nil {
		c.SetIntercept(opts.Intercept)
	}
	return c
}

// SetIntercept makes Read call f with each complete, non-empty inbound line (trimmed, no
// newline) before decoding it, on Read's goroutine; an oversized response is offered as
// the error response the Conn makes of it. If f returns true the line is consumed:
// it is not decoded and Read does not return it. While f is set, Tap sees each inbound
// line, with a nil msg, before f does. f may keep line (the Conn never reuses it) but must
// not modify it. f blocks Read while it runs.
// nil removes the hook. Safe to call at any time, from any goroutine; a Read in progress
// may still use the previous func for the line it is handling.
func (c *Conn) SetIntercept(f func(line []byte) bool) {
	if f == nil {
		c.intercept.Store(nil)
		return
	}
	c.intercept.Store(&f)
}

// WriteLine sends raw, an already encoded JSON-RPC message on one line (no newline), to
// the peer, adding the newline; Tap sees it with a nil msg. The Conn does not check raw.
// The Conn may append to raw's backing array beyond len(raw), and Tap may keep raw, so the
// caller must not use raw afterwards. Safe for concurrent use with Write and itself.
func (c *Conn) WriteLine(raw []byte) error {
	if c.opts.Tap != nil {
		c.opts.Tap(Outbound, nil, raw)
	}
	return c.writeRaw(context.Background(), nil, raw)
}

// SessionID implements mcp.Connection; newline-delimited streams have no session id.
func (c *Conn) SessionID() string { return "" }

// Close closes the stream once; later calls return the first result.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		if c.closer != nil {
			c.closeErr = c.closer()
		}
	})
	return c.closeErr
}

// Read returns the next message from the peer.
func (c *Conn) Read(ctx context.Context) (jsonrpc.Message, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(c.pending) > 0 {
			m := c.pending[0]
			c.pending = c.pending[1:]
			return m, nil
		}
		line, over, err := c.readLine()
		if err != nil {
			if c.opts.DecorateReadError != nil {
				err = c.opts.DecorateReadError(err)
			}
			return nil, err
		}
		if over != nil {
			c.handleOversize(ctx, over)
			continue
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		tapped := false
		if f := c.intercept.Load(); f != nil {
			// Tap the line before the intercept forwards it: the answer can come back, and
			// be tapped, before f returns, and a tap pairs a response with its request in
			// the order it sees them.
			if c.opts.Tap != nil {
				c.opts.Tap(Inbound, nil, line)
				tapped = true
			}
			if (*f)(line) {
				continue
			}
		}
		msg, err := jsonrpc.DecodeMessage(line)
		if err != nil {
			c.badInput(fmt.Sprintf("dropped a line of %d bytes that is not a JSON-RPC message: %v", len(line), err))
			if c.opts.ReplyToParseErrors {
				c.writeRaw(ctx, nil, parseErrorLine(err))
			}
			continue
		}
		if c.opts.Tap != nil && !tapped {
			c.opts.Tap(Inbound, msg, line)
		}
		return msg, nil
	}
}

// Write sends msg to the peer as one line.
func (c *Conn) Write(ctx context.Context, msg jsonrpc.Message) error {
	data, err := jsonrpc.EncodeMessage(msg)
	if err != nil {
		return err
	}
	return c.writeRaw(ctx, msg, data)
}

func (c *Conn) writeRaw(_ context.Context, msg jsonrpc.Message, data []byte) error {
	if c.opts.Tap != nil && msg != nil {
		c.opts.Tap(Outbound, msg, data)
	}
	data = append(data, '\n')
	c.writeMu.Lock()
	_, err := c.w.Write(data)
	c.writeMu.Unlock()
	if err != nil {
		return fmt.Errorf("writing message: %w", err)
	}
	return nil
}

func (c *Conn) badInput(desc string) {
	if c.opts.OnBadInput != nil {
		c.opts.OnBadInput(desc)
	}
}

// oversize describes a line that was too long, as far as it could be scanned.
type oversize struct {
	size      int
	id        jsonrpc.ID
	hasID     bool
	hasMethod bool
	method    string
}

// readLine returns the next line without its newline. If the line exceeds the limit it is
// consumed without being kept, and over describes it.
func (c *Conn) readLine() (line []byte, over *oversize, err error) {
	var buf []byte
	for {
		frag, err := c.r.ReadSlice('\n')
		if len(buf)+len(frag) > c.max+1 { // +1: the newline does not count
			sc := &idScanner{}
			sc.feed(buf)
			size := len(buf)
			buf = nil
			for {
				sc.feed(frag)
				size += len(frag)
				if err == nil { // reached the newline
					return nil, sc.result(size - 1), nil
				}
				if err != bufio.ErrBufferFull {
					if errors.Is(err, io.EOF) {
						return nil, sc.result(size), nil
					}
					return nil, nil, err
				}
				frag, err = c.r.ReadSlice('\n')
			}
		}
		switch err {
		case nil:
			if buf == nil {
				// The common case: the whole line sits in the reader's buffer. Copy it,
				// because the buffer is reused and decoded messages keep slices of it.
				return bytes.Clone(frag[:len(frag)-1]), nil, nil
			}
			buf = append(buf, frag[:len(frag)-1]...)
			return buf, nil, nil
		case bufio.ErrBufferFull:
			buf = append(buf, frag...)
		default:
			if len(buf)+len(frag) > 0 && errors.Is(err, io.EOF) {
				// A last line without a newline: deliver it, EOF comes next time.
				return append(buf, frag...), nil, nil
			}
			return nil, nil, err
		}
	}
}

func (c *Conn) handleOversize(ctx context.Context, o *oversize) {
	why := fmt.Sprintf("message of %d bytes exceeds the %d-byte limit", o.size, c.max)
	switch {
	case o.hasID && o.hasMethod: // a request: answer it with an error so the peer's call ends
		c.badInput(fmt.Sprintf("rejected %s request: %s", o.method, why))
		resp := &jsonrpc.Response{ID: o.id, Error: &jsonrpc.Error{Code: jsonrpc.CodeInvalidRequest, Message: why}}
		_ = c.Write(ctx, resp)
	case o.hasID: // a response to one of our requests: fail that request locally
		c.badInput("rejected a response: " + why)
		resp := &jsonrpc.Response{ID: o.id, Error: &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: "response " + why}}
		f := c.intercept.Load()
		var raw []byte
		if c.opts.Tap != nil || f != nil {
			raw, _ = jsonrpc.EncodeMessage(resp)
		}
		if c.opts.Tap != nil {
			c.opts.Tap(Inbound, resp, raw)
		}
		if f != nil && (*f)(raw) { // the error goes where the response would have gone
			return
		}
		c.pending = append(c.pending, resp)
	default:
		c.badInput("dropped a notification: " + why)
	}
}

func parseErrorLine(err error) []byte {
	b, _ := json.Marshal(map[string]any{
		"jsonrpc": "2.0",
		"id":      nil,
		"error":   map[string]any{"code": jsonrpc.CodeParseError, "message": "parse error: " + err.Error()},
	})
	return b
}
