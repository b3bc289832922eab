package relay

//lint:file-ignore SA1019 MCP 2026-07-28 deprecates logging, sampling and roots, but clients still use them and Patchbay relays them.

import (
	"context"
	"errors"
	"slices"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// This file forwards the upstream's requests to the client (sampling, elicitation) and
// keeps the client's roots copied into the upstream client. The upstream client only
// advertises what the client advertised, so these run only when the client can answer.

var errNoClient = errors.New("the AI client session is not ready")

func (s *Session) clientSession() (*mcp.ServerSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ss == nil || s.closed {
		return nil, errNoClient
	}
	return s.ss, nil
}

func (s *Session) createMessage(ctx context.Context, req *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
	ss, err := s.clientSession()
	if err != nil {
		return nil, err
	}
	return ss.CreateMessage(ctx, req.Params)
}

func (s *Session) createMessageWithTools(ctx context.Context, req *mcp.CreateMessageWithToolsRequest) (*mcp.CreateMessageWithToolsResult, error) {
	ss, err := s.clientSession()
	if err != nil {
		return nil, err
	}
	return ss.CreateMessageWithTools(ctx, req.Params)
}

func (s *Session) elicit(ctx context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
	ss, err := s.clientSession()
	if err != nil {
		return nil, err
	}
	return ss.Elicit(ctx, req.Params)
}

func (s *Session) elicitationComplete(ctx context.Context, req *mcp.ElicitationCompleteNotificationRequest) {
	if ss, err := s.clientSession(); err == nil {
		_ = ss.NotifyElicitationComplete(ctx, req.Params)
	}
}

// onInitialized: the client finished its handshake, so it may now be asked for its roots.
func (s *Session) onInitialized(_ context.Context, req *mcp.InitializedRequest) {
	go s.syncRoots(req.Session)
}

func (s *Session) onRootsListChanged(_ context.Context, req *mcp.RootsListChangedRequest) {
	go s.syncRoots(req.Session)
}

// syncRoots copies the client's roots into the upstream client, which tells the upstream
// (roots/list_changed) when they change.
func (s *Session) syncRoots(ss *mcp.ServerSession) {
	p := ss.InitializeParams()
	if p == nil || p.Capabilities == nil || p.Capabilities.RootsV2 == nil {
		return
	}
	ctx, cancel := context.WithTimeout(s.life, DefaultUpstreamWait)
	defer cancel()
	res, err := ss.ListRoots(ctx, nil)
	if err != nil {
		s.logEvent("warn", "listing the client's roots: "+err.Error())
		return
	}
	uris := make([]string, 0, len(res.Roots))
	for _, r := range res.Roots {
		uris = append(uris, r.URI)
	}
	s.mu.Lock()
	client := s.client
	var gone []string
	for _, u := range s.roots {
		if !slices.Contains(uris, u) {
			gone = append(gone, u)
		}
	}
	s.roots = uris
	s.mu.Unlock()
	if client == nil {
		return
	}
	if len(gone) > 0 {
		client.RemoveRoots(gone...)
	}
	client.AddRoots(res.Roots...)
}
