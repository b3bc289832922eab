package notiontest

import (
	"fmt"
	"time"
)

// Sample names the objects of the sample workspace that tests refer to.
type Sample struct {
	BotID, AdaID, GraceID string
	// Handbook is a shared root page; Engineering, Onboarding and DayOne nest below it.
	Handbook, Engineering, Onboarding, DayOne, Design string
	// BlockZoo is a page of 300+ blocks of every supported type (more than 100 at the top
	// level, so its children come in several pages).
	BlockZoo string
	// Meeting is a small shared root page.
	Meeting string
	// Private exists but is not shared with the integration: the API answers 404.
	Private string
	// TasksDB is a database under Handbook with one data source, TasksDS, of 50 rows.
	TasksDB, TasksDS string
	// Discussion is the discussion id of the comments on Engineering.
	Discussion string
}

// Sample returns the ids of the sample workspace.
func (f *Fake) Sample() Sample { return f.ws.sample }

// BlockCount returns the number of live blocks under id, recursively (pages count as one
// child_page block and are not descended into).
func (f *Fake) BlockCount(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var count func(n *node) int
	count = func(n *node) int {
		c := 0
		for _, k := range f.ws.liveChildren(n) {
			c++
			if k.kind == "block" {
				c += count(k)
			}
		}
		return c
	}
	return count(f.ws.nodes[normID(id)])
}

func b(typ string, payload map[string]any, children ...map[string]any) map[string]any {
	if len(children) > 0 {
		var kids []any
		for _, c := range children {
			kids = append(kids, c)
		}
		payload["children"] = kids
	}
	return map[string]any{"type": typ, typ: payload}
}

func txt(typ, s string, children ...map[string]any) map[string]any {
	return b(typ, map[string]any{"rich_text": rt(s)}, children...)
}

func list(items ...map[string]any) []any {
	var out []any
	for _, it := range items {
		out = append(out, it)
	}
	return out
}

func titleProp(s string) map[string]any {
	return map[string]any{"title": map[string]any{"id": "title", "type": "title", "title": fullPlain(s)}}
}

func fullPlain(s string) []any {
	return []any{map[string]any{"type": "text", "text": map[string]any{"content": s, "link": nil}, "plain_text": s, "href": nil,
		"annotations": map[string]any{"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"}}}
}

