package redis_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
)

func TestResetDeletesTheSandboxKeysOnly(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		rdb := client(t)
		main := redistest.Prefix(t)
		sandbox := redis.New(rdb, main+"sandbox:")
		// More keys than one SCAN batch, and the main prefix's own.
		for i := range 1200 {
			rdb.Set(ctx, main+"sandbox:k"+strconv.Itoa(i), "x", 0)
		}
		if _, err := step(ctx, sandbox, "u1", reply(chat, "hello")); err != nil {
			t.Fatal(err)
		}
		real := redis.New(rdb, main)
		if _, err := step(ctx, real, "u1", reply(chat, "hello")); err != nil {
			t.Fatal(err)
		}
		rdb.Set(ctx, main+"sandboxed", "kept", 0) // shares the letters, not the prefix
		// A client at its limit stays there: starting over is no way round it.
		limiter, now := sandbox.Limiter("web", 1, time.Minute), time.Now()
		limiter.Allow(ctx, "10.0.0.1", now)

		if err := sandbox.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		if left := keys(t, rdb, main+"sandbox:*"); len(left) != 1 || !strings.HasPrefix(left[0], main+"sandbox:limit:") {
			t.Fatalf("sandbox keys left after reset, the limiter's count alone expected: %v", left)
		}
		c, err := real.Load(ctx, chat)
		if err != nil || len(c.Out) != 1 || c.State.Session == nil {
			t.Fatalf("the real chat after the sandbox's reset: %+v, %v", c, err)
		}
		if v, _ := rdb.Get(ctx, main+"sandboxed").Result(); v != "kept" {
			t.Fatal("a main key beside the sandbox's prefix was deleted")
		}
		if ok, err := limiter.Allow(ctx, "10.0.0.1", now); ok || err != nil {
			t.Fatalf("a reset gave a client at its limit a new allowance (%v)", err)
		}
	})
}

func TestResetRefusesAPrefixNotTheSandbox(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		rdb := client(t)
		main := redistest.Prefix(t)
		rdb.Set(ctx, main+"k", "kept", 0)
		for _, prefix := range []string{"", main} {
			if err := redis.New(rdb, prefix).Reset(ctx); err == nil {
				t.Errorf("reset of prefix %q was not refused", prefix)
			}
		}
		if v, _ := rdb.Get(ctx, main+"k").Result(); v != "kept" {
			t.Fatal("a refused reset deleted a key")
		}
	})
}

// A deployment from before the hash tags keeps its conversations and its
// queued replies: the old keys are renamed.
func TestOldKeysAreRenamed(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.MustClient(t)
	prefix := redistest.Prefix(t)
	s := redis.New(rdb, prefix)
	rdb.HSet(ctx, prefix+"chat:telegram:42", "v", 3, "s", `{"session":{"flow":"sell"}}`, "n", 1,
		"o:1", `{"to":{"Channel":"telegram","ChatID":"42"},"text":{"id":"a"}}`)
	rdb.ZAdd(ctx, prefix+"due", goredis.Z{Score: float64(t0.UnixMilli()), Member: prefix + "chat:telegram:42"})
	n, err := s.RenameOld(ctx)
	if err != nil || n != 1 {
		t.Fatalf("renamed %d (%v), want 1", n, err)
	}
	c, err := s.Load(ctx, chat)
	if err != nil || c.State.Session == nil || c.State.Session.Flow != "sell" || texts(c.Out) != "a" {
		t.Fatalf("the chat under its new name: %+v, %v", c, err)
	}
	if due, _ := s.Due(ctx, t0, 10); len(due) != 1 || due[0] != chat {
		t.Fatalf("due after the rename: %v", due)
	}
	if left := keys(t, rdb, prefix+"chat:*"); len(left) != 0 || rdb.Exists(ctx, prefix+"due").Val() != 0 {
		t.Fatalf("old keys left: %v", left)
	}
}
