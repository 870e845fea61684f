package redis_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nongsan-bot/nongsan/bot/redis"
	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/flows"
)

func TestSeenHoldsWholeIds(t *testing.T) {
	var s redis.Seen
	for _, id := range []string{"11", "a b", "123"} {
		s = s.Add(id)
	}
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"11", true}, {"123", true}, {"a b", true},
		{"1", false}, {"12", false}, {"23", false}, {"11 123", false}, {"", false}, {"a", false},
	} {
		if got := s.Has(tc.id); got != tc.want {
			t.Errorf("%q.Has(%q) = %v, want %v", s, tc.id, got, tc.want)
		}
	}
	if got := s.Last(2); got != "a_b 123" {
		t.Errorf("Last(2) = %q, want the newest two", got)
	}
	if got := s.Last(5); got != s {
		t.Errorf("Last(5) of three = %q, want all three", got)
	}
	if redis.Seen("").Has("") || s.Add("").Has("") || s.Add("") != s {
		t.Error("an update without an id counts as seen")
	}
}

func FuzzSeen(f *testing.F) {
	f.Add("1", "2", "3")
	f.Add("a b", "a", "b")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		if a == "" || b == "" {
			return // not an update id
		}
		s := redis.Seen("").Add(a).Add(b)
		if !s.Has(a) || !s.Has(b) {
			t.Fatalf("%q lost an id it was given (%q, %q)", s, a, b)
		}
		if s.Last(1) != redis.Seen("").Add(b) {
			t.Fatalf("%q.Last(1) = %q, want only %q", s, s.Last(1), b)
		}
		if s.Has(c) && c != a && c != b && c != "" {
			// only ids with spaces or underscores may stand for one another
			for _, id := range []string{a, b} {
				if redis.Seen("").Add(id).Has(c) {
					return
				}
			}
			t.Fatalf("%q holds %q, given only %q and %q", s, c, a, b)
		}
	})
}

// A chat's state as stored before its seen ids were one string (a list)
// reads with its ids: a delivery repeated across the upgrade is still
// recognised. A version from before reads today's state (a rollback) with
// its session. And a chat remembers its last 64 updates, no more.
func TestSeenIdsSurviveTheUpgradeAndStayFew(t *testing.T) {
	redises(t, func(t *testing.T, client func(testing.TB) goredis.UniversalClient) {
		ctx := context.Background()
		rdb := client(t)
		prefix := redistest.Prefix(t)
		s := redis.New(rdb, prefix)
		rdb.HSet(ctx, redis.ChatKey(prefix, chat), "v", 1, "s", `{"session":{"flow":"sell","step":"price"},"seen":["7","8"]}`)
		c, err := s.Load(ctx, chat)
		if err != nil || c.StateErr != nil {
			t.Fatalf("load: %v, state %v", err, c.StateErr)
		}
		if !c.Seen("7") || !c.Seen("8") || c.Seen("9") || c.State.Session == nil || c.State.Session.Step != "price" {
			t.Fatalf("old state read as seen %q, session %+v; want 7 and 8 seen, the sell flow at price", c.State.Seen, c.State.Session)
		}
		for i := 9; i < 9+70; i++ {
			if _, err := step(ctx, s, strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
		}
		c, _ = s.Load(ctx, chat)
		if !c.Seen("78") || !c.Seen("15") || c.Seen("14") || c.Seen("7") {
			t.Fatalf("after 70 more updates seen = %q; want the last 64 (15 to 78)", c.State.Seen)
		}
		var before struct {
			Session *flows.Session `json:"session"`
			Seen    []string       `json:"seen"`
		}
		raw := rdb.HGet(ctx, redis.ChatKey(prefix, chat), "s").Val()
		if err := json.Unmarshal([]byte(raw), &before); err != nil || before.Session == nil || len(before.Session.History) != 70 {
			t.Fatalf("the version before reads %s as %+v (%v); want the session", raw, before, err)
		}
	})
}
