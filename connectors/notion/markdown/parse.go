package markdown

import (
	"regexp"
	"strings"
)

// Parse parses NFM into a block tree for an API request. It never fails: a line it does
// not recognise is a paragraph. Block ids are empty except for <page>/<database> references,
// which carry the id from their URL. Indentation is by tabs; agents' spaces are accepted
// too (two spaces make a level, so both two- and four-space nesting work), as are "*" and
// "+" bullets.
func Parse(src string) []Block {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	var lines []srcLine
	for _, l := range strings.Split(src, "\n") {
		raw, d := l, 0
		for {
			if strings.HasPrefix(l, "\t") {
				l, d = l[1:], d+1
			} else if strings.HasPrefix(l, "  ") {
				l, d = l[2:], d+1
			} else {
				break
			}
		}
		lines = append(lines, srcLine{depth: d, text: strings.TrimLeft(l, " "), raw: raw})
	}
	p := &blockParser{lines: lines}
	return p.blocks(0, "")
}

type srcLine struct {
	depth int
	text  string // the line without its indentation
	raw   string // the line as written (code blocks keep their own indentation)
}

// indentOf returns the leading whitespace of a raw line.
func indentOf(raw string) string {
	return raw[:len(raw)-len(strings.TrimLeft(raw, " \t"))]
}

// dedent removes the indentation of a code block's opening line from one of its lines, or
// as much leading whitespace as the line has if it is indented less.
func dedent(raw, indent string) string {
	if strings.HasPrefix(raw, indent) {
		return raw[len(indent):]
	}
	return strings.TrimLeft(raw[:min(len(raw), len(indent))], " \t") + raw[min(len(raw), len(indent)):]
}

type blockParser struct {
	lines []srcLine
	i     int
}

// skipBlank moves past empty lines and reports whether a line remains.
func (p *blockParser) skipBlank() bool {
	for p.i < len(p.lines) && strings.TrimSpace(p.lines[p.i].text) == "" {
		p.i++
	}
	return p.i < len(p.lines)
}

// blocks parses sibling blocks at depth until a shallower line, or the line stop at depth.
func (p *blockParser) blocks(depth int, stop string) []Block {
	var out []Block
	for p.skipBlank() {
		l := p.lines[p.i]
		if l.depth < depth || (stop != "" && strings.TrimSpace(l.text) == stop) {
			break
		}
		out = append(out, p.block(l.depth)...)
	}
	return out
}

// children parses the children of a block that opened on a line at depth: the lines
// indented below it, or, for a tag block whose children were not indented, the lines up to
// its closer. The closer itself is consumed.
func (p *blockParser) children(depth int, closer string) []Block {
	var kids []Block
	if p.skipBlank() && p.lines[p.i].depth > depth {
		kids = p.blocks(depth+1, "")
	} else if closer != "" && p.i < len(p.lines) && strings.TrimSpace(p.lines[p.i].text) != closer {
		kids = p.blocks(depth, closer)
	}
	if closer != "" && p.skipBlank() && strings.TrimSpace(p.lines[p.i].text) == closer {
		p.i++
	}
	return kids
}

var (
	headingRE  = regexp.MustCompile(`^(#{1,6}) (.*)$`)
	todoRE     = regexp.MustCompile(`^[-*+] \[([ xX])\](?: (.*))?$`)
	bulletRE   = regexp.MustCompile(`^[-*+](?: (.*))?$`)
	numberRE   = regexp.MustCompile(`^\d+\.(?: (.*))?$`)
	blockAttRE = regexp.MustCompile(` \{(color|toggle)="([^"]*)"\}$`)
	imageRE    = regexp.MustCompile(`^!\[(.*)\]\(([^)\s]*)\)$`)
	summaryRE  = regexp.MustCompile(`^<details([^>]*)><summary>(.*)</summary>$`)
	elemRE     = regexp.MustCompile(`^<(video|audio|file|pdf|embed|bookmark|page|database)((?:\s+[a-zA-Z-]+="[^"]*")*)\s*(?:/>|>(.*)</(?:video|audio|file|pdf|embed|bookmark|page|database)>)$`)
	selfTagRE  = regexp.MustCompile(`^<([a-z_-]+)((?:\s+[a-zA-Z-]+="[^"]*")*)\s*/>$`)
	openTagRE  = regexp.MustCompile(`^<(callout|table|columns|column|synced_block)((?:\s+[a-zA-Z-]+="[^"]*")*)\s*>$`)
)

// blockAttrs strips trailing {color="..."} and {toggle="true"} from a first line.
func blockAttrs(s string) (string, map[string]string) {
	at := map[string]string{}
	for {
		m := blockAttRE.FindStringSubmatchIndex(s)
		if m == nil {
			return s, at
		}
		at[s[m[2]:m[3]]] = s[m[4]:m[5]]
		s = s[:m[0]]
	}
}

func textBlock(typ, inline string, color string) Block {
	return Block{Type: typ, Data: Data{RichText: ParseInline(inline), Color: apiColor(color)}}
}

