package markdown

import (
	"regexp"
	"strconv"
	"strings"
)

// Render renders a block tree as NFM, one block per line (code, equations and tags span
// several), children indented one tab deeper than their parent. Blocks whose children were
// not fetched (HasChildren set, Children nil) render without them.
func Render(blocks []Block) string {
	var b strings.Builder
	renderBlocks(&b, blocks, 0)
	return b.String()
}

var (
	listMarker = regexp.MustCompile(`^(#|-|\+|\d+\.(\s|$))`)
	starMarker = regexp.MustCompile(`^\*+( |$)`)
)

// lineStart escapes the start of inline text that would otherwise read as a block marker
// or as indentation.
func lineStart(s string) string {
	if s != "" && (s[0] == ' ' || s[0] == '\t') {
		return `\` + s
	}
	if starMarker.MatchString(s) {
		// Styled text that starts with a space ("* x*") would read as a "*" bullet; an empty
		// span in front keeps it a paragraph.
		return "<span></span>" + s
	}
	if m := listMarker.FindString(s); m != "" {
		if m[0] >= '0' && m[0] <= '9' {
			i := strings.IndexByte(s, '.')
			return s[:i] + `\` + s[i:]
		}
		return `\` + s
	}
	return s
}

func colorAttr(c string) string {
	if c = nfmColor(c); c != "" {
		return ` {color="` + attr(c) + `"}`
	}
	return ""
}

func colorTagAttr(c string) string {
	if c = nfmColor(c); c != "" {
		return ` color="` + attr(c) + `"`
	}
	return ""
}

func renderBlocks(b *strings.Builder, blocks []Block, depth int) {
	ind := strings.Repeat("\t", depth)
	num := 0
	for _, bl := range blocks {
		if bl.Type == "numbered_list_item" {
			num++
		} else {
			num = 0
		}
		d := bl.Data
		text := RenderInline(d.RichText)
		line := func(s string) { b.WriteString(ind + s + "\n") }
		kids := func() { renderBlocks(b, bl.Children, depth+1) }
		switch bl.Type {
		case "paragraph":
			if text == "" {
				line("<empty-block/>" + colorAttr(d.Color))
			} else {
				line(lineStart(text) + colorAttr(d.Color))
			}
			kids()
		case "heading_1", "heading_2", "heading_3", "heading_4":
			n, _ := strconv.Atoi(bl.Type[len(bl.Type)-1:])
			s := strings.Repeat("#", n) + " " + text
			if d.IsToggleable {
				s += ` {toggle="true"}`
			}
			line(s + colorAttr(d.Color))
			kids()
		case "bulleted_list_item":
			line("- " + text + colorAttr(d.Color))
			kids()
		case "numbered_list_item":
			line(strconv.Itoa(num) + ". " + text + colorAttr(d.Color))
			kids()
		case "to_do":
			box := "[ ]"
			if d.Checked {
				box = "[x]"
			}
			line("- " + box + " " + text + colorAttr(d.Color))
			kids()
		case "quote":
			line("> " + text + colorAttr(d.Color))
			kids()
		case "toggle":
			line("<details" + colorTagAttr(d.Color) + "><summary>" + text + "</summary>")
			kids()
			line("</details>")
		case "callout":
			s := "<callout"
			if ic := d.Icon.String(); ic != "" {
				s += ` icon="` + attr(ic) + `"`
			}
			line(s + colorTagAttr(d.Color) + ">")
			if text == "" {
				text = "<empty-block/>"
			}
			b.WriteString(ind + "\t" + lineStart(text) + "\n")
			kids()
			line("</callout>")
		case "code":
			lang := d.Language
			if lang == "plain text" {
				lang = ""
			}
			line("```" + lang)
			for _, l := range strings.Split(Plain(d.RichText), "\n") {
				line(l)
			}
			line("```")
		case "equation":
			line("$$")
			for _, l := range strings.Split(d.Expression, "\n") {
				line(l)
			}
			line("$$")
		case "divider":
			line("---")
		case "table":
			s := "<table"
			if d.HasColumnHeader {
				s += ` header-row="true"`
			}
			if d.HasRowHeader {
				s += ` header-column="true"`
			}
			line(s + ">")
			for _, row := range bl.Children {
				r := "\t<tr>"
				for _, cell := range row.Data.Cells {
					r += "<td>" + RenderInline(cell) + "</td>"
				}
				line(r + "</tr>")
			}
			line("</table>")
		case "image":
			line("![" + RenderInline(d.Caption) + "](" + strings.NewReplacer(")", "%29", " ", "%20").Replace(fileURL(d)) + ")")
		case "video", "audio", "file", "pdf":
			line("<" + bl.Type + ` src="` + attr(fileURL(d)) + `">` + RenderInline(d.Caption) + "</" + bl.Type + ">")
		case "embed":
			line(`<embed src="` + attr(d.URL) + `">` + RenderInline(d.Caption) + "</embed>")
		case "bookmark", "link_preview":
			line(`<bookmark url="` + attr(d.URL) + `">` + RenderInline(d.Caption) + "</bookmark>")
		case "child_page":
			line(`<page url="` + PageURL(bl.ID) + `">` + escape(d.Title, specials) + "</page>")
		case "child_database":
			line(`<database url="` + PageURL(bl.ID) + `">` + escape(d.Title, specials) + "</database>")
		case "link_to_page":
			id := d.PageID
			if id == "" {
				id = d.DatabaseID
			}
			line(`<link-to-page url="` + PageURL(id) + `"/>`)
		case "table_of_contents":
			line("<table_of_contents" + colorTagAttr(d.Color) + "/>")
		case "breadcrumb":
			line("<breadcrumb/>")
		case "column_list":
			line("<columns>")
			kids()
			line("</columns>")
		case "column":
			line("<column>")
			kids()
			line("</column>")
		case "synced_block":
			line("<synced_block>")
			kids()
			line("</synced_block>")
		default:
			t := bl.Type
			if bl.Type == "unsupported" && d.BlockType != "" {
				t = d.BlockType
			}
			line(`<unsupported type="` + attr(t) + `"/>`)
		}
	}
}

func fileURL(d Data) string {
	switch {
	case d.External != nil:
		return d.External.URL
	case d.File != nil:
		return d.File.URL
	}
	return d.URL
}
