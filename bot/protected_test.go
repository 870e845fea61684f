package bot

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
)

// Zalo withholds every message of a protected account (a child's, one who
// cannot read …): the chat is told why once a day, however many come, and
// the task in progress stays at its question, neither answered nor asked
// again.
func TestAProtectedAccountIsToldWhyOnceADay(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC)
	now := start
	ch := &channel{}
	e := newEngine(t, ch, func() time.Time { return now })
	db := routed(t, e)
	e.Users, e.Router.Now, e.Router.TTL = db, func() time.Time { return now }, 24*time.Hour
	c, err := e.Store.Load(ctx, farmer)
	if err != nil {
		t.Fatal(err)
	}
	st := c.State
	st.Session = &flows.Session{Flow: "sell", Step: "product", Updated: start}
	if _, err := e.Store.Commit(ctx, c, st, nil, now); err != nil {
		t.Fatal(err)
	}
	n := 0
	withheld := func(after time.Duration) string {
		now, n = start.Add(after), n+1
		in := flows.Input{Channel: flows.Telegram, UpdateID: "p" + strconv.Itoa(n), ChatID: farmer.ChatID, ChatType: flows.Private,
			UserID: farmer.ChatID, Kind: flows.KindProtected, At: now}
		if err := e.Handle(ctx, in); err != nil {
			t.Fatal(err)
		}
		return ids(ch.Sent())
	}
	for _, after := range []time.Duration{0, time.Second, time.Minute, 23 * time.Hour} {
		if got := withheld(after); got != "unclear.protected" {
			t.Fatalf("at +%s the chat was sent %q; want the reason once", after, got)
		}
	}
	if got := withheld(24*time.Hour + time.Second); got != "unclear.protectedunclear.protected" {
		t.Fatalf("a day after the first: %q; want the reason again", got)
	}
	c, err = e.Store.Load(ctx, farmer)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.State.Session; s == nil || s.Flow != "sell" || s.Step != "product" {
		t.Fatalf("the task in progress became %+v", s)
	}
}
