package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// A product typed freely is followed by its folded name, in the seller's
// area or everywhere; the counts of /tin come in one query; following
// twice is one follow; a chat gone forgets its user's follows.
func TestFollowersOfAProductTypedFreely(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	m := &priceMarket{t: t, db: db, now: time.Now()}
	honey := func(area string) *flows.Listing {
		l, err := db.CreateListing(ctx, &flows.Listing{SellerID: m.seller(area).ID, Channel: flows.Telegram, Product: "Mật ong rừng",
			Photos: []string{"p"}, Quantity: vn.Quantity{Milli: 10_000, Unit: vn.UnitLit}, Price: vn.Price{VND: 300_000, Per: vn.UnitLit},
			PriceTyped: "x", Ready: m.now}, "honey:"+area, nil)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	var users []int64
	for _, f := range []struct{ id, product, area string }{{"a", "mật ong rừng", ""}, {"b", "Mat ong rung", "chi_lang"}, {"c", "mật ong", ""}} {
		id := mustTouch(t, db, flows.Telegram, f.id)
		users = append(users, id)
		if _, created, err := db.Follow(ctx, flows.Follow{UserID: id, Product: f.product, Area: f.area}); err != nil || !created {
			t.Fatal(created, err)
		}
	}
	if _, created, err := db.Follow(ctx, flows.Follow{UserID: users[0], Product: "Mật ong rừng"}); err != nil || created {
		t.Fatalf("following twice: created %v, %v", created, err)
	}
	chiLang, bacSon := honey("chi_lang"), honey("bac_son")
	counts, err := db.Followers(ctx, []*flows.Listing{chiLang, bacSon})
	if err != nil {
		t.Fatal(err)
	}
	if counts[chiLang.ID] != 2 || counts[bacSon.ID] != 1 {
		t.Errorf("followers %v, want 2 in Chi Lăng and 1 in Bắc Sơn", counts)
	}
	if n, err := db.Forget(ctx, flows.ChatRef{Channel: flows.Telegram, ChatID: "b"}); err != nil || n != 1 {
		t.Fatalf("forget: %d, %v", n, err)
	}
	if follows, err := db.FollowsOf(ctx, users[1]); err != nil || len(follows) != 0 {
		t.Errorf("a gone chat's user still follows %v (%v)", follows, err)
	}
}

// Settled follow notices of a listing that ended are pruned with the
// relayed notices; those of a listing on sale are kept: they keep its
// follower from being told of it twice.
func TestFollowNoticesOfEndedListingsArePruned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	m := &priceMarket{t: t, db: db, now: time.Now()}
	buyer := mustTouch(t, db, flows.Telegram, "follower")
	if _, _, err := db.Follow(ctx, flows.Follow{UserID: buyer, Product: "Mật ong rừng"}); err != nil {
		t.Fatal(err)
	}
	var listings []*flows.Listing
	for _, source := range []string{"ended", "on-sale"} {
		l, err := db.CreateListing(ctx, &flows.Listing{SellerID: m.seller("chi_lang").ID, Channel: flows.Telegram, Product: "Mật ong rừng",
			Photos: []string{"p"}, Quantity: vn.Quantity{Milli: 10_000, Unit: vn.UnitLit}, Price: vn.Price{VND: 300_000, Per: vn.UnitLit},
			PriceTyped: "x", Ready: m.now}, "prune:"+source, nil)
		if err != nil {
			t.Fatal(err)
		}
		listings = append(listings, l)
	}
	sent, err := db.DeliverFollows(ctx, 10, vn.Today(m.now), func(n flows.FollowNotice, _ int) []flows.Reply {
		return []flows.Reply{{To: n.To, Text: flows.M("follow.new_listing")}}
	})
	if err != nil || sent != 2 {
		t.Fatalf("delivered %d, %v", sent, err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE listings SET status = 'closed' WHERE id = $1`, listings[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := db.PruneNotices(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{0, 1} {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM follow_notices WHERE listing_id = $1`, listings[i].ID).Scan(&n); err != nil || n != want {
			t.Errorf("listing %d: %d follow notices left (%v), want %d", i, n, err, want)
		}
	}
}
