package flows_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nongsan-bot/nongsan/flows"
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
