package notion

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/patchbay-mcp/patchbay/connectors/notion/markdown"
)

func TestToolsListIsCompactAndHonest(t *testing.T) {
	r := newRig(t)
	res, err := r.cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(res)
	if len(raw) > 12*1024 {
		t.Errorf("tools/list is %d bytes, budget 12 KiB", len(raw))
	}
	want := map[string]bool{ToolSearch: true, ToolFetch: true, ToolQuery: true, ToolGetComments: true, ToolGetUsers: true, ToolGetSelf: true,
		ToolCreatePages: false, ToolUpdatePage: false, ToolAppend: false, ToolCreateComment: false}
	if len(res.Tools) != len(want) {
		t.Errorf("%d tools, want %d", len(res.Tools), len(want))
	}
	for _, tool := range res.Tools {
		ro, ok := want[tool.Name]
		if !ok {
			t.Errorf("unexpected tool %s", tool.Name)
			continue
		}
		a := tool.Annotations
		if a == nil || a.ReadOnlyHint != ro {
			t.Errorf("%s: readOnlyHint should be %v", tool.Name, ro)
		}
		if !ro && (a.DestructiveHint == nil || *a.DestructiveHint != (tool.Name == ToolUpdatePage)) {
			t.Errorf("%s: destructiveHint wrong", tool.Name)
		}
	}
}

func TestSearch(t *testing.T) {
	r := newRig(t)
	text, sc := r.call(ToolSearch, map[string]any{"query": "day one"}, false)
	mustContain(t, text, "Day One Checklist · page · "+r.s.DayOne+" · parent page "+r.s.Onboarding)
	if hits := sc["results"].([]any); len(hits) != 1 || hits[0].(map[string]any)["id"] != r.s.DayOne {
		t.Errorf("structured results = %v", sc)
	}
	text = r.ok(ToolSearch, map[string]any{"query": "tasks", "type": "data_source"})
	mustContain(t, text, "Tasks · data source · "+r.s.TasksDS)
	if strings.Contains(r.ok(ToolSearch, map[string]any{"query": "Salaries"}), "Salaries") {
		t.Error("search shows a page that is not shared")
	}
	text = r.ok(ToolSearch, map[string]any{"query": "task", "page_size": 5})
	mustContain(t, text, "More results: call again with start_cursor=")
	r.fails(ToolSearch, map[string]any{"query": "x", "type": "block"})
}

// countBlocks counts blocks recursively, as the fake's BlockCount does.
func countBlocks(bs []markdown.Block) int {
	n := 0
	for _, b := range bs {
		n += 1 + countBlocks(b.Children)
	}
	return n
}

func body(md string) string {
	if i := strings.Index(md[4:], "\n---\n"); i >= 0 {
		return md[4+i+5:]
	}
	return md
}

func TestFetchPageRendersEveryBlock(t *testing.T) {
	r := newRig(t)
	text := r.ok(ToolFetch, map[string]any{"id": markdown.PageURL(r.s.BlockZoo)})
	mustContain(t, text, "title: Block Zoo", "icon: 🧪", "## Section 12", "```go", "<table header-row=\"true\">",
		"<page url=", "Zoo Child Page</page>", "<mention-user url=\"user://"+r.s.AdaID+"\">@Ada Lovelace</mention-user>",
		"$a^2+b^2=c^2$", "<synced_block>", "<columns>", "<callout icon=\"💡\" color=\"gray_bg\">", "- [x] A done task",
		"\t\t- Deeper bullet", "<details><summary>A toggle</summary>", "![Figure 3](https://images.example.com/3.png)",
		`### Lists of section 1 {color="blue"}`, `<audio src="https://example.com/talk.mp3"></audio>`, `<file src="https://example.com/notes.txt">Notes</file>`,
		`<pdf src=`, `<video src=`, "<breadcrumb/>", `<link-to-page url="`+markdown.PageURL(r.s.Handbook)+`"/>`, "$$\ne^{i\\pi} + 1 = 2\n$$",
		`<bookmark url="https://example.com/article/1"></bookmark>`, `<embed src="https://example.com/embed/1"></embed>`, "```go\nfunc section4() int {\n\treturn 4\n}\n```")
	// The synced copy of a block on an unshared page cannot be read; the output says so.
	const note = "\n<!-- the content of 1 nested block(s) could not be read: they come from pages not shared with the integration -->\n"
	mustContain(t, text, note)
	got := countBlocks(markdown.Parse(strings.Replace(body(text), note, "", 1)))
	if want := r.fake.BlockCount(r.s.BlockZoo); got != want || want < 300 {
		t.Errorf("fetched Markdown holds %d blocks, the page has %d", got, want)
	}
	// Fetching by dashless id and by a slugged URL gives the same page.
	if t2 := r.ok(ToolFetch, map[string]any{"id": strings.ReplaceAll(r.s.BlockZoo, "-", "")}); t2 != text {
		t.Error("dashless id fetch differs")
	}
}

