package notiontest

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// node is one object of the workspace: a page, a database, a data source or a block.
// Pages and databases that live under a page are also that page's child blocks
// (child_page, child_database), as in Notion.
type node struct {
	id         string
	kind       string // "page", "database", "data_source", "block"
	parentType string // "workspace", "page_id", "block_id", "database_id", "data_source_id"
	parentID   string
	created    time.Time
	edited     time.Time
	createdBy  string
	inTrash    bool

	props map[string]any // page: name -> property value (response form)
	icon  any            // page, database
	cover any

	btype    string         // block type
	payload  map[string]any // block payload (request form, without children)
	children []string       // page or block: child block ids, in order

	title       []any    // database, data source
	description []any    // database, data source
	dataSources []string // database
	isInline    bool     // database
	schema      map[string]any
}

// workspace is the fake's data. It is guarded by Fake.mu.
type workspace struct {
	nodes    map[string]*node
	shared   map[string]bool // ids shared with the integration (their subtrees are too)
	users    []map[string]any
	bot      map[string]any
	comments []*comment
	seq      int
	clock    time.Time
	sample   Sample
}

type comment struct {
	id, parentType, parentID, discussion, author string
	created                                      time.Time
	richText                                     []any
}

func newWorkspace() *workspace {
	return &workspace{nodes: map[string]*node{}, shared: map[string]bool{}, clock: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)}
}

