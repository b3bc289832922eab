package events

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Rotator appends lines to <dir>/events.jsonl, moving it aside to events-<time>.jsonl when it
// passes MaxBytes and keeping the newest Keep of those. Files are 0600 (bodies are redacted,
// but what tools return is still the user's data). Writes are buffered and flushed every
// FlushEvery and on Close. Safe for concurrent use.
type Rotator struct {
	dir      string
	maxBytes int64
	keep     int

	mu     sync.Mutex // guards f, w, size, closed, err
	f      *os.File
	w      *bufio.Writer
	size   int64
	closed bool
	err    error // first write error, reported by Close

	stop chan struct{}
	done chan struct{}
}

// Defaults for NewRotator.
const (
	DefaultMaxFileBytes = 10 << 20
	DefaultKeepFiles    = 5
	flushEvery          = 500 * time.Millisecond
)

// CurrentFile is the name of the file being written.
const CurrentFile = "events.jsonl"

// NewRotator opens (creating) dir/events.jsonl for appending. maxBytes 0 means
// DefaultMaxFileBytes, keep 0 means DefaultKeepFiles.
func NewRotator(dir string, maxBytes int64, keep int) (*Rotator, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxFileBytes
	}
	if keep <= 0 {
		keep = DefaultKeepFiles
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	r := &Rotator{dir: dir, maxBytes: maxBytes, keep: keep, stop: make(chan struct{}), done: make(chan struct{})}
	if err := r.open(); err != nil {
		return nil, err
	}
	go r.flusher()
	return r, nil
}

func (r *Rotator) open() error {
	p := filepath.Join(r.dir, CurrentFile)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("opening %s: %w", p, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("checking %s: %w", p, err)
	}
	r.f, r.w, r.size = f, bufio.NewWriterSize(f, 64<<10), fi.Size()
	return nil
}

// WriteLine appends line and a newline, rotating first if the file is full. Errors are kept
// and returned by Close: the event log must not stop the bridge.
func (r *Rotator) WriteLine(line []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.f == nil {
		return
	}
	if r.size > 0 && r.size+int64(len(line))+1 > r.maxBytes {
		if err := r.rotateLocked(); err != nil {
			r.keepErr(err)
			return
		}
	}
	n, err := r.w.Write(line)
	if err == nil {
		err = r.w.WriteByte('\n')
		n++
	}
	r.size += int64(n)
	r.keepErr(err)
}

func (r *Rotator) keepErr(err error) {
	if err != nil && r.err == nil {
		r.err = err
	}
}

func (r *Rotator) rotateLocked() error {
	if err := r.w.Flush(); err != nil {
		return err
	}
	if err := r.f.Close(); err != nil {
		return err
	}
	r.f = nil
	cur := filepath.Join(r.dir, CurrentFile)
	aside := filepath.Join(r.dir, "events-"+time.Now().UTC().Format("20060102T150405.000000000")+".jsonl")
	if err := os.Rename(cur, aside); err != nil {
		return fmt.Errorf("rotating %s: %w", cur, err)
	}
	old, _ := Rotated(r.dir)
	for len(old) > r.keep {
		os.Remove(old[0])
		old = old[1:]
	}
	return r.open()
}

// Rotated lists the rotated files in dir, oldest first (not the current file).
func Rotated(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, "events-") && strings.HasSuffix(n, ".jsonl") {
			out = append(out, filepath.Join(dir, n))
		}
	}
	sort.Strings(out)
	return out, nil
}

func (r *Rotator) flusher() {
	defer close(r.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			r.Flush()
		case <-r.stop:
			return
		}
	}
}

// Flush writes buffered lines to the file.
func (r *Rotator) Flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w != nil && !r.closed {
		r.keepErr(r.w.Flush())
	}
}

// Close flushes and closes the file; it returns the first write error seen. Idempotent.
func (r *Rotator) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	if r.w != nil {
		r.keepErr(r.w.Flush())
	}
	if r.f != nil {
		r.keepErr(r.f.Close())
	}
	err := r.err
	r.mu.Unlock()
	close(r.stop)
	<-r.done
	return err
}
