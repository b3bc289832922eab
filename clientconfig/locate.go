package clientconfig

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Env is what client discovery depends on: the OS and the user's folders. Tests build one
// around a temporary home; DefaultEnv reads the process's own.
type Env struct {
	GOOS         string
	Home         string
	AppData      string // Windows %APPDATA%; derived from Home when empty
	LocalAppData string // Windows %LOCALAPPDATA%; derived from Home when empty
}

// DefaultEnv returns this process's environment: HOME (and APPDATA/LOCALAPPDATA on
// Windows). XDG variables are ignored, as everywhere in Patchbay.
func DefaultEnv() (Env, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return Env{}, err
	}
	e := Env{GOOS: runtime.GOOS, Home: home}
	if runtime.GOOS == "windows" {
		e.AppData, e.LocalAppData = os.Getenv("APPDATA"), os.Getenv("LOCALAPPDATA")
	}
	return e, nil
}

func (e Env) appData() string {
	if e.AppData != "" {
		return e.AppData
	}
	return filepath.Join(e.Home, "AppData", "Roaming")
}

func (e Env) localAppData() string {
	if e.LocalAppData != "" {
		return e.LocalAppData
	}
	return filepath.Join(e.Home, "AppData", "Local")
}

// expand resolves a Location template.
func (e Env) expand(t string) string {
	var config string
	switch e.GOOS {
	case "darwin":
		config = filepath.Join(e.Home, "Library", "Application Support")
	case "windows":
		config = e.appData()
	default:
		config = filepath.Join(e.Home, ".config")
	}
	r := strings.NewReplacer("{config}", config, "{appdata}", e.appData(), "{localappdata}", e.localAppData())
	t = r.Replace(t)
	if t == "~" || strings.HasPrefix(t, "~/") {
		t = filepath.Join(e.Home, t[1:])
	}
	return filepath.FromSlash(t)
}

// Locate returns the client's global config file in env and whether the client looks
// installed there. When no probe matches, the file is the last candidate for the OS and
// installed is false.
func (c *Client) Locate(env Env) (file string, installed bool) {
	for _, l := range c.Locations {
		if l.OS != "" && l.OS != env.GOOS {
			continue
		}
		f := env.expand(l.File)
		probe := filepath.Dir(f)
		if l.Probe != "" {
			probe = env.expand(l.Probe)
		}
		if _, err := os.Stat(probe); err == nil {
			return f, true
		}
		file = f
	}
	return file, false
}

// ProjectPath returns the client's config file inside project folder dir, or "" when the
// client has no project-level file.
func (c *Client) ProjectPath(dir string) string {
	if c.ProjectFile == "" {
		return ""
	}
	return filepath.Join(dir, filepath.FromSlash(c.ProjectFile))
}
