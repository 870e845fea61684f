package main

import (
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot/telegram/telegramtest"
	"github.com/nongsan-bot/nongsan/bot/zalo/zalotest"
)

// A Zalo buyer who reports the goods received is thanked in her own words
// (not "người mua đã nhận hàng", as if it were someone else), told the
// farmer knows, and how to buy from the same listing again; /don shows
// the order as hers.
func TestABuyerWhoReceivedTheGoodsIsThankedAndToldHowToBuyAgain(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer = "6ede9afa66b88fe6d6a8", "8f3a0c1b2d4e5f607183"
	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "500 kg", "25k")
	z.say(buyer, "mua "+code)
	orderCode := z.order(buyer, "50kg")
	z.wait(farmer, func(s string) bool { return strings.Contains(s, orderCode) })
	z.say(farmer, "nhan "+orderCode)
	z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") })
	z.say(farmer, "da giao "+orderCode)
	z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🚚") })

	z.say(buyer, "da nhan hang")
	got := z.expect(buyer, "order.received_done", "Seller", z.name(farmer), "Code", orderCode, "Quantity", "50 kg",
		"Product", "Na Chi Lăng", "ListingCode", code, "Again", true)
	for _, want := range []string{"anh/chị đã nhận được hàng", "Cảm ơn", "mua " + code} {
		if !strings.Contains(got, want) {
			t.Errorf("the buyer's receipt lacks %q: %q", want, got)
		}
	}
	if strings.Contains(got, "người mua") {
		t.Errorf("the buyer is called the buyer: %q", got)
	}

	z.say(buyer, "/don")
	list := z.expect(buyer, "orders.pick", "Selling", 0, "Buying", 1)
	if !strings.Contains(list, "Mua 50 kg Na Chi Lăng · anh/chị đã nhận hàng · "+orderCode) {
		t.Errorf("the buyer's /don: %q", list)
	}
	z.say(buyer, "1")
	detail := z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🛒 Đơn mua "+orderCode) })
	if !strings.HasPrefix(detail, "🛒 Đơn mua "+orderCode+": anh/chị đã nhận hàng\n") {
		t.Errorf("the buyer's order: %q", detail)
	}
}

// A Zalo buyer who goes quiet at the name question and comes back after
// SESSION_TTL is told which order was dropped and what to type to order it
// again, not "làm lại từ đầu" followed by a menu that starts with selling;
// typing it starts the order afresh.
func TestABuyerComingBackToAnOrderLeftTooLongIsToldHowToOrderAgain(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))
	const farmer, buyer = "6ede9afa66b88fe6d6a7", "8f3a0c1b2d4e5f607184"
	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "500 kg", "25k")

	z.say(buyer, "mua "+code)
	z.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	z.say(buyer, "50kg")
	z.expect(buyer, "order.name", "Name", z.name(buyer))
	z.leave(buyer, goneQuiet) // she went quiet

	before := len(z.received(buyer))
	z.say(buyer, "1")
	got := z.waitAfter(buyer, before, func(string) bool { return true })
	if want := zaloText(t, "order.left_expired", "Product", "Na Chi Lăng", "Code", code, "OnSale", true); got != want {
		t.Fatalf("the buyer coming back reads %q\nwant %q", got, want)
	}

	z.say(buyer, "mua "+code)
	z.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	// No menu about selling came between, nor the generic notice.
	menu := strings.SplitN(zaloText(t, "menu.title"), "\n", 2)[0]
	expired := strings.SplitN(zaloText(t, "session.expired"), "\n", 2)[0]
	for _, m := range z.received(buyer)[before:] {
		if strings.Contains(m, menu) || strings.Contains(m, expired) {
			t.Errorf("the buyer coming back was told %q", m)
		}
	}
}

// A buyer who taps the same post's 🛒 Đặt mua again mid-order, or types the
// listing's code again at a question (copied from the post), keeps what
// she answered and is asked the same question again: no "em đã dừng việc
// đang làm dở", no starting over, no "em chưa hiểu số lượng".
func TestTheSameListingNamedAgainMidOrderKeepsTheOrder(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")

	b.Say(buyer, deepLink(code))
	b.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	b.Say(buyer, "50kg")
	b.expect(buyer, "order.name", "Name", "Nông dân 2002")
	before := len(b.Sent(buyer))
	b.Say(buyer, deepLink(code)) // the post's button again
	b.expect(buyer, "order.name", "Name", "Nông dân 2002")
	if said := b.Sent(buyer)[before:]; len(said) != 2 || said[0].Text != text(t, "vi", "order.same", "Product", "Na Chi Lăng", "Code", code) {
		t.Fatalf("the same post's button mid-order said %+v", said)
	}
	b.Tap(buyer, "keep")
	b.expect(buyer, "order.phone")
	b.Say(buyer, strings.ToLower(code)) // the code copied again, alone
	b.expect(buyer, "order.phone")
	if said := b.Sent(buyer); said[len(said)-2].Text != text(t, "vi", "order.same", "Product", "Na Chi Lăng", "Code", code) {
		t.Fatalf("the code typed again said %q", said[len(said)-2].Text)
	}
	b.Post(b.Up.Contact(buyer, buyer, "+84987654321"))
	b.Say(buyer, "nhận tại vườn")
	b.Say(buyer, "bỏ qua")
	// The quantity answered before the button was tapped again is kept.
	if summary := b.Last(buyer).Text; !strings.Contains(summary, "50 kg × 25.000 đ/kg") || !strings.Contains(summary, "Nông dân 2002") {
		t.Errorf("the summary after naming the listing again: %q", summary)
	}
}

