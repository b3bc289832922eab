package notiontest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Search, query, comments and users. Every method runs with Fake.mu held.

func (f *Fake) search(body map[string]any) (any, *apiError) {
	query := strings.ToLower(strings.TrimSpace(str(body["query"])))
	want := ""
	if flt, ok := body["filter"].(map[string]any); ok {
		want = str(flt["value"])
		if str(flt["property"]) != "object" || (want != "page" && want != "data_source") {
			return nil, errValidation("body.filter.value should be `\"page\"` or `\"data_source\"`, instead was `%s`.", short(flt["value"]))
		}
	}
	asc := false
	if s, ok := body["sort"].(map[string]any); ok {
		asc = str(s["direction"]) == "ascending"
	}
	var hits []*node
	for _, n := range f.ws.nodes {
		if n.inTrash || !f.ws.accessible(n) || (n.kind != "page" && n.kind != "data_source") {
			continue
		}
		if want != "" && n.kind != want {
			continue
		}
		title := pageTitle(n)
		if n.kind == "data_source" {
			title = plainText(n.title)
		}
		if query != "" && !strings.Contains(strings.ToLower(title), query) {
			continue
		}
		hits = append(hits, n)
	}
	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if !a.edited.Equal(b.edited) {
			return a.edited.After(b.edited) != asc
		}
		return a.id < b.id
	})
	var items []any
	for _, n := range hits {
		if n.kind == "page" {
			items = append(items, f.ws.pageJSON(n))
		} else {
			items = append(items, f.ws.dataSourceJSON(n))
		}
	}
	cursor, size := bodyPaging(body)
	return paginate(items, "page_or_data_source", cursor, size)
}

func (f *Fake) query(id string, body map[string]any) (any, *apiError) {
	ds, ok := f.ws.lookup(id)
	if !ok || ds.kind != "data_source" {
		if ok && ds.kind == "database" {
			return nil, errValidation("Provided ID %s is a database, not a data source: query one of its data_sources.", id)
		}
		return nil, errNotFound(id)
	}
	trash, _ := body["in_trash"].(bool)
	var rows []*node
	for _, n := range f.ws.nodes {
		if n.kind == "page" && n.parentType == "data_source_id" && n.parentID == ds.id && n.inTrash == trash {
			rows = append(rows, n)
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].created.Before(rows[j].created) })
	var filtered []*node
	for _, r := range rows {
		ok := true
		if flt, has := body["filter"]; has && flt != nil {
			var err *apiError
			if ok, err = f.match("body.filter", flt, r, ds.schema); err != nil {
				return nil, err
			}
		}
		if ok {
			filtered = append(filtered, r)
		}
	}
	if sorts, ok := body["sorts"].([]any); ok {
		for i := len(sorts) - 1; i >= 0; i-- {
			s, _ := sorts[i].(map[string]any)
			key := func(n *node) string { return sortKey(n, s) }
			if p := str(s["property"]); p != "" {
				if _, ok := ds.schema[p]; !ok {
					return nil, errValidation("Could not find sort property with name or id: %s", p)
				}
			}
			desc := str(s["direction"]) == "descending"
			sort.SliceStable(filtered, func(a, b int) bool {
				if desc {
					return key(filtered[a]) > key(filtered[b])
				}
				return key(filtered[a]) < key(filtered[b])
			})
		}
	}
	var items []any
	for _, n := range filtered {
		items = append(items, f.ws.pageJSON(n))
	}
	cursor, size := bodyPaging(body)
	return paginate(items, "page_or_data_source", cursor, size)
}

func sortKey(n *node, s map[string]any) string {
	switch str(s["timestamp"]) {
	case "created_time":
		return ts(n.created)
	case "last_edited_time":
		return ts(n.edited)
	}
	p, _ := n.props[str(s["property"])].(map[string]any)
	v := p[str(p["type"])]
	switch x := v.(type) {
	case float64:
		return fmt.Sprintf("%020.6f", x+1e12)
	case bool:
		return fmt.Sprint(x)
	case map[string]any:
		if x["start"] != nil {
			return str(x["start"])
		}
		return str(x["name"])
	case []any:
		return plainText(x)
	}
	return fmt.Sprint(v)
}

