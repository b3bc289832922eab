package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/patchbay-mcp/patchbay/bridge/events"
)

// logCapacity is how many events the Inspector's live log keeps; older ones drop off.
const logCapacity = 100_000

// logFilter selects the events the live log shows. Empty fields match everything; Text
// matches, ignoring case, the method, tool, error, log message or body.
type logFilter struct {
	Connection string
	Client     string
	Method     string // a substring of the method or tool name
	Text       string
}

// match reports whether e passes f. text is f.Text lowercased.
func (f logFilter) match(e *events.Event, text string) bool {
	if f.Connection != "" && e.Connection != f.Connection {
		return false
	}
	if f.Client != "" && e.Client != f.Client {
		return false
	}
	if f.Method != "" && !strings.Contains(e.Method, f.Method) && !strings.Contains(e.Tool, f.Method) {
		return false
	}
	if text == "" {
		return true
	}
	for _, s := range []string{e.Method, e.Tool, e.Error, e.Message} {
		if strings.Contains(strings.ToLower(s), text) {
			return true
		}
	}
	return bytes.Contains(bytes.ToLower(e.Body), []byte(text))
}

// eventLog is the live log's memory: a ring of the last capacity events, and the sequence
// numbers of those that pass the filter, in order. Sequence numbers count every event ever
// appended, so the event with sequence s lives at buf[s%cap] while s >= oldest.
//
// It is safe for concurrent use: the event stream appends from its goroutine, the table reads
// on Fyne's. Appends come in batches, so the lock is taken once per batch, not per event.
type eventLog struct {
	mu     sync.Mutex // guards every field below
	buf    []events.Event
	next   uint64 // sequence number of the next event appended
	filter logFilter
	text   string   // filter.Text lowercased
	rows   []uint64 // sequence numbers passing filter, ascending, all >= oldest()
}

// newEventLog returns an empty log that keeps the last capacity events.
func newEventLog(capacity int) *eventLog {
	return &eventLog{buf: make([]events.Event, capacity)}
}

func (l *eventLog) oldest() uint64 {
	if c := uint64(len(l.buf)); l.next > c {
		return l.next - c
	}
	return 0
}

// Append adds a batch of events, dropping the oldest beyond capacity.
func (l *eventLog) Append(batch []events.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := uint64(len(l.buf))
	for i := range batch {
		e := &batch[i]
		l.buf[l.next%c] = *e
		if l.filter.match(e, l.text) {
			l.rows = append(l.rows, l.next)
		}
		l.next++
	}
	l.trim()
}

// trim drops rows whose events have left the ring. When the dropped prefix is more than half
// of the slice, the rest is copied down so that the backing array stays bounded.
func (l *eventLog) trim() {
	old := l.oldest()
	k := sort.Search(len(l.rows), func(i int) bool { return l.rows[i] >= old })
	if k == 0 {
		return
	}
	if k > cap(l.rows)/2 {
		l.rows = append(make([]uint64, 0, len(l.rows)-k+len(l.rows)/4+16), l.rows[k:]...)
	} else {
		l.rows = l.rows[k:]
	}
}

// SetFilter shows only the events passing f, from those held now and from then on.
func (l *eventLog) SetFilter(f logFilter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.filter, l.text = f, strings.ToLower(f.Text)
	l.rows = l.rows[:0]
	c := uint64(len(l.buf))
	for s := l.oldest(); s < l.next; s++ {
		if l.filter.match(&l.buf[s%c], l.text) {
			l.rows = append(l.rows, s)
		}
	}
}

// Clear forgets every event.
func (l *eventLog) Clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.buf)
	l.next, l.rows = 0, nil
}

// Len is the number of events passing the filter.
func (l *eventLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.rows)
}

// Total is the number of events held, filtered or not.
func (l *eventLog) Total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int(l.next - l.oldest())
}

// Row returns the i-th event passing the filter, oldest first.
func (l *eventLog) Row(i int) (events.Event, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i < 0 || i >= len(l.rows) {
		return events.Event{}, false
	}
	return l.buf[l.rows[i]%uint64(len(l.buf))], true
}

// Snapshot returns the sequence numbers of the rows shown now, for a paused view.
func (l *eventLog) Snapshot() []uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]uint64(nil), l.rows...)
}

// At returns the event with sequence number s, if it is still held.
func (l *eventLog) At(s uint64) (events.Event, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s < l.oldest() || s >= l.next {
		return events.Event{}, false
	}
	return l.buf[s%uint64(len(l.buf))], true
}

// Export writes the events passing the filter as JSON Lines, oldest first, and returns how
// many it wrote. Events are already redacted by the bridge.
func (l *eventLog) Export(w io.Writer) (int, error) {
	rows := l.Snapshot()
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	n := 0
	for _, s := range rows {
		e, ok := l.At(s)
		if !ok {
			continue
		}
		if err := enc.Encode(e); err != nil {
			return n, fmt.Errorf("writing event %d: %w", e.ID, err)
		}
		n++
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("writing events: %w", err)
	}
	return n, nil
}
