package redis_test

import (
	"context"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/flows"
)

// A 429 for one group holds back that group only; a 429 for a second group
// within a second holds back the whole channel (Redis and Redis Cluster).
func TestA429HoldsBackItsGroupOrTheChannel(t *testing.T) {
	for name, open := range map[string]func(testing.TB) goredis.UniversalClient{
		"redis": redistest.MustClient, "cluster": redistest.MustCluster,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			l := redis.New(open(t), redistest.Prefix(t)).Throttle(map[flows.Channel]redis.SendRate{
				flows.Telegram: {PerSecond: 1000, PerGroupPerMinute: 6000}})
			busy, other := flows.ChatRef{Channel: flows.Telegram, ChatID: "-100"}, flows.ChatRef{Channel: flows.Telegram, ChatID: "-200"}
			if channel, err := l.Limited(ctx, busy, time.Minute); err != nil || channel {
				t.Fatalf("one group's 429 held the channel: %v %v", channel, err)
			}
			if wait, err := l.TakeGroup(ctx, busy, 1); err != nil || wait < 59*time.Second {
				t.Errorf("the busy group may be sent to in %s (%v), want after its minute", wait, err)
			}
			if wait, err := l.TakeGroup(ctx, other, 1); err != nil || wait != 0 {
				t.Errorf("another group waits %s (%v)", wait, err)
			}
			if wait, err := l.Take(ctx, flows.Telegram); err != nil || wait != 0 {
				t.Errorf("the channel waits %s (%v)", wait, err)
			}
			if channel, err := l.Limited(ctx, other, time.Minute); err != nil || !channel {
				t.Fatalf("two groups' 429s within a second did not hold the channel: %v %v", channel, err)
			}
			if wait, err := l.Take(ctx, flows.Telegram); err != nil || wait < 59*time.Second {
				t.Errorf("the channel may send in %s (%v), want after the minute", wait, err)
			}
		})
	}
}

// A group's posts from the engine (paced by its gap, Finish.Pace) and a
// broadcast's (TakeGroup) draw on one budget: a post waits for a
// broadcast's turns, and a broadcast taken while a post was being sent
// moves the group's next turn on by the post's gap instead of being
// overwritten by it, so the next broadcast waits for both (Redis and Redis
// Cluster). Before, each had its own 20 a minute.
func TestListingPostsAndBroadcastsShareTheGroupsTurns(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		s := open(t, client)
		s.TTL = time.Hour
		l := s.Throttle(map[flows.Channel]redis.SendRate{flows.Telegram: {PerSecond: 1000, PerGroupPerMinute: 20}})
		const gap = 3 * time.Second // 20 a minute
		other := flows.ChatRef{Channel: flows.Telegram, ChatID: "-200"}

		// A broadcast of two messages (a photo and its text) takes two
		// turns; a listing post queued for the group waits for them.
		now := time.Now()
		if wait, err := l.TakeGroup(ctx, other, 2); err != nil || wait != 0 {
			t.Fatalf("the first turn waits %s (%v)", wait, err)
		}
		if wait, err := l.TakeGroup(ctx, other, 1); err != nil || wait < 2*gap-time.Second || wait > 2*gap {
			t.Fatalf("the next turn waits %s (%v), want two gaps", wait, err)
		}
		if err := s.Enqueue(ctx, []flows.Reply{reply(other, "post")}, now); err != nil {
			t.Fatal(err)
		}
		if lease, _, busy, err := s.Claim(ctx, other, now); err != nil || lease != nil || busy.Before(now.Add(2*gap-time.Second)) {
			t.Fatalf("the post was claimed (%v, %v) before the broadcast's turns end: busy until %v", lease, err, busy)
		}

		// A broadcast's turn taken while a post is being sent.
		if err := s.Enqueue(ctx, []flows.Reply{reply(group, "post")}, now); err != nil {
			t.Fatal(err)
		}
		lease, _, _, err := s.Claim(ctx, group, now)
		if err != nil || lease == nil {
			t.Fatalf("the post not claimed: %v", err)
		}
		if wait, err := l.TakeGroup(ctx, group, 1); err != nil || wait != 0 {
			t.Fatalf("the broadcast's turn during the post's send waits %s (%v)", wait, err)
		}
		sentAt := time.Now()
		if _, err := s.Finish(ctx, lease, redis.Finish{Sent: lease.Out, Pace: sentAt.Add(gap), Spent: gap, Clean: true}); err != nil {
			t.Fatal(err)
		}
		if wait, err := l.TakeGroup(ctx, group, 1); err != nil || wait < 2*gap-time.Second {
			t.Fatalf("after a post and a broadcast together the next turn waits %s (%v), want two gaps", wait, err)
		}
		if err := s.Enqueue(ctx, []flows.Reply{reply(group, "post2")}, now); err != nil {
			t.Fatal(err)
		}
		if lease, _, busy, err := s.Claim(ctx, group, time.Now()); err != nil || lease != nil || busy.Before(sentAt.Add(2*gap-time.Second)) {
			t.Fatalf("the next post was claimed (%v, %v): busy until %v, want two gaps", lease, err, busy)
		}
	})
}

// A progress milestone marked done (Once) that did not go is forgotten, so
// that the next look sends it: once, not twice.
func TestAMilestoneForgottenIsDoneOnceMore(t *testing.T) {
	ctx := context.Background()
	s := redistest.MustOpen(t)
	for i, want := range []bool{true, false} {
		if first, err := s.Once(ctx, "bc:progress:7:2", time.Hour); err != nil || first != want {
			t.Fatalf("look %d: first %v (%v), want %v", i+1, first, err, want)
		}
	}
	if err := s.Forget(ctx, "bc:progress:7:2"); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		if first, err := s.Once(ctx, "bc:progress:7:2", time.Hour); err != nil || first != want {
			t.Fatalf("after forgetting, look %d: first %v (%v), want %v", i+1, first, err, want)
		}
	}
}
