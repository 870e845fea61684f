package flows_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/locales"
)

// A farmer who says her selling is over ("bán hết rồi", "không bán
// nữa") starts no listing of "hết rồi" or "nữa": her listing on sale is
// shown, named, to mark sold out or stop selling; with several, the list
// of them. Whoever has none on sale, or says nothing sold yet, gets a
// short answer, not seller registration.
func TestSayingSellingIsOverOffersToMarkTheListingSoldOut(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	m := newMarket(t)
	const farmer = "1"
	first := m.listing(farmer)
	for i, said := range []string{"bán hết rồi", "không bán nữa", "thôi không bán nữa", "đã bán xong", "Đã bán rồi nhé", "het hang roi"} {
		l := first
		if i > 0 { // the one before is sold out
			l = m.another(first, fmt.Sprint("test:again:", i))
		}
		if got := m.say(farmer, flows.KindText, said); !slices.Equal(got, []string{"over.listing", "mine.detail"}) || m.step(farmer) != "mine/act" {
			t.Errorf("%q said %v at %q, want her listing to mark sold out", said, got, m.step(farmer))
			continue
		}
		if told := m.told(texts, farmer, "over.listing", "vi"); !strings.Contains(told, l.Code) || !strings.Contains(told, "Na Chi Lăng") {
			t.Errorf("%q: %q does not name the listing", said, told)
		}
		m.say(farmer, flows.KindChoice, m.button(farmer, "mine.act_soldout"))
		if got, err := m.db.Listing(context.Background(), l.ID); err != nil || got.Status != flows.SoldOut {
			t.Errorf("%q, then 🏁 Đã bán hết: the listing is %+v (%v), want sold out", said, got, err)
		}
	}

	m.another(first, "test:two:1")
	m.another(first, "test:two:2")
	if got := m.say(farmer, flows.KindText, "không bán nữa"); !slices.Equal(got, []string{"over.listings", "mine.pick"}) {
		t.Errorf("with two listings on sale, %v, want the list of them", got)
	}
	m.say(farmer, flows.KindText, "huỷ")

	for _, tt := range []struct{ user, said string }{
		{"1", "chưa bán được"}, // a listing on sale: it is still there
		{"2", "chưa bán được"}, // none: post one
		{"2", "không bán nữa"}, // none to change
		{"2", "bán hết rồi"},
	} {
		if got := m.say(tt.user, flows.KindText, tt.said); !slices.Equal(got, []string{"over.nothing"}) || m.step(tt.user) != "" {
			t.Errorf("user %s: %q said %v at %q, want a short answer", tt.user, tt.said, got, m.step(tt.user))
		}
	}
}

// "hong ban 30k", typed without marks, is most likely hồng (persimmons,
// sold at 30k) in a market of Lạng Sơn, as "Hồng bán 30k" is: a listing
// at that price, whose product is asked, and not the southern "hổng bán"
// (not selling), which names no price. Her listing on sale stays as it is.
func TestHongBanWithAPriceIsAListingNotSellingOver(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	const farmer = "1"
	l := m.listing(farmer)
	for _, said := range []string{"hong ban 30k", "Hồng bán 30k"} {
		got := m.say(farmer, flows.KindText, said)
		if slices.ContainsFunc(got, func(id string) bool { return strings.HasPrefix(id, "over.") }) ||
			!strings.HasPrefix(m.step(farmer), "sell/") {
			t.Errorf("%q said %v at %q, want a listing of it", said, got, m.step(farmer))
		}
		m.say(farmer, flows.KindText, "huỷ")
	}
	if got, err := m.db.Listing(context.Background(), l.ID); err != nil || got.Status != flows.Active {
		t.Errorf("her listing on sale is %+v (%v)", got, err)
	}
	if got := m.say(farmer, flows.KindText, "hong ban nua"); !slices.Equal(got, []string{"over.listing", "mine.detail"}) {
		t.Errorf(`"hong ban nua" said %v, want her listing to stop selling`, got)
	}
}
