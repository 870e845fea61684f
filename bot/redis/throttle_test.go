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
			if wait, err := l.TakeGroup(ctx, busy); err != nil || wait < 59*time.Second {
				t.Errorf("the busy group may be sent to in %s (%v), want after its minute", wait, err)
			}
			if wait, err := l.TakeGroup(ctx, other); err != nil || wait != 0 {
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
