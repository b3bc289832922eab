package relay

import (
	"context"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// go-sdk sends list_changed notifications only when a server's own tools, prompts or
// resources change, and exports no call to send one. Each session has its own server, so
// adding and removing a sentinel item notifies exactly this client (one notification:
// the SDK debounces by 10 ms). The sentinel is never listed, because middleware answers
// the list requests from the upstream.

const sentinel = "patchbay-list-changed-sentinel"

func (s *Session) notifyToolsChanged() {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	s.srv.AddTool(&mcp.Tool{Name: sentinel, InputSchema: map[string]any{"type": "object"}},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{}, nil
		})
	s.srv.RemoveTools(sentinel)
}

func (s *Session) notifyPromptsChanged() {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	s.srv.AddPrompt(&mcp.Prompt{Name: sentinel},
		func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{}, nil
		})
	s.srv.RemovePrompts(sentinel)
}

func (s *Session) notifyResourcesChanged() {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	const uri = "patchbay://" + sentinel
	s.srv.AddResource(&mcp.Resource{Name: sentinel, URI: uri},
		func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{}, nil
		})
	s.srv.RemoveResources(uri)
}

// upstreamToolsChanged handles the upstream's tools/list_changed: the client re-lists.
func (s *Session) upstreamToolsChanged() {
	s.notifyToolsChanged()
}

// refreshTools re-applies ToolEnabled to the last known upstream tools and tells the
// client if what it sees changed.
func (s *Session) refreshTools() {
	s.mu.Lock()
	if s.shown == nil || s.srv == nil || s.closed {
		s.mu.Unlock()
		return
	}
	visible := make([]string, 0, len(s.known))
	for _, n := range s.known {
		if s.enabled(n) {
			visible = append(visible, n)
		}
	}
	changed := !sameSet(s.shown, visible)
	if changed {
		s.shown = make(map[string]bool, len(visible))
		for _, n := range visible {
			s.shown[n] = true
		}
	}
	s.mu.Unlock()
	if changed {
		s.notifyToolsChanged()
	}
}

// resyncTools runs after an upstream restart: it re-reads the upstream's tools and tells
// the client if the visible set changed (a restarted server may offer different tools).
func (s *Session) resyncTools() {
	s.mu.Lock()
	listed := s.shown != nil
	cs := s.up
	s.mu.Unlock()
	if !listed || cs == nil {
		return
	}
	ctx, cancel := context.WithTimeout(s.life, 10*time.Second)
	defer cancel()
	var names []string
	for t, err := range cs.Tools(ctx, nil) {
		if err != nil {
			s.logEvent("warn", "re-reading tools after restart: "+err.Error())
			return
		}
		names = append(names, t.Name)
	}
	s.mu.Lock()
	s.known = names
	s.mu.Unlock()
	s.refreshTools()
}
