package app

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestControllerFollowsTheEventStream runs the controller's real loops (stream, 100 ms
// flush) against the fake bridge and waits until every event reached the log.
func TestControllerFollowsTheEventStream(t *testing.T) {
	be := newFakeBackend()
	be.evs = sampleEvents(2500)
	c := newController(nil, be)
	var mu sync.Mutex // guards batches; the flush runs on the controller's goroutine here
	batches := 0
	c.ui = func(f func()) { mu.Lock(); defer mu.Unlock(); f() }
	c.onLog(func() { batches++ })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.run(ctx, false)
	for i := 0; c.log.Total() < 2500; i++ {
		if i == 300 {
			t.Fatalf("the log holds %d of 2500 events after 30 s", c.log.Total())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if e, _ := c.log.Row(2499); e.ID != 2500 {
		t.Errorf("last event #%d, want #2500", e.ID)
	}
	mu.Lock()
	defer mu.Unlock()
	if batches == 0 || batches > 10 {
		t.Errorf("the log view was told %d times for one burst, want a few batches", batches)
	}
}
