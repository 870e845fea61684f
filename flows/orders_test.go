package flows_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vn"
	"github.com/nongsan-bot/nongsan/locales"
)

// newOrderID is the id of the order whose notice the last input sent to
// the farmer (its ✅ Nhận đơn button: "ord:accept:42").
func (m *market) newOrderID() string {
	m.t.Helper()
	for _, r := range m.said {
		if r.Text.ID == "order.new" {
			return strings.TrimPrefix(r.Choices[0][0].Value, "ord:accept:")
		}
	}
	m.t.Fatal("no new order's notice")
	return ""
}

// button is the value of the choice labelled label in the last replies
// to user, as a tap on it sends it.
func (m *market) button(user, label string) string {
	m.t.Helper()
	return button(m.t, m.said, user, label)
}

// button is the value of the choice labelled label in replies to chat.
func button(t *testing.T, replies []flows.Reply, chat, label string) string {
	t.Helper()
	for _, r := range replies {
		for _, row := range r.Choices {
			for _, c := range row {
				if r.To.ChatID == chat && c.Label.ID == label {
					return c.Value
				}
			}
		}
	}
	t.Fatalf("no %s button in what %s was told last", label, chat)
	return ""
}

// told is what chat was told last by the message id, in lang.
func (m *market) told(texts *locales.Texts, chat, id, lang string) string {
	m.t.Helper()
	for _, r := range slices.Backward(m.said) {
		if r.To.ChatID == chat && r.Text.ID == id {
			return texts.Text(lang, r.Text)
		}
	}
	m.t.Fatalf("%s was not told %s; said %v", chat, id, idsTo(m.said, chat))
	return ""
}

// A farmer who reads English declines with the "Sold out" button: the
// Vietnamese buyer reads the reason in Vietnamese, and the order's
// history names it in each reader's language. A reason the farmer types
// is told as typed, even "timeout": it is not the clock's.
func TestADeclineReasonIsToldInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name         string
		answer       func(m *market)
		buyer        string // the end of what the buyer is told
		buyerHistory string // the last line of the history, as the buyer reads it
		farmHistory  string // and as the farmer (in English) reads it
	}{
		{"by button", func(m *market) { m.say("1", flows.KindChoice, m.button("1", "order.reason_sold_out")) },
			"\nLý do: Hết hàng.", " · nhà vườn không nhận · User 1 · Hết hàng", " · declined by the farmer · User 1 · Sold out"},
		{"typed", func(m *market) { m.say("1", flows.KindText, "timeout") },
			"\nLý do: timeout.", " · nhà vườn không nhận · User 1 · timeout", " · declined by the farmer · User 1 · timeout"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMarket(t)
			l := m.listing("1")
			m.order("2", l.Code)
			id := m.newOrderID()
			farmer, err := m.db.Touch(context.Background(), m.input("1", flows.KindText, ""))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.db.SetLang(context.Background(), farmer.ID, "en"); err != nil {
				t.Fatal(err)
			}
			m.say("1", flows.KindChoice, "ord:decline:"+id)
			tt.answer(m)
			if got := m.told(texts, "2", "order.declined", "vi"); !strings.HasSuffix(got, tt.buyer) {
				t.Errorf("the buyer was told:\n%s\nwant it to end with %q", got, tt.buyer)
			}
			for _, who := range []struct{ user, lang, want string }{{"2", "vi", tt.buyerHistory}, {"1", "en", tt.farmHistory}} {
				m.say(who.user, flows.KindChoice, "ord:timeline:"+id)
				if got := m.told(texts, who.user, "orders.timeline", who.lang); !strings.HasSuffix(got, who.want) {
					t.Errorf("%s's history of the order:\n%s\nwant it to end with %q", who.user, got, who.want)
				}
			}
		})
	}
}

