package notion

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/patchbay-mcp/patchbay/connectors/notion/markdown"
)

// ParentIn says where new pages go: exactly one field is set.
type ParentIn struct {
	PageID       string `json:"page_id,omitempty" jsonschema:"create sub-pages of this page"`
	DatabaseID   string `json:"database_id,omitempty" jsonschema:"create rows in this database (its only data source)"`
	DataSourceID string `json:"data_source_id,omitempty" jsonschema:"create rows in this data source"`
}

// NewPage is one page to create.
type NewPage struct {
	Title      string         `json:"title,omitempty" jsonschema:"the page title (inline Markdown)"`
	Properties map[string]any `json:"properties,omitempty" jsonschema:"database rows only: {\"Status\":\"Done\",\"Tags\":[\"a\",\"b\"],\"Due\":\"2025-07-01\",\"Estimate\":3,\"Done\":true}"`
	Content    string         `json:"content,omitempty" jsonschema:"page body in Notion-flavored Markdown"`
	Icon       string         `json:"icon,omitempty" jsonschema:"an emoji or an image URL"`
}

// CreatePagesIn is the input of notion-create-pages.
type CreatePagesIn struct {
	Parent ParentIn  `json:"parent"`
	Pages  []NewPage `json:"pages" jsonschema:"1 to 100 pages"`
}

func iconValue(s string) any {
	switch {
	case s == "none" || s == "":
		return nil
	case strings.Contains(s, "://"):
		return map[string]any{"type": "external", "external": map[string]any{"url": s}}
	}
	return map[string]any{"type": "emoji", "emoji": s}
}

// errInput is a mistake in the tool's arguments; the message says how to fix it.
type errInput string

func (e errInput) Error() string { return string(e) }

// target resolves a parent to the API's parent object and, for data sources, the schema.
func (s *service) target(ctx context.Context, p ParentIn) (map[string]any, *DataSource, error) {
	set := 0
	for _, v := range []string{p.PageID, p.DatabaseID, p.DataSourceID} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		return nil, nil, errInput(`parent needs exactly one of page_id, database_id, data_source_id, e.g. {"page_id":"1a2b3c4d-..."}`)
	}
	if p.PageID != "" {
		id := markdown.IDFromURL(p.PageID)
		if id == "" {
			return nil, nil, errInput(fmt.Sprintf("parent.page_id %q is not a page id or URL", p.PageID))
		}
		return map[string]any{"page_id": id}, nil, nil
	}
	dsID := markdown.IDFromURL(p.DataSourceID)
	if p.DatabaseID != "" {
		id := markdown.IDFromURL(p.DatabaseID)
		if id == "" {
			return nil, nil, errInput(fmt.Sprintf("parent.database_id %q is not a database id or URL", p.DatabaseID))
		}
		db, err := s.c.Database(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		switch len(db.DataSources) {
		case 0:
			return nil, nil, errInput("this database has no data source to add rows to")
		case 1:
			dsID = db.DataSources[0].ID
		default:
			var names []string
			for _, d := range db.DataSources {
				names = append(names, d.Name+" ("+d.ID+")")
			}
			return nil, nil, errInput("this database has several data sources; pass parent.data_source_id, one of: " + strings.Join(names, ", "))
		}
	}
	if dsID == "" {
		return nil, nil, errInput(fmt.Sprintf("parent.data_source_id %q is not a data source id", p.DataSourceID))
	}
	ds, err := s.c.DataSource(ctx, dsID)
	if err != nil {
		return nil, nil, err
	}
	return map[string]any{"data_source_id": ds.ID}, ds, nil
}

// pageProps builds the properties of a new or updated page.
func pageProps(title string, props map[string]any, ds *DataSource) (map[string]any, error) {
	var schema map[string]PropSchema
	if ds != nil {
		schema = ds.Properties
	}
	out, err := convertProps(props, schema)
	if err != nil {
		return nil, errInput(err.Error())
	}
	if title != "" {
		name := "title"
		for n, p := range schema {
			if p.Type == "title" {
				name = n
			}
		}
		out[name] = titleValue(title)
	}
	return out, nil
}

func (s *service) inputOr(ctx context.Context, err error, op string) *mcp.CallToolResult {
	var in errInput
	if errors.As(err, &in) {
		return errResult(string(in))
	}
	return s.fail(ctx, err, op)
}

