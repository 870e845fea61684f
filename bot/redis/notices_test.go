package redis_test

import (
	"context"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/flows"
)

// A notice relayed again (a relay stopped before marking it relayed) is not
// queued twice.
func TestANoticeIsQueuedOnce(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		buyer := flows.ChatRef{Channel: flows.Telegram, ChatID: "2"}
		farmer := flows.ChatRef{Channel: flows.Telegram, ChatID: "1"}
		replies := []flows.Reply{{To: buyer, Text: flows.M("order.timed_out")}, {To: farmer, Text: flows.M("order.timed_out_farmer")}}
		for i, want := range []bool{true, false} {
			queued, err := s.RelayNotice(ctx, 7, replies, t0)
			if err != nil || queued != want {
				t.Fatalf("relay %d: queued %v (%v), want %v", i+1, queued, err, want)
			}
		}
		for _, chat := range []flows.ChatRef{buyer, farmer} {
			c, err := s.Load(ctx, chat)
			if err != nil || len(c.Out) != 1 {
				t.Fatalf("outbox of %s: %d replies (%v), want 1", chat.ChatID, len(c.Out), err)
			}
		}
		// Another notice is another notice.
		if queued, err := s.RelayNotice(ctx, 8, replies[:1], t0); err != nil || !queued {
			t.Fatalf("notice 8: queued %v (%v)", queued, err)
		}
	})
}
