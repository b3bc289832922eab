package events

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"time"
)

// DefaultCapacity is how many events the ring buffer keeps.
const DefaultCapacity = 10000

// DefaultBodyBudget bounds the bytes of message bodies the ring buffer keeps: past it, the
// oldest events lose their bodies (Truncated is set; the metadata stays). The JSONL files
// keep every body.
const DefaultBodyBudget = 32 << 20

// Log is the bridge's event log: a bounded ring buffer of the latest events, with increasing
// ids, optionally mirrored to rotated JSONL files. It is a Sink. All methods are safe for
// concurrent use.
//
// Readers never miss an event that is still in the buffer: they ask Since(id) for what came
// after the last id they saw, and Wait blocks until there is something new. A reader slower
// than the buffer learns it missed events (Since reports the gap) instead of blocking writers.
type Log struct {
	mu     sync.Mutex // guards ring, start, n, nextID, wake and closed
	ring   []Event
	start  int // index of the oldest event in ring
	n      int // events in ring
	nextID uint64
	wake   chan struct{} // closed and replaced on every Append
	closed bool

	bodyBytes  int    // bytes of bodies in ring
	budget     int    // DefaultBodyBudget unless set by tests
	strippedTo uint64 // events with ID <= this have had their body dropped

	files *Rotator // nil: memory only
}

// NewLog returns a log keeping capacity events in memory (0 means DefaultCapacity) and, when
// files is not nil, appending every event to it as one JSON line.
func NewLog(capacity int, files *Rotator) *Log {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return &Log{ring: make([]Event, capacity), nextID: 1, wake: make(chan struct{}), files: files, budget: DefaultBodyBudget}
}

// Append records e, assigning its ID and, if zero, its Time. It never blocks on readers; the
// file write is buffered. Appending after Close keeps the event in memory only.
func (l *Log) Append(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	l.mu.Lock()
	e.ID = l.nextID
	l.nextID++
	i := (l.start + l.n) % len(l.ring)
	if l.n == len(l.ring) {
		l.bodyBytes -= len(l.ring[i].Body)
		l.start = (l.start + 1) % len(l.ring)
	} else {
		l.n++
	}
	l.ring[i] = e
	l.bodyBytes += len(e.Body)
	if l.bodyBytes > l.budget {
		l.stripLocked()
	}
	wake := l.wake
	l.wake = make(chan struct{})
	files := l.files
	if l.closed {
		files = nil
	}
	l.mu.Unlock()
	close(wake)
	if files != nil {
		if line, err := encodeLine(e); err == nil {
			files.WriteLine(line)
		}
	}
}

// encodeLine is e as one JSON line. The body, valid JSON by Event's contract (Body makes it
// so), is spliced in as it is when it holds no line break: json.Marshal would scan and compact
// it again, which was most of the event log's cost per relayed message.
func encodeLine(e Event) ([]byte, error) {
	body := e.Body
	if len(body) == 0 || bytes.ContainsAny(body, "\r\n") {
		return json.Marshal(e)
	}
	e.Body = nil
	head, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	line := make([]byte, 0, len(head)+len(`,"body":`)+len(body))
	line = append(line, head[:len(head)-1]...) // without the closing brace
	line = append(line, `,"body":`...)
	line = append(line, body...)
	return append(line, '}'), nil
}

// stripLocked drops the bodies of the oldest events until the bodies fit the budget. The
// newest event keeps its body whatever its size.
func (l *Log) stripLocked() {
	oldest := l.ring[l.start].ID
	k := 0
	if l.strippedTo >= oldest {
		k = int(l.strippedTo - oldest + 1)
	}
	for ; k < l.n-1 && l.bodyBytes > l.budget; k++ {
		ev := &l.ring[(l.start+k)%len(l.ring)]
		if ev.Body != nil {
			l.bodyBytes -= len(ev.Body)
			ev.Body, ev.Truncated = nil, true
		}
		l.strippedTo = ev.ID
	}
}

// LastID is the id of the newest event, 0 if there is none.
func (l *Log) LastID() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.nextID - 1
}

// Since returns the buffered events with ID > id, oldest first, and missed: how many events
// after id are no longer in the buffer (a reader that fell behind, or id from an earlier run
// of the bridge when it is larger than any id issued, in which case everything is returned).
func (l *Log) Since(id uint64) (evs []Event, missed uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sinceLocked(id)
}

func (l *Log) sinceLocked(id uint64) ([]Event, uint64) {
	if id >= l.nextID {
		// An id from a previous bridge run: start over.
		id = 0
	}
	if l.n == 0 {
		return nil, 0
	}
	oldest := l.ring[l.start].ID
	var missed uint64
	if id+1 < oldest {
		missed = oldest - id - 1
		id = oldest - 1
	}
	skip := int(id + 1 - oldest)
	out := make([]Event, 0, l.n-skip)
	for k := skip; k < l.n; k++ {
		out = append(out, l.ring[(l.start+k)%len(l.ring)])
	}
	return out, missed
}

// Wait returns the events with ID > id, blocking until there is at least one, ctx is done
// (then it returns ctx.Err()) or the log is closed (then it returns ErrClosed).
func (l *Log) Wait(ctx context.Context, id uint64) ([]Event, uint64, error) {
	for {
		l.mu.Lock()
		evs, missed := l.sinceLocked(id)
		wake, closed := l.wake, l.closed
		l.mu.Unlock()
		if len(evs) > 0 {
			return evs, missed, nil
		}
		if closed {
			return nil, 0, ErrClosed
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		}
	}
}

// Close flushes and closes the files and wakes every waiter with ErrClosed. Idempotent.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	wake := l.wake
	l.wake = make(chan struct{})
	l.mu.Unlock()
	close(wake)
	if l.files != nil {
		return l.files.Close()
	}
	return nil
}

// ErrClosed is returned by Wait once the log is closed.
var ErrClosed = errClosed{}

type errClosed struct{}

func (errClosed) Error() string { return "event log closed" }

// Filter selects events. Empty fields match everything.
type Filter struct {
	Connection string
	Method     string
	Kind       string
}

// Match reports whether e passes f.
func (f Filter) Match(e Event) bool {
	return (f.Connection == "" || e.Connection == f.Connection) &&
		(f.Method == "" || e.Method == f.Method) &&
		(f.Kind == "" || e.Kind == f.Kind)
}
