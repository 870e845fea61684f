package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
)

// priceMarket builds listings for the price hints' tests.
type priceMarket struct {
	t   *testing.T
	db  *postgres.DB
	n   int
	now time.Time
}

func (m *priceMarket) seller(area string) *flows.Seller {
	m.t.Helper()
	m.n++
	s := &flows.Seller{Name: fmt.Sprintf("Nhà vườn %d", m.n), Commune: "xã Quang Lang", Area: area}
	if err := m.db.SaveSeller(context.Background(), s); err != nil {
		m.t.Fatal(err)
	}
	return s
}

// list publishes s's listing of product at price, daysAgo days ago.
func (m *priceMarket) list(s *flows.Seller, product string, price vn.Price, unit vn.Unit, daysAgo int) *flows.Listing {
	m.t.Helper()
	ctx := context.Background()
	m.n++
	l, err := m.db.CreateListing(ctx, &flows.Listing{SellerID: s.ID, Channel: flows.Telegram, ProductKey: product, Product: product,
		Photos: []string{"p"}, Quantity: vn.Quantity{Milli: 500_000, Unit: unit}, Price: price, PriceTyped: "x",
		Ready: m.now}, fmt.Sprintf("telegram:%d", m.n), nil)
	if err != nil {
		m.t.Fatal(err)
	}
	if _, err := m.db.Pool.Exec(ctx, `UPDATE listings SET created_at = $2 WHERE id = $1`,
		l.ID, m.now.AddDate(0, 0, -daysAgo)); err != nil {
		m.t.Fatal(err)
	}
	return l
}

func (m *priceMarket) recent(product, area string, per vn.Unit) flows.PriceRange {
	m.t.Helper()
	r, err := m.db.RecentPrices(context.Background(), product, area, per, m.now.AddDate(0, 0, -14))
	if err != nil {
		m.t.Fatal(err)
	}
	return r
}

func kg(vnd int64) vn.Price { return vn.Price{VND: vnd, Per: vn.UnitKg} }

func TestRecentPricesAreSeveralFarmersOfTheSameProductAreaAndFortnight(t *testing.T) {
	m := &priceMarket{t: t, db: pgtest.MustOpen(t), now: time.Now()}
	mai := m.seller("chi_lang")
	for _, p := range []int64{22_000, 25_000, 28_000} {
		m.list(mai, "na", kg(p), vn.UnitKg, 1)
	}
	if r := m.recent("na", "chi_lang", vn.UnitKg); r.Enough() || r.Points() != 3 || r.Sellers != 1 {
		t.Fatalf("one farmer's three prices: %+v, want 3 points of one farmer, not enough", r)
	}

	lan := m.seller("chi_lang")
	m.list(lan, "na", vn.Price{VND: 2_400_000, Per: vn.UnitTa}, vn.UnitTa, 3) // 24.000 đ/kg
	// Not counted: another area, another product, older than 14 days,
	// removed, priced per quả.
	m.list(m.seller("bac_son"), "na", kg(90_000), vn.UnitKg, 1)
	m.list(lan, "quyt", kg(5_000), vn.UnitKg, 1)
	m.list(lan, "na", kg(1_000), vn.UnitKg, 15)
	removed := m.list(lan, "na", kg(99_000), vn.UnitKg, 1)
	if _, err := m.db.Pool.Exec(context.Background(), `UPDATE listings SET status = 'removed' WHERE id = $1`, removed.ID); err != nil {
		t.Fatal(err)
	}
	m.list(lan, "na", vn.Price{VND: 7_000, Per: vn.UnitQua}, vn.UnitQua, 1)

	r := m.recent("na", "chi_lang", vn.UnitKg)
	want := flows.PriceRange{Low: kg(22_000), High: kg(28_000), Listings: 4, Sellers: 2}
	if r != want || !r.Enough() {
		t.Fatalf("two farmers' prices: %+v, want %+v", r, want)
	}
	// Asked per tạ, the range is still per kg: weights compare per kg.
	if r := m.recent("na", "chi_lang", vn.UnitTa); r != want {
		t.Fatalf("asked per tạ: %+v, want %+v", r, want)
	}
	// Per quả, only the prices per quả.
	if r := m.recent("na", "chi_lang", vn.UnitQua); r.Points() != 1 || r.Low != (vn.Price{VND: 7_000, Per: vn.UnitQua}) {
		t.Fatalf("per quả: %+v", r)
	}
	if r := m.recent("na", "", vn.UnitKg); r.Points() != 0 {
		t.Fatalf("no area: %+v, want nothing", r)
	}
	if r := m.recent("", "chi_lang", vn.UnitKg); r.Points() != 0 {
		t.Fatalf("a product typed freely: %+v, want nothing", r)
	}
}

func TestRecentPricesCountCompletedOrdersAtTheirAgreedPrice(t *testing.T) {
	ctx := context.Background()
	m := &priceMarket{t: t, db: pgtest.MustOpen(t), now: time.Now()}
	mai, lan := m.seller("chi_lang"), m.seller("chi_lang")
	m.list(mai, "na", kg(25_000), vn.UnitKg, 2)
	old := m.list(lan, "na", vn.Price{VND: 3_000_000, Per: vn.UnitTa}, vn.UnitTa, 20) // too old to count itself
	buyer, err := m.db.Touch(ctx, flows.Input{Channel: flows.Telegram, UserID: "9", UserName: "Hoa"})
	if err != nil {
		t.Fatal(err)
	}
	for i, status := range []string{flows.Completed, flows.Completed, flows.Pending} {
		// 2 tạ for 5.600.000: 28.000 đ/kg agreed.
		o, err := m.db.PlaceOrder(ctx, &flows.Order{ListingID: old.ID, BuyerID: buyer.ID, Quantity: vn.Quantity{Milli: 2000, Unit: vn.UnitTa},
			Total: 5_600_000, Price: old.Price, BuyerName: "Hoa", BuyerPhone: "+84912888777", Delivery: "pickup"}, fmt.Sprintf("telegram:o%d", i), flows.BuyerProfile{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.db.Pool.Exec(ctx, `UPDATE orders SET status = $2 WHERE id = $1`, o.ID, status); err != nil {
			t.Fatal(err)
		}
	}
	r := m.recent("na", "chi_lang", vn.UnitKg)
	want := flows.PriceRange{Low: kg(25_000), High: kg(28_000), Listings: 1, Orders: 2, Sellers: 2}
	if r != want || !r.Enough() {
		t.Fatalf("a listing and two completed orders: %+v, want %+v", r, want)
	}
}

func TestRecentPricesLeaveATenthOutAtEachEndFromTenPrices(t *testing.T) {
	m := &priceMarket{t: t, db: pgtest.MustOpen(t), now: time.Now()}
	mai, lan := m.seller("chi_lang"), m.seller("chi_lang")
	m.list(mai, "na", kg(2_500), vn.UnitKg, 1) // a zero forgotten
	for i := range 8 {
		m.list(lan, "na", kg(int64(22_000+1000*i)), vn.UnitKg, 1)
	}
	m.list(mai, "na", kg(250_000), vn.UnitKg, 1) // a zero too many
	r := m.recent("na", "chi_lang", vn.UnitKg)
	want := flows.PriceRange{Low: kg(22_000), High: kg(29_000), Listings: 10, Sellers: 1}
	if r != want || r.Enough() {
		t.Fatalf("ten prices, the ends one farmer's typos: %+v, want %+v, not enough (one farmer left)", r, want)
	}
}