// On Zalo, the note question lists "1. ⏭ Bỏ qua": a buyer who types "2"
// there (a choice missed) is told what a note is, with an example, and how
// to skip, rather than sending the farmer the note "2".
func TestABareNumberIsNoNoteForTheFarmer(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer = "6ede9afa66b88fe6d6a6", "8f3a0c1b2d4e5f607185"
	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "500 kg", "25k")
	z.say(buyer, "mua "+code)
	z.toPhone(buyer, "50kg")
	z.answer(buyer, "order.phone", "0987 654 321", "order.delivery", "1")
	z.expect(buyer, "order.note")
	z.say(buyer, "2")
	if got := z.expect(buyer, "order.note_number"); !strings.Contains(got, "ví dụ: giao buổi sáng") || !strings.Contains(got, "chọn ⏭ Bỏ qua") {
		t.Errorf("a bare number as the note: %q", got)
	}
	z.say(buyer, "bo qua")
	summary := z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🛒 Anh/chị xem lại đơn hàng") })
	if strings.Contains(summary, "📝") {
		t.Errorf("the summary has a note: %q", summary)
	}
}

// /don typed again while the list of orders is on screen (she did not see
// it come, or wants it fresh) shows the list again, without "Em đã dừng
// việc anh/chị đang làm dở": looking at a list is no work left undone.
func TestOrdersTypedAgainShowTheListWithoutSayingWorkWasStopped(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	b.order(buyer, code, "50kg")
	b.Place(buyer)
	b.Say(buyer, "/don")
	b.expect(buyer, "orders.pick", "Selling", 0, "Buying", 1)
	before := len(b.Sent(buyer))
	b.Say(buyer, "/don")
	b.expect(buyer, "orders.pick", "Selling", 0, "Buying", 1)
	if said := b.Sent(buyer)[before:]; len(said) != 1 {
		t.Errorf("/don again said %d messages, first %q", len(said), said[0].Text)
	}
}

// A buyer who collects at the farm learns where to go once the farmer
// accepts: the farmer's commune, with the phone to agree on a time. A
// buyer who has it delivered is not sent to the farm.
func TestABuyerCollectingAtTheFarmIsToldWhereOnAcceptance(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer, other = "6ede9afa66b88fe6d6a5", "8f3a0c1b2d4e5f607186", "8f3a0c1b2d4e5f607187"
	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "500 kg", "25k")

	z.say(buyer, "mua "+code)
	z.toPhone(buyer, "50kg")
	z.answer(buyer, "order.phone", "0987 654 321", "order.delivery", "nhan tai vuon", "order.note", "bo qua")
	before := len(z.received(buyer))
	z.say(buyer, "dat hang")
	orderCode := orderCodeIn(z.waitAfter(buyer, before, func(s string) bool { return strings.Contains(s, "DH-") }))
	z.wait(farmer, func(s string) bool { return strings.Contains(s, orderCode) })
	z.say(farmer, "nhan "+orderCode)
	accepted := z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") })
	for _, want := range []string{"📱 Số điện thoại nhà vườn: 0912 888 777", "🏡 Anh/chị đến nhận hàng ở xã Quang Lang, Chi Lăng, gọi nhà vườn hẹn giờ trước nhé."} {
		if !strings.Contains(accepted, want) {
			t.Errorf("the acceptance of an order collected at the farm lacks %q:\n%s", want, accepted)
		}
	}

	z.say(other, "mua "+code)
	orderCode = z.order(other, "20kg") // delivered
	z.wait(farmer, func(s string) bool { return strings.Contains(s, orderCode) })
	z.say(farmer, "nhan "+orderCode)
	if accepted := z.wait(other, func(s string) bool { return strings.HasPrefix(s, "🎉") }); strings.Contains(accepted, "🏡") {
		t.Errorf("a delivered order's buyer is sent to the farm:\n%s", accepted)
	}
}

