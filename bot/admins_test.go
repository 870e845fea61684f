package bot

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/redis/redistest"
	"github.com/nongsan-bot/nongsan/flows"
)

// lister is a channel whose groups are administered by admins, counting
// how often it is asked.
type lister struct {
	channel
	admins []string
	asked  atomic.Int32
}

func (l *lister) Admins(context.Context, string) ([]string, error) {
	l.asked.Add(1)
	return l.admins, nil
}

// The admin list is asked for once per group and TTL: refusals and
// approvals alike come from the cache until it expires.
func TestGroupAdminsAreCachedUntilTheyExpire(t *testing.T) {
	ctx := context.Background()
	ch := &lister{admins: []string{"7"}}
	g := &GroupAdmins{Channels: Channels{flows.Telegram: ch}, Store: redistest.MustOpen(t), TTL: 300 * time.Millisecond}
	group := flows.ChatRef{Channel: flows.Telegram, ChatID: "-100"}
	for _, c := range []struct {
		user string
		want bool
	}{{"7", true}, {"8", false}, {"7", true}} {
		if got, err := g.IsGroupAdmin(ctx, group, c.user); err != nil || got != c.want {
			t.Fatalf("IsGroupAdmin(%s) = %t, %v; want %t", c.user, got, err, c.want)
		}
	}
	if n := ch.asked.Load(); n != 1 {
		t.Fatalf("the platform was asked %d times, want once", n)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, cached, err := g.Store.GroupAdmins(ctx, group); err != nil {
			t.Fatal(err)
		} else if !cached {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cached admin list never expired")
		}
		time.Sleep(20 * time.Millisecond)
	}
	ch.admins = []string{"8"} // "8" was made an admin meanwhile
	if ok, err := g.IsGroupAdmin(ctx, group, "8"); err != nil || !ok {
		t.Fatalf("after expiry: IsGroupAdmin(8) = %t, %v", ok, err)
	}
	if n := ch.asked.Load(); n != 2 {
		t.Fatalf("after expiry the platform was asked %d times in all, want 2", n)
	}
	// A channel that cannot tell has no admins, and nothing is cached.
	zalo := flows.ChatRef{Channel: flows.Zalo, ChatID: "g1"}
	if ok, err := g.IsGroupAdmin(ctx, zalo, "7"); err != nil || ok {
		t.Fatalf("on a channel without admins: %t, %v", ok, err)
	}
}
