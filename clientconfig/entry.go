package clientconfig

import (
	"path/filepath"
	"reflect"
	"strings"

	"github.com/patchbay-mcp/patchbay/internal/paths"
)

// Entry is Patchbay's server entry for one connection: the client launches
// `Command Args...` with Env added, which is `/path/to/patchbay shim NAME`.
type Entry struct {
	Name    string            `json:"name"`
	Command string            `json:"command"`
	Args    []string          `json:"args"`
	Env     map[string]string `json:"env,omitempty"`
}

// NewEntry returns the entry for connection name, launching the patchbay binary at exe.
// When layout.Home is set (PATCHBAY_HOME), the entry carries it in env so that the shim finds
// the same bridge. It never carries a secret.
func NewEntry(name, exe string, layout paths.Layout) Entry {
	e := Entry{Name: name, Command: exe, Args: []string{"shim", name}}
	if layout.Home != "" {
		e.Env = map[string]string{paths.EnvHome: layout.Home}
	}
	return e
}

// Shape is how a client spells a stdio server entry.
type Shape struct {
	// Type, when set, is the value of the entry's "type" field ("stdio", "local").
	Type string
	// CommandKey is the key of the command ("command" when empty; Goose uses "cmd").
	CommandKey string
	// CommandArray puts the command and its arguments in one array (OpenCode).
	CommandArray bool
	// EnvKey is the key of the environment ("env" when empty).
	EnvKey string
	// AlwaysEnv writes the environment key even when empty (Goose requires it).
	AlwaysEnv bool
	// Name repeats the server's name inside the entry (Goose, and Continue's list items).
	Name bool
	// Before are fixed fields written before the command; After, after the environment.
	Before, After object
}

func (s Shape) commandKey() string {
	if s.CommandKey == "" {
		return "command"
	}
	return s.CommandKey
}

func (s Shape) envKey() string {
	if s.EnvKey == "" {
		return "env"
	}
	return s.EnvKey
}

// build returns the entry as this client spells it, fields in a stable order.
func (s Shape) build(e Entry) object {
	var o object
	if s.Name {
		o = append(o, field{"name", e.Name})
	}
	if s.Type != "" {
		o = append(o, field{"type", s.Type})
	}
	o = append(o, s.Before...)
	if s.CommandArray {
		o = append(o, field{s.commandKey(), append([]string{e.Command}, e.Args...)})
	} else {
		o = append(o, field{s.commandKey(), e.Command}, field{"args", append([]string{}, e.Args...)})
	}
	if len(e.Env) > 0 || s.AlwaysEnv {
		env := object{}
		for _, k := range sortedKeys(e.Env) {
			env = append(env, field{k, e.Env[k]})
		}
		o = append(o, field{s.envKey(), env})
	}
	return append(o, s.After...)
}

// command extracts the command line from a decoded entry (any client's spelling).
func (s Shape) command(v any) (cmd string, args []string, ok bool) {
	m, isMap := v.(map[string]any)
	if !isMap {
		return "", nil, false
	}
	strs := func(x any) ([]string, bool) {
		a, ok := x.([]any)
		if !ok {
			return nil, false
		}
		out := make([]string, len(a))
		for i, e := range a {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	if s.CommandArray {
		all, ok := strs(m[s.commandKey()])
		if !ok || len(all) == 0 {
			return "", nil, false
		}
		return all[0], all[1:], true
	}
	cmd, ok = m[s.commandKey()].(string)
	if !ok {
		return "", nil, false
	}
	if m["args"] == nil {
		return cmd, nil, true
	}
	args, ok = strs(m["args"])
	return cmd, args, ok
}

// IsPatchbayCommand reports whether cmd runs a patchbay binary: its base name is patchbay
// (or patchbay.exe), or it is exe, the binary this process would write.
func IsPatchbayCommand(cmd, exe string) bool {
	if exe != "" && cmd == exe {
		return true
	}
	base := strings.ToLower(filepath.Base(strings.ReplaceAll(cmd, `\`, "/")))
	return base == "patchbay" || base == "patchbay.exe"
}

// ours reports whether the decoded entry v is Patchbay's entry for connection name.
func (s Shape) ours(v any, name, exe string) bool {
	cmd, args, ok := s.command(v)
	return ok && IsPatchbayCommand(cmd, exe) && reflect.DeepEqual(args, []string{"shim", name})
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
