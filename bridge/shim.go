package bridge

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// Shim limits.
const (
	// MaxShimLine bounds one message from the AI client. The bridge relays at least 10 MiB
	// and answers larger messages itself; past this the shim answers without forwarding.
	MaxShimLine = 64 << 20
	// replayTimeout bounds waiting for the bridge's answer to a replayed initialize (an
	// upstream cold start, e.g. npx, takes seconds).
	replayTimeout = 60 * time.Second
	// openTimeout bounds one attempt to open the stream, starting a bridge included.
	openTimeout = 30 * time.Second
	// queueGiveUp is how long client requests may wait for a bridge to come back before
	// each is answered with an error (the shim keeps trying to reconnect).
	queueGiveUp = 30 * time.Second
)

// JSON-RPC error codes the shim answers with.
const (
	codeParseError     = -32700
	codeInternalError  = -32603
	codeBridgeRestart  = -32000 // in flight while the bridge went away
	codeNoConnection   = -32001 // the connection does not exist
	codeBridgeDown     = -32002 // the bridge could not be reached
	codeMessageTooLong = -32003
)

// ShimOptions configure RunShim.
type ShimOptions struct {
	// Name is the connection.
	Name string
	// Stdin and Stdout are the AI client's pipe; Stderr gets diagnostics (never Stdout).
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Open opens an MCP stream to the connection through the bridge, starting the bridge if
	// none runs. ctx bounds the opening only, not the stream. It returns an error IsNotFound
	// reports for an unknown connection.
	Open func(ctx context.Context) (io.ReadWriteCloser, error)
	// OpenHandover, if set, is how the session's first stream is opened when Stdin and
	// Stdout are pipes or sockets on Linux: like Open, but it offers the bridge the client's
	// stdin and stdout (see handover.go). handed is set if the bridge took them; otherwise stream is
	// an ordinary stream, as Open's. Streams opened after the bridge went away use Open.
	OpenHandover func(ctx context.Context, stdin, stdout *os.File) (stream io.ReadWriteCloser, handed *Handed, err error)
}

// RunShim pipes newline-delimited JSON-RPC between the AI client (Stdin/Stdout) and the
// bridge until the client closes Stdin or ctx is done. It remembers the client's initialize
// and notifications/initialized; when the bridge goes away it answers the requests in flight
// with a JSON-RPC error, reconnects (Open starts a new bridge), replays the handshake and
// carries on, so the client's session survives. An unknown connection makes the client's
// first request fail with a message that says how to add it, and RunShim returns nil.
// RunShim never writes anything but JSON-RPC to Stdout.
func RunShim(ctx context.Context, o ShimOptions) error {
	return newShim(o).run(ctx)
}

func newShim(o ShimOptions) *shim {
	return &shim{o: o, out: &lineWriter{w: o.Stdout, gone: make(chan struct{})}, inflight: map[string]string{},
		subscribed: map[string][]byte{}, swallowIDs: map[string]bool{}, pace: newProgressPacer()}
}

type shim struct {
	o   ShimOptions
	out *lineWriter

	mu           sync.Mutex        // guards the fields below, shared with the bridge reader
	inflight     map[string]string // request id (raw JSON) → method, sent to the bridge and not yet answered
	initReq      []byte            // the client's initialize request, as sent
	initID       string            // its id
	initAnswered bool
	initNote     []byte // notifications/initialized, as sent
	replayID     string // id of a replayed initialize whose answer is swallowed
	replayDone   chan json.RawMessage
	replayN      int
	// Session state the client set, replayed after the handshake on a new bridge: the last
	// logging/setLevel, and resources/subscribe by URI (unsubscribe removes). Their
	// replayed answers, under private ids, are swallowed.
	logLevel   []byte
	subscribed map[string][]byte
	swallowIDs map[string]bool
	// pace keeps a response from overtaking its request's progress notifications.
	pace      *progressPacer
	holdBack  time.Duration // set by fromBridge: wait this long before writing the message
	afterProg bool          // set by fromBridge: the message answers a request that had progress
}

