package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/patchbay-mcp/patchbay/internal/atomicfile"
)

// CorruptError says state.json could not be read. The file is left exactly as it was, and a
// copy is kept aside at Aside so that nothing is lost even if the user then deletes it.
type CorruptError struct {
	Path  string
	Aside string // a copy of the bad file, or "" if the copy could not be made
	Line  int    // 1-based position of a JSON syntax error, or 0
	Col   int
	Err   error
}

func (e *CorruptError) Error() string {
	where := ""
	if e.Line > 0 {
		where = fmt.Sprintf(" at line %d, column %d", e.Line, e.Col)
	}
	msg := fmt.Sprintf("%s is not a valid Patchbay state file%s: %v. Patchbay changed nothing; fix the file, or move it away to start with no connections", e.Path, where, e.Err)
	if e.Aside != "" {
		msg += fmt.Sprintf(" (a copy is kept at %s)", e.Aside)
	}
	return msg
}

func (e *CorruptError) Unwrap() error { return e.Err }

// TooNewError says state.json was written by a newer Patchbay, whose schema this one does not
// know. The file is not touched.
type TooNewError struct{ Version int }

func (e *TooNewError) Error() string {
	return fmt.Sprintf("the state file has version %d, newer than this Patchbay understands (%d): update Patchbay", e.Version, Version)
}

// IsCorrupt reports whether err is a *CorruptError.
func IsCorrupt(err error) bool {
	var c *CorruptError
	return errors.As(err, &c)
}

// Store owns state.json. Every change goes through Modify. A Store is safe for concurrent use.
type Store struct {
	path string

	mu      sync.Mutex // guards cur, stamp and subs; held across the write in Modify
	cur     State
	stamp   fileStamp // of the file as last read or written, to notice outside edits
	subs    map[int]func(State)
	nextSub int
}

type fileStamp struct {
	size  int64
	mtime time.Time
}

// Open loads the state at path. A missing file is an empty state (nothing is written until
// the first Modify). A file from an older version is upgraded in memory and written back on
// the next Modify. A corrupt file is a *CorruptError and a newer one a *TooNewError; in both
// cases the file is not changed.
func Open(path string) (*Store, error) {
	s := &Store{path: path, subs: map[int]func(State){}}
	st, stamp, err := load(path)
	if err != nil {
		return nil, err
	}
	s.cur, s.stamp = st, stamp
	return s, nil
}

// Path is the file this Store owns.
func (s *Store) Path() string { return s.path }

// Get returns a copy of the current state.
func (s *Store) Get() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur.clone()
}

// Modify applies fn to a copy of the current state and, if fn returns nil and the result is
// valid, saves it atomically and makes it current, then calls the subscribers. If fn or the
// save fails, nothing changes. If the file was edited by someone else since it was last read,
// that edit is loaded first, so fn works on what is on disk. Calls are serialised; fn must not
// call back into the Store.
func (s *Store) Modify(fn func(*State) error) error {
	s.mu.Lock()
	if err := s.reloadIfChanged(); err != nil {
		s.mu.Unlock()
		return err
	}
	next := s.cur.clone()
	if err := fn(&next); err != nil {
		s.mu.Unlock()
		return err
	}
	next.Version = Version
	if next.Connections == nil {
		next.Connections = []Connection{}
	}
	if err := next.Validate(); err != nil {
		s.mu.Unlock()
		return err
	}
	data, err := json.MarshalIndent(next, "", "  ")
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("encoding state: %w", err)
	}
	data = append(data, '\n')
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		s.mu.Unlock()
		return fmt.Errorf("creating %s: %w", filepath.Dir(s.path), err)
	}
	if err := atomicfile.WriteFile(s.path, data, 0o600); err != nil {
		s.mu.Unlock()
		return err
	}
	s.cur = next
	s.stamp = stampOf(s.path)
	subs := make([]func(State), 0, len(s.subs))
	for _, f := range s.subs {
		subs = append(subs, f)
	}
	snapshot := s.cur.clone()
	s.mu.Unlock()
	for _, f := range subs {
		f(snapshot)
	}
	return nil
}

// Subscribe calls f with the new state after every successful Modify, outside the Store's
// lock. It returns a function that cancels the subscription.
func (s *Store) Subscribe(f func(State)) (cancel func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = f
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs, id)
	}
}

func (s *Store) reloadIfChanged() error {
	if stampOf(s.path) == s.stamp {
		return nil
	}
	st, stamp, err := load(s.path)
	if err != nil {
		return err
	}
	s.cur, s.stamp = st, stamp
	return nil
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{fi.Size(), fi.ModTime()}
}

func load(path string) (State, fileStamp, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return State{Version: Version, Connections: []Connection{}}, fileStamp{}, nil
	}
	if err != nil {
		return State{}, fileStamp{}, fmt.Errorf("reading %s: %w", path, err)
	}
	stamp := stampOf(path)
	up, _, err := upgrade(data)
	if err != nil {
		var tooNew *TooNewError
		if errors.As(err, &tooNew) {
			return State{}, fileStamp{}, err
		}
		return State{}, fileStamp{}, corrupt(path, data, err)
	}
	// Fields this build does not know (a hand edit, a newer minor version) are ignored.
	var st State
	if err := json.Unmarshal(up, &st); err != nil {
		return State{}, fileStamp{}, corrupt(path, data, err)
	}
	if st.Connections == nil {
		st.Connections = []Connection{}
	}
	if err := st.Validate(); err != nil {
		return State{}, fileStamp{}, corrupt(path, data, err)
	}
	return st, stamp, nil
}

// corrupt builds the error for a bad file and keeps a copy of it aside. The original is not
// touched: the user may want to fix it by hand.
func corrupt(path string, data []byte, err error) error {
	ce := &CorruptError{Path: path, Err: err}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		ce.Line, ce.Col = position(data, syn.Offset)
	}
	aside := fmt.Sprintf("%s.corrupt-%s", path, time.Now().UTC().Format("20060102T150405Z"))
	if werr := os.WriteFile(aside, data, 0o600); werr == nil {
		ce.Aside = aside
	}
	return ce
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return line, col
}
