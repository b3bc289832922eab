package notiontest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Page, database and data source endpoints. Every method runs with Fake.mu held.

func (f *Fake) getPage(id string) (any, *apiError) {
	n, ok := f.ws.lookup(id)
	if !ok || n.kind != "page" {
		return nil, errNotFound(id)
	}
	return f.ws.pageJSON(n), nil
}

func (f *Fake) getDatabase(id string) (any, *apiError) {
	n, ok := f.ws.lookup(id)
	if !ok || n.kind != "database" {
		return nil, errNotFound(id)
	}
	return f.ws.databaseJSON(n), nil
}

func (f *Fake) getDataSource(id string) (any, *apiError) {
	n, ok := f.ws.lookup(id)
	if !ok || n.kind != "data_source" {
		if ok && n.kind == "database" {
			return nil, errValidation("Provided ID %s is a database, not a data source. Use the data source ids listed in GET /v1/databases/%s.", id, n.id)
		}
		return nil, errNotFound(id)
	}
	return f.ws.dataSourceJSON(n), nil
}

func (f *Fake) createPage(body map[string]any) (any, *apiError) {
	parent, ok := body["parent"].(map[string]any)
	if !ok {
		return nil, errValidation("body.parent should be an object, instead was `%s`.", short(body["parent"]))
	}
	var pnode *node
	var ptype string
	switch {
	case parent["page_id"] != nil:
		n, ok := f.ws.lookup(str(parent["page_id"]))
		if !ok || n.kind != "page" {
			return nil, errNotFound(str(parent["page_id"]))
		}
		pnode, ptype = n, "page_id"
	case parent["data_source_id"] != nil:
		n, ok := f.ws.lookup(str(parent["data_source_id"]))
		if !ok || n.kind != "data_source" {
			return nil, errNotFound(str(parent["data_source_id"]))
		}
		pnode, ptype = n, "data_source_id"
	case parent["database_id"] != nil:
		n, ok := f.ws.lookup(str(parent["database_id"]))
		if !ok || n.kind != "database" {
			return nil, errNotFound(str(parent["database_id"]))
		}
		if len(n.dataSources) != 1 {
			return nil, errValidation("body.parent.database_id has several data sources: use parent.data_source_id.")
		}
		pnode, ptype = f.ws.nodes[n.dataSources[0]], "data_source_id"
	default:
		return nil, errValidation("body.parent should have one of page_id, data_source_id, database_id.")
	}
	props, _ := body["properties"].(map[string]any)
	var schema map[string]any
	if ptype == "data_source_id" {
		schema = pnode.schema
	}
	values, err := f.propValues(props, schema, nil)
	if err != nil {
		return nil, err
	}
	if kids, ok := body["children"]; ok {
		count := 0
		if err := checkChildren("body.children", kids, 0, &count); err != nil {
			return nil, err
		}
	}
	n := f.ws.add(&node{kind: "page", parentType: ptype, parentID: pnode.id, props: values, icon: body["icon"], cover: body["cover"]})
	if ptype == "page_id" {
		pnode.children = append(pnode.children, n.id)
	}
	if kids, ok := body["children"].([]any); ok {
		n.children = f.createBlocks(n, kids)
	}
	return f.ws.pageJSON(n), nil
}

func (f *Fake) patchPage(id string, body map[string]any) (any, *apiError) {
	n, ok := f.ws.lookup(id)
	if !ok || n.kind != "page" {
		return nil, errNotFound(id)
	}
	if props, ok := body["properties"].(map[string]any); ok {
		var schema map[string]any
		if n.parentType == "data_source_id" {
			schema = f.ws.nodes[n.parentID].schema
		}
		values, err := f.propValues(props, schema, n.props)
		if err != nil {
			return nil, err
		}
		n.props = values
	}
	if v, ok := body["icon"]; ok {
		n.icon = v
	}
	if v, ok := body["cover"]; ok {
		n.cover = v
	}
	if v, ok := body["in_trash"].(bool); ok {
		n.inTrash = v
	} else if v, ok := body["archived"].(bool); ok {
		n.inTrash = v
	}
	n.edited = f.ws.clock
	return f.ws.pageJSON(n), nil
}

