package relay

//lint:file-ignore SA1019 MCP 2026-07-28 deprecates logging, sampling and roots, but clients still use them and Patchbay relays them.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors/stdio"
)

// downstreamVersions are the protocol versions offered to AI clients: the initialize-based
// ones. A 2026-07-28 (stateless) client's server/discover probe gets an error and it falls
// back to initialize, which is where the relay learns the client's capabilities.
var downstreamVersions = []string{"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}

var quietLogger = slog.New(slog.DiscardHandler)

// connTransport hands an existing connection to Server.Connect.
type connTransport struct{ c mcp.Connection }

func (t connTransport) Connect(context.Context) (mcp.Connection, error) { return t.c, nil }

func (s *Session) serve(ctx context.Context, conn io.ReadWriteCloser) error {
	if s.opts.Connector == nil {
		conn.Close()
		return errors.New("relay: Options.Connector is required")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer close(s.done)

	s.tap = newTap(s.opts.Events, s.opts.Connection)
	defer s.tap.stop()

	tapFn := s.tap.observe
	if s.opts.Events == events.Discard {
		tapFn = nil // nobody listens: skip the per-message work
	}
	dconn := stdio.NewConn(conn, conn, conn.Close, stdio.ConnOptions{
		MaxMessageBytes:    s.max,
		Tap:                tapFn,
		ReplyToParseErrors: true,
		OnBadInput:         func(desc string) { s.logEvent("warn", "from client: "+desc) },
		Intercept:          s.lane.fromClient,
	})
	s.lane.down = dconn
	srv := mcp.NewServer(&mcp.Implementation{Name: "patchbay", Version: "0"}, &mcp.ServerOptions{
		Capabilities: &mcp.ServerCapabilities{
			Tools:   &mcp.ToolCapabilities{ListChanged: true},
			Logging: &mcp.LoggingCapabilities{},
		},
		SupportedProtocolVersions: downstreamVersions,
		InitializedHandler:        s.onInitialized,
		RootsListChangedHandler:   s.onRootsListChanged,
		SubscribeHandler:          s.subscribe,
		UnsubscribeHandler:        s.unsubscribe,
		Logger:                    quietLogger,
	})
	srv.AddReceivingMiddleware(s.middleware)
	s.mu.Lock()
	s.srv = srv // RefreshTools may run concurrently
	s.mu.Unlock()

	ss, err := srv.Connect(ctx, connTransport{dconn}, nil)
	if err != nil {
		dconn.Close()
		return fmt.Errorf("relay %s: starting client session: %w", s.opts.Connection, err)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- ss.Wait() }()
	select {
	case err = <-waitErr:
		s.shutdown()
	case <-ctx.Done():
		// Close the upstream first: it fails the calls in flight, so that the server
		// session's Close, which waits for its handlers, returns promptly.
		s.shutdown()
		ss.Close()
		<-waitErr
		err = ctx.Err()
	}
	return err
}

// shutdown marks the session over, closes the upstream and wakes requests waiting for it.
func (s *Session) shutdown() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.lifeCancel()
	s.lane.shutdown()
	up := s.up
	if up == nil {
		close(s.upReady) // wake waiters; when up is set it is closed already
	}
	s.up = nil
	s.mu.Unlock()
	if up != nil {
		up.Close()
	}
}

// middleware answers the forwarded methods from the upstream; everything else (ping,
// notifications, resources/subscribe through SubscribeHandler) is the server's own.
func (s *Session) middleware(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		switch method {
		case "initialize":
			return s.initialize(ctx, next, method, req.(*mcp.ServerRequest[*mcp.InitializeParams]))
		case "tools/list":
			return s.listTools(ctx, req.(*mcp.ListToolsRequest))
		case "tools/call":
			return s.callTool(ctx, req.(*mcp.CallToolRequest))
		case "resources/list":
			return s.listResources(ctx, req.(*mcp.ListResourcesRequest))
		case "resources/templates/list":
			return s.listResourceTemplates(ctx, req.(*mcp.ListResourceTemplatesRequest))
		case "resources/read":
			return s.readResource(ctx, req.(*mcp.ReadResourceRequest))
		case "prompts/list":
			return s.listPrompts(ctx, req.(*mcp.ListPromptsRequest))
		case "prompts/get":
			return s.getPrompt(ctx, req.(*mcp.GetPromptRequest))
		case "completion/complete":
			return s.complete(ctx, req.(*mcp.CompleteRequest))
		case "logging/setLevel":
			if err := s.setLevel(ctx, req.(*mcp.ServerRequest[*mcp.SetLoggingLevelParams])); err != nil {
				return nil, err
			}
		}
		return next(ctx, method, req)
	}
}

