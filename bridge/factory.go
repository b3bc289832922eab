package bridge

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/remote"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// ConnectorFactory builds the connector of a saved connection. It must not start anything
// heavy: the bridge calls it when the first session of the connection arrives.
type ConnectorFactory func(c state.Connection, kc keychain.Store, hooks connectors.Hooks) (connectors.Connector, error)

// connectorKinds holds the factory of each connection kind, filled by init functions in
// factory_<kind>.go files, so a kind whose package is not wired yet is simply absent.
var connectorKinds = map[string]ConnectorFactory{}

// ErrKindUnavailable says a connection's kind has no connector in this build.
var ErrKindUnavailable = errors.New("not available in this build yet")

// NewConnector is the default ConnectorFactory: it switches on the connection's kind.
func NewConnector(c state.Connection, kc keychain.Store, hooks connectors.Hooks) (connectors.Connector, error) {
	f, ok := connectorKinds[c.Kind]
	if !ok {
		switch c.Kind {
		case state.KindStdio, state.KindRemote, state.KindNotion:
			return nil, fmt.Errorf("connection %q: %s connections are %w", c.Name, c.Kind, ErrKindUnavailable)
		}
		return nil, fmt.Errorf("connection %q has unknown kind %q", c.Name, c.Kind)
	}
	conn, err := f(c, kc, hooks)
	if err != nil {
		return nil, fmt.Errorf("connection %q: %w", c.Name, err)
	}
	return conn, nil
}

// StdioSettings are the settings of a stdio connection, as saved in state.json.
type StdioSettings struct {
	Command string            `json:"command"`
	Args    []string          `json:"args,omitempty"`
	Env     map[string]string `json:"env,omitempty"`
	// SecretEnv names environment variables whose values live in the keychain under
	// keychain.Key(name, "env/"+VAR) and are put into the child's environment at spawn time.
	SecretEnv []string `json:"secret_env,omitempty"`
}

// secretItems lists the keychain items a connection owns that the bridge knows of, so that
// removing the connection removes them too.
func secretItems(c state.Connection) []string {
	switch c.Kind {
	case state.KindStdio:
		var s StdioSettings
		if json.Unmarshal(c.Settings, &s) != nil {
			return nil
		}
		var items []string
		for _, v := range s.SecretEnv {
			items = append(items, "env/"+v)
		}
		return items
	case state.KindNotion:
		return []string{"token"}
	case state.KindRemote:
		return remote.SecretItems()
	}
	return nil
}

// summarize describes what a connection runs, in one line with no secret.
func summarize(c state.Connection) string {
	switch c.Kind {
	case state.KindStdio:
		var s StdioSettings
		if json.Unmarshal(c.Settings, &s) != nil {
			return ""
		}
		return strings.TrimSpace(s.Command + " " + strings.Join(s.Args, " "))
	case state.KindRemote:
		var s struct {
			URL string `json:"url"`
		}
		json.Unmarshal(c.Settings, &s)
		return s.URL
	case state.KindNotion:
		return "Notion API (token in the keychain)"
	}
	return ""
}
