package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// noticeListing is a listing whose posts are recorded with a notice each.
func noticeListing(t *testing.T, db *postgres.DB) *flows.Listing {
	t.Helper()
	seller := &flows.Seller{Name: "Mai", Phone: "+84987654321"}
	if err := db.SaveSeller(context.Background(), seller); err != nil {
		t.Fatal(err)
	}
	l, err := db.CreateListing(context.Background(), &flows.Listing{SellerID: seller.ID, Channel: flows.Telegram, Product: "Na",
		Photos: []string{"p"}, Quantity: vn.Quantity{Milli: 50_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 25_000, Per: vn.UnitKg},
		PriceTyped: "25k", Ready: time.Now()}, "telegram:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func post(t *testing.T, db *postgres.DB, l *flows.Listing, group string) {
	t.Helper()
	p := flows.Post{ListingID: l.ID, Group: flows.ChatRef{Channel: flows.Telegram, ChatID: group}, MessageIDs: []string{"9"}}
	if _, err := db.SavePost(context.Background(), p, flows.Reply{Text: flows.M("sell.posted", "Group", group)}); err != nil {
		t.Fatal(err)
	}
}

// relayed runs one relay of at most limit notices and returns the groups
// they name.
func relayed(t *testing.T, db *postgres.DB, limit int, relay func([]flows.Notice) error) []string {
	t.Helper()
	var groups []string
	_, err := db.RelayNotices(context.Background(), limit, func(ns []flows.Notice) error {
		for _, n := range ns {
			groups = append(groups, n.Replies[0].Text.Data["Group"].(string))
		}
		return relay(ns)
	})
	if err != nil {
		t.Fatal(err)
	}
	return groups
}

func TestNoticesAreRelayedOnceEvenAfterAFailure(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	l := noticeListing(t, db)
	for i := range 3 {
		post(t, db, l, strconv.Itoa(i))
	}
	// A relay that fails keeps nothing: the notices are handed out again.
	if _, err := db.RelayNotices(ctx, 100, func([]flows.Notice) error { return errors.New("redis down") }); err == nil {
		t.Fatal("a failed relay reported no error")
	}
	if got := relayed(t, db, 100, func([]flows.Notice) error { return nil }); !slices.Equal(got, []string{"0", "1", "2"}) {
		t.Fatalf("after a failure the relay got %v, want all three in order", got)
	}
	if got := relayed(t, db, 100, func([]flows.Notice) error { return nil }); len(got) != 0 {
		t.Fatalf("relayed notices were handed out again: %v", got)
	}
}

// Replicas relay one at a time, so that a chat's notices keep their order:
// a relay that finds another at work leaves the notices to it.
func TestConcurrentRelaysTakeTurns(t *testing.T) {
	db := pgtest.MustOpen(t)
	l := noticeListing(t, db)
	for i := range 4 {
		post(t, db, l, strconv.Itoa(i))
	}
	var second []string
	first := relayed(t, db, 2, func([]flows.Notice) error {
		second = relayed(t, db, 100, func([]flows.Notice) error { return nil })
		return nil
	})
	third := relayed(t, db, 100, func([]flows.Notice) error { return nil })
	if !slices.Equal(first, []string{"0", "1"}) || len(second) != 0 || !slices.Equal(third, []string{"2", "3"}) {
		t.Fatalf("relays %v, %v (during the first), %v: want the oldest two, nothing, then the other two", first, second, third)
	}
}

func TestNoticesComeOnlyWithTheirChange(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	l := noticeListing(t, db)
	ask := flows.Reply{Text: flows.M("mine.renew_ask", "Group", "ask")}
	if err := db.AskedRenew(ctx, l.ID, l.ExpiresAt, time.Now(), ask); err != nil {
		t.Fatal(err)
	}
	if err := db.AskedRenew(ctx, l.ID, l.ExpiresAt, time.Now(), ask); !errors.Is(err, flows.ErrStale) {
		t.Fatalf("asking twice: %v, want ErrStale", err)
	}
	stale := *l
	stale.Status = flows.Expired
	stale.UpdatedAt = l.UpdatedAt.Add(-time.Second)
	if err := db.UpdateListing(ctx, &stale, flows.Reply{Text: flows.M("post.caption", "Group", "expired")}); !errors.Is(err, flows.ErrStale) {
		t.Fatalf("a stale expiry: %v, want ErrStale", err)
	}
	// An unreadable notice (another version's) is set aside, not in the way.
	if _, err := db.Pool.Exec(ctx, `INSERT INTO notices (replies) VALUES ('{"not": "a list"}')`); err != nil {
		t.Fatal(err)
	}
	if got := relayed(t, db, 100, func([]flows.Notice) error { return nil }); !slices.Equal(got, []string{"ask"}) {
		t.Fatalf("notices %v, want only the renewal question", got)
	}
	var unreadable bool
	if err := db.Pool.QueryRow(ctx, `SELECT unreadable FROM notices WHERE relayed_at IS NOT NULL ORDER BY id DESC LIMIT 1`).Scan(&unreadable); err != nil || !unreadable {
		t.Fatalf("the unreadable notice is not marked (%v)", err)
	}
}

// A group admin's take-down is all or nothing, and once: hiding groups of
// which one is hidden already, or never had the listing, or whose post
// landed since it was read (its edit would be missing), changes nothing
// and queues no notice (ErrStale), so the farmer is told once. The listing
// stays shown in the groups not named.
func TestPostsAreHiddenOnceAndAllTogether(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	l := noticeListing(t, db)
	for _, g := range []string{"-1", "-2", "-3"} {
		post(t, db, l, g)
	}
	admin, err := db.Touch(ctx, flows.Input{Channel: flows.Telegram, UserID: "5005", UserName: "Lâm"})
	if err != nil {
		t.Fatal(err)
	}
	group := func(id string) flows.Post {
		return flows.Post{Group: flows.ChatRef{Channel: flows.Telegram, ChatID: id}, MessageIDs: []string{"9"}}
	}
	notices := func() (n int) {
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM notices WHERE replies::text LIKE '%hidden_farmer%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	told := flows.Reply{Text: flows.M("moderation.hidden_farmer")}
	if err := db.HidePosts(ctx, l.ID, []flows.Post{group("-1"), group("-2")}, admin.ID, "", told); err != nil {
		t.Fatal(err)
	}
	landed := flows.Post{Group: group("-5").Group} // read while waiting to be sent
	post(t, db, l, "-5")                           // then sent
	for _, again := range [][]flows.Post{{group("-1")}, {group("-2"), group("-3")}, {group("-3"), group("-4")}, {landed}} {
		if err := db.HidePosts(ctx, l.ID, again, admin.ID, "", told); !errors.Is(err, flows.ErrStale) {
			t.Fatalf("hiding %v after -1 and -2: %v, want ErrStale", again, err)
		}
	}
	if n := notices(); n != 1 {
		t.Fatalf("the farmer would be told %d times", n)
	}
	posts, err := db.Posts(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	var hidden []string
	for _, p := range posts {
		if p.Hidden {
			hidden = append(hidden, p.Group.ChatID)
		}
	}
	if !slices.Equal(hidden, []string{"-1", "-2"}) {
		t.Fatalf("hidden in %v, want -1 and -2 (-3 still shows it)", hidden)
	}
}

// A group upgraded to a supergroup that an admin registered too, before
// the bot learnt of the upgrade: a listing is posted under both ids.
// Following the old id keeps the supergroup's own registration and post,
// with the old id's take-down, and lets the old id's go, rather than
// failing on them. A post only the old id had moves without its message
// ids, which the supergroup numbers anew.
func TestMovingAGroupOntoItsRegisteredSupergroupKeepsOnePostEach(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	old, super := flows.ChatRef{Channel: flows.Telegram, ChatID: "-5"}, flows.ChatRef{Channel: flows.Telegram, ChatID: "-1005"}
	for _, g := range []flows.ChatRef{old, super} {
		if err := db.SaveGroup(ctx, g, "Chợ", true); err != nil {
			t.Fatal(err)
		}
		if err := db.RegisterMarket(ctx, flows.MarketGroup{Ref: g}, 0); err != nil {
			t.Fatal(err)
		}
	}
	l := noticeListing(t, db)
	post(t, db, l, old.ChatID)
	p := flows.Post{ListingID: l.ID, Group: super, MessageIDs: []string{"77"}}
	if _, err := db.SavePost(ctx, p, flows.Reply{Text: flows.M("sell.posted", "Group", super.ChatID)}); err != nil {
		t.Fatal(err)
	}
	hidden, only := pgtest.MustPublish(t, db, flows.Telegram), pgtest.MustPublish(t, db, flows.Telegram)
	post(t, db, hidden, old.ChatID)
	post(t, db, hidden, super.ChatID)
	post(t, db, only, old.ChatID)
	admin, err := db.Touch(ctx, flows.Input{Channel: flows.Telegram, UserID: "5005", UserName: "Lâm"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.HidePosts(ctx, hidden.ID, []flows.Post{{Group: old, MessageIDs: []string{"9"}}}, admin.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.MoveGroup(ctx, old, super); err != nil {
		t.Fatalf("moving the group onto its supergroup: %v", err)
	}
	posts, err := db.Posts(ctx, l.ID)
	if err != nil || len(posts) != 1 || posts[0].Group != super || posts[0].MessageIDs[0] != "77" {
		t.Fatalf("the listing's posts: %+v (%v); want the supergroup's own, once", posts, err)
	}
	if posts, err := db.Posts(ctx, hidden.ID); err != nil || len(posts) != 1 || posts[0].Group != super || !posts[0].Hidden {
		t.Fatalf("the listing taken down in the old group: %+v (%v); want it taken down in the supergroup", posts, err)
	}
	if posts, err := db.Posts(ctx, only.ID); err != nil || len(posts) != 1 || posts[0].Group != super || posts[0].Sent() {
		t.Fatalf("the listing posted in the old group only: %+v (%v); want it under the supergroup, no message of it known there", posts, err)
	}
	markets, err := db.AllMarkets(ctx)
	if err != nil || len(markets) != 1 || markets[0].Ref != super {
		t.Fatalf("market groups: %+v (%v); want the supergroup alone", markets, err)
	}
}
