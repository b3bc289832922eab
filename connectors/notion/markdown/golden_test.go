package markdown

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden (run with -update to create it): %v", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", name, lineDiff(string(want), got))
	}
}

// TestGoldenDocument parses a document that uses every supported construct, pins the
// blocks it becomes (doc.json) and how they render back (doc.out.md), and checks that the
// rendered form parses to the same blocks.
func TestGoldenDocument(t *testing.T) {
	src, err := os.ReadFile("testdata/doc.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := Parse(string(src))
	j, err := json.MarshalIndent(blocks, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "doc.json", string(j)+"\n")
	out := Render(blocks)
	golden(t, "doc.out.md", out)
	if a, b := canonical(t, blocks), canonical(t, Parse(out)); a != b {
		t.Errorf("rendered document parses differently:\n%s", lineDiff(a, b))
	}
	types := map[string]bool{}
	var walk func([]Block)
	walk = func(bs []Block) {
		for _, b := range bs {
			types[b.Type] = true
			walk(b.Children)
		}
	}
	walk(blocks)
	for _, want := range []string{"heading_1", "heading_2", "heading_3", "paragraph", "bulleted_list_item", "numbered_list_item",
		"to_do", "toggle", "quote", "callout", "code", "equation", "divider", "table", "table_row", "image", "video",
		"bookmark", "embed", "child_page", "child_database", "table_of_contents", "column_list", "column"} {
		if !types[want] {
			t.Errorf("golden document has no %s block", want)
		}
	}
}

// TestParseAgentMarkdown covers Markdown as agents usually write it: blank lines between
// blocks, four-space indentation, GitHub pipe tables.
func TestParseAgentMarkdown(t *testing.T) {
	src := "# Notes\n\nSome **bold** text.\n\n- [ ] one\n- [x] two\n    - nested under two\n\n| a | b |\n|---|---|\n| 1 | 2 \\| 3 |\n\n```python\ndef f():\n    return 1\n```\n"
	got := Parse(src)
	var types []string
	for _, b := range got {
		types = append(types, b.Type)
	}
	if strings.Join(types, ",") != "heading_1,paragraph,to_do,to_do,table,code" {
		t.Fatalf("types = %v", types)
	}
	if !got[3].Data.Checked || len(got[3].Children) != 1 || Plain(got[3].Children[0].Data.RichText) != "nested under two" {
		t.Errorf("to-do with nested item parsed as %+v", got[3])
	}
	tb := got[4]
	if !tb.Data.HasColumnHeader || tb.Data.TableWidth != 2 || len(tb.Children) != 2 || Plain(tb.Children[1].Data.Cells[1]) != "2 | 3" {
		t.Errorf("pipe table parsed as %+v", tb)
	}
	if code := got[5]; code.Data.Language != "python" || Plain(code.Data.RichText) != "def f():\n    return 1" {
		t.Errorf("code parsed as %q %q", code.Data.Language, Plain(code.Data.RichText))
	}
	if b := got[1].Data.RichText; len(b) != 3 || !b[1].ann().Bold || b[1].Text.Content != "bold" {
		t.Errorf("inline bold parsed as %+v", b)
	}
}

// TestParseAgentIndentation covers two-space nesting, "*" and "+" bullets, and a code
// block inside a list item that keeps its own indentation.
func TestParseAgentIndentation(t *testing.T) {
	src := "* top\n  * two spaces\n    + four spaces\n* [ ] task\n  ```js\n  if (x) {\n      y()\n  }\n  ```\n"
	got := Parse(src)
	if len(got) != 2 || got[0].Type != "bulleted_list_item" || got[1].Type != "to_do" {
		t.Fatalf("top level: %+v", got)
	}
	kid := got[0].Children
	if len(kid) != 1 || Plain(kid[0].Data.RichText) != "two spaces" || len(kid[0].Children) != 1 || Plain(kid[0].Children[0].Data.RichText) != "four spaces" {
		t.Errorf("nesting: %+v", kid)
	}
	code := got[1].Children
	if len(code) != 1 || code[0].Type != "code" || Plain(code[0].Data.RichText) != "if (x) {\n    y()\n}" || code[0].Data.Language != "js" {
		t.Errorf("code in a list item: %+v", code)
	}
}

// TestSplitLong checks that text over the API's 2,000-character limit is split into items
// that each fit, counting characters as the API does (UTF-16), with styles kept.
func TestSplitLong(t *testing.T) {
	long := strings.Repeat("a", 4500)
	rt := ParseInline("**" + long + "**")
	if len(rt) != 3 {
		t.Fatalf("got %d items, want 3", len(rt))
	}
	for _, r := range rt {
		if !r.ann().Bold || utf16Len(r.Text.Content) > MaxTextLen {
			t.Errorf("item of %d chars, bold %v", utf16Len(r.Text.Content), r.ann().Bold)
		}
	}
	emoji := strings.Repeat("😀", 1500) // 3,000 UTF-16 units
	rt = ParseInline(emoji)
	if len(rt) != 2 || utf16Len(rt[0].Text.Content) != 2000 || rt[0].Text.Content+rt[1].Text.Content != emoji {
		t.Errorf("emoji split into %d items", len(rt))
	}
	code := Parse("```\n" + strings.Repeat("x", 2500) + "\n```")
	if n := len(code[0].Data.RichText); n != 2 {
		t.Errorf("long code block has %d rich text items, want 2", n)
	}
}

func TestIDFromURL(t *testing.T) {
	want := "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d"
	for _, in := range []string{
		"1a2b3c4d5e6f4a1b8c2d3e4f5a6b7c8d", want,
		"https://www.notion.so/acme/Project-Plan-1a2b3c4d5e6f4a1b8c2d3e4f5a6b7c8d",
		"https://www.notion.so/1a2b3c4d5e6f4a1b8c2d3e4f5a6b7c8d?v=99999999999999999999999999999999",
		"https://acme.notion.site/Plan-1a2b3c4d5e6f4a1b8c2d3e4f5a6b7c8d#heading",
		"collection://" + want,
	} {
		if got := IDFromURL(in); got != want {
			t.Errorf("IDFromURL(%q) = %q", in, got)
		}
	}
	if got := IDFromURL("not an id"); got != "" {
		t.Errorf("IDFromURL(garbage) = %q", got)
	}
}
