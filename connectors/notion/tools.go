package notion

import "github.com/modelcontextprotocol/go-sdk/mcp"

func ptr[T any](v T) *T { return &v }

// Tool names, as agents see them.
const (
	ToolSearch        = "notion-search"
	ToolFetch         = "notion-fetch"
	ToolQuery         = "notion-query-database"
	ToolCreatePages   = "notion-create-pages"
	ToolUpdatePage    = "notion-update-page"
	ToolAppend        = "notion-append-content"
	ToolGetComments   = "notion-get-comments"
	ToolCreateComment = "notion-create-comment"
	ToolGetUsers      = "notion-get-users"
	ToolGetSelf       = "notion-get-self"
)

// readOnly and the other annotation sets say honestly what each tool does.
var (
	readOnly = &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: ptr(true)}
	additive = &mcp.ToolAnnotations{DestructiveHint: ptr(false), OpenWorldHint: ptr(true)}
	changes  = &mcp.ToolAnnotations{DestructiveHint: ptr(true), IdempotentHint: true, OpenWorldHint: ptr(true)}
)

func (s *service) addTools(srv *mcp.Server) {
	mcp.AddTool(srv, &mcp.Tool{Name: ToolSearch, Annotations: readOnly,
		Description: `Search Notion pages and data sources (database tables) shared with the integration, by title. One line per hit: title · type · id · parent · edited. Example: {"query":"roadmap"}.`},
		s.search)
	mcp.AddTool(srv, &mcp.Tool{Name: ToolFetch, Annotations: readOnly,
		Description: `Read a page, database, data source or block as Notion-flavored Markdown with a properties header. Pages include all nested content; databases show schema and first 25 rows. id: UUID (dashes optional), notion.so URL, or collection://<id>.`},
		s.fetch)
	mcp.AddTool(srv, &mcp.Tool{Name: ToolQuery, Annotations: readOnly,
		Description: `Query a data source's rows with Notion's filter and sorts; returns a Markdown table (id first). Example: {"data_source_id":"…","filter":{"property":"Status","status":{"equals":"Done"}}}.`},
		s.query)
	mcp.AddTool(srv, &mcp.Tool{Name: ToolCreatePages, Annotations: additive,
		Description: `Create pages under a page, or rows in a database/data source, with a title, properties and a Markdown body. Example: {"parent":{"page_id":"…"},"pages":[{"title":"Notes","content":"# Hi\n- [ ] task"}]}.`},
		s.createPages)
	mcp.AddTool(srv, &mcp.Tool{Name: ToolUpdatePage, Annotations: changes,
		Description: `Change a page's title, properties or icon, or move it to the trash (in_trash:true) and back. Example: {"page_id":"…","properties":{"Status":"Done"}}. Body edits: notion-append-content.`},
		s.updatePage)
	mcp.AddTool(srv, &mcp.Tool{Name: ToolAppend, Annotations: additive,
		Description: `Append Notion-flavored Markdown to a page (or after a given child block). Any size and nesting. Example: {"page_id":"…","content":"- [ ] one\n- [ ] two"}.`},
		s.appendContent)
	mcp.AddTool(srv, &mcp.Tool{Name: ToolGetComments, Annotations: readOnly,
		Description: `List open comments on a page or block: author, time, discussion id, text.`},
		s.getComments)
	mcp.AddTool(srv, &mcp.Tool{Name: ToolCreateComment, Annotations: additive,
		Description: `Comment on a page (page_id) or reply in a discussion (discussion_id). Content is inline Markdown.`},
		s.createComment)
	mcp.AddTool(srv, &mcp.Tool{Name: ToolGetUsers, Annotations: readOnly,
		Description: `List workspace users (name · type · id · email), filter by name/email with query, or get one by user_id ("self" = this integration).`},
		s.getUsers)
	mcp.AddTool(srv, &mcp.Tool{Name: ToolGetSelf, Annotations: readOnly,
		Description: `Who am I: the integration's bot name and workspace.`},
		s.getSelf)
}