// A farmer who answers an order with "Hết hàng" has none left: declining
// it (or giving up an accepted one) marks the listing sold out, its group
// post says so and loses its order button, and the farmer is told; the
// order's quantity is not put back on sale, even where the orders had sold
// the listing out.
func TestDecliningForHetHangMarksTheListingSoldOut(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	na40 := func() *flows.Listing {
		return &flows.Listing{ProductKey: "na-chi-lang", Product: "Na Chi Lăng",
			Quantity: vn.Quantity{Milli: 40_000, Unit: vn.UnitKg}, Price: vn.Price{VND: 25_000, Per: vn.UnitKg}, PriceTyped: "25k"}
	}
	for _, tt := range []struct {
		name    string
		listing func() *flows.Listing // nil: 100 kg
		accept  bool                  // first, then ❌ Không giao được nữa
		told    string                // the message to the farmer
	}{
		{"declined", nil, false, "order.declined_farmer"},
		{"declined, the orders had sold it out", na40, false, "order.declined_farmer"},
		{"given up after accepting", nil, true, "order.dropped_farmer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMarket(t)
			var l *flows.Listing
			if tt.listing != nil {
				l = m.sell("1", tt.listing())
			} else {
				l = m.listing("1")
			}
			m.posted(l, "77")
			m.order("2", l.Code)
			id := m.newOrderID()
			action := "ord:decline:"
			if tt.accept {
				m.say("1", flows.KindChoice, "ord:accept:"+id)
				action = "ord:drop:"
			}
			m.say("1", flows.KindChoice, action+id)
			m.say("1", flows.KindChoice, m.button("1", "order.reason_sold_out"))

			got, err := m.db.Listing(context.Background(), l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != flows.SoldOut || got.SoldOutBy != "farmer" || got.Remaining != 0 {
				t.Errorf("the listing is %s (by %q), %d left; want sold out by the farmer, none left", got.Status, got.SoldOutBy, got.Remaining)
			}
			want := "\n⚠️ Anh/chị báo hết hàng nên em đã đóng tin bán " + l.Code + ", không ai đặt thêm được nữa, tin trong nhóm chợ cũng ghi đã hết hàng. Vẫn còn hàng thì anh/chị gõ /tin, chọn tin này rồi chọn ⚖️ Đổi số còn lại để mở bán lại nhé."
			if s := m.told(texts, "1", tt.told, "vi"); !strings.HasSuffix(s, want) {
				t.Errorf("the farmer was told:\n%s\nwant it to end with:%s", s, want)
			}
			var edited bool
			for _, r := range m.said {
				if r.To != marketGroup || r.Edit == nil {
					continue
				}
				edited = true
				if r, err = m.router.Rebuild(context.Background(), r); err != nil { // as it is sent
					t.Fatal(err)
				}
				if s := texts.Text("vi", r.Text); !strings.HasPrefix(s, "⛔ ĐÃ HẾT HÀNG\n") || len(r.Choices) != 0 {
					t.Errorf("the group post is edited to:\n%s\nwith buttons %v; want it sold out, without the order button", s, r.Choices)
				}
			}
			if !edited {
				t.Error("the group post is not edited")
			}
		})
	}
}

// A farmer may explain a decline politely, at more length than a name, or
// with an emoji: the buyer reads it as typed. A reason longer than a note
// is asked shorter, the question staying.
func TestALongDeclineReasonIsTakenOrAskedShorter(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	polite := "Dạ em xin lỗi, năm nay na bị sâu nhiều nên không đủ quả đẹp để giao cho anh chị ạ" // 81 characters
	for _, tt := range []struct {
		name    string
		answers []string // the last is taken
	}{
		{"polite", []string{polite}},
		{"an emoji", []string{"🙏"}},
		{"too long, then shorter", []string{strings.Repeat(polite+" ", 4), polite}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMarket(t)
			l := m.listing("1")
			m.order("2", l.Code)
			m.say("1", flows.KindChoice, "ord:decline:"+m.newOrderID())
			for _, long := range tt.answers[:len(tt.answers)-1] {
				if said := m.say("1", flows.KindText, long); !slices.Equal(said, []string{"order.decline_long"}) || m.sess["1"].Step != "decline_reason" {
					t.Fatalf("a reason of %d characters said %v, at step %+v; want order.decline_long and the question still there",
						len([]rune(long)), said, m.sess["1"])
				}
			}
			reason := tt.answers[len(tt.answers)-1]
			m.say("1", flows.KindText, reason)
			if got := m.told(texts, "2", "order.declined", "vi"); !strings.HasSuffix(got, "\nLý do: "+reason+".") {
				t.Errorf("the buyer was told:\n%s\nwant the reason as typed: %s", got, reason)
			}
		})
	}
}

