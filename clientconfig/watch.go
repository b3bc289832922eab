package clientconfig

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DriftEvent says a client's config no longer holds the entries Patchbay wrote there, or
// that it cannot be read. The bridge forwards it to its event stream.
type DriftEvent struct {
	Client string `json:"client"`
	File   string `json:"file"`
	// Drifted are the connections whose entries were removed or changed.
	Drifted []string `json:"drifted,omitempty"`
	// Repaired says auto-repair put them back.
	Repaired bool `json:"repaired,omitempty"`
	// Error says why the file could not be checked or repaired.
	Error string `json:"error,omitempty"`
}

// debounce lets a client finish writing (some truncate, then write) before the file is checked.
const debounce = 75 * time.Millisecond

// testHookResynced, when set by a test, runs each time Watch has (re)read the set of files
// and updated its folder watches.
var testHookResynced func()

// ErrAlreadyWatching means Watch is already running on this Manager.
var ErrAlreadyWatching = errors.New("this Manager is already watching")

// Watch watches the folders of every file Patchbay put entries in (folders, not files, so
// that editors' write-to-temp-and-rename is seen) and calls emit with a DriftEvent when a
// file stops holding Patchbay's entries, once per change of its drift. When AutoRepair says
// so for the client, the entries are put back and the event says Repaired. Files drifted
// when Watch starts are reported at once. Watch returns when ctx ends; emit is called from
// Watch's goroutine, one call at a time. Only one Watch may run per Manager.
func (m *Manager) Watch(ctx context.Context, emit func(DriftEvent)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("starting the file watcher: %w", err)
	}
	defer w.Close()
	m.mu.Lock()
	if m.changed != nil {
		m.mu.Unlock()
		return ErrAlreadyWatching
	}
	m.changed = make(chan struct{}, 1)
	changed := m.changed
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.changed = nil
		m.mu.Unlock()
	}()

	files := map[string]string{} // watched file → client id
	dirs := map[string]bool{}
	reported := map[string]string{} // file → fingerprint of the last event emitted
	pending := map[string]time.Time{}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()

	resync := func() {
		m.mu.Lock()
		rec, err := loadRecord(m.Layout.ConfigDir)
		m.mu.Unlock()
		if err != nil {
			emit(DriftEvent{Error: err.Error()})
			return
		}
		want := map[string]bool{}
		clear(files)
		for f, fr := range rec.Files {
			if len(fr.Names) == 0 {
				continue
			}
			files[f] = fr.Client
			want[filepath.Dir(f)] = true
		}
		for d := range want {
			if !dirs[d] && w.Add(d) == nil {
				dirs[d] = true
			}
		}
		for d := range dirs {
			if !want[d] {
				w.Remove(d)
				delete(dirs, d)
			}
		}
		for f := range files {
			pending[f] = time.Now()
		}
		timer.Reset(0)
		if testHookResynced != nil {
			testHookResynced()
		}
	}
	check := func(file string) {
		ev, ok := m.checkFile(file, files[file])
		fp := ""
		if ok {
			fp = strings.Join(ev.Drifted, ",") + "|" + ev.Error + fmt.Sprint(ev.Repaired)
		}
		if fp == reported[file] {
			return
		}
		reported[file] = fp
		if ok {
			emit(ev)
		}
		if ev.Repaired {
			reported[file] = "" // repaired: a later removal is news again
		}
	}

	resync()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
			resync()
		case e, ok := <-w.Events:
			if !ok {
				return nil
			}
			f := filepath.Clean(e.Name)
			if _, watched := files[f]; watched {
				pending[f] = time.Now().Add(debounce)
				timer.Reset(debounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			emit(DriftEvent{Error: fmt.Sprintf("watching client configs: %v", err)})
		case <-timer.C:
			now := time.Now()
			var next time.Time
			due := []string{}
			for f, at := range pending {
				if !at.After(now) {
					due = append(due, f)
				} else if next.IsZero() || at.Before(next) {
					next = at
				}
			}
			slices.Sort(due)
			for _, f := range due {
				delete(pending, f)
				if _, watched := files[f]; watched {
					check(f)
				}
			}
			if !next.IsZero() {
				timer.Reset(time.Until(next))
			}
		}
	}
}

// checkFile reports drift in one file, repairing it when the client's setting says so. ok
// is false when there is nothing to report.
func (m *Manager) checkFile(file, clientID string) (DriftEvent, bool) {
	c, found := Lookup(clientID)
	if !found {
		return DriftEvent{}, false
	}
	ev := DriftEvent{Client: c.ID, File: file}
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := loadRecord(m.Layout.ConfigDir)
	if err != nil {
		ev.Error = err.Error()
		return ev, true
	}
	st := m.status(c, file, true, rec)
	switch {
	case st.State == StateError:
		ev.Error = st.Error
		return ev, true
	case len(st.Drifted) == 0:
		return ev, false
	}
	ev.Drifted = st.Drifted
	if m.AutoRepair != nil && m.AutoRepair(c.ID) {
		names := st.Drifted
		_, dirty, err := m.changeFile(rec, c, file, true, false, func(c *Client, b []byte) ([]byte, error) {
			var err error
			for _, n := range names {
				if b, err = c.Upsert(b, m.entry(n), false); err != nil {
					return nil, err
				}
			}
			return b, nil
		}, func(*fileRecord) {})
		if err == nil && dirty {
			err = m.saveRecord(rec)
		}
		if err != nil {
			ev.Error = err.Error()
		} else {
			ev.Repaired = true
		}
	}
	return ev, true
}
