package clientconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/patchbay-mcp/patchbay/internal/atomicfile"
)

// record is what Patchbay remembers about the client files it edited, kept in
// <config dir>/clientconfig.json. It holds paths, names and hashes: no secrets.
type record struct {
	Version int                    `json:"version"`
	Files   map[string]*fileRecord `json:"files"`
}

// fileRecord is one edited file, keyed by its resolved path.
type fileRecord struct {
	Client string `json:"client"`
	// Names are the connections Patchbay put in the file and expects to stay there.
	Names []string `json:"names,omitempty"`
	// Backup is the copy of the original; empty when Patchbay created the file.
	Backup string `json:"backup,omitempty"`
	// Created says the file did not exist before Patchbay's first edit.
	Created bool `json:"created,omitempty"`
	// Written is the sha256 of the content Patchbay last wrote.
	Written string `json:"written"`
}

const recordVersion = 1

func recordPath(configDir string) string { return filepath.Join(configDir, "clientconfig.json") }

func loadRecord(configDir string) (*record, error) {
	r := &record{Version: recordVersion, Files: map[string]*fileRecord{}}
	b, err := os.ReadFile(recordPath(configDir))
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", recordPath(configDir), err)
	}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("reading %s: %w (move it away to start afresh; Patchbay then forgets its backups)", recordPath(configDir), err)
	}
	if r.Files == nil {
		r.Files = map[string]*fileRecord{}
	}
	return r, nil
}

func (r *record) save(configDir string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(configDir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", configDir, err)
	}
	return atomicfile.WriteFile(recordPath(configDir), append(b, '\n'), 0o600)
}