// block parses the block starting at the current line and returns it (or, for a heading
// that cannot hold children, it and its would-be children as siblings).
func (p *blockParser) block(depth int) []Block {
	raw := p.lines[p.i].text
	p.i++
	text, at := blockAttrs(raw)
	withKids := func(b Block) []Block {
		b.Children = p.children(depth, "")
		return []Block{b}
	}
	switch {
	case text == "<empty-block/>":
		return withKids(Block{Type: "paragraph", Data: Data{RichText: []RichText{}, Color: apiColor(at["color"])}})
	case strings.HasPrefix(raw, "```"):
		return []Block{p.code(depth, indentOf(p.lines[p.i-1].raw), strings.TrimSpace(strings.TrimPrefix(raw, "```")))}
	case raw == "$$" || (strings.HasPrefix(raw, "$$") && strings.HasSuffix(raw, "$$") && len(raw) > 4):
		return []Block{p.equation(indentOf(p.lines[p.i-1].raw), raw)}
	case raw == "---" || raw == "***" || raw == "___":
		return []Block{{Type: "divider"}}
	}
	if m := headingRE.FindStringSubmatch(text); m != nil {
		n := len(m[1])
		if n > 3 {
			n = 3 // heading_4 is not in API 2025-09-03
		}
		b := textBlock("heading_"+string(rune('0'+n)), m[2], at["color"])
		kids := p.children(depth, "")
		if at["toggle"] == "true" {
			b.Data.IsToggleable = true
			b.Children = kids
			return []Block{b}
		}
		return append([]Block{b}, kids...)
	}
	if m := todoRE.FindStringSubmatch(text); m != nil {
		b := textBlock("to_do", m[2], at["color"])
		b.Data.Checked = m[1] != " "
		return withKids(b)
	}
	if m := bulletRE.FindStringSubmatch(text); m != nil {
		return withKids(textBlock("bulleted_list_item", m[1], at["color"]))
	}
	if m := numberRE.FindStringSubmatch(text); m != nil {
		return withKids(textBlock("numbered_list_item", m[1], at["color"]))
	}
	if strings.HasPrefix(text, ">") {
		return withKids(textBlock("quote", strings.TrimPrefix(strings.TrimPrefix(text, ">"), " "), at["color"]))
	}
	if m := summaryRE.FindStringSubmatch(raw); m != nil {
		b := textBlock("toggle", m[2], attrs(m[1])["color"])
		b.Children = p.children(depth, "</details>")
		return []Block{b}
	}
	if m := imageRE.FindStringSubmatch(raw); m != nil {
		url := strings.NewReplacer("%29", ")", "%20", " ").Replace(m[2])
		return []Block{{Type: "image", Data: Data{FileType: "external", External: &URLRef{URL: url}, Caption: ParseInline(m[1])}}}
	}
	if m := elemRE.FindStringSubmatch(raw); m != nil {
		return []Block{element(m[1], attrs(m[2]), m[3])}
	}
	if m := selfTagRE.FindStringSubmatch(raw); m != nil {
		a := attrs(m[2])
		switch m[1] {
		case "table_of_contents":
			return []Block{{Type: "table_of_contents", Data: Data{Color: apiColor(a["color"])}}}
		case "breadcrumb":
			return []Block{{Type: "breadcrumb"}}
		case "link-to-page":
			return []Block{{Type: "link_to_page", Data: Data{PageID: IDFromURL(a["url"])}}}
		case "unsupported":
			return []Block{{Type: "unsupported", Data: Data{BlockType: a["type"]}}}
		}
	}
	if m := openTagRE.FindStringSubmatch(raw); m != nil {
		a := attrs(m[2])
		switch m[1] {
		case "callout":
			b := Block{Type: "callout", Data: Data{Color: apiColor(a["color"]), RichText: []RichText{}}}
			if ic := a["icon"]; ic != "" {
				b.Data.Icon = &Icon{Type: "emoji", Emoji: ic}
				if strings.Contains(ic, "://") {
					b.Data.Icon = &Icon{Type: "external", External: &URLRef{URL: ic}}
				}
			}
			kids := p.children(depth, "</callout>")
			if len(kids) > 0 && kids[0].Type == "paragraph" && kids[0].Data.Color == "" {
				b.Data.RichText = kids[0].Data.RichText
				kids = append(kids[0].Children, kids[1:]...)
			}
			b.Children = kids
			return []Block{b}
		case "table":
			return []Block{p.table(depth, a)}
		case "columns":
			return []Block{{Type: "column_list", Children: p.children(depth, "</columns>")}}
		case "column":
			return []Block{{Type: "column", Children: p.children(depth, "</column>")}}
		case "synced_block":
			return []Block{{Type: "synced_block", Children: p.children(depth, "</synced_block>")}}
		}
	}
	if strings.HasPrefix(raw, "|") {
		p.i--
		return []Block{p.pipeTable(depth)}
	}
	return withKids(textBlock("paragraph", text, at["color"]))
}

