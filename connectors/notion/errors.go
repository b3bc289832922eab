package notion

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// capabilityFor names the integration capability an operation needs, for the message of a
// restricted_resource error.
var capabilityFor = map[string]string{
	"read":     "Read content",
	"write":    "Update content and Insert content",
	"insert":   "Insert content",
	"comments": "Read comments",
	"comment":  "Insert comments",
	"users":    "Read user information (without email addresses is enough)",
}

var fieldRE = regexp.MustCompile(`body(\.[A-Za-z0-9_\[\].]+)`)

// explain turns an error from the API into a message that tells an agent what to do. op is
// "read", "write", "insert", "comments", "comment" or "users"; bot is the integration's name
// as the user sees it in Notion ("" when unknown).
func explain(err error, op, bot string) string {
	if bot == "" {
		bot = "your integration"
	} else {
		bot = "“" + bot + "”"
	}
	var e *APIError
	switch {
	case errors.As(err, &e):
		switch e.Code {
		case "object_not_found":
			return fmt.Sprintf("Notion: object_not_found. %s\nThis page or database is not shared with the integration, or the id is wrong. To share it: in Notion open the page → ••• → Connections → add %s (sharing a parent page shares everything below it). Then retry. To find pages the integration can see, call notion-search.", e.Message, bot)
		case "restricted_resource":
			return fmt.Sprintf("Notion: restricted_resource. %s\nThe integration lacks the capability to do this. In Notion: Settings → Connections (or notion.so/profile/integrations) → %s → Capabilities, enable “%s”, save, and retry.", e.Message, bot, capabilityFor[op])
		case "validation_error":
			field := ""
			if m := fieldRE.FindStringSubmatch(e.Message); m != nil {
				field = " The field at fault is " + strings.TrimPrefix(m[1], ".") + "."
			}
			return fmt.Sprintf("Notion: validation_error. %s%s Fix the value and call the tool again.", e.Message, field)
		case "unauthorized":
			return "Notion: unauthorized. The integration token was rejected: the integration may have been deleted or its token rotated. The user must store a fresh token (patchbay add notion NAME, with the token from notion.so/profile/integrations); retrying will not help."
		case "rate_limited":
			wait := "a few seconds"
			if e.RetryAfter > 0 {
				wait = e.RetryAfter.String()
			}
			return fmt.Sprintf("Notion: rate_limited. Notion is limiting this integration's requests (about 3 per second on average). Wait %s and retry.", wait)
		case "conflict_error":
			return "Notion: conflict_error. The data changed while saving (another edit happened at the same time). Fetch it again and retry."
		case "invalid_request_url", "invalid_request", "invalid_json", "missing_version":
			return fmt.Sprintf("Notion: %s. %s (This is a connector bug or an unsupported request; check the ids and arguments.)", e.Code, e.Message)
		}
		if e.Status >= 500 {
			return fmt.Sprintf("Notion: %s (HTTP %d). Notion is having trouble; retry in a minute. %s", e.Code, e.Status, e.Message)
		}
		return fmt.Sprintf("Notion: %s (HTTP %d). %s", e.Code, e.Status, e.Message)
	case errors.Is(err, context.DeadlineExceeded):
		return "Notion did not answer in time. Retry; for a very large page, fetch a sub-page or a block id instead."
	case errors.Is(err, context.Canceled):
		return "The request was cancelled."
	}
	return "Could not reach Notion: " + err.Error() + ". Check the network (and the base_url setting, if one is set) and retry."
}

// errResult returns a tool error result with text.
func errResult(text string) *mcp.CallToolResult {
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: text}}}
}

// textResult returns a successful result with text and, when non-nil, structured content.
func textResult(text string, structured any) *mcp.CallToolResult {
	r := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}
	if structured != nil {
		r.StructuredContent = structured
	}
	return r
}
