package relay

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/connectors"
)

// flaky fails its first Transport call, then delegates.
type flaky struct {
	connectors.Connector
	calls atomic.Int32
}

func (f *flaky) Transport(ctx context.Context) (mcp.Transport, error) {
	if f.calls.Add(1) == 1 {
		return nil, errors.New("keychain locked (test)")
	}
	return f.Connector.Transport(ctx)
}

// startRaw runs a Session with opts over net.Pipe (standing in for the shim's socket) and
// returns it with a raw client on the other end. Cleanup closes the client's end and waits
// for Serve to return.
func startRaw(t *testing.T, opts Options) (*Session, *rawClient) {
	t.Helper()
	bridgeEnd, clientEnd := net.Pipe()
	sess := NewSession(opts)
	done := make(chan error, 1)
	go func() { done <- sess.Serve(context.Background(), bridgeEnd) }()
	t.Cleanup(func() {
		clientEnd.Close()
		<-done
	})
	return sess, &rawClient{t: t, conn: clientEnd, r: bufio.NewReader(clientEnd)}
}

// rawClient speaks newline-delimited JSON-RPC by hand, as a shim's client would.
type rawClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func (c *rawClient) send(line string) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.conn.Write([]byte(line + "\n")); err != nil {
		c.t.Fatal(err)
	}
}

func (c *rawClient) recv() string {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatal(err)
	}
	return line
}

const initLine = `{"jsonrpc":"2.0","id":%d,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

func TestRawWire(t *testing.T) {
	_, c := startRaw(t, Options{Connection: "test", Connector: &flaky{Connector: stdioConnector(t, nil, connectors.Hooks{})}, ProtocolVersion: UpstreamProtocolVersion})

	// The upstream cannot start: initialize gets an error that names the connection ...
	c.send(strings.Replace(initLine, "%d", "1", 1))
	if got := c.recv(); !strings.Contains(got, `"id":1`) || !strings.Contains(got, `"error"`) || !strings.Contains(got, `could not start connection \"test\"`) || !strings.Contains(got, "keychain locked") {
		t.Fatalf("first initialize: %s", got)
	}
	// ... and a retry on the same session works.
	c.send(strings.Replace(initLine, "%d", "2", 1))
	if got := c.recv(); !strings.Contains(got, `"id":2`) || !strings.Contains(got, `"protocolVersion":"2025-06-18"`) || !strings.Contains(got, `"name":"test-everything"`) {
		t.Fatalf("second initialize: %s", got)
	}
	c.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)

	// Malformed JSON gets a parse error, and the session goes on.
	c.send(`{"jsonrpc":"2.0","id":3,"method":"tools/call",`)
	if got := c.recv(); !strings.Contains(got, `"id":null`) || !strings.Contains(got, `-32700`) {
		t.Fatalf("malformed line: %s", got)
	}
	c.send(`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","arguments":{"text":"ok"}}}`)
	if got := c.recv(); !strings.Contains(got, `"id":4`) || !strings.Contains(got, `"text":"ok"`) {
		t.Fatalf("call after a malformed line: %s", got)
	}
	// A string id comes back as a string.
	c.send(`{"jsonrpc":"2.0","id":"abc","method":"ping"}`)
	if got := c.recv(); !strings.Contains(got, `"id":"abc"`) || !strings.Contains(got, `"result":{}`) {
		t.Fatalf("ping: %s", got)
	}
}
