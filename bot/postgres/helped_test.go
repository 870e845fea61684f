package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
)

// Only the helper who registered a farmer without an account may correct
// her name and address: not another helper, and not once she holds the
// profile herself.
func TestOnlyTheHelperWhoRegisteredAFarmerCorrectsHerProfile(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	helper := mustTouch(t, db, flows.Telegram, "7001")
	other := mustTouch(t, db, flows.Telegram, "7002")
	mai := &flows.Seller{Name: "Hoàng Thị Mia", Phone: "+84987654321", Commune: "xã Hữu Kiên", Area: "chi_lang", CreatedBy: helper}
	if err := db.SaveSeller(ctx, mai); err != nil {
		t.Fatal(err)
	}
	fixed := *mai
	fixed.Name, fixed.Commune = "Hoàng Thị Mai", "thôn Bản Chành, xã Hữu Kiên"
	if err := db.SaveHelped(ctx, &fixed, other); !errors.Is(err, flows.ErrStale) {
		t.Fatalf("another helper's correction: %v, want ErrStale", err)
	}
	if err := db.SaveHelped(ctx, &fixed, helper); err != nil {
		t.Fatal(err)
	}
	got, err := db.SellerByPhone(ctx, mai.Phone)
	if err != nil || got.Name != "Hoàng Thị Mai" || got.Commune != "thôn Bản Chành, xã Hữu Kiên" || got.Area != "chi_lang" ||
		got.Phone != mai.Phone || got.CreatedBy != helper {
		t.Fatalf("after the correction: %+v %v", got, err)
	}

	// She claims it: from then on it is hers alone.
	claimed := *got
	claimed.UserID = mustTouch(t, db, flows.Telegram, "8008")
	if err := db.SaveSeller(ctx, &claimed); err != nil {
		t.Fatal(err)
	}
	fixed.Name = "Hoàng Mai"
	if err := db.SaveHelped(ctx, &fixed, helper); !errors.Is(err, flows.ErrStale) {
		t.Fatalf("correcting a claimed profile: %v, want ErrStale", err)
	}
	if got, _ := db.SellerByPhone(ctx, mai.Phone); got.Name != "Hoàng Thị Mai" {
		t.Fatalf("a claimed profile was changed: %q", got.Name)
	}
}
