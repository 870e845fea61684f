package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

func TestASellerHasAStableReadableSlug(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustOpen(t)
	s := &flows.Seller{Name: "Hoàng Thị Lan", Phone: "+84987654321", Commune: "xã Hữu Kiên"}
	if err := db.SaveSeller(ctx, s); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^hoang-thi-lan-huu-kien-[2-9a-z]{4}$`).MatchString(s.Slug) {
		t.Fatalf("slug %q, want hoang-thi-lan-huu-kien-xxxx", s.Slug)
	}
	slug := s.Slug
	s.Name, s.Slug = "Hoàng Lan", ""
	if err := db.SaveSeller(ctx, s); err != nil || s.Slug != slug {
		t.Fatalf("after renaming, slug %q (%v), want %q kept", s.Slug, err, slug)
	}
	same := &flows.Seller{Name: "Hoàng Thị Lan", Commune: "Hữu Kiên"}
	if err := db.SaveSeller(ctx, same); err != nil || same.Slug == slug || !strings.HasPrefix(same.Slug, "hoang-thi-lan-huu-kien-") {
		t.Fatalf("a namesake's slug %q (%v), beside %q", same.Slug, err, slug)
	}

	// A seller saved before slugs existed gets one when migrating.
	var id int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO sellers (name, commune) VALUES ('Đặng Văn Đức!', '') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.Pool.QueryRow(ctx, `SELECT slug FROM sellers WHERE id = $1`, id).Scan(&got); err != nil ||
		!regexp.MustCompile(`^dang-van-duc-[2-9a-z]{4}$`).MatchString(got) {
		t.Fatalf("an old seller's slug %q (%v)", got, err)
	}
}

// showcase is a small market: two farmers, listings in every status.
type showcase struct {
	db       *postgres.DB
	lan, mai *flows.Seller
	codes    map[string]string // by name: na, quyt, soldout, closed, expired, late, soldlate
}

func newShowcase(t *testing.T) *showcase {
	t.Helper()
	ctx := context.Background()
	sc := &showcase{db: pgtest.MustOpen(t), codes: map[string]string{}}
	sc.lan = &flows.Seller{Name: "Lan", Phone: "+84987654321", Commune: "xã Quang Lang", Area: "chi_lang",
		Bank: &flows.BankAccount{BIN: "970436", Bank: "Vietcombank", Account: "0123456789123", Holder: "HOANG THI LAN"}}
	sc.mai = &flows.Seller{Name: "Mai", Phone: "+84912888777", Commune: "xã Vũ Lễ", Area: "bac_son"}
	for _, s := range []*flows.Seller{sc.lan, sc.mai} {
		if err := sc.db.SaveSeller(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	add := func(name string, s *flows.Seller, key, product, status string, expires time.Duration) {
		photo := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Telegram, Ref: "AgAD-" + name}
		l, err := sc.db.CreateListing(ctx, &flows.Listing{SellerID: s.ID, Channel: flows.Telegram, ProductKey: key, Product: product,
			Photos: []string{photo.String()}, Quantity: vn.Quantity{Milli: 100_000, Unit: vn.UnitKg},
			Price: vn.Price{VND: 25_000, Per: vn.UnitKg}, PriceTyped: "25k", Ready: time.Now(), Note: "<b>ngọt</b>"},
			"telegram:"+name, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = sc.db.Pool.Exec(ctx, `UPDATE listings SET status = $2, expires_at = now() + $3::interval,
			remaining_milli = CASE WHEN $2 = 'sold_out' THEN 0 ELSE 80000 END WHERE id = $1`,
			l.ID, status, fmt.Sprintf("%d seconds", int(expires.Seconds())))
		if err != nil {
			t.Fatal(err)
		}
		sc.codes[name] = l.Code
	}
	day := 24 * time.Hour
	add("na", sc.lan, "na-chi-lang", "Na Chi Lăng", flows.Active, day)
	add("quyt", sc.mai, "quyt-bac-son", "Quýt Bắc Sơn", flows.Active, day)
	add("soldout", sc.lan, "na-chi-lang", "Na Chi Lăng", flows.SoldOut, day)
	add("closed", sc.lan, "na-chi-lang", "Na Chi Lăng", flows.Closed, day)
	add("expired", sc.lan, "na-chi-lang", "Na Chi Lăng", flows.Expired, -day)
	add("late", sc.lan, "na-chi-lang", "Na Chi Lăng", flows.Active, -time.Minute)      // not ended by the tick yet
	add("soldlate", sc.lan, "na-chi-lang", "Na Chi Lăng", flows.SoldOut, -time.Minute) // past its last day, likewise
	return sc
}

func codes(ls []flows.Shown) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Code)
	}
	return out
}

func TestTheMarketShowsOnlyListingsOnSale(t *testing.T) {
	ctx := context.Background()
	sc := newShowcase(t)
	c := sc.codes
	for _, tc := range []struct {
		name string
		q    flows.MarketQuery
		want []string
		more bool
	}{
		{"all", flows.MarketQuery{PerPage: 10}, []string{c["quyt"], c["na"]}, false},
		{"by product", flows.MarketQuery{Product: "na-chi-lang", PerPage: 10}, []string{c["na"]}, false},
		{"by area", flows.MarketQuery{Area: "bac_son", PerPage: 10}, []string{c["quyt"]}, false},
		{"none there", flows.MarketQuery{Product: "na-chi-lang", Area: "bac_son", PerPage: 10}, nil, false},
		{"page 1", flows.MarketQuery{Page: 1, PerPage: 1}, []string{c["quyt"]}, true},
		{"page 2", flows.MarketQuery{Page: 2, PerPage: 1}, []string{c["na"]}, false},
	} {
		got, more, err := sc.db.Market(ctx, tc.q)
		if err != nil || !slices.Equal(codes(got), tc.want) || more != tc.more {
			t.Errorf("%s: %v more %v (%v), want %v more %v", tc.name, codes(got), more, err, tc.want, tc.more)
		}
	}
	all, _, _ := sc.db.Market(ctx, flows.MarketQuery{PerPage: 10})
	na := all[1]
	if na.Product != "Na Chi Lăng" || na.Remaining != 80_000 || na.Quantity.Unit != vn.UnitKg || na.Price.VND != 25_000 ||
		!flows.ValidPhotoID(na.Photo) || na.Store.Slug != sc.lan.Slug || na.Store.Name != "Lan" || na.Store.Area != "chi_lang" ||
		na.Store.Commune != "xã Quang Lang" || na.Note != "<b>ngọt</b>" {
		t.Errorf("a listing on the market: %+v", na)
	}
	products, err := sc.db.MarketProducts(ctx)
	want := []flows.MarketProduct{{Key: "na-chi-lang", Name: "Na Chi Lăng"}, {Key: "quyt-bac-son", Name: "Quýt Bắc Sơn"}}
	if err != nil || !slices.Equal(products, want) {
		t.Errorf("products on sale %+v (%v), want %+v", products, err, want)
	}
}

func TestAListingPageShowsOnlyOnSaleOrSoldOut(t *testing.T) {
	ctx := context.Background()
	sc := newShowcase(t)
	for name, shown := range map[string]bool{"na": true, "soldout": true, "closed": false, "expired": false, "late": false, "soldlate": false} {
		l, err := sc.db.ShownListing(ctx, sc.codes[name])
		switch {
		case shown && (err != nil || l.Code != sc.codes[name]):
			t.Errorf("%s: %+v, %v", name, l, err)
		case !shown && !errors.Is(err, flows.ErrNotFound):
			t.Errorf("%s is shown: %+v, %v", name, l, err)
		}
	}
	if _, err := sc.db.ShownListing(ctx, "NS-ZZZZ"); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("an unknown code: %v", err)
	}
}

func TestAStoreShowsItsListingsOnSaleThenSoldOut(t *testing.T) {
	ctx := context.Background()
	sc := newShowcase(t)
	s, err := sc.db.Store(ctx, sc.lan.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{sc.codes["na"], sc.codes["soldout"]}; !slices.Equal(codes(s.Listings), want) ||
		s.Name != "Lan" || s.Commune != "xã Quang Lang" || s.Area != "chi_lang" || s.Listings[1].Status != flows.SoldOut {
		t.Errorf("Lan's store %+v, want listings %v", s, want)
	}
	if _, err := sc.db.Store(ctx, "khong-co-ai-2222"); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("an unknown store: %v", err)
	}
	// Nothing personal is read into what pages show.
	market, _, _ := sc.db.Market(ctx, flows.MarketQuery{PerPage: 10})
	one, _ := sc.db.ShownListing(ctx, sc.codes["na"])
	all := fmt.Sprintf("%+v %+v %+v", s, market, one)
	for _, secret := range []string{"987654321", "912888777", "0123456789123", "970436", "HOANG THI LAN", "Vietcombank"} {
		if strings.Contains(all, secret) {
			t.Errorf("pages' data holds %q: %s", secret, all)
		}
	}
}
