package bridge

import (
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/notion"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

func init() {
	connectorKinds[state.KindNotion] = func(c state.Connection, kc keychain.Store, hooks connectors.Hooks) (connectors.Connector, error) {
		return notion.New(c.Name, c.Settings, kc, hooks)
	}
}
