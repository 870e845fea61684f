package flows_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

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

// inGroup handles text that user writes in the market group, in reply to
// the message replyTo (none: ""), and returns the IDs said in the group.
func (m *market) inGroup(user, text, replyTo string) []string {
	m.t.Helper()
	in := m.input(user, flows.KindText, text)
	in.ChatID, in.ChatType, in.ChatTitle, in.ReplyTo = marketGroup.ChatID, flows.Group, "Chợ", replyTo
	u, err := m.db.Touch(context.Background(), in)
	if err != nil {
		m.t.Fatal(err)
	}
	res, err := m.router.Handle(context.Background(), u, nil, in)
	if err != nil {
		m.t.Fatal(err)
	}
	m.said = res.Replies
	return idsTo(res.Replies, marketGroup.ChatID)
}

// expire dates l's last day at expires, as if it were so (its status as
// it is in the store).
func (m *market) expire(l *flows.Listing, expires time.Time) {
	m.t.Helper()
	ctx := context.Background()
	l, err := m.db.Listing(ctx, l.ID)
	if err != nil {
		m.t.Fatal(err)
	}
	l.ExpiresAt = expires
	if err := m.db.UpdateListing(ctx, l); err != nil {
		m.t.Fatal(err)
	}
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

// "còn không?" in reply to the post of a listing its orders sold out is
// answered that it is sold out (hết hàng), and that a cancelled order puts
// it back, not that it stopped (ngừng bán); once an order is declined, an
// order is offered; past its last day, before the tick ends it, it is
// said to have ended, not offered.
func TestAGroupReplyToASoldOutOrEndedListing(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	m := newMarket(t)
	l := m.naOf("1", 40, 0)
	m.posted(l, "77")
	m.order("2", l.Code)
	id := m.newOrderID()
	if said := m.inGroup("3", "còn không?", "77"); !slices.Equal(said, []string{"group.listing_sold_out"}) {
		t.Fatalf("under a listing sold out by orders, the group was told %v", said)
	}
	want := fmt.Sprintf("Tin bán Na Chi Lăng (%s) đã hết hàng rồi ạ. Nếu có đơn bị huỷ, hàng sẽ được mở bán lại ngay trên tin bán này. Bà con xem các tin bán khác trong nhóm nhé.", l.Code)
	if got := m.told(texts, marketGroup.ChatID, "group.listing_sold_out", "vi"); got != want {
		t.Errorf("the group was told:\n%s\nwant:\n%s", got, want)
	}
	m.say("1", flows.KindChoice, "ord:decline:"+id+":"+flows.ReasonFar)
	if said := m.inGroup("3", "còn không?", "77"); !slices.Equal(said, []string{"group.order_privately"}) {
		t.Fatalf("back on sale, the group was told %v", said)
	}
	m.expire(l, m.now.Add(-time.Minute))
	if said := m.inGroup("3", "còn không?", "77"); !slices.Equal(said, []string{"group.listing_ended"}) {
		t.Fatalf("past its last day, the group was told %v", said)
	}
	if said := m.inGroup("3", "mua "+l.Code, ""); !slices.Equal(said, []string{"group.listing_ended"}) {
		t.Fatalf("mua %s past its last day: the group was told %v", l.Code, said)
	}
	// Sold out by orders again, then past its last day: a cancelled order
	// no longer puts it back on sale, so the group is not promised so.
	m.expire(l, m.now.Add(24*time.Hour))
	m.order("2", l.Code)
	m.expire(l, m.now.Add(-time.Minute))
	if said := m.inGroup("3", "còn không?", "77"); !slices.Equal(said, []string{"group.listing_sold_out"}) {
		t.Fatalf("sold out by orders past its last day, the group was told %v", said)
	}
	want = fmt.Sprintf("Tin bán Na Chi Lăng (%s) đã hết hàng rồi ạ. Bà con xem các tin bán khác trong nhóm nhé.", l.Code)
	if got := m.told(texts, marketGroup.ChatID, "group.listing_sold_out", "vi"); got != want {
		t.Errorf("sold out by orders past its last day, the group was told:\n%s\nwant:\n%s", got, want)
	}
}

// A buyer who sells na too has an order declined: the na listings offered
// instead leave out their own, and one past its last day (active until the
// tick ends it); another farmer's on sale is offered.
func TestSimilarListingsLeaveOutTheBuyersOwnAndEndedOnes(t *testing.T) {
	t.Parallel()
	m := newMarket(t)
	l := m.naOf("1", 100, 0)
	own := m.naOf("2", 100, 0)
	ended := m.naOf("3", 100, 0)
	m.expire(ended, m.now.Add(-time.Minute))
	other := m.naOf("4", 100, 0)
	m.order("2", l.Code)
	m.say("1", flows.KindChoice, "ord:decline:"+m.newOrderID()+":"+flows.ReasonFar)
	var offered []string
	for _, r := range m.said {
		if r.To.ChatID == "2" && r.Text.ID == "order.similar" {
			for _, row := range r.Choices {
				offered = append(offered, strings.TrimPrefix(row[0].Value, "buy:"))
			}
		}
	}
	if !slices.Equal(offered, []string{other.Code}) {
		t.Fatalf("the buyer was offered %v; want only %s (%s is theirs, %s past its last day)", offered, other.Code, own.Code, ended.Code)
	}
}

// An order that sold a listing out times out at the tick that also ends
// the listing (past its last day): the farmer is told the 40 kg are not
// put back on sale as the listing ended, not that they were; and the
// listing ends. A farmer declining such an order before that tick is told
// the same, and the listing is not set on sale again.
func TestAnOrderGivenBackToAnEndingListingDoesNotPutItOnSale(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const offSale = "Tin bán %s đã hết hạn nên em không mở bán lại 40 kg Na Chi Lăng này ạ. Muốn bán tiếp, anh/chị gõ /tin nhé."
	t.Run("timed out", func(t *testing.T) {
		t.Parallel()
		// The farmer's notice is told at the tick whatever its hour.
		m := newMarket(t, func(d *flows.Deps) { d.RenewHours = flows.Hours{From: 0, Until: 24} })
		l := m.naOf("1", 40, 0)
		m.order("2", l.Code)
		m.expire(l, m.now.Add(12*time.Hour+30*time.Minute))
		var told string
		for _, r := range m.tick(m.now.Add(13 * time.Hour)) {
			if r.To.ChatID == "1" && r.Text.ID == "order.timed_out_farmer" {
				told = texts.Text("vi", r.Text)
			}
		}
		if want := fmt.Sprintf(offSale, l.Code); !strings.HasSuffix(told, "\n"+want) {
			t.Fatalf("the farmer was told:\n%s\nwant it to end with:\n%s", told, want)
		}
		if after, err := m.db.Listing(ctx, l.ID); err != nil || after.Status != flows.Expired {
			t.Errorf("after the tick the listing is %+v (%v), want it expired", after, err)
		}
	})
	t.Run("declined", func(t *testing.T) {
		t.Parallel()
		m := newMarket(t)
		l := m.naOf("1", 40, 0)
		m.order("2", l.Code)
		id := m.newOrderID()
		m.expire(l, m.now.Add(-time.Minute))
		m.say("1", flows.KindChoice, "ord:decline:"+id+":"+flows.ReasonFar)
		if got, want := m.told(texts, "1", "order.declined_farmer", "vi"), fmt.Sprintf(offSale, l.Code); !strings.HasSuffix(got, "\n"+want) {
			t.Errorf("the farmer was told:\n%s\nwant it to end with:\n%s", got, want)
		}
		if after, err := m.db.Listing(ctx, l.ID); err != nil || after.Status == flows.Active || after.Remaining != 40_000 {
			t.Errorf("the listing is %+v (%v); want the 40 kg back, not on sale", after, err)
		}
	})
}