func (s *service) createPages(ctx context.Context, _ *mcp.CallToolRequest, in CreatePagesIn) (*mcp.CallToolResult, any, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if len(in.Pages) == 0 || len(in.Pages) > 100 {
		return errResult("pages must hold 1 to 100 pages"), nil, nil
	}
	parent, ds, err := s.target(ctx, in.Parent)
	if err != nil {
		return s.inputOr(ctx, err, "insert"), nil, nil
	}
	var b strings.Builder
	var made []map[string]string
	for i, np := range in.Pages {
		p, err := s.createPage(ctx, parent, ds, np)
		if err != nil {
			msg := s.inputOr(ctx, err, "insert")
			if i > 0 {
				msg.Content = append([]mcp.Content{&mcp.TextContent{Text: fmt.Sprintf("Created %d of %d pages before this error:\n%s", i, len(in.Pages), b.String())}}, msg.Content...)
			}
			return msg, nil, nil
		}
		fmt.Fprintf(&b, "- %s · %s · %s\n", oneLine(p.TitleText()), p.ID, p.URL)
		made = append(made, map[string]string{"id": p.ID, "url": p.URL, "title": p.TitleText()})
	}
	return textResult(fmt.Sprintf("Created %d page(s):\n%s", len(made), b.String()), map[string]any{"pages": made}), nil, nil
}

func (s *service) createPage(ctx context.Context, parent map[string]any, ds *DataSource, np NewPage) (*Page, error) {
	props, err := pageProps(np.Title, np.Properties, ds)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"parent": parent, "properties": props}
	if ic := iconValue(np.Icon); ic != nil {
		body["icon"] = ic
	}
	blocks := prepare(markdown.Parse(np.Content))
	orig, sent := chunk(blocks)
	if len(sent) > 0 {
		body["children"] = sent
	}
	p, err := s.c.CreatePage(ctx, body)
	if err != nil {
		return nil, err
	}
	w := writer{s.c}
	needFill := false
	for i := range orig {
		needFill = needFill || deferred(orig[i], sent[i])
	}
	if needFill {
		kids, err := w.listAll(ctx, p.ID)
		if err != nil {
			return p, err
		}
		if len(kids) < len(sent) {
			return p, fmt.Errorf("page %s was created with %d of %d blocks", p.ID, len(kids), len(sent))
		}
		if err := w.fill(ctx, kids[:len(sent)], orig, sent); err != nil {
			return p, err
		}
	}
	if rest := blocks[len(orig):]; len(rest) > 0 {
		if _, err := w.appendBlocks(ctx, p.ID, rest, ""); err != nil {
			return p, err
		}
	}
	return p, nil
}

// UpdatePageIn is the input of notion-update-page.
type UpdatePageIn struct {
	PageID     string         `json:"page_id" jsonschema:"page id or notion.so URL"`
	Title      string         `json:"title,omitempty" jsonschema:"new title (inline Markdown)"`
	Properties map[string]any `json:"properties,omitempty" jsonschema:"database rows: values to change, e.g. {\"Status\":\"Done\",\"Due\":null}"`
	Icon       string         `json:"icon,omitempty" jsonschema:"an emoji, an image URL, or none to remove"`
	InTrash    *bool          `json:"in_trash,omitempty" jsonschema:"true moves the page to the trash, false restores it"`
}

func (s *service) updatePage(ctx context.Context, _ *mcp.CallToolRequest, in UpdatePageIn) (*mcp.CallToolResult, any, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	id := markdown.IDFromURL(in.PageID)
	if id == "" {
		return errResult(fmt.Sprintf("%q is not a page id or URL", in.PageID)), nil, nil
	}
	body := map[string]any{}
	if in.Title != "" || len(in.Properties) > 0 {
		p, err := s.c.Page(ctx, id)
		if err != nil {
			return s.fail(ctx, err, "write"), nil, nil
		}
		var ds *DataSource
		if p.Parent.Type == "data_source_id" {
			if ds, err = s.c.DataSource(ctx, p.Parent.DataSourceID); err != nil {
				return s.fail(ctx, err, "write"), nil, nil
			}
		}
		props, err := pageProps(in.Title, in.Properties, ds)
		if err != nil {
			return s.inputOr(ctx, err, "write"), nil, nil
		}
		body["properties"] = props
	}
	if in.Icon != "" {
		body["icon"] = iconValue(in.Icon)
	}
	if in.InTrash != nil {
		body["in_trash"] = *in.InTrash
	}
	if len(body) == 0 {
		return errResult("nothing to change: give title, properties, icon or in_trash (to change the body, use notion-append-content)"), nil, nil
	}
	p, err := s.c.UpdatePage(ctx, id, body)
	if err != nil {
		return s.fail(ctx, err, "write"), nil, nil
	}
	return textResult("Updated.\n"+pageHeader(p), nil), nil, nil
}

