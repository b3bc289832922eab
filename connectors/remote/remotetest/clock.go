package remotetest

import (
	"sync"
	"time"
)

// Clock is a test clock to share between the fake server (Options.Now) and the client under
// test, so a test can expire tokens by moving time forward.
//
// It starts at the real time and only moves forward from there: golang.org/x/oauth2 also
// checks token expiry against the real clock, so a clock that started at a fixed time would
// make every token minted on it look expired once real time passed that time.
type Clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

// NewClock returns a Clock set to now.
func NewClock() *Clock { return &Clock{t: time.Now().UTC().Truncate(time.Second)} }

// Now returns the clock's time. It is safe for concurrent use.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock forward by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
