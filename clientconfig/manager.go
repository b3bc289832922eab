package clientconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

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
