package markdown

import (
	"html"
	"strings"
)

// specials are the characters NFM escapes with a backslash outside code.
const specials = "\\*~`$[]<>{}|^"

// codeSpecials are the characters escaped inside an inline code span.
const codeSpecials = "\\`<"

// apiColor turns an NFM color ("red", "red_bg") into the API's ("red", "red_background").
func apiColor(c string) string {
	if strings.HasSuffix(c, "_bg") {
		return strings.TrimSuffix(c, "_bg") + "_background"
	}
	return c
}

// nfmColor turns an API color into NFM's; "default" becomes "".
func nfmColor(c string) string {
	if c == "default" {
		return ""
	}
	if strings.HasSuffix(c, "_background") {
		return strings.TrimSuffix(c, "_background") + "_bg"
	}
	return c
}

func escape(s, set string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString("<br>")
		case r < 128 && strings.ContainsRune(set, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func attr(s string) string { return html.EscapeString(s) }

// token is one rendered piece of inline content with its styles.
type token struct {
	ann    Annotations
	href   string // links: text runs only
	text   string // text content (kind "text")
	atomic string // pre-rendered mention or equation markup
}

// RenderInline renders rich text as NFM inline markup.
func RenderInline(rt []RichText) string {
	var toks []token
	for _, r := range rt {
		a := r.ann()
		switch {
		case r.Type == "text" || (r.Type == "" && r.Text != nil):
			if r.Text == nil || r.Text.Content == "" {
				continue
			}
			href := ""
			if r.Text.Link != nil {
				href = r.Text.Link.URL
			}
			toks = append(toks, token{ann: a, href: href, text: r.Text.Content})
		case r.Type == "equation" && r.Equation != nil:
			a.Code = false
			toks = append(toks, token{ann: a, atomic: "$" + escapeEq(r.Equation.Expression) + "$"})
		case r.Type == "mention" && r.Mention != nil:
			a.Code = false
			if m := renderMention(r); m.atomic != "" {
				m.ann = a
				toks = append(toks, m)
			} else if m.text != "" {
				m.ann = a
				toks = append(toks, m)
			}
		default:
			if r.PlainText != "" {
				toks = append(toks, token{ann: a, text: r.PlainText})
			}
		}
	}
	var b strings.Builder
	for i := 0; i < len(toks); {
		j := i + 1
		for j < len(toks) && spanKey(toks[j].ann) == spanKey(toks[i].ann) {
			j++
		}
		open, close := spanTags(toks[i].ann)
		b.WriteString(open)
		renderRuns(&b, toks[i:j])
		b.WriteString(close)
		i = j
	}
	return b.String()
}

func spanKey(a Annotations) string {
	k := a.color()
	if a.Underline {
		k += "|u"
	}
	return k
}

func spanTags(a Annotations) (string, string) {
	c, u := nfmColor(a.color()), a.Underline
	if c == "" && !u {
		return "", ""
	}
	open := "<span"
	if u {
		open += ` underline="true"`
	}
	if c != "" {
		open += ` color="` + attr(c) + `"`
	}
	return open + ">", "</span>"
}

// renderRuns writes the runs of one span group. Bold, italic, strikethrough and code are
// toggling markers (**, *, ~~, `), opened and closed only where the style changes; links
// wrap runs that share a URL. One state machine covers the whole group, so a closing
// marker is never glued to an opening one of another run ("*" + "*" would read as "**").
func renderRuns(b *strings.Builder, toks []token) {
	var st Annotations
	href := ""
	move := func(want Annotations) {
		if st.Code && (!want.Code || want.Bold != st.Bold || want.Italic != st.Italic || want.Strikethrough != st.Strikethrough) {
			b.WriteByte('`')
			st.Code = false
		}
		if want.Bold != st.Bold {
			b.WriteString("**")
		}
		if want.Italic != st.Italic {
			b.WriteString("*")
		}
		if want.Strikethrough != st.Strikethrough {
			b.WriteString("~~")
		}
		if want.Code && !st.Code {
			b.WriteByte('`')
		}
		st = Annotations{Bold: want.Bold, Italic: want.Italic, Strikethrough: want.Strikethrough, Code: want.Code}
	}
	setLink := func(to string) {
		if to == href {
			return
		}
		move(Annotations{})
		if href != "" {
			b.WriteString("](" + strings.NewReplacer(")", "%29", " ", "%20").Replace(href) + ")")
		}
		if to != "" {
			b.WriteByte('[')
		}
		href = to
	}
	for _, t := range toks {
		setLink(t.href)
		move(t.ann)
		switch {
		case t.atomic != "":
			b.WriteString(t.atomic)
		case st.Code:
			b.WriteString(escape(t.text, codeSpecials))
		default:
			b.WriteString(escape(t.text, specials))
		}
	}
	setLink("")
	move(Annotations{})
}

func renderMention(r RichText) token {
	m := r.Mention
	title := escape(r.PlainText, specials)
	tag := func(name, url string) token {
		return token{atomic: "<" + name + ` url="` + attr(url) + `">` + title + "</" + name + ">"}
	}
	switch m.Type {
	case "user":
		if m.User != nil {
			return tag("mention-user", "user://"+m.User.ID)
		}
	case "page":
		if m.Page != nil {
			return tag("mention-page", PageURL(m.Page.ID))
		}
	case "database":
		if m.Database != nil {
			return tag("mention-database", PageURL(m.Database.ID))
		}
	case "data_source":
		if m.DataSource != nil {
			return tag("mention-data-source", "collection://"+m.DataSource.ID)
		}
	case "date":
		if m.Date != nil {
			s := `<mention-date start="` + attr(m.Date.Start) + `"`
			if m.Date.End != nil && *m.Date.End != "" {
				s += ` end="` + attr(*m.Date.End) + `"`
			}
			if m.Date.TimeZone != nil && *m.Date.TimeZone != "" {
				s += ` timeZone="` + attr(*m.Date.TimeZone) + `"`
			}
			return token{atomic: s + "/>"}
		}
	case "link_preview":
		if m.LinkPreview != nil {
			return token{text: nonEmpty(r.PlainText, m.LinkPreview.URL), href: m.LinkPreview.URL}
		}
	case "link_mention":
		if m.LinkMention != nil {
			return token{text: nonEmpty(r.PlainText, m.LinkMention.Href), href: m.LinkMention.Href}
		}
	}
	if r.Href != "" {
		return token{text: nonEmpty(r.PlainText, r.Href), href: r.Href}
	}
	return token{text: r.PlainText}
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// escapeEq escapes an inline equation minimally, so that LaTeX stays readable: "$", a
// backslash before "$", "\\", "<" or the end, newlines, and a literal "<br>".
func escapeEq(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '$':
			b.WriteString(`\$`)
		case c == '\\' && (i+1 == len(s) || strings.IndexByte("$\\<\n", s[i+1]) >= 0):
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString("<br>")
		case strings.HasPrefix(s[i:], "<br>"):
			b.WriteString(`\<`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescapeEq reverses escapeEq; other backslashes are LaTeX and stay.
func unescapeEq(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$\\<", s[i+1]) >= 0:
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
