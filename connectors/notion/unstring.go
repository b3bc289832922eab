package notion

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// structuredArgs are the argument names whose values are objects or arrays. Some clients
// send such values as JSON strings ("Expected object, received string", a common complaint
// about the official server); decodeStringArgs turns them back into objects before the
// arguments are validated against the tool's schema.
var structuredArgs = map[string]bool{"parent": true, "pages": true, "properties": true, "filter": true, "sorts": true}

// decodeStringArgs is receiving middleware that undoes double-encoded arguments of
// tools/call. Arguments it cannot decode pass unchanged, for the schema to reject.
func decodeStringArgs(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if r, ok := req.(*mcp.CallToolRequest); ok && method == "tools/call" && r.Params != nil && len(r.Params.Arguments) > 0 {
			var args any
			if json.Unmarshal(r.Params.Arguments, &args) == nil {
				top := unstring(args) // the whole arguments object sent as a string
				fixed, changed := fixArgs(top)
				if changed || (isString(args) && !isString(top)) {
					if raw, err := json.Marshal(fixed); err == nil {
						r.Params.Arguments = raw
					}
				}
			}
		}
		return next(ctx, method, req)
	}
}

func isString(v any) bool { _, ok := v.(string); return ok }

// fixArgs decodes string values of structuredArgs keys, recursively.
func fixArgs(v any) (any, bool) {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && structuredArgs[k] {
				t := strings.TrimSpace(s)
				if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
					if d := unstring(s); !isString(d) {
						x[k], changed = d, true
						val = d
					}
				}
			}
			if nv, c := fixArgs(val); c {
				x[k], changed = nv, true
			}
		}
	case []any:
		for i, val := range x {
			if nv, c := fixArgs(val); c {
				x[i], changed = nv, true
			}
		}
	}
	return v, changed
}