func seed(ws *workspace) {
	f := &Fake{ws: ws}
	s := &ws.sample
	s.BotID = ws.newID()
	ws.bot = map[string]any{"object": "user", "id": s.BotID, "name": "Patchbay Test Bot", "avatar_url": nil, "type": "bot",
		"bot": map[string]any{"owner": map[string]any{"type": "workspace", "workspace": true}, "workspace_name": "Acme Labs",
			"workspace_id": ws.newID(), "workspace_limits": map[string]any{"max_file_upload_size_in_bytes": 5242880}}}
	s.AdaID, s.GraceID = ws.newID(), ws.newID()
	ws.users = []map[string]any{
		{"object": "user", "id": s.AdaID, "name": "Ada Lovelace", "avatar_url": nil, "type": "person", "person": map[string]any{"email": "ada@acme.test"}},
		{"object": "user", "id": s.GraceID, "name": "Grace Hopper", "avatar_url": nil, "type": "person", "person": map[string]any{"email": "grace@acme.test"}},
	}
	page := func(parent *node, title, emoji string, blocks ...map[string]any) *node {
		n := &node{kind: "page", parentType: "workspace", props: titleProp(title)}
		if emoji != "" {
			n.icon = map[string]any{"type": "emoji", "emoji": emoji}
		}
		if parent != nil {
			n.parentType, n.parentID = "page_id", parent.id
		}
		ws.add(n)
		if parent != nil {
			parent.children = append(parent.children, n.id)
		}
		n.children = append(n.children, f.createBlocks(n, list(blocks...))...)
		return n
	}

	handbook := page(nil, "Acme Handbook", "📘",
		txt("heading_1", "Welcome to Acme"),
		b("paragraph", map[string]any{"rich_text": []any{
			styled("This handbook is the ", nil, ""), styled("single source of truth", map[string]any{"bold": true}, ""),
			styled(" for how we work. See the ", nil, ""), styled("company site", nil, "https://acme.test"), styled(".", nil, "")}}),
		txt("bulleted_list_item", "Read Engineering first"), txt("bulleted_list_item", "Then the Design Principles"))
	ws.shared[handbook.id] = true
	s.Handbook = handbook.id
	eng := page(handbook, "Engineering", "🛠",
		txt("paragraph", "How the engineering team ships."),
		txt("heading_2", "On call"), txt("to_do", "Set up the pager"), txt("to_do", "Read the runbook"))
	s.Engineering = eng.id
	onb := page(eng, "Onboarding", "👋", txt("paragraph", "Everything a new engineer needs in week one."))
	s.Onboarding = onb.id
	day := page(onb, "Day One Checklist", "✅",
		b("to_do", map[string]any{"rich_text": rt("Get a laptop"), "checked": true}),
		txt("to_do", "Clone the monorepo"), txt("to_do", "Ship a one-line change"))
	s.DayOne = day.id
	design := page(handbook, "Design Principles", "🎨",
		txt("numbered_list_item", "Clarity over cleverness"), txt("numbered_list_item", "Fast by default"),
		txt("numbered_list_item", "Every error says what to do next"))
	s.Design = design.id

	// The Tasks database under the handbook.
	db := ws.add(&node{kind: "database", parentType: "page_id", parentID: handbook.id, title: fullPlain("Tasks"),
		description: fullPlain("Team tasks"), icon: map[string]any{"type": "emoji", "emoji": "🗂"}})
	handbook.children = append(handbook.children, db.id)
	ds := ws.add(&node{kind: "data_source", parentType: "database_id", parentID: db.id, title: fullPlain("Tasks"), description: []any{}})
	db.dataSources = []string{ds.id}
	s.TasksDB, s.TasksDS = db.id, ds.id
	opt := func(id, name, color string) map[string]any {
		return map[string]any{"id": id, "name": name, "color": color}
	}
	ds.schema = map[string]any{
		"Name": map[string]any{"id": "title", "name": "Name", "type": "title", "title": map[string]any{}},
		"Status": map[string]any{"id": "st01", "name": "Status", "type": "status", "status": map[string]any{
			"options": []any{opt("s1", "Not started", "default"), opt("s2", "In progress", "blue"), opt("s3", "Done", "green")},
			"groups":  []any{}}},
		"Priority": map[string]any{"id": "pr01", "name": "Priority", "type": "select", "select": map[string]any{
			"options": []any{opt("p1", "High", "red"), opt("p2", "Medium", "yellow"), opt("p3", "Low", "gray")}}},
		"Tags": map[string]any{"id": "tg01", "name": "Tags", "type": "multi_select", "multi_select": map[string]any{
			"options": []any{opt("t1", "backend", "blue"), opt("t2", "frontend", "pink"), opt("t3", "docs", "brown"), opt("t4", "infra", "orange")}}},
		"Due":      map[string]any{"id": "du01", "name": "Due", "type": "date", "date": map[string]any{}},
		"Done":     map[string]any{"id": "dn01", "name": "Done", "type": "checkbox", "checkbox": map[string]any{}},
		"Estimate": map[string]any{"id": "es01", "name": "Estimate", "type": "number", "number": map[string]any{"format": "number"}},
		"Owner":    map[string]any{"id": "ow01", "name": "Owner", "type": "people", "people": map[string]any{}},
		"Link":     map[string]any{"id": "ln01", "name": "Link", "type": "url", "url": map[string]any{}},
		"Notes":    map[string]any{"id": "nt01", "name": "Notes", "type": "rich_text", "rich_text": map[string]any{}},
	}
	verbs := []string{"Fix", "Write", "Review", "Ship", "Plan"}
	nouns := []string{"login flow", "billing export", "API docs", "deploy script", "search ranking", "onboarding email", "cache layer", "status page", "metrics dashboard", "backup job"}
	statuses := []string{"Not started", "In progress", "Done"}
	prios := []string{"High", "Medium", "Low"}
	tags := []string{"backend", "frontend", "docs", "infra"}
	for i := 1; i <= 50; i++ {
		props := map[string]any{
			"Name":     map[string]any{"id": "title", "type": "title", "title": fullPlain(fmt.Sprintf("Task %d: %s %s", i, verbs[i%5], nouns[i%10]))},
			"Status":   map[string]any{"id": "st01", "type": "status", "status": opt("s"+fmt.Sprint(1+i%3), statuses[i%3], []string{"default", "blue", "green"}[i%3])},
			"Priority": map[string]any{"id": "pr01", "type": "select", "select": opt("p"+fmt.Sprint(1+i%3), prios[i%3], []string{"red", "yellow", "gray"}[i%3])},
			"Tags":     map[string]any{"id": "tg01", "type": "multi_select", "multi_select": []any{opt("t"+fmt.Sprint(1+i%4), tags[i%4], "blue")}},
			"Due":      map[string]any{"id": "du01", "type": "date", "date": map[string]any{"start": time.Date(2025, 7, 1+i%28, 0, 0, 0, 0, time.UTC).Format("2006-01-02"), "end": nil, "time_zone": nil}},
			"Done":     map[string]any{"id": "dn01", "type": "checkbox", "checkbox": i%3 == 2},
			"Estimate": map[string]any{"id": "es01", "type": "number", "number": float64(i%8 + 1)},
			"Owner":    map[string]any{"id": "ow01", "type": "people", "people": []any{ws.users[i%2]}},
			"Link":     map[string]any{"id": "ln01", "type": "url", "url": fmt.Sprintf("https://tracker.acme.test/%d", 1000+i)},
			"Notes":    map[string]any{"id": "nt01", "type": "rich_text", "rich_text": fullPlain(fmt.Sprintf("Note for task %d", i))},
		}
		if i%10 == 0 {
			props["Due"] = map[string]any{"id": "du01", "type": "date", "date": nil}
			props["Tags"] = map[string]any{"id": "tg01", "type": "multi_select", "multi_select": []any{opt("t1", "backend", "blue"), opt("t4", "infra", "orange")}}
		}
		row := ws.add(&node{kind: "page", parentType: "data_source_id", parentID: ds.id, props: props})
		if i%5 == 0 {
			row.children = f.createBlocks(row, list(txt("paragraph", fmt.Sprintf("Details for task %d.", i)), txt("to_do", "Write tests")))
		}
	}

	private := page(nil, "Salaries 2025", "🔒", txt("paragraph", "Confidential."),
		b("synced_block", map[string]any{"synced_from": nil}, txt("paragraph", "Synced from a private page")))
	s.Private = private.id
	s.BlockZoo = seedZoo(f, page, private.children[1]).id
	meeting := page(nil, "Meeting Notes 2025-06", "🗓",
		txt("heading_2", "Attendees"), txt("bulleted_list_item", "Ada"), txt("bulleted_list_item", "Grace"),
		txt("heading_2", "Decisions"), txt("paragraph", "Ship the native Notion connector."))
	ws.shared[meeting.id] = true
	s.Meeting = meeting.id

	// Comments on Engineering: one discussion of two, one single, one on a block.
	s.Discussion = ws.newID()
	add := func(parentType, parent, disc, author, text string) {
		ws.clock = ws.clock.Add(time.Minute)
		ws.comments = append(ws.comments, &comment{id: ws.newID(), parentType: parentType, parentID: parent, discussion: disc,
			author: author, created: ws.clock, richText: rt(text)})
	}
	add("page_id", eng.id, s.Discussion, s.AdaID, "Can we add the incident template here?")
	add("page_id", eng.id, s.Discussion, s.GraceID, "Yes, I will add it this week.")
	add("page_id", eng.id, ws.newID(), s.GraceID, "The on-call rotation moved to Mondays.")
	add("block_id", eng.children[0], ws.newID(), s.AdaID, "Short and sweet.")
}

