package bot

import (
	"context"
	"sync"

	"github.com/nongsan-bot/nongsan/flows"
)

// Loading is how many requests are in Media.load: fetching, or waiting for
// the one that fetches.
func (m *Media) Loading() int64 { return m.loading.Load() }

// Work has b send claimed targets all at once, a worker each, sharing e's
// quota hold as RunBroadcaster has them.
func (e *Engine) Work(ctx context.Context, b *Broadcaster, targets []flows.BroadcastTarget) {
	b.quota = e
	e.bcast.Store(b)
	var wg sync.WaitGroup
	for _, t := range targets {
		wg.Go(func() { b.deliver(ctx, &t, e.follow) })
	}
	wg.Wait()
}

var Orientation = orientation
