package notion

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/patchbay-mcp/patchbay/connectors/notion/markdown"
)

// SearchIn is the input of notion-search.
type SearchIn struct {
	Query       string `json:"query,omitempty" jsonschema:"words in the title; empty lists recently edited items"`
	Type        string `json:"type,omitempty" jsonschema:"page or data_source; omit for both"`
	PageSize    int    `json:"page_size,omitempty" jsonschema:"1-100, default 20"`
	StartCursor string `json:"start_cursor,omitempty" jsonschema:"next_cursor of a previous call"`
}

// Hit is one search result in structured output.
type Hit struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Title  string `json:"title"`
	URL    string `json:"url"`
	Parent string `json:"parent"`
	Edited string `json:"last_edited_time"`
}

func (s *service) search(ctx context.Context, _ *mcp.CallToolRequest, in SearchIn) (*mcp.CallToolResult, any, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	body := map[string]any{"query": in.Query, "page_size": 20}
	if in.PageSize > 0 {
		body["page_size"] = min(in.PageSize, 100)
	}
	if in.StartCursor != "" {
		body["start_cursor"] = in.StartCursor
	}
	switch in.Type {
	case "":
	case "page", "data_source":
		body["filter"] = map[string]any{"property": "object", "value": in.Type}
	case "database":
		body["filter"] = map[string]any{"property": "object", "value": "data_source"}
	default:
		return errResult(`type must be "page" or "data_source"`), nil, nil
	}
	l, err := s.c.Search(ctx, body)
	if err != nil {
		return s.fail(ctx, err, "read"), nil, nil
	}
	var b strings.Builder
	hits := []Hit{}
	for i := range l.Results {
		p := &l.Results[i]
		b.WriteString(searchLine(p))
		hits = append(hits, Hit{ID: p.ID, Type: p.Object, Title: p.TitleText(), URL: p.URL, Parent: p.Parent.String(), Edited: p.LastEditedTime})
	}
	if len(hits) == 0 {
		b.WriteString("No pages or data sources match. Only pages shared with the integration are searchable (in Notion: page → ••• → Connections).\n")
	}
	if l.HasMore {
		fmt.Fprintf(&b, "More results: call again with start_cursor=%q\n", l.NextCursor)
	}
	return textResult(b.String(), map[string]any{"results": hits, "next_cursor": l.NextCursor}), nil, nil
}

// FetchIn is the input of notion-fetch.
type FetchIn struct {
	ID string `json:"id" jsonschema:"page, database, data source or block: a UUID (with or without dashes), a notion.so URL, or collection://<data source id>"`
}

// notFoundOrWrongKind reports whether a probe for one kind of object should go on to the next.
func notFoundOrWrongKind(err error) bool {
	return IsCode(err, "object_not_found") || IsCode(err, "validation_error") || IsCode(err, "invalid_request_url")
}

func (s *service) fetch(ctx context.Context, _ *mcp.CallToolRequest, in FetchIn) (*mcp.CallToolResult, any, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	raw := strings.TrimSpace(in.ID)
	id := markdown.IDFromURL(raw)
	if id == "" {
		return errResult(fmt.Sprintf("%q is not a Notion id or URL. Pass a UUID like 1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d or a notion.so URL; use notion-search to find one.", raw)), nil, nil
	}
	if strings.HasPrefix(raw, "collection://") {
		res, err := s.fetchDataSource(ctx, id)
		if err != nil {
			return s.fail(ctx, err, "read"), nil, nil
		}
		return res, nil, nil
	}
	p, err := s.c.Page(ctx, id)
	if err == nil {
		return s.fetchPage(ctx, p)
	}
	first := err
	if !notFoundOrWrongKind(err) {
		return s.fail(ctx, err, "read"), nil, nil
	}
	if db, err := s.c.Database(ctx, id); err == nil {
		return s.fetchDatabase(ctx, db)
	} else if !notFoundOrWrongKind(err) {
		return s.fail(ctx, err, "read"), nil, nil
	}
	if res, err := s.fetchDataSource(ctx, id); err == nil {
		return res, nil, nil
	} else if !notFoundOrWrongKind(err) {
		return s.fail(ctx, err, "read"), nil, nil
	}
	if b, err := s.c.Block(ctx, id); err == nil {
		return s.fetchBlock(ctx, b)
	}
	return s.fail(ctx, first, "read"), nil, nil
}

