package bot_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/flows"
)

// A relay that stopped after queueing a notice in Redis, before marking it
// relayed in PostgreSQL: the next relay marks it without queueing it again.
func TestARelayStoppedMidwayQueuesNothingTwice(t *testing.T) {
	ctx := context.Background()
	db, store := pgtest.MustOpen(t), redistest.MustOpen(t)
	buyer := flows.ChatRef{Channel: flows.Telegram, ChatID: "2"}
	replies := []flows.Reply{{To: buyer, Lang: "vi", Text: flows.M("order.timed_out")}}
	raw, _ := json.Marshal(replies)
	var id int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO notices (replies) VALUES ($1) RETURNING id`, raw).Scan(&id); err != nil {
		t.Fatal(err)
	}
	// The stopped relay got this far.
	if queued, err := store.RelayNotice(ctx, id, replies, time.Now()); err != nil || !queued {
		t.Fatalf("first relay: queued %v (%v)", queued, err)
	}

	r := &bot.Relay{Notices: db, Store: store}
	if chats, err := r.Once(ctx, time.Now()); err != nil || len(chats) != 0 {
		t.Fatalf("the next relay queued for %v (%v), want nothing new", chats, err)
	}
	c, err := store.Load(ctx, buyer)
	if err != nil || len(c.Out) != 1 {
		t.Fatalf("the buyer's outbox holds %d replies (%v), want 1", len(c.Out), err)
	}
	var relayed bool
	if err := db.Pool.QueryRow(ctx, `SELECT relayed_at IS NOT NULL FROM notices WHERE id = $1`, id).Scan(&relayed); err != nil || !relayed {
		t.Fatalf("the notice is not marked relayed (%v)", err)
	}
}
