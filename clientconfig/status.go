package clientconfig

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
)

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