// AppendIn is the input of notion-append-content.
type AppendIn struct {
	PageID  string `json:"page_id" jsonschema:"page (or block) id or notion.so URL to append to"`
	Content string `json:"content" jsonschema:"Notion-flavored Markdown, e.g. \"- [ ] one\\n- [ ] two\""`
	After   string `json:"after,omitempty" jsonschema:"insert after this child block id instead of at the end"`
}

func (s *service) appendContent(ctx context.Context, _ *mcp.CallToolRequest, in AppendIn) (*mcp.CallToolResult, any, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	id := markdown.IDFromURL(in.PageID)
	if id == "" {
		return errResult(fmt.Sprintf("%q is not a page or block id", in.PageID)), nil, nil
	}
	after := ""
	if in.After != "" {
		if after = markdown.IDFromURL(in.After); after == "" {
			return errResult(fmt.Sprintf("after %q is not a block id", in.After)), nil, nil
		}
	}
	blocks := prepare(markdown.Parse(in.Content))
	if len(blocks) == 0 {
		return errResult("content is empty: give Notion-flavored Markdown, e.g. \"- [ ] task\""), nil, nil
	}
	created, err := writer{s.c}.appendBlocks(ctx, id, blocks, after)
	if err != nil {
		res := s.fail(ctx, err, "insert")
		if len(created) > 0 {
			res.Content = append(res.Content, &mcp.TextContent{Text: fmt.Sprintf("%d of %d top-level blocks were appended before the error.", len(created), len(blocks))})
		}
		return res, nil, nil
	}
	var ids []string
	for _, b := range created {
		ids = append(ids, b.ID)
	}
	text := fmt.Sprintf("Appended %d block(s) to %s.", len(created), id)
	if len(ids) <= 20 {
		text += " Block ids: " + strings.Join(ids, ", ")
	}
	return textResult(text+"\n", map[string]any{"block_ids": ids}), nil, nil
}

// CommentIn is the input of notion-create-comment.
type CommentIn struct {
	PageID       string `json:"page_id,omitempty" jsonschema:"start a discussion on this page"`
	DiscussionID string `json:"discussion_id,omitempty" jsonschema:"reply in this discussion (from notion-get-comments)"`
	Content      string `json:"content" jsonschema:"inline Markdown: **bold**, *italic*, [link](https://...), <mention-user url=\"user://ID\"/>"`
}

func (s *service) createComment(ctx context.Context, _ *mcp.CallToolRequest, in CommentIn) (*mcp.CallToolResult, any, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if (in.PageID == "") == (in.DiscussionID == "") {
		return errResult("give exactly one of page_id (new discussion) or discussion_id (reply)"), nil, nil
	}
	rt := markdown.ParseInline(strings.TrimSpace(in.Content))
	if len(rt) == 0 {
		return errResult("content is empty"), nil, nil
	}
	body := map[string]any{"rich_text": rt}
	if in.PageID != "" {
		id := markdown.IDFromURL(in.PageID)
		if id == "" {
			return errResult(fmt.Sprintf("%q is not a page id or URL", in.PageID)), nil, nil
		}
		body["parent"] = map[string]any{"page_id": id}
	} else {
		body["discussion_id"] = markdown.IDFromURL(in.DiscussionID)
		if body["discussion_id"] == "" {
			body["discussion_id"] = in.DiscussionID
		}
	}
	c, err := s.c.CreateComment(ctx, body)
	if err != nil {
		return s.fail(ctx, err, "comment"), nil, nil
	}
	return textResult(fmt.Sprintf("Comment %s added (discussion %s).\n", c.ID, c.DiscussionID), nil), nil, nil
}
