package clientconfig

import (
	"bytes"
	"encoding/json"
	"strings"
)

// field is one key of an ordered object.
type field struct {
	K string
	V any
}

// object is a JSON/YAML/TOML mapping whose keys keep the order we render them in. Values are
// string, bool, int, []string or object.
type object []field

// plain converts v to the generic form encoding/json decodes to, for comparisons.
func plain(v any) any {
	switch x := v.(type) {
	case object:
		m := make(map[string]any, len(x))
		for _, f := range x {
			m[f.K] = plain(f.V)
		}
		return m
	case []string:
		a := make([]any, len(x))
		for i, s := range x {
			a[i] = s
		}
		return a
	case int:
		return float64(x)
	default:
		return v
	}
}

// normalize maps any decoded document (from encoding/json, yaml.v3 or BurntSushi/toml) to
// the form encoding/json decodes to, so documents from different decoders compare equal.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

// jsonString renders s as a JSON string without HTML escaping.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// layout is how renderJSON lays a value out.
type layout int

const (
	multiLine layout = iota // objects span lines
	oneLine                 // {"a": 1, "b": [2]}
	tight                   // {"a":1,"b":[2]}, for minified files
)

// renderJSON renders v as JSON. With multiLine, objects span lines, each nested level
// indented by unit more than ind, with nl between lines; arrays of strings stay on one line.
// With oneLine or tight, the whole value is on one line.
func renderJSON(v any, ind, unit, nl string, lay layout) string {
	compact := lay != multiLine
	colon, comma := ": ", ", "
	if lay == tight {
		colon, comma = ":", ","
	}
	switch x := v.(type) {
	case object:
		if len(x) == 0 {
			return "{}"
		}
		var b strings.Builder
		b.WriteString("{")
		for i, f := range x {
			if compact {
				if i > 0 {
					b.WriteString(comma)
				}
			} else {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(nl + ind + unit)
			}
			b.WriteString(jsonString(f.K) + colon + renderJSON(f.V, ind+unit, unit, nl, lay))
		}
		if !compact {
			b.WriteString(nl + ind)
		}
		b.WriteString("}")
		return b.String()
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = jsonString(s)
		}
		return "[" + strings.Join(parts, comma) + "]"
	case string:
		return jsonString(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}
