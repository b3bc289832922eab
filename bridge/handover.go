package bridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/patchbay-mcp/patchbay/connectors/stdio"
)

// The handover takes the shim out of the data path. On Linux a shim whose stdin and stdout
// are pipes or sockets (Node clients use socketpairs) opens its stream with HandoverHeader;
// a bridge that can take them answers the upgrade with the same header, and the shim passes
// both descriptors over the socket (SCM_RIGHTS). From then on the bridge reads the client's
// requests and writes its responses itself: two process wake-ups fewer per call, and no
// parsing in the shim.
//
// The shim stays, for the promise that a client's session outlives the bridge. With the
// client's pipes it passes the write end of a pipe of its own, on which the bridge writes
// notes, one per line, and which the shim reads only now and then; the stream itself stays
// silent, and each side takes its hang-up as the other's end. The notes:
//
//	c{...}  a client request now in flight ({"id":…,"method":…}), or a whole client message
//	        the shim replays on a new bridge (initialize, notifications/initialized,
//	        logging/setLevel, resources/subscribe and unsubscribe)
//	a<id>   the response to request <id> has been written to the client
//	w, d    a message too large to be written at once is being written, and is written: a
//	        "w" with no "d" after it means a line may have been cut short
//	p<...>  the start of a client line the bridge had read when it let go (a clean end only)
//	s       the bridge had read the start of a client line too long to pass back: the shim
//	        skips the rest of that line (a clean end only)
//	e       the client has gone (it closed stdin, or its end of stdout): the shim exits
//
// A request is noted before the bridge acts on it, and an answer after it was written, so a
// bridge that dies leaves the shim with a superset of the calls in flight: the shim answers
// them with errors (a client ignores an answer to a call it has had answered), then relays
// the session itself, as on every system without the handover. A clean end (a bridge that
// stops, a connection removed) lets a write in progress finish first, for up to a second.
// Requests whose id or method is longer than 255 bytes are not noted.
const HandoverHeader = "Patchbay-Handover"

// handoverFDs is HandoverHeader's value: stdin and stdout as descriptors.
const handoverFDs = "fds"

// Note kinds (first byte of a note line).
const (
	noteClient    = 'c'
	noteAnswered  = 'a'
	noteWriting   = 'w'
	noteWritten   = 'd'
	notePartial   = 'p'
	noteSkip      = 's'
	noteEnd       = 'e'
	atomicWrite   = 4096 // a pipe (and a socket) takes a write this small whole, or not at all
	closeWriteFor = time.Second
)

// maxNoteLine bounds the client message a note carries whole; replayed messages (an
// initialize, a subscription) are far smaller.
const maxNoteLine = 64 << 10

// replayedMethods are the client messages the shim keeps to replay on a new bridge: the ones
// shim.track remembers.
var replayedMethods = map[string]bool{
	`"initialize"`: true, `"notifications/initialized"`: true, `"logging/setLevel"`: true,
	`"resources/subscribe"`: true, `"resources/unsubscribe"`: true,
}

// handedStream is the client's stdio, handed over by its shim, as the relay's stream. It
// notes what the shim needs (see above) and paces responses after progress as the shim
// would. Read is called by one goroutine; Write with one whole line each (stdio.Conn's
// contract); Close may come at any time, from any goroutine.
type handedStream struct {
	in, out *os.File
	notes   *os.File // the shim's notes pipe
	ctl     net.Conn // the stream the shim opened; silent both ways
	pace    *progressPacer

	// mu is held across each read of stdin and the noting of what it brought, so that Close
	// sees every byte read noted. It guards the line being read, as far as it has come.
	mu      sync.Mutex
	scan    stdio.HeadScanner
	head    []byte // its first maxNoteLine bytes
	lineLen int

	// wmu is held across each write to stdout and its notes, so that Close lets a write
	// finish and no answer is noted after the notes end.
	wmu sync.Mutex

	gone  atomic.Bool // the client closed stdin, or its end of stdout
	noted atomic.Bool // a note failed: the shim is gone, stop noting

	closeOnce sync.Once
	closeErr  error
}

func newHandedStream(in, out, notes *os.File, ctl net.Conn) *handedStream {
	return &handedStream{in: in, out: out, notes: notes, ctl: ctl, pace: newProgressPacer()}
}

// Read reads the client's stdin, noting each complete request before returning it.
func (h *handedStream) Read(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n, err := h.in.Read(p) // Close closes in before it takes mu: that ends this read
	h.scanIn(p[:n])
	if errors.Is(err, io.EOF) {
		h.gone.Store(true)
	}
	return n, err
}

func (h *handedStream) scanIn(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		part := b
		if i >= 0 {
			part = b[:i]
		}
		h.scan.Feed(part)
		if room := maxNoteLine - len(h.head); room > 0 {
			h.head = append(h.head, part[:min(room, len(part))]...)
		}
		h.lineLen += len(part)
		if i < 0 {
			return
		}
		h.lineDone()
		b = b[i+1:]
	}
}

// lineDone notes the client line just read if it is a request or a replayed message, and
// remembers a progress token for pacing.
func (h *handedStream) lineDone() {
	defer func() {
		h.scan.Reset()
		h.head = h.head[:0]
		h.lineLen = 0
	}()
	id, method := h.scan.Result()
	if method == nil {
		return // a response to the upstream's request, or junk the relay answers
	}
	whole := h.lineLen <= maxNoteLine
	hasID := len(id) > 0 && string(id) != "null"
	if whole && replayedMethods[string(method)] {
		h.note(noteClient, bytes.TrimSpace(h.head))
	} else if hasID {
		h.note(noteClient, requestNote(id, method))
	}
	if hasID && whole {
		if tok := progressTokenOf(h.head); tok != nil {
			h.pace.request(string(id), string(tok))
		}
	}
}

