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

// linkFixture is a farmer on Telegram and the same person, unlinked yet,
// on Zalo.
type linkFixture struct {
	db             *postgres.DB
	farmer, newbie int64
	now            time.Time
	sources        int
}

func newLinkFixture(t *testing.T) *linkFixture {
	t.Helper()
	ctx := context.Background()
	f := &linkFixture{db: pgtest.MustOpen(t), now: time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)}
	f.farmer = mustTouch(t, f.db, flows.Telegram, "100")
	if err := f.db.SaveSeller(ctx, &flows.Seller{UserID: f.farmer, Name: "Lâm", Phone: "+84912888777", Commune: "xã Quang Lang"}); err != nil {
		t.Fatal(err)
	}
	f.newbie = mustTouch(t, f.db, flows.Zalo, "z-100")
	return f
}

func mustTouch(t *testing.T, db *postgres.DB, ch flows.Channel, id string) int64 {
	t.Helper()
	u, err := db.Touch(context.Background(), flows.Input{Channel: ch, UserID: id, UserName: "U" + id})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// limits are the caps of flows/link.go.
var limits = flows.LinkLimits{Window: flows.LinkDay, Codes: flows.LinkCodesPerDay, Tries: flows.LinkTriesPerDay,
	Targets: flows.LinkTargetsPerDay, HelperTries: flows.LinkHelperTriesPerDay}

// source names a new update.
func (f *linkFixture) source() string {
	f.sources++
	return "zalo:" + strconv.Itoa(f.sources)
}

// codeFor issues code to account for requester at the fixture's time.
func (f *linkFixture) codeFor(account, requester int64, code string) (int64, error) {
	return f.db.NewLinkCode(context.Background(), flows.LinkCode{Account: account, Requester: requester, Code: code,
		At: f.now, Expires: f.now.Add(flows.LinkCodeTTL), Source: f.source()}, limits)
}

// code issues code to the farmer for the newbie.
func (f *linkFixture) code(code string) (int64, error) { return f.codeFor(f.farmer, f.newbie, code) }

// tryAs types code for code id as requester, in an update of source.
func (f *linkFixture) tryAs(t *testing.T, requester, id int64, code, source string) flows.LinkTry {
	t.Helper()
	try, err := f.db.TryLinkCode(context.Background(), flows.LinkGuess{ID: id, Requester: requester, Code: code,
		At: f.now, Source: source}, limits)
	if err != nil {
		t.Fatal(err)
	}
	return try
}

// try types code for code id as the newbie, in a new update.
func (f *linkFixture) try(t *testing.T, id int64, code string) flows.LinkTry {
	t.Helper()
	return f.tryAs(t, f.newbie, id, code, f.source())
}

// mustCode issues a code to account for requester, as it must.
func (f *linkFixture) mustCode(t *testing.T, account, requester int64, code string) int64 {
	t.Helper()
	id, err := f.codeFor(account, requester, code)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// wantCap checks that err is a cap reached until next.
func wantCap(t *testing.T, what string, err error, want flows.LinkCap, next time.Time) {
	t.Helper()
	var capped *flows.LinkLimitError
	if !errors.As(err, &capped) || capped.Cap != want || !capped.Next.Equal(next) {
		t.Fatalf("%s: %v, want cap %d until %s", what, err, want, next)
	}
}

func TestLinkCodesAreLimitedToThreeADayPerAccount(t *testing.T) {
	f := newLinkFixture(t)
	ctx := context.Background()
	start := f.now
	first := f.mustCode(t, f.farmer, f.newbie, "111111")
	// A retried update replaces its code, and does not count twice.
	again, err := f.db.NewLinkCode(ctx, flows.LinkCode{Account: f.farmer, Requester: f.newbie, Code: "222222",
		At: f.now, Expires: f.now.Add(flows.LinkCodeTTL), Source: "zalo:1"}, limits)
	if err != nil || again != first {
		t.Fatalf("a retry got code %d (%v), want %d again", again, err, first)
	}
	if try := f.try(t, first, "111111"); try.Outcome != flows.LinkWrong {
		t.Fatalf("the replaced code still works: %+v", try)
	}
	f.now = f.now.Add(5 * time.Hour)
	f.mustCode(t, f.farmer, f.newbie, "333333")
	// The cap is the account's: another requester's code counts too.
	other := mustTouch(t, f.db, "web", "w-1")
	f.mustCode(t, f.farmer, other, "444444")
	f.now = f.now.Add(18 * time.Hour)
	_, err = f.code("555555")
	wantCap(t, "a fourth code within the day", err, flows.CapCodes, start.Add(flows.LinkDay))
	_, err = f.codeFor(f.farmer, other, "555555")
	wantCap(t, "another requester's fourth code", err, flows.CapCodes, start.Add(flows.LinkDay))
	f.now = start.Add(flows.LinkDay)
	if _, err := f.code("666666"); err != nil {
		t.Fatalf("a day after the first code: %v", err)
	}
}

func TestFiveWrongTriesADayAtAnAccountsCodesStopLinkingToIt(t *testing.T) {
	f := newLinkFixture(t)
	start := f.now
	first := f.mustCode(t, f.farmer, f.newbie, "123456")
	for left := 4; left > 2; left-- {
		if try := f.try(t, first, "654321"); try.Outcome != flows.LinkWrong || try.Left != left {
			t.Fatalf("a wrong code: %+v, want %d tries left", try, left)
		}
	}
	// A retried update is not counted again.
	if try := f.tryAs(t, f.newbie, first, "654321", "zalo:retried"); try.Left != 2 {
		t.Fatalf("a third wrong try: %+v", try)
	}
	if try := f.tryAs(t, f.newbie, first, "654321", "zalo:retried"); try.Outcome != flows.LinkWrong || try.Left != 2 {
		t.Fatalf("the third wrong try delivered again: %+v, want it counted once", try)
	}
	// Another requester, with a fresh code of its own: the tries are the
	// account's.
	f.now = f.now.Add(time.Minute)
	other := mustTouch(t, f.db, "web", "w-1")
	fresh := f.mustCode(t, f.farmer, other, "234567")
	if try := f.tryAs(t, other, fresh, "765432", "web:1"); try.Outcome != flows.LinkWrong || try.Left != 1 {
		t.Fatalf("a wrong try with a fresh code: %+v, want 1 try left for the day", try)
	}
	f.now = f.now.Add(time.Minute)
	if try := f.try(t, first, "654321"); try.Outcome != flows.LinkBlocked || !try.Next.Equal(start.Add(flows.LinkDay)) {
		t.Fatalf("the fifth wrong try: %+v, want linking to the account stopped for a day", try)
	}
	// The sixth of the day is not tried, the right code neither, and no
	// code goes.
	if try := f.tryAs(t, other, fresh, "765431", "web:2"); try.Outcome != flows.LinkBlocked {
		t.Fatalf("a sixth try with a fresh code: %+v", try)
	}
	if try := f.tryAs(t, other, fresh, "234567", "web:3"); try.Outcome != flows.LinkBlocked {
		t.Fatalf("the right code after five wrong ones: %+v", try)
	}
	_, err := f.codeFor(f.farmer, mustTouch(t, f.db, "web", "w-2"), "345678")
	wantCap(t, "a code for the account after five wrong tries", err, flows.CapTries, start.Add(flows.LinkDay))
	var counted int
	if err := f.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM link_tries`).Scan(&counted); err != nil || counted != 5 {
		t.Fatalf("%d wrong tries kept (%v), want 5", counted, err)
	}
	// A day after the first wrong tries, fewer than five are left in it.
	f.now = start.Add(flows.LinkDay)
	late := f.mustCode(t, f.farmer, f.newbie, "456789")
	if try := f.try(t, late, "456789"); try.Outcome != flows.LinkDone {
		t.Fatalf("the right code a day after the first wrong tries: %+v", try)
	}
}

func TestARequesterIsSentCodesForThreeAccountsADay(t *testing.T) {
	f := newLinkFixture(t)
	start := f.now
	farmers := []int64{f.farmer}
	for i := range 3 {
		id := strconv.Itoa(101 + i)
		u := mustTouch(t, f.db, flows.Telegram, id)
		if err := f.db.SaveSeller(context.Background(), &flows.Seller{UserID: u, Name: "Nông dân " + id,
			Phone: "+8491288" + id + "0", Commune: "xã Quang Lang"}); err != nil {
			t.Fatal(err)
		}
		farmers = append(farmers, u)
	}
	for i, farmer := range farmers[:3] {
		f.now = start.Add(time.Duration(i) * time.Hour)
		f.mustCode(t, farmer, f.newbie, "111111")
	}
	// Asking again for one of them is no other account.
	f.mustCode(t, farmers[1], f.newbie, "222222")
	_, err := f.codeFor(farmers[3], f.newbie, "333333")
	wantCap(t, "a code for a fourth account", err, flows.CapTargets, start.Add(flows.LinkDay))
	// The cap is the requester's: another may ask for the fourth.
	f.mustCode(t, farmers[3], mustTouch(t, f.db, "web", "w-1"), "444444")
	// A day after the first account's code, two accounts are left in it.
	f.now = start.Add(flows.LinkDay - time.Second)
	_, err = f.codeFor(farmers[3], f.newbie, "555555")
	wantCap(t, "a fourth account within the day", err, flows.CapTargets, start.Add(flows.LinkDay))
	f.now = start.Add(flows.LinkDay)
	if _, err := f.codeFor(farmers[3], f.newbie, "666666"); err != nil {
		t.Fatalf("a fourth account a day after the first: %v", err)
	}
}

func TestALinkCodeExpiresAndIsTheRequesters(t *testing.T) {
	f := newLinkFixture(t)
	late := f.mustCode(t, f.farmer, f.newbie, "234567")
	f.now = f.now.Add(flows.LinkCodeTTL)
	if try := f.try(t, late, "234567"); try.Outcome != flows.LinkExpired {
		t.Fatalf("the right code 10 minutes on: %+v", try)
	}
	// Only the requester can use a code.
	_, err := f.db.TryLinkCode(context.Background(), flows.LinkGuess{ID: late, Requester: f.farmer, Code: "234567",
		At: f.now, Source: f.source()}, limits)
	if !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("someone else typing the code: %v", err)
	}
	// The code itself is nowhere in the table.
	var plain bool
	if err := f.db.Pool.QueryRow(context.Background(), `SELECT bool_or(strpos(encode(code_hash, 'escape'), '234567') > 0
		OR strpos(encode(code_hash, 'hex'), '234567') > 0) FROM link_codes`).Scan(&plain); err != nil || plain {
		t.Fatalf("a code is stored as typed (%v)", err)
	}
}

func TestLinkingMakesTwoAccountsOnePerson(t *testing.T) {
	f := newLinkFixture(t)
	ctx := context.Background()
	// Before: the newbie bought something on Zalo, and has buyer details.
	seller, err := f.db.SellerOf(ctx, f.farmer)
	if err != nil {
		t.Fatal(err)
	}
	l, err := f.db.CreateListing(ctx, &flows.Listing{SellerID: seller.ID, Channel: flows.Telegram, Product: "Na",
		Photos: []string{"p"}, Quantity: vn.Quantity{Milli: 50_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 25_000, Per: vn.UnitKg},
		PriceTyped: "25k", Ready: time.Now()}, "telegram:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.db.PlaceOrder(ctx, &flows.Order{ListingID: l.ID, BuyerID: f.newbie, Quantity: vn.Quantity{Milli: 1000},
		Total: 25_000, Price: l.Price, BuyerName: "Lâm", BuyerPhone: "+84912888777", Delivery: "pickup"}, "zalo:9",
		flows.BuyerProfile{Name: "Lâm", Phone: "+84912888777", Address: "Chi Lăng"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetLang(ctx, f.newbie, "en"); err != nil {
		t.Fatal(err)
	}
	// The Zalo account was banned, with the reason its person is told.
	if err := f.db.Ban(ctx, flows.BanOf{User: f.newbie}, 0, "fake goods", ""); err != nil {
		t.Fatal(err)
	}
	if chs, err := f.db.Channels(ctx, f.farmer); err != nil || !slices.Equal(chs, []flows.Channel{flows.Telegram}) {
		t.Fatalf("channels before linking: %v (%v)", chs, err)
	}

	// A moderator listed by the Zalo account moderates as the person.
	f.db.Moderators = postgres.Moderators{"zalo:z-100": true}
	if mod, err := f.db.IsModerator(ctx, f.farmer); err != nil || mod {
		t.Fatalf("the farmer moderates before linking: %v (%v)", mod, err)
	}

	id, err := f.code("123456")
	if err != nil {
		t.Fatal(err)
	}
	// The owner is told on their own chat, not on the one just linked.
	owner := flows.ChatRef{Channel: flows.Telegram, ChatID: "100"}
	if try := f.try(t, id, "123456"); try.Outcome != flows.LinkDone || try.Lang != "en" || try.Owner != owner {
		t.Fatalf("the right code: %+v, want linked, in the language the newbie chose, the owner told on %v", try, owner)
	}
	// A retry of the same update finds it done.
	if try := f.try(t, id, "123456"); try.Outcome != flows.LinkDone || try.Owner != owner {
		t.Fatalf("the right code again: %+v", try)
	}

	zalo, err := f.db.Touch(ctx, flows.Input{Channel: flows.Zalo, UserID: "z-100", UserName: "Lâm Zalo"})
	if err != nil {
		t.Fatal(err)
	}
	if zalo.ID != f.farmer || zalo.Channel != flows.Zalo || zalo.PlatformID != "z-100" || zalo.Name != "Lâm Zalo" || zalo.Lang != "en" {
		t.Fatalf("the Zalo account after linking: %+v, want the farmer's id, its own channel and name", zalo)
	}
	if chs, err := f.db.Channels(ctx, f.farmer); err != nil || !slices.Equal(chs, []flows.Channel{flows.Telegram, flows.Zalo}) {
		t.Fatalf("channels after linking: %v (%v)", chs, err)
	}
	if mod, err := f.db.IsModerator(ctx, f.farmer); err != nil || !mod {
		t.Fatalf("the person does not moderate after linking the listed account: %v (%v)", mod, err)
	}
	if reason, banned, err := f.db.Banned(ctx, flows.BanOf{User: f.farmer}); err != nil || !banned || reason != "fake goods" {
		t.Fatalf("the person after linking the banned account: banned %v, reason %q (%v); want banned, the reason kept", banned, reason, err)
	}
	moved, err := f.db.Order(ctx, o.ID)
	if err != nil || moved.BuyerID != f.farmer {
		t.Fatalf("the Zalo order's buyer: %+v (%v), want the farmer", moved, err)
	}
	if b, err := f.db.Buyer(ctx, f.farmer); err != nil || b.Address != "Chi Lăng" {
		t.Fatalf("buyer details after linking: %+v (%v)", b, err)
	}

	// Notices go to the account last seen.
	if ref, lang, err := f.db.ChatOf(ctx, f.farmer); err != nil || ref != (flows.ChatRef{Channel: flows.Zalo, ChatID: "z-100"}) || lang != "en" {
		t.Fatalf("chat of the farmer after Zalo: %v %q (%v)", ref, lang, err)
	}
	mustTouch(t, f.db, flows.Telegram, "100")
	if ref, _, err := f.db.ChatOf(ctx, f.farmer); err != nil || ref != (flows.ChatRef{Channel: flows.Telegram, ChatID: "100"}) {
		t.Fatalf("chat of the farmer after Telegram: %v (%v)", ref, err)
	}
}

// A claim's codes count per farmer, not for all the farmers one helper
// registered, nor with the helper's own; one requester is still sent codes
// for at most three farmers (or accounts) a day.
func TestClaimCodesAreCappedPerFarmer(t *testing.T) {
	f := newLinkFixture(t)
	ctx := context.Background()
	helper := f.farmer // the helper's own profile is Lâm's
	var farmers []int64
	for i := range 7 {
		s := &flows.Seller{Name: "Nhà vườn", Phone: "+8491200000" + strconv.Itoa(i), Commune: "xã Hữu Kiên", CreatedBy: helper}
		if err := f.db.SaveSeller(ctx, s); err != nil {
			t.Fatal(err)
		}
		farmers = append(farmers, s.ID)
	}
	claim := func(requester, seller int64) error {
		_, err := f.db.NewLinkCode(ctx, flows.LinkCode{Account: helper, Requester: requester, Code: "123456", At: f.now,
			Expires: f.now.Add(flows.LinkCodeTTL), Source: f.source(), Seller: seller}, limits)
		return err
	}
	for i, seller := range farmers[:3] {
		for range 3 {
			if err := claim(mustTouch(t, f.db, flows.Zalo, "z-"+strconv.Itoa(i)), seller); err != nil {
				t.Fatalf("farmer %d's codes: %v", i, err)
			}
		}
	}
	wantCap(t, "a farmer's fourth code", claim(mustTouch(t, f.db, flows.Zalo, "z-0"), farmers[0]), flows.CapCodes, f.now.Add(flows.LinkDay))
	f.mustCode(t, helper, f.newbie, "111111") // the helper's own account, linked
	someone := mustTouch(t, f.db, flows.Web, "w-1")
	for i, seller := range farmers[3:6] {
		if err := claim(someone, seller); err != nil {
			t.Fatalf("one requester's farmer %d: %v", i+1, err)
		}
	}
	if err := claim(someone, farmers[3]); err != nil {
		t.Fatalf("a farmer asked for before, again: %v", err)
	}
	wantCap(t, "one requester's fourth farmer", claim(someone, farmers[6]), flows.CapTargets, f.now.Add(flows.LinkDay))
}

// Wrong tries at a helper's codes count for all the farmers she registered
// too: twenty a day, each farmer's below five, and then no farmer of hers
// is tried, not even with the right code, nor sent a code, until the
// first of them is a day old.
func TestWrongClaimCodesAreCappedPerHelper(t *testing.T) {
	f := newLinkFixture(t)
	ctx := context.Background()
	helper := f.farmer
	var farmers []int64
	for i := range 6 {
		s := &flows.Seller{Name: "Nhà vườn", Phone: "+8491200000" + strconv.Itoa(i), Commune: "xã Hữu Kiên", CreatedBy: helper}
		if err := f.db.SaveSeller(ctx, s); err != nil {
			t.Fatal(err)
		}
		farmers = append(farmers, s.ID)
	}
	claim := func(requester, seller int64, code string) (int64, error) {
		return f.db.NewLinkCode(ctx, flows.LinkCode{Account: helper, Requester: requester, Code: code, At: f.now,
			Expires: f.now.Add(flows.LinkCodeTTL), Source: f.source(), Seller: seller}, limits)
	}
	first := f.now
	last := mustTouch(t, f.db, flows.Zalo, "z-5")
	waiting, err := claim(last, farmers[5], "654321") // asked before the guessing
	if err != nil {
		t.Fatal(err)
	}
	for i, seller := range farmers[:5] {
		requester := mustTouch(t, f.db, flows.Zalo, "z-"+strconv.Itoa(i))
		id, err := claim(requester, seller, "123456")
		if err != nil {
			t.Fatalf("farmer %d's code: %v", i, err)
		}
		for n := 1; n <= 4; n++ {
			try := f.tryAs(t, requester, id, "000000", f.source())
			switch total := 4*i + n; {
			case total < flows.LinkHelperTriesPerDay && (try.Outcome != flows.LinkWrong || try.Left != min(5-n, 20-total)):
				t.Fatalf("wrong try %d of all (farmer %d's %d): %+v, want wrong with %d left", total, i, n, try, min(5-n, 20-total))
			case total == flows.LinkHelperTriesPerDay && (try.Outcome != flows.LinkBlocked || try.Cap != flows.CapHelperTries ||
				!try.Next.Equal(first.Add(flows.LinkDay))):
				t.Fatalf("the 20th wrong try: %+v, want the helper's codes blocked until a day after the first", try)
			}
		}
		f.now = f.now.Add(time.Minute)
	}
	if try := f.tryAs(t, last, waiting, "654321", f.source()); try.Outcome != flows.LinkBlocked || try.Cap != flows.CapHelperTries {
		t.Fatalf("another farmer's right code: %+v, want blocked by the helper's cap", try)
	}
	_, err = claim(mustTouch(t, f.db, flows.Web, "w-9"), farmers[5], "111111")
	wantCap(t, "a code for another farmer of hers", err, flows.CapHelperTries, first.Add(flows.LinkDay))
	f.now = first.Add(flows.LinkDay)
	id, err := claim(last, farmers[5], "222222")
	if err != nil {
		t.Fatalf("a day later: %v", err)
	}
	if try := f.tryAs(t, last, id, "222222", f.source()); try.Outcome != flows.LinkDone {
		t.Fatalf("a day later the right code: %+v, want the farmer's profile claimed", try)
	}
}
