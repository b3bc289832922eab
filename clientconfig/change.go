package clientconfig

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
)

// ConnectRequest asks to put entries for Connections into a client's config.
type ConnectRequest struct {
	Target
	Connections []string `json:"connections"`
	// Replace overwrites an entry of the same name that Patchbay did not write.
	Replace bool `json:"replace,omitempty"`
	// DryRun returns the diff without writing.
	DryRun bool `json:"dry_run,omitempty"`
}

// DisconnectRequest asks to remove Patchbay's entries (all of them when Connections is
// empty). Entries Patchbay did not write are never removed.
type DisconnectRequest struct {
	Target
	Connections []string `json:"connections,omitempty"`
	DryRun      bool     `json:"dry_run,omitempty"`
}

// ChangeResult is what a Connect, Disconnect, Repair or Restore did (or would do).
type ChangeResult struct {
	Client  string `json:"client"`
	File    string `json:"file"`
	Changed bool   `json:"changed"`
	DryRun  bool   `json:"dry_run,omitempty"`
	// Diff is the unified diff of the change.
	Diff   string `json:"diff,omitempty"`
	Backup string `json:"backup,omitempty"`
	// Connections are Patchbay's entries in the file afterwards.
	Connections []string `json:"connections,omitempty"`
}

// Connect puts Patchbay's entries for req.Connections into the client's config. It is
// idempotent: connecting again changes nothing. The client must be installed (or a project
// folder given); a missing file is then created.
func (m *Manager) Connect(req ConnectRequest) (ChangeResult, error) {
	if len(req.Connections) == 0 {
		return ChangeResult{}, errors.New("no connection to connect: name one with --connection NAME, or use --all")
	}
	return m.change(req.Target, req.DryRun, func(c *Client, content []byte) ([]byte, error) {
		var err error
		for _, n := range req.Connections {
			if content, err = c.Upsert(content, m.entry(n), req.Replace); err != nil {
				return nil, err
			}
		}
		return content, nil
	}, func(fr *fileRecord) {
		for _, n := range req.Connections {
			if !slices.Contains(fr.Names, n) {
				fr.Names = append(fr.Names, n)
			}
		}
	})
}

// Disconnect removes Patchbay's entries for req.Connections (all of Patchbay's entries when
// empty) and nothing else. It is idempotent.
func (m *Manager) Disconnect(req DisconnectRequest) (ChangeResult, error) {
	var removed []string
	return m.change(req.Target, req.DryRun, func(c *Client, content []byte) ([]byte, error) {
		names := req.Connections
		if len(names) == 0 {
			found, err := c.Entries(content, m.Exe)
			if err != nil {
				return nil, err
			}
			for _, f := range found {
				if f.Ours {
					names = append(names, f.Name)
				}
			}
		}
		removed = names
		var err error
		for _, n := range names {
			if content, err = c.Remove(content, n, m.Exe); err != nil {
				return nil, err
			}
		}
		return content, nil
	}, func(fr *fileRecord) {
		if len(req.Connections) == 0 {
			fr.Names = nil
			return
		}
		fr.Names = slices.DeleteFunc(fr.Names, func(n string) bool { return slices.Contains(removed, n) })
	})
}

// Repair puts back the entries Patchbay wrote into a client's config and that someone else
// removed or changed. With nothing to repair it changes nothing.
func (m *Manager) Repair(t Target, dryRun bool) (ChangeResult, error) {
	m.mu.Lock()
	_, f, _, err := m.locate(t)
	var names []string
	if err == nil {
		var rec *record
		if rec, err = loadRecord(m.Layout.ConfigDir); err == nil {
			if target, rerr := resolve(f); rerr == nil && rec.Files[target] != nil {
				names = rec.Files[target].Names
			}
		}
	}
	m.mu.Unlock()
	if err != nil {
		return ChangeResult{}, err
	}
	if len(names) == 0 {
		return ChangeResult{Client: t.Client, File: f}, nil
	}
	// An entry someone changed so that it no longer runs `patchbay shim NAME` is theirs now:
	// Repair reports the conflict rather than overwrite it (connect --replace does).
	return m.Connect(ConnectRequest{Target: t, Connections: names, DryRun: dryRun})
}

// change runs one edit of a client's file under mu and updates the record.
func (m *Manager) change(t Target, dryRun bool, edit func(*Client, []byte) ([]byte, error), update func(*fileRecord)) (ChangeResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, file, installed, err := m.locate(t)
	if err != nil {
		return ChangeResult{}, err
	}
	rec, err := loadRecord(m.Layout.ConfigDir)
	if err != nil {
		return ChangeResult{Client: c.ID, File: file}, err
	}
	res, dirty, err := m.changeFile(rec, c, file, installed, dryRun, edit, update)
	if err != nil || !dirty {
		return res, err
	}
	return res, m.saveRecord(rec)
}

// saveRecord writes the record and tells a running Watch. Called with mu held.
func (m *Manager) saveRecord(rec *record) error {
	if err := rec.save(m.Layout.ConfigDir); err != nil {
		return err
	}
	m.notify()
	return nil
}

// changeFile edits one located file and updates rec in memory; dirty says rec changed and
// needs saving. Called with mu held.
func (m *Manager) changeFile(rec *record, c *Client, file string, installed, dryRun bool, edit func(*Client, []byte) ([]byte, error), update func(*fileRecord)) (ChangeResult, bool, error) {
	res, er, err := m.editOne(c, file, installed, dryRun, edit)
	if err != nil || dryRun {
		return res, false, err
	}
	return res, recordEdit(rec, c, er, update), nil
}