// Write writes one message to the client's stdout: a response after progress notifications
// waits its turn (see holdForProgress), and a written response is noted.
func (h *handedStream) Write(p []byte) (int, error) {
	id, response, token := classifyOutbound(p)
	if token != "" {
		h.pace.progress(token)
	}
	h.wmu.Lock()
	defer h.wmu.Unlock()
	if response {
		if gap, hold := h.pace.response(string(id)); hold {
			holdForProgress(h.out, gap)
		}
	}
	big := len(p) > atomicWrite
	if big {
		h.note(noteWriting, nil)
	}
	n, err := h.out.Write(p)
	if err != nil {
		if errors.Is(err, syscall.EPIPE) {
			h.gone.Store(true)
		}
		return n, err
	}
	if big {
		h.note(noteWritten, nil)
	}
	if response {
		h.note(noteAnswered, id)
	}
	return n, nil
}

func (h *handedStream) note(kind byte, body []byte) {
	if h.noted.Load() {
		return
	}
	b := make([]byte, 0, len(body)+2)
	b = append(append(append(b, kind), body...), '\n')
	if _, err := h.notes.Write(b); err != nil {
		h.noted.Store(true)
	}
}

// Close lets go of the client's stdio (first: nothing may read or write it once the shim
// may take it back; closing a non-blocking file waits for a read in progress), then tells
// the shim how it ended, closes the notes and hangs up. Later calls return the first result.
func (h *handedStream) Close() error {
	h.closeOnce.Do(func() {
		h.in.Close()
		h.out.SetWriteDeadline(time.Now().Add(closeWriteFor))
		h.wmu.Lock()
		h.out.Close()
		h.wmu.Unlock()
		h.mu.Lock()
		defer h.mu.Unlock()
		switch {
		case h.gone.Load():
			h.note(noteEnd, nil)
		case h.lineLen > maxNoteLine:
			// Too long to pass back: have the shim fail the request, if it is one, and skip
			// the rest of its line.
			if id, method := h.scan.Result(); len(id) > 0 && string(id) != "null" && method != nil {
				h.note(noteClient, requestNote(id, method))
			}
			h.note(noteSkip, nil)
		case len(h.head) > 0:
			h.note(notePartial, h.head)
		}
		h.notes.Close()
		h.closeErr = h.ctl.Close()
	})
	return h.closeErr
}

// requestNote is the note of a request in flight: {"id":id,"method":method}, from raw JSON.
func requestNote(id, method []byte) []byte {
	b := make([]byte, 0, len(id)+len(method)+20)
	b = append(append(append(append(b, `{"id":`...), id...), `,"method":`...), method...)
	return append(b, '}')
}

// progressTokenOf returns the progress token of a request (params._meta.progressToken), or
// nil; it decodes only messages that mention one.
func progressTokenOf(msg []byte) json.RawMessage {
	if !bytes.Contains(msg, []byte(`"progressToken"`)) {
		return nil
	}
	var q struct {
		Params struct {
			Meta struct {
				Token json.RawMessage `json:"progressToken"`
			} `json:"_meta"`
		} `json:"params"`
	}
	if json.Unmarshal(msg, &q) != nil || len(q.Params.Meta.Token) == 0 {
		return nil
	}
	return q.Params.Meta.Token
}

// classifyOutbound tells what a message to the client is: a response (with its id), a
// progress notification (with its token), or neither. go-sdk and the fast lane both write
// {"jsonrpc":"2.0","id":…,"result"|"error":…} and {"jsonrpc":"2.0","method":…}, which are
// read from their first bytes; anything else is scanned.
func classifyOutbound(line []byte) (id []byte, response bool, progressToken string) {
	const prefix = `{"jsonrpc":"2.0",`
	if rest, ok := bytes.CutPrefix(line, []byte(prefix+`"id":`)); ok {
		if end := scalarEnd(rest); end > 0 {
			next := rest[end:]
			if bytes.HasPrefix(next, []byte(`,"result":`)) || bytes.HasPrefix(next, []byte(`,"error":`)) {
				return rest[:end], true, ""
			}
			if bytes.HasPrefix(next, []byte(`,"method":`)) {
				return nil, false, "" // a request to the client
			}
		}
	} else if bytes.HasPrefix(line, []byte(prefix+`"method":`)) && !bytes.HasPrefix(line, []byte(prefix+`"method":"notifications/progress"`)) {
		return nil, false, ""
	}
	var sc stdio.HeadScanner
	sc.Feed(line)
	sid, method := sc.Result()
	switch {
	case method == nil && len(sid) > 0:
		return sid, true, ""
	case string(method) == `"notifications/progress"`:
		var n struct {
			Params struct {
				Token json.RawMessage `json:"progressToken"`
			} `json:"params"`
		}
		if json.Unmarshal(line, &n) == nil && len(n.Params.Token) > 0 {
			return nil, false, string(n.Params.Token)
		}
	}
	return nil, false, ""
}

// scalarEnd returns the length of the JSON number or string at the start of b, or 0.
func scalarEnd(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	if b[0] == '"' {
		for i := 1; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return 0
	}
	i := 0
	for i < len(b) && (b[i] == '-' || b[i] == '+' || b[i] == '.' || b[i] == 'e' || b[i] == 'E' || (b[i] >= '0' && b[i] <= '9')) {
		i++
	}
	return i
}