func (s *service) tree(ctx context.Context, id string) (string, error) {
	f := newTreeFetcher(s.c, s.cfg.Concurrency)
	blocks, err := f.children(ctx, id)
	if err != nil {
		return "", err
	}
	md := markdown.Render(blocks)
	if f.unreadable > 0 {
		md += fmt.Sprintf("\n<!-- the content of %d nested block(s) could not be read: they come from pages not shared with the integration -->\n", f.unreadable)
	}
	if f.truncated {
		md += fmt.Sprintf("\n<!-- truncated: this page has more than %d blocks; fetch a sub-page or a block id for the rest -->\n", maxFetchBlocks)
	}
	return md, nil
}

func (s *service) fetchPage(ctx context.Context, p *Page) (*mcp.CallToolResult, any, error) {
	md, err := s.tree(ctx, p.ID)
	if err != nil {
		return s.fail(ctx, err, "read"), nil, nil
	}
	return textResult(pageHeader(p)+md, nil), nil, nil
}

func (s *service) fetchBlock(ctx context.Context, b *markdown.Block) (*mcp.CallToolResult, any, error) {
	if b.HasChildren {
		f := newTreeFetcher(s.c, s.cfg.Concurrency)
		kids, err := f.children(ctx, b.ID)
		if err != nil {
			return s.fail(ctx, err, "read"), nil, nil
		}
		b.Children = kids
	}
	return textResult(frontMatter("block", b.ID, "type", b.Type)+markdown.Render([]markdown.Block{*b}), nil), nil, nil
}

const previewRows = 25

func (s *service) fetchDatabase(ctx context.Context, db *Database) (*mcp.CallToolResult, any, error) {
	var b strings.Builder
	b.WriteString(frontMatter("database", markdown.Plain(db.Title), "id", db.ID, "url", db.URL, "parent", db.Parent.String(),
		"description", markdown.Plain(db.Description), "icon", db.Icon.String(), "edited", day(db.LastEditedTime)))
	for _, d := range db.DataSources {
		ds, err := s.c.DataSource(ctx, d.ID)
		if err != nil {
			return s.fail(ctx, err, "read"), nil, nil
		}
		if err := s.dataSourceBody(ctx, &b, ds); err != nil {
			return s.fail(ctx, err, "read"), nil, nil
		}
	}
	return textResult(b.String(), nil), nil, nil
}

// fetchDataSource renders a data source; it returns the API error for the caller to report.
func (s *service) fetchDataSource(ctx context.Context, id string) (*mcp.CallToolResult, error) {
	ds, err := s.c.DataSource(ctx, id)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString(frontMatter("data_source", markdown.Plain(ds.Title), "id", ds.ID, "url", ds.URL, "parent", ds.Parent.String(),
		"description", markdown.Plain(ds.Description)))
	if err := s.dataSourceBody(ctx, &b, ds); err != nil {
		return nil, err
	}
	return textResult(b.String(), nil), nil
}

// dataSourceBody writes a data source's schema and first rows.
func (s *service) dataSourceBody(ctx context.Context, b *strings.Builder, ds *DataSource) error {
	l, err := s.c.Query(ctx, ds.ID, map[string]any{"page_size": previewRows})
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "## Data source %q (collection://%s)\n### Schema\n%s### Rows\n", markdown.Plain(ds.Title), ds.ID, schemaLines(ds))
	b.WriteString(rowsTable(l.Results, ds.SchemaNames(), false))
	if l.HasMore {
		fmt.Fprintf(b, "More rows: notion-query-database with data_source_id=%q and start_cursor=%q (or a filter).\n", ds.ID, l.NextCursor)
	}
	return nil
}