// propValues validates request property values against schema (nil: a page under a page,
// which has only a title) and returns the stored values, starting from old.
func (f *Fake) propValues(in, schema map[string]any, old map[string]any) (map[string]any, *apiError) {
	out := map[string]any{}
	for k, v := range old {
		out[k] = v
	}
	if schema == nil {
		schema = map[string]any{"title": map[string]any{"id": "title", "name": "title", "type": "title", "title": map[string]any{}}}
	}
	if old == nil {
		for name, s := range schema {
			sm := s.(map[string]any)
			out[name] = emptyValue(sm)
		}
	}
	names := make([]string, 0, len(in))
	for k := range in {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, key := range names {
		name := key
		s, ok := schema[name].(map[string]any)
		if !ok {
			for _, cand := range schema { // properties may be named by id
				if cm := cand.(map[string]any); cm["id"] == key {
					s, ok, name = cm, true, cm["name"].(string)
				}
			}
		}
		if !ok {
			return nil, errValidation("%s is not a property that exists.", key)
		}
		val, _ := in[key].(map[string]any)
		typ := s["type"].(string)
		if val == nil {
			return nil, errValidation("body.properties.%s should be an object.", name)
		}
		raw, ok := val[typ]
		if !ok {
			if t, _ := val["type"].(string); t != "" && t != typ {
				return nil, errValidation("body.properties.%s.%s should be defined: %s is a %s property, instead was `%s`.", name, typ, name, typ, t)
			}
			for k := range val {
				if k != "type" && k != "id" {
					return nil, errValidation("body.properties.%s.%s should be defined: %s is a %s property, instead was `%s`.", name, typ, name, typ, k)
				}
			}
		}
		v, err := f.convertValue(name, typ, raw, s)
		if err != nil {
			return nil, err
		}
		out[name] = map[string]any{"id": s["id"], "type": typ, typ: v}
	}
	return out, nil
}

func emptyValue(s map[string]any) map[string]any {
	typ := s["type"].(string)
	var v any
	switch typ {
	case "title", "rich_text", "multi_select", "people", "relation", "files":
		v = []any{}
	case "checkbox":
		v = false
	}
	return map[string]any{"id": s["id"], "type": typ, typ: v}
}

func (f *Fake) convertValue(name, typ string, raw any, s map[string]any) (any, *apiError) {
	path := "body.properties." + name + "." + typ
	switch typ {
	case "title", "rich_text":
		if err := checkRichText(path, raw); err != nil {
			return nil, err
		}
		return f.ws.fullRichText(raw), nil
	case "number":
		if raw == nil {
			return nil, nil
		}
		n, ok := raw.(json.Number)
		if !ok {
			return nil, errValidation("%s should be a number or `null`, instead was `%s`.", path, short(raw))
		}
		x, _ := n.Float64()
		return x, nil
	case "checkbox":
		b, ok := raw.(bool)
		if !ok {
			return nil, errValidation("%s should be a boolean, instead was `%s`.", path, short(raw))
		}
		return b, nil
	case "url", "email", "phone_number":
		if raw == nil {
			return nil, nil
		}
		v, ok := raw.(string)
		if !ok {
			return nil, errValidation("%s should be a string or `null`, instead was `%s`.", path, short(raw))
		}
		return v, nil
	case "select", "status":
		if raw == nil {
			if typ == "status" {
				return nil, errValidation("%s should be an object, instead was `null`.", path)
			}
			return nil, nil
		}
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, errValidation("%s should be an object or `null`, instead was `%s`.", path, short(raw))
		}
		return f.option(path, s, typ, str(m["name"]), typ == "select")
	case "multi_select":
		items, ok := raw.([]any)
		if !ok {
			return nil, errValidation("%s should be an array, instead was `%s`.", path, short(raw))
		}
		out := []any{}
		for _, it := range items {
			m, _ := it.(map[string]any)
			o, err := f.option(path, s, typ, str(m["name"]), true)
			if err != nil {
				return nil, err
			}
			out = append(out, o)
		}
		return out, nil
	case "date":
		if raw == nil {
			return nil, nil
		}
		m, ok := raw.(map[string]any)
		if !ok || str(m["start"]) == "" {
			return nil, errValidation("%s.start should be defined, instead was `undefined`.", path)
		}
		return map[string]any{"start": m["start"], "end": m["end"], "time_zone": m["time_zone"]}, nil
	case "people":
		items, ok := raw.([]any)
		if !ok {
			return nil, errValidation("%s should be an array, instead was `%s`.", path, short(raw))
		}
		out := []any{}
		for _, it := range items {
			m, _ := it.(map[string]any)
			u := f.ws.user(str(m["id"]))
			if u == nil {
				return nil, errValidation("%s: user %s does not exist.", path, str(m["id"]))
			}
			out = append(out, u)
		}
		return out, nil
	case "relation":
		items, ok := raw.([]any)
		if !ok {
			return nil, errValidation("%s should be an array, instead was `%s`.", path, short(raw))
		}
		out := []any{}
		for _, it := range items {
			m, _ := it.(map[string]any)
			out = append(out, map[string]any{"id": normID(str(m["id"]))})
		}
		return out, nil
	}
	return nil, errValidation("%s cannot be set: %s properties are read-only.", path, typ)
}

// option finds a select, status or multi_select option by name, adding it when allowed.
func (f *Fake) option(path string, s map[string]any, typ, name string, canAdd bool) (any, *apiError) {
	cfg, _ := s[typ].(map[string]any)
	opts, _ := cfg["options"].([]any)
	var names []string
	for _, o := range opts {
		om := o.(map[string]any)
		if om["name"] == name {
			return om, nil
		}
		names = append(names, fmt.Sprint(om["name"]))
	}
	if !canAdd || strings.Contains(name, ",") {
		return nil, errValidation("%s.name should be one of %s, instead was `%s`.", path, strings.Join(names, ", "), name)
	}
	o := map[string]any{"id": f.ws.newID()[:4], "name": name, "color": "default"}
	cfg["options"] = append(opts, o)
	return o, nil
}
