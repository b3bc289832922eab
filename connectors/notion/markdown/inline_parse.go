package markdown

import (
	"html"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

var tagRE = regexp.MustCompile(`^<(/?)([a-zA-Z][a-zA-Z0-9_-]*)((?:\s+[a-zA-Z][a-zA-Z0-9_-]*="[^"]*")*)\s*(/?)>`)
var attrRE = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9_-]*)="([^"]*)"`)

// attrs parses the attributes of a tag.
func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(s, -1) {
		m[a[1]] = html.UnescapeString(a[2])
	}
	return m
}

type spanAttr struct {
	color     string
	underline bool
}

type inlineParser struct {
	s     string
	out   []RichText
	cur   strings.Builder
	ann   Annotations // bold, italic, strike, code from toggles
	spans []spanAttr
	href  string
}

// ParseInline parses NFM inline markup into rich text ready for an API request: runs with
// the same style are merged and text is split at MaxTextLen characters.
func ParseInline(s string) []RichText {
	p := &inlineParser{s: s}
	p.run()
	return SplitLong(mergeRuns(p.out))
}

func (p *inlineParser) annotations() Annotations {
	a := p.ann
	for _, sp := range p.spans {
		if sp.color != "" {
			a.Color = apiColor(sp.color)
		}
		if sp.underline {
			a.Underline = true
		}
	}
	return a
}

func (p *inlineParser) flush() {
	if p.cur.Len() == 0 {
		return
	}
	p.emit(RichText{Type: "text", Text: &Text{Content: p.cur.String()}})
	p.cur.Reset()
}

func (p *inlineParser) emit(r RichText) {
	a := p.annotations()
	if r.Type != "text" {
		a.Code = false
	} else if p.href != "" {
		r.Text.Link = &Link{URL: p.href}
	}
	if !a.plain() {
		r.Annotations = &a
	}
	p.out = append(p.out, r)
}

func (p *inlineParser) run() {
	s := p.s
	linkEnd, linkResume := -1, -1
	for i := 0; i < len(s); {
		if i == linkEnd {
			p.flush()
			p.href = ""
			i, linkEnd = linkResume, -1
			continue
		}
		c := s[i]
		if p.ann.Code {
			switch {
			case c == '`':
				p.flush()
				p.ann.Code = false
				i++
			case c == '\\' && i+1 < len(s) && s[i+1] < 128 && isPunct(s[i+1]):
				p.cur.WriteByte(s[i+1])
				i += 2
			case strings.HasPrefix(s[i:], "<br>"):
				p.cur.WriteByte('\n')
				i += 4
			default:
				p.cur.WriteByte(c)
				i++
			}
			continue
		}
		switch {
		case c == '\\' && i+1 < len(s) && (isPunct(s[i+1]) || s[i+1] == ' ' || s[i+1] == '\t'):
			p.cur.WriteByte(s[i+1])
			i += 2
		case strings.HasPrefix(s[i:], "**"):
			p.flush()
			p.ann.Bold = !p.ann.Bold
			i += 2
		case c == '*':
			p.flush()
			p.ann.Italic = !p.ann.Italic
			i++
		case strings.HasPrefix(s[i:], "~~"):
			p.flush()
			p.ann.Strikethrough = !p.ann.Strikethrough
			i += 2
		case c == '`':
			p.flush()
			p.ann.Code = true
			i++
		case c == '[' && linkEnd < 0:
			end, url, resume := findLinkEnd(s, i+1)
			if end < 0 {
				p.cur.WriteByte(c)
				i++
				break
			}
			p.flush()
			p.href, linkEnd, linkResume = url, end, resume
			i++
		case c == '$':
			j := findUnescaped(s, i+1, '$')
			if j <= i+1 {
				p.cur.WriteByte(c)
				i++
				break
			}
			p.flush()
			p.emit(RichText{Type: "equation", Equation: &Equation{Expression: unescapeEq(s[i+1 : j])}})
			i = j + 1
		case c == '<':
			if n := p.tag(s[i:]); n > 0 {
				i += n
				break
			}
			p.cur.WriteByte(c)
			i++
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			p.cur.WriteString(s[i : i+size])
			i += size
		}
	}
	p.flush()
}

