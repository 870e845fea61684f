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

// code issues code to the farmer for the newbie at the fixture's time.
func (f *linkFixture) code(code string) (int64, error) {
	f.sources++
	return f.db.NewLinkCode(context.Background(), flows.LinkCode{Account: f.farmer, Requester: f.newbie, Code: code,
		At: f.now, Expires: f.now.Add(flows.LinkCodeTTL), Source: "zalo:" + strconv.Itoa(f.sources)}, 3, time.Hour)
}

func (f *linkFixture) try(t *testing.T, id int64, code string) flows.LinkTry {
	t.Helper()
	try, err := f.db.TryLinkCode(context.Background(), id, f.newbie, code, f.now, 5)
	if err != nil {
		t.Fatal(err)
	}
	return try
}

func TestLinkCodesAreLimitedToThreeAnHourPerAccount(t *testing.T) {
	f := newLinkFixture(t)
	ctx := context.Background()
	first, err := f.code("111111")
	if err != nil {
		t.Fatal(err)
	}
	// A retried update replaces its code, and does not count twice.
	again, err := f.db.NewLinkCode(ctx, flows.LinkCode{Account: f.farmer, Requester: f.newbie, Code: "222222",
		At: f.now, Expires: f.now.Add(flows.LinkCodeTTL), Source: "zalo:1"}, 3, time.Hour)
	if err != nil || again != first {
		t.Fatalf("a retry got code %d (%v), want %d again", again, err, first)
	}
	if try := f.try(t, first, "111111"); try.Outcome != flows.LinkWrong {
		t.Fatalf("the replaced code still works: %+v", try)
	}
	f.now = f.now.Add(20 * time.Minute)
	for range 2 {
		if _, err := f.code("333333"); err != nil {
			t.Fatal(err)
		}
	}
	var many *flows.TooManyCodesError
	if _, err := f.code("444444"); !errors.As(err, &many) || !many.Next.Equal(f.now.Add(40*time.Minute)) {
		t.Fatalf("a fourth code within the hour: %v, want one allowed an hour after the first", err)
	}
	// The limit is the account's: another chat asking meets it too.
	other := mustTouch(t, f.db, "web", "w-1")
	_, err = f.db.NewLinkCode(ctx, flows.LinkCode{Account: f.farmer, Requester: other, Code: "555555",
		At: f.now, Expires: f.now.Add(flows.LinkCodeTTL), Source: "web:1"}, 3, time.Hour)
	if !errors.As(err, &many) {
		t.Fatalf("another requester within the hour: %v", err)
	}
	f.now = f.now.Add(40 * time.Minute)
	if _, err := f.code("666666"); err != nil {
		t.Fatalf("an hour after the first code: %v", err)
	}
}

func TestALinkCodeExpiresAndIsSpentByFiveWrongTries(t *testing.T) {
	f := newLinkFixture(t)
	spent, err := f.code("123456")
	if err != nil {
		t.Fatal(err)
	}
	for left := 4; left > 0; left-- {
		if try := f.try(t, spent, "654321"); try.Outcome != flows.LinkWrong || try.Left != left {
			t.Fatalf("a wrong code: %+v, want %d tries left", try, left)
		}
	}
	if try := f.try(t, spent, "654321"); try.Outcome != flows.LinkSpent {
		t.Fatalf("the fifth wrong code: %+v, want the code spent", try)
	}
	if try := f.try(t, spent, "123456"); try.Outcome != flows.LinkSpent {
		t.Fatalf("the right code after five wrong: %+v", try)
	}

	late, err := f.code("234567")
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(flows.LinkCodeTTL)
	if try := f.try(t, late, "234567"); try.Outcome != flows.LinkExpired {
		t.Fatalf("the right code 10 minutes on: %+v", try)
	}
	// Only the requester can use a code.
	if _, err := f.db.TryLinkCode(context.Background(), late, f.farmer, "234567", f.now, 5); !errors.Is(err, flows.ErrNotFound) {
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
		PriceTyped: "25k", Ready: f.now}, "telegram:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.db.PlaceOrder(ctx, &flows.Order{ListingID: l.ID, BuyerID: f.newbie, Quantity: vn.Quantity{Milli: 1000},
		Total: 25_000, Price: l.Price, BuyerName: "Lâm", BuyerPhone: "+84912888777", Delivery: "pickup"}, "zalo:9")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.SaveBuyer(ctx, f.newbie, flows.BuyerProfile{Name: "Lâm", Phone: "+84912888777", Address: "Chi Lăng"}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetLang(ctx, f.newbie, "en"); err != nil {
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
	if try := f.try(t, id, "123456"); try.Outcome != flows.LinkDone || try.Lang != "en" {
		t.Fatalf("the right code: %+v, want linked, in the language the newbie chose", try)
	}
	// A retry of the same update finds it done.
	if try := f.try(t, id, "123456"); try.Outcome != flows.LinkDone {
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
