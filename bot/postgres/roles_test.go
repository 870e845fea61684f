package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
)

// A farmer without an account is banned as a seller profile: a helper
// posting for it is told (SellerBanned), not banned themselves; the
// farmer taking the profile over later is banned as they post; the ban is
// listed under the profile's name and lifted once. The update that banned,
// or lifted the ban, run again is told it did (nil), another that it was
// done already (ErrStale).
func TestASellerProfileBanHoldsForWhoeverPostsForIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	helper := mustTouch(t, db, flows.Telegram, "1")
	mai := &flows.Seller{Name: "Hoàng Thị Mai", Phone: "+84987654321", Commune: "xã Hữu Kiên", CreatedBy: helper}
	if err := db.SaveSeller(ctx, mai); err != nil {
		t.Fatal(err)
	}
	if err := db.Ban(ctx, flows.BanOf{Seller: mai.ID}, 0, "hàng giả", "telegram:10"); err != nil {
		t.Fatal(err)
	}
	if err := db.Ban(ctx, flows.BanOf{Seller: mai.ID}, 0, "hàng giả", "telegram:10"); err != nil {
		t.Fatalf("the ban run again: %v, want nil", err)
	}
	if err := db.Ban(ctx, flows.BanOf{Seller: mai.ID}, 0, "other", "telegram:11"); !errors.Is(err, flows.ErrStale) {
		t.Fatalf("another ban: %v, want ErrStale", err)
	}
	p, err := db.Posting(ctx, flows.PostingOf{User: helper, Seller: mai.ID})
	if err != nil || p.Banned || !p.SellerBanned || p.SellerReason != "hàng giả" {
		t.Fatalf("a helper posting for the banned profile: %+v (%v); want the profile banned, not the helper", p, err)
	}
	if p, err := db.Posting(ctx, flows.PostingOf{User: helper}); err != nil || p.Banned || p.SellerBanned {
		t.Fatalf("the helper for themselves: %+v (%v); want free to post", p, err)
	}

	// Mai takes her profile over: her own posting is banned.
	farmer := mustTouch(t, db, flows.Zalo, "z-2")
	if _, err := db.Pool.Exec(ctx, `UPDATE sellers SET user_id = $2 WHERE id = $1`, mai.ID, farmer); err != nil {
		t.Fatal(err)
	}
	for _, q := range []flows.PostingOf{{User: farmer}, {User: farmer, Seller: mai.ID}} {
		if p, err := db.Posting(ctx, q); err != nil || !p.Banned || p.Reason != "hàng giả" || p.SellerBanned {
			t.Fatalf("Mai posting (%+v) with her banned profile: %+v (%v); want banned", q, p, err)
		}
	}
	if reason, banned, err := db.Banned(ctx, flows.BanOf{User: farmer}); err != nil || !banned || reason != "hàng giả" {
		t.Fatalf("Mai banned? %v %q (%v)", banned, reason, err)
	}
	list, n, err := db.BannedUsers(ctx, flows.PeopleQuery{Size: 10})
	want := flows.Banned{Who: flows.BanOf{Seller: mai.ID}, Name: "Hoàng Thị Mai", Phone: "+84987654321", Reason: "hàng giả", Account: farmer}
	if err != nil || len(list) != 1 || list[0] != want || n != (flows.PeopleFound{Found: 1, All: 1}) {
		t.Fatalf("banned: %+v %+v (%v), want %+v", list, n, err, want)
	}
	if b, err := db.BanDetails(ctx, want.Who); err != nil || b != want {
		t.Fatalf("the ban of Mai's profile: %+v (%v), want %+v", b, err, want)
	}
	if _, err := db.Unban(ctx, want, "telegram:12"); err != nil {
		t.Fatal(err)
	}
	if again, err := db.Unban(ctx, flows.Banned{Who: want.Who}, "telegram:12"); err != nil || again.Name != want.Name || again.Account != farmer {
		t.Fatalf("lifting run again: %+v (%v), want the ban it lifted", again, err)
	}
	if _, err := db.Unban(ctx, want, "telegram:13"); !errors.Is(err, flows.ErrStale) {
		t.Fatalf("lifting the ban again: %v, want ErrStale", err)
	}
	if p, err := db.Posting(ctx, flows.PostingOf{User: farmer}); err != nil || p.Banned {
		t.Fatalf("Mai after the ban is lifted: %+v (%v)", p, err)
	}
}
