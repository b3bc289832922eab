package notion

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/patchbay-mcp/patchbay/connectors/notion/markdown"
)

// The subset of Notion's objects the tools read. Unknown fields are dropped.

// User is a person or a bot.
type User struct {
	Object string `json:"object"`
	ID     string `json:"id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Person *struct {
		Email string `json:"email"`
	} `json:"person,omitempty"`
	Bot *struct {
		WorkspaceName string `json:"workspace_name"`
		WorkspaceID   string `json:"workspace_id"`
	} `json:"bot,omitempty"`
}

// Parent is where a page, database or block lives.
type Parent struct {
	Type         string `json:"type"`
	PageID       string `json:"page_id,omitempty"`
	BlockID      string `json:"block_id,omitempty"`
	DatabaseID   string `json:"database_id,omitempty"`
	DataSourceID string `json:"data_source_id,omitempty"`
	Workspace    bool   `json:"workspace,omitempty"`
}

func (p Parent) String() string {
	switch p.Type {
	case "workspace":
		return "workspace"
	case "page_id":
		return "page " + p.PageID
	case "block_id":
		return "block " + p.BlockID
	case "database_id":
		return "database " + p.DatabaseID
	case "data_source_id":
		return "data source " + p.DataSourceID
	}
	return p.Type
}

// Option is a select, status or multi-select option.
type Option struct {
	ID    string `json:"id,omitempty"`
	Name  string `json:"name"`
	Color string `json:"color,omitempty"`
}

// PropValue is a page property value.
type PropValue struct {
	ID             string                `json:"id"`
	Type           string                `json:"type"`
	Title          []markdown.RichText   `json:"title"`
	RichText       []markdown.RichText   `json:"rich_text"`
	Number         *float64              `json:"number"`
	Select         *Option               `json:"select"`
	Status         *Option               `json:"status"`
	MultiSelect    []Option              `json:"multi_select"`
	Date           *markdown.Date        `json:"date"`
	People         []User                `json:"people"`
	Relation       []struct{ ID string } `json:"relation"`
	Checkbox       bool                  `json:"checkbox"`
	URL            *string               `json:"url"`
	Email          *string               `json:"email"`
	PhoneNumber    *string               `json:"phone_number"`
	CreatedTime    string                `json:"created_time"`
	LastEditedTime string                `json:"last_edited_time"`
	CreatedBy      *User                 `json:"created_by"`
	LastEditedBy   *User                 `json:"last_edited_by"`
	Formula        map[string]any        `json:"formula"`
	Rollup         map[string]any        `json:"rollup"`
	UniqueID       *struct {
		Prefix *string `json:"prefix"`
		Number int     `json:"number"`
	} `json:"unique_id"`
	Files []struct {
		Name string `json:"name"`
	} `json:"files"`
}

// Text renders a property value as short plain text.
func (v PropValue) Text() string {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	switch v.Type {
	case "title":
		return markdown.Plain(v.Title)
	case "rich_text":
		return markdown.Plain(v.RichText)
	case "number":
		if v.Number == nil {
			return ""
		}
		return strconv.FormatFloat(*v.Number, 'f', -1, 64)
	case "select":
		if v.Select != nil {
			return v.Select.Name
		}
	case "status":
		if v.Status != nil {
			return v.Status.Name
		}
	case "multi_select":
		var n []string
		for _, o := range v.MultiSelect {
			n = append(n, o.Name)
		}
		return strings.Join(n, ", ")
	case "date":
		if v.Date == nil {
			return ""
		}
		if v.Date.End != nil && *v.Date.End != "" {
			return v.Date.Start + " → " + *v.Date.End
		}
		return v.Date.Start
	case "people":
		var n []string
		for _, u := range v.People {
			n = append(n, markdown.Dashed(u.ID)+nameSuffix(u.Name))
		}
		return strings.Join(n, ", ")
	case "relation":
		var n []string
		for _, r := range v.Relation {
			n = append(n, r.ID)
		}
		return strings.Join(n, ", ")
	case "checkbox":
		if v.Checkbox {
			return "yes"
		}
		return "no"
	case "url":
		return str(v.URL)
	case "email":
		return str(v.Email)
	case "phone_number":
		return str(v.PhoneNumber)
	case "created_time":
		return v.CreatedTime
	case "last_edited_time":
		return v.LastEditedTime
	case "created_by":
		if v.CreatedBy != nil {
			return v.CreatedBy.ID + nameSuffix(v.CreatedBy.Name)
		}
	case "last_edited_by":
		if v.LastEditedBy != nil {
			return v.LastEditedBy.ID + nameSuffix(v.LastEditedBy.Name)
		}
	case "unique_id":
		if v.UniqueID != nil {
			if v.UniqueID.Prefix != nil {
				return *v.UniqueID.Prefix + "-" + strconv.Itoa(v.UniqueID.Number)
			}
			return strconv.Itoa(v.UniqueID.Number)
		}
	case "formula":
		if t, ok := v.Formula["type"].(string); ok && v.Formula[t] != nil {
			return fmt.Sprint(v.Formula[t])
		}
	case "rollup":
		if t, ok := v.Rollup["type"].(string); ok && v.Rollup[t] != nil {
			b, _ := json.Marshal(v.Rollup[t])
			return string(b)
		}
	case "files":
		var n []string
		for _, f := range v.Files {
			n = append(n, f.Name)
		}
		return strings.Join(n, ", ")
	}
	return ""
}

func nameSuffix(name string) string {
	if name == "" {
		return ""
	}
	return " (" + name + ")"
}

// Page is a page or a data source row.
type Page struct {
	Object         string               `json:"object"`
	ID             string               `json:"id"`
	CreatedTime    string               `json:"created_time"`
	LastEditedTime string               `json:"last_edited_time"`
	Parent         Parent               `json:"parent"`
	Icon           *markdown.Icon       `json:"icon"`
	InTrash        bool                 `json:"in_trash"`
	Properties     map[string]PropValue `json:"properties"`
	URL            string               `json:"url"`
	// Title and Description are set on data sources (Object "data_source") from search.
	Title []markdown.RichText `json:"title"`
}

// UnmarshalJSON decodes a page, or a data source as search returns it (whose properties
// are a schema, not values, and are dropped).
func (p *Page) UnmarshalJSON(b []byte) error {
	type plain Page
	var head struct {
		Object string `json:"object"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	if head.Object == "data_source" || head.Object == "database" {
		var v struct {
			plain
			Properties json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*p = Page(v.plain)
		p.Properties = nil
		return nil
	}
	return json.Unmarshal(b, (*plain)(p))
}

// TitleText returns the page's title (its title property), or a data source's title.
func (p *Page) TitleText() string {
	if p.Object == "data_source" || p.Object == "database" {
		return markdown.Plain(p.Title)
	}
	for _, v := range p.Properties {
		if v.Type == "title" {
			return markdown.Plain(v.Title)
		}
	}
	return ""
}

// PropNames returns the page's property names, title first, then alphabetical.
func (p *Page) PropNames() []string {
	var names []string
	for n := range p.Properties {
		names = append(names, n)
	}
	sortProps(names, func(n string) bool { return p.Properties[n].Type == "title" })
	return names
}

func sortProps(names []string, isTitle func(string) bool) {
	sort.Slice(names, func(i, j int) bool {
		ti, tj := isTitle(names[i]), isTitle(names[j])
		if ti != tj {
			return ti
		}
		return names[i] < names[j]
	})
}

// Database is a database container; its schema lives in its data sources.
type Database struct {
	ID          string              `json:"id"`
	Title       []markdown.RichText `json:"title"`
	Description []markdown.RichText `json:"description"`
	Parent      Parent              `json:"parent"`
	IsInline    bool                `json:"is_inline"`
	InTrash     bool                `json:"in_trash"`
	DataSources []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"data_sources"`
	Icon           *markdown.Icon `json:"icon"`
	URL            string         `json:"url"`
	LastEditedTime string         `json:"last_edited_time"`
}

// PropSchema is one property of a data source's schema.
type PropSchema struct {
	ID          string                      `json:"id"`
	Name        string                      `json:"name"`
	Type        string                      `json:"type"`
	Select      *struct{ Options []Option } `json:"select"`
	Status      *struct{ Options []Option } `json:"status"`
	MultiSelect *struct{ Options []Option } `json:"multi_select"`
	Number      *struct {
		Format string `json:"format"`
	} `json:"number"`
	Relation *struct {
		DataSourceID string `json:"data_source_id"`
	} `json:"relation"`
}

// Options returns the option names of a select, status or multi-select property.
func (p PropSchema) Options() []string {
	var opts []Option
	switch {
	case p.Select != nil:
		opts = p.Select.Options
	case p.Status != nil:
		opts = p.Status.Options
	case p.MultiSelect != nil:
		opts = p.MultiSelect.Options
	}
	var n []string
	for _, o := range opts {
		n = append(n, o.Name)
	}
	return n
}

// DataSource is a table of rows with a schema.
type DataSource struct {
	ID          string                `json:"id"`
	Title       []markdown.RichText   `json:"title"`
	Description []markdown.RichText   `json:"description"`
	Parent      Parent                `json:"parent"`
	Properties  map[string]PropSchema `json:"properties"`
	URL         string                `json:"url"`
}

// SchemaNames returns the property names, title first, then alphabetical.
func (d *DataSource) SchemaNames() []string {
	var names []string
	for n := range d.Properties {
		names = append(names, n)
	}
	sortProps(names, func(n string) bool { return d.Properties[n].Type == "title" })
	return names
}

// Comment is a comment on a page or block.
type Comment struct {
	ID           string              `json:"id"`
	DiscussionID string              `json:"discussion_id"`
	Parent       Parent              `json:"parent"`
	CreatedTime  string              `json:"created_time"`
	CreatedBy    User                `json:"created_by"`
	RichText     []markdown.RichText `json:"rich_text"`
}

// list is a paginated answer.
type list[T any] struct {
	Results    []T    `json:"results"`
	NextCursor string `json:"next_cursor"`
	HasMore    bool   `json:"has_more"`
}

func pageQuery(cursor string, size int) url.Values {
	q := url.Values{}
	if cursor != "" {
		q.Set("start_cursor", cursor)
	}
	if size > 0 {
		q.Set("page_size", strconv.Itoa(size))
	}
	return q
}

// Me returns the integration's bot user.
func (c *Client) Me(ctx context.Context) (*User, error) {
	var u User
	return &u, c.Do(ctx, "GET", "/v1/users/me", nil, nil, &u)
}

// Search searches page and data source titles.
func (c *Client) Search(ctx context.Context, body map[string]any) (*list[Page], error) {
	var l list[Page]
	return &l, c.Do(ctx, "POST", "/v1/search", nil, body, &l)
}

// Page retrieves a page.
func (c *Client) Page(ctx context.Context, id string) (*Page, error) {
	var p Page
	return &p, c.Do(ctx, "GET", "/v1/pages/"+id, nil, nil, &p)
}

// Database retrieves a database.
func (c *Client) Database(ctx context.Context, id string) (*Database, error) {
	var d Database
	return &d, c.Do(ctx, "GET", "/v1/databases/"+id, nil, nil, &d)
}

// DataSource retrieves a data source with its schema.
func (c *Client) DataSource(ctx context.Context, id string) (*DataSource, error) {
	var d DataSource
	return &d, c.Do(ctx, "GET", "/v1/data_sources/"+id, nil, nil, &d)
}

// Block retrieves one block.
func (c *Client) Block(ctx context.Context, id string) (*markdown.Block, error) {
	var b markdown.Block
	return &b, c.Do(ctx, "GET", "/v1/blocks/"+id, nil, nil, &b)
}

// Children lists one page of a block's (or page's) children.
func (c *Client) Children(ctx context.Context, id, cursor string) (*list[markdown.Block], error) {
	var l list[markdown.Block]
	return &l, c.Do(ctx, "GET", "/v1/blocks/"+id+"/children", pageQuery(cursor, 100), nil, &l)
}

// Append appends blocks (already within the API's limits) to a block or page, after the
// block after when set, and returns the created first-level blocks.
func (c *Client) Append(ctx context.Context, id string, blocks []markdown.Block, after string) ([]markdown.Block, error) {
	body := map[string]any{"children": blocks}
	if after != "" {
		body["after"] = after
	}
	var l list[markdown.Block]
	return l.Results, c.Do(ctx, "PATCH", "/v1/blocks/"+id+"/children", nil, body, &l)
}

// CreatePage creates a page.
func (c *Client) CreatePage(ctx context.Context, body map[string]any) (*Page, error) {
	var p Page
	return &p, c.Do(ctx, "POST", "/v1/pages", nil, body, &p)
}

// UpdatePage updates a page's properties, icon, cover or trash state.
func (c *Client) UpdatePage(ctx context.Context, id string, body map[string]any) (*Page, error) {
	var p Page
	return &p, c.Do(ctx, "PATCH", "/v1/pages/"+id, nil, body, &p)
}

// Query queries a data source.
func (c *Client) Query(ctx context.Context, id string, body map[string]any) (*list[Page], error) {
	var l list[Page]
	return &l, c.Do(ctx, "POST", "/v1/data_sources/"+id+"/query", nil, body, &l)
}

// Comments lists one page of the unresolved comments on a page or block.
func (c *Client) Comments(ctx context.Context, id, cursor string) (*list[Comment], error) {
	q := pageQuery(cursor, 100)
	q.Set("block_id", id)
	var l list[Comment]
	return &l, c.Do(ctx, "GET", "/v1/comments", q, nil, &l)
}

// CreateComment adds a comment.
func (c *Client) CreateComment(ctx context.Context, body map[string]any) (*Comment, error) {
	var cm Comment
	return &cm, c.Do(ctx, "POST", "/v1/comments", nil, body, &cm)
}

// Users lists one page of the workspace's users.
func (c *Client) Users(ctx context.Context, cursor string, size int) (*list[User], error) {
	var l list[User]
	return &l, c.Do(ctx, "GET", "/v1/users", pageQuery(cursor, size), nil, &l)
}

// User retrieves one user.
func (c *Client) User(ctx context.Context, id string) (*User, error) {
	var u User
	return &u, c.Do(ctx, "GET", "/v1/users/"+id, nil, nil, &u)
}
