package clientconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/patchbay-mcp/patchbay/internal/atomicfile"
	"github.com/patchbay-mcp/patchbay/internal/paths"
)

// Client states, as Status reports them.
const (
	StateNotInstalled = "not-installed"
	StateNotConnected = "not-connected"
	StateConnected    = "connected"
	StateDrifted      = "drifted"
	StateError        = "error"
)

// Manager connects AI clients to Patchbay's connections. Its methods take and return plain
// JSON-serialisable structs, so the bridge can expose each as one endpoint of its local API;
// the CLI calls them directly for now.
//
// A Manager is safe for concurrent use: mu serialises every edit and every read-modify-write
// of its record (clientconfig.json). It does not coordinate with other Patchbay processes
// beyond EditFile's re-read before replacing; the bridge is meant to be the one editor.
type Manager struct {
	// Env locates client files (HOME, APPDATA). Tests point it at a temporary home.
	Env Env
	// Layout is where Patchbay keeps its own files: the record and the backups go in
	// Layout.ConfigDir; Layout.Home (PATCHBAY_HOME) goes into every entry's env.
	Layout paths.Layout
	// Exe is the absolute path of the patchbay binary that entries launch.
	Exe string
	// AutoRepair says whether drift in a client is repaired without asking (off when nil).
	AutoRepair func(clientID string) bool

	// mu guards the record file and serialises edits of client files.
	mu sync.Mutex
	// changed, when set (by Watch), is told that the set of watched files may have changed.
	changed chan struct{}
}

// NewManager returns a Manager for this process: client files under HOME, Patchbay's files
// in layout, and the running binary (symlinks resolved) as the entries' command.
func NewManager(layout paths.Layout) (*Manager, error) {
	env, err := DefaultEnv()
	if err != nil {
		return nil, err
	}
	exe, err := Executable()
	if err != nil {
		return nil, err
	}
	return &Manager{Env: env, Layout: layout, Exe: exe}, nil
}

// Executable returns the absolute path of the running patchbay binary with symlinks
// resolved, which on macOS is the binary inside the .app bundle.
func Executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding the patchbay binary: %w", err)
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	return filepath.Abs(exe)
}

// Target names one client config: a client's global file, or its file in a project folder.
type Target struct {
	Client  string `json:"client"`
	Project string `json:"project,omitempty"`
}

// ClientStatus is one client's state.
type ClientStatus struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	File      string `json:"file"`
	Project   string `json:"project,omitempty"`
	Installed bool   `json:"installed"`
	// State is one of the State* constants.
	State string `json:"state"`
	// Connections are the connections Patchbay's entries in the file launch.
	Connections []string `json:"connections,omitempty"`
	// Drifted are the connections Patchbay wrote that someone removed or changed.
	Drifted []string `json:"drifted,omitempty"`
	// Error says what is wrong when State is "error".
	Error      string `json:"error,omitempty"`
	AutoRepair bool   `json:"auto_repair,omitempty"`
	// Backup is the copy of the file from before Patchbay's first edit, if any.
	Backup string `json:"backup,omitempty"`
}

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

func (m *Manager) client(id string) (*Client, error) {
	c, ok := Lookup(id)
	if !ok {
		ids := make([]string, len(Clients))
		for i, c := range Clients {
			ids[i] = c.ID
		}
		return nil, fmt.Errorf("unknown client %q: use one of %v", id, ids)
	}
	return c, nil
}

// locate returns the client, its file and whether it is installed (a project file always
// counts as installed: the user named the folder).
func (m *Manager) locate(t Target) (*Client, string, bool, error) {
	c, err := m.client(t.Client)
	if err != nil {
		return nil, "", false, err
	}
	if t.Project != "" {
		if c.ProjectFile == "" {
			return nil, "", false, fmt.Errorf("%s has no project-level config; connect it without --project", c.Name)
		}
		dir, err := filepath.Abs(t.Project)
		if err != nil {
			return nil, "", false, fmt.Errorf("resolving %s: %w", t.Project, err)
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, "", false, fmt.Errorf("project folder %s does not exist", dir)
		}
		return c, c.ProjectPath(dir), true, nil
	}
	f, installed := c.Locate(m.Env)
	return c, f, installed, nil
}

