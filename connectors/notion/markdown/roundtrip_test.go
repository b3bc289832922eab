package markdown

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// canonical encodes blocks as an API request would carry them, with rich text merged and
// plain annotations dropped, so that equal documents compare equal.
func canonical(t *testing.T, blocks []Block) string {
	t.Helper()
	var norm func([]Block) []Block
	normRT := func(rt []RichText) []RichText {
		out := mergeRuns(rt)
		for i := range out {
			a := out[i].ann()
			if a.plain() {
				out[i].Annotations = nil
			} else {
				out[i].Annotations = &a
			}
		}
		return out
	}
	norm = func(in []Block) []Block {
		out := make([]Block, len(in))
		for i, b := range in {
			b.Data.RichText = normRT(b.Data.RichText)
			b.Data.Caption = normRT(b.Data.Caption)
			for j := range b.Data.Cells {
				b.Data.Cells[j] = normRT(b.Data.Cells[j])
			}
			b.Children = norm(b.Children)
			if b.Children == nil {
				b.Children = []Block{}
			}
			out[i] = b
		}
		return out
	}
	type canon struct {
		ID       string
		Type     string
		Payload  map[string]any
		Children []canon
	}
	var conv func([]Block) []canon
	conv = func(bs []Block) []canon {
		var out []canon
		for _, b := range norm(bs) {
			out = append(out, canon{ID: b.ID, Type: b.Type, Payload: b.Payload(false), Children: conv(b.Children)})
		}
		return out
	}
	j, err := json.MarshalIndent(conv(blocks), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(j)
}

// gen makes random documents within what NFM can say.
type gen struct{ r *rand.Rand }

var alphabet = []string{"a", "b", "Z", "é", "😀", " ", "1", ".", "-", "#", "*", "_", "~", "`", "$", "[", "]", "(", ")",
	"<", ">", "{", "}", "|", "^", "\\", "!", "\"", "&", "'", "\n", ":", "/", "br", "td", "+", "  ", "\t", "* "}

func (g gen) text(n int) string {
	var b strings.Builder
	for range 1 + g.r.IntN(n) {
		b.WriteString(alphabet[g.r.IntN(len(alphabet))])
	}
	return b.String()
}

var colors = []string{"", "red", "blue_background", "gray"}

func (g gen) richText(max int, withAtoms bool) []RichText {
	var out []RichText
	for range g.r.IntN(max + 1) {
		a := &Annotations{Bold: g.r.IntN(3) == 0, Italic: g.r.IntN(3) == 0, Strikethrough: g.r.IntN(5) == 0,
			Underline: g.r.IntN(5) == 0, Code: g.r.IntN(5) == 0, Color: colors[g.r.IntN(len(colors))]}
		switch k := g.r.IntN(10); {
		case withAtoms && k == 0:
			a.Code = false
			out = append(out, RichText{Type: "mention", Annotations: a, PlainText: g.text(6),
				Mention: &Mention{Type: "page", Page: &Ref{ID: g.id()}}})
		case withAtoms && k == 1:
			a.Code = false
			out = append(out, RichText{Type: "mention", Annotations: a, PlainText: g.text(6),
				Mention: &Mention{Type: "user", User: &Ref{ID: g.id()}}})
		case withAtoms && k == 2:
			a.Code = false
			d := "2025-0" + fmt.Sprint(1+g.r.IntN(9)) + "-15"
			out = append(out, RichText{Type: "mention", Annotations: a, PlainText: d, Mention: &Mention{Type: "date", Date: &Date{Start: d}}})
		case withAtoms && k == 3:
			a.Code = false
			out = append(out, RichText{Type: "equation", Annotations: a, Equation: &Equation{Expression: "x^2" + g.text(4)}})
		default:
			var link *Link
			if g.r.IntN(4) == 0 {
				link = &Link{URL: "https://example.com/p?q=" + fmt.Sprint(g.r.IntN(3))}
			}
			out = append(out, RichText{Type: "text", Annotations: a, Text: &Text{Content: g.text(8), Link: link}})
		}
	}
	return out
}

func (g gen) id() string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", g.r.Uint32(), g.r.IntN(1<<16), g.r.IntN(1<<12), g.r.IntN(1<<12), g.r.Uint64()&(1<<48-1))
}

var textKinds = []string{"paragraph", "heading_1", "heading_2", "heading_3", "bulleted_list_item", "numbered_list_item",
	"to_do", "quote", "toggle", "callout"}
var otherKinds = []string{"code", "divider", "equation", "table", "image", "video", "bookmark", "embed", "child_page",
	"child_database", "table_of_contents", "column_list"}

func (g gen) blocks(depth, max int) []Block {
	var out []Block
	for range g.r.IntN(max + 1) {
		out = append(out, g.block(depth))
	}
	return out
}

