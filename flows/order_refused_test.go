package flows_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
	"github.com/nongsan-bot/nongsan/locales"
)

// naOf puts a listing of qty kg of na by farmerUser on sale, taking
// orders from min kg (0: any), as sell does but with the farmer's own
// phone number: several farmers sell.
func (m *market) naOf(farmerUser string, qty, min int64) *flows.Listing {
	m.t.Helper()
	ctx := context.Background()
	u, err := m.db.Touch(ctx, m.input(farmerUser, flows.KindText, ""))
	if err != nil {
		m.t.Fatal(err)
	}
	s := &flows.Seller{UserID: u.ID, Name: "Lâm " + farmerUser, Phone: fmt.Sprintf("+849128%05d", u.ID%100_000),
		Commune: "xã Quang Lang", Area: "chi_lang"}
	if err := m.db.SaveSeller(ctx, s); err != nil {
		m.t.Fatal(err)
	}
	l, err := m.db.CreateListing(ctx, &flows.Listing{SellerID: s.ID, Channel: flows.Telegram, ProductKey: "na-chi-lang",
		Product: "Na Chi Lăng", Quantity: vn.Quantity{Milli: qty * 1000, Unit: vn.UnitKg}, Price: vn.Price{VND: 25_000, Per: vn.UnitKg},
		PriceTyped: "25k", Photos: []string{"p"}, Ready: vn.Today(m.now)}, "test:"+farmerUser, nil)
	if err != nil {
		m.t.Fatal(err)
	}
	if min > 0 { // as the farmer sets it, from ✏️ Sửa
		l.MinOrder = min * 1000
		if err := m.db.UpdateListing(ctx, l); err != nil {
			m.t.Fatal(err)
		}
	}
	return l
}

// A listing of 100 kg taking orders from 30 kg has 20 kg left after two
// orders of 40: the buyer is told the farmer sells the 20 kg left whole,
// with 20 kg as the example, and any other amount, under or over, is
// answered so; 20 kg is taken. Before, 10 kg was refused as under 30 kg
// and 30 kg as over 20 kg, in a loop. A listing taking orders from 50 kg
// gives 50 kg as its example, not 2 kg.
func TestLessLeftThanTheMinimumOrderIsSoldWhole(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	m := newMarket(t)
	l := m.naOf("1", 100, 30)
	m.order("2", l.Code)
	m.order("3", l.Code)
	const buyer = "4"
	if said := m.say(buyer, flows.KindText, "mua "+l.Code); !slices.Contains(said, "order.quantity") {
		t.Fatalf("mua %s said %v, want the quantity question", l.Code, said)
	}
	if got := m.told(texts, buyer, "order.quantity", "vi"); !strings.Contains(got, "\nHàng còn ít hơn mức nhận đơn (30 kg), nên nhà vườn bán cả 20 kg còn lại.\n") ||
		!strings.Contains(got, "ví dụ: 20 kg\n") {
		t.Errorf("the quantity question:\n%s\nwant it to say the 20 kg left are sold whole, and 20 kg as the example", got)
	}
	for _, typed := range []string{"10 kg", "30 kg"} {
		if said := m.say(buyer, flows.KindText, typed); !slices.Contains(said, "order.whole_rest") {
			t.Fatalf("%s said %v, want the 20 kg left sold whole", typed, said)
		}
		if got := m.told(texts, buyer, "order.whole_rest", "vi"); !strings.HasSuffix(got, "\nMuốn mua, anh/chị gõ: 20 kg") {
			t.Errorf("%s was answered:\n%s", typed, got)
		}
	}
	if said := m.say(buyer, flows.KindText, "20 kg"); slices.Contains(said, "order.whole_rest") || m.sess[buyer].Step == "quantity" {
		t.Fatalf("20 kg said %v (at %s), want it taken", said, m.sess[buyer].Step)
	}

	big := m.naOf("5", 500, 50)
	m.say("6", flows.KindText, "mua "+big.Code)
	if got := m.told(texts, "6", "order.quantity", "vi"); !strings.Contains(got, "\nNhà vườn nhận đơn từ 50 kg trở lên.\nGõ số lượng và đơn vị, ví dụ: 50 kg\n") {
		t.Errorf("the quantity question of a listing taking orders from 50 kg:\n%s\nwant 50 kg as the example", got)
	}
}

// The buyer's 💳 Mã thanh toán, from the order's detail while it was
// accepted, tapped after the farmer dropped the order, says it cannot be
// done any more, the order cancelled; not that it is the other person's.
func TestAnOldPaymentButtonOfADroppedOrderSaysItIsTooLate(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	m := newMarket(t)
	l := m.listing("1")
	m.order("2", l.Code)
	id := m.newOrderID()
	m.say("1", flows.KindChoice, "ord:accept:"+id)
	if said := m.say("1", flows.KindChoice, "ord:drop:"+id+":"+flows.ReasonFar); !slices.Contains(idsTo(m.said, "2"), "order.dropped") {
		t.Fatalf("the drop said %v to the farmer, %v to the buyer", said, idsTo(m.said, "2"))
	}
	if said := m.say("2", flows.KindChoice, "ord:pay:"+id); !slices.Equal(said, []string{"orders.not_now"}) {
		t.Fatalf("💳 of the dropped order said %v, want orders.not_now", said)
	}
	if got := m.told(texts, "2", "orders.not_now", "vi"); !strings.Contains(got, ": đã huỷ)") {
		t.Errorf("the buyer was told:\n%s\nwant the order's status", got)
	}
}
