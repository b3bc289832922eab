package notion

import (
	"fmt"
	"strings"

	"github.com/patchbay-mcp/patchbay/connectors/notion/markdown"
)

// Formatting of tool outputs: compact Markdown an agent reads at a glance.

// frontMatter renders "key: value" lines between --- fences, skipping empty values.
func frontMatter(kv ...string) string {
	var b strings.Builder
	b.WriteString("---\n")
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		b.WriteString(kv[i] + ": " + oneLine(kv[i+1]) + "\n")
	}
	b.WriteString("---\n")
	return b.String()
}

func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", ""), "\n", " ")
}

// day shortens an RFC 3339 timestamp to its date and minute.
func day(ts string) string {
	if len(ts) >= 16 {
		return ts[:10] + " " + ts[11:16]
	}
	return ts
}

// pageHeader renders the properties header of a page.
func pageHeader(p *Page) string {
	kv := []string{"title", p.TitleText(), "id", p.ID, "url", p.URL, "parent", p.Parent.String(),
		"icon", p.Icon.String(), "edited", day(p.LastEditedTime)}
	if p.InTrash {
		kv = append(kv, "in_trash", "true")
	}
	for _, n := range p.PropNames() {
		v := p.Properties[n]
		if v.Type == "title" {
			continue
		}
		kv = append(kv, n, v.Text())
	}
	return frontMatter(kv...)
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(oneLine(s), "|", `\|`)
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return s
}

// rowsTable renders data source rows as a Markdown table (id first) or, with list set, as
// one line per row.
func rowsTable(rows []Page, names []string, asList bool) string {
	var b strings.Builder
	if asList {
		for _, r := range rows {
			var parts []string
			for _, n := range names {
				if v, ok := r.Properties[n]; ok && v.Type != "title" {
					if t := v.Text(); t != "" {
						parts = append(parts, n+": "+oneLine(t))
					}
				}
			}
			fmt.Fprintf(&b, "- %s (%s)", oneLine(r.TitleText()), r.ID)
			if len(parts) > 0 {
				b.WriteString(" · " + strings.Join(parts, " · "))
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	b.WriteString("| id")
	for _, n := range names {
		b.WriteString(" | " + cell(n))
	}
	b.WriteString(" |\n|---")
	for range names {
		b.WriteString("|---")
	}
	b.WriteString("|\n")
	for _, r := range rows {
		b.WriteString("| " + r.ID)
		for _, n := range names {
			b.WriteString(" | " + cell(r.Properties[n].Text()))
		}
		b.WriteString(" |\n")
	}
	return b.String()
}

// schemaLines renders a data source's schema, one property per line.
func schemaLines(ds *DataSource) string {
	var b strings.Builder
	for _, n := range ds.SchemaNames() {
		p := ds.Properties[n]
		fmt.Fprintf(&b, "- %s: %s", n, p.Type)
		if opts := p.Options(); len(opts) > 0 {
			b.WriteString(" (" + strings.Join(opts, ", ") + ")")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// searchLine renders one search hit.
func searchLine(p *Page) string {
	kind := "page"
	if p.Object == "data_source" {
		kind = "data source"
	}
	title := p.TitleText()
	if title == "" {
		title = "Untitled"
	}
	return fmt.Sprintf("- %s · %s · %s · parent %s · edited %s\n", oneLine(title), kind, p.ID, p.Parent.String(), day(p.LastEditedTime))
}

// commentLine renders one comment.
func commentLine(c Comment, name string) string {
	if name == "" {
		name = c.CreatedBy.ID
	}
	on := ""
	if c.Parent.Type == "block_id" {
		on = " on block " + c.Parent.BlockID
	}
	return fmt.Sprintf("- %s, %s (discussion %s%s): %s\n", name, day(c.CreatedTime), c.DiscussionID, on, oneLine(markdown.RenderInline(c.RichText)))
}
