package notion

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/patchbay-mcp/patchbay/connectors/notion/markdown"
)

// unstring undoes the double encoding some clients apply to object arguments: a string
// that holds a JSON object or array is decoded (up to three times). Other values pass.
func unstring(v any) any {
	for range 3 {
		s, ok := v.(string)
		if !ok {
			return v
		}
		t := strings.TrimSpace(s)
		if !strings.HasPrefix(t, "{") && !strings.HasPrefix(t, "[") {
			return v
		}
		var out any
		if json.Unmarshal([]byte(t), &out) != nil {
			return v
		}
		v = out
	}
	return v
}

// titleValue is a title property value from inline Markdown.
func titleValue(s string) map[string]any {
	rt := markdown.ParseInline(s)
	if rt == nil {
		rt = []markdown.RichText{}
	}
	return map[string]any{"title": rt}
}

// convertProps turns friendly property values into Notion property values for a page in a
// data source with the given schema (nil for a page under a page, which has only a title).
// A value that is already in Notion's form ({"select": {"name": "Done"}}) passes through.
// Friendly forms: text for title, rich_text (inline Markdown), select, status, url, email,
// phone_number; a number; true/false; a list (or comma-separated text) for multi_select,
// people (user ids) and relation (page ids or URLs); a date as "2025-01-31",
// "2025-01-31/2025-02-02" or {"start","end"}; null to clear.
func convertProps(in map[string]any, schema map[string]PropSchema) (map[string]any, error) {
	out := map[string]any{}
	if schema == nil {
		for k, v := range in {
			if !strings.EqualFold(k, "title") {
				return nil, fmt.Errorf("a page under a page has only a title: property %q cannot be set (put other content in the page body)", k)
			}
			v = unstring(v)
			if m, ok := v.(map[string]any); ok {
				out["title"] = m
				continue
			}
			out["title"] = titleValue(fmt.Sprint(v))
		}
		return out, nil
	}
	for name, v := range in {
		s, ok := schema[name]
		if !ok {
			for n, cand := range schema {
				if strings.EqualFold(n, name) || cand.ID == name {
					s, ok, name = cand, true, n
				}
			}
		}
		if !ok {
			return nil, fmt.Errorf("property %q does not exist; the properties are: %s", name, strings.Join(schemaList(schema), ", "))
		}
		v = unstring(v)
		if m, ok := v.(map[string]any); ok {
			if _, native := m[s.Type]; native {
				out[name] = m
				continue
			}
		}
		val, err := friendly(s, v)
		if err != nil {
			return nil, fmt.Errorf("property %q (%s): %w", name, s.Type, err)
		}
		out[name] = map[string]any{s.Type: val}
	}
	return out, nil
}

func schemaList(schema map[string]PropSchema) []string {
	var out []string
	for n, s := range schema {
		out = append(out, fmt.Sprintf("%s (%s)", n, s.Type))
	}
	sort.Strings(out)
	return out
}

func friendly(s PropSchema, v any) (any, error) {
	text := func() (string, bool) {
		switch x := v.(type) {
		case string:
			return x, true
		case float64, bool:
			return fmt.Sprint(x), true
		}
		return "", false
	}
	list := func() []string {
		switch x := v.(type) {
		case []any:
			var out []string
			for _, it := range x {
				if m, ok := it.(map[string]any); ok {
					if id, ok := m["id"].(string); ok {
						out = append(out, id)
						continue
					}
					if n, ok := m["name"].(string); ok {
						out = append(out, n)
						continue
					}
				}
				out = append(out, fmt.Sprint(it))
			}
			return out
		case string:
			var out []string
			for _, p := range strings.Split(x, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
			return out
		}
		return nil
	}
	if v == nil {
		switch s.Type {
		case "title", "rich_text":
			return []any{}, nil
		case "multi_select", "people", "relation":
			return []any{}, nil
		case "checkbox":
			return false, nil
		}
		return nil, nil
	}
	switch s.Type {
	case "title", "rich_text":
		t, ok := text()
		if !ok {
			return nil, fmt.Errorf("give text, got %T", v)
		}
		rt := markdown.ParseInline(t)
		if rt == nil {
			rt = []markdown.RichText{}
		}
		return rt, nil
	case "number":
		switch x := v.(type) {
		case float64:
			return x, nil
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return nil, fmt.Errorf("give a number, got %q", x)
			}
			return f, nil
		}
		return nil, fmt.Errorf("give a number, got %T", v)
	case "checkbox":
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "yes", "__yes__", "1", "checked":
				return true, nil
			case "false", "no", "__no__", "0", "":
				return false, nil
			}
		}
		return nil, fmt.Errorf("give true or false, got %v", v)
	case "select", "status":
		t, ok := text()
		if !ok {
			return nil, fmt.Errorf("give the option name, got %T", v)
		}
		if t == "" && s.Type == "select" {
			return nil, nil
		}
		if opts := s.Options(); s.Type == "status" && !contains(opts, t) {
			return nil, fmt.Errorf("status must be one of: %s", strings.Join(opts, ", "))
		}
		return map[string]any{"name": t}, nil
	case "multi_select":
		var out []any
		for _, n := range list() {
			out = append(out, map[string]any{"name": n})
		}
		if out == nil {
			out = []any{}
		}
		return out, nil
	case "people", "relation":
		out := []any{}
		for _, id := range list() {
			d := markdown.IDFromURL(id)
			if d == "" {
				return nil, fmt.Errorf("%q is not a Notion id", id)
			}
			out = append(out, map[string]any{"id": d})
		}
		return out, nil
	case "date":
		switch x := v.(type) {
		case string:
			start, end, _ := strings.Cut(strings.TrimSpace(x), "/")
			d := map[string]any{"start": start}
			if end != "" {
				d["end"] = end
			}
			return d, nil
		case map[string]any:
			if _, ok := x["start"].(string); ok {
				return x, nil
			}
		}
		return nil, fmt.Errorf(`give "YYYY-MM-DD", "start/end" or {"start":..,"end":..}, got %v`, v)
	case "url", "email", "phone_number":
		t, ok := text()
		if !ok {
			return nil, fmt.Errorf("give text, got %T", v)
		}
		if t == "" {
			return nil, nil
		}
		return t, nil
	}
	return nil, fmt.Errorf("%s properties are computed by Notion and cannot be set", s.Type)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