// editOne edits one located file. It touches only that file (and its backup), so edits of
// different files may run at once. Called with mu held.
func (m *Manager) editOne(c *Client, file string, installed, dryRun bool, edit func(*Client, []byte) ([]byte, error)) (ChangeResult, EditResult, error) {
	res := ChangeResult{Client: c.ID, File: file, DryRun: dryRun}
	if !installed {
		return res, EditResult{}, fmt.Errorf("%s does not look installed (no %s): install it first, or give a project folder with --project", c.Name, filepath.Dir(file))
	}
	er, err := EditFile(file, func(b []byte) ([]byte, error) { return edit(c, b) }, EditOptions{
		Create:    true,
		BackupDir: m.Layout.BackupDir(),
		DryRun:    dryRun,
	})
	res.File, res.Changed, res.Backup = er.Path, er.Changed, er.Backup
	if err != nil {
		return res, er, err
	}
	res.Diff = unifiedDiff(er.Path, er.Before, er.After)
	if found, err := c.Entries(er.After, m.Exe); err == nil {
		for _, f := range found {
			if f.Ours {
				res.Connections = append(res.Connections, f.Name)
			}
		}
	}
	return res, er, nil
}

// recordEdit notes a written edit in rec and reports whether rec changed.
func recordEdit(rec *record, c *Client, er EditResult, update func(*fileRecord)) bool {
	dirty := false
	fr := rec.Files[er.Path]
	if fr == nil {
		fr = &fileRecord{Client: c.ID, Backup: er.Backup, Created: !er.Existed && er.Changed}
		rec.Files[er.Path] = fr
		dirty = true
	}
	before := slices.Clone(fr.Names)
	update(fr)
	written := hashOf(er.After)
	dirty = dirty || fr.Written != written || !slices.Equal(before, fr.Names)
	fr.Written = written
	return dirty
}

// ConnectAllRequest asks to connect every installed client.
type ConnectAllRequest struct {
	Connections []string `json:"connections"`
	Replace     bool     `json:"replace,omitempty"`
	DryRun      bool     `json:"dry_run,omitempty"`
}

// ClientResult is one client's part of a ConnectAll or DisconnectAll.
type ClientResult struct {
	ChangeResult
	// Error says why this client was not changed; the others still were.
	Error string `json:"error,omitempty"`
}

// ConnectAll connects req.Connections to every installed client, in one pass (one save of
// Patchbay's record). A client that fails (a malformed file, a conflict) is reported in its
// result and does not stop the others.
func (m *Manager) ConnectAll(req ConnectAllRequest) ([]ClientResult, error) {
	if len(req.Connections) == 0 {
		return nil, errors.New("no connection to connect: name one with --connection NAME, or use --all")
	}
	return m.changeAll(req.DryRun, func(c *Client, content []byte) ([]byte, error) {
		var err error
		for _, n := range req.Connections {
			if content, err = c.Upsert(content, m.entry(n), req.Replace); err != nil {
				return nil, err
			}
		}
		return content, nil
	}, func(fr *fileRecord) {
		for _, n := range req.Connections {
			if !slices.Contains(fr.Names, n) {
				fr.Names = append(fr.Names, n)
			}
		}
	})
}

// DisconnectAll removes all of Patchbay's entries from every installed client.
func (m *Manager) DisconnectAll(dryRun bool) ([]ClientResult, error) {
	return m.changeAll(dryRun, func(c *Client, content []byte) ([]byte, error) {
		found, err := c.Entries(content, m.Exe)
		if err != nil {
			return nil, err
		}
		for _, f := range found {
			if f.Ours {
				if content, err = c.Remove(content, f.Name, m.Exe); err != nil {
					return nil, err
				}
			}
		}
		return content, nil
	}, func(fr *fileRecord) { fr.Names = nil })
}

// changeAll edits every installed client's global file. The files are distinct, so they are
// edited in parallel: each atomic write waits on two fsyncs, and overlapping those waits is
// most of the speed of "connect everywhere". The record is then updated and saved once.
func (m *Manager) changeAll(dryRun bool, edit func(*Client, []byte) ([]byte, error), update func(*fileRecord)) ([]ClientResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := loadRecord(m.Layout.ConfigDir)
	if err != nil {
		return nil, err
	}
	type job struct {
		c    *Client
		file string
		res  ChangeResult
		er   EditResult
		err  error
	}
	var jobs []*job
	seen := map[string]bool{}
	for _, c := range Clients {
		file, installed := c.Locate(m.Env)
		if !installed || seen[file] {
			continue // two clients sharing one file would race: the table has none
		}
		seen[file] = true
		jobs = append(jobs, &job{c: c, file: file})
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { j.res, j.er, j.err = m.editOne(j.c, j.file, true, dryRun, edit) })
	}
	wg.Wait()
	out := make([]ClientResult, 0, len(jobs))
	dirty := false
	for _, j := range jobs {
		cr := ClientResult{ChangeResult: j.res}
		if j.err != nil {
			cr.Error = j.err.Error()
		} else if !dryRun {
			dirty = recordEdit(rec, j.c, j.er, update) || dirty
		}
		out = append(out, cr)
	}
	if dirty {
		return out, m.saveRecord(rec)
	}
	return out, nil
}