// lineWriter writes whole lines to the client; safe for concurrent use.
type lineWriter struct {
	mu   sync.Mutex // guards w and err, so lines never interleave
	w    io.Writer
	err  error
	gone chan struct{} // closed at the first write error: the client is gone
}

func (l *lineWriter) writeLine(b []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	if len(b) == 0 || b[len(b)-1] != '\n' {
		b = append(b[:len(b):len(b)], '\n')
	}
	if _, l.err = l.w.Write(b); l.err != nil {
		close(l.gone)
	}
	return l.err
}

// peek is the part of a JSON-RPC message the shim looks at.
type peek struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
}

func errorResponse(id json.RawMessage, code int, msg string) []byte {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	b, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}{JSONRPC: "2.0", ID: id, Error: struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{code, msg}})
	return b
}

// stdinLine is one message from the client, or why reading stopped.
type stdinLine struct {
	line []byte
	err  error // io.EOF at the end; errLineTooLong for an oversize message (line = its head)
}

var errLineTooLong = errors.New("message too long")

// newLineReader buffers r for readLine.
func newLineReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 64<<10) }

// readLine reads one line of at most max bytes. A longer one is consumed to its end and
// returned as its first 4 KiB with errLineTooLong.
func readLine(r *bufio.Reader, max int) ([]byte, error) {
	var buf []byte
	for {
		frag, err := r.ReadSlice('\n')
		if len(buf)+len(frag) > max {
			head := append(buf, frag...)
			if len(head) > 4096 {
				head = head[:4096]
			}
			head = bytes.Clone(head)
			for err == bufio.ErrBufferFull {
				_, err = r.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return head, errLineTooLong
		}
		if err == bufio.ErrBufferFull {
			buf = append(buf, frag...)
			continue
		}
		if buf == nil {
			buf = bytes.Clone(frag)
		} else {
			buf = append(buf, frag...)
		}
		if err != nil {
			if err == io.EOF && len(bytes.TrimSpace(buf)) > 0 {
				return buf, nil // a last message without its newline
			}
			return nil, err
		}
		return buf, nil
	}
}

var idRE = regexp.MustCompile(`"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")`)

func (s *shim) logf(format string, a ...any) {
	if s.o.Stderr != nil {
		fmt.Fprintf(s.o.Stderr, "patchbay shim %s: "+format+"\n", append([]any{s.o.Name}, a...)...)
	}
}

func (s *shim) run(ctx context.Context) error {
	octx, cancel := context.WithTimeout(ctx, openTimeout)
	conn, handed, err := s.openHandover(octx)
	cancel()
	var tb takeBack
	if handed != nil {
		var ended bool
		if ended, tb = s.handedOver(ctx, handed); ended {
			return ctx.Err()
		}
		if tb.cut {
			s.out.writeLine([]byte{'\n'}) // end a line the bridge may have cut short
		}
	}
	// The shim relays from here on: from the start, or after the bridge let go.
	lines := s.readStdin(tb)
	if err != nil {
		return s.refuse(ctx, lines, err)
	}
	lost := make(chan io.ReadWriteCloser, 1)
	if handed != nil {
		if conn = s.reconnect(ctx, lines, lost); conn == nil {
			return nil
		}
	} else {
		go s.readBridge(conn, newLineReader(conn), lost)
	}

	for {
		select {
		case <-ctx.Done():
			conn.Close()
			return ctx.Err()
		case <-s.out.gone:
			// Nobody reads our stdout any more: the client is gone.
			conn.Close()
			return nil
		case in, ok := <-lines:
			if !ok || (in.err != nil && in.err != errLineTooLong) {
				// The client closed stdin: it is done with us.
				conn.Close()
				return nil
			}
			fwd := s.fromClient(in)
			if fwd == nil {
				continue
			}
			if _, err := conn.Write(fwd); err != nil {
				// The reader will notice too; handle the loss now.
				conn.Close()
				conn = s.reconnect(ctx, lines, lost)
				if conn == nil {
					return nil
				}
			}
		case dead := <-lost:
			if dead != conn {
				continue
			}
			conn.Close()
			conn = s.reconnect(ctx, lines, lost)
			if conn == nil {
				return nil
			}
		}
	}
}

// fromClient looks at one client message, answers it itself when it must not be forwarded,
// remembers the handshake and what is in flight, and returns the bytes to forward (nil:
// nothing).
func (s *shim) fromClient(in stdinLine) []byte {
	if in.err == errLineTooLong {
		id := json.RawMessage("null")
		if m := idRE.FindSubmatch(in.line); m != nil {
			id = m[1]
		}
		s.out.writeLine(errorResponse(id, codeMessageTooLong, fmt.Sprintf("message too long: Patchbay relays messages up to %d MiB", MaxShimLine>>20)))
		return nil
	}
	line := in.line
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) == 0 {
		return nil
	}
	if trimmed[0] == '[' {
		return line // a batch: the bridge answers it
	}
	var p peek
	if err := json.Unmarshal(trimmed, &p); err != nil {
		s.out.writeLine(errorResponse(nil, codeParseError, "parse error: the message is not valid JSON: "+err.Error()))
		return nil
	}
	s.track(trimmed, p)
	if line[len(line)-1] != '\n' {
		line = append(line, '\n')
	}
	return line
}

