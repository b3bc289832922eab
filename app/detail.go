package app

import "github.com/patchbay-mcp/patchbay/bridge"

// connectionExtra is the bridge's own one-line detail of a connection (Notion's workspace, an
// OAuth token's expiry), or "".
func connectionExtra(cs bridge.ConnectionStatus) string { return cs.Detail }