func element(kind string, a map[string]string, inner string) Block {
	switch kind {
	case "page", "database":
		return Block{ID: IDFromURL(a["url"]), Type: "child_" + kind, Data: Data{Title: unescape(inner)}}
	case "embed", "bookmark":
		url := a["url"]
		if url == "" {
			url = a["src"]
		}
		return Block{Type: kind, Data: Data{URL: url, Caption: ParseInline(inner)}}
	}
	src := a["src"]
	if src == "" {
		src = a["url"]
	}
	return Block{Type: kind, Data: Data{FileType: "external", External: &URLRef{URL: src}, Caption: ParseInline(inner)}}
}

// code reads a fenced code block whose opening fence was at depth.
func (p *blockParser) code(depth int, indent, lang string) Block {
	var body []string
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		p.i++
		if strings.TrimSpace(l.text) == "```" && l.depth <= depth {
			break
		}
		body = append(body, dedent(l.raw, indent))
	}
	if lang == "" {
		lang = "plain text"
	}
	return Block{Type: "code", Data: Data{Language: lang, RichText: SplitLong([]RichText{{Type: "text", Text: &Text{Content: strings.Join(body, "\n")}}})}}
}

func (p *blockParser) equation(indent, first string) Block {
	if first != "$$" {
		return Block{Type: "equation", Data: Data{Expression: strings.TrimSpace(first[2 : len(first)-2])}}
	}
	var body []string
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		p.i++
		if strings.TrimSpace(l.text) == "$$" {
			break
		}
		body = append(body, dedent(l.raw, indent))
	}
	return Block{Type: "equation", Data: Data{Expression: strings.Join(body, "\n")}}
}

// table reads <tr> lines up to </table>.
func (p *blockParser) table(depth int, a map[string]string) Block {
	t := Block{Type: "table", Data: Data{HasColumnHeader: a["header-row"] == "true", HasRowHeader: a["header-column"] == "true"}}
	for p.skipBlank() {
		s := strings.TrimSpace(p.lines[p.i].text)
		p.i++
		if s == "</table>" {
			break
		}
		if !strings.HasPrefix(s, "<tr") {
			continue
		}
		t.Children = append(t.Children, Block{Type: "table_row", Data: Data{Cells: cells(s)}})
	}
	return finishTable(t)
}

func finishTable(t Block) Block {
	for _, r := range t.Children {
		if len(r.Data.Cells) > t.Data.TableWidth {
			t.Data.TableWidth = len(r.Data.Cells)
		}
	}
	for i := range t.Children {
		for len(t.Children[i].Data.Cells) < t.Data.TableWidth {
			t.Children[i].Data.Cells = append(t.Children[i].Data.Cells, []RichText{})
		}
	}
	return t
}

var tdOpen = regexp.MustCompile(`^<td(?:\s+[a-zA-Z-]+="[^"]*")*\s*>`)

// cells splits "<tr><td>a</td><td>b</td></tr>" into parsed cells.
func cells(s string) [][]RichText {
	if i := strings.IndexByte(s, '>'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSuffix(s, "</tr>")
	var out [][]RichText
	for {
		m := tdOpen.FindString(s)
		if m == "" {
			return out
		}
		s = s[len(m):]
		end := findClose(s, "</td>")
		if end < 0 {
			out = append(out, ParseInline(s))
			return out
		}
		c := ParseInline(s[:end])
		if c == nil {
			c = []RichText{}
		}
		out = append(out, c)
		s = s[end+len("</td>"):]
	}
}

// findClose finds the first unescaped occurrence of tag in s.
func findClose(s, tag string) int {
	for j := 0; j < len(s); j++ {
		if s[j] == '\\' {
			j++
			continue
		}
		if strings.HasPrefix(s[j:], tag) {
			return j
		}
	}
	return -1
}

var sepRowRE = regexp.MustCompile(`^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$`)

// pipeTable reads a GitHub-style pipe table, which agents often write.
func (p *blockParser) pipeTable(depth int) Block {
	t := Block{Type: "table"}
	for p.i < len(p.lines) && p.lines[p.i].depth == depth && strings.HasPrefix(strings.TrimSpace(p.lines[p.i].text), "|") {
		s := strings.TrimSpace(p.lines[p.i].text)
		p.i++
		if sepRowRE.MatchString(s) {
			if len(t.Children) == 1 {
				t.Data.HasColumnHeader = true
			}
			continue
		}
		s = strings.TrimPrefix(s, "|")
		if strings.HasSuffix(s, "|") && !strings.HasSuffix(s, `\|`) {
			s = s[:len(s)-1]
		}
		var row [][]RichText
		start := 0
		for j := 0; j <= len(s); j++ {
			if j < len(s) && s[j] == '\\' {
				j++
				continue
			}
			if j == len(s) || s[j] == '|' {
				c := ParseInline(strings.TrimSpace(s[start:j]))
				if c == nil {
					c = []RichText{}
				}
				row = append(row, c)
				start = j + 1
			}
		}
		t.Children = append(t.Children, Block{Type: "table_row", Data: Data{Cells: row}})
	}
	return finishTable(t)
}
