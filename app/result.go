package app

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"github.com/patchbay-mcp/patchbay/bridge"
)

// toolResult is the part of a tools/call result the Inspector shows.
type toolResult struct {
	Content []struct {
		Type     string `json:"type"`
		Text     string `json:"text"`
		Data     string `json:"data"`
		MimeType string `json:"mimeType"`
		URI      string `json:"uri"`
	} `json:"content"`
	StructuredContent json.RawMessage `json:"structuredContent"`
	IsError           bool            `json:"isError"`
}

// prettyJSON indents raw, or returns it unchanged if it is not JSON.
func prettyJSON(raw []byte) string {
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}

// resultObjects renders a call's result: a headline (red for an error), then each content
// item (text as is, or pretty-printed when it is JSON; images drawn), then structured content.
func resultObjects(res *bridge.CallResult, err error) []fyne.CanvasObject {
	head := widget.NewLabel("")
	head.Wrapping = fyne.TextWrapWord
	if err != nil {
		head.SetText("Error: " + err.Error())
		head.Importance = widget.DangerImportance
		return []fyne.CanvasObject{head}
	}
	took := time.Duration(res.LatencyMicros) * time.Microsecond
	var r toolResult
	if json.Unmarshal(res.Result, &r) != nil {
		head.SetText(fmt.Sprintf("Result (%s)", took.Round(time.Millisecond)))
		return []fyne.CanvasObject{head, codeBlock(prettyJSON(res.Result))}
	}
	if res.IsError || r.IsError {
		head.SetText(fmt.Sprintf("The tool returned an error (%s)", took.Round(time.Millisecond)))
		head.Importance = widget.DangerImportance
	} else {
		head.SetText(fmt.Sprintf("Result (%s)", took.Round(time.Millisecond)))
		head.Importance = widget.SuccessImportance
	}
	out := []fyne.CanvasObject{head}
	for _, c := range r.Content {
		switch c.Type {
		case "text":
			if json.Valid([]byte(c.Text)) && len(c.Text) > 0 && (c.Text[0] == '{' || c.Text[0] == '[') {
				out = append(out, codeBlock(prettyJSON([]byte(c.Text))))
				continue
			}
			l := widget.NewLabel(c.Text)
			l.Wrapping = fyne.TextWrapWord
			l.Selectable = true
			if res.IsError || r.IsError {
				l.Importance = widget.DangerImportance
			}
			out = append(out, l)
		case "image":
			data, err := base64.StdEncoding.DecodeString(c.Data)
			if err != nil {
				out = append(out, widget.NewLabel("(an image that is not valid base64)"))
				continue
			}
			img := canvas.NewImageFromReader(bytes.NewReader(data), "result."+imageExt(c.MimeType))
			img.FillMode = canvas.ImageFillContain
			img.SetMinSize(fyne.NewSize(240, 160))
			out = append(out, img)
		default:
			b, _ := json.Marshal(c)
			out = append(out, codeBlock(prettyJSON(b)))
		}
	}
	if len(r.StructuredContent) > 0 && string(r.StructuredContent) != "null" {
		out = append(out, widget.NewLabelWithStyle("Structured content", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			codeBlock(prettyJSON(r.StructuredContent)))
	}
	return out
}

func imageExt(mime string) string {
	switch mime {
	case "image/jpeg":
		return "jpg"
	case "image/gif":
		return "gif"
	case "image/svg+xml":
		return "svg"
	}
	return "png"
}

// codeBlock shows text in a monospace grid.
func codeBlock(text string) *widget.TextGrid {
	return widget.NewTextGridFromString(text)
}
