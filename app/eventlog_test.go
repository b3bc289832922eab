package app

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/patchbay-mcp/patchbay/bridge/events"
)

func TestEventLogKeepsTheLastCapacityEvents(t *testing.T) {
	l := newEventLog(100)
	evs := sampleEvents(250)
	for i := 0; i < len(evs); i += 30 {
		l.Append(evs[i:min(i+30, len(evs))])
	}
	if l.Total() != 100 || l.Len() != 100 {
		t.Fatalf("total %d, rows %d, want 100", l.Total(), l.Len())
	}
	if e, _ := l.Row(0); e.ID != 151 {
		t.Errorf("oldest kept is #%d, want #151", e.ID)
	}
	if e, _ := l.Row(99); e.ID != 250 {
		t.Errorf("newest is #%d, want #250", e.ID)
	}
	l.SetFilter(logFilter{Client: "claude-ai"})
	if l.Len() != 50 {
		t.Errorf("%d claude-ai rows, want 50", l.Len())
	}
	l.Append(sampleEvents(60)) // all of them evict older rows of the filtered view too
	if l.Len() != 50 {
		t.Errorf("%d claude-ai rows after more events, want 50", l.Len())
	}
	if cap(l.rows) > 4*100 {
		t.Errorf("the row index grew to cap %d for 100 events", cap(l.rows))
	}
}

func TestEventLogExportsTheFilteredRowsAsJSONL(t *testing.T) {
	l := newEventLog(1000)
	l.Append(sampleEvents(300))
	l.SetFilter(logFilter{Text: "object_not_found"})
	var b bytes.Buffer
	n, err := l.Export(&b)
	if err != nil || n != 4 {
		t.Fatalf("exported %d (%v), want the 4 error events", n, err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, line := range lines {
		var e events.Event
		if err := json.Unmarshal([]byte(line), &e); err != nil || e.Error == "" {
			t.Errorf("line %q: %v", line, err)
		}
	}
}

// BenchmarkLogAppend appends 100,000 events in batches of 100 (one 100 ms batch at 1,000
// events/s) to a full-size log with a filter set, and reports the time per batch and the
// heap the log holds once full (event structs and the filtered index; the bodies are shared
// with the input, as they are with the decoded stream).
func BenchmarkLogAppend(b *testing.B) {
	evs := sampleEvents(100_000)
	const batch = 100
	b.ReportAllocs()
	var heap uint64
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		l := newEventLog(logCapacity)
		l.SetFilter(logFilter{Text: "roadmap"})
		for i := 0; i < len(evs); i += batch {
			l.Append(evs[i : i+batch])
		}
		for i := 0; i < len(evs); i += batch { // a second lap: evicting as it goes
			l.Append(evs[i : i+batch])
		}
		if l.Len() != logCapacity {
			b.Fatalf("%d rows", l.Len())
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = ms.HeapAlloc - before.HeapAlloc // the ring and its index; bodies are shared with evs
		runtime.KeepAlive(l)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(2*len(evs)/batch), "ns/batch")
	b.ReportMetric(float64(heap)/(1<<20), "MiB-heap")
}
