package relay

import (
	"context"
	"encoding/json"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/stdio"
	"github.com/patchbay-mcp/patchbay/connectors/stdio/stdiotest"
	"github.com/patchbay-mcp/patchbay/internal/testpeers"
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

// BenchmarkSessionStart measures a client session's start through the relay (spawn, or
// take the warm spare, then initialize on both sides) against server-everything, a node
// child with a real cold start.
func BenchmarkSessionStart(b *testing.B) {
	node, script := testpeers.Require(b, "@modelcontextprotocol/server-everything/dist/index.js")
	for _, warm := range []bool{false, true} {
		name := "Cold"
		if warm {
			name = "WarmSpare"
		}
		b.Run(name, func(b *testing.B) {
			set, _ := json.Marshal(map[string]any{"command": node, "args": []string{script, "stdio"}, "warm_spare": warm})
			c, err := stdio.New("everything", set, nil, connectors.Hooks{})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			if warm { // let the first spare get ready
				st := start(b, Options{Connector: c}, nil)
				st.close()
				time.Sleep(2 * time.Second)
			}
			for b.Loop() {
				st := start(b, Options{Connector: c}, nil)
				b.StopTimer()
				st.close()
				if warm {
					time.Sleep(1500 * time.Millisecond) // the next spare boots, as between real sessions
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkCallRelayChildNoEvents is BenchmarkCallRelayChild without the event tap.
func BenchmarkCallRelayChildNoEvents(b *testing.B) {
	st := start(b, Options{Connector: stdioConnector(b, nil, connectors.Hooks{})}, nil)
	benchEcho(b, st.cs)
}
