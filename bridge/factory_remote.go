package bridge

import (
	"encoding/json"
	"fmt"

	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/remote"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

func init() {
	connectorKinds[state.KindRemote] = func(c state.Connection, kc keychain.Store, hooks connectors.Hooks) (connectors.Connector, error) {
		var s remote.Settings
		if err := json.Unmarshal(c.Settings, &s); err != nil {
			return nil, fmt.Errorf("reading the settings of remote connection %q: %w", c.Name, err)
		}
		return remote.New(remote.Config{Name: c.Name, Settings: s, Store: kc, Hooks: hooks})
	}
}