func TestFetchDatabaseAndDataSource(t *testing.T) {
	r := newRig(t)
	text := r.ok(ToolFetch, map[string]any{"id": r.s.TasksDB})
	mustContain(t, text, "database: Tasks", "- Status: status (Not started, In progress, Done)", "| id | Name |",
		"Task 1: ", "More rows: notion-query-database")
	if rows := strings.Count(text, "\n| "+"") - 1; rows < 25 {
		t.Errorf("database preview has %d rows", rows)
	}
	text = r.ok(ToolFetch, map[string]any{"id": "collection://" + r.s.TasksDS})
	mustContain(t, text, "data_source: Tasks", "- Priority: select (High, Medium, Low)")
	// A data source id without the collection:// prefix is found too.
	mustContain(t, r.ok(ToolFetch, map[string]any{"id": r.s.TasksDS}), "data_source: Tasks")
	// A block id renders that block.
	mustContain(t, r.ok(ToolFetch, map[string]any{"id": r.s.Engineering}), "title: Engineering", "- [ ] Set up the pager")
}

func TestFetchErrors(t *testing.T) {
	r := newRig(t)
	msg := r.fails(ToolFetch, map[string]any{"id": r.s.Private})
	mustContain(t, msg, "object_not_found", "••• → Connections → add “Patchbay Test Bot”")
	mustContain(t, r.fails(ToolFetch, map[string]any{"id": "not-an-id"}), "is not a Notion id or URL", "notion-search")
	// Schema validation by the SDK: a missing required argument.
	r.fails(ToolFetch, map[string]any{})
}

func TestQueryDatabase(t *testing.T) {
	r := newRig(t)
	text, sc := r.call(ToolQuery, map[string]any{"data_source_id": r.s.TasksDS,
		"filter": map[string]any{"property": "Status", "status": map[string]any{"equals": "Done"}}}, false)
	mustContain(t, text, "17 rows from data source", "| Done |")
	if rows := sc["rows"].([]any); len(rows) != 17 || rows[0].(map[string]any)["Status"] != "Done" {
		t.Errorf("structured rows: %d", len(rows))
	}
	// Clients that double-encode objects, a database id instead of a data source id, sorts
	// given as one object, and the list format all work.
	text = r.ok(ToolQuery, map[string]any{"data_source_id": markdown.PageURL(r.s.TasksDB),
		"filter": `{"property":"Estimate","number":{"greater_than":7}}`, "sorts": map[string]any{"property": "Name", "direction": "descending"},
		"format": "list"})
	mustContain(t, text, "rows from data source "+r.s.TasksDS, "Estimate: 8")
	if strings.Contains(text, "Estimate: 7") {
		t.Error("filter ignored")
	}
	text = r.ok(ToolQuery, map[string]any{"data_source_id": r.s.TasksDS, "page_size": 10})
	mustContain(t, text, "10 rows", "More rows: call again with start_cursor=")
	msg := r.fails(ToolQuery, map[string]any{"data_source_id": r.s.TasksDS, "filter": map[string]any{"property": "Status", "select": map[string]any{"equals": "Done"}}})
	mustContain(t, msg, "validation_error", "Fix the value")
	mustContain(t, r.fails(ToolQuery, map[string]any{"data_source_id": r.s.TasksDS, "filter": "[1]"}), "filter must be an object")
}