// track remembers what a client message (trimmed, peeked at as p) changes: the requests in
// flight, the handshake and the session state to replay.
func (s *shim) track(trimmed []byte, p peek) {
	if len(p.ID) > 0 && string(p.ID) != "null" && p.Method != "" {
		s.mu.Lock()
		s.inflight[string(p.ID)] = p.Method
		if tok := progressTokenOf(trimmed); tok != nil {
			s.pace.request(string(p.ID), string(tok))
		}
		switch p.Method {
		case "initialize":
			s.initReq, s.initID, s.initAnswered = bytes.Clone(trimmed), string(p.ID), false
		case "logging/setLevel":
			s.logLevel = bytes.Clone(trimmed)
		case "resources/subscribe", "resources/unsubscribe":
			var q struct {
				Params struct {
					URI string `json:"uri"`
				} `json:"params"`
			}
			if json.Unmarshal(trimmed, &q) == nil && q.Params.URI != "" {
				if p.Method == "resources/subscribe" {
					s.subscribed[q.Params.URI] = bytes.Clone(trimmed)
				} else {
					delete(s.subscribed, q.Params.URI)
				}
			}
		}
		s.mu.Unlock()
	} else if p.Method == "notifications/initialized" {
		s.mu.Lock()
		s.initNote = bytes.Clone(trimmed)
		s.mu.Unlock()
	}
}

// readBridge copies the bridge's messages to the client until the stream ends, then reports
// the dead stream on lost.
func (s *shim) readBridge(conn io.ReadWriteCloser, r *bufio.Reader, lost chan<- io.ReadWriteCloser) {
	for {
		line, err := readLine(r, 1<<40)
		if err != nil {
			lost <- conn
			return
		}
		if s.fromBridge(line) {
			s.mu.Lock()
			wait, after := s.holdBack, s.afterProg
			s.holdBack, s.afterProg = 0, false
			s.mu.Unlock()
			if after {
				holdForProgress(s.o.Stdout, wait)
			}
			if s.out.writeLine(line) != nil {
				return // the client is gone; run sees out.gone
			}
		}
	}
}

// fromBridge updates what is in flight from a bridge message and reports whether to pass it
// to the client (a replayed initialize's answer is swallowed).
func (s *shim) fromBridge(line []byte) bool {
	// Cheap test first: only responses carry "result" or "error" at the top level, and only
	// they change the in-flight set. Requests and notifications from the upstream pass.
	var p struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Error  json.RawMessage `json:"error"`
		Params struct {
			Token json.RawMessage `json:"progressToken"`
		} `json:"params"`
	}
	if json.Unmarshal(line, &p) != nil {
		return true
	}
	if p.Method == "notifications/progress" && len(p.Params.Token) > 0 {
		s.pace.progress(string(p.Params.Token))
		return true
	}
	if p.Method != "" || len(p.ID) == 0 {
		return true
	}
	id := string(p.ID)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holdBack, s.afterProg = s.pace.response(id)
	if s.swallowIDs[id] {
		delete(s.swallowIDs, id)
		if len(p.Error) > 0 && string(p.Error) != "null" {
			s.logf("replaying session state after a reconnect: %s", p.Error)
		}
		return false
	}
	if s.replayID != "" && id == s.replayID {
		s.replayID = ""
		if s.replayDone != nil {
			s.replayDone <- p.Error
			s.replayDone = nil
		}
		return false
	}
	s.answeredLocked(id)
	return true
}

