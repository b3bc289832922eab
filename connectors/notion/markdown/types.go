// Package markdown converts between Notion blocks and Notion-flavored Markdown (NFM v1): the
// tab-indented dialect that Notion's own Markdown endpoints and hosted MCP server speak.
//
// Render turns a block tree into NFM; Parse turns NFM back into a block tree ready to send
// to the API (rich text already split at the API's 2,000-character limit). For every
// document that Render produces, Parse(Render(blocks)) gives the same blocks back, modulo
// what NFM cannot say (block ids, timestamps); the package tests check this property over
// generated documents.
//
// The types here model the subset of the Notion API's block and rich-text objects that the
// converter needs. They decode API responses (unknown fields are dropped) and encode API
// requests (only the fields that the block's type allows are sent).
package markdown

import (
	"encoding/json"
	"fmt"
)

// MaxTextLen is the longest text.content the API accepts in one rich-text item.
const MaxTextLen = 2000

// MaxEquationLen is the longest equation expression the API accepts.
const MaxEquationLen = 1000

// Annotations are the inline styles of a rich-text item. The zero value is plain text.
type Annotations struct {
	Bold          bool   `json:"bold"`
	Italic        bool   `json:"italic"`
	Strikethrough bool   `json:"strikethrough"`
	Underline     bool   `json:"underline"`
	Code          bool   `json:"code"`
	Color         string `json:"color,omitempty"` // "" and "default" mean no color
}

// color returns the annotation's color with "default" folded into "".
func (a Annotations) color() string {
	if a.Color == "default" {
		return ""
	}
	return a.Color
}

// plain reports whether a carries no style at all.
func (a Annotations) plain() bool {
	return a == Annotations{} || a == Annotations{Color: "default"}
}

// Link is the target of a text run.
type Link struct {
	URL string `json:"url"`
}

// Text is the payload of a rich-text item of type "text".
type Text struct {
	Content string `json:"content"`
	Link    *Link  `json:"link,omitempty"`
}

// Mention is the payload of a rich-text item of type "mention". Type is one of "user",
// "page", "database", "data_source", "date", "link_preview", "link_mention".
type Mention struct {
	Type        string       `json:"type"`
	User        *Ref         `json:"user,omitempty"`
	Page        *Ref         `json:"page,omitempty"`
	Database    *Ref         `json:"database,omitempty"`
	DataSource  *Ref         `json:"data_source,omitempty"`
	Date        *Date        `json:"date,omitempty"`
	LinkPreview *URLRef      `json:"link_preview,omitempty"`
	LinkMention *LinkMention `json:"link_mention,omitempty"`
}

// Ref names a Notion object by id.
type Ref struct {
	Object string `json:"object,omitempty"`
	ID     string `json:"id"`
}

// Date is a date or date range as Notion encodes it ("2025-01-31" or an RFC 3339 time).
type Date struct {
	Start    string  `json:"start"`
	End      *string `json:"end,omitempty"`
	TimeZone *string `json:"time_zone,omitempty"`
}

// URLRef is an object holding only a URL.
type URLRef struct {
	URL string `json:"url"`
}

// LinkMention is the payload of a link_mention.
type LinkMention struct {
	Href  string `json:"href"`
	Title string `json:"title,omitempty"`
}

// Equation is an inline or block equation.
type Equation struct {
	Expression string `json:"expression"`
}

// RichText is one item of a rich-text array.
type RichText struct {
	Type        string       `json:"type"` // "text", "mention" or "equation"
	Text        *Text        `json:"text,omitempty"`
	Mention     *Mention     `json:"mention,omitempty"`
	Equation    *Equation    `json:"equation,omitempty"`
	Annotations *Annotations `json:"annotations,omitempty"`
	PlainText   string       `json:"plain_text,omitempty"`
	Href        string       `json:"href,omitempty"`
}

// ann returns the item's annotations, or the zero value.
func (r RichText) ann() Annotations {
	if r.Annotations == nil {
		return Annotations{}
	}
	a := *r.Annotations
	if a.Color == "default" {
		a.Color = ""
	}
	return a
}

// Plain returns the text a person would read for rich text, without any markup.
func Plain(rt []RichText) string {
	var s string
	for _, r := range rt {
		switch {
		case r.PlainText != "":
			s += r.PlainText
		case r.Text != nil:
			s += r.Text.Content
		case r.Equation != nil:
			s += r.Equation.Expression
		}
	}
	return s
}

// Icon is a page, callout or database icon.
type Icon struct {
	Type     string  `json:"type"` // "emoji", "external", "file", "custom_emoji"
	Emoji    string  `json:"emoji,omitempty"`
	External *URLRef `json:"external,omitempty"`
	File     *URLRef `json:"file,omitempty"`
}

// String returns the emoji or the icon's URL.
func (i *Icon) String() string {
	switch {
	case i == nil:
		return ""
	case i.Emoji != "":
		return i.Emoji
	case i.External != nil:
		return i.External.URL
	case i.File != nil:
		return i.File.URL
	}
	return ""
}