// bigDocument has more than 100 top-level blocks, nesting four levels deep, a table of 120
// rows and a paragraph over the 2,000-character limit.
func bigDocument() string {
	var b strings.Builder
	b.WriteString("# Big document\n")
	b.WriteString(strings.Repeat("long text ", 450) + "end\n")
	for i := range 130 {
		fmt.Fprintf(&b, "- item %d\n", i)
	}
	b.WriteString("- level 0\n\t- level 1\n\t\t- level 2\n\t\t\t- level 3\n\t\t\t\t- level 4\n")
	b.WriteString("<details><summary>Toggle</summary>\n\t- child\n\t\t<table header-row=\"true\">\n\t\t\t<tr><td>a</td><td>b</td></tr>\n\t\t\t<tr><td>1</td><td>2</td></tr>\n\t\t</table>\n</details>\n")
	b.WriteString("<table>\n")
	for i := range 120 {
		fmt.Fprintf(&b, "\t<tr><td>row %d</td><td>**bold**</td></tr>\n", i)
	}
	b.WriteString("</table>\n")
	b.WriteString("```python\nprint('hi')\n```\n")
	return b.String()
}

func TestCreatePageWithBigContentRoundTrips(t *testing.T) {
	r := newRig(t)
	doc := bigDocument()
	text, sc := r.call(ToolCreatePages, map[string]any{"parent": map[string]any{"page_id": r.s.Meeting},
		"pages": []any{map[string]any{"title": "Big **one**", "content": doc, "icon": "📦"}}}, false)
	mustContain(t, text, "Created 1 page(s)", "Big one")
	id := sc["pages"].([]any)[0].(map[string]any)["id"].(string)
	got := r.ok(ToolFetch, map[string]any{"id": id})
	mustContain(t, got, "title: Big one", "icon: 📦")
	if body(got) != markdown.Render(markdown.Parse(doc)) {
		t.Errorf("content changed on the way through Notion:\n%s", clip(body(got)))
	}
	// Appending the same document to an existing page also survives intact.
	r.ok(ToolAppend, map[string]any{"page_id": id, "content": doc})
	got = body(r.ok(ToolFetch, map[string]any{"id": id}))
	want := markdown.Render(markdown.Parse(doc))
	if got != want+want {
		t.Errorf("appended content differs")
	}
}

func TestAppendAfterBlock(t *testing.T) {
	r := newRig(t)
	first := r.ok(ToolAppend, map[string]any{"page_id": r.s.Meeting, "content": "- [ ] one\n- [ ] two\n- [ ] three"})
	mustContain(t, first, "Appended 3 block(s)")
	_, sc := r.call(ToolAppend, map[string]any{"page_id": r.s.Meeting, "content": "Top note"}, false)
	_ = sc
	text := r.ok(ToolFetch, map[string]any{"id": r.s.Meeting})
	mustContain(t, text, "- [ ] one\n- [ ] two\n- [ ] three\nTop note\n")
	// Insert after the first heading ("Attendees").
	kids, err := r.svc.c.Children(context.Background(), r.s.Meeting, "")
	if err != nil {
		t.Fatal(err)
	}
	r.ok(ToolAppend, map[string]any{"page_id": r.s.Meeting, "content": "Inserted", "after": kids.Results[0].ID})
	mustContain(t, r.ok(ToolFetch, map[string]any{"id": r.s.Meeting}), "## Attendees\nInserted\n- Ada")
	mustContain(t, r.fails(ToolAppend, map[string]any{"page_id": r.s.Meeting, "content": "\n\n"}), "content is empty")
}