// answeredLocked forgets request id, which has been answered; s.mu must be held.
func (s *shim) answeredLocked(id string) {
	delete(s.inflight, id)
	if id == s.initID {
		s.initAnswered = true
	}
}

// failInflight answers every request in flight, except an unanswered initialize that will be
// re-sent, with an error.
func (s *shim) failInflight(code int, msg string) {
	s.mu.Lock()
	var ids []string
	for id := range s.inflight {
		if id == s.initID && !s.initAnswered {
			continue
		}
		ids = append(ids, id)
		delete(s.inflight, id)
		s.pace.forget(id)
	}
	s.mu.Unlock()
	for _, id := range ids {
		s.out.writeLine(errorResponse(json.RawMessage(id), code, msg))
	}
}

// reconnect replaces a lost bridge stream: it fails what was in flight, opens a new stream
// (Open starts a bridge if none runs), replays the handshake and starts a new reader. While
// it tries, client messages wait in lines; a request that waits longer than queueGiveUp is
// answered with an error. It returns nil when the shim should stop (the client left, the
// connection was removed, ctx is done).
func (s *shim) reconnect(ctx context.Context, lines <-chan stdinLine, lost chan io.ReadWriteCloser) io.ReadWriteCloser {
	s.failInflight(codeBridgeRestart, "the Patchbay bridge restarted while this request was in flight; please retry")
	s.logf("lost the bridge; reconnecting")
	// Drain a stale loss report of the dead stream.
	select {
	case <-lost:
	default:
	}
	start := time.Now()
	delay := 5 * time.Millisecond
	var pending []stdinLine
	for {
		if ctx.Err() != nil {
			return nil
		}
		octx, cancel := context.WithTimeout(ctx, openTimeout)
		conn, err := s.o.Open(octx)
		cancel()
		if err == nil {
			if r, ok := s.replay(conn); !ok {
				conn.Close()
			} else {
				go s.readBridge(conn, r, lost)
				for _, in := range pending {
					if fwd := s.fromClient(in); fwd != nil {
						if _, err := conn.Write(fwd); err != nil {
							break // the reader reports the loss
						}
					}
				}
				s.logf("reconnected after %s", time.Since(start).Round(time.Millisecond))
				return conn
			}
		} else if IsNotFound(err) {
			s.logf("%v", err)
			s.failInflight(codeNoConnection, err.Error())
			for _, in := range pending {
				s.answerRefused(in, codeNoConnection, err.Error())
			}
			return nil
		} else {
			s.logf("reconnecting: %v", err)
		}
		if time.Since(start) > queueGiveUp && len(pending) > 0 {
			for _, in := range pending {
				s.answerRefused(in, codeBridgeDown, "the Patchbay bridge is not reachable: "+errString(err)+"; run `patchbay status`")
			}
			pending = nil
		}
		timer := time.NewTimer(delay)
	wait:
		for {
			select {
			case <-ctx.Done():
				timer.Stop()
				return nil
			case <-s.out.gone:
				timer.Stop()
				return nil
			case in, ok := <-lines:
				if !ok || (in.err != nil && in.err != errLineTooLong) {
					timer.Stop()
					return nil
				}
				pending = append(pending, in)
			case <-timer.C:
				break wait
			}
		}
		delay = min(delay*2, 500*time.Millisecond)
	}
}

func errString(err error) string {
	if err == nil {
		return "no answer"
	}
	return err.Error()
}