// match evaluates a data source filter against a row.
func (f *Fake) match(path string, flt any, row *node, schema map[string]any) (bool, *apiError) {
	m, ok := flt.(map[string]any)
	if !ok {
		return false, errValidation("%s should be an object, instead was `%s`.", path, short(flt))
	}
	if and, ok := m["and"].([]any); ok {
		for i, c := range and {
			ok, err := f.match(fmt.Sprintf("%s.and[%d]", path, i), c, row, schema)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	}
	if or, ok := m["or"].([]any); ok {
		found := false
		for i, c := range or {
			ok, err := f.match(fmt.Sprintf("%s.or[%d]", path, i), c, row, schema)
			if err != nil {
				return false, err
			}
			found = found || ok
		}
		return found, nil
	}
	if tsName := str(m["timestamp"]); tsName != "" {
		cond, _ := m[tsName].(map[string]any)
		t := row.created
		if tsName == "last_edited_time" {
			t = row.edited
		}
		return dateCond(path+"."+tsName, cond, ts(t))
	}
	name := str(m["property"])
	s, ok := schema[name].(map[string]any)
	if !ok {
		return false, errValidation("Could not find property with name or id: %s", name)
	}
	typ := s["type"].(string)
	cond, ok := m[typ].(map[string]any)
	if !ok {
		for k := range m {
			if k != "property" && k != "type" {
				return false, errValidation("%s.%s does not match the property type: %s is a %s property.", path, k, name, typ)
			}
		}
		return false, errValidation("%s should have a %s condition.", path, typ)
	}
	val, _ := row.props[name].(map[string]any)
	v := val[typ]
	p := path + "." + typ
	switch typ {
	case "title", "rich_text", "url", "email", "phone_number":
		text := ""
		if typ == "title" || typ == "rich_text" {
			text = plainText(v)
		} else {
			text = str(v)
		}
		return textCond(p, cond, text)
	case "number":
		x, isNum := v.(float64)
		return numberCond(p, cond, x, isNum)
	case "checkbox":
		b, _ := v.(bool)
		if e, ok := cond["equals"].(bool); ok {
			return b == e, nil
		}
		if e, ok := cond["does_not_equal"].(bool); ok {
			return b != e, nil
		}
		return false, errValidation("%s should have equals or does_not_equal.", p)
	case "select", "status":
		name := ""
		if o, ok := v.(map[string]any); ok {
			name = str(o["name"])
		}
		return optionCond(p, cond, []string{name}, name == "")
	case "multi_select", "people", "relation":
		var names []string
		items, _ := v.([]any)
		for _, it := range items {
			o, _ := it.(map[string]any)
			if typ == "multi_select" {
				names = append(names, str(o["name"]))
			} else {
				names = append(names, str(o["id"]))
			}
		}
		return optionCond(p, cond, names, len(names) == 0)
	case "date":
		d, _ := v.(map[string]any)
		return dateCond(p, cond, str(d["start"]))
	}
	return false, errValidation("%s: filtering on %s properties is not supported by this fake.", p, typ)
}

func textCond(p string, cond map[string]any, text string) (bool, *apiError) {
	lt := strings.ToLower(text)
	for op, arg := range cond {
		a := strings.ToLower(str(arg))
		switch op {
		case "equals":
			return lt == a, nil
		case "does_not_equal":
			return lt != a, nil
		case "contains":
			return strings.Contains(lt, a), nil
		case "does_not_contain":
			return !strings.Contains(lt, a), nil
		case "starts_with":
			return strings.HasPrefix(lt, a), nil
		case "ends_with":
			return strings.HasSuffix(lt, a), nil
		case "is_empty":
			return text == "", nil
		case "is_not_empty":
			return text != "", nil
		}
		return false, errValidation("%s.%s is not a valid text filter condition.", p, op)
	}
	return false, errValidation("%s should have a condition.", p)
}

func numberCond(p string, cond map[string]any, x float64, isNum bool) (bool, *apiError) {
	for op, arg := range cond {
		if op == "is_empty" {
			return !isNum, nil
		}
		if op == "is_not_empty" {
			return isNum, nil
		}
		n, ok := arg.(json.Number)
		if !ok {
			return false, errValidation("%s.%s should be a number, instead was `%s`.", p, op, short(arg))
		}
		y, _ := n.Float64()
		if !isNum {
			return false, nil
		}
		switch op {
		case "equals":
			return x == y, nil
		case "does_not_equal":
			return x != y, nil
		case "greater_than":
			return x > y, nil
		case "less_than":
			return x < y, nil
		case "greater_than_or_equal_to":
			return x >= y, nil
		case "less_than_or_equal_to":
			return x <= y, nil
		}
		return false, errValidation("%s.%s is not a valid number filter condition.", p, op)
	}
	return false, errValidation("%s should have a condition.", p)
}

func optionCond(p string, cond map[string]any, names []string, empty bool) (bool, *apiError) {
	has := func(s string) bool {
		for _, n := range names {
			if strings.EqualFold(n, s) {
				return true
			}
		}
		return false
	}
	for op, arg := range cond {
		switch op {
		case "equals", "contains":
			return has(str(arg)), nil
		case "does_not_equal", "does_not_contain":
			return !has(str(arg)), nil
		case "is_empty":
			return empty, nil
		case "is_not_empty":
			return !empty, nil
		}
		return false, errValidation("%s.%s is not a valid filter condition.", p, op)
	}
	return false, errValidation("%s should have a condition.", p)
}

func dateCond(p string, cond map[string]any, v string) (bool, *apiError) {
	for op, arg := range cond {
		switch op {
		case "is_empty":
			return v == "", nil
		case "is_not_empty":
			return v != "", nil
		}
		a := str(arg)
		if _, err := time.Parse("2006-01-02", a[:min(10, len(a))]); err != nil {
			return false, errValidation("%s.%s should be a valid ISO 8601 date string, instead was `%s`.", p, op, short(arg))
		}
		if v == "" {
			return false, nil
		}
		day, aday := v[:min(10, len(v))], a[:10]
		switch op {
		case "equals":
			return day == aday, nil
		case "before":
			return day < aday, nil
		case "after":
			return day > aday, nil
		case "on_or_before":
			return day <= aday, nil
		case "on_or_after":
			return day >= aday, nil
		}
		return false, errValidation("%s.%s is not a valid date filter condition.", p, op)
	}
	return false, errValidation("%s should have a condition.", p)
}

func (ws *workspace) user(id string) map[string]any {
	for _, u := range ws.users {
		if u["id"] == normID(id) {
			return u
		}
	}
	if ws.bot["id"] == normID(id) {
		return ws.bot
	}
	return nil
}

func (ws *workspace) userList() []any {
	var out []any
	for _, u := range ws.users {
		out = append(out, u)
	}
	return append(out, ws.bot)
}

func (f *Fake) getUser(id string) (any, *apiError) {
	if u := f.ws.user(id); u != nil {
		return u, nil
	}
	return nil, errNotFound(id)
}

func (ws *workspace) commentJSON(c *comment) map[string]any {
	return map[string]any{
		"object": "comment", "id": c.id, "parent": map[string]any{"type": c.parentType, c.parentType: c.parentID},
		"discussion_id": c.discussion, "created_time": ts(c.created), "last_edited_time": ts(c.created),
		"created_by": userRef(c.author), "rich_text": ws.fullRichText(c.richText),
	}
}

func (f *Fake) listComments(blockID, cursor, size string) (any, *apiError) {
	if blockID == "" {
		return nil, errValidation("block_id should be defined, instead was `undefined`.")
	}
	n, ok := f.ws.lookup(blockID)
	if !ok {
		return nil, errNotFound(blockID)
	}
	var items []any
	for _, c := range f.ws.comments {
		if c.parentID == n.id {
			items = append(items, f.ws.commentJSON(c))
		}
	}
	return paginate(items, "comment", cursor, size)
}

func (f *Fake) createComment(body map[string]any) (any, *apiError) {
	if err := checkRichText("body.rich_text", body["rich_text"]); err != nil {
		return nil, err
	}
	if body["rich_text"] == nil {
		return nil, errValidation("body.rich_text should be defined, instead was `undefined`.")
	}
	c := &comment{richText: body["rich_text"].([]any), author: f.ws.bot["id"].(string), created: f.ws.clock}
	if d := str(body["discussion_id"]); d != "" {
		for _, o := range f.ws.comments {
			if o.discussion == normID(d) {
				c.parentType, c.parentID, c.discussion = o.parentType, o.parentID, o.discussion
			}
		}
		if c.discussion == "" {
			return nil, errNotFound(d)
		}
	} else {
		parent, _ := body["parent"].(map[string]any)
		id := str(parent["page_id"])
		if id == "" {
			id = str(parent["block_id"])
		}
		n, ok := f.ws.lookup(id)
		if id == "" || !ok {
			if id == "" {
				return nil, errValidation("body.parent.page_id or body.discussion_id should be defined.")
			}
			return nil, errNotFound(id)
		}
		c.parentType, c.parentID, c.discussion = "page_id", n.id, f.ws.newID()
		if n.kind == "block" {
			c.parentType = "block_id"
		}
	}
	c.id = f.ws.newID()
	f.ws.comments = append(f.ws.comments, c)
	return f.ws.commentJSON(c), nil
}
