//lint:file-ignore SA1019 MCP 2026-07-28 deprecates logging, sampling and roots, but clients still use them and Patchbay relays them.

package relay

import (
	"context"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/connectors/stdio/stdiotest"
)

// TestModernUpstream: with ProtocolVersion "" (remote connections) the upstream may speak
// the stateless 2026-07-28 protocol, where server-to-client requests ride inside results
// (MRTR). The relay still turns them into real requests to its (legacy) client.
func TestModernUpstream(t *testing.T) {
	client := mcp.NewClient(&mcp.Implementation{Name: "c"}, &mcp.ClientOptions{
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"name": "Grace"}}, nil
		},
	})
	st := start(t, Options{Connector: memConnector{stdiotest.NewServer()}, ProtocolVersion: "-"}, client)
	st.sess.mu.Lock()
	v := st.sess.up.InitializeResult().ProtocolVersion
	st.sess.mu.Unlock()
	t.Logf("upstream protocol %s, client protocol %s", v, st.cs.InitializeResult().ProtocolVersion)
	if got := mustCall(t, st.cs, "echo", map[string]any{"text": "hi"}); got != "hi" {
		t.Errorf("echo = %q", got)
	}
	if got := mustCall(t, st.cs, "elicit_mrtr", map[string]any{"message": "name?"}); got != "accept:Grace" {
		t.Errorf("elicit_mrtr = %q", got)
	}
}