// seedZoo builds the Block Zoo page: 12 sections of every supported block type. One synced
// block copies privateSynced, an original on a page not shared with the integration.
func seedZoo(f *Fake, page func(*node, string, string, ...map[string]any) *node, privateSynced string) *node {
	ws := f.ws
	zoo := page(nil, "Block Zoo", "🧪", txt("heading_1", "Block Zoo"), b("table_of_contents", map[string]any{"color": "default"}))
	ws.shared[zoo.id] = true
	child := page(zoo, "Zoo Child Page", "📄", txt("paragraph", "A page inside the zoo."))
	var blocks []any
	langs := []string{"go", "python", "javascript", "mermaid"}
	for i := 1; i <= 12; i++ {
		sec := []map[string]any{
			txt("heading_2", fmt.Sprintf("Section %d", i)),
			b("paragraph", map[string]any{"rich_text": []any{
				styled("Some ", nil, ""), styled("bold", map[string]any{"bold": true}, ""), styled(", ", nil, ""),
				styled("italic", map[string]any{"italic": true}, ""), styled(", ", nil, ""),
				styled("code", map[string]any{"code": true}, ""), styled(" and ", nil, ""),
				styled("red", map[string]any{"color": "red"}, ""), styled(" text with a ", nil, ""),
				styled("link", nil, "https://example.com/"+fmt.Sprint(i)), styled(", a mention of ", nil, ""),
				map[string]any{"type": "mention", "mention": map[string]any{"type": "user", "user": map[string]any{"object": "user", "id": ws.sample.AdaID}}},
				styled(", of ", nil, ""),
				map[string]any{"type": "mention", "mention": map[string]any{"type": "page", "page": map[string]any{"id": child.id}}},
				styled(", a date ", nil, ""),
				map[string]any{"type": "mention", "mention": map[string]any{"type": "date", "date": map[string]any{"start": "2025-06-1" + fmt.Sprint(i%10)}}},
				styled(" and math ", nil, ""), map[string]any{"type": "equation", "equation": map[string]any{"expression": "a^2+b^2=c^2"}},
			}}),
			b("heading_3", map[string]any{"rich_text": rt(fmt.Sprintf("Lists of section %d", i)), "color": "blue"}),
			txt("bulleted_list_item", "First bullet", txt("bulleted_list_item", "Nested bullet", txt("bulleted_list_item", "Deeper bullet"))),
			txt("bulleted_list_item", "Second bullet", txt("bulleted_list_item", "Another nested bullet")),
			txt("bulleted_list_item", "Third bullet"),
			txt("numbered_list_item", "Step one"), txt("numbered_list_item", "Step two"), txt("numbered_list_item", "Step three"),
			b("to_do", map[string]any{"rich_text": rt("A done task"), "checked": true}), txt("to_do", "An open task"),
			txt("toggle", "A toggle", txt("paragraph", "Hidden inside the toggle."), txt("bulleted_list_item", "A hidden bullet")),
			b("quote", map[string]any{"rich_text": rt("A quote worth keeping."), "color": "gray"}),
			b("callout", map[string]any{"rich_text": rt("A callout with an icon."), "icon": map[string]any{"type": "emoji", "emoji": "💡"}, "color": "gray_background"},
				txt("paragraph", "A callout child.")),
			b("code", map[string]any{"rich_text": rt(fmt.Sprintf("func section%d() int {\n\treturn %d\n}", i, i)), "language": langs[i%4]}),
			b("divider", map[string]any{}),
			b("equation", map[string]any{"expression": fmt.Sprintf("e^{i\\pi} + %d = %d", i, i+1)}),
			b("table", map[string]any{"table_width": 3, "has_column_header": true, "has_row_header": false},
				b("table_row", map[string]any{"cells": []any{rt("Name"), rt("Role"), rt("Since")}}),
				b("table_row", map[string]any{"cells": []any{rt("Ada"), rt("Engineer"), rt("1843")}}),
				b("table_row", map[string]any{"cells": []any{rt("Grace"), rt("Admiral"), rt("1944")}})),
			b("image", map[string]any{"type": "external", "external": map[string]any{"url": fmt.Sprintf("https://images.example.com/%d.png", i)}, "caption": rt("Figure " + fmt.Sprint(i))}),
			b("bookmark", map[string]any{"url": fmt.Sprintf("https://example.com/article/%d", i), "caption": []any{}}),
			b("embed", map[string]any{"url": fmt.Sprintf("https://example.com/embed/%d", i)}),
		}
		switch i {
		case 1:
			sec = append(sec, b("column_list", map[string]any{},
				b("column", map[string]any{}, txt("paragraph", "Left column")),
				b("column", map[string]any{}, txt("paragraph", "Right column"))))
		case 2:
			sec = append(sec, b("video", map[string]any{"type": "external", "external": map[string]any{"url": "https://video.example.com/demo.mp4"}}),
				b("pdf", map[string]any{"type": "external", "external": map[string]any{"url": "https://example.com/spec.pdf"}}),
				b("audio", map[string]any{"type": "external", "external": map[string]any{"url": "https://example.com/talk.mp3"}}),
				b("file", map[string]any{"type": "external", "external": map[string]any{"url": "https://example.com/notes.txt"}, "caption": rt("Notes")}),
				b("breadcrumb", map[string]any{}),
				b("link_to_page", map[string]any{"type": "page_id", "page_id": ws.sample.Handbook}))
		case 3:
			sec = append(sec, b("synced_block", map[string]any{"synced_from": nil}, txt("paragraph", "Synced content")),
				b("synced_block", map[string]any{"synced_from": map[string]any{"type": "block_id", "block_id": privateSynced}}))
		}
		for _, s := range sec {
			blocks = append(blocks, s)
		}
	}
	zoo.children = append(zoo.children, f.createBlocks(zoo, blocks)...)
	return zoo
}
