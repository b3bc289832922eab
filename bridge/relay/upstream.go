package relay

//lint:file-ignore SA1019 MCP 2026-07-28 deprecates logging, sampling and roots, but clients still use them and Patchbay relays them.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/stdio"
)

// Restart backoff: the first re-dial comes after about minBackoff, doubling to maxBackoff.
// Variables so tests can change them; a Session copies them when it is made.
var (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// newClient builds the upstream client for one client session: same name, and handlers
// (so capabilities) only for what the client itself advertised.
func (s *Session) newClient(p *mcp.InitializeParams) *mcp.Client {
	impl := &mcp.Implementation{Name: "patchbay", Version: "0"}
	if p.ClientInfo != nil {
		impl = &mcp.Implementation{Name: p.ClientInfo.Name, Title: p.ClientInfo.Title, Version: p.ClientInfo.Version}
	}
	caps := &mcp.ClientCapabilities{}
	dc := p.Capabilities
	if dc == nil {
		dc = &mcp.ClientCapabilities{}
	}
	opts := &mcp.ClientOptions{
		Logger:                      quietLogger,
		Capabilities:                caps,
		ToolListChangedHandler:      func(context.Context, *mcp.ToolListChangedRequest) { go s.upstreamToolsChanged() },
		PromptListChangedHandler:    func(context.Context, *mcp.PromptListChangedRequest) { go s.notifyPromptsChanged() },
		ResourceListChangedHandler:  func(context.Context, *mcp.ResourceListChangedRequest) { go s.notifyResourcesChanged() },
		ResourceUpdatedHandler:      s.resourceUpdated,
		LoggingMessageHandler:       s.logMessage,
		ProgressNotificationHandler: s.progressNotification,
		// MultiRoundTrip stays on: with a 2026-07-28 upstream, server-to-client requests
		// come back inside results, and the SDK's middleware answers them through the
		// handlers below, which ask this session's client (go-sdk.md §5.5).
	}
	if dc.RootsV2 != nil {
		caps.RootsV2 = &mcp.RootCapabilities{ListChanged: true}
	}
	if dc.Sampling != nil {
		sc := *dc.Sampling
		caps.Sampling = &sc
		if dc.Sampling.Tools != nil {
			opts.CreateMessageWithToolsHandler = s.createMessageWithTools
		} else {
			opts.CreateMessageHandler = s.createMessage
		}
	}
	if dc.Elicitation != nil {
		ec := *dc.Elicitation
		caps.Elicitation = &ec
		opts.ElicitationHandler = s.elicit
		opts.ElicitationCompleteHandler = s.elicitationComplete
	}
	return mcp.NewClient(impl, opts)
}

// dialUpstream spawns or opens the upstream and runs the handshake, bounded by
// ConnectTimeout. raw is the upstream connection if the fast lane can use it, else nil.
func (s *Session) dialUpstream(ctx context.Context) (cs *mcp.ClientSession, raw rawLineConn, err error) {
	d := s.opts.ConnectTimeout
	if d <= 0 {
		d = DefaultConnectTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	t, err := s.opts.Connector.Transport(ctx)
	if err != nil {
		return nil, nil, err
	}
	t = orderedTransport{Transport: t, s: s, raw: &raw}
	s.mu.Lock()
	client, version := s.client, s.opts.ProtocolVersion
	if version != "" && slices.Contains(downstreamVersions, s.asked) {
		version = s.asked
	}
	s.mu.Unlock()
	cs, err = client.Connect(ctx, t, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("no answer to initialize within %v: %w", d, err)
		}
		return nil, nil, fmt.Errorf("initializing: %w", err)
	}
	return cs, raw, nil
}

// setUpstream makes cs the live upstream (raw: its connection, for the fast lane, or nil),
// wakes waiting requests and starts watching it. It reports false (and closes cs) if the
// session is already over.
func (s *Session) setUpstream(cs *mcp.ClientSession, raw rawLineConn) bool {
	// The lane first: a request that sees the upstream up may take the lane at once. Before
	// watch, so that its detach comes after.
	s.lane.attach(cs, raw)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cs.Close()
		return false
	}
	s.up = cs
	s.upErr = nil
	close(s.upReady)
	s.mu.Unlock()
	if f := s.opts.Observer.UpstreamReady; f != nil {
		f()
	}
	go s.watch(cs)
	return true
}

// watch waits for cs to end; if the session still wants it, it reconnects.
func (s *Session) watch(cs *mcp.ClientSession) {
	err := cs.Wait()
	if err == nil {
		err = errors.New("the upstream closed the session")
	}
	s.lane.detach(cs, err)
	s.mu.Lock()
	if s.closed || s.up != cs {
		s.mu.Unlock()
		return
	}
	s.up = nil
	s.upErr = err
	s.upReady = make(chan struct{})
	s.mu.Unlock()
	s.logEvent("warn", "upstream lost: "+err.Error())
	if f := s.opts.Observer.UpstreamLost; f != nil {
		f(err)
	}
	s.reconnect()
}