// tag handles an inline tag at the start of s and returns its length, or 0 if s does not
// start with one that NFM knows.
func (p *inlineParser) tag(s string) int {
	if strings.HasPrefix(s, "<br>") {
		p.cur.WriteByte('\n')
		return 4
	}
	m := tagRE.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	closing, name, at, self := m[1] == "/", m[2], attrs(m[3]), m[4] == "/"
	n := len(m[0])
	switch {
	case name == "br":
		p.cur.WriteByte('\n')
		return n
	case name == "span" && closing:
		if len(p.spans) == 0 {
			return 0
		}
		p.flush()
		p.spans = p.spans[:len(p.spans)-1]
		return n
	case name == "span":
		p.flush()
		p.spans = append(p.spans, spanAttr{color: at["color"], underline: at["underline"] == "true"})
		return n
	case closing:
		return 0
	case name == "mention-date":
		p.flush()
		d := &Date{Start: at["start"]}
		if e := at["end"]; e != "" {
			d.End = &e
		}
		if tz := at["timeZone"]; tz != "" {
			d.TimeZone = &tz
		}
		if !self {
			n += closeTag(s[n:], name)
		}
		p.emit(RichText{Type: "mention", Mention: &Mention{Type: "date", Date: d}, PlainText: d.Start})
		return n
	case strings.HasPrefix(name, "mention-"):
		kind := strings.ReplaceAll(strings.TrimPrefix(name, "mention-"), "-", "_")
		id := IDFromURL(at["url"])
		if id == "" {
			return 0
		}
		title := ""
		if !self {
			end := strings.Index(s[n:], "</"+name+">")
			if end < 0 {
				return 0
			}
			title = unescape(s[n : n+end])
			n += end + len("</"+name+">")
		}
		men := &Mention{Type: kind}
		ref := &Ref{ID: id}
		switch kind {
		case "user":
			men.User = ref
		case "page":
			men.Page = ref
		case "database":
			men.Database = ref
		case "data_source":
			men.DataSource = ref
		default:
			return 0
		}
		p.flush()
		p.emit(RichText{Type: "mention", Mention: men, PlainText: title})
		return n
	}
	return 0
}

// closeTag returns the length of an optional closing tag </name> (with nothing before it)
// at the start of s.
func closeTag(s, name string) int {
	if strings.HasPrefix(s, "</"+name+">") {
		return len(name) + 3
	}
	return 0
}

// findLinkEnd finds the "](url)" that closes a link whose text starts at i. It returns the
// index of "]", the URL, and the index after ")", or -1.
func findLinkEnd(s string, i int) (int, string, int) {
	code := false
	for j := i; j < len(s); j++ {
		switch c := s[j]; {
		case c == '\\':
			j++
		case c == '`':
			code = !code
		case c == '[' && !code:
			return -1, "", 0
		case c == ']' && !code:
			if j+1 >= len(s) || s[j+1] != '(' {
				return -1, "", 0
			}
			k := strings.IndexByte(s[j+2:], ')')
			if k < 0 {
				return -1, "", 0
			}
			url := strings.NewReplacer("%29", ")", "%20", " ").Replace(s[j+2 : j+2+k])
			return j, url, j + 2 + k + 1
		}
	}
	return -1, "", 0
}

func findUnescaped(s string, i int, c byte) int {
	for j := i; j < len(s); j++ {
		if s[j] == '\\' {
			j++
			continue
		}
		if s[j] == c {
			return j
		}
	}
	return -1
}

func isPunct(c byte) bool {
	return c < 128 && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

// unescape removes backslash escapes and turns <br> into newlines.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && isPunct(s[i+1]):
			b.WriteByte(s[i+1])
			i++
		case strings.HasPrefix(s[i:], "<br>"):
			b.WriteByte('\n')
			i += 3
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// mergeRuns joins consecutive text runs with the same style and link.
func mergeRuns(in []RichText) []RichText {
	var out []RichText
	for _, r := range in {
		if r.Type == "text" && r.Text.Content == "" {
			continue
		}
		if n := len(out); n > 0 && r.Type == "text" && out[n-1].Type == "text" &&
			out[n-1].ann() == r.ann() && linkOf(out[n-1]) == linkOf(r) {
			t := *out[n-1].Text
			t.Content += r.Text.Content
			out[n-1].Text = &t
			continue
		}
		out = append(out, r)
	}
	return out
}

func linkOf(r RichText) string {
	if r.Text == nil || r.Text.Link == nil {
		return ""
	}
	return r.Text.Link.URL
}

// SplitLong splits text items longer than MaxTextLen characters (counted as the API counts
// them, in UTF-16 code units) into several items with the same style and link.
func SplitLong(in []RichText) []RichText {
	var out []RichText
	for _, r := range in {
		if r.Type != "text" || r.Text == nil || utf16Len(r.Text.Content) <= MaxTextLen {
			out = append(out, r)
			continue
		}
		rest := r.Text.Content
		for rest != "" {
			n, units := 0, 0
			for _, c := range rest {
				u := utf16.RuneLen(c)
				if u < 0 {
					u = 1
				}
				if units+u > MaxTextLen {
					break
				}
				units += u
				n += utf8.RuneLen(c)
			}
			piece := r
			t := *r.Text
			t.Content = rest[:n]
			piece.Text = &t
			out = append(out, piece)
			rest = rest[n:]
		}
	}
	return out
}

func utf16Len(s string) int {
	n := 0
	for _, c := range s {
		if c >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
