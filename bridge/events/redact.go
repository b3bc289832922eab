package events

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"strings"
)

// Masked replaces a secret value in a redacted body or line.
const Masked = "[REDACTED]"

// secretKeySuffixes are the normalised (lowercase, no '_' or '-') endings of object keys whose
// values are secrets: "NOTION_TOKEN", "access_token", "Authorization", "client_secret",
// "x-api-key", "password". Keys that end in "token" but carry no secret are allowed below.
var secretKeySuffixes = []string{
	"token", "authorization", "secret", "password", "passwd", "apikey", "cookie", "privatekey", "credentials",
}

// harmlessKeys end like a secret key but are protocol fields a person needs to see.
var harmlessKeys = map[string]bool{
	"progresstoken": true, // MCP progress notifications
	"nextpagetoken": true,
}

// IsSecretKey reports whether an object key (a JSON field, an HTTP header, an environment
// variable) names a secret whose value must never be shown.
func IsSecretKey(key string) bool {
	k := normalizeKey(key)
	if harmlessKeys[k] {
		return false
	}
	for _, s := range secretKeySuffixes {
		if strings.HasSuffix(k, s) {
			return true
		}
	}
	return false
}

// normalizeKey lowercases key and drops '_' and '-', without allocating for short keys.
func normalizeKey(key string) string {
	var buf [64]byte
	b := buf[:0]
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '_' || c == '-':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

var (
	// "Bearer abc.def", "Basic dXNlcjpw": keep the scheme, mask the credential.
	authSchemeRE = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{4,}`)
	// Token shapes with a known prefix: Notion integration tokens (ntn_, secret_), OAuth
	// tokens some servers hand out, GitHub and OpenAI style keys.
	tokenShapeRE = regexp.MustCompile(`\b(ntn_|secret_|ghp_|gho_|github_pat_|sk-)[A-Za-z0-9_-]{8,}`)
	// NAME=value where NAME says secret, as in a child's stderr or a command line.
	envAssignRE = regexp.MustCompile(`(?i)\b([A-Z0-9_]*(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY))=("[^"]*"|'[^']*'|\S+)`)
	// "key": "value" pairs inside text that is not JSON we could parse (a truncated body, a
	// log line that quotes JSON).
	quotedPairRE = regexp.MustCompile(`"([A-Za-z0-9_-]*)"\s*:\s*"((?:[^"\\]|\\.)*)"`)
)

// RedactString masks secrets inside free text: bearer and basic credentials, tokens with a
// known prefix (ntn_..., secret_...), NAME=value where NAME names a secret, and "key":"value"
// pairs whose key names a secret. It is safe for concurrent use.
func RedactString(s string) string {
	if s == "" || !mayHoldSecret([]byte(s)) {
		return s
	}
	s = authSchemeRE.ReplaceAllString(s, "$1 "+Masked)
	s = tokenShapeRE.ReplaceAllString(s, Masked)
	s = envAssignRE.ReplaceAllString(s, "$1="+Masked)
	s = quotedPairRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := quotedPairRE.FindStringSubmatch(m)
		if IsSecretKey(sub[1]) {
			return `"` + sub[1] + `":"` + Masked + `"`
		}
		return m
	})
	return s
}

// Words whose presence (in text lowercased, with '_' and '-' dropped) means a body may hold a
// secret that Redact would mask; and token prefixes looked for as they are. A body with
// none of them is returned as is, which spares the common message a decode.
var (
	secretHints = [][]byte{[]byte("token"), []byte("authorization"), []byte("secret"), []byte("password"), []byte("passwd"),
		[]byte("apikey"), []byte("cookie"), []byte("privatekey"), []byte("credential"), []byte("bearer"), []byte("basic")}
	tokenPrefixes = [][]byte{[]byte("ntn_"), []byte("ghp_"), []byte("gho_"), []byte("github_pat_"), []byte("sk-")}
)