func (g gen) block(depth int) Block {
	if g.r.IntN(3) > 0 {
		t := textKinds[g.r.IntN(len(textKinds))]
		b := Block{Type: t, Data: Data{RichText: g.richText(4, true), Color: colors[g.r.IntN(len(colors))]}}
		switch t {
		case "to_do":
			b.Data.Checked = g.r.IntN(2) == 0
		case "callout":
			b.Data.Icon = &Icon{Type: "emoji", Emoji: "💡"}
		case "heading_1", "heading_2", "heading_3":
			b.Data.IsToggleable = g.r.IntN(3) == 0
			if !b.Data.IsToggleable {
				return b
			}
		}
		if depth < 3 {
			b.Children = g.blocks(depth+1, 3)
		}
		return b
	}
	switch t := otherKinds[g.r.IntN(len(otherKinds))]; t {
	case "code":
		return Block{Type: t, Data: Data{Language: []string{"go", "plain text", "python"}[g.r.IntN(3)],
			RichText: []RichText{{Type: "text", Text: &Text{Content: "func main() {\n    x := 1\n\n\tif x > 0 { println(`a`) }\n}"}}}}}
	case "equation":
		return Block{Type: t, Data: Data{Expression: "E = mc^2 + \\frac{a}{b}"}}
	case "table":
		w := 1 + g.r.IntN(3)
		tb := Block{Type: t, Data: Data{TableWidth: w, HasColumnHeader: g.r.IntN(2) == 0, HasRowHeader: g.r.IntN(2) == 0}}
		for range 1 + g.r.IntN(3) {
			var cells [][]RichText
			for range w {
				cells = append(cells, g.richText(2, false))
			}
			tb.Children = append(tb.Children, Block{Type: "table_row", Data: Data{Cells: cells}})
		}
		return tb
	case "image", "video":
		return Block{Type: t, Data: Data{FileType: "external", External: &URLRef{URL: "https://img.example.com/a b.png"}, Caption: g.richText(2, false)}}
	case "bookmark", "embed":
		return Block{Type: t, Data: Data{URL: "https://example.com/x?y=1&z=2", Caption: g.richText(2, false)}}
	case "child_page", "child_database":
		return Block{ID: g.id(), Type: t, Data: Data{Title: g.text(10)}}
	case "column_list":
		if depth >= 2 {
			return Block{Type: "divider"}
		}
		return Block{Type: t, Children: []Block{
			{Type: "column", Children: append([]Block{{Type: "paragraph", Data: Data{RichText: g.richText(2, true)}}}, g.blocks(depth+2, 2)...)},
			{Type: "column", Children: []Block{{Type: "bulleted_list_item", Data: Data{RichText: g.richText(2, true)}}}},
		}}
	default:
		return Block{Type: t}
	}
}

// TestRoundTripProperty checks Parse(Render(doc)) == doc over generated documents.
func TestRoundTripProperty(t *testing.T) {
	for seed := range uint64(3000) {
		g := gen{rand.New(rand.NewPCG(seed, 7))}
		doc := g.blocks(0, 8)
		md := Render(doc)
		back := Parse(md)
		if want, got := canonical(t, doc), canonical(t, back); want != got {
			t.Fatalf("seed %d: round trip differs\nmarkdown:\n%s\n%s", seed, md, lineDiff(want, got))
		}
		if md2 := Render(back); md2 != md {
			t.Fatalf("seed %d: second render differs:\n%s\n---\n%s", seed, md, md2)
		}
	}
}

// TestInlineRoundTrip checks rich text alone, with many more cases than the block test.
func TestInlineRoundTrip(t *testing.T) {
	for seed := range uint64(3000) {
		g := gen{rand.New(rand.NewPCG(seed, 11))}
		rt := g.richText(6, true)
		s := RenderInline(rt)
		back := ParseInline(s)
		a, _ := json.Marshal(canonical(t, []Block{{Type: "paragraph", Data: Data{RichText: rt}}}))
		b, _ := json.Marshal(canonical(t, []Block{{Type: "paragraph", Data: Data{RichText: back}}}))
		if string(a) != string(b) {
			t.Fatalf("seed %d: inline %q\nwant %s\ngot  %s", seed, s, a, b)
		}
	}
}

// lineDiff shows the first differing lines of two texts with some context.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		if i >= len(al) || i >= len(bl) || al[i] != bl[i] {
			lo := max(0, i-8)
			return fmt.Sprintf("want:\n%s\ngot:\n%s", strings.Join(al[lo:min(len(al), i+5)], "\n"), strings.Join(bl[lo:min(len(bl), i+5)], "\n"))
		}
	}
	return "no difference"
}