// A farmer types the label of a new order's button instead of tapping it
// ("✅ Nhận đơn", "nhan don", "từ chối"): with one order waiting for their
// answer, it answers that order; with several, they are listed with what
// to type for each, and the farmer picks one; with none, it is not
// understood, as before.
func TestTypingANewOrdersButtonAnswersTheOrderWaiting(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{"✅ Nhận đơn", "nhan don", "NHẬN ĐƠN", "accept"} {
		t.Run("one order, "+typed, func(t *testing.T) {
			t.Parallel()
			m := newMarket(t)
			l := m.listing("1")
			m.say("1", flows.KindChoice, "menu:mine") // the farmer's last screen: their listings
			m.say("1", flows.KindText, "huỷ")
			m.order("2", l.Code)
			if said := m.say("1", flows.KindText, typed); !slices.Contains(said, "order.accepted_farmer") ||
				!slices.Contains(idsTo(m.said, "2"), "order.accepted") {
				t.Fatalf("typing %q told the farmer %v, the buyer %v; want the order accepted", typed, said, idsTo(m.said, "2"))
			}
		})
	}
	t.Run("one order, từ chối", func(t *testing.T) {
		t.Parallel()
		m := newMarket(t)
		l := m.listing("1")
		m.order("2", l.Code)
		if said := m.say("1", flows.KindText, "từ chối"); !slices.Equal(said, []string{"order.decline_reason"}) {
			t.Fatalf("typing từ chối said %v; want the reason asked", said)
		}
		m.say("1", flows.KindText, "hàng chưa chín")
		if got := m.told(texts, "2", "order.declined", "vi"); !strings.HasSuffix(got, "\nLý do: hàng chưa chín.") {
			t.Errorf("the buyer was told:\n%s", got)
		}
	})
	t.Run("two orders", func(t *testing.T) {
		t.Parallel()
		m := newMarket(t)
		l := m.listing("1")
		var codes []string
		for _, buyer := range []string{"2", "3"} {
			m.order(buyer, l.Code)
			o, err := m.db.Order(context.Background(), mustID(t, m.newOrderID()))
			if err != nil {
				t.Fatal(err)
			}
			codes = append(codes, o.Code)
		}
		if said := m.say("1", flows.KindText, "nhận đơn"); !slices.Equal(said, []string{"orders.awaiting"}) {
			t.Fatalf("typing nhận đơn with two orders waiting said %v; want them listed", said)
		}
		list := m.told(texts, "1", "orders.awaiting", "vi")
		for i, code := range codes {
			want := "• " + code + ": 40 kg Na Chi Lăng của User " + []string{"2", "3"}[i] + ", nhắn NHẬN " + code
			if !strings.Contains(list, want) {
				t.Errorf("the list of orders waiting:\n%s\nlacks %q", list, want)
			}
		}
		if said := m.say("1", flows.KindText, "2"); !slices.Contains(said, "order.accepted_farmer") || !slices.Contains(idsTo(m.said, "3"), "order.accepted") {
			t.Fatalf("picking the second order told the farmer %v, its buyer %v", said, idsTo(m.said, "3"))
		}
	})
	t.Run("no order", func(t *testing.T) {
		t.Parallel()
		m := newMarket(t)
		m.listing("1")
		if said := m.say("1", flows.KindText, "nhận đơn"); !slices.Contains(said, "unclear.text") {
			t.Fatalf("typing nhận đơn with no order waiting said %v; want it not understood", said)
		}
	})
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A button under an earlier message acts on what that message was about,
// or on nothing: a decline reason tapped under the first of two orders'
// questions declines that order, not the one asked about last; an older
// order summary's 🛒 Đặt hàng, ✏️ Sửa or ❌ Huỷ (of another order, or
// before a change) places, changes or cancels nothing, the buyer being
// told it is an old button and shown the summary in progress again; so
// does an older listing summary's ✅ Đăng tin or ✏️ Sửa, for the farmer.
// Typed, "đồng ý" still answers the summary on screen.
func TestAnOldButtonActsOnWhatItWasShownFor(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	// quytOf puts a listing of quýt on sale by the farmer of na.
	quytOf := func(m *market, na *flows.Listing) *flows.Listing {
		quyt, err := m.db.CreateListing(context.Background(), &flows.Listing{SellerID: na.SellerID, Channel: flows.Telegram,
			ProductKey: "quyt-bac-son", Product: "Quýt Bắc Sơn", Quantity: vn.Quantity{Milli: 200_000, Unit: vn.UnitKg},
			Price: vn.Price{VND: 18_000, Per: vn.UnitKg}, PriceTyped: "18k", Photos: []string{"p"}, Ready: vn.Today(m.now)}, "quyt", nil)
		if err != nil {
			m.t.Fatal(err)
		}
		return quyt
	}
	t.Run("decline reasons", func(t *testing.T) {
		t.Parallel()
		m := newMarket(t)
		l := m.listing("1")
		m.order("2", l.Code)
		first := m.newOrderID()
		m.order("3", l.Code)
		second := m.newOrderID()
		m.say("1", flows.KindChoice, "ord:decline:"+first)
		soldOut := m.button("1", "order.reason_sold_out") // under the first order's question
		m.say("1", flows.KindChoice, "ord:decline:"+second)
		m.say("1", flows.KindChoice, soldOut)
		if said := idsTo(m.said, "3"); len(said) != 0 {
			t.Errorf("the second order's buyer was told %v; their order was not answered", said)
		}
		if got := m.told(texts, "2", "order.declined", "vi"); !strings.HasSuffix(got, "\nLý do: Hết hàng.") {
			t.Errorf("the first order's buyer was told:\n%s", got)
		}
		// A button from before reasons named their order names none.
		m.say("1", flows.KindChoice, "ord:decline:"+second)
		if said := m.say("1", flows.KindChoice, "reason:far"); !slices.Equal(said, []string{"unclear.button", "order.decline_reason"}) {
			t.Fatalf("a reason button of an earlier version said %v; want it called old, and the question again", said)
		}
		for id, want := range map[string]string{first: flows.Declined, second: flows.Pending} {
			if o, err := m.db.Order(context.Background(), mustID(t, id)); err != nil || o.Status != want {
				t.Errorf("order %s is %+v (%v); want it %s", id, o, err, want)
			}
		}
	})
	t.Run("an order summary", func(t *testing.T) {
		t.Parallel()
		m := newMarket(t)
		na := m.listing("1")
		quyt := quytOf(m, na)
		toSummary := func(code string) string {
			m.toSummary("2", code)
			return m.button("2", "order.place")
		}
		ofNa := toSummary(na.Code)
		ofQuyt := toSummary(quyt.Code)
		old := []string{"unclear.button", "order.summary"}
		if said := m.say("2", flows.KindChoice, ofNa); !slices.Equal(said, old) {
			t.Fatalf("the na summary's 🛒 Đặt hàng, tapped at the quýt's, said %v; want %v", said, old)
		}
		// A change: the summary before it places nothing either.
		m.say("2", flows.KindChoice, m.button("2", "sell.edit"))
		m.say("2", flows.KindChoice, "field:quantity")
		m.say("2", flows.KindText, "50 kg")
		if said := m.say("2", flows.KindChoice, ofQuyt); !slices.Equal(said, old) {
			t.Fatalf("the summary of 40 kg, tapped once 50 kg were asked, said %v; want %v", said, old)
		}
		if said := m.say("2", flows.KindChoice, m.button("2", "order.place")); !slices.Contains(said, "order.placed") {
			t.Fatalf("the summary shown last said %v; want the order placed", said)
		}
		if got := m.told(texts, "2", "order.placed", "vi"); !strings.Contains(got, ": 50 kg Quýt Bắc Sơn") {
			t.Errorf("placed:\n%s\nwant 50 kg of quýt", got)
		}
		if l, err := m.db.Listing(context.Background(), na.ID); err != nil || l.Remaining != 100_000 {
			t.Errorf("the na listing keeps %+v (%v); nothing of it was ordered", l, err)
		}
	})
	t.Run("an order summary's Sửa and Huỷ", func(t *testing.T) {
		t.Parallel()
		m := newMarket(t)
		na := m.listing("1")
		quyt := quytOf(m, na)
		m.toSummary("2", na.Code)
		editNa, cancelNa := m.button("2", "sell.edit"), m.button("2", "sell.cancel")
		m.toSummary("2", quyt.Code)
		old := []string{"unclear.button", "order.summary"}
		if said := m.say("2", flows.KindChoice, cancelNa); !slices.Equal(said, old) {
			t.Fatalf("the na summary's ❌ Huỷ, tapped at the quýt's, said %v; want %v", said, old)
		}
		if said := m.say("2", flows.KindChoice, editNa); !slices.Equal(said, old) {
			t.Fatalf("the na summary's ✏️ Sửa, tapped at the quýt's, said %v; want %v", said, old)
		}
		if got := m.told(texts, "2", "order.summary", "vi"); !strings.Contains(got, "Quýt Bắc Sơn") {
			t.Errorf("shown again:\n%s\nwant the quýt summary", got)
		}
		if said := m.say("2", flows.KindText, "đồng ý"); !slices.Contains(said, "order.placed") {
			t.Fatalf("đồng ý typed at the quýt summary said %v; want the order placed", said)
		}
		if got := m.told(texts, "2", "order.placed", "vi"); !strings.Contains(got, ": 40 kg Quýt Bắc Sơn") {
			t.Errorf("placed:\n%s\nwant 40 kg of quýt", got)
		}
	})
	t.Run("a listing summary", func(t *testing.T) {
		t.Parallel()
		c := newConversation(t)
		c.play(append(slices.Clone(registered),
			turn{flows.KindPhoto, "Na Chi Lăng 5 tạ 25k mai có hàng", 0, "sell/summary", []string{"sell.summary"}}))
		publishNa, editNa := button(t, c.said, "7", "sell.publish"), button(t, c.said, "7", "sell.edit")
		c.play([]turn{
			{flows.KindChoice, button(t, c.said, "7", "sell.edit"), 0, "sell/edit", []string{"sell.edit_pick"}},
			{flows.KindChoice, "field:price", 0, "sell/price", []string{"sell.price"}},
			{text, "30k", 0, "sell/summary", []string{"sell.summary"}},
		})
		publish25k := button(t, c.said, "7", "sell.publish")
		old := []string{"unclear.button", "sell.summary"}
		c.play([]turn{
			// The summary of 25k, tapped once the price is 30k.
			{flows.KindChoice, publishNa, 0, "sell/summary", old},
			{flows.KindChoice, editNa, 0, "sell/summary", old},
		})
		if got := texts.Text("vi", c.said[len(c.said)-1].Text); !strings.Contains(got, "30.000 đ/kg") {
			t.Errorf("shown again:\n%s\nwant the summary at 30.000 đ/kg", got)
		}
		c.play([]turn{
			// Another listing begun with huỷ, /ban: the na summary's buttons publish nothing of it.
			{text, "huỷ", 0, "", []string{"cancel.done+menu"}},
			{text, "/ban", 0, "sell/product", []string{"sell.product"}},
			{text, "quýt", 0, "sell/photos", []string{"sell.photos"}},
			{flows.KindPhoto, "", 0, "sell/photos", []string{"sell.photo_got"}},
			{text, "xong", 0, "sell/quantity", []string{"sell.quantity"}},
			{text, "2 tạ", 0, "sell/price", []string{"sell.price"}},
			{text, "18k", 0, "sell/ready", []string{"sell.ready"}},
			{text, "mai", 0, "sell/note", []string{"sell.note"}},
			{text, "bỏ qua", 0, "sell/summary", []string{"sell.summary"}},
			{flows.KindChoice, publish25k, 0, "sell/summary", old},
			{flows.KindChoice, "publish", 0, "sell/summary", old}, // a button sent before buttons were stamped
			{text, "đồng ý", 0, "", []string{"sell.published_nowhere+menu"}},
		})
		code, _ := c.said[0].Text.Data["Code"].(string)
		l, err := c.users.(*postgres.DB).ListingByCode(context.Background(), code)
		if err != nil || l.ProductKey != "quyt-bac-son" || l.Price.VND != 18_000 {
			t.Errorf("published %s: %+v (%v); want the quýt listing at 18k", code, l, err)
		}
	})
	t.Run("a profile summary", func(t *testing.T) {
		t.Parallel()
		c := newConversation(t)
		c.play(append(slices.Clone(registered), turn{text, "/hoso", 0, "profile/summary", []string{"profile.summary"}}))
		nameBefore, doneBefore := button(t, c.said, "7", "profile.field_name"), button(t, c.said, "7", "choice.done")
		c.play([]turn{
			{flows.KindChoice, nameBefore, 0, "profile/reg_name", []string{"reg.name"}},
			{text, "Lê Thị Hoa", 0, "profile/summary", []string{"profile.summary"}},
		})
		old := []string{"unclear.button", "profile.summary"}
		c.play([]turn{
			// The summary before the name changed: it closes and changes nothing.
			{flows.KindChoice, doneBefore, 0, "profile/summary", old},
			{flows.KindChoice, nameBefore, 0, "profile/summary", old},
		})
		if got := c.said[len(c.said)-1].Text.Data["Name"]; got != "Lê Thị Hoa" {
			t.Errorf("shown again with the name %q; want Lê Thị Hoa", got)
		}
		// Another /hoso: the earlier one's summary, though it showed the same profile, is old.
		phoneBefore, doneBefore := button(t, c.said, "7", "profile.field_phone"), button(t, c.said, "7", "choice.done")
		c.play([]turn{{text, "/hoso", 0, "profile/summary", []string{"flow.left", "profile.summary"}}})
		phone := button(t, c.said, "7", "profile.field_phone")
		c.play([]turn{
			{flows.KindChoice, phoneBefore, 0, "profile/summary", old},
			{flows.KindChoice, doneBefore, 0, "profile/summary", old},
			{flows.KindChoice, phone, 0, "profile/reg_phone", []string{"reg.phone"}},
			{text, "0987 654 321", 0, "profile/summary", []string{"reg.phone_ok", "profile.summary"}},
		})
		c.play([]turn{{flows.KindChoice, button(t, c.said, "7", "choice.done"), 0, "", []string{"profile.saved+menu"}}})
	})
}

// An order's history says when each change happened as people say it
// (DOMAIN.md: "thứ Sáu 15/8"), in Vietnam's time: "09:05 thứ Ba 8/12".
func TestAnOrdersHistorySaysTheDayAsPeopleDo(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	m := newMarket(t)
	l := m.listing("1")
	m.order("2", l.Code)
	id := m.newOrderID()
	events, err := m.db.Timeline(context.Background(), mustID(t, id))
	if err != nil || len(events) != 1 {
		t.Fatalf("the order's events: %+v (%v)", events, err)
	}
	at := events[0].At.In(vn.Location())
	weekday := []string{"Chủ nhật", "thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy"}[at.Weekday()]
	m.say("2", flows.KindChoice, "ord:timeline:"+id)
	want := "\n" + at.Format("15:04") + " " + weekday + " " + strconv.Itoa(at.Day()) + "/" + strconv.Itoa(int(at.Month())) + " · chờ nhà vườn nhận đơn"
	if got := m.told(texts, "2", "orders.timeline", "vi"); !strings.Contains(got, want) {
		t.Errorf("the order's history:\n%s\nwant a line starting %q", got, strings.TrimPrefix(want, "\n"))
	}
}

// An order's announcement held back for its group (a burst coalescing)
// says what became of the listing meanwhile, as its post does: stopped,
// expired or taken down, not "ĐÃ HẾT HÀNG".
func TestAHeldAnnouncementSaysTheListingStopped(t *testing.T) {
	t.Parallel()
	texts, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		status string
		want   string // the end of the announcement
	}{
		{flows.Active, " — còn 60 kg"},
		{flows.SoldOut, " — ĐÃ HẾT HÀNG"},
		{flows.Closed, " — ĐÃ NGỪNG BÁN"},
		{flows.Expired, " — ĐÃ HẾT HẠN"},
		{flows.Removed, " — TIN ĐÃ BỊ GỠ"},
	} {
		t.Run(tt.status, func(t *testing.T) {
			t.Parallel()
			m := newMarket(t)
			l := m.listing("1")
			m.posted(l, "77")
			m.order("2", l.Code)
			var held *flows.Reply
			for _, r := range m.said {
				if r.To == marketGroup && r.Text.ID == "order.announce" {
					held = &r
				}
			}
			if held == nil {
				t.Fatal("no announcement for the group")
			}
			ctx := context.Background()
			l, err := m.db.Listing(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if l.Status = tt.status; tt.status == flows.SoldOut {
				l.Remaining, l.SoldOutBy = 0, "farmer"
			}
			if err := m.db.UpdateListing(ctx, l); err != nil {
				t.Fatal(err)
			}
			sent, err := m.router.Rebuild(ctx, *held) // as it goes, once the group's turn comes
			if err != nil {
				t.Fatal(err)
			}
			if got := texts.Text("vi", sent.Text); !strings.HasSuffix(got, tt.want) {
				t.Errorf("the announcement says %q, want it to end with %q", got, tt.want)
			}
		})
	}
}

// A farmer who gives up an accepted order (drop) for another reason and
// skips saying it: the buyer is told the farmer cannot deliver, with no
// reason line, not that the buyer cancelled; the order's history names no
// reason either.
func TestADropWithoutAReasonIsToldAsTheFarmers(t *testing.T) {
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
	m.say("1", flows.KindChoice, "ord:drop:"+id)
	if said := m.say("1", flows.KindChoice, m.button("1", "order.other_reason")); !slices.Equal(said, []string{"order.decline_other"}) {
		t.Fatalf("❔ Lý do khác said %v, want the reason asked", said)
	}
	m.say("1", flows.KindChoice, m.button("1", "choice.skip"))
	got := m.told(texts, "2", "order.dropped", "vi")
	if !strings.HasPrefix(got, "😔 Nhà vườn Lâm không giao được 40 kg Na Chi Lăng của đơn ") || strings.Contains(got, "Lý do") {
		t.Errorf("the buyer was told:\n%s", got)
	}
	m.say("2", flows.KindChoice, "ord:timeline:"+id)
	if got := m.told(texts, "2", "orders.timeline", "vi"); !strings.HasSuffix(got, " · đã huỷ · User 1") {
		t.Errorf("the buyer's history of the order:\n%s", got)
	}
}
