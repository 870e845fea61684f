package redis_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/flows"
)

// failForwards makes the queuing of forwards (the write into the receiving
// chat's slot, whose marker key holds "}fw:") fail while on is set, as when
// that slot's master is unreachable right after the commit.
type failForwards struct{ on *atomic.Bool }

func (failForwards) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (h failForwards) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		args := cmd.Args()
		if h.on.Load() && len(args) > 3 && strings.Contains(cmd.Name(), "eval") {
			if key, _ := args[3].(string); strings.Contains(key, "}fw:") {
				err := errors.New("injected: the receiving slot is unreachable")
				cmd.SetErr(err)
				return err
			}
		}
		return next(ctx, cmd)
	}
}

func (failForwards) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return next
}

// failingCluster is a store on the Redis Cluster whose forwards fail while
// fail is set.
func failingCluster(t *testing.T) (s *redis.Store, prefix string, fail *atomic.Bool) {
	rdb := redistest.MustCluster(t)
	fail = &atomic.Bool{}
	rdb.AddHook(failForwards{fail})
	prefix = redistest.Prefix(t)
	return redis.New(rdb, prefix), prefix, fail
}

// otherSlot is a chat whose keys are in another slot than chat's.
func otherSlot(prefix string) flows.ChatRef {
	tag := func(c flows.ChatRef) string { k := redis.ChatKey(prefix, c); return k[:strings.Index(k, "}")] }
	var other flows.ChatRef
	for i := 1; other.ChatID == "" || tag(other) == tag(chat); i++ {
		other = flows.ChatRef{Channel: flows.Telegram, ChatID: "-" + strconv.Itoa(i)}
	}
	return other
}

// Replies to a chat of another slot reach it in the order they were
// committed, even when the forward of an earlier update failed: the next
// commit forwards the stranded ones before its own, and the sweeper
// forwards several stranded ones in commit order.
func TestStrandedForwardsKeepTheCommitOrder(t *testing.T) {
	ctx := context.Background()
	s, prefix, fail := failingCluster(t)
	other := otherSlot(prefix)
	outbox := func() string {
		c, err := s.Load(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		return texts(c.Out)
	}

	// The next commit forwards the stranded reply before its own.
	fail.Store(true)
	done, err := step(ctx, s, "1", reply(chat, "a"), reply(other, "b"))
	if err != nil || done.Unforwarded == nil {
		t.Fatalf("the first forward did not fail: %v, %v", err, done.Unforwarded)
	}
	fail.Store(false)
	if done, err := step(ctx, s, "2", reply(other, "c")); err != nil || done.Unforwarded != nil {
		t.Fatal(err, done.Unforwarded)
	}
	if _, _, _, err := s.Claim(ctx, chat, t0.Add(time.Hour)); err != nil { // the sweeper, too late
		t.Fatal(err)
	}
	if got := outbox(); got != "bc" {
		t.Fatalf("the other chat's outbox: %q, want bc (commit order)", got)
	}

	// Several stranded ones, forwarded by the sweeper, in commit order.
	fail.Store(true)
	want := "bc"
	for i := 3; i <= 10; i++ {
		id := string(rune('a' + i))
		want += id
		if done, err := step(ctx, s, strconv.Itoa(i), reply(other, id)); err != nil || done.Unforwarded == nil {
			t.Fatalf("forward %d did not fail: %v, %v", i, err, done.Unforwarded)
		}
	}
	fail.Store(false)
	if _, _, _, err := s.Claim(ctx, chat, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := outbox(); got != want {
		t.Fatalf("the other chat's outbox after the sweep: %q, want %q (commit order)", got, want)
	}
}

// A sweeper's claim whose forward fails lets go of the lease it took: the
// chat's own replies do not wait for it to run out.
func TestAClaimWhoseForwardFailsLetsGoOfTheChat(t *testing.T) {
	ctx := context.Background()
	s, prefix, fail := failingCluster(t)
	fail.Store(true)
	done, err := step(ctx, s, "1", reply(chat, "a"), reply(otherSlot(prefix), "b"))
	if err != nil || done.Unforwarded == nil || done.Lease == nil {
		t.Fatalf("the forward did not fail: %v, %v", err, done.Unforwarded)
	}
	if err := s.Release(ctx, done.Lease, t0); err != nil { // its sender stopped
		t.Fatal(err)
	}
	if _, _, _, err := s.Claim(ctx, chat, t0.Add(time.Second)); err == nil {
		t.Fatal("the sweeper's forward did not fail")
	}
	fail.Store(false)
	l, _, busy, err := s.Claim(ctx, chat, t0.Add(2*time.Second))
	if err != nil || l == nil || texts(l.Out) != "a" {
		t.Fatalf("the next sweep: lease %v, busy until %v, %v; want the chat and its reply", l, busy, err)
	}
}