// QueryIn is the input of notion-query-database.
type QueryIn struct {
	DataSourceID string `json:"data_source_id" jsonschema:"data source id or collection://<id>; a database id or URL also works (its first data source)"`
	Filter       any    `json:"filter,omitempty" jsonschema:"Notion filter object, e.g. {\"property\":\"Status\",\"status\":{\"equals\":\"Done\"}}; compound {\"and\":[...]}"`
	Sorts        any    `json:"sorts,omitempty" jsonschema:"e.g. [{\"property\":\"Due\",\"direction\":\"ascending\"}] or [{\"timestamp\":\"last_edited_time\",\"direction\":\"descending\"}]"`
	PageSize     int    `json:"page_size,omitempty" jsonschema:"1-100, default 50"`
	StartCursor  string `json:"start_cursor,omitempty"`
	Format       string `json:"format,omitempty" jsonschema:"table (default) or list"`
}

func (s *service) query(ctx context.Context, _ *mcp.CallToolRequest, in QueryIn) (*mcp.CallToolResult, any, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	id := markdown.IDFromURL(in.DataSourceID)
	if id == "" {
		return errResult(fmt.Sprintf("%q is not a data source id. Use notion-search with type=data_source, or notion-fetch on the database to list its data sources.", in.DataSourceID)), nil, nil
	}
	body := map[string]any{"page_size": 50}
	if in.PageSize > 0 {
		body["page_size"] = min(in.PageSize, 100)
	}
	if in.StartCursor != "" {
		body["start_cursor"] = in.StartCursor
	}
	if in.Filter != nil {
		f, ok := unstring(in.Filter).(map[string]any)
		if !ok {
			return errResult(`filter must be an object, e.g. {"property":"Status","status":{"equals":"Done"}}`), nil, nil
		}
		body["filter"] = f
	}
	if in.Sorts != nil {
		v := unstring(in.Sorts)
		if m, ok := v.(map[string]any); ok {
			v = []any{m}
		}
		if _, ok := v.([]any); !ok {
			return errResult(`sorts must be an array, e.g. [{"property":"Due","direction":"ascending"}]`), nil, nil
		}
		body["sorts"] = v
	}
	l, err := s.c.Query(ctx, id, body)
	if err != nil && notFoundOrWrongKind(err) {
		if db, dbErr := s.c.Database(ctx, id); dbErr == nil && len(db.DataSources) > 0 {
			id = db.DataSources[0].ID
			l, err = s.c.Query(ctx, id, body)
		}
	}
	if err != nil {
		return s.fail(ctx, err, "read"), nil, nil
	}
	var names []string
	if len(l.Results) > 0 {
		names = l.Results[0].PropNames()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows from data source %s\n", len(l.Results), id)
	b.WriteString(rowsTable(l.Results, names, in.Format == "list"))
	if l.HasMore {
		fmt.Fprintf(&b, "More rows: call again with start_cursor=%q\n", l.NextCursor)
	}
	rows := []map[string]string{}
	for i := range l.Results {
		r := map[string]string{"id": l.Results[i].ID, "url": l.Results[i].URL}
		for _, n := range names {
			r[n] = l.Results[i].Properties[n].Text()
		}
		rows = append(rows, r)
	}
	return textResult(b.String(), map[string]any{"data_source_id": id, "rows": rows, "next_cursor": l.NextCursor}), nil, nil
}

// PageRef names a page or block.
type PageRef struct {
	PageID string `json:"page_id" jsonschema:"page (or block) id or notion.so URL"`
}

func (s *service) getComments(ctx context.Context, _ *mcp.CallToolRequest, in PageRef) (*mcp.CallToolResult, any, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	id := markdown.IDFromURL(in.PageID)
	if id == "" {
		return errResult(fmt.Sprintf("%q is not a page id or URL", in.PageID)), nil, nil
	}
	var all []Comment
	cursor := ""
	for range 20 {
		l, err := s.c.Comments(ctx, id, cursor)
		if err != nil {
			return s.fail(ctx, err, "comments"), nil, nil
		}
		all = append(all, l.Results...)
		if !l.HasMore || l.NextCursor == "" {
			break
		}
		cursor = l.NextCursor
	}
	if len(all) == 0 {
		return textResult("No open comments on "+id+".\n", nil), nil, nil
	}
	s.learnUsers(ctx, all)
	var b strings.Builder
	for _, c := range all {
		name, _ := s.users.Load(c.CreatedBy.ID)
		n, _ := name.(string)
		b.WriteString(commentLine(c, n))
	}
	return textResult(b.String(), nil), nil, nil
}

// learnUsers fills the user-name cache when comments name unknown authors. Failing (no
// user-information capability) is fine: the ids are shown instead.
func (s *service) learnUsers(ctx context.Context, cs []Comment) {
	for _, c := range cs {
		if _, ok := s.users.Load(c.CreatedBy.ID); !ok {
			cursor := ""
			for range 10 {
				l, err := s.c.Users(ctx, cursor, 100)
				if err != nil {
					return
				}
				for _, u := range l.Results {
					s.users.Store(u.ID, u.Name)
				}
				if !l.HasMore {
					return
				}
				cursor = l.NextCursor
			}
			return
		}
	}
}

// UsersIn is the input of notion-get-users.
type UsersIn struct {
	Query       string `json:"query,omitempty" jsonschema:"part of a name or email"`
	UserID      string `json:"user_id,omitempty" jsonschema:"one user's id, or self for the integration's bot"`
	StartCursor string `json:"start_cursor,omitempty"`
}

func userLine(u *User) string {
	extra := ""
	if u.Person != nil && u.Person.Email != "" {
		extra = " · " + u.Person.Email
	}
	if u.Bot != nil && u.Bot.WorkspaceName != "" {
		extra = " · workspace " + u.Bot.WorkspaceName
	}
	return fmt.Sprintf("- %s · %s · %s%s\n", u.Name, u.Type, u.ID, extra)
}

func (s *service) getUsers(ctx context.Context, _ *mcp.CallToolRequest, in UsersIn) (*mcp.CallToolResult, any, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if in.UserID != "" {
		var u *User
		var err error
		if in.UserID == "self" || in.UserID == "me" {
			u, err = s.c.Me(ctx)
		} else {
			u, err = s.c.User(ctx, markdown.IDFromURL(in.UserID))
		}
		if err != nil {
			return s.fail(ctx, err, "users"), nil, nil
		}
		return textResult(userLine(u), u), nil, nil
	}
	q := strings.ToLower(strings.TrimSpace(in.Query))
	var b strings.Builder
	cursor, next := in.StartCursor, ""
	found := 0
	for range 10 {
		l, err := s.c.Users(ctx, cursor, 100)
		if err != nil {
			return s.fail(ctx, err, "users"), nil, nil
		}
		for i := range l.Results {
			u := &l.Results[i]
			s.users.Store(u.ID, u.Name)
			email := ""
			if u.Person != nil {
				email = u.Person.Email
			}
			if q == "" || strings.Contains(strings.ToLower(u.Name), q) || strings.Contains(strings.ToLower(email), q) {
				b.WriteString(userLine(u))
				found++
			}
		}
		next = ""
		if !l.HasMore || q == "" {
			if l.HasMore {
				next = l.NextCursor
			}
			break
		}
		cursor = l.NextCursor
	}
	if found == 0 {
		b.WriteString("No users match.\n")
	}
	if next != "" {
		fmt.Fprintf(&b, "More users: call again with start_cursor=%q\n", next)
	}
	return textResult(b.String(), nil), nil, nil
}

func (s *service) getSelf(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	u, err := s.c.Me(ctx)
	if err != nil {
		return s.fail(ctx, err, "read"), nil, nil
	}
	s.mu.Lock()
	s.bot = u.Name
	s.mu.Unlock()
	ws := ""
	if u.Bot != nil {
		ws = fmt.Sprintf(" in workspace “%s” (%s)", u.Bot.WorkspaceName, u.Bot.WorkspaceID)
	}
	return textResult(fmt.Sprintf("Integration “%s” (bot user %s)%s.\n", u.Name, u.ID, ws), u), nil, nil
}
