package notion

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestConvertProps(t *testing.T) {
	schema := map[string]PropSchema{
		"Name":   {ID: "title", Name: "Name", Type: "title"},
		"Status": {ID: "st", Name: "Status", Type: "status", Status: &struct{ Options []Option }{Options: []Option{{Name: "Todo"}, {Name: "Done"}}}},
		"Tags":   {ID: "tg", Name: "Tags", Type: "multi_select"},
		"Points": {ID: "pt", Name: "Points", Type: "number"},
		"Ok":     {ID: "ok", Name: "Ok", Type: "checkbox"},
		"When":   {ID: "wh", Name: "When", Type: "date"},
		"Rel":    {ID: "rl", Name: "Rel", Type: "relation"},
		"Kind":   {ID: "kd", Name: "Kind", Type: "select"},
		"Made":   {ID: "mk", Name: "Made", Type: "created_time"},
	}
	in := map[string]any{
		"name":   "Hello **you**", // case-insensitive name
		"st":     "Done",          // by property id
		"Tags":   "a, b ,c",       // comma-separated
		"Points": "2.5",           // numeric text
		"Ok":     "yes",           // checkbox words
		"When":   map[string]any{"start": "2025-01-02"},
		"Rel":    []any{"https://www.notion.so/Page-1a2b3c4d5e6f4a1b8c2d3e4f5a6b7c8d"},
		"Kind":   map[string]any{"select": map[string]any{"name": "raw"}}, // Notion's own form passes through
	}
	out, err := convertProps(in, schema)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(out)
	for _, want := range []string{`"Name":{"title":[{"type":"text","text":{"content":"Hello "}},{"type":"text","text":{"content":"you"},"annotations":{"bold":true`,
		`"Status":{"status":{"name":"Done"}}`, `"Tags":{"multi_select":[{"name":"a"},{"name":"b"},{"name":"c"}]}`, `"Points":{"number":2.5}`,
		`"Ok":{"checkbox":true}`, `"When":{"date":{"start":"2025-01-02"}}`, `"Rel":{"relation":[{"id":"1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d"}]}`,
		`"Kind":{"select":{"name":"raw"}}`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("converted properties lack %s\n%s", want, raw)
		}
	}
	for _, bad := range []map[string]any{{"Made": "x"}, {"Points": "many"}, {"Ok": "perhaps"}, {"Status": "Doing"}, {"Rel": []any{"nope"}}, {"Nope": 1}} {
		if _, err := convertProps(bad, schema); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
	if _, err := convertProps(map[string]any{"Status": "x"}, nil); err == nil || !strings.Contains(err.Error(), "has only a title") {
		t.Errorf("page-parent property: %v", err)
	}
}