// reconnect re-dials with jittered exponential backoff until it succeeds or the session
// ends, then restores the session's state upstream.
func (s *Session) reconnect() {
	backoff := s.minBackoff
	for {
		// Jitter in [backoff/2, backoff): sessions of one crashed server do not all
		// restart it in the same instant.
		d := backoff/2 + rand.N(backoff/2+1)
		select {
		case <-s.life.Done():
			return
		case <-time.After(d):
		}
		cs, raw, err := s.dialUpstream(s.life)
		if err == nil {
			s.restore(cs)
			if s.setUpstream(cs, raw) {
				s.logEvent("info", "upstream restarted")
				s.resyncTools()
			}
			return
		}
		s.mu.Lock()
		closed := s.closed
		s.upErr = err
		s.mu.Unlock()
		if closed {
			return
		}
		backoff = min(2*backoff, s.maxBackoff)
		s.logEvent("warn", fmt.Sprintf("restarting upstream (next try in about %v): %v", backoff, err))
	}
}

// restore replays what the client set up on the old upstream: log level, subscriptions.
func (s *Session) restore(cs *mcp.ClientSession) {
	s.mu.Lock()
	level := s.logLevel
	subs := make([]string, 0, len(s.subs))
	for uri := range s.subs {
		subs = append(subs, uri)
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if level != "" {
		if err := cs.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: level}); err != nil {
			s.logEvent("warn", "restoring log level upstream: "+err.Error())
		}
	}
	for _, uri := range subs {
		if err := cs.Subscribe(ctx, &mcp.SubscribeParams{URI: uri}); err != nil {
			s.logEvent("warn", "re-subscribing "+uri+": "+err.Error())
		}
	}
}

// upstream returns the live upstream session, waiting up to UpstreamWait for one that is
// restarting.
func (s *Session) upstream(ctx context.Context) (*mcp.ClientSession, error) {
	wait := s.opts.UpstreamWait
	if wait <= 0 {
		wait = DefaultUpstreamWait
	}
	var timer *time.Timer
	for {
		s.mu.Lock()
		cs, ready, closed, upErr := s.up, s.upReady, s.closed, s.upErr
		s.mu.Unlock()
		if cs != nil {
			return cs, nil
		}
		if closed {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: "the Patchbay session is closing"}
		}
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: fmt.Sprintf(
				"connection %q is not available (Patchbay keeps restarting it; see `patchbay status`): %v", s.opts.Connection, upErr)}
		}
	}
}

// forward runs f on the live upstream and maps its error for the client. A request that
// could not even be sent because the upstream session was already closing (the server
// died a moment ago, and the watcher has not noticed yet) is retried on the restarted
// upstream: it never reached the server, so retrying cannot repeat a side effect.
func forward[R any](ctx context.Context, s *Session, f func(*mcp.ClientSession) (R, error)) (R, error) {
	for attempt := 0; ; attempt++ {
		cs, err := s.upstream(ctx)
		if err != nil {
			var zero R
			return zero, err
		}
		res, err := f(cs)
		if err == nil {
			return res, nil
		}
		if attempt < 3 && errors.Is(err, mcp.ErrConnectionClosed) && s.waitGone(ctx, cs) {
			continue
		}
		var zero R
		return zero, s.upstreamError(err)
	}
}

// waitGone waits (briefly: the watcher runs as soon as the session ends) until cs is no
// longer the live upstream. It reports false if ctx ends or the session closes first.
func (s *Session) waitGone(ctx context.Context, cs *mcp.ClientSession) bool {
	for range 2500 { // 5 s at most
		s.mu.Lock()
		gone, closed := s.up != cs, s.closed
		s.mu.Unlock()
		if closed {
			return false
		}
		if gone {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(2 * time.Millisecond):
		}
	}
	return false
}

// upstreamError turns an error from an upstream call into what the client gets: the
// upstream's own JSON-RPC errors as they are, anything else (the upstream died, the call
// could not be sent) as an internal error naming the connection.
func (s *Session) upstreamError(err error) error {
	var we *jsonrpc.Error
	if errors.As(err, &we) {
		return we
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var exit *stdio.ExitError
	if errors.As(err, &exit) {
		return &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: exit.Error() + ". Patchbay is restarting it; retry the call"}
	}
	return &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: fmt.Sprintf("connection %q: %v", s.opts.Connection, err)}
}

func dial(ctx context.Context, c connectors.Connector, protocolVersion string, timeout time.Duration) (*mcp.ClientSession, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	t, err := c.Transport(ctx)
	if err != nil {
		return nil, err
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "patchbay", Version: "0"}, &mcp.ClientOptions{
		Logger:       quietLogger,
		Capabilities: &mcp.ClientCapabilities{},
	})
	cs, err := client.Connect(ctx, t, &mcp.ClientSessionOptions{ProtocolVersion: protocolVersion})
	if err != nil {
		return nil, fmt.Errorf("initializing: %w", err)
	}
	return cs, nil
}

// sameSet reports whether a and b hold the same names.
func sameSet(a map[string]bool, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	return !slices.ContainsFunc(b, func(n string) bool { return !a[n] })
}
