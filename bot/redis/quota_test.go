package redis_test

import (
	"context"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/flows"
)

// A channel whose quota is spent is held for every sender: refusals in a
// row wait longer (the holds given), a refusal answering a send made
// before the hold counts nothing, and once the hold is over one sender
// tries it while the others wait for its answer. A send that goes through
// opens it to all. Its broadcasts (the throttle) wait as long.
func TestAQuotaHoldsTheChannelAndOneSenderTriesIt(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		throttle := s.Throttle(nil)
		const probeFor = 5 * time.Second
		gate := func(at time.Time) (redis.Gate, time.Time) {
			t.Helper()
			g, until, err := s.QuotaGate(ctx, flows.Zalo, at, probeFor)
			if err != nil {
				t.Fatal(err)
			}
			return g, until
		}
		holds := func(from time.Time) []time.Time {
			return []time.Time{from.Add(time.Minute), from.Add(2 * time.Minute), from.Add(time.Hour)}
		}
		if g, _ := gate(t0); g != redis.GateOpen {
			t.Fatalf("a channel with no quota known: %v, want open", g)
		}
		until, n, err := s.QuotaSpent(ctx, flows.Zalo, t0, holds(t0))
		if err != nil || n != 1 || !until.Equal(t0.Add(time.Minute)) {
			t.Fatalf("first refusal: hold until %s, %d refusals, %v; want a minute, 1", until, n, err)
		}
		// A send in flight before the hold was known is refused too.
		if again, n, err := s.QuotaSpent(ctx, flows.Zalo, t0.Add(10*time.Millisecond), holds(t0)); err != nil || n != 1 || !again.Equal(until) {
			t.Fatalf("a refusal while held: hold until %s, %d refusals, %v; want %s, 1", again, n, err, until)
		}
		if g, at := gate(t0.Add(500 * time.Millisecond)); g != redis.GateHeld || !at.Equal(until) {
			t.Fatalf("while held: %v until %s, want held until %s", g, at, until)
		}
		if wait, err := throttle.Take(ctx, flows.Zalo); err != nil || wait <= 0 {
			t.Fatalf("a broadcast while the quota holds the channel waits %s (%v)", wait, err)
		}
		if wait, err := throttle.Take(ctx, flows.Telegram); err != nil || wait != 0 {
			t.Fatalf("another channel's broadcast waits %s (%v)", wait, err)
		}
		over := until.Add(time.Millisecond)
		if g, _ := gate(over); g != redis.GateProbe {
			t.Fatalf("the first sender after the hold: %v, want it to try", g)
		}
		if g, at := gate(over); g != redis.GateHeld || !at.Equal(over.Add(probeFor)) {
			t.Fatalf("a second sender while the first tries: %v until %s, want held until %s", g, at, over.Add(probeFor))
		}
		// The try is refused: the next hold is longer.
		if until, n, err = s.QuotaSpent(ctx, flows.Zalo, over, holds(over)); err != nil || n != 2 || !until.Equal(over.Add(2*time.Minute)) {
			t.Fatalf("second refusal: hold until %s, %d refusals, %v; want 2 minutes, 2", until, n, err)
		}
		over = until.Add(time.Millisecond)
		if g, _ := gate(over); g != redis.GateProbe {
			t.Fatalf("after the second hold: %v, want a try", g)
		}
		// A sender that stops mid-try leaves the channel to another after probeFor.
		if g, _ := gate(over.Add(probeFor + time.Millisecond)); g != redis.GateProbe {
			t.Fatalf("a try that never answered: %v, want another", g)
		}
		if until, n, err = s.QuotaSpent(ctx, flows.Zalo, over, holds(over)); err != nil || n != 3 || !until.Equal(over.Add(time.Hour)) {
			t.Fatalf("third refusal: hold until %s, %d refusals, %v; want the last hold, an hour", until, n, err)
		}
		if fourth, n, err := s.QuotaSpent(ctx, flows.Zalo, until, holds(until)); err != nil || n != 4 || !fourth.Equal(until.Add(time.Hour)) {
			t.Fatalf("fourth refusal: hold until %s, %d refusals, %v; want the last hold again, 4", fourth, n, err)
		}
		if err := s.QuotaCleared(ctx, flows.Zalo); err != nil {
			t.Fatal(err)
		}
		if g, _ := gate(t0); g != redis.GateOpen {
			t.Fatalf("after a send went through: %v, want open", g)
		}
		if wait, err := throttle.Take(ctx, flows.Zalo); err != nil || wait != 0 {
			t.Fatalf("a broadcast after the quota waits %s (%v)", wait, err)
		}
		if _, n, err := s.QuotaSpent(ctx, flows.Zalo, t0, holds(t0)); err != nil || n != 1 {
			t.Fatalf("a refusal after the quota was over counts %d, want 1 (%v)", n, err)
		}
	})
}
