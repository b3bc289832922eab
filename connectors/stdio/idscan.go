package stdio

import (
	"encoding/json"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// idScanner finds the top-level "id" and "method" of a JSON object fed to it in pieces,
// without keeping the object: it is how an oversized message, which is never buffered
// whole, can still be answered. Keys may come in any order (the TypeScript SDK writes "id"
// last). Only scalar values are captured, and only up to a small size.
type idScanner struct {
	depth   int
	inStr   bool
	esc     bool
	wantKey bool // at depth 1, the next string is a key

	capKey bool
	key    []byte

	lastKey string // the key whose value comes next, at depth 1
	capVal  bool
	val     []byte

	id        []byte
	method    []byte
	hasMethod bool
	bad       bool // the object's shape defeated the scan (e.g. an array at the top)
}

const maxScanValue = 256

func (s *idScanner) feed(p []byte) {
	for _, c := range p {
		if s.inStr {
			if s.capKey && !(c == '"' && !s.esc) && len(s.key) < 16 {
				s.key = append(s.key, c)
			}
			if s.capVal {
				s.appendVal(c)
			}
			switch {
			case s.esc:
				s.esc = false
			case c == '\\':
				s.esc = true
			case c == '"':
				s.inStr = false
				if s.capKey {
					s.capKey = false
					s.lastKey = string(s.key)
				}
			}
			continue
		}
		switch c {
		case '"':
			s.inStr = true
			if s.depth == 1 && s.wantKey {
				s.capKey = true
				s.key = s.key[:0]
				s.wantKey = false
			} else if s.capVal {
				s.appendVal(c)
			}
		case '{', '[':
			if s.depth == 0 && c == '[' {
				s.bad = true
			}
			if s.capVal { // not a scalar: give up on this value
				s.capVal = false
				s.val = nil
			}
			s.depth++
			if s.depth == 1 {
				s.wantKey = true
			}
		case '}', ']':
			if s.depth == 1 {
				s.endVal()
			}
			s.depth--
		case ':':
			if s.depth == 1 && (s.lastKey == "id" || s.lastKey == "method") {
				s.capVal = true
				s.val = s.val[:0]
			}
		case ',':
			if s.depth == 1 {
				s.endVal()
				s.wantKey = true
			}
		default:
			if s.capVal && c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				s.appendVal(c)
			}
		}
	}
}

func (s *idScanner) appendVal(c byte) {
	if len(s.val) < maxScanValue {
		s.val = append(s.val, c)
	}
}

func (s *idScanner) endVal() {
	if !s.capVal {
		return
	}
	s.capVal = false
	switch s.lastKey {
	case "id":
		s.id = append([]byte(nil), s.val...)
	case "method":
		s.hasMethod = true
		s.method = append([]byte(nil), s.val...)
	}
	s.lastKey = ""
}

// result reports what was found in a message of size bytes.
func (s *idScanner) result(size int) *oversize {
	o := &oversize{size: size}
	if s.bad {
		return o
	}
	if len(s.id) > 0 {
		var v any
		if json.Unmarshal(s.id, &v) == nil {
			if id, err := jsonrpc.MakeID(v); err == nil && id.IsValid() {
				o.id, o.hasID = id, true
			}
		}
	}
	if s.hasMethod {
		o.hasMethod = true
		_ = json.Unmarshal(s.method, &o.method)
	}
	return o
}

// HeadScanner finds the top-level "id" and "method" of one JSON-RPC message fed to it in
// pieces, as they arrive, without keeping the message. The zero value is ready; Reset makes
// it ready for the next message.
type HeadScanner struct{ s idScanner }

// Feed scans the next piece of the message.
func (h *HeadScanner) Feed(p []byte) { h.s.feed(p) }

// Result returns the message's top-level id and method as raw JSON (nil if absent, or longer
// than 255 bytes, or if the message is not an object), so far as it has been fed.
func (h *HeadScanner) Result() (id, method []byte) {
	if h.s.bad {
		return nil, nil
	}
	if h.s.capVal { // a value that ran to the end of the message
		h.s.endVal()
	}
	id, method = h.s.id, h.s.method
	if len(id) >= maxScanValue {
		id = nil
	}
	if len(method) >= maxScanValue {
		method = nil
	}
	return id, method
}

// Reset forgets the message scanned so far.
func (h *HeadScanner) Reset() { h.s = idScanner{key: h.s.key[:0], val: h.s.val[:0]} }