func (m *Manager) entry(name string) Entry { return NewEntry(name, m.Exe, m.Layout) }

// Status reports every client's global config, in the order of Clients, plus any project
// files Patchbay has edited.
func (m *Manager) Status() ([]ClientStatus, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := loadRecord(m.Layout.ConfigDir)
	if err != nil {
		return nil, err
	}
	var out []ClientStatus
	seen := map[string]bool{}
	for _, c := range Clients {
		f, installed := c.Locate(m.Env)
		st := m.status(c, f, installed, rec)
		seen[st.File] = true
		out = append(out, st)
	}
	for _, file := range sortedRecordFiles(rec) {
		fr := rec.Files[file]
		if seen[file] {
			continue
		}
		if c, ok := Lookup(fr.Client); ok {
			st := m.status(c, file, true, rec)
			if c.ProjectFile != "" {
				st.Project = strings.TrimSuffix(file, string(filepath.Separator)+filepath.FromSlash(c.ProjectFile))
			}
			out = append(out, st)
		}
	}
	return out, nil
}

// StatusOf reports one client config.
func (m *Manager) StatusOf(t Target) (ClientStatus, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, f, installed, err := m.locate(t)
	if err != nil {
		return ClientStatus{}, err
	}
	rec, err := loadRecord(m.Layout.ConfigDir)
	if err != nil {
		return ClientStatus{}, err
	}
	st := m.status(c, f, installed, rec)
	st.Project = t.Project
	return st, nil
}

