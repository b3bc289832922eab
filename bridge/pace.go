package bridge

import (
	"io"
	"sync"
	"time"
)

// progressGap is how long a response waits after the last progress notification of its
// request. The TypeScript SDK, which most AI clients use, runs notification handlers in a
// later microtask but settles a response at once: when both arrive in one read, the response
// wins and the last progress is dropped (a progress bar that never reaches its end). Writing
// the response a moment later puts it in another read.
const progressGap = 2 * time.Millisecond

// maxProgressHold bounds how long a response waits for the client to read the progress
// notifications before it (a client that reads nothing must still get its answer).
const maxProgressHold = 50 * time.Millisecond

// progressPacer remembers which requests asked for progress and when each token's last
// notification went to the client, so that whoever writes to the client (the shim, or the
// bridge once a shim handed it the client's stdout) can keep a response from overtaking the
// progress before it. Safe for concurrent use.
type progressPacer struct {
	mu           sync.Mutex
	progressOf   map[string]string    // request id (raw JSON) → its progress token (raw JSON)
	lastProgress map[string]time.Time // progress token → when its last notification passed
}

func newProgressPacer() *progressPacer {
	return &progressPacer{progressOf: map[string]string{}, lastProgress: map[string]time.Time{}}
}

// request records that request id asked for progress under token.
func (p *progressPacer) request(id, token string) {
	p.mu.Lock()
	p.progressOf[id] = token
	p.mu.Unlock()
}

// progress records that a notification for token is being written now.
func (p *progressPacer) progress(token string) {
	p.mu.Lock()
	if len(p.lastProgress) > 1000 {
		// Calls that never got a response (cancelled) leave their tokens; forget them.
		clear(p.lastProgress)
	}
	p.lastProgress[token] = time.Now()
	p.mu.Unlock()
}

// response forgets request id, which is being answered, and reports whether the answer must
// wait for progress written before it, and what is left of progressGap.
func (p *progressPacer) response(id string) (gap time.Duration, hold bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tok, ok := p.progressOf[id]
	if !ok {
		return 0, false
	}
	delete(p.progressOf, id)
	at, ok := p.lastProgress[tok]
	if !ok {
		return 0, false
	}
	delete(p.lastProgress, tok)
	return progressGap - time.Since(at), true
}

// forget drops request id (answered by someone else, or failed).
func (p *progressPacer) forget(id string) {
	p.mu.Lock()
	delete(p.progressOf, id)
	p.mu.Unlock()
}

// holdForProgress delays a response whose request had progress notifications, so that the
// last notification and the response arrive in separate reads and the client has handled
// the first before the second comes (see progressGap). gap is what is left of progressGap
// since the last notification was written to w. Where w's pipe tells how much its reader
// has not read (Linux), it first waits, at most maxProgressHold, until the client has read
// everything before the response; if that took a while (a busy client), the client gets the
// whole progressGap after its read.
func holdForProgress(w io.Writer, gap time.Duration) {
	deadline := time.Now().Add(maxProgressHold)
	for {
		n, ok := unread(w)
		if !ok || n == 0 || time.Now().After(deadline) {
			break
		}
		gap = progressGap
		time.Sleep(100 * time.Microsecond)
	}
	if gap > 0 {
		time.Sleep(gap)
	}
}