// initialize connects the upstream with the client's capabilities, then answers with the
// upstream's capabilities, instructions and server info.
func (s *Session) initialize(ctx context.Context, next mcp.MethodHandler, method string, req *mcp.ServerRequest[*mcp.InitializeParams]) (mcp.Result, error) {
	p := req.Params
	s.mu.Lock()
	if s.client != nil {
		s.mu.Unlock()
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidRequest, Message: "duplicate initialize"}
	}
	s.ss = req.Session
	s.client = s.newClient(p)
	s.asked = p.ProtocolVersion
	s.mu.Unlock()

	name := ""
	if p.ClientInfo != nil {
		name = p.ClientInfo.Name
	}
	s.tap.setClient(name)
	if f := s.opts.Observer.ClientInitialized; f != nil {
		f(name)
	}

	cs, raw, err := s.dialUpstream(ctx)
	if err != nil {
		s.mu.Lock()
		s.client, s.ss = nil, nil // the client may try initialize again
		s.mu.Unlock()
		s.logEvent("error", "connecting upstream: "+err.Error())
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError,
			Message: fmt.Sprintf("Patchbay could not start connection %q: %v", s.opts.Connection, err)}
	}
	res, err := next(ctx, method, req)
	if err != nil {
		cs.Close()
		return nil, err
	}
	ir := res.(*mcp.InitializeResult)
	up := cs.InitializeResult()
	ir.Capabilities = mirrorCapabilities(up.Capabilities)
	ir.Instructions = up.Instructions
	if up.ServerInfo != nil {
		ir.ServerInfo = &mcp.Implementation{Name: up.ServerInfo.Name, Title: up.ServerInfo.Title, Version: up.ServerInfo.Version}
	}
	s.mu.Lock()
	s.upCaps = up.Capabilities
	s.mu.Unlock()
	s.lane.setClientVersion(ir.ProtocolVersion)
	if !s.setUpstream(cs, raw) {
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: "session closed"}
	}
	return ir, nil
}

// mirrorCapabilities is what the client is told the server can do: the upstream's
// features, plus tools with list_changed always (enabling a tool in Patchbay changes the
// list even if the upstream's never does).
func mirrorCapabilities(up *mcp.ServerCapabilities) *mcp.ServerCapabilities {
	c := &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{ListChanged: true}}
	if up == nil {
		return c
	}
	if up.Prompts != nil {
		c.Prompts = &mcp.PromptCapabilities{ListChanged: up.Prompts.ListChanged}
	}
	if up.Resources != nil {
		c.Resources = &mcp.ResourceCapabilities{ListChanged: up.Resources.ListChanged, Subscribe: up.Resources.Subscribe}
	}
	if up.Completions != nil {
		c.Completions = &mcp.CompletionCapabilities{}
	}
	if up.Logging != nil {
		c.Logging = &mcp.LoggingCapabilities{}
	}
	return c
}

// logEvent records a log line about this session in the event log.
func (s *Session) logEvent(level, msg string) {
	s.opts.Events.Append(events.Event{Kind: events.KindLog, Connection: s.opts.Connection, Level: level, Message: msg})
}
