// Package paths says where Patchbay keeps its own files: the state file, the event log, the
// backups of client configs and the bridge's socket.
//
// Every process of Patchbay (the tray, the CLI, a shim an AI client launched, a bridge a shim
// started) must agree on these paths without sharing an environment. AI clients launch the
// shim with almost nothing set (HOME, LOGNAME, PATH, SHELL, TERM, USER, plus the entry's own
// env), so the paths derive from HOME and the user id alone. XDG_CONFIG_HOME, XDG_CACHE_HOME
// and XDG_RUNTIME_DIR are deliberately ignored: a tray started with them and a shim started
// without them would otherwise look in different places. PATCHBAY_HOME, when set, puts all of
// Patchbay's own files under one folder; client configs that Patchbay writes carry it in their
// entry's env so that a shim finds the same bridge.
package paths

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// EnvHome is the environment variable that moves all of Patchbay's own files under one folder.
const EnvHome = "PATCHBAY_HOME"

// maxSocketPath is the longest unix socket path we use. sun_path is 108 bytes on Linux and
// 104 on macOS, both counting the terminating NUL.
const maxSocketPath = 100

// Layout is the set of places Patchbay uses. The zero value is not useful; get one from
// Default or FromHome.
type Layout struct {
	// Home is PATCHBAY_HOME when set, else "".
	Home string
	// ConfigDir holds state.json and the backups of client configs.
	ConfigDir string
	// CacheDir holds the rotated event log.
	CacheDir string
	// RuntimeDir is the per-user 0700 folder that holds the bridge's socket.
	RuntimeDir string
}

// Default returns the layout for this process: under PATCHBAY_HOME when it is set, else the
// per-OS defaults derived from the user's home folder.
func Default() (Layout, error) {
	if h := os.Getenv(EnvHome); h != "" {
		return FromHome(h)
	}
	home, err := userHome()
	if err != nil {
		return Layout{}, err
	}
	return osDefault(home), nil
}

// FromHome returns the layout that puts everything under dir, as PATCHBAY_HOME=dir would.
func FromHome(dir string) (Layout, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Layout{}, fmt.Errorf("resolving %s=%q: %w", EnvHome, dir, err)
	}
	return Layout{
		Home:       abs,
		ConfigDir:  abs,
		CacheDir:   abs,
		RuntimeDir: filepath.Join(abs, "run"),
	}, nil
}

// StateFile is the path of state.json.
func (l Layout) StateFile() string { return filepath.Join(l.ConfigDir, "state.json") }

// LogDir is the folder of the rotated JSONL event log.
func (l Layout) LogDir() string { return filepath.Join(l.CacheDir, "logs") }

// BackupDir is the folder that keeps one backup of each client config Patchbay edited.
func (l Layout) BackupDir() string { return filepath.Join(l.ConfigDir, "backups") }

// SocketPath is where the bridge listens: a unix socket, or on Windows a named pipe. A path
// that would be too long for a unix socket is replaced by a short one in the system's temp
// folder, named by a hash of the long one, so every process still derives the same path.
func (l Layout) SocketPath() string {
	p := filepath.Join(l.RuntimeDir, "bridge.sock")
	if pipe := pipeName(l); pipe != "" {
		return pipe
	}
	if len(p) <= maxSocketPath {
		return p
	}
	sum := sha256.Sum256([]byte(p))
	return filepath.Join(shortTempDir(), fmt.Sprintf("patchbay-%d-%s", os.Getuid(), hex.EncodeToString(sum[:6])), "bridge.sock")
}

// EnsureDirs creates the config, cache and runtime folders. The runtime folder (the socket's)
// is made 0700 and must be owned by this user with no access for others: a folder that is
// not is refused rather than used, since another user could then reach the bridge.
func (l Layout) EnsureDirs() error {
	for _, d := range []string{l.ConfigDir, l.CacheDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("creating %s: %w", d, err)
		}
	}
	return ensurePrivateDir(filepath.Dir(l.SocketPath()))
}

func userHome() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("cannot find your home folder: set HOME (or PATCHBAY_HOME)")
	}
	return home, nil
}
