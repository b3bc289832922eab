package relay

//lint:file-ignore SA1019 MCP 2026-07-28 deprecates logging, sampling and roots, but clients still use them and Patchbay relays them.

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// This file forwards client requests upstream. Each handler waits for the upstream,
// remaps the progress token, passes the client's ctx (so a cancellation reaches the
// upstream as notifications/cancelled) and rebuilds the result from its public fields.

const progressTokenKey = "progressToken"

// withProgress returns the _meta to send upstream: the client's, with its progress token
// (if any) replaced by one unique to this relay, and a func to call when the request ends.
func (s *Session) withProgress(meta mcp.Meta) (mcp.Meta, func()) {
	tok, ok := meta[progressTokenKey]
	if !ok || tok == nil {
		return meta, func() {}
	}
	s.mu.Lock()
	s.nextTok++
	up := relayTokenPrefix + strconv.FormatUint(s.nextTok, 10)
	s.progress[up] = tok
	s.mu.Unlock()
	m := maps.Clone(meta)
	m[progressTokenKey] = up
	return m, func() {
		// Progress read before the result goes out before it (see order.go).
		s.waitProgress(up)
		// go-sdk dispatches notifications on another goroutine than responses, so the
		// last progress can be handled just after its call returned: forget the token a
		// little later rather than drop the final "100%".
		time.AfterFunc(progressGrace, func() {
			s.mu.Lock()
			delete(s.progress, up)
			s.mu.Unlock()
		})
	}
}

// progressGrace is how long a progress token outlives its request.
const progressGrace = time.Second

// relayTokenPrefix starts every progress token the relay sends upstream.
const relayTokenPrefix = "pb-"

// progressNotification passes upstream progress to the client, with the client's token.
// Progress for a request that ended more than progressGrace ago is dropped.
func (s *Session) progressNotification(ctx context.Context, req *mcp.ProgressNotificationClientRequest) {
	up, _ := req.Params.ProgressToken.(string)
	defer s.progressForwarded(up)
	s.mu.Lock()
	tok, ok := s.progress[up]
	ss := s.ss
	s.mu.Unlock()
	if !ok || ss == nil {
		return
	}
	p := *req.Params
	p.ProgressToken = tok
	p.Meta = cleanMeta(p.Meta)
	_ = ss.NotifyProgress(ctx, &p)
}

// cleanMeta drops the upstream session's protocol-level _meta keys
// ("io.modelcontextprotocol/..."), which describe that session, not the result.
func cleanMeta(m mcp.Meta) mcp.Meta {
	if len(m) == 0 {
		return nil
	}
	var out mcp.Meta
	for k, v := range m {
		if strings.HasPrefix(k, "io.modelcontextprotocol/") {
			continue
		}
		if out == nil {
			out = mcp.Meta{}
		}
		out[k] = v
	}
	return out
}

func (s *Session) enabled(tool string) bool {
	return s.opts.ToolEnabled == nil || s.opts.ToolEnabled(tool)
}

func (s *Session) listTools(ctx context.Context, req *mcp.ListToolsRequest) (mcp.Result, error) {
	p := &mcp.ListToolsParams{}
	if req.Params != nil {
		p.Meta, p.Cursor = req.Params.Meta, req.Params.Cursor
	}
	res, err := forward(ctx, s, func(cs *mcp.ClientSession) (*mcp.ListToolsResult, error) { return cs.ListTools(ctx, p) })
	if err != nil {
		return nil, err
	}
	out := &mcp.ListToolsResult{Meta: cleanMeta(res.Meta), NextCursor: res.NextCursor, Tools: make([]*mcp.Tool, 0, len(res.Tools))}
	names := make([]string, 0, len(res.Tools))
	for _, t := range res.Tools {
		names = append(names, t.Name)
		if s.enabled(t.Name) {
			out.Tools = append(out.Tools, t)
		}
	}
	s.mu.Lock()
	if p.Cursor == "" || s.shown == nil {
		s.shown = map[string]bool{}
		s.known = nil
	}
	s.known = append(s.known, names...)
	for _, t := range out.Tools {
		s.shown[t.Name] = true
	}
	s.mu.Unlock()
	return out, nil
}

func (s *Session) callTool(ctx context.Context, req *mcp.CallToolRequest) (mcp.Result, error) {
	p := req.Params
	if !s.enabled(p.Name) {
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf(
			"tool %q is disabled in Patchbay for connection %q; enable it with `patchbay enable-tool %s %s`",
			p.Name, s.opts.Connection, s.opts.Connection, p.Name)}
	}
	meta, done := s.withProgress(p.Meta)
	defer done()
	up := &mcp.CallToolParams{Meta: meta, Name: p.Name}
	if len(p.Arguments) > 0 {
		up.Arguments = p.Arguments
	}
	res, err := forward(ctx, s, func(cs *mcp.ClientSession) (*mcp.CallToolResult, error) { return cs.CallTool(ctx, up) })
	if err != nil {
		return nil, err
	}
	return &mcp.CallToolResult{
		Meta:              cleanMeta(res.Meta),
		Content:           res.Content,
		StructuredContent: res.StructuredContent,
		IsError:           res.IsError,
	}, nil
}

func (s *Session) listResources(ctx context.Context, req *mcp.ListResourcesRequest) (mcp.Result, error) {
	p := &mcp.ListResourcesParams{}
	if req.Params != nil {
		p.Meta, p.Cursor = req.Params.Meta, req.Params.Cursor
	}
	res, err := forward(ctx, s, func(cs *mcp.ClientSession) (*mcp.ListResourcesResult, error) { return cs.ListResources(ctx, p) })
	if err != nil {
		return nil, err
	}
	return &mcp.ListResourcesResult{Meta: cleanMeta(res.Meta), Resources: res.Resources, NextCursor: res.NextCursor}, nil
}

