package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// A farmer asked why she does not sell an order changes her mind: "nhận
// đơn", "được", "Vâng ạ", "nhận ạ", "✅ Nhận đơn" or "ok" typed as the
// reason declines nothing and tells the buyer nothing; she is asked "Nhận
// đơn DH-… ạ?" once (not the reason question again after it), and her
// yes to that accepts.
func TestAFarmerWhoChangesHerMindAtTheReasonQuestionIsAskedToAccept(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	p := &typist{t: t, c: tgTypist{b}}
	db := b.Env["DATABASE_URL"]
	const farmer, buyer = "4101", "4102"
	p.register(farmer, "0912 888 701")
	_, code := p.publish(farmer, "2 tạ", "27k")
	p.say(buyer, "mua "+code)
	orderCode := p.order(buyer, "30 kg")
	p.wait(farmer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mới") && strings.Contains(s, orderCode) })
	question := "Nhận đơn " + orderCode + " ạ?"
	toBuyer := len(p.c.received(buyer))
	for _, mind := range []string{"nhận đơn", "được", "Vâng ạ", "nhận ạ", "✅ Nhận đơn", "ok", "dạ nhận"} {
		p.say(farmer, "không")
		p.expect(farmer, "order.decline_reason", "Code", orderCode)
		before := len(p.c.received(farmer))
		p.say(farmer, mind)
		p.waitAfter(farmer, before, func(s string) bool { return strings.Contains(s, question) })
		if got := rows(t, db, `SELECT status FROM orders`); strings.Join(got, " ") != "[pending]" {
			t.Fatalf("%q at the reason question: the order is %v", mind, got)
		}
		if last := p.last(farmer); !strings.Contains(last, question) {
			t.Fatalf("%q at the reason question: the last message is %q, not the question asked back", mind, last)
		}
	}
	if got := p.c.received(buyer)[toBuyer:]; len(got) != 0 {
		t.Fatalf("the buyer was told %q", got)
	}
	p.say(farmer, "có")
	p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") && strings.Contains(s, orderCode) })
}

// "Hết hàng rồi" typed as the reason, at the first question or after ❔ Lý
// do khác, is Hết hàng: the listing is marked sold out, as by the button,
// and the farmer is told so, not that the quantity is on sale again.
func TestHetHangRoiTypedAsTheReasonMarksTheListingSoldOut(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	p := &typist{t: t, c: tgTypist{b}}
	db := b.Env["DATABASE_URL"]
	const farmer = "4201"
	p.register(farmer, "0912 888 702")
	_, code := p.publish(farmer, "2 tạ", "27k")
	p.say("4202", "mua "+code)
	first := p.order("4202", "30 kg")
	p.say("4203", "mua "+code)
	second := p.order("4203", "20 kg")

	p.say(farmer, "từ chối "+first)
	p.expect(farmer, "order.decline_reason", "Code", first)
	p.say(farmer, "Hết hàng rồi ạ")
	p.expect(farmer, "order.declined_farmer", "Code", first, "Name", p.c.name("4202"), "Quantity", "30 kg",
		"Product", "Na Chi Lăng", "Reason", "Hết hàng",
		"Released", text(t, "vi", "order.released_sold_out", "ListingCode", code, "Posts", 0))
	if got := rows(t, db, `SELECT status FROM listings`); strings.Join(got, " ") != "[sold_out]" {
		t.Fatalf("the listing after Hết hàng rồi: %v", got)
	}

	p.say(farmer, "từ chối "+second)
	ask := p.expect(farmer, "order.decline_reason", "Code", second)
	p.say(farmer, p.choose(ask, "order.other_reason"))
	p.expect(farmer, "order.decline_other")
	before := len(p.c.received(farmer))
	p.say(farmer, "bán hết rồi")
	p.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(s, "❌ Anh/chị đã từ chối") })
	if got := rows(t, db, `SELECT reason_key FROM orders ORDER BY id`); strings.Join(got, " ") != "[sold_out] [sold_out]" {
		t.Fatalf("the reasons: %v", got)
	}
}

