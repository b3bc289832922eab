package events

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLogSinceAndOverflow(t *testing.T) {
	l := NewLog(4, nil)
	for i := 0; i < 3; i++ {
		l.Append(Event{Kind: KindLog, Message: "m"})
	}
	evs, missed := l.Since(0)
	if len(evs) != 3 || missed != 0 || evs[0].ID != 1 || evs[2].ID != 3 || evs[0].Time.IsZero() {
		t.Fatalf("since 0: %+v missed %d", evs, missed)
	}
	evs, _ = l.Since(2)
	if len(evs) != 1 || evs[0].ID != 3 {
		t.Fatalf("since 2: %+v", evs)
	}
	for i := 0; i < 5; i++ {
		l.Append(Event{Kind: KindLog})
	}
	// 8 appended, ring of 4 holds 5..8.
	evs, missed = l.Since(1)
	if len(evs) != 4 || evs[0].ID != 5 || missed != 3 {
		t.Fatalf("overflow: first %d, %d events, missed %d", evs[0].ID, len(evs), missed)
	}
	if evs, _ := l.Since(8); len(evs) != 0 {
		t.Fatalf("since last: %d events", len(evs))
	}
	// An id from an earlier bridge run (larger than any issued) starts over.
	if evs, _ := l.Since(1000); len(evs) != 4 {
		t.Fatalf("since future id: %d events", len(evs))
	}
}

func TestLogWaitWakesAndCloses(t *testing.T) {
	l := NewLog(16, nil)
	got := make(chan []Event, 1)
	go func() {
		evs, _, _ := l.Wait(context.Background(), 0)
		got <- evs
	}()
	time.Sleep(10 * time.Millisecond)
	l.Append(Event{Kind: KindLog, Message: "hi"})
	select {
	case evs := <-got:
		if len(evs) != 1 || evs[0].Message != "hi" {
			t.Fatalf("woke with %+v", evs)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not wake on Append")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := l.Wait(ctx, l.LastID()); err != context.Canceled {
		t.Fatalf("cancelled wait: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, _, err := l.Wait(context.Background(), l.LastID()); done <- err }()
	time.Sleep(10 * time.Millisecond)
	l.Close()
	if err := <-done; err != ErrClosed {
		t.Fatalf("wait after close: %v", err)
	}
}

func TestLogConcurrentIDsUnique(t *testing.T) {
	l := NewLog(100000, nil)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				l.Append(Event{Kind: KindMessage})
			}
		}()
	}
	wg.Wait()
	evs, _ := l.Since(0)
	if len(evs) != 8000 {
		t.Fatalf("%d events", len(evs))
	}
	for i, e := range evs {
		if e.ID != uint64(i+1) {
			t.Fatalf("event %d has id %d", i, e.ID)
		}
	}
}

func TestRotatorFilesRotateAndKeep(t *testing.T) {
	dir := t.TempDir()
	r, err := NewRotator(dir, 1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	l := NewLog(0, r)
	for i := 0; i < 100; i++ {
		l.Append(Event{Kind: KindLog, Connection: "c", Message: "a line of about forty bytes or so"})
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	old, _ := Rotated(dir)
	if len(old) != 2 {
		t.Fatalf("kept %d rotated files, want 2", len(old))
	}
	fi, err := os.Stat(filepath.Join(dir, CurrentFile))
	if err != nil || fi.Size() > 1000 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("current file: %v %v", fi, err)
	}
	// Every line is one event, ids increasing across files.
	var last uint64
	for _, p := range append(old, filepath.Join(dir, CurrentFile)) {
		f, _ := os.Open(p)
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var e Event
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if e.ID <= last {
				t.Fatalf("id %d after %d", e.ID, last)
			}
			last = e.ID
		}
		f.Close()
	}
	if last != 100 {
		t.Fatalf("last id on disk %d", last)
	}
}

func TestLogBodyBudget(t *testing.T) {
	l := NewLog(100, nil)
	l.budget = 1000
	body := json.RawMessage(`"` + string(make([]byte, 0)) + `0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"`)
	for i := 0; i < 30; i++ {
		l.Append(Event{Kind: KindMessage, Body: body})
	}
	evs, _ := l.Since(0)
	kept := 0
	for _, e := range evs {
		if e.Body != nil {
			kept++
		} else if !e.Truncated {
			t.Fatalf("event %d lost its body without Truncated", e.ID)
		}
	}
	if kept*len(body) > 1000 || kept < 8 || evs[len(evs)-1].Body == nil {
		t.Fatalf("kept %d bodies of %d bytes", kept, len(body))
	}
	if len(evs) != 30 {
		t.Fatalf("%d events kept, want all 30 (only bodies go)", len(evs))
	}
}

// TestEncodeLineMatchesMarshal checks the spliced JSONL line against json.Marshal of the same
// event: the same fields and values once decoded, on one line, for the bodies Body makes (a
// spaced object, a pretty-printed one, a redacted one, a truncated one) and for no body.
func TestEncodeLineMatchesMarshal(t *testing.T) {
	pretty := "{\n  \"jsonrpc\": \"2.0\",\n  \"id\": 1,\n  \"result\": {\"content\": [{\"type\": \"text\", \"text\": \"a\\nb\"}]}\n}"
	for _, raw := range []string{
		`{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "echo"}}`,
		pretty,
		`{"jsonrpc":"2.0","id":2,"method":"x","params":{"headers":{"Authorization":"Bearer secret-token-123"}}}`,
		strings.Repeat("x", DefaultMaxBody+10),
		"",
	} {
		e := Event{ID: 3, Time: time.Unix(1700000000, 5).UTC(), Kind: KindMessage, Connection: "c", Method: "m", Level: "info"}
		if raw != "" {
			e.Body, e.Truncated = Body([]byte(raw), 0)
		}
		got, err := encodeLine(e)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.ContainsAny(got, "\r\n") {
			t.Errorf("line has a line break: %s", got)
		}
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("line is not JSON: %v\n%s", err, got)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("line decodes differently from json.Marshal:\n got %s\nwant %s", got, want)
		}
		if strings.Contains(string(got), "secret-token-123") {
			t.Errorf("secret in the line: %s", got)
		}
	}
}
