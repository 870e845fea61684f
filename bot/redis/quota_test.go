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
			g, until, err := s.QuotaGate(ctx, zaloQuota, at, probeFor)
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
		until, n, err := s.QuotaSpent(ctx, zaloQuota, "u1", t0, holds(t0))
		if err != nil || n != 1 || !until.Equal(t0.Add(time.Minute)) {
			t.Fatalf("first refusal: hold until %s, %d refusals, %v; want a minute, 1", until, n, err)
		}
		// A send in flight before the hold was known is refused too.
		if again, n, err := s.QuotaSpent(ctx, zaloQuota, "u1", t0.Add(10*time.Millisecond), holds(t0)); err != nil || n != 1 || !again.Equal(until) {
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
		if until, n, err = s.QuotaSpent(ctx, zaloQuota, "u1", over, holds(over)); err != nil || n != 2 || !until.Equal(over.Add(2*time.Minute)) {
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
		if until, n, err = s.QuotaSpent(ctx, zaloQuota, "u1", over, holds(over)); err != nil || n != 3 || !until.Equal(over.Add(time.Hour)) {
			t.Fatalf("third refusal: hold until %s, %d refusals, %v; want the last hold, an hour", until, n, err)
		}
		if fourth, n, err := s.QuotaSpent(ctx, zaloQuota, "u1", until, holds(until)); err != nil || n != 4 || !fourth.Equal(until.Add(time.Hour)) {
			t.Fatalf("fourth refusal: hold until %s, %d refusals, %v; want the last hold again, 4", fourth, n, err)
		}
		if _, err := s.QuotaCleared(ctx, zaloQuota, "u1", t0, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if g, _ := gate(t0); g != redis.GateOpen {
			t.Fatalf("after a send went through: %v, want open", g)
		}
		if wait, err := throttle.Take(ctx, flows.Zalo); err != nil || wait != 0 {
			t.Fatalf("a broadcast after the quota waits %s (%v)", wait, err)
		}
		if _, n, err := s.QuotaSpent(ctx, zaloQuota, "u1", t0, holds(t0)); err != nil || n != 1 {
			t.Fatalf("a refusal after the quota was over counts %d, want 1 (%v)", n, err)
		}
	})
}

// A chat held for its channel's quota (QuotaWait) is due again as soon as
// a send to the channel goes through, on the holds of every sender, not
// when its own hold ends; one that joins the wait after that is due at
// once. A chat held for a reason of its own (another hold since, or no
// wait recorded: the platform refused it) keeps its hold.
func TestChatsWaitingForAQuotaAreDueWhenItClears(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		hold := t0.Add(10 * time.Second)
		held := func(id string, waits bool) flows.ChatRef {
			t.Helper()
			chat := flows.ChatRef{Channel: flows.Zalo, ChatID: id}
			if err := s.Enqueue(ctx, []flows.Reply{{To: chat, Text: flows.M("a")}}, t0); err != nil {
				t.Fatal(err)
			}
			l, _, _, err := s.Claim(ctx, chat, t0)
			if err != nil || l == nil {
				t.Fatalf("claim %s: %v", id, err)
			}
			if _, err := s.Finish(ctx, l, redis.Finish{Hold: hold}); err != nil {
				t.Fatal(err)
			}
			if waits {
				if err := s.QuotaWait(ctx, zaloQuota, chat, hold, t0); err != nil {
					t.Fatal(err)
				}
			}
			return chat
		}
		due := func(at time.Time) map[string]bool {
			t.Helper()
			chats, err := s.Due(ctx, at, 10)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]bool{}
			for _, c := range chats {
				out[c.ChatID] = true
			}
			return out
		}
		if _, _, err := s.QuotaSpent(ctx, zaloQuota, "u1", t0, []time.Time{t0.Add(time.Second)}); err != nil {
			t.Fatal(err)
		}
		waiting, refused, moved := held("waiting", true), held("refused", false), held("moved", true)
		// moved was held again since, for another reason
		l, _, _, err := s.Claim(ctx, moved, hold)
		if err != nil || l == nil {
			t.Fatalf("claim moved: %v", err)
		}
		if _, err := s.Finish(ctx, l, redis.Finish{Hold: hold.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if d := due(t0.Add(2 * time.Second)); len(d) != 0 {
			t.Fatalf("due while the quota holds: %v", d)
		}

		clearedAt := t0.Add(2 * time.Second)
		if n, err := s.QuotaCleared(ctx, zaloQuota, "u1", clearedAt, clearedAt.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("woke %d chats (%v), want 1", n, err)
		}
		if d := due(clearedAt); !d[waiting.ChatID] || d[refused.ChatID] || d[moved.ChatID] {
			t.Fatalf("due when the quota cleared: %v, want the waiting chat only", d)
		}
		if l, _, _, err := s.Claim(ctx, waiting, clearedAt); err != nil || l == nil {
			t.Fatalf("the waiting chat is still held: %v", err)
		}
		if l, _, _, err := s.Claim(ctx, refused, clearedAt); err != nil || l != nil {
			t.Fatalf("the refused chat is not held any more: %v", err)
		}
		// Held by a gate read before the quota cleared, recorded after.
		late := held("late", true)
		if d := due(clearedAt); !d[late.ChatID] {
			t.Fatalf("a chat that joined the wait after the quota cleared is not due: %v", d)
		}
	})
}

// A try that failed for a reason other than the quota (QuotaUntried) lets
// the next sender try at once, one sender still: the one after waits for
// its answer. A try that ran out and was taken by another sender is no
// longer the failed one's to free.
func TestATryThatFailsForAnotherReasonIsFreedForTheNext(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		const probeFor = 5 * time.Second
		gate := func(at time.Time) (redis.Gate, time.Time) {
			t.Helper()
			g, until, err := s.QuotaGate(ctx, zaloQuota, at, probeFor)
			if err != nil {
				t.Fatal(err)
			}
			return g, until
		}
		if _, _, err := s.QuotaSpent(ctx, zaloQuota, "u1", t0, []time.Time{t0.Add(time.Second)}); err != nil {
			t.Fatal(err)
		}
		over := t0.Add(2 * time.Second)
		g, first := gate(over)
		if g != redis.GateProbe || !first.Equal(over.Add(probeFor)) {
			t.Fatalf("after the hold: %v until %s, want a try until %s", g, first, over.Add(probeFor))
		}
		if err := s.QuotaUntried(ctx, zaloQuota, first); err != nil {
			t.Fatal(err)
		}
		at := over.Add(time.Millisecond)
		g, second := gate(at)
		if g != redis.GateProbe {
			t.Fatalf("the next sender after a failed try: %v, want it to try", g)
		}
		if g, _ := gate(at); g != redis.GateHeld {
			t.Fatalf("a sender while the next tries: %v, want held", g)
		}
		// The second try runs out, a third sender tries; the second's end frees nothing.
		late := second.Add(time.Millisecond)
		if g, _ := gate(late); g != redis.GateProbe {
			t.Fatalf("after a try that never answered: %v, want another", g)
		}
		if err := s.QuotaUntried(ctx, zaloQuota, second); err != nil {
			t.Fatal(err)
		}
		if g, _ := gate(late); g != redis.GateHeld {
			t.Fatalf("a stale try's failure freed the current one: %v, want held", g)
		}
	})
}

// zaloQuota is the hold of every send to Zalo.
var zaloQuota = redis.Quota{Channel: flows.Zalo}