// A buyer who types "huỷ" right after placing an order cancels it (its ❌
// Huỷ đơn is under the order, which says how to cancel); the farmer is
// told. "huỷ đơn hàng DH-…" cancels that order; "huỷ đơn" later, not right
// after placing, lists the orders waiting, to choose, on Telegram and on
// Zalo.
func TestABuyerCancelsTheOrderSheJustPlacedByTypingHuy(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	tgBot := startBot(t, tg, orderEnv(t, tg))
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))

	script := func(p *typist, db string) {
		const farmer, buyer = "4301", "4302"
		statuses := func() string { return strings.Join(rows(t, db, `SELECT status FROM orders ORDER BY id`), " ") }
		p.register(farmer, "0912 888 703")
		_, code := p.publish(farmer, "2 tạ", "27k")
		p.say(buyer, "mua "+code)
		orderCode := p.order(buyer, "30 kg")
		if placed := p.last(buyer); !strings.Contains(placed, "nhắn HUỶ "+orderCode) {
			t.Fatalf("the order placed does not say how to cancel it: %q", placed)
		}
		p.say(buyer, "huỷ")
		p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "❌ Em đã huỷ đơn "+orderCode) })
		p.wait(farmer, func(s string) bool { return strings.Contains(s, "đã huỷ đơn "+orderCode) })
		if got := statuses(); got != "[cancelled]" {
			t.Fatalf("after huỷ: %v", got)
		}

		p.say(buyer, "mua "+code)
		second := p.reorder(buyer, "20 kg")
		p.say(buyer, "hủy đơn hàng "+second)
		p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "❌ Em đã huỷ đơn "+second) })

		p.say(buyer, "mua "+code)
		third := p.reorder(buyer, "20 kg")
		p.say(buyer, "mua "+code)
		fourth := p.reorder(buyer, "10 kg")
		p.say(buyer, "cảm ơn em") // the orders' buttons are no longer the last on screen
		p.expect(buyer, "unclear.thanks")
		before := len(p.c.received(buyer))
		p.say(buyer, "huỷ đơn")
		list := p.waitAfter(buyer, before, func(s string) bool { return strings.HasPrefix(s, "Anh/chị đang có 2 đơn mua") })
		for _, c := range []string{third, fourth} {
			if !strings.Contains(list, "nhắn HUỶ "+c) {
				t.Fatalf("the list lacks %s: %q", c, list)
			}
		}
		if got := statuses(); got != "[cancelled] [cancelled] [pending] [pending]" {
			t.Fatalf("after the list: %v", got)
		}
	}
	script(&typist{t: t, c: tgTypist{tgBot}}, tgBot.Env["DATABASE_URL"])
	script(z.typist, z.b.Env["DATABASE_URL"])
}

// The other side's verb typed with an order's code does what its sender can
// do: the farmer's "huỷ DH-…" of an order she accepted asks why she cannot
// deliver (❌ Không giao được nữa), and of a pending one why she declines; a
// buyer's "từ chối DH-…" cancels his order.
func TestTheOtherSidesVerbTypedWithTheCodeDoesWhatItsSenderCan(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	p := &typist{t: t, c: tgTypist{b}}
	db := b.Env["DATABASE_URL"]
	const farmer, buyer = "4401", "4402"
	p.register(farmer, "0912 888 704")
	_, code := p.publish(farmer, "2 tạ", "27k")
	p.say(buyer, "mua "+code)
	accepted := p.order(buyer, "30 kg")
	p.say(farmer, "nhận "+accepted)
	p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") })
	p.say(farmer, "huỷ "+accepted)
	p.expect(farmer, "order.decline_reason", "Code", accepted)
	p.say(farmer, "Xe hỏng")
	p.wait(buyer, func(s string) bool {
		return strings.HasPrefix(s, "😔 Nhà vườn") && strings.Contains(s, "Xe hỏng")
	})

	p.say(buyer, "mua "+code)
	pending := p.reorder(buyer, "20 kg")
	p.say(farmer, "huỷ "+pending)
	p.expect(farmer, "order.decline_reason", "Code", pending)
	p.say(farmer, "huỷ") // she leaves the question: nothing is declined
	p.say(buyer, "từ chối "+pending)
	p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "❌ Em đã huỷ đơn "+pending) })
	if got := strings.Join(rows(t, db, `SELECT status FROM orders ORDER BY id`), " "); got != "[cancelled] [cancelled]" {
		t.Fatalf("orders: %v", got)
	}
}