func TestCreateRowsAndUpdate(t *testing.T) {
	r := newRig(t)
	text, sc := r.call(ToolCreatePages, map[string]any{"parent": map[string]any{"database_id": r.s.TasksDB},
		"pages": []any{map[string]any{"title": "Write the connector", "properties": map[string]any{
			"Status": "In progress", "Tags": []any{"backend", "docs"}, "Due": "2025-08-01/2025-08-03", "Estimate": 5,
			"Done": false, "Owner": []any{r.s.GraceID}, "Link": "https://example.com", "Notes": "with **bold**"},
			"content": "Details here."}}}, false)
	mustContain(t, text, "Created 1 page(s)")
	id := sc["pages"].([]any)[0].(map[string]any)["id"].(string)
	row := r.ok(ToolFetch, map[string]any{"id": id})
	mustContain(t, row, "Status: In progress", "Tags: backend, docs", "Due: 2025-08-01 → 2025-08-03", "Estimate: 5",
		"Owner: "+r.s.GraceID+" (Grace Hopper)", "Notes: with bold", "parent: data source "+r.s.TasksDS, "Details here.")
	msg := r.fails(ToolCreatePages, map[string]any{"parent": map[string]any{"data_source_id": r.s.TasksDS},
		"pages": []any{map[string]any{"title": "x", "properties": map[string]any{"Colour": "red"}}}})
	mustContain(t, msg, `property "Colour" does not exist`, "Status (status)")
	mustContain(t, r.fails(ToolCreatePages, map[string]any{"parent": map[string]any{"data_source_id": r.s.TasksDS},
		"pages": []any{map[string]any{"title": "x", "properties": map[string]any{"Status": "Doing"}}}}), "status must be one of: Not started, In progress, Done")
	mustContain(t, r.fails(ToolCreatePages, map[string]any{"parent": map[string]any{},
		"pages": []any{map[string]any{"title": "x"}}}), "exactly one of page_id")
	mustContain(t, r.fails(ToolCreatePages, map[string]any{"parent": map[string]any{"page_id": r.s.Meeting},
		"pages": []any{map[string]any{"title": "x", "properties": map[string]any{"Status": "Done"}}}}), "has only a title")

	// Update: properties by friendly value, title, icon, then trash and restore.
	up := r.ok(ToolUpdatePage, map[string]any{"page_id": id, "title": "Connector written", "properties": map[string]any{"Status": "Done", "Due": nil, "Done": "yes"}, "icon": "✅"})
	mustContain(t, up, "title: Connector written", "Status: Done", "Done: yes", "icon: ✅")
	if strings.Contains(up, "Due:") {
		t.Error("Due was not cleared")
	}
	mustContain(t, r.ok(ToolUpdatePage, map[string]any{"page_id": id, "in_trash": true}), "in_trash: true")
	if strings.Contains(r.ok(ToolSearch, map[string]any{"query": "Connector written"}), id) {
		t.Error("a trashed page is still found")
	}
	r.ok(ToolUpdatePage, map[string]any{"page_id": id, "in_trash": false})
	mustContain(t, r.ok(ToolSearch, map[string]any{"query": "Connector written"}), id)
	mustContain(t, r.fails(ToolUpdatePage, map[string]any{"page_id": id}), "nothing to change")
}

// TestStringifiedArguments covers clients that send object arguments as JSON strings,
// the most common complaint about the official server.
func TestStringifiedArguments(t *testing.T) {
	r := newRig(t)
	text := r.ok(ToolCreatePages, map[string]any{"parent": `{"data_source_id":"` + r.s.TasksDS + `"}`,
		"pages": `[{"title":"From a string","properties":"{\"Status\":\"Done\"}"}]`})
	mustContain(t, text, "Created 1 page(s)", "From a string")
	mustContain(t, r.ok(ToolQuery, map[string]any{"data_source_id": r.s.TasksDS,
		"filter": `{"property":"Name","title":{"contains":"From a string"}}`}), "1 rows", "| Done |")
	mustContain(t, r.ok(ToolFetch, `{"id":"`+r.s.Meeting+`"}`), "title: Meeting Notes 2025-06")
}

func TestComments(t *testing.T) {
	r := newRig(t)
	text := r.ok(ToolGetComments, map[string]any{"page_id": r.s.Engineering})
	mustContain(t, text, "Ada Lovelace", "Grace Hopper", "discussion "+r.s.Discussion, "Can we add the incident template here?")
	mustContain(t, r.ok(ToolCreateComment, map[string]any{"discussion_id": r.s.Discussion, "content": "Done, see **the page**"}), "discussion "+r.s.Discussion)
	mustContain(t, r.ok(ToolCreateComment, map[string]any{"page_id": r.s.Meeting, "content": "Nice notes"}), "Comment ")
	text = r.ok(ToolGetComments, map[string]any{"page_id": r.s.Meeting})
	mustContain(t, text, "Patchbay Test Bot", "Nice notes")
	mustContain(t, r.ok(ToolGetComments, map[string]any{"page_id": r.s.Engineering}), "Done, see **the page**")
	mustContain(t, r.fails(ToolCreateComment, map[string]any{"content": "x"}), "exactly one of page_id")
}

