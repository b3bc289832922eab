// Package state is Patchbay's list of connections and settings, kept in state.json. It holds
// no secrets: tokens live in the keychain, and a connection's settings name them only by key.
//
// One Store owns the file: every change goes through Store.Modify, which validates the new
// state, writes it atomically (mode 0600) and only then makes it current. A file written by an
// older Patchbay is upgraded through the migrations table; a corrupt file is never overwritten.
package state

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Version is the schema version this build writes.
const Version = 2

// Connection kinds.
const (
	KindStdio  = "stdio"  // a local command speaking MCP over stdio
	KindRemote = "remote" // a Streamable HTTP (or SSE) MCP server by URL
	KindNotion = "notion" // the native Notion connector on an integration token
)

// State is the whole content of state.json.
type State struct {
	Version     int                       `json:"version"`
	Connections []Connection              `json:"connections"`
	Clients     map[string]ClientSettings `json:"clients,omitempty"`
}

// Connection is one upstream that AI clients reach through the bridge as `patchbay shim NAME`.
type Connection struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Settings are kind-specific (the connector decodes them); never a secret.
	Settings json.RawMessage `json:"settings,omitempty"`
	// DisabledTools are hidden from tools/list and refused on tools/call.
	DisabledTools []string  `json:"disabled_tools,omitempty"`
	Created       time.Time `json:"created"`
}

// ClientSettings are Patchbay's per-AI-client preferences, keyed by client id ("cursor").
type ClientSettings struct {
	// AutoRepair puts Patchbay's entries back when someone else removes them.
	AutoRepair bool `json:"auto_repair,omitempty"`
}

// Connection returns the connection named name.
func (s *State) Connection(name string) (*Connection, bool) {
	for i := range s.Connections {
		if s.Connections[i].Name == name {
			return &s.Connections[i], true
		}
	}
	return nil, false
}

// ToolEnabled reports whether tool is enabled on c.
func (c *Connection) ToolEnabled(tool string) bool { return !slices.Contains(c.DisabledTools, tool) }

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// ValidName checks a connection name: 1 to 63 lowercase letters, digits, '-' or '_', starting
// with a letter or digit. Names appear in client configs, keychain keys and file names.
func ValidName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("invalid connection name %q: use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit", name)
	}
	return nil
}

// Validate checks the invariants every saved state keeps.
func (s *State) Validate() error {
	seen := map[string]bool{}
	for _, c := range s.Connections {
		if err := ValidName(c.Name); err != nil {
			return err
		}
		if seen[c.Name] {
			return fmt.Errorf("two connections are named %q", c.Name)
		}
		seen[c.Name] = true
		switch c.Kind {
		case KindStdio, KindRemote, KindNotion:
		default:
			return fmt.Errorf("connection %q has unknown kind %q", c.Name, c.Kind)
		}
		if len(c.Settings) > 0 && !json.Valid(c.Settings) {
			return fmt.Errorf("connection %q has settings that are not valid JSON", c.Name)
		}
	}
	return nil
}

// clone returns a deep copy, so callers can never change the Store's state behind its back.
func (s State) clone() State {
	out := s
	out.Connections = make([]Connection, len(s.Connections))
	for i, c := range s.Connections {
		c.Settings = slices.Clone(c.Settings)
		c.DisabledTools = slices.Clone(c.DisabledTools)
		out.Connections[i] = c
	}
	if s.Clients != nil {
		out.Clients = make(map[string]ClientSettings, len(s.Clients))
		for k, v := range s.Clients {
			out.Clients[k] = v
		}
	}
	return out
}