func sortedRecordFiles(rec *record) []string {
	keys := make([]string, 0, len(rec.Files))
	for k := range rec.Files {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// status computes a client's state from its file. Called with mu held.
func (m *Manager) status(c *Client, file string, installed bool, rec *record) ClientStatus {
	st := ClientStatus{ID: c.ID, Name: c.Name, File: file, Installed: installed}
	if m.AutoRepair != nil {
		st.AutoRepair = m.AutoRepair(c.ID)
	}
	target, err := resolve(file)
	if err != nil {
		st.State, st.Error = StateError, err.Error()
		return st
	}
	st.File = target
	content, _, exists, err := readRegular(target)
	if err != nil {
		st.State, st.Error = StateError, err.Error()
		return st
	}
	fr := rec.Files[target]
	if fr != nil {
		st.Backup = fr.Backup
	}
	if !exists && !installed && fr == nil {
		st.State = StateNotInstalled
		return st
	}
	st.Installed = true
	found, err := c.Entries(content, m.Exe)
	if err != nil {
		st.State, st.Error = StateError, withFile(err, target).Error()
		return st
	}
	ours := map[string]Found{}
	for _, f := range found {
		if f.Ours {
			ours[f.Name] = f
			st.Connections = append(st.Connections, f.Name)
		}
	}
	if fr != nil {
		for _, n := range fr.Names {
			f, ok := ours[n]
			if !ok || !reflect.DeepEqual(f.Value, plain(c.Shape.build(m.entry(n)))) {
				st.Drifted = append(st.Drifted, n)
			}
		}
	}
	switch {
	case len(st.Drifted) > 0:
		st.State = StateDrifted
	case len(st.Connections) > 0:
		st.State = StateConnected
	default:
		st.State = StateNotConnected
	}
	return st
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
func (m *Manager) changeFile(rec *record, c *Client, file string, installed, dryRun bool, edit func(*Client, []byte) ([]byte, error), update func(*fileRecord)) (res ChangeResult, dirty bool, err error) {
	res = ChangeResult{Client: c.ID, File: file, DryRun: dryRun}
	if !installed {
		return res, false, fmt.Errorf("%s does not look installed (no %s): install it first, or give a project folder with --project", c.Name, filepath.Dir(file))
	}
	er, err := EditFile(file, func(b []byte) ([]byte, error) { return edit(c, b) }, EditOptions{
		Create:    true,
		BackupDir: m.Layout.BackupDir(),
		DryRun:    dryRun,
	})
	res.File, res.Changed, res.Backup = er.Path, er.Changed, er.Backup
	if err != nil {
		return res, false, err
	}
	res.Diff = unifiedDiff(er.Path, er.Before, er.After)
	if found, err := c.Entries(er.After, m.Exe); err == nil {
		for _, f := range found {
			if f.Ours {
				res.Connections = append(res.Connections, f.Name)
			}
		}
	}
	if dryRun {
		return res, false, nil
	}
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
	return res, dirty, nil
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

func (m *Manager) changeAll(dryRun bool, edit func(*Client, []byte) ([]byte, error), update func(*fileRecord)) ([]ClientResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := loadRecord(m.Layout.ConfigDir)
	if err != nil {
		return nil, err
	}
	var out []ClientResult
	dirty := false
	for _, c := range Clients {
		file, installed := c.Locate(m.Env)
		if !installed {
			continue
		}
		res, d, err := m.changeFile(rec, c, file, true, dryRun, edit, update)
		cr := ClientResult{ChangeResult: res}
		if err != nil {
			cr.Error = err.Error()
		}
		dirty = dirty || d
		out = append(out, cr)
	}
	if dirty {
		return out, m.saveRecord(rec)
	}
	return out, nil
}

// Restore puts back the file as it was before Patchbay's first edit (deleting it when
// Patchbay created it), but only when nobody changed it since Patchbay last wrote it;
// otherwise it explains and does nothing. Afterwards Patchbay forgets the file.
func (m *Manager) Restore(t Target, dryRun bool) (ChangeResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, file, _, err := m.locate(t)
	if err != nil {
		return ChangeResult{}, err
	}
	res := ChangeResult{Client: c.ID, File: file, DryRun: dryRun}
	target, err := resolve(file)
	if err != nil {
		return res, err
	}
	res.File = target
	rec, err := loadRecord(m.Layout.ConfigDir)
	if err != nil {
		return res, err
	}
	fr := rec.Files[target]
	if fr == nil || (fr.Backup == "" && !fr.Created) {
		return res, fmt.Errorf("patchbay has no backup of %s: it never edited it, or it was already restored", target)
	}
	now, mode, exists, err := readRegular(target)
	if err != nil {
		return res, err
	}
	if !exists || hashOf(now) != fr.Written {
		return res, fmt.Errorf("%s changed since Patchbay last wrote it, so restoring the backup would lose those changes; nothing was restored. The backup is %s: compare and copy by hand, or use `patchbay clients disconnect %s` to remove only Patchbay's entries", target, orNone(fr.Backup), c.ID)
	}
	var orig []byte
	if !fr.Created {
		if orig, err = os.ReadFile(fr.Backup); err != nil {
			return res, fmt.Errorf("reading backup %s: %w", fr.Backup, err)
		}
	}
	res.Changed, res.Backup = true, fr.Backup
	res.Diff = unifiedDiff(target, now, orig)
	if dryRun {
		return res, nil
	}
	if fr.Created {
		if err := os.Remove(target); err != nil {
			return res, fmt.Errorf("removing %s: %w", target, err)
		}
	} else if err := atomicfile.WriteFile(target, orig, mode); err != nil {
		return res, err
	}
	delete(rec.Files, target)
	if err := m.saveRecord(rec); err != nil {
		return res, err
	}
	if fr.Backup != "" {
		os.Remove(fr.Backup)
	}
	return res, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none: Patchbay created the file)"
	}
	return s
}

// notify tells a running Watch to re-read the set of files. Called with mu held.
func (m *Manager) notify() {
	if m.changed == nil {
		return
	}
	select {
	case m.changed <- struct{}{}:
	default:
	}
}