func TestUsersAndSelf(t *testing.T) {
	r := newRig(t)
	mustContain(t, r.ok(ToolGetUsers, map[string]any{}), "Ada Lovelace · person · "+r.s.AdaID+" · ada@acme.test", "Patchbay Test Bot · bot")
	text := r.ok(ToolGetUsers, map[string]any{"query": "grace"})
	if strings.Contains(text, "Ada") || !strings.Contains(text, "Grace Hopper") {
		t.Errorf("query filter: %s", text)
	}
	mustContain(t, r.ok(ToolGetUsers, map[string]any{"user_id": "self"}), "Patchbay Test Bot · bot")
	mustContain(t, r.ok(ToolGetSelf, map[string]any{}), "Integration “Patchbay Test Bot”", "workspace “Acme Labs”")
}

// TestInlineFormattingThroughTheAPI writes every inline style, mention and block color
// through create-pages and reads it back unchanged.
func TestInlineFormattingThroughTheAPI(t *testing.T) {
	r := newRig(t)
	doc := strings.Join([]string{
		"Plain, **bold**, *italic*, ~~struck~~, `code`, <span underline=\"true\">under</span>, <span color=\"red\">red</span>, <span color=\"blue_bg\">**bold on blue**</span>.",
		"A [link](https://example.com/a?b=1) and [**bold link**](https://example.com/b), math $x^2 + \\sqrt{y}$, an escaped \\* and \\[brackets\\].",
		"<mention-user url=\"user://" + r.s.AdaID + "\">@Ada Lovelace</mention-user> wrote <mention-page url=\"" + markdown.PageURL(r.s.Engineering) + "\">Engineering</mention-page> on <mention-date start=\"2025-03-01\" end=\"2025-03-05\"/>.",
		"Line one<br>line two {color=\"gray\"}",
		"- [x] done *with style* {color=\"green_bg\"}",
		"> quoted `code`",
		"<callout icon=\"🚀\" color=\"purple_bg\">",
		"\tLaunch **now**",
		"</callout>",
		"<table header-row=\"true\" header-column=\"true\">",
		"\t<tr><td>**k**</td><td>[v](https://example.com/v)</td></tr>",
		"\t<tr><td>a \\| b</td><td>$e$</td></tr>",
		"</table>",
	}, "\n") + "\n"
	_, sc := r.call(ToolCreatePages, map[string]any{"parent": map[string]any{"page_id": r.s.Meeting},
		"pages": []any{map[string]any{"title": "Inline", "content": doc}}}, false)
	id := sc["pages"].([]any)[0].(map[string]any)["id"].(string)
	got := body(r.ok(ToolFetch, map[string]any{"id": id}))
	if want := markdown.Render(markdown.Parse(doc)); got != want {
		t.Errorf("through the API:\n%s\nwant:\n%s", got, want)
	}
	if got != doc {
		t.Errorf("the document is not in canonical form, or changed:\n%s", got)
	}
}

// TestFetchTruncatesHugePages checks that a page past the fetch budget is cut, says so, and
// costs a bounded number of requests.
func TestFetchTruncatesHugePages(t *testing.T) {
	r := newRig(t)
	var b strings.Builder
	for i := range maxFetchBlocks + 150 {
		fmt.Fprintf(&b, "Paragraph %d\n", i)
	}
	r.ok(ToolAppend, map[string]any{"page_id": r.s.Meeting, "content": b.String()})
	r.fake.ResetRequests()
	text := r.ok(ToolFetch, map[string]any{"id": r.s.Meeting})
	mustContain(t, text, "<!-- truncated: this page has more than 3000 blocks", "Paragraph 2990")
	if strings.Contains(text, fmt.Sprintf("Paragraph %d\n", maxFetchBlocks+100)) {
		t.Error("content past the budget was returned")
	}
	if n := len(r.fake.Requests()); n > maxFetchBlocks/100+5 {
		t.Errorf("%d requests for a truncated fetch", n)
	}
}
