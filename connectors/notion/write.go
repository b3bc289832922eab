package notion

import (
	"context"
	"fmt"

	"github.com/patchbay-mcp/patchbay/connectors/notion/markdown"
)

// Limits of one append or create request (notion.md §4.3).
const (
	maxChildrenPerRequest = 100
	maxNestingPerRequest  = 2 // levels of children below the request's own blocks
	maxElementsPerRequest = 1000
)

// prepare turns parsed blocks into blocks the API can create: references to pages and
// databases become link_to_page blocks (child pages cannot be made by appending), and
// blocks the API cannot create are dropped.
func prepare(blocks []markdown.Block) []markdown.Block {
	out := make([]markdown.Block, 0, len(blocks))
	for _, b := range blocks {
		switch b.Type {
		case "child_page":
			if b.ID == "" {
				continue
			}
			b = markdown.Block{Type: "link_to_page", Data: markdown.Data{PageID: b.ID}}
		case "child_database":
			if b.ID == "" {
				continue
			}
			b = markdown.Block{Type: "link_to_page", Data: markdown.Data{DatabaseID: b.ID}}
		case "unsupported", "link_preview":
			continue
		case "link_to_page":
			if b.Data.PageID == "" && b.Data.DatabaseID == "" {
				continue
			}
		}
		b.ID = ""
		b.Children = prepare(b.Children)
		out = append(out, b)
	}
	return out
}

// needsChildren reports whether the API refuses a block of this type without children.
func needsChildren(t string) bool { return t == "table" || t == "column_list" || t == "column" }

// prune returns the part of b that one request can carry when b sits at level (0 for the
// request's own blocks): at most 100 children per block and two levels of nesting.
func prune(b markdown.Block, level int) markdown.Block {
	sent := b
	sent.Children = nil
	if len(b.Children) == 0 || level >= maxNestingPerRequest {
		return sent
	}
	kids := b.Children[:min(len(b.Children), maxChildrenPerRequest)]
	if level+1 == maxNestingPerRequest {
		for _, k := range kids {
			if needsChildren(k.Type) {
				return sent // such a child must come with its own children: send them later
			}
		}
	}
	for _, k := range kids {
		sent.Children = append(sent.Children, prune(k, level+1))
	}
	return sent
}

// deferred reports whether sent (a pruned b) left anything of b out.
func deferred(b, sent markdown.Block) bool {
	if len(sent.Children) < len(b.Children) {
		return true
	}
	for i := range sent.Children {
		if deferred(b.Children[i], sent.Children[i]) {
			return true
		}
	}
	return false
}

func elements(b markdown.Block) int {
	n := 1
	for _, k := range b.Children {
		n += elements(k)
	}
	return n
}

// chunk takes the next request's worth of blocks: at most 100, at most 1000 elements.
func chunk(blocks []markdown.Block) (orig, sent []markdown.Block) {
	total := 0
	for _, b := range blocks {
		s := prune(b, 0)
		n := elements(s)
		if len(sent) > 0 && (len(sent) == maxChildrenPerRequest || total+n > maxElementsPerRequest) {
			break
		}
		total += n
		sent = append(sent, s)
	}
	return blocks[:len(sent)], sent
}

// writer appends block trees of any size and depth in as many requests as the limits need.
type writer struct {
	c *Client
}

// appendBlocks appends blocks under parent (after the block after, when set) and returns
// the created first-level blocks.
func (w writer) appendBlocks(ctx context.Context, parent string, blocks []markdown.Block, after string) ([]markdown.Block, error) {
	var created []markdown.Block
	for len(blocks) > 0 {
		orig, sent := chunk(blocks)
		res, err := w.c.Append(ctx, parent, sent, after)
		if err != nil {
			return created, err
		}
		if len(res) != len(sent) {
			return created, fmt.Errorf("appending to %s: Notion created %d blocks, expected %d", parent, len(res), len(sent))
		}
		if err := w.fill(ctx, res, orig, sent); err != nil {
			return created, err
		}
		created = append(created, res...)
		if after != "" {
			after = res[len(res)-1].ID
		}
		blocks = blocks[len(orig):]
	}
	return created, nil
}

// fill sends what pruning left out of the created blocks: the children past the first 100,
// and anything nested deeper than one request allows.
func (w writer) fill(ctx context.Context, created, orig, sent []markdown.Block) error {
	for i := range orig {
		if !deferred(orig[i], sent[i]) {
			continue
		}
		if err := w.fillOne(ctx, created[i].ID, orig[i], sent[i]); err != nil {
			return err
		}
	}
	return nil
}

func (w writer) fillOne(ctx context.Context, id string, orig, sent markdown.Block) error {
	n := len(sent.Children)
	inner := false
	for i := 0; i < n; i++ {
		inner = inner || deferred(orig.Children[i], sent.Children[i])
	}
	if inner {
		kids, err := w.listAll(ctx, id)
		if err != nil {
			return err
		}
		if len(kids) < n {
			return fmt.Errorf("listing the children of %s: found %d, expected %d", id, len(kids), n)
		}
		if err := w.fill(ctx, kids[:n], orig.Children[:n], sent.Children); err != nil {
			return err
		}
	}
	if n < len(orig.Children) {
		if _, err := w.appendBlocks(ctx, id, orig.Children[n:], ""); err != nil {
			return err
		}
	}
	return nil
}

func (w writer) listAll(ctx context.Context, id string) ([]markdown.Block, error) {
	var all []markdown.Block
	cursor := ""
	for range 1000 {
		l, err := w.c.Children(ctx, id, cursor)
		if err != nil {
			return nil, err
		}
		all = append(all, l.Results...)
		if !l.HasMore || l.NextCursor == "" {
			return all, nil
		}
		cursor = l.NextCursor
	}
	return nil, fmt.Errorf("listing the children of %s: pagination does not end", id)
}