// replay sends the remembered handshake on a new stream. An initialize the client already
// got an answer to is re-sent under a private id and its answer swallowed, followed by
// notifications/initialized and the session state (replayState); one still unanswered is
// re-sent as is.
func (s *shim) replay(conn io.ReadWriteCloser) (*bufio.Reader, bool) {
	r := newLineReader(conn)
	s.mu.Lock()
	initReq, answered, note := s.initReq, s.initAnswered, s.initNote
	s.mu.Unlock()
	if initReq == nil {
		return r, true
	}
	if !answered {
		_, err := conn.Write(append(bytes.Clone(initReq), '\n'))
		if err == nil && note != nil {
			_, err = conn.Write(append(bytes.Clone(note), '\n'))
		}
		return r, err == nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(initReq, &m) != nil {
		return r, true
	}
	s.mu.Lock()
	s.replayN++
	id := strconv.Quote("patchbay-replay-" + strconv.Itoa(s.replayN))
	s.replayID = id
	done := make(chan json.RawMessage, 1)
	s.replayDone = done
	s.mu.Unlock()
	m["id"] = json.RawMessage(id)
	b, _ := json.Marshal(m)
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return nil, false
	}
	// Read the answer here: the new reader is not started yet, so nothing else reads conn;
	// it goes on with r, which may hold bytes past the answer.
	// An upstream that never answers must not hold the shim: closing conn ends the read.
	t := time.AfterFunc(replayTimeout, func() { conn.Close() })
	defer t.Stop()
	for {
		line, err := readLine(r, 1<<40)
		if err != nil {
			return nil, false
		}
		if s.fromBridge(line) {
			s.out.writeLine(line) // a notification the upstream sent while starting
		}
		select {
		case e := <-done:
			if len(e) > 0 && string(e) != "null" {
				s.logf("the bridge refused the replayed initialize: %s", e)
			}
			if note != nil {
				if _, err := conn.Write(append(bytes.Clone(note), '\n')); err != nil {
					return nil, false
				}
			}
			if err := s.replayState(conn); err != nil {
				return nil, false
			}
			return r, true
		default:
		}
	}
}

// replayState re-sends the log level and the resource subscriptions the client set on the
// old bridge, under private ids whose answers fromBridge swallows.
func (s *shim) replayState(conn io.Writer) error {
	s.mu.Lock()
	var msgs [][]byte
	if s.logLevel != nil {
		msgs = append(msgs, s.logLevel)
	}
	for _, m := range s.subscribed {
		msgs = append(msgs, m)
	}
	var out [][]byte
	for _, m := range msgs {
		var obj map[string]json.RawMessage
		if json.Unmarshal(m, &obj) != nil {
			continue
		}
		s.replayN++
		id := strconv.Quote("patchbay-replay-" + strconv.Itoa(s.replayN))
		s.swallowIDs[id] = true
		obj["id"] = json.RawMessage(id)
		b, _ := json.Marshal(obj)
		out = append(out, append(b, '\n'))
	}
	s.mu.Unlock()
	for _, b := range out {
		if _, err := conn.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// refuse handles a first Open that failed: every request the client sends gets an error
// that says what to do; the shim returns after the first request (normally initialize)
// or when the client closes stdin.
func (s *shim) refuse(ctx context.Context, lines <-chan stdinLine, err error) error {
	code := codeBridgeDown
	msg := "Patchbay could not reach its bridge: " + err.Error()
	if IsNotFound(err) {
		code, msg = codeNoConnection, err.Error()
	} else if errCode(err) != "" {
		code, msg = codeInternalError, "Patchbay: "+err.Error()
	}
	s.logf("%s", msg)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case in, ok := <-lines:
			if !ok || (in.err != nil && in.err != errLineTooLong) {
				return nil
			}
			if s.answerRefused(in, code, msg) {
				return nil
			}
		}
	}
}

// answerRefused answers a client message that cannot be forwarded; it reports whether it was
// a request (and so got an answer).
func (s *shim) answerRefused(in stdinLine, code int, msg string) bool {
	var p peek
	if in.err == nil && json.Unmarshal(bytes.TrimSpace(in.line), &p) == nil && p.Method != "" && len(p.ID) > 0 {
		s.out.writeLine(errorResponse(p.ID, code, msg))
		return true
	}
	return false
}
