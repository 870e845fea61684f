package bot

import (
	"context"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/flows"
)

// Notices are the messages committed in PostgreSQL with the changes they
// report (bot/postgres).
type Notices interface {
	RelayNotices(ctx context.Context, limit int, relay func([]flows.Notice) error) (int, error)
	PruneNotices(ctx context.Context, before time.Time) error
}

// Relay moves committed notices into the Redis outbox and sends them.
// Every replica runs one: they share the work, and a notice is queued once
// even if a relay stops between queueing it and marking it relayed.
type Relay struct {
	Notices Notices
	Store   *redis.Store
	// Deliver sends a chat's outbox (Engine.Deliver); what it leaves, the
	// sweeper sends.
	Deliver func(context.Context, flows.ChatRef)
	Log     zerolog.Logger
	// KeepFor is how long relayed notices are kept, for inspection.
	KeepFor time.Duration

	pruned time.Time
}

// relayBatch is how many notices one transaction relays.
const relayBatch = 100

// Once queues every notice waiting now and returns the chats it queued
// replies for.
func (r *Relay) Once(ctx context.Context, now time.Time) ([]flows.ChatRef, error) {
	var chats []flows.ChatRef
	for {
		var batch []flows.ChatRef
		n, err := r.Notices.RelayNotices(ctx, relayBatch, func(notices []flows.Notice) error {
			for _, n := range notices {
				queued, err := r.Store.RelayNotice(ctx, n.ID, n.Replies, now)
				if err != nil {
					return err
				}
				if queued {
					for _, reply := range n.Replies {
						batch = append(batch, reply.To)
					}
				}
			}
			return nil
		})
		if err != nil {
			// Rolled back: the batch is handed out again, and what it had
			// queued is recognised then; the sweeper sends it.
			return distinct(chats), err
		}
		chats = append(chats, batch...)
		if n < relayBatch {
			return distinct(chats), nil
		}
	}
}

// distinct keeps the first of each chat, in order.
func distinct(chats []flows.ChatRef) []flows.ChatRef {
	seen := map[flows.ChatRef]bool{}
	return slices.DeleteFunc(chats, func(c flows.ChatRef) bool {
		dup := seen[c]
		seen[c] = true
		return dup
	})
}

// RunRelay relays notices every interval until ctx ends, beside the
// sweeper and the ticks.
func (e *Engine) RunRelay(ctx context.Context, r *Relay, interval time.Duration) {
	e.every(ctx, interval, "relay notices", func(now time.Time) error { return r.step(ctx, now) })
}

// step relays what is waiting and sends it, and now and then forgets old
// notices. It runs guarded (Engine.every): a panic is logged, and the relay
// goes on.
func (r *Relay) step(ctx context.Context, now time.Time) error {
	chats, err := r.Once(ctx, now)
	for _, chat := range chats {
		r.Deliver(ctx, chat)
	}
	if err != nil {
		return err
	}
	if r.KeepFor > 0 && now.Sub(r.pruned) > time.Hour {
		r.pruned = now
		return r.Notices.PruneNotices(ctx, now.Add(-r.KeepFor))
	}
	return nil
}