// mayHoldSecret reports whether Redact could change b. It errs on the side of yes.
func mayHoldSecret(b []byte) bool {
	for _, p := range tokenPrefixes {
		if bytes.Contains(b, p) {
			return true
		}
	}
	norm := make([]byte, 0, len(b))
	for _, c := range b {
		switch {
		case c == '_' || c == '-':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		norm = append(norm, c)
	}
	for _, h := range secretHints {
		if bytes.Contains(norm, h) {
			return true
		}
	}
	return false
}

// Redact returns body with secrets masked. A valid JSON body keeps its shape and key order:
// the value of every key that IsSecretKey names becomes "[REDACTED]" (whatever its type), and
// every other string is passed through RedactString. A body that is not valid JSON is treated
// as text. The input is never modified. Safe for concurrent use.
func Redact(body []byte) []byte {
	if len(body) == 0 || !mayHoldSecret(body) {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var out bytes.Buffer
	out.Grow(len(body))
	if err := redactValue(dec, &out, false); err != nil {
		return []byte(RedactString(string(body)))
	}
	if _, err := dec.Token(); err != io.EOF {
		// Trailing data: not one JSON value.
		return []byte(RedactString(string(body)))
	}
	return out.Bytes()
}

// redactValue copies one JSON value from dec to out, masking it whole when mask is set.
func redactValue(dec *json.Decoder, out *bytes.Buffer, mask bool) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		if mask {
			// Consume the whole container, emit one mask.
			if err := skipContainer(dec); err != nil {
				return err
			}
			writeString(out, Masked)
			return nil
		}
		if t == '{' {
			out.WriteByte('{')
			for first := true; dec.More(); first = false {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := kt.(string)
				if !first {
					out.WriteByte(',')
				}
				writeString(out, key)
				out.WriteByte(':')
				if err := redactValue(dec, out, IsSecretKey(key)); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil { // '}'
				return err
			}
			out.WriteByte('}')
			return nil
		}
		out.WriteByte('[')
		for first := true; dec.More(); first = false {
			if !first {
				out.WriteByte(',')
			}
			if err := redactValue(dec, out, false); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // ']'
			return err
		}
		out.WriteByte(']')
		return nil
	case string:
		if mask && t != "" {
			writeString(out, Masked)
		} else {
			writeString(out, RedactString(t))
		}
	case json.Number:
		if mask {
			writeString(out, Masked)
		} else {
			out.WriteString(t.String())
		}
	case bool:
		if t {
			out.WriteString("true")
		} else {
			out.WriteString("false")
		}
	case nil:
		out.WriteString("null")
	}
	return nil
}

func skipContainer(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
	}
	return nil
}

func writeString(out *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // a string always marshals
	out.Write(b)
}

// DefaultMaxBody is the largest body an event keeps; a longer one is cut (Event.Truncated).
const DefaultMaxBody = 64 << 10

// Body prepares a message body for an event: redacted, and at most max bytes (0 means
// DefaultMaxBody). A body that fits is returned redacted, as JSON. A longer one is cut, the
// cut text is redacted as text and returned as a JSON string, and truncated is true. The
// result is always valid JSON on one line. Safe for concurrent use.
func Body(body []byte, max int) (out json.RawMessage, truncated bool) {
	if max <= 0 {
		max = DefaultMaxBody
	}
	if len(body) <= max {
		r := Redact(body)
		if json.Valid(r) {
			if bytes.ContainsAny(r, "\r\n") { // one line, for the JSONL files
				var c bytes.Buffer
				_ = json.Compact(&c, r) // r is valid
				r = c.Bytes()
			}
			return r, false
		}
		b, _ := json.Marshal(string(r))
		return b, false
	}
	// Invalid UTF-8 left by the cut becomes U+FFFD when marshalled.
	b, _ := json.Marshal(RedactString(string(body[:max])))
	return b, true
}
