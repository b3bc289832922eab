package relay

import (
	"context"
	"net"
	"sync/atomic"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/stdio/stdiotest"
)

// The benchmarks compare one tools/call (echo) made directly to an upstream with the same
// call made through the relay, whose client side runs over net.Pipe like the shim's
// socket. "InProcess" upstreams are stdiotest.NewServer in this process (the relay reaches
// it over in-memory transports); "Child" upstreams are the same server as a real child
// process. Allocation counts include both ends, the relay and the event tap.
//
//	go test -run '^$' -bench . -benchmem ./bridge/relay/

func benchEcho(b *testing.B, cs *mcp.ClientSession) {
	b.Helper()
	ctx := context.Background()
	args := map[string]any{"text": "hello, world"}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: args})
		if err != nil || res.IsError {
			b.Fatal(err)
		}
	}
}

func BenchmarkCallDirectInProcess(b *testing.B) {
	srvEnd, clientEnd := net.Pipe()
	ss, err := stdiotest.NewServer().Connect(context.Background(), &mcp.IOTransport{Reader: srvEnd, Writer: srvEnd}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench"}, nil).Connect(context.Background(),
		&mcp.IOTransport{Reader: clientEnd, Writer: clientEnd}, &mcp.ClientSessionOptions{ProtocolVersion: UpstreamProtocolVersion})
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	benchEcho(b, cs)
}

func BenchmarkCallRelayInProcess(b *testing.B) {
	st := start(b, Options{Connector: memConnector{stdiotest.NewServer()}, Events: &recorderDiscard{}}, nil)
	benchEcho(b, st.cs)
}

// BenchmarkCallRelayInProcessNoEvents is the relay alone, without the event tap.
func BenchmarkCallRelayInProcessNoEvents(b *testing.B) {
	st := start(b, Options{Connector: memConnector{stdiotest.NewServer()}}, nil)
	benchEcho(b, st.cs)
}

func BenchmarkCallDirectChild(b *testing.B) {
	c := stdioConnector(b, nil, connectors.Hooks{})
	cs, err := Dial(context.Background(), c, UpstreamProtocolVersion, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	benchEcho(b, cs)
}

func BenchmarkCallRelayChild(b *testing.B) {
	st := start(b, Options{Connector: stdioConnector(b, nil, connectors.Hooks{}), Events: &recorderDiscard{}}, nil)
	benchEcho(b, st.cs)
}

// recorderDiscard counts events, so that the tap does all its work (correlation,
// redaction) but nothing is kept.
type recorderDiscard struct{ n atomic.Int64 }

func (r *recorderDiscard) Append(events.Event) { r.n.Add(1) }