// "mua NS-B" typed while ordering from NS-A says that the NS-A order was
// left and how to buy it after, before NS-B's quantity question.
func TestBuyingAnotherListingMidOrderSaysTheFirstWasLeft(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	p := &typist{t: t, c: tgTypist{b}}
	const farmer, buyer = "4501", "4502"
	p.register(farmer, "0912 888 705")
	_, first := p.publish(farmer, "2 tạ", "27k")
	p.say(farmer, "/ban")
	_, second := p.publish(farmer, "3 tạ", "30k")
	p.say(buyer, "mua "+first)
	p.say(buyer, "20 kg")
	p.expect(buyer, "order.name", "Name", p.c.name(buyer))
	before := len(p.c.received(buyer))
	p.say(buyer, "mua "+second)
	p.expect(buyer, "order.quantity", "Remaining", "3 tạ", "Unit", "tạ", "Price", "30.000 đ/kg")
	said := p.c.received(buyer)[before:]
	if want := text(t, "vi", "order.left", "Code", first, "Product", "Na Chi Lăng"); len(said) < 2 || said[0] != want {
		t.Fatalf("mua %s mid-order said %q; want first %q", second, said, want)
	}
	// The example is no more than is left, and "lấy hết" takes it all.
	p.say(buyer, "nhiều")
	p.expect(buyer, "order.quantity_bad", "Unit", "tạ", "Example", "2 tạ")
	p.say(buyer, "lấy hết ạ")
	p.expect(buyer, "order.name", "Name", p.c.name(buyer))
	// A buyer's mistyped code is answered with the verb he typed.
	p.say(buyer, "huỷ DH-ZZZZ")
	if got := p.expect(buyer, "typed.unknown_order", "Code", "DH-ZZZZ", "Action", "cancel"); !strings.Contains(got, "ví dụ: HUỶ DH-7K2Q") {
		t.Fatalf("the example for a buyer's huỷ: %q", got)
	}
}

// reorder answers the order questions of a buyer who ordered before (not
// asked his name and phone again), to pick up at the farm, and returns the
// order's code.
func (p *typist) reorder(buyer, quantity string) string {
	p.t.Helper()
	p.say(buyer, quantity)
	p.answer(buyer, "order.delivery", "nhận tại vườn", "order.note", "bỏ qua")
	before := len(p.c.received(buyer))
	p.say(buyer, "đặt hàng")
	placed := p.waitAfter(buyer, before, func(s string) bool { return strings.Contains(s, "DH-") })
	return regexp.MustCompile(`DH-[2-9A-HJ-NP-Z]{4}`).FindString(placed)
}

