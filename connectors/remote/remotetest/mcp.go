package remotetest

import (
	"context"
	"fmt"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type echoArgs struct {
	Text string `json:"text" jsonschema:"the text to echo back"`
}

// newMCPServer is the fake's MCP server: "echo" returns its text, "whoami" the user the
// grant belongs to (from the header the bearer check adds).
func newMCPServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "fake-notion", Version: "1.0.0"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "echo", Description: "Echo the text back"},
		func(_ context.Context, _ *mcp.CallToolRequest, in echoArgs) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: in.Text}}}, nil, nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "whoami", Description: "Say who the token belongs to"},
		func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			user := "anonymous"
			if req.Extra != nil && req.Extra.Header != nil {
				if u := req.Extra.Header.Get("X-Fake-User"); u != "" {
					user = u
				}
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: user}}}, nil, nil
		})
	return s
}

// serveMCP is the resource server: a Streamable HTTP MCP endpoint behind a bearer check that
// answers 401 with an RFC 9728 challenge, as mcp.notion.com does.
func (s *Server) serveMCP(w http.ResponseWriter, r *http.Request) {
	g := s.checkBearer(r)
	if g == nil {
		s.mu.Lock()
		s.counts.Unauthorized++
		s.mu.Unlock()
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(
			`Bearer realm="OAuth", resource_metadata="%s/.well-known/oauth-protected-resource/mcp", error="invalid_token", error_description="Missing or invalid access token"`, s.URL))
		http.Error(w, `{"error":"invalid_token","error_description":"Missing or invalid access token"}`, http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	s.counts.MCPRequests++
	s.mu.Unlock()
	r.Header.Set("X-Fake-User", g.user)
	s.handler().ServeHTTP(w, r)
}
