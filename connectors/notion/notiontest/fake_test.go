package notiontest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

type client struct {
	t     *testing.T
	base  string
	token string
}

func (c client) do(method, path, body string, hdr ...string) (int, map[string]any, http.Header) {
	c.t.Helper()
	var rd *strings.Reader
	if body == "" {
		rd = strings.NewReader("")
	} else {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Notion-Version", "2025-09-03")
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		c.t.Fatalf("%s %s: decoding: %v", method, path, err)
	}
	return resp.StatusCode, m, resp.Header
}

func TestFakeEnforcesTheRules(t *testing.T) {
	f, url := Start(t)
	c := client{t, url, Token}
	s := f.Sample()
	cases := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		code                     string
	}{
		{"bad token", "GET", "/v1/users/me", "", []string{"Authorization", "Bearer ntn_wrong"}, 401, "unauthorized"},
		{"no version", "GET", "/v1/users/me", "", []string{"Notion-Version", ""}, 400, "missing_version"},
		{"unknown path", "GET", "/v1/nope", "", nil, 400, "invalid_request_url"},
		{"wrong method", "DELETE", "/v1/search", "", nil, 400, "invalid_request_url"},
		{"unshared page", "GET", "/v1/pages/" + s.Private, "", nil, 404, "object_not_found"},
		{"unshared children", "GET", "/v1/blocks/" + s.Private + "/children", "", nil, 404, "object_not_found"},
		{"bad json", "POST", "/v1/search", "{", nil, 400, "invalid_json"},
		{"page_size > 100", "GET", "/v1/blocks/" + s.BlockZoo + "/children?page_size=101", "", nil, 400, "validation_error"},
		{"bad cursor", "GET", "/v1/blocks/" + s.BlockZoo + "/children?start_cursor=zzz", "", nil, 400, "validation_error"},
		{"text too long", "PATCH", "/v1/blocks/" + s.Meeting + "/children",
			`{"children":[{"paragraph":{"rich_text":[{"text":{"content":"` + strings.Repeat("x", 2001) + `"}}]}}]}`, nil, 400, "validation_error"},
		{"too many children", "PATCH", "/v1/blocks/" + s.Meeting + "/children",
			`{"children":[` + strings.TrimSuffix(strings.Repeat(`{"divider":{}},`, 101), ",") + `]}`, nil, 400, "validation_error"},
		{"three levels", "PATCH", "/v1/blocks/" + s.Meeting + "/children",
			`{"children":[{"toggle":{"rich_text":[],"children":[{"toggle":{"rich_text":[],"children":[{"toggle":{"rich_text":[],"children":[{"divider":{}}]}}]}}]}}]}`, nil, 400, "validation_error"},
		{"child_page via append", "PATCH", "/v1/blocks/" + s.Meeting + "/children", `{"children":[{"child_page":{"title":"x"}}]}`, nil, 400, "validation_error"},
		{"unknown property", "POST", "/v1/pages", `{"parent":{"data_source_id":"` + s.TasksDS + `"},"properties":{"Nope":{"title":[]}}}`, nil, 400, "validation_error"},
		{"bad status", "POST", "/v1/pages", `{"parent":{"data_source_id":"` + s.TasksDS + `"},"properties":{"Status":{"status":{"name":"Bogus"}}}}`, nil, 400, "validation_error"},
		{"query a database id", "POST", "/v1/data_sources/" + s.TasksDB + "/query", `{}`, nil, 400, "validation_error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, m, _ := c.do(tc.method, tc.path, tc.body, tc.hdr...)
			if st != tc.status || m["code"] != tc.code || m["object"] != "error" {
				t.Errorf("got %d %v %v, want %d %s", st, m["code"], m["message"], tc.status, tc.code)
			}
		})
	}
	// Two levels of nesting are allowed.
	st, m, _ := c.do("PATCH", "/v1/blocks/"+s.Meeting+"/children",
		`{"children":[{"toggle":{"rich_text":[],"children":[{"toggle":{"rich_text":[],"children":[{"divider":{}}]}}]}}]}`)
	if st != 200 || len(m["results"].([]any)) != 1 {
		t.Errorf("two-level append: %d %v", st, m)
	}
}

func TestFakePaginatesAndThrottles(t *testing.T) {
	f, url := Start(t)
	c := client{t, url, Token}
	s := f.Sample()
	if n := f.BlockCount(s.BlockZoo); n < 300 {
		t.Fatalf("block zoo has %d blocks, want 300+", n)
	}
	var ids []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		path := "/v1/blocks/" + s.BlockZoo + "/children?page_size=100"
		if cursor != "" {
			path += "&start_cursor=" + cursor
		}
		st, m, _ := c.do("GET", path, "")
		if st != 200 {
			t.Fatalf("listing: %d %v", st, m)
		}
		for _, r := range m["results"].([]any) {
			ids = append(ids, r.(map[string]any)["id"].(string))
		}
		if m["has_more"] != true {
			break
		}
		cursor = m["next_cursor"].(string)
	}
	if len(ids) <= 100 {
		t.Errorf("zoo top level has %d blocks, want more than 100", len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("block %s listed twice", id)
		}
		seen[id] = true
	}
	f.Throttle(1, 3)
	st, m, h := c.do("GET", "/v1/users/me", "")
	if st != 429 || m["code"] != "rate_limited" || h.Get("Retry-After") != "3" {
		t.Errorf("throttled: %d %v Retry-After=%q", st, m["code"], h.Get("Retry-After"))
	}
	if st, m, _ := c.do("GET", "/v1/users/me", ""); st != 200 || m["name"] != "Patchbay Test Bot" {
		t.Errorf("after throttle: %d %v", st, m)
	}
}

func TestFakeQueryFilters(t *testing.T) {
	f, url := Start(t)
	c := client{t, url, Token}
	s := f.Sample()
	count := func(body string) int {
		t.Helper()
		st, m, _ := c.do("POST", "/v1/data_sources/"+s.TasksDS+"/query", body)
		if st != 200 {
			t.Fatalf("query %s: %d %v", body, st, m)
		}
		return len(m["results"].([]any))
	}
	if n := count(`{}`); n != 50 {
		t.Errorf("all rows: %d", n)
	}
	if n := count(`{"filter":{"property":"Status","status":{"equals":"Done"}}}`); n != 17 {
		t.Errorf("Status = Done: %d rows, want 17", n)
	}
	if n := count(`{"filter":{"and":[{"property":"Done","checkbox":{"equals":true}},{"property":"Estimate","number":{"greater_than":4}}]}}`); n == 0 || n >= 17 {
		t.Errorf("compound filter: %d rows", n)
	}
	if n := count(`{"filter":{"property":"Tags","multi_select":{"contains":"infra"}}}`); n == 0 {
		t.Errorf("multi_select contains: %d rows", n)
	}
	if n := count(`{"filter":{"property":"Due","date":{"is_empty":true}}}`); n != 5 {
		t.Errorf("empty Due: %d rows, want 5", n)
	}
	st, m, _ := c.do("POST", "/v1/data_sources/"+s.TasksDS+"/query", `{"filter":{"property":"Status","select":{"equals":"Done"}}}`)
	if st != 400 || m["code"] != "validation_error" {
		t.Errorf("mismatched filter type: %d %v", st, m)
	}
}