// The farmer's "Đã giao hàng" ("đã gửi hàng") and the buyer's "Đã nhận
// được hàng" ("đã nhận hàng"), typed without a code after the buttons are
// gone (or, the buyer's, never were his own: they came with the farmer's
// change), answer the orders waiting for them: several are listed to
// choose, each naming the other side by the name they are called by and
// when it was ordered; the one left is done; and once done the same words
// say which was done last, and when, not "not understood".
func TestShippedAndReceivedTypedWithoutACodeAnswerTheOrdersWaitingForThem(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	p := &typist{t: t, c: tgTypist{b}}
	db := b.Env["DATABASE_URL"]
	const farmer, buyer = "4601", "4602"
	p.register(farmer, "0912 888 706")
	_, code := p.publish(farmer, "2 tạ", "27k")
	p.say(buyer, "mua "+code)
	first := p.order(buyer, "30 kg")
	p.say(buyer, "mua "+code)
	second := p.reorder(buyer, "20 kg")
	for _, o := range []string{first, second} {
		p.say(farmer, "nhận "+o)
		p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") && strings.Contains(s, o) })
	}
	p.say(farmer, "cảm ơn em") // her own 🚚 buttons are no longer on screen
	p.expect(farmer, "unclear.thanks")

	called := func(user string) string { f := strings.Fields(p.c.name(user)); return f[len(f)-1] }
	placed := `, đặt \d\d:\d\d (thứ [A-Za-zàáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]+|chủ nhật) \d+/\d+, `
	p.say(farmer, "Đã gửi hàng")
	pick := p.wait(farmer, func(s string) bool { return strings.Contains(s, "Anh/chị đã giao đơn nào ạ?") })
	for _, o := range []string{first, second} {
		if !regexp.MustCompile(regexp.QuoteMeta(o) + `: .* cho ` + called(buyer) + placed + `nhắn ĐÃ GIAO ` + o).MatchString(pick) {
			t.Fatalf("the farmer's orders to ship: %q, without %s for %s and when", pick, o, called(buyer))
		}
	}
	p.say(farmer, "đã giao "+first)
	p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🚚") && strings.Contains(s, first) })
	p.say(farmer, "giao rồi") // the one left
	p.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🚚") && strings.Contains(s, second) })
	before := len(p.c.received(farmer))
	p.say(farmer, "🚚 Đã giao hàng")
	done := p.waitAfter(farmer, before, func(s string) bool { return strings.HasPrefix(s, "Anh/chị đã báo giao hàng đơn "+second) })
	if !regexp.MustCompile(` cho ` + called(buyer) + `\) lúc \d\d:\d\d .* rồi ạ\.\nGõ /don`).MatchString(done) {
		t.Fatalf("the farmer's shipping said again: %q", done)
	}

	before = len(p.c.received(buyer))
	p.say(buyer, "Đã nhận hàng")
	pick = p.waitAfter(buyer, before, func(s string) bool { return strings.Contains(s, "đã nhận được hàng của đơn nào ạ?") })
	for _, o := range []string{first, second} {
		if !regexp.MustCompile(regexp.QuoteMeta(o) + `: .* của nhà vườn ` + called(farmer) + placed + `nhắn ĐÃ NHẬN HÀNG ` + o).MatchString(pick) {
			t.Fatalf("the buyer's orders to receive: %q, without %s from %s and when", pick, o, called(farmer))
		}
	}
	p.say(buyer, "đã nhận hàng "+second)
	p.wait(farmer, func(s string) bool {
		return strings.Contains(s, second) && strings.Contains(s, "đã nhận được hàng")
	})
	p.say(buyer, "nhận được rồi ạ") // the one left
	p.wait(farmer, func(s string) bool {
		return strings.Contains(s, first) && strings.Contains(s, "đã nhận được hàng")
	})
	before = len(p.c.received(buyer))
	p.say(buyer, "Đã nhận được hàng") // said of the order he marked last
	done = p.waitAfter(buyer, before, func(s string) bool { return strings.HasPrefix(s, "Anh/chị đã báo nhận hàng đơn "+first) })
	if !regexp.MustCompile(` của nhà vườn ` + called(farmer) + `\) lúc \d\d:\d\d `).MatchString(done) {
		t.Fatalf("the buyer's receipt said again: %q", done)
	}
	// The farmer's words, once he received it all: done, and when.
	before = len(p.c.received(farmer))
	p.say(farmer, "đã gửi hàng")
	p.waitAfter(farmer, before, func(s string) bool {
		return strings.HasPrefix(s, "Đơn "+first) && strings.Contains(s, "xong rồi ạ: người mua đã báo nhận hàng lúc ")
	})
	if got := strings.Join(rows(t, db, `SELECT status FROM orders ORDER BY id`), " "); got != "[completed] [completed]" {
		t.Fatalf("orders: %v", got)
	}
}
