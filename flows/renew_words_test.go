package flows_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
	"github.com/nongsan-bot/nongsan/locales"
)

// Asked whether to sell a listing 7 more days after an order came, the
// farmer's "không" or "có" answers that question, not the order: the order
// is neither declined nor asked about. "từ chối" still declines it, and the
// question why names the order.
func TestABareNoToTheRenewalQuestionDeclinesNoOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	m := newMarket(t, func(d *flows.Deps) { d.OrderTimeout = 6 * time.Hour })
	l := m.listing("1")
	m.order("2", l.Code)
	id := m.newOrderID()
	renewAt := l.ExpiresAt.Add(-12 * time.Hour)
	// The order came an hour before the renewal question, not yet reminded.
	if _, err := m.db.Pool.Exec(ctx, `UPDATE orders SET created_at = $2, remind_at = 'infinity' WHERE id = $1`,
		id, renewAt.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	m.notices()
	if got := m.tick(renewAt); !slices.Equal(idsTo(got, "1"), []string{"mine.renew_ask"}) {
		t.Fatalf("the renewal tick told the farmer %v, want the renewal question", idsTo(got, "1"))
	}
	for _, word := range []string{"không", "Không ạ", "có", "được"} {
		said := m.say("1", flows.KindText, word)
		if slices.Contains(said, "order.decline_reason") || slices.Contains(said, "orders.confirm") {
			t.Fatalf("%q after the renewal question said %v: read as the order's answer", word, said)
		}
		o, err := m.db.Order(ctx, mustID(t, id))
		if err != nil || o.Status != flows.Pending {
			t.Fatalf("after %q the order is %+v (%v), want it pending", word, o, err)
		}
	}
	if said := m.say("1", flows.KindText, "từ chối"); !slices.Equal(said, []string{"order.decline_reason"}) {
		t.Fatalf("từ chối said %v", said)
	}
	o, err := m.db.Order(ctx, mustID(t, id))
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"vi", "en"} {
		if why := m.told(texts, "1", "order.decline_reason", lang); !strings.Contains(why, o.Code) {
			t.Errorf("the question why (%s) does not name the order %s: %q", lang, o.Code, why)
		}
	}
}

// The renewal question was asked, then the farmer published another
// listing: her "ok" to "✅ Đã đăng tin" thanks, and her "không" declines
// nothing; neither answers the older question, and the listing asked
// about keeps its expiry.
func TestAnOkAfterPublishingAnotherListingRenewsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMarket(t)
	l := m.listing("1")
	renewAt := l.ExpiresAt.Add(-12 * time.Hour)
	m.notices()
	if got := m.tick(renewAt); !slices.Equal(idsTo(got, "1"), []string{"mine.renew_ask"}) {
		t.Fatalf("the renewal tick told the farmer %v, want the renewal question", idsTo(got, "1"))
	}
	m.now = renewAt.Add(time.Hour)
	later, err := m.db.CreateListing(ctx, &flows.Listing{ProductKey: "na-chi-lang", Product: "Na Chi Lăng",
		Quantity: vn.Quantity{Milli: 50_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 25_000, Per: vn.UnitKg}, PriceTyped: "25k",
		SellerID: l.SellerID, Channel: flows.Telegram, Photos: []string{"p"}, Ready: vn.Today(m.now)}, "test:later", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.db.Pool.Exec(ctx, `UPDATE listings SET created_at = $2 WHERE id = $1`, later.ID, m.now); err != nil {
		t.Fatal(err)
	}
	for word, want := range map[string]string{"ok": "unclear.thanks", "không": "unclear.text"} {
		if said := m.say("1", flows.KindText, word); len(said) == 0 || said[0] != want {
			t.Errorf("%q after publishing another listing said %v, want %s", word, said, want)
		}
	}
	var expires time.Time
	if err := m.db.Pool.QueryRow(ctx, `SELECT expires_at FROM listings WHERE id = $1`, l.ID).Scan(&expires); err != nil {
		t.Fatal(err)
	}
	if !expires.Equal(l.ExpiresAt) {
		t.Errorf("the listing asked about now expires %v, want %v", expires, l.ExpiresAt)
	}
}

// "Vâng", "Dạ" are the commonest yes: to a new order's question asked
// last they ask back "Nhận đơn DH-… ạ?" as "có" does, accepting nothing;
// the order's verbs said politely ("Nhận ạ", "Từ chối ạ", "Dạ không")
// are the verbs. Once the renewal question came after the order, "dạ"
// renews nothing and gets the warm word, as between tasks.
func TestPoliteWordsAnswerTheOrdersQuestionWhenItWasAskedLast(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMarket(t, func(d *flows.Deps) { d.OrderTimeout = 6 * time.Hour })
	l := m.listing("1")
	m.order("2", l.Code)
	id := m.newOrderID()
	pending := func(word string) {
		t.Helper()
		o, err := m.db.Order(ctx, mustID(t, id))
		if err != nil || o.Status != flows.Pending {
			t.Fatalf("after %q the order is %+v (%v), want it pending", word, o, err)
		}
	}
	for word, want := range map[string]string{
		"Vâng": "orders.confirm", "Dạ": "orders.confirm", "Vâng ạ": "orders.confirm", "Dạ vâng": "orders.confirm",
		"Có em": "orders.confirm", "Từ chối ạ": "order.decline_reason", "Không nhận ạ": "order.decline_reason",
		"Dạ không": "order.decline_reason",
	} {
		if said := m.say("1", flows.KindText, word); len(said) == 0 || said[0] != want {
			t.Errorf("%q to the new order said %v, want %s", word, said, want)
		}
		m.say("1", flows.KindText, "huỷ")
		pending(word)
	}

	// The renewal question asked after the order: "dạ" is thanks.
	renewAt := l.ExpiresAt.Add(-12 * time.Hour)
	if _, err := m.db.Pool.Exec(ctx, `UPDATE orders SET created_at = $2, remind_at = 'infinity' WHERE id = $1`,
		id, renewAt.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	m.notices()
	if got := m.tick(renewAt); !slices.Equal(idsTo(got, "1"), []string{"mine.renew_ask"}) {
		t.Fatalf("the renewal tick told the farmer %v, want the renewal question", idsTo(got, "1"))
	}
	for _, word := range []string{"Dạ", "vâng ạ"} {
		if said := m.say("1", flows.KindText, word); !slices.Equal(said, []string{"unclear.thanks"}) {
			t.Errorf("%q after the renewal question said %v, want the warm word", word, said)
		}
		pending(word)
	}
	var expires time.Time
	if err := m.db.Pool.QueryRow(ctx, `SELECT expires_at FROM listings WHERE id = $1`, l.ID).Scan(&expires); err != nil {
		t.Fatal(err)
	}
	if !expires.Equal(l.ExpiresAt) {
		t.Errorf("dạ renewed the listing: it expires %v, want %v", expires, l.ExpiresAt)
	}
	// Her verb said politely still takes the order.
	if said := m.say("1", flows.KindText, "Nhận ạ"); len(said) == 0 || said[0] != "order.accepted_farmer" {
		t.Errorf("Nhận ạ said %v", said)
	}
}