func (s *Session) listResourceTemplates(ctx context.Context, req *mcp.ListResourceTemplatesRequest) (mcp.Result, error) {
	p := &mcp.ListResourceTemplatesParams{}
	if req.Params != nil {
		p.Meta, p.Cursor = req.Params.Meta, req.Params.Cursor
	}
	res, err := forward(ctx, s, func(cs *mcp.ClientSession) (*mcp.ListResourceTemplatesResult, error) {
		return cs.ListResourceTemplates(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return &mcp.ListResourceTemplatesResult{Meta: cleanMeta(res.Meta), ResourceTemplates: res.ResourceTemplates, NextCursor: res.NextCursor}, nil
}

func (s *Session) readResource(ctx context.Context, req *mcp.ReadResourceRequest) (mcp.Result, error) {
	meta, done := s.withProgress(req.Params.Meta)
	defer done()
	res, err := forward(ctx, s, func(cs *mcp.ClientSession) (*mcp.ReadResourceResult, error) {
		return cs.ReadResource(ctx, &mcp.ReadResourceParams{Meta: meta, URI: req.Params.URI})
	})
	if err != nil {
		return nil, err
	}
	return &mcp.ReadResourceResult{Meta: cleanMeta(res.Meta), Contents: res.Contents}, nil
}

func (s *Session) listPrompts(ctx context.Context, req *mcp.ListPromptsRequest) (mcp.Result, error) {
	p := &mcp.ListPromptsParams{}
	if req.Params != nil {
		p.Meta, p.Cursor = req.Params.Meta, req.Params.Cursor
	}
	res, err := forward(ctx, s, func(cs *mcp.ClientSession) (*mcp.ListPromptsResult, error) { return cs.ListPrompts(ctx, p) })
	if err != nil {
		return nil, err
	}
	return &mcp.ListPromptsResult{Meta: cleanMeta(res.Meta), Prompts: res.Prompts, NextCursor: res.NextCursor}, nil
}

func (s *Session) getPrompt(ctx context.Context, req *mcp.GetPromptRequest) (mcp.Result, error) {
	meta, done := s.withProgress(req.Params.Meta)
	defer done()
	res, err := forward(ctx, s, func(cs *mcp.ClientSession) (*mcp.GetPromptResult, error) {
		return cs.GetPrompt(ctx, &mcp.GetPromptParams{Meta: meta, Name: req.Params.Name, Arguments: req.Params.Arguments})
	})
	if err != nil {
		return nil, err
	}
	return &mcp.GetPromptResult{Meta: cleanMeta(res.Meta), Description: res.Description, Messages: res.Messages}, nil
}

func (s *Session) complete(ctx context.Context, req *mcp.CompleteRequest) (mcp.Result, error) {
	res, err := forward(ctx, s, func(cs *mcp.ClientSession) (*mcp.CompleteResult, error) { return cs.Complete(ctx, req.Params) })
	if err != nil {
		return nil, err
	}
	return &mcp.CompleteResult{Meta: cleanMeta(res.Meta), Completion: res.Completion}, nil
}

// setLevel forwards logging/setLevel upstream (if it logs) and remembers it for restarts;
// the server's own handler then records it, so that ServerSession.Log filters by it too.
func (s *Session) setLevel(ctx context.Context, req *mcp.ServerRequest[*mcp.SetLoggingLevelParams]) error {
	s.mu.Lock()
	s.logLevel = req.Params.Level
	logs := s.upCaps != nil && s.upCaps.Logging != nil
	s.mu.Unlock()
	if !logs {
		return nil
	}
	_, err := forward(ctx, s, func(cs *mcp.ClientSession) (struct{}, error) { return struct{}{}, cs.SetLoggingLevel(ctx, req.Params) })
	return err
}

func (s *Session) subscribe(ctx context.Context, req *mcp.SubscribeRequest) error {
	_, err := forward(ctx, s, func(cs *mcp.ClientSession) (struct{}, error) {
		return struct{}{}, cs.Subscribe(ctx, &mcp.SubscribeParams{Meta: req.Params.Meta, URI: req.Params.URI})
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.subs[req.Params.URI] = true
	s.mu.Unlock()
	return nil
}

func (s *Session) unsubscribe(ctx context.Context, req *mcp.UnsubscribeRequest) error {
	s.mu.Lock()
	delete(s.subs, req.Params.URI)
	s.mu.Unlock()
	_, err := forward(ctx, s, func(cs *mcp.ClientSession) (struct{}, error) {
		return struct{}{}, cs.Unsubscribe(ctx, &mcp.UnsubscribeParams{Meta: req.Params.Meta, URI: req.Params.URI})
	})
	return err
}

// resourceUpdated passes notifications/resources/updated on; the server sends it only if
// the client subscribed to the URI.
func (s *Session) resourceUpdated(ctx context.Context, req *mcp.ResourceUpdatedNotificationRequest) {
	p := *req.Params
	p.Meta = cleanMeta(p.Meta)
	_ = s.srv.ResourceUpdated(ctx, &p)
}

// logMessage passes notifications/message on; ServerSession.Log applies the client's level.
func (s *Session) logMessage(ctx context.Context, req *mcp.LoggingMessageRequest) {
	s.mu.Lock()
	ss := s.ss
	s.mu.Unlock()
	if ss != nil {
		p := *req.Params
		p.Meta = cleanMeta(p.Meta)
		_ = ss.Log(ctx, &p)
	}
}
