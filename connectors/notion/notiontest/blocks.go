package notiontest

// Block endpoints. Every method runs with Fake.mu held.

func (f *Fake) container(id string) (*node, *apiError) {
	n, ok := f.ws.lookup(id)
	if !ok || n.kind == "data_source" || n.kind == "database" {
		return nil, errNotFound(id)
	}
	return n, nil
}

func (f *Fake) listChildren(id, cursor, size string) (any, *apiError) {
	n, err := f.container(id)
	if err != nil {
		return nil, err
	}
	if src := f.ws.syncedSource(n); src != nil {
		// A synced copy shows its original's children, which must be shared too.
		if !f.ws.accessible(src) {
			return nil, errNotFound(src.id)
		}
		n = src
	}
	var items []any
	for _, c := range f.ws.liveChildren(n) {
		items = append(items, f.ws.blockJSON(c))
	}
	return paginate(items, "block", cursor, size)
}

func (f *Fake) appendChildren(id string, body map[string]any) (any, *apiError) {
	n, err := f.container(id)
	if err != nil {
		return nil, err
	}
	if n.inTrash {
		return nil, errValidation("Can't edit block that is archived. You must unarchive the block before editing.")
	}
	count := 0
	if body["children"] == nil {
		return nil, errValidation("body.children should be defined, instead was `undefined`.")
	}
	if err := checkChildren("body.children", body["children"], 0, &count); err != nil {
		return nil, err
	}
	pos := len(n.children)
	if after, ok := body["after"].(string); ok {
		pos = -1
		for i, c := range n.children {
			if c == normID(after) {
				pos = i + 1
			}
		}
		if pos < 0 {
			return nil, errValidation("body.after should be the id of a child block of %s, instead was `%s`.", n.id, after)
		}
	}
	ids := f.createBlocks(n, body["children"].([]any))
	n.children = append(n.children[:pos], append(ids, n.children[pos:]...)...)
	n.edited = f.ws.clock
	var items []any
	for _, c := range ids {
		items = append(items, f.ws.blockJSON(f.ws.nodes[c]))
	}
	return paginate(items, "block", "", "")
}

// createBlocks stores validated request blocks under parent and returns their ids.
func (f *Fake) createBlocks(parent *node, items []any) []string {
	ptype := "block_id"
	if parent.kind == "page" {
		ptype = "page_id"
	}
	var ids []string
	for _, it := range items {
		b := it.(map[string]any)
		typ := blockType(b)
		payload := map[string]any{}
		for k, v := range b[typ].(map[string]any) {
			if k != "children" {
				payload[k] = v
			}
		}
		if typ == "synced_block" && payload["synced_from"] == nil {
			payload["synced_from"] = nil
		}
		n := f.ws.add(&node{kind: "block", btype: typ, payload: payload, parentType: ptype, parentID: parent.id})
		if kids, ok := b[typ].(map[string]any)["children"].([]any); ok {
			n.children = f.createBlocks(n, kids)
		}
		ids = append(ids, n.id)
	}
	return ids
}

func (f *Fake) getBlock(id string) (any, *apiError) {
	n, ok := f.ws.lookup(id)
	if !ok || n.kind == "data_source" {
		return nil, errNotFound(id)
	}
	return f.ws.blockJSON(n), nil
}

func (f *Fake) patchBlock(id string, body map[string]any) (any, *apiError) {
	n, ok := f.ws.lookup(id)
	if !ok || n.kind != "block" {
		return nil, errNotFound(id)
	}
	if v, ok := body["in_trash"].(bool); ok {
		n.inTrash = v
	} else if v, ok := body["archived"].(bool); ok {
		n.inTrash = v
	}
	if p, ok := body[n.btype].(map[string]any); ok {
		if textBlockTypes[n.btype] {
			if err := checkRichText("body."+n.btype+".rich_text", p["rich_text"]); err != nil {
				return nil, err
			}
		}
		for k, v := range p {
			if k != "children" {
				n.payload[k] = v
			}
		}
	}
	n.edited = f.ws.clock
	return f.ws.blockJSON(n), nil
}

func (f *Fake) deleteBlock(id string) (any, *apiError) {
	n, ok := f.ws.lookup(id)
	if !ok || n.kind == "data_source" {
		return nil, errNotFound(id)
	}
	n.inTrash = true
	n.edited = f.ws.clock
	return f.ws.blockJSON(n), nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