// newID returns the next deterministic UUID (v4 layout).
func (ws *workspace) newID() string {
	ws.seq++
	sum := sha256.Sum256([]byte("notiontest/" + itoa(ws.seq)))
	h := hex.EncodeToString(sum[:16])
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// normID turns a dashed or undashed id into the dashed lowercase form, or "" if s is not one.
func normID(s string) string {
	h := strings.ToLower(strings.ReplaceAll(s, "-", ""))
	if len(h) != 32 {
		return ""
	}
	for _, c := range h {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return ""
		}
	}
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (ws *workspace) add(n *node) *node {
	if n.id == "" {
		n.id = ws.newID()
	}
	if n.created.IsZero() {
		ws.clock = ws.clock.Add(time.Minute)
		n.created, n.edited = ws.clock, ws.clock
	}
	if n.createdBy == "" {
		n.createdBy = ws.bot["id"].(string)
	}
	ws.nodes[n.id] = n
	return n
}

// lookup returns the node with the id if the integration can see it.
func (ws *workspace) lookup(id string) (*node, bool) {
	n, ok := ws.nodes[normID(id)]
	if !ok || !ws.accessible(n) {
		return nil, false
	}
	return n, true
}

// accessible reports whether n or one of its ancestors is shared with the integration.
func (ws *workspace) accessible(n *node) bool {
	for i := 0; n != nil && i < 100; i++ {
		if ws.shared[n.id] {
			return true
		}
		if n.parentType == "workspace" {
			return false
		}
		n = ws.nodes[n.parentID]
	}
	return false
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func userRef(id string) map[string]any { return map[string]any{"object": "user", "id": id} }

func (ws *workspace) parentObj(n *node) map[string]any {
	switch n.parentType {
	case "workspace":
		return map[string]any{"type": "workspace", "workspace": true}
	case "data_source_id":
		return map[string]any{"type": "data_source_id", "data_source_id": n.parentID, "database_id": ws.nodes[n.parentID].parentID}
	}
	return map[string]any{"type": n.parentType, n.parentType: n.parentID}
}

func pageURL(id, title string) string {
	slug := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, title)
	if slug != "" {
		slug += "-"
	}
	return "https://www.notion.so/" + slug + strings.ReplaceAll(id, "-", "")
}

// pageTitle returns the plain text of a page's title property.
func pageTitle(n *node) string {
	for _, v := range n.props {
		p, _ := v.(map[string]any)
		if p["type"] == "title" {
			return plainText(p["title"])
		}
	}
	return ""
}

func plainText(v any) string {
	items, _ := v.([]any)
	var b strings.Builder
	for _, it := range items {
		m, _ := it.(map[string]any)
		s, _ := m["plain_text"].(string)
		b.WriteString(s)
	}
	return b.String()
}

// pageJSON renders a page object.
func (ws *workspace) pageJSON(n *node) map[string]any {
	return map[string]any{
		"object": "page", "id": n.id, "created_time": ts(n.created), "last_edited_time": ts(n.edited),
		"created_by": userRef(n.createdBy), "last_edited_by": userRef(n.createdBy),
		"cover": n.cover, "icon": n.icon, "parent": ws.parentObj(n), "archived": n.inTrash, "in_trash": n.inTrash,
		"is_locked": false, "properties": n.props, "url": pageURL(n.id, pageTitle(n)), "public_url": nil,
	}
}

func (ws *workspace) databaseJSON(n *node) map[string]any {
	var dss []any
	for _, id := range n.dataSources {
		dss = append(dss, map[string]any{"id": id, "name": plainText(ws.nodes[id].title)})
	}
	return map[string]any{
		"object": "database", "id": n.id, "title": n.title, "description": n.description, "parent": ws.parentObj(n),
		"is_inline": n.isInline, "in_trash": n.inTrash, "archived": n.inTrash, "is_locked": false,
		"created_time": ts(n.created), "last_edited_time": ts(n.edited), "data_sources": dss, "icon": n.icon,
		"cover": nil, "url": pageURL(n.id, plainText(n.title)), "public_url": nil,
	}
}

func (ws *workspace) dataSourceJSON(n *node) map[string]any {
	db := ws.nodes[n.parentID]
	return map[string]any{
		"object": "data_source", "id": n.id, "title": n.title, "description": n.description,
		"parent":          map[string]any{"type": "database_id", "database_id": db.id},
		"database_parent": ws.parentObj(db), "properties": n.schema, "is_inline": db.isInline,
		"in_trash": n.inTrash, "archived": n.inTrash, "created_time": ts(n.created), "last_edited_time": ts(n.edited),
		"created_by": userRef(n.createdBy), "last_edited_by": userRef(n.createdBy), "icon": db.icon, "cover": nil,
		"url": pageURL(db.id, plainText(n.title)), "public_url": nil,
	}
}

// blockJSON renders a block object; pages and databases render as child_page/child_database.
func (ws *workspace) blockJSON(n *node) map[string]any {
	typ, payload := n.btype, ws.respPayload(n.btype, n.payload)
	switch n.kind {
	case "page":
		typ, payload = "child_page", map[string]any{"title": pageTitle(n)}
	case "database":
		typ, payload = "child_database", map[string]any{"title": plainText(n.title)}
	}
	hasChildren := len(ws.liveChildren(n)) > 0
	if src := ws.syncedSource(n); src != nil {
		hasChildren = len(ws.liveChildren(src)) > 0
	}
	if n.kind != "block" {
		hasChildren = false
	}
	parent := map[string]any{"type": n.parentType, n.parentType: n.parentID}
	return map[string]any{
		"object": "block", "id": n.id, "parent": parent, "created_time": ts(n.created), "last_edited_time": ts(n.edited),
		"created_by": userRef(n.createdBy), "last_edited_by": userRef(n.createdBy), "has_children": hasChildren,
		"archived": n.inTrash, "in_trash": n.inTrash, "type": typ, typ: payload,
	}
}

// syncedSource returns the original of a synced_block copy, or nil.
func (ws *workspace) syncedSource(n *node) *node {
	if n.kind != "block" || n.btype != "synced_block" {
		return nil
	}
	from, ok := n.payload["synced_from"].(map[string]any)
	if !ok {
		return nil
	}
	return ws.nodes[normID(str(from["block_id"]))]
}

// liveChildren returns the child nodes of n that are not in the trash.
func (ws *workspace) liveChildren(n *node) []*node {
	var out []*node
	for _, id := range n.children {
		if c := ws.nodes[id]; c != nil && !c.inTrash {
			out = append(out, c)
		}
	}
	return out
}

var textBlockTypes = map[string]bool{
	"paragraph": true, "bulleted_list_item": true, "numbered_list_item": true, "to_do": true, "toggle": true,
	"quote": true, "callout": true, "heading_1": true, "heading_2": true, "heading_3": true, "code": true,
}

// respPayload fills in the defaults and full rich-text objects of a stored payload.
func (ws *workspace) respPayload(typ string, p map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range p {
		out[k] = v
	}
	if textBlockTypes[typ] {
		out["rich_text"] = ws.fullRichText(p["rich_text"])
		if typ != "code" {
			if _, ok := out["color"]; !ok {
				out["color"] = "default"
			}
		}
	}
	switch typ {
	case "to_do":
		if _, ok := out["checked"]; !ok {
			out["checked"] = false
		}
	case "heading_1", "heading_2", "heading_3":
		if _, ok := out["is_toggleable"]; !ok {
			out["is_toggleable"] = false
		}
	case "code":
		if _, ok := out["language"]; !ok {
			out["language"] = "plain text"
		}
		out["caption"] = ws.fullRichText(p["caption"])
	case "image", "video", "audio", "file", "pdf", "bookmark", "embed":
		out["caption"] = ws.fullRichText(p["caption"])
	case "table_row":
		cells, _ := p["cells"].([]any)
		var full []any
		for _, c := range cells {
			full = append(full, ws.fullRichText(c))
		}
		if full == nil {
			full = []any{}
		}
		out["cells"] = full
	}
	return out
}

// fullRichText expands request-form rich text into the response form.
func (ws *workspace) fullRichText(v any) []any {
	items, _ := v.([]any)
	out := []any{}
	for _, it := range items {
		m, _ := it.(map[string]any)
		if m == nil {
			continue
		}
		ann := map[string]any{"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"}
		if a, ok := m["annotations"].(map[string]any); ok {
			for k, v := range a {
				ann[k] = v
			}
		}
		r := map[string]any{"annotations": ann, "href": nil}
		switch {
		case m["text"] != nil:
			t, _ := m["text"].(map[string]any)
			content, _ := t["content"].(string)
			link := t["link"]
			r["type"], r["text"], r["plain_text"] = "text", map[string]any{"content": content, "link": link}, content
			if l, ok := link.(map[string]any); ok {
				r["href"] = l["url"]
			}
		case m["equation"] != nil:
			e, _ := m["equation"].(map[string]any)
			r["type"], r["equation"], r["plain_text"] = "equation", e, e["expression"]
		case m["mention"] != nil:
			men, _ := m["mention"].(map[string]any)
			r["type"], r["mention"] = "mention", men
			r["plain_text"], r["href"] = ws.mentionText(men)
		default:
			continue
		}
		out = append(out, r)
	}
	return out
}

func (ws *workspace) mentionText(men map[string]any) (string, any) {
	typ, _ := men["type"].(string)
	ref, _ := men[typ].(map[string]any)
	id, _ := ref["id"].(string)
	switch typ {
	case "user":
		for _, u := range ws.users {
			if u["id"] == id {
				return "@" + u["name"].(string), nil
			}
		}
		return "@Unknown user", nil
	case "page":
		if n, ok := ws.nodes[normID(id)]; ok {
			return pageTitle(n), pageURL(n.id, "")
		}
		return "Untitled", pageURL(id, "")
	case "database":
		if n, ok := ws.nodes[normID(id)]; ok {
			return plainText(n.title), pageURL(n.id, "")
		}
	case "date":
		s, _ := ref["start"].(string)
		return s, nil
	}
	return "", nil
}

// rt builds request-form rich text for seeding.
func rt(s string) []any {
	return []any{map[string]any{"type": "text", "text": map[string]any{"content": s}}}
}

// styled builds one styled run for seeding.
func styled(s string, ann map[string]any, link string) map[string]any {
	t := map[string]any{"content": s}
	if link != "" {
		t["link"] = map[string]any{"url": link}
	}
	m := map[string]any{"type": "text", "text": t}
	if ann != nil {
		m["annotations"] = ann
	}
	return m
}
