package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
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

// A helper's list of farmers (/nhavuon) holds those she registered and
// who have not claimed their profile, the last registered first, a page
// at a time; a name (without diacritics), a whole number or its last
// digits find one. Another helper's farmers and a claimed profile are
// neither listed nor read.
func TestAHelpersFarmersAreThoseSheRegisteredWhoHaveNotClaimedTheirProfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	helper := mustTouch(t, db, flows.Telegram, "7101")
	other := mustTouch(t, db, flows.Telegram, "7102")
	register := func(by int64, name, phone string) *flows.Seller {
		t.Helper()
		s := &flows.Seller{Name: name, Phone: phone, Commune: "xã Hữu Kiên", Area: "chi_lang", CreatedBy: by}
		if err := db.SaveSeller(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	var hers []*flows.Seller // the last registered first
	mai := register(helper, "Hoàng Thị Mai", "+84987654321")
	hers = append(hers, mai)
	for i := range 11 {
		hers = append([]*flows.Seller{register(helper, "Nông dân "+strconv.Itoa(i), "+8491234500"+strconv.Itoa(i%10)+strconv.Itoa(i/10))}, hers...)
	}
	claimed := register(helper, "Lương Văn Tú", "+84388123456")
	theirs := register(other, "Hoàng Thị Hoa", "+84977111222")
	claimed.UserID = mustTouch(t, db, flows.Telegram, "8108")
	if err := db.SaveSeller(ctx, claimed); err != nil {
		t.Fatal(err)
	}

	ids := func(page []flows.Seller) []int64 {
		var got []int64
		for _, s := range page {
			got = append(got, s.ID)
		}
		return got
	}
	want := func(farmers ...*flows.Seller) []int64 {
		var ids []int64
		for _, s := range farmers {
			ids = append(ids, s.ID)
		}
		return ids
	}
	page, n, err := db.HelpedFarmers(ctx, helper, flows.PeopleQuery{Size: 10})
	if err != nil || n != (flows.PeopleFound{Found: 12, All: 12}) || !slices.Equal(ids(page), want(hers[:10]...)) {
		t.Fatalf("the first page: %v %+v (%v), want the 10 last registered of 12", ids(page), n, err)
	}
	if page[0].Name != hers[0].Name || page[0].Phone != hers[0].Phone || page[0].Commune != "xã Hữu Kiên" || page[0].Area != "chi_lang" {
		t.Fatalf("a farmer listed: %+v", page[0])
	}
	if page, n, err = db.HelpedFarmers(ctx, helper, flows.PeopleQuery{Page: 1, Size: 10}); err != nil ||
		n.Page != 1 || !slices.Equal(ids(page), want(hers[10:]...)) {
		t.Fatalf("the second page: %v %+v (%v), want the first two registered", ids(page), n, err)
	}
	for _, c := range []struct {
		q    flows.PeopleQuery
		want []int64
	}{
		{flows.PeopleQuery{Name: vn.Fold("hoang thi")}, want(mai)},               // not the other helper's Hoàng Thị Hoa
		{flows.PeopleQuery{Name: vn.Fold("Lương")}, nil},                         // claimed
		{flows.PeopleQuery{Phone: "+84987654321"}, want(mai)},                    // the whole number
		{flows.PeopleQuery{Digits: "654321"}, want(mai)},                         // its last digits
		{flows.PeopleQuery{Digits: "0987"}, want(mai)},                           // as written, from 0
		{flows.PeopleQuery{Phone: theirs.Phone}, nil},                            // another helper's
		{flows.PeopleQuery{Digits: "123456"}, nil},                               // claimed
		{flows.PeopleQuery{Name: vn.Fold("nong dan 1")}, want(hers[0], hers[9])}, // Nông dân 10, Nông dân 1
	} {
		c.q.Size = 10
		page, n, err := db.HelpedFarmers(ctx, helper, c.q)
		if err != nil || n.Found != len(c.want) || n.All != 12 || !slices.Equal(ids(page), c.want) {
			t.Errorf("%+v: %v %+v (%v), want %v", c.q, ids(page), n, err, c.want)
		}
	}
	if _, n, err := db.HelpedFarmers(ctx, other, flows.PeopleQuery{}); err != nil || n.All != 1 {
		t.Fatalf("the other helper's list: %+v (%v), want her one farmer", n, err)
	}

	// One of hers is read whole, and corrected with a code and an account.
	got, err := db.HelpedFarmer(ctx, helper, mai.ID)
	if err != nil || got.Name != "Hoàng Thị Mai" || got.Phone != mai.Phone || got.CreatedBy != helper {
		t.Fatalf("her farmer: %+v (%v)", got, err)
	}
	got.GrowingCode, got.Bank = "VN-LSOR-0012", &flows.BankAccount{BIN: "970405", Bank: "Agribank", Account: "123456789", Holder: "HOANG THI MAI"}
	if err := db.SaveHelped(ctx, got, helper); err != nil {
		t.Fatal(err)
	}
	if saved, err := db.SellerByPhone(ctx, mai.Phone); err != nil || saved.GrowingCode != "VN-LSOR-0012" || saved.Bank == nil ||
		*saved.Bank != *got.Bank {
		t.Fatalf("after adding a code and an account: %+v (%v)", saved, err)
	}
	for _, c := range []struct {
		helper int64
		farmer *flows.Seller
	}{{helper, claimed}, {helper, theirs}, {other, mai}} {
		if _, err := db.HelpedFarmer(ctx, c.helper, c.farmer.ID); !errors.Is(err, flows.ErrNotFound) {
			t.Errorf("helper %d reading %s: %v, want ErrNotFound", c.helper, c.farmer.Name, err)
		}
	}
}
