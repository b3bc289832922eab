package app

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// tryForm is the Try it form of one tool, generated from its input schema: an entry per
// string (a choice for an enum), a number entry per number or integer, a check per boolean,
// and a JSON entry for arrays, objects and anything else. Touch it only on Fyne's goroutine.
type tryForm struct {
	form   *widget.Form
	fields []*tryField
}

// tryField is one argument of the form.
type tryField struct {
	name     string
	typ      string // string, number, integer, boolean, or json
	required bool
	entry    *widget.Entry  // string, number, integer, json
	choice   *widget.Select // string with an enum
	check    *widget.Check  // boolean
}

// inputSchema is the part of a JSON Schema the form reads.
type inputSchema struct {
	Properties map[string]propSchema `json:"properties"`
	Required   []string              `json:"required"`
}

type propSchema struct {
	Type        json.RawMessage `json:"type"`
	Description string          `json:"description"`
	Enum        []any           `json:"enum"`
	Default     any             `json:"default"`
}

// typeName is the schema's type, the first that is not "null" when it lists several.
func (p propSchema) typeName() string {
	var one string
	if json.Unmarshal(p.Type, &one) == nil {
		return one
	}
	var many []string
	if json.Unmarshal(p.Type, &many) == nil {
		for _, t := range many {
			if t != "null" {
				return t
			}
		}
	}
	return ""
}

// newTryForm builds the form for schema. Required arguments come first, each group by name.
func newTryForm(schema json.RawMessage) (*tryForm, error) {
	var s inputSchema
	if len(schema) > 0 {
		if err := json.Unmarshal(schema, &s); err != nil {
			return nil, fmt.Errorf("reading the tool's input schema: %w", err)
		}
	}
	req := map[string]bool{}
	for _, r := range s.Required {
		req[r] = true
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if req[names[i]] != req[names[j]] {
			return req[names[i]]
		}
		return names[i] < names[j]
	})
	f := &tryForm{form: widget.NewForm()}
	for _, n := range names {
		p := s.Properties[n]
		fld := &tryField{name: n, typ: p.typeName(), required: req[n]}
		var w fyne.CanvasObject
		switch {
		case fld.typ == "string" && len(p.Enum) > 0:
			var opts []string
			for _, e := range p.Enum {
				opts = append(opts, fmt.Sprint(e))
			}
			fld.choice = widget.NewSelect(opts, nil)
			if d, ok := p.Default.(string); ok {
				fld.choice.SetSelected(d)
			}
			w = fld.choice
		case fld.typ == "string" || fld.typ == "number" || fld.typ == "integer":
			fld.entry = widget.NewEntry()
			if p.Default != nil {
				fld.entry.SetText(fmt.Sprint(p.Default))
			}
			if fld.typ != "string" {
				typ := fld.typ
				fld.entry.Validator = func(s string) error {
					if strings.TrimSpace(s) == "" {
						return nil
					}
					_, err := parseNumber(typ, s)
					return err
				}
			}
			w = fld.entry
		case fld.typ == "boolean":
			fld.check = widget.NewCheck("", nil)
			if d, ok := p.Default.(bool); ok {
				fld.check.SetChecked(d)
			}
			w = fld.check
		default:
			fld.typ = "json"
			fld.entry = widget.NewMultiLineEntry()
			fld.entry.SetMinRowsVisible(3)
			fld.entry.SetPlaceHolder("JSON")
			if p.Default != nil {
				b, _ := json.Marshal(p.Default)
				fld.entry.SetText(string(b))
			}
			w = fld.entry
		}
		label := n
		if fld.required {
			label += " *"
		}
		item := widget.NewFormItem(label, w)
		item.HintText = p.Description
		f.form.AppendItem(item)
		f.fields = append(f.fields, fld)
	}
	return f, nil
}

// parseNumber parses s as a JSON number of type typ ("number" or "integer").
func parseNumber(typ, s string) (any, error) {
	s = strings.TrimSpace(s)
	if typ == "integer" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", s)
		}
		return n, nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("%q is not a number", s)
	}
	return n, nil
}

// field returns the field named name, or nil.
func (f *tryForm) field(name string) *tryField {
	for _, fl := range f.fields {
		if fl.name == name {
			return fl
		}
	}
	return nil
}

// arguments builds the call's arguments from the form. Empty optional fields are left out;
// an empty required one, a bad number or bad JSON is an error naming the field.
func (f *tryForm) arguments() (json.RawMessage, error) {
	args := map[string]any{}
	for _, fl := range f.fields {
		var v any
		empty := false
		switch {
		case fl.check != nil:
			v = fl.check.Checked
		case fl.choice != nil:
			v, empty = fl.choice.Selected, fl.choice.Selected == ""
		default:
			text := fl.entry.Text
			empty = strings.TrimSpace(text) == ""
			if empty {
				break
			}
			switch fl.typ {
			case "string":
				v = text
			case "number", "integer":
				n, err := parseNumber(fl.typ, text)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", fl.name, err)
				}
				v = n
			default:
				var j any
				if err := json.Unmarshal([]byte(text), &j); err != nil {
					return nil, fmt.Errorf("%s is not valid JSON: %v", fl.name, err)
				}
				v = j
			}
		}
		if empty {
			if fl.required {
				return nil, fmt.Errorf("%s is required", fl.name)
			}
			continue
		}
		args[fl.name] = v
	}
	return json.Marshal(args)
}