// Data is the type-specific payload of a block: the object under the key named by the
// block's type. Only the fields that the type uses are set.
type Data struct {
	RichText        []RichText   `json:"rich_text,omitempty"`
	Color           string       `json:"color,omitempty"`
	Checked         bool         `json:"checked,omitempty"`
	IsToggleable    bool         `json:"is_toggleable,omitempty"`
	Language        string       `json:"language,omitempty"`
	Caption         []RichText   `json:"caption,omitempty"`
	Icon            *Icon        `json:"icon,omitempty"`
	Expression      string       `json:"expression,omitempty"`
	URL             string       `json:"url,omitempty"`
	FileType        string       `json:"-"` // "external" or "file", from the payload's "type"
	External        *URLRef      `json:"external,omitempty"`
	File            *URLRef      `json:"file,omitempty"`
	Name            string       `json:"name,omitempty"`
	TableWidth      int          `json:"table_width,omitempty"`
	HasColumnHeader bool         `json:"has_column_header,omitempty"`
	HasRowHeader    bool         `json:"has_row_header,omitempty"`
	Cells           [][]RichText `json:"cells,omitempty"`
	Title           string       `json:"title,omitempty"`
	PageID          string       `json:"page_id,omitempty"`     // link_to_page
	DatabaseID      string       `json:"database_id,omitempty"` // link_to_page
	BlockType       string       `json:"block_type,omitempty"`  // unsupported
}

// Block is one Notion block with, when known, its children. Children are filled in by the
// caller (the API returns them separately); on a request they nest inside the payload.
type Block struct {
	ID          string
	Type        string
	HasChildren bool
	Data        Data
	Children    []Block
}

// textTypes have rich_text and may have children.
var textTypes = map[string]bool{
	"paragraph": true, "bulleted_list_item": true, "numbered_list_item": true, "to_do": true,
	"toggle": true, "quote": true, "callout": true, "heading_1": true, "heading_2": true,
	"heading_3": true, "heading_4": true, "code": true, "template": true,
}

// mediaTypes hold a file or external URL and a caption.
var mediaTypes = map[string]bool{"image": true, "video": true, "audio": true, "file": true, "pdf": true}

// UnmarshalJSON decodes a block object from the API.
func (b *Block) UnmarshalJSON(p []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(p, &raw); err != nil {
		return err
	}
	var head struct {
		ID          string `json:"id"`
		Type        string `json:"type"`
		HasChildren bool   `json:"has_children"`
	}
	if err := json.Unmarshal(p, &head); err != nil {
		return err
	}
	*b = Block{ID: head.ID, Type: head.Type, HasChildren: head.HasChildren}
	payload, ok := raw[head.Type]
	if !ok || string(payload) == "null" {
		return nil
	}
	var d struct {
		Data
		Type     string            `json:"type"`
		Children []json.RawMessage `json:"children"`
	}
	if err := json.Unmarshal(payload, &d); err != nil {
		return fmt.Errorf("decoding %s block: %w", head.Type, err)
	}
	b.Data = d.Data
	b.Data.FileType = d.Type
	for _, c := range d.Children {
		var cb Block
		if err := json.Unmarshal(c, &cb); err != nil {
			return err
		}
		b.Children = append(b.Children, cb)
	}
	return nil
}

// MarshalJSON encodes the block as an API request object: {"type":T, T:{...payload,
// children}}. Only the fields that T uses are written, so the API does not reject it.
func (b Block) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"type": b.Type, b.Type: b.Payload(true)})
}

// Payload returns the type-specific object of the block as the API expects it, with the
// children nested inside when withChildren is set.
func (b Block) Payload(withChildren bool) map[string]any {
	d := b.Data
	m := map[string]any{}
	rt := func(k string, v []RichText) {
		if v == nil {
			v = []RichText{}
		}
		m[k] = v
	}
	color := func() {
		if d.Color != "" {
			m["color"] = d.Color
		}
	}
	switch {
	case b.Type == "code":
		rt("rich_text", d.RichText)
		lang := d.Language
		if lang == "" {
			lang = "plain text"
		}
		m["language"] = lang
		if len(d.Caption) > 0 {
			rt("caption", d.Caption)
		}
	case textTypes[b.Type]:
		rt("rich_text", d.RichText)
		color()
		switch b.Type {
		case "to_do":
			m["checked"] = d.Checked
		case "heading_1", "heading_2", "heading_3", "heading_4":
			m["is_toggleable"] = d.IsToggleable
		case "callout":
			if d.Icon != nil {
				m["icon"] = d.Icon
			}
		}
	case mediaTypes[b.Type]:
		ft := d.FileType
		if ft == "" {
			ft = "external"
		}
		m["type"] = ft
		if d.External != nil {
			m["external"] = d.External
		}
		if d.File != nil {
			m["file"] = d.File
		}
		if len(d.Caption) > 0 {
			rt("caption", d.Caption)
		}
		if d.Name != "" {
			m["name"] = d.Name
		}
	case b.Type == "bookmark" || b.Type == "embed" || b.Type == "link_preview":
		m["url"] = d.URL
		if len(d.Caption) > 0 && b.Type != "link_preview" {
			rt("caption", d.Caption)
		}
	case b.Type == "equation":
		m["expression"] = d.Expression
	case b.Type == "table":
		m["table_width"] = d.TableWidth
		m["has_column_header"] = d.HasColumnHeader
		m["has_row_header"] = d.HasRowHeader
	case b.Type == "table_row":
		cells := d.Cells
		if cells == nil {
			cells = [][]RichText{}
		}
		for i := range cells {
			if cells[i] == nil {
				cells[i] = []RichText{}
			}
		}
		m["cells"] = cells
	case b.Type == "child_page" || b.Type == "child_database":
		m["title"] = d.Title
	case b.Type == "link_to_page":
		if d.DatabaseID != "" {
			m["type"], m["database_id"] = "database_id", d.DatabaseID
		} else {
			m["type"], m["page_id"] = "page_id", d.PageID
		}
	case b.Type == "table_of_contents":
		color()
	case b.Type == "unsupported":
		m["block_type"] = d.BlockType
	}
	if withChildren && len(b.Children) > 0 {
		m["children"] = b.Children
	}
	return m
}