// The phone question tells the buyer when her number reaches the farmer:
// once the farmer accepts the order, as it does, not right away.
func TestThePhoneQuestionSaysTheNumberGoesOnlyOnAcceptance(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer = "6ede9afa66b88fe6d6a4", "8f3a0c1b2d4e5f607188"
	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "500 kg", "25k")
	z.say(buyer, "mua "+code)
	z.toPhone(buyer, "50kg")
	if got := z.expect(buyer, "order.phone"); !strings.Contains(got, "Em chỉ gửi số này cho nhà vườn khi nhà vườn nhận đơn ạ.") {
		t.Errorf("the phone question: %q", got)
	}
}

// A buyer who types a quantity the bot cannot read is given the question's
// own example again ("2 kg"), not the whole stock ("500 kg") as if that
// were the usual order.
func TestTheQuantityRepromptGivesTheQuestionsExample(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer = "6ede9afa66b88fe6d6b1", "8f3a0c1b2d4e5f6071b1"
	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "500 kg", "25k")
	z.say(buyer, "mua "+code)
	if got := z.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg"); !strings.Contains(got, "ví dụ: 2 kg") {
		t.Fatalf("the quantity question: %q", got)
	}
	z.say(buyer, "nhieu nhieu")
	got := z.expect(buyer, "order.quantity_bad", "Unit", "kg", "Example", "2 kg")
	if !strings.Contains(got, "ví dụ: 2 kg") || strings.Contains(got, "500 kg") {
		t.Errorf("the quantity reprompt: %q", got)
	}
	z.say(buyer, "50kg")
	z.expect(buyer, "order.name", "Name", z.name(buyer))
}

// A code of no listing typed mid-order (mistyped, or copied wrong) is
// answered as one: "Em không tìm thấy tin bán NS-ZZZZ", then the same
// question, her order kept; not "Em chưa hiểu số lượng".
func TestAnUnknownCodeMidOrderIsNoListingAndTheOrderGoesOn(t *testing.T) {
	t.Parallel()
	tg := telegramtest.NewServer(t)
	b := startBot(t, tg, orderEnv(t, tg))
	b.register(farmer)
	code := b.listing(farmer, "500 kg", "25k")
	noListing := text(t, "vi", "order.no_listing", "Code", "NS-ZZZZ")

	b.Say(buyer, deepLink(code))
	b.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	before := len(b.Sent(buyer))
	b.Say(buyer, "NS-ZZZZ")
	b.expect(buyer, "order.quantity", "Remaining", "500 kg", "Unit", "kg", "Price", "25.000 đ/kg")
	if said := b.Sent(buyer)[before:]; len(said) != 2 || said[0].Text != noListing {
		t.Fatalf("an unknown code at the quantity question said %+v", said)
	}
	b.Say(buyer, "50kg")
	b.expect(buyer, "order.name", "Name", "Nông dân 2002")
	before = len(b.Sent(buyer))
	b.Say(buyer, "mua ns zzzz")
	b.expect(buyer, "order.name", "Name", "Nông dân 2002")
	if said := b.Sent(buyer)[before:]; len(said) != 2 || said[0].Text != noListing {
		t.Fatalf("mua and an unknown code at the name question said %+v", said)
	}
	b.Tap(buyer, "keep")
	b.expect(buyer, "order.phone")
}

// "huỷ" with nothing in progress shows someone who has only bought how to
// order and where her orders are, not "Muốn bán hàng…"; the farmer still
// reads how to sell.
func TestHuyWithNothingToCancelShowsABuyerHowToBuy(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer = "6ede9afa66b88fe6d6b2", "8f3a0c1b2d4e5f6071b2"
	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "500 kg", "25k")
	z.say(buyer, "mua "+code)
	orderCode := z.order(buyer, "50kg")
	z.wait(farmer, func(s string) bool { return strings.Contains(s, orderCode) })
	z.say(farmer, "nhan "+orderCode)
	z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") })
	z.say(buyer, "/help") // "huỷ" now is no longer her order's ❌ Huỷ đơn
	z.expect(buyer, "menu.buyer_title")

	z.say(buyer, "huỷ")
	got := z.expect(buyer, "cancel.nothing")
	for _, want := range []string{"mua NS-7K2Q", "/don"} {
		if !strings.Contains(got, want) {
			t.Errorf("huỷ with nothing to cancel, for a buyer, lacks %q: %q", want, got)
		}
	}
	if strings.Contains(got, "Muốn bán hàng") {
		t.Errorf("a buyer is shown how to sell: %q", got)
	}
	z.expect(buyer, "menu.buyer_title")

	z.say(farmer, "huy")
	z.expect(farmer, "menu.title")
}

