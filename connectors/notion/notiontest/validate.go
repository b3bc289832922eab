package notiontest

import (
	"encoding/json"
	"fmt"
	"unicode/utf16"
)

// Limits the real API enforces (notion.md §4.3).
const (
	maxText       = 2000
	maxEquation   = 1000
	maxRichItems  = 100
	maxChildren   = 100
	maxNesting    = 2 // levels of children below the blocks of one request
	maxBlockElems = 1000
)

var knownBlockTypes = map[string]bool{
	"paragraph": true, "bulleted_list_item": true, "numbered_list_item": true, "to_do": true, "toggle": true,
	"quote": true, "callout": true, "heading_1": true, "heading_2": true, "heading_3": true, "code": true,
	"divider": true, "equation": true, "table": true, "table_row": true, "image": true, "video": true, "audio": true,
	"file": true, "pdf": true, "bookmark": true, "embed": true, "table_of_contents": true, "breadcrumb": true,
	"column_list": true, "column": true, "link_to_page": true, "synced_block": true,
}

func jsLen(s string) int { return len(utf16.Encode([]rune(s))) }

// checkRichText validates a request rich-text array at path.
func checkRichText(path string, v any) *apiError {
	if v == nil {
		return nil
	}
	items, ok := v.([]any)
	if !ok {
		return errValidation("%s should be an array, instead was `%s`.", path, short(v))
	}
	if len(items) > maxRichItems {
		return errValidation("%s.length should be ≤ `%d`, instead was `%d`.", path, maxRichItems, len(items))
	}
	for i, it := range items {
		p := fmt.Sprintf("%s[%d]", path, i)
		m, ok := it.(map[string]any)
		if !ok {
			return errValidation("%s should be an object, instead was `%s`.", p, short(it))
		}
		switch {
		case m["text"] != nil:
			t, ok := m["text"].(map[string]any)
			c, ok2 := t["content"].(string)
			if !ok || !ok2 {
				return errValidation("%s.text.content should be a string, instead was `%s`.", p, short(t["content"]))
			}
			if n := jsLen(c); n > maxText {
				return errValidation("%s.text.content.length should be ≤ `%d`, instead was `%d`.", p, maxText, n)
			}
			if l, ok := t["link"].(map[string]any); ok {
				if u, _ := l["url"].(string); jsLen(u) > maxText {
					return errValidation("%s.text.link.url.length should be ≤ `%d`, instead was `%d`.", p, maxText, jsLen(u))
				}
			}
		case m["equation"] != nil:
			e, _ := m["equation"].(map[string]any)
			x, _ := e["expression"].(string)
			if jsLen(x) > maxEquation {
				return errValidation("%s.equation.expression.length should be ≤ `%d`, instead was `%d`.", p, maxEquation, jsLen(x))
			}
		case m["mention"] != nil:
		default:
			return errValidation("%s should be defined with one of text, mention, equation.", p)
		}
	}
	return nil
}

// blockType returns a request block's type: its "type" field or its only type key.
func blockType(b map[string]any) string {
	if t, ok := b["type"].(string); ok {
		return t
	}
	for k := range b {
		if k != "object" && k != "type" {
			return k
		}
	}
	return ""
}

// checkChildren validates a request children array; level 0 is the request's own blocks.
func checkChildren(path string, v any, level int, count *int) *apiError {
	items, ok := v.([]any)
	if !ok {
		return errValidation("%s should be an array, instead was `%s`.", path, short(v))
	}
	if len(items) > maxChildren {
		return errValidation("%s.length should be ≤ `%d`, instead was `%d`.", path, maxChildren, len(items))
	}
	for i, it := range items {
		*count++
		if *count > maxBlockElems {
			return errValidation("body should contain at most %d block elements.", maxBlockElems)
		}
		p := fmt.Sprintf("%s[%d]", path, i)
		b, ok := it.(map[string]any)
		if !ok {
			return errValidation("%s should be an object, instead was `%s`.", p, short(it))
		}
		typ := blockType(b)
		if typ == "child_page" || typ == "child_database" {
			return errValidation("%s.%s cannot be created with this endpoint: create pages and databases with POST /v1/pages or /v1/databases.", p, typ)
		}
		if !knownBlockTypes[typ] {
			return errValidation("%s should be a block object with a known type, instead was `%s`.", p, typ)
		}
		payload, ok := b[typ].(map[string]any)
		if !ok {
			return errValidation("%s.%s should be an object, instead was `%s`.", p, typ, short(b[typ]))
		}
		pp := p + "." + typ
		if textBlockTypes[typ] {
			if payload["rich_text"] == nil {
				return errValidation("%s.rich_text should be defined, instead was `undefined`.", pp)
			}
			if err := checkRichText(pp+".rich_text", payload["rich_text"]); err != nil {
				return err
			}
		}
		if err := checkRichText(pp+".caption", payload["caption"]); err != nil {
			return err
		}
		switch typ {
		case "equation":
			x, _ := payload["expression"].(string)
			if jsLen(x) > maxEquation {
				return errValidation("%s.expression.length should be ≤ `%d`, instead was `%d`.", pp, maxEquation, jsLen(x))
			}
		case "table":
			w, err := payload["table_width"].(json.Number).Int64()
			if err != nil || w < 1 {
				return errValidation("%s.table_width should be a positive number.", pp)
			}
			rows, _ := payload["children"].([]any)
			if len(rows) == 0 {
				return errValidation("%s.children should be defined, instead was `undefined`.", pp)
			}
			for j, r := range rows {
				rm, _ := r.(map[string]any)
				row, _ := rm["table_row"].(map[string]any)
				cells, _ := row["cells"].([]any)
				if blockType(rm) != "table_row" || int64(len(cells)) != w {
					return errValidation("%s.children[%d] should be a table_row with %d cells.", pp, j, w)
				}
				for k, c := range cells {
					if err := checkRichText(fmt.Sprintf("%s.children[%d].table_row.cells[%d]", pp, j, k), c); err != nil {
						return err
					}
				}
			}
		case "image", "video", "audio", "file", "pdf":
			ext, _ := payload["external"].(map[string]any)
			if u, _ := ext["url"].(string); u == "" {
				return errValidation("%s.external.url should be defined, instead was `undefined`.", pp)
			}
		case "bookmark", "embed":
			if u, _ := payload["url"].(string); u == "" {
				return errValidation("%s.url should be defined, instead was `undefined`.", pp)
			}
		}
		if kids, ok := payload["children"]; ok {
			if level >= maxNesting {
				return errValidation("%s.children should be not present, instead was `%s`.", pp, short(kids))
			}
			if err := checkChildren(pp+".children", kids, level+1, count); err != nil {
				return err
			}
		}
	}
	return nil
}

func short(v any) string {
	if v == nil {
		return "undefined"
	}
	b, _ := json.Marshal(v)
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}
