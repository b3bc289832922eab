package notion

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/patchbay-mcp/patchbay/connectors/notion/markdown"
)

// maxFetchBlocks bounds how many blocks one fetch reads, so that a huge page cannot make a
// tool call run for minutes or return megabytes; past it nested content is left out and
// the output says so.
const maxFetchBlocks = 3000

// treeFetcher reads a block tree: every page of children, then the children of every block
// that has some, recursively. At most cap(sem) HTTP calls run at once.
type treeFetcher struct {
	c   *Client
	sem chan struct{}

	mu         sync.Mutex // guards count, truncated and unreadable
	count      int
	truncated  bool
	unreadable int // nested blocks whose children Notion would not show (e.g. unshared synced originals)
}

func newTreeFetcher(c *Client, concurrency int) *treeFetcher {
	if concurrency < 1 {
		concurrency = 4
	}
	return &treeFetcher{c: c, sem: make(chan struct{}, concurrency)}
}

// take reserves n blocks of the budget and reports whether they fit.
func (f *treeFetcher) take(n int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.count+n > maxFetchBlocks {
		f.truncated = true
		return false
	}
	f.count += n
	return true
}

// full reports whether the budget is spent.
func (f *treeFetcher) full() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.truncated
}

// children returns the children of id with their descendants filled in. Child pages and
// databases are not descended into: they render as links.
func (f *treeFetcher) children(ctx context.Context, id string) ([]markdown.Block, error) {
	if f.full() {
		return nil, nil
	}
	var all []markdown.Block
	cursor := ""
	for pages := 0; ; pages++ {
		select {
		case f.sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		l, err := f.c.Children(ctx, id, cursor)
		<-f.sem
		if err != nil {
			return nil, err
		}
		all = append(all, l.Results...)
		if !f.take(len(l.Results)) || !l.HasMore || l.NextCursor == "" {
			break
		}
		if pages > maxFetchBlocks/100 {
			return nil, fmt.Errorf("listing the children of %s: pagination does not end", id)
		}
		cursor = l.NextCursor
	}
	g, gctx := errgroup.WithContext(ctx)
	for i := range all {
		b := &all[i]
		if !b.HasChildren || b.Type == "child_page" || b.Type == "child_database" {
			continue
		}
		g.Go(func() error {
			kids, err := f.children(gctx, b.ID)
			if IsCode(err, "object_not_found") || IsCode(err, "restricted_resource") {
				f.mu.Lock()
				f.unreadable++
				f.mu.Unlock()
				return nil
			}
			b.Children = kids
			return err
		})
	}
	return all, g.Wait()
}