// Someone who has only bought is shown the buyer's menu wherever the main
// menu comes: after /help, after words the bot does not understand between
// tasks, after a question left too long; a farmer still reads how to sell
// (and, with an order waiting, words not understood ask about the order).
func TestABuyerIsShownHowToBuyWhereverTheMenuComes(t *testing.T) {
	t.Parallel()
	tg, zs := telegramtest.NewServer(t), zalotest.NewServer(t)
	z := startZaloWith(t, tg, zs, zaloEnv(orderEnv(t, tg), zs))
	const farmer, buyer = "6ede9afa66b88fe6d6c3", "8f3a0c1b2d4e5f6071c3"
	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "500 kg", "25k")
	z.say(buyer, "mua "+code)
	z.order(buyer, "50kg")

	buyerMenu := strings.SplitN(zaloText(t, "menu.buyer_title"), "\n", 2)[0] // "Muốn mua, anh/chị gõ mua và mã tin bán…"
	sellerMenu := strings.SplitN(zaloText(t, "menu.title"), "\n", 2)[0]      // "Muốn bán hàng, …"
	menuAfter := func(user, say string) string {
		t.Helper()
		before := len(z.received(user))
		z.say(user, say)
		return z.waitAfter(user, before, func(s string) bool {
			return strings.Contains(s, buyerMenu) || strings.Contains(s, sellerMenu)
		})
	}
	for _, say := range []string{"/help", "xyz abc"} {
		if got := menuAfter(buyer, say); !strings.Contains(got, buyerMenu) || strings.Contains(got, sellerMenu) {
			t.Errorf("after %q the buyer reads %q\nwant %q", say, got, buyerMenu)
		}
	}

	z.say(buyer, "/ngonngu")
	z.expect(buyer, "lang.ask")
	z.leave(buyer, goneQuiet) // she went quiet
	if got := menuAfter(buyer, "xyz abc"); !strings.Contains(got, buyerMenu) {
		t.Errorf("after a question left too long the buyer reads %q\nwant %q", got, buyerMenu)
	}

	if got := menuAfter(farmer, "/help"); !strings.Contains(got, sellerMenu) {
		t.Errorf("after /help the farmer reads %q\nwant %q", got, sellerMenu)
	}
	// Words not understood bring her back to the order waiting for her
	// answer, not to the menu.
	before := len(z.received(farmer))
	z.say(farmer, "xyz abc")
	if got := z.waitAfter(farmer, before, func(s string) bool { return strings.Contains(s, "Nhận đơn DH-") }); strings.Contains(got, buyerMenu) {
		t.Errorf("after words not understood the farmer reads %q", got)
	}
}

// "huỷ" right after placing an order the farmer has since accepted is no
// longer that order's ❌ Huỷ đơn ("Việc này không làm được nữa"): the buyer
// reads that the farmer accepted it and whom to call; "huỷ" again has
// nothing to cancel and shows her how to buy.
func TestHuyAfterTheFarmerAcceptedSaysWhomToCall(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer = "6ede9afa66b88fe6d6c4", "8f3a0c1b2d4e5f6071c4"
	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "500 kg", "25k")
	z.say(buyer, "mua "+code)
	orderCode := z.order(buyer, "50kg")
	z.wait(farmer, func(s string) bool { return strings.Contains(s, orderCode) })
	z.say(farmer, "nhan "+orderCode)
	z.wait(buyer, func(s string) bool { return strings.HasPrefix(s, "🎉") })

	z.say(buyer, "huỷ")
	got := z.expect(buyer, "orders.cancel_accepted", "Seller", z.name(farmer), "Code", orderCode, "FarmerPhone", "0912 888 777")
	if strings.Contains(got, "không làm được nữa") { // orders.not_now
		t.Errorf("the buyer reads %q", got)
	}
	z.say(buyer, "huỷ")
	z.expect(buyer, "cancel.nothing")
	z.expect(buyer, "menu.buyer_title")
}

// With less than 2 left, the quantity question's example is what can be
// bought, the same as its reprompt's: not "ví dụ: 2 tạ" of 1,5 tạ.
func TestTheQuantityQuestionsExampleFollowsTheStock(t *testing.T) {
	t.Parallel()
	z := startZalo(t)
	const farmer, buyer = "6ede9afa66b88fe6d6c5", "8f3a0c1b2d4e5f6071c5"
	z.register(farmer, "0912 888 777")
	_, code := z.publish(farmer, "1,5 tạ", "25k")
	z.say(buyer, "mua "+code)
	got := z.expect(buyer, "order.quantity", "Remaining", "1,5 tạ", "Unit", "tạ", "Price", "25.000 đ/kg", "Example", "1 tạ")
	if !strings.Contains(got, "ví dụ: 1 tạ\n") {
		t.Errorf("the quantity question: %q", got)
	}
	z.say(buyer, "nhieu nhieu")
	z.expect(buyer, "order.quantity_bad", "Unit", "tạ", "Example", "1 tạ")
}
